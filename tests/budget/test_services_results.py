"""Tallies from the database, published results, turnout, Pabulib import and export, and
implementation tracking, on both databases."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from io import BytesIO

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from participation.budget import pabulib, rules
from participation.budget import services as s
from participation.budget.models import (
    Ballot,
    Implementation,
    PoolResult,
    Project,
    Rule,
    Verification,
    Voter,
)
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_cycle, make_pool, make_project
from tests.ideas.helpers import png_with_text

COSTS = ("250000", "180000.50", "120000", "99999.99", "75000", "40000", "222176.85", "10000")


def voter(cycle, pool, key, district=None) -> s.Eligibility:
    """A checked voter, as ``eligibility`` would return (the proofs are tested elsewhere)."""
    return s.Eligibility(cycle.id, Verification.EMAIL, key, district, (pool,))


def random_ballot(rng, pool, projects) -> dict[int, int]:
    """A valid ballot of the pool's method."""
    method = str(pool.method)
    while True:
        if method == "approval":
            chosen = rng.sample(projects, rng.randint(1, 4))
            if sum(p.cost for p in chosen) <= pool.amount:
                return {p.id: 1 for p in chosen}
        elif method == "k_approval":
            return {p.id: 1 for p in rng.sample(projects, rng.randint(1, pool.k))}
        elif method == "points":
            values: dict[int, int] = {}
            for _ in range(rng.randint(1, pool.points)):
                p = rng.choice(projects)
                if values.get(p.id, 0) < pool.points_cap:
                    values[p.id] = values.get(p.id, 0) + 1
            return values
        else:  # d21
            plus = rng.sample(projects, rng.randint(1, pool.plus_votes))
            values = {p.id: 1 for p in plus}
            if len(plus) >= 2 and rng.random() < 0.5:
                rest = [p for p in projects if p.id not in values]
                values[rng.choice(rest).id] = -1
            return values


def fill(cycle, pool, n, seed, district=None) -> tuple[list[Project], list[dict[int, int]]]:
    projects = [make_project(pool, cost=c) for c in COSTS]
    db.session.refresh(cycle)
    rng = random.Random(seed)
    ballots = []
    for i in range(n):
        values = random_ballot(rng, pool, projects)
        # Some identical ballots, as in real votes.
        if ballots and rng.random() < 0.3:
            values = rng.choice(ballots)
        s.cast_ballot(pool, values, voter(cycle, pool, f"test:{seed}:{i}", district))
        ballots.append(values)
    return projects, ballots


def close(cycle):
    cycle.voting_closes_at = utcnow() - timedelta(seconds=1)
    db.session.flush()


POOLS = {
    "approval-greedy": ("approval", Rule.GREEDY, {}),
    "approval-mes": ("approval", Rule.MES, {}),
    "approval-mes-add1": ("approval", Rule.MES_ADD1, {}),
    "k-approval-mes-add1": ("k_approval", Rule.MES_ADD1, {"k": 3}),
    "points": ("points", Rule.GREEDY, {"points": 6, "points_cap": 3}),
    "d21": ("d21", Rule.GREEDY, {"plus_votes": 3, "minus_votes": 1}),
}


def reference_outcome(pool, projects, ballots) -> rules.Outcome:
    """The rules module fed by hand, one ballot per voter, ids as strings."""
    rp = [rules.Project(str(p.id), p.cost) for p in projects]
    if str(pool.method) in ("points", "d21"):
        rb = [rules.Ballot(points={str(k): v for k, v in b.items()}) for b in ballots]
        return rules.tally_greedy(rp, rb, pool.amount, score="points")
    rb = [rules.Ballot(approved=[str(k) for k in b]) for b in ballots]
    return rules.RULES[pool.rule.value](rp, rb, pool.amount)


