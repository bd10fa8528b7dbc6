"""The demo town's call for ideas: every status, several districts, and loaded only once."""

from __future__ import annotations

from sqlalchemy import func, select

from participation.core.models import Municipality, utcnow
from participation.extensions import db
from participation.ideas import permissions, rules
from participation.ideas.demo import CALL_TITLE
from participation.ideas.models import (
    Appeal,
    Comment,
    Follow,
    Idea,
    IdeaCall,
    Report,
    Review,
    StatusEvent,
    Support,
)
from participation.ideas.rules import IdeaStatus, Phase
from tests.ideas.helpers import Browser


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (IdeaCall, Idea, Support, Comment, Report, Review, Appeal, StatusEvent, Follow)
    )


def test_the_demo_has_an_open_call_with_ideas_in_every_status(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    town = db.session.scalar(select(Municipality).where(Municipality.slug == "demo"))
    call = db.session.scalar(select(IdeaCall).where(IdeaCall.municipality_id == town.id))
    assert call.title == CALL_TITLE
    assert permissions.phase(call) == Phase.OPEN
    ideas = db.session.scalars(select(Idea).where(Idea.call_id == call.id)).all()
    assert {i.status for i in ideas} == set(IdeaStatus) - {IdeaStatus.DRAFT}
    assert len({i.district_id for i in ideas if i.district_id}) >= 3
    assert all(i.lat is not None and i.district_id is not None for i in ideas)
    assert sum(i.support_count for i in ideas) > 0
    for idea in ideas:
        supports = select(func.count(Support.id)).where(Support.idea_id == idea.id)
        assert db.session.scalar(supports) == idea.support_count, idea.title
        assert (
            idea.author_id
            not in db.session.scalars(
                select(Support.user_id).where(Support.idea_id == idea.id)
            ).all()
        )
        # The counts agree with the rules: collecting ideas are below the threshold.
        assert rules.status_after_supports(
            IdeaStatus.COLLECTING, idea.support_count, call.support_threshold
        ) == (
            IdeaStatus.COLLECTING
            if idea.status in {IdeaStatus.COLLECTING, IdeaStatus.EXPIRED}
            else IdeaStatus.UNDER_REVIEW
        ), idea.title
        assert idea.history and idea.history[0].status == "submitted"
    comments = db.session.scalars(select(Comment)).all()
    assert any(c.parent_id for c in comments) and any(c.hidden for c in comments)
    open_reports = db.session.scalars(select(Report).where(Report.resolved_at.is_(None))).all()
    assert len(open_reports) >= 1
    merged = next(i for i in ideas if i.status == IdeaStatus.MERGED)
    assert merged.merged_into.call_id == call.id
    appealed = next(i for i in ideas if i.status == IdeaStatus.APPEALED)
    assert db.session.scalar(select(Appeal).where(Appeal.idea_id == appealed.id)) is not None
    assert all(i.submitted_at <= utcnow() for i in ideas)

    # The pages show it.
    browser = Browser(app)
    assert CALL_TITLE in browser.page("/demo/")
    listing = browser.page(f"/demo/ideas/calls/{call.id}")
    assert f"{len(ideas)} ideas" in listing
    geojson = browser.get(f"/api/v1/demo/ideas.geojson?call={call.id}").get_json()
    assert len(geojson["features"]) == len(ideas)


def test_running_the_demo_twice_changes_nothing(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    first = counts()
    assert first[0] == 1
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == first
