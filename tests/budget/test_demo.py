"""The demo town's participatory budget: a cycle in its voting phase with every voting
method and projects from ideas, and a closed cycle with published results."""

from __future__ import annotations

from sqlalchemy import func, select

from participation.budget import permissions
from participation.budget.demo import CURRENT_TITLE, PAST_TITLE
from participation.budget.models import Ballot, Cycle, Method, PoolResult, Project, Voter
from participation.budget.voting import Phase
from participation.extensions import db


def _cycle(title: str) -> Cycle:
    return db.session.scalar(select(Cycle).where(Cycle.title == title))


def test_the_demo_has_a_cycle_in_voting_and_one_with_results(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    current = _cycle(CURRENT_TITLE)
    assert permissions.phase(current) == Phase.VOTING
    assert {p.method for p in current.pools} == set(Method)
    assert any(p.district_id for p in current.pools) and any(
        p.district_id is None for p in current.pools
    )
    from_ideas = db.session.scalars(
        select(Project).where(Project.cycle_id == current.id, Project.idea_id.is_not(None))
    ).all()
    assert from_ideas and all(p.lat is not None for p in from_ideas)

    past = _cycle(PAST_TITLE)
    assert permissions.phase(past) == Phase.RESULTS
    for pool in past.pools:
        voters = db.session.scalar(select(func.count(Voter.id)).where(Voter.pool_id == pool.id))
        ballots = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.pool_id == pool.id))
        assert voters == ballots
    selected = db.session.scalars(select(PoolResult).where(PoolResult.selected.is_(True))).all()
    assert selected

    def counts():
        return tuple(
            db.session.scalar(select(func.count()).select_from(m)) for m in (Cycle, Project, Ballot)
        )

    before = counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == before