@pytest.mark.parametrize("kind", list(POOLS))
def test_a_tally_from_the_database_equals_the_rules_on_the_same_ballots(town, kind):
    method, rule, fields = POOLS[kind]
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, method=method, rule=rule, amount=Decimal("500000"), **fields)
    projects, ballots = fill(cycle, pool, 60, seed=len(kind))
    tally = s.tally_pool(pool)
    expected = reference_outcome(pool, projects, ballots)
    assert tally.outcome.selected == expected.selected
    assert tally.outcome.scores == expected.scores
    assert tally.outcome.total_cost == expected.total_cost
    assert tally.ballots == 60
    assert tally.spent == sum(p.cost for p in tally.selected) <= pool.amount
    assert [p.id for p in tally.selected] == [int(i) for i in expected.selected]
    assert set(tally.fates) == {p.id for p in projects}
    if method == "d21":
        plus = {p.id: sum(1 for b in ballots if b.get(p.id) == 1) for p in projects}
        minus = {p.id: sum(1 for b in ballots if b.get(p.id) == -1) for p in projects}
        assert tally.scores == {p.id: plus[p.id] - minus[p.id] for p in projects}
    if method == "points":
        assert tally.scores == {p.id: sum(b.get(p.id, 0) for b in ballots) for p in projects}


def test_results_are_published_after_the_close_once(town, coordinator):
    cycle = make_cycle(town.municipality)
    mes = make_pool(cycle, rule=Rule.MES_ADD1, amount=Decimal("500000"))
    d21 = make_pool(
        cycle,
        method="d21",
        district=town.districts["Jih"],
        amount=Decimal("300000"),
        plus_votes=3,
        minus_votes=1,
    )
    fill(cycle, mes, 40, seed=1)
    fill(cycle, d21, 40, seed=2)
    with pytest.raises(s.BudgetError, match="after voting has closed"):
        s.publish_results(cycle, coordinator)
    close(cycle)
    expected = {pool.id: s.tally_pool(pool) for pool in (mes, d21)}
    tallies = s.publish_results(cycle, coordinator)
    assert cycle.results_published_at is not None
    for pool in (mes, d21):
        results = s.results_of(pool)
        winners = [r for r in results if r.selected]
        assert [r.project_id for r in winners] == [p.id for p in expected[pool.id].selected]
        assert [r.position for r in winners] == list(range(1, len(winners) + 1))
        assert {r.project_id: r.score for r in results} == {
            k: int(v) for k, v in tallies[pool.id].scores.items()
        }
        fate = json.loads(winners[0].explanation)
        assert fate["status"] in ("selected", "completion") and "votes" in fate
    losers = [r for r in s.results_of(mes) if not r.selected]
    if losers:
        assert json.loads(losers[0].explanation)["status"] in ("no_money", "did_not_fit")
    with pytest.raises(s.BudgetError, match="already published"):
        s.publish_results(cycle, coordinator)
    entry = s.audit_log(cycle)[-1]
    assert entry.action == "results_published" and entry.actor_id == coordinator.id
    assert json.loads(entry.detail)["pools"][str(mes.id)] == [
        p.id for p in expected[mes.id].selected
    ]


def test_a_staff_tally_is_audited(town, coordinator):
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle)
    fill(cycle, pool, 5, seed=3)
    close(cycle)
    s.tally_pool(pool, by=coordinator)
    assert s.audit_log(cycle)[-1].action == "tallied"


def test_turnout_counts_people_by_district(town):
    cycle = make_cycle(town.municipality)
    city = make_pool(cycle)
    jih = make_pool(cycle, district=town.districts["Jih"])
    a, b = make_project(city), make_project(jih)
    db.session.refresh(cycle)
    both = s.Eligibility(cycle.id, Verification.EMAIL, "user:1", town.districts["Jih"], (city, jih))
    s.cast_ballot(city, {a.id: 1}, both)
    s.cast_ballot(jih, {b.id: 1}, both)
    s.cast_ballot(jih, {b.id: 1}, voter(cycle, jih, "user:2", town.districts["Jih"]))
    s.cast_ballot(city, {a.id: 1}, voter(cycle, city, "user:3", town.districts["Sever"]))
    s.cast_ballot(city, {a.id: 1}, voter(cycle, city, "user:4"))
    assert s.turnout_by_district(cycle) == {
        town.districts["Jih"].id: 2,
        town.districts["Sever"].id: 1,
        None: 1,
    }


# --- Pabulib ---------------------------------------------------------------------------------


def recount(text: str, pool) -> list[str]:
    pb = pabulib.parse(text)
    ballots = pb.to_ballots()
    projects = pb.to_projects()
    if pb.vote_type in pabulib.POINTS_TYPES:
        return rules.tally_greedy(projects, ballots, pb.budget, score="points").selected
    return rules.RULES[pool.rule.value](projects, ballots, pb.budget).selected


@pytest.mark.parametrize("kind", list(POOLS))
def test_the_export_recounted_gives_the_published_winners(town, coordinator, kind):
    method, rule, fields = POOLS[kind]
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, method=method, rule=rule, amount=Decimal("500000"), **fields)
    projects, ballots = fill(cycle, pool, 50, seed=10 + len(kind))
    with pytest.raises(s.BudgetError, match="after voting has closed"):
        s.export_pabulib(cycle, pool)
    close(cycle)
    s.publish_results(cycle, coordinator)
    text = s.export_pabulib(cycle, pool)
    pb = pabulib.parse(text)
    published = {r.project_id for r in s.results_of(pool) if r.selected}
    assert {int(i) for i in recount(text, pool)} == published
    assert {int(row["project_id"]) for row in pb.projects if row["selected"] == "1"} == published
    assert pb.meta["budget"] == "500000" and pb.meta["num_votes"] == "50"
    assert [row["voter_id"] for row in pb.votes] == [str(i) for i in range(1, 51)]
    # Nothing that names a voter or a ballot.
    for secret in db.session.scalars(select(Ballot.receipt_hash)):
        assert secret not in text
    for key in db.session.scalars(select(Voter.voter_key)):
        assert key not in text
    for ballot_id in db.session.scalars(select(Ballot.id)):
        assert ballot_id not in text
    # The same multiset of ballots.
    exported = sorted(tuple(sorted(pabulib.split_ids(row["vote"]))) for row in pb.votes)
    assert exported == sorted(tuple(sorted(str(k) for k in b)) for b in ballots)
    votes = {int(row["project_id"]): int(row["votes"]) for row in pb.projects}
    assert votes == {p.id: sum(1 for b in ballots if b.get(p.id, 0) > 0) for p in projects}


def test_the_export_is_shuffled(town, coordinator):
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, method="points", points=6, points_cap=6)
    projects = [make_project(pool, cost="1000") for _ in range(3)]
    db.session.refresh(cycle)
    # Ballots that differ from each other: voter i gives i points in some order.
    cast = []
    for i in range(1, 31):
        values = {projects[i % 3].id: 1 + i % 6}
        s.cast_ballot(pool, values, voter(cycle, pool, f"v{i}"))
        cast.append(values)
    close(cycle)
    orders = {
        tuple(row["points"] for row in pabulib.parse(s.export_pabulib(cycle, pool)).votes)
        for _ in range(3)
    }
    assert len(orders) > 1


PB = """META
key;value
description;Test
country;Poland
unit;Lipnice
instance;2024
num_projects;4
num_votes;6
budget;1000
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name;selected;latitude;longitude
9;500;4;Park;1;49.400;14.660
10;400;3;Hřiště;1;;
11;300;2;Lavičky;0;;
12;600.50;1;Most;0;;
VOTES
voter_id;vote
a;9,10
b;9,10
c;9,11
d;9
e;10,11,12
f;
"""


def test_a_pabulib_file_is_imported_and_tallies_as_the_file(town, coordinator):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle, amount=Decimal("1000"))
    report = s.import_pabulib(cycle, pool, PB, coordinator)
    assert (report.projects, report.ballots) == (4, 6)  # f's empty vote is kept
    projects = {p.external_id: p for p in db.session.scalars(select(Project))}
    assert projects["12"].cost == Decimal("600.50") and projects["9"].title == "Park"
    assert projects["9"].district_id == town.districts["Jih"].id
    keys = set(db.session.scalars(select(Voter.voter_key).where(Voter.pool_id == pool.id)))
    assert keys == {f"pabulib:{v}" for v in "abcdef"}
    tally = s.tally_pool(pool)
    assert tally.ballots == 6
    # The tally uses the file's ids, so ties would break as in the file.
    assert tally.outcome.selected == ["9", "10"]
    assert tally.outcome.scores == {"9": 4, "10": 3, "11": 2, "12": 1}
    assert s.audit_log(cycle)[-1].action == "pabulib_imported"
    with pytest.raises(s.BudgetError, match="empty pool"):
        s.import_pabulib(cycle, pool, PB, coordinator)
    # The export keeps the file's ids.
    cycle.voting_opens_at = utcnow() - timedelta(days=1)
    close(cycle)
    text = s.export_pabulib(cycle, pool)
    assert {row["project_id"] for row in pabulib.parse(text).projects} == {"9", "10", "11", "12"}


def test_pabulib_import_refusals(town, coordinator):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    points_pool = make_pool(cycle, method="points", points=10)
    with pytest.raises(s.BudgetError, match="do not fit"):
        s.import_pabulib(cycle, points_pool, PB, coordinator)
    pool = make_pool(cycle)
    with pytest.raises(s.BudgetError, match="unknown project"):
        s.import_pabulib(cycle, pool, PB.replace("e;10,11,12", "e;10,77"), coordinator)
    with pytest.raises(s.BudgetError, match="Pabulib file"):
        s.import_pabulib(cycle, pool, "PROJECTS\nproject_id\n1\n", coordinator)
    for later in ("voting", "counting", "results"):
        live = make_cycle(town.municipality, phase=later)
        with pytest.raises(s.BudgetError, match="only before voting opens"):
            s.import_pabulib(live, make_pool(live), PB, coordinator)
    assert db.session.scalar(select(Project.id)) is None


def test_a_file_goes_into_an_unpublished_cycle_that_stays_so_until_voting_closed(town, coordinator):
    """Residents never vote beside a file's ballots (a review found that an import into a
    published cycle in preparation was counted with the real votes unless someone
    remembered to remove it before voting opened)."""
    published = make_cycle(town.municipality, phase="preparation")
    with pytest.raises(s.BudgetError, match="not published"):
        s.import_pabulib(published, make_pool(published), PB, coordinator)
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle, amount=Decimal("1000"))
    s.import_pabulib(cycle, pool, PB, coordinator)
    with pytest.raises(s.BudgetError, match="imported from a file"):
        s.publish_cycle(cycle, coordinator)
    cycle.voting_opens_at = utcnow() - timedelta(minutes=1)  # voting, unpublished
    with pytest.raises(s.BudgetError, match="imported from a file"):
        s.publish_cycle(cycle, coordinator)
    close(cycle)  # an audit: published once nobody can vote any more
    assert s.publish_cycle(cycle, coordinator).published_at is not None
    # Once its imported ballots are removed, a cycle publishes before voting too.
    other = make_cycle(town.municipality, phase="preparation", published=False)
    other_pool = make_pool(other, amount=Decimal("1000"))
    s.import_pabulib(other, other_pool, PB, coordinator)
    s.remove_imported_ballots(other_pool, coordinator)
    assert s.publish_cycle(other, coordinator).published_at is not None


def test_a_points_file_keeps_its_points(town, coordinator):
    text = (
        "META\nkey;value\nbudget;100\nvote_type;cumulative\n"
        "PROJECTS\nproject_id;cost;votes;score\n1;60;2;7\n2;50;2;5\n3;40;1;4\n"
        "VOTES\nvoter_id;vote;points\n1;1,2;5,3\n2;1,3;2,4\n3;2;2\n"
    )
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle, method="points", points=10, amount=Decimal("100"))
    s.import_pabulib(cycle, pool, text, coordinator)
    tally = s.tally_pool(pool)
    assert tally.outcome.scores == {"1": 7, "2": 5, "3": 4}
    assert tally.outcome.selected == ["1", "3"]


# --- implementation ----------------------------------------------------------------------


@pytest.fixture
def published(town, coordinator):
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, amount=Decimal("100"))
    winner, loser = make_project(pool, cost="100"), make_project(pool, cost="90")
    db.session.refresh(cycle)
    s.cast_ballot(pool, {winner.id: 1}, voter(cycle, pool, "a"))
    s.cast_ballot(pool, {winner.id: 1}, voter(cycle, pool, "b"))
    s.cast_ballot(pool, {loser.id: 1}, voter(cycle, pool, "c"))
    close(cycle)
    return cycle, winner, loser


def test_implementation_of_a_winner_is_tracked_and_audited(published, coordinator, uploads):
    cycle, winner, loser = published
    with pytest.raises(s.BudgetError, match="results are published"):
        s.update_implementation(winner, coordinator, Implementation.IN_PROGRESS, 10)
    s.publish_results(cycle, coordinator)
    s.update_implementation(winner, coordinator, Implementation.IN_PROGRESS, 40, " Stavba ")
    assert (winner.implementation, winner.progress, winner.implementation_note) == (
        Implementation.IN_PROGRESS,
        40,
        "Stavba",
    )
    with pytest.raises(s.BudgetError, match="between 0 and 100"):
        s.update_implementation(winner, coordinator, Implementation.IN_PROGRESS, 140)
    with pytest.raises(s.BudgetError, match="winning"):
        s.update_implementation(loser, coordinator, Implementation.IN_PROGRESS, 10)
    milestone = s.add_milestone(winner, coordinator, "Projektová dokumentace", date(2027, 3, 1))
    s.update_milestone(milestone, coordinator, "Dokumentace", date(2027, 4, 1))
    done = utcnow().date() - timedelta(days=3)
    s.complete_milestone(milestone, coordinator, done)
    assert (milestone.title, milestone.due, milestone.done_on) == (
        "Dokumentace",
        date(2027, 4, 1),
        done,
    )
    # Done on a day still to come: refused (the public page would say it is done).
    with pytest.raises(s.DoneLater, match="day still to come"):
        s.complete_milestone(milestone, coordinator, utcnow().date() + timedelta(days=2))
    assert milestone.done_on == done
    photo = s.add_photo(
        winner, coordinator, FileStorage(BytesIO(png_with_text()), filename="a.png"), "Stavba"
    )
    assert photo.implementation and (uploads / "budget" / photo.filename).exists()
    assert b"home address" not in (uploads / "budget" / photo.filename).read_bytes()
    with pytest.raises(s.BudgetError):
        s.add_photo(winner, coordinator, FileStorage(BytesIO(b"nope"), filename="a.png"))
    s.remove_photo(photo, coordinator)
    assert not (uploads / "budget" / photo.filename).exists()
    assert [e.action for e in s.audit_log(cycle)][-7:] == [
        "results_published",
        "implementation_updated",
        "milestone_added",
        "milestone_changed",
        "milestone_changed",
        "photo_added",
        "photo_removed",
    ]


def test_pool_result_scores_are_whole(published, coordinator):
    cycle, winner, _loser = published
    s.publish_results(cycle, coordinator)
    row = db.session.scalar(select(PoolResult).where(PoolResult.project_id == winner.id))
    assert (row.score, row.selected, row.position) == (2, True, 1)
    assert json.loads(row.explanation)["status"] == "selected"
    assert Fraction(json.loads(row.explanation)["score"]) == 2


def test_imported_empty_votes_count_in_equal_shares(town, coordinator):
    """Every voter gets a share, empty ballots included, as pabutools counts them."""
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle, amount=Decimal("1000"), rule=Rule.MES)
    text = PB + "".join(f"e{i};\n" for i in range(20))
    s.import_pabulib(cycle, pool, text, coordinator)
    pb = pabulib.parse(text)
    expected = rules.tally_equal_shares(pb.to_projects(), pb.to_ballots(), pb.budget)
    without_empty = rules.tally_equal_shares(
        pb.to_projects(), [b for b in pb.to_ballots() if b.supported], pb.budget
    )
    assert expected.selected != without_empty.selected  # the case matters here
    tally = s.tally_pool(pool)
    assert tally.ballots == 26 and tally.outcome.selected == expected.selected
    cycle.voting_opens_at = utcnow() - timedelta(days=1)
    close(cycle)
    recounted = pabulib.parse(s.export_pabulib(cycle, pool))
    assert len(recounted.votes) == 26
    again = rules.tally_equal_shares(recounted.to_projects(), recounted.to_ballots(), pb.budget)
    assert again.selected == expected.selected
