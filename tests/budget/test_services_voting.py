"""Casting, changing and checking ballots, online and on paper, on both databases."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, func, select, text

from participation.budget import services as s
from participation.budget.models import (
    Ballot,
    BallotLine,
    Channel,
    Cycle,
    Pool,
    Residence,
    Verification,
    Voter,
)
from participation.core import services as core_services
from participation.core.models import Municipality, Role, User, VotingCode, utcnow
from participation.extensions import db
from participation.maps.models import District
from tests.conftest import TEST_DATABASE_URL, _need, backend_app
from tests.factories import make_cycle, make_pool, make_project, make_user
from tests.ideas.helpers import make_town

THIS_YEAR = utcnow().year


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def register(town, *rows):
    """Put people in the town's register: (identifier, district code, birth year)."""
    m = town.municipality
    core_services.ensure_register_key(m)
    lines = ["id_hash;district_code;birth_year"] + [
        f"{core_services.register_hash_of(m, i)};{d};{y}" for i, d, y in rows
    ]
    report = core_services.import_register(m, "\n".join(lines), {"STR", "SEV", "JIH"})
    assert not report.errors


@pytest.fixture
def email_cycle(town):
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, amount=Decimal("500"))
    projects = [make_project(pool, cost=c) for c in ("300", "200", "100")]
    db.session.refresh(cycle)
    return cycle, pool, projects


def email_voter(town, cycle, district="Jih"):
    person = make_user(municipality=town.municipality)
    return s.eligibility(cycle, s.AccountProof(person, town.districts[district], 1980))


# --- every method ----------------------------------------------------------------------------

METHOD_CASES = {
    # method -> (pool fields, valid ballot by project index)
    "approval": ({"max_projects": 2}, {0: 1, 1: 1}),
    "k_approval": ({"k": 2}, {0: 1, 2: 1}),
    "points": ({"points": 5, "points_cap": 3}, {0: 3, 1: 2}),
    "d21": ({"plus_votes": 2, "minus_votes": 1}, {0: 1, 1: 1, 2: -1}),
}


@pytest.mark.parametrize("method", list(METHOD_CASES))
def test_the_rules_read_in_one_query_are_those_of_the_loaded_pool(town, method):
    fields, _ballot = METHOD_CASES[method]
    cycle = make_cycle(
        town.municipality, verification=Verification.CODE, residence=Residence.MUNICIPALITY
    )
    pool = make_pool(
        cycle, method=method, amount=Decimal("500"), district=town.districts["Jih"], **fields
    )
    for cost in ("300", "200.50", "100"):
        make_project(pool, cost=cost)
    other = make_pool(cycle, amount=Decimal("100"))
    make_project(other, cost="50")
    db.session.expire_all()
    read = s.ballot_rules(town.municipality, cycle.id, pool.id)
    pool = db.session.get(Pool, pool.id)
    assert read == s.BallotRules.of(pool)
    assert read.one_district_only and read.district_id == town.districts["Jih"].id
    assert sorted(read.costs.values()) == [Decimal("100"), Decimal("200.50"), Decimal("300")]
    assert read.phase() == s.phase(pool.cycle)
    # Scoped by the town, the cycle and the pool together.
    elsewhere = make_town("jinde").municipality
    assert s.ballot_rules(elsewhere, cycle.id, pool.id) is None
    assert s.ballot_rules(town.municipality, cycle.id + 1, pool.id) is None
    another = make_cycle(town.municipality)
    assert s.ballot_rules(town.municipality, another.id, pool.id) is None
    empty = make_pool(cycle, amount=Decimal("100"))
    assert s.ballot_rules(town.municipality, cycle.id, empty.id).costs == {}


def test_the_closing_time_is_the_one_the_database_holds_when_the_ballot_is_written(town):
    """Rules read while voting ran, and the close passed before the ballot's statement:
    the statement itself refuses, online; a paper ballot still goes in while counting."""
    cycle = make_cycle(town.municipality, verification=Verification.REGISTER)
    pool = make_pool(cycle, amount=Decimal("500"))
    project = make_project(pool, cost="100")
    db.session.refresh(cycle)
    register(town, ("A1", "JIH", 1980), ("B2", "JIH", 1980))
    online = s.eligibility(cycle, s.RegisterProof("A1")).voter_pass()
    paper = s.eligibility(cycle, s.RegisterProof("B2")).voter_pass()
    rules = s.BallotRules.of(pool)
    assert rules.voting_open()
    cycle.voting_closes_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    with pytest.raises(s.BudgetError, match="Voting is not open."):
        s.cast(rules, {project.id: 1}, online)
    assert count(Voter) == count(Ballot) == count(BallotLine) == 0
    staff = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    s.cast(rules, {project.id: 1}, paper, Channel.PAPER, staff)
    assert count(Voter) == count(Ballot) == 1


@pytest.mark.parametrize("method", list(METHOD_CASES))
def test_a_valid_ballot_of_each_method_is_counted_with_a_receipt(town, method):
    fields, ballot = METHOD_CASES[method]
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, method=method, amount=Decimal("500"), **fields)
    projects = [make_project(pool, cost=c) for c in ("300", "200", "100")]
    db.session.refresh(cycle)
    voter = email_voter(town, cycle)
    receipt = s.cast_ballot(pool, {projects[i].id: v for i, v in ballot.items()}, voter)
    assert len(receipt) == 19 and receipt.count("-") == 3
    [stored] = db.session.scalars(select(Ballot).where(Ballot.pool_id == pool.id))
    assert {line.project_id: line.value for line in stored.lines} == {
        projects[i].id: v for i, v in ballot.items()
    }
    assert stored.receipt_hash != receipt and receipt not in stored.receipt_hash
    roll = db.session.scalar(select(Voter).where(Voter.pool_id == pool.id))
    assert roll.voter_key == voter.voter_key and roll.channel == Channel.ONLINE
    assert roll.district_id == town.districts["Jih"].id
    assert s.receipt_status(cycle, receipt) == s.ReceiptStatus(True, pool)
    with pytest.raises(s.BudgetError, match="already voted in this pool"):
        s.cast_ballot(pool, {projects[0].id: 1}, voter)
    assert count(Ballot, Ballot.pool_id == pool.id) == 1


PROBLEM_CASES = [
    # (method, pool fields, ballot by project index, expected messages)
    ("approval", {}, {}, ["Choose at least one project."]),
    ("approval", {}, {0: 1, 1: 1, 2: 1}, ["more than the pool's"]),
    ("approval", {"min_share": 50}, {2: 1}, ["choose projects worth at least"]),
    ("approval", {"max_projects": 1}, {1: 1, 2: 1}, ["at most 1 project."]),
    (
        "approval",
        {"max_projects": 1},
        {0: 1, 1: 1, 2: 1},
        ["more than the pool's", "at most 1 project."],
    ),
    ("approval", {}, {0: 2}, ["Choose the project or leave it out."]),
    ("approval", {}, {99: 1}, ["not in this pool"]),
    ("k_approval", {"k": 1}, {0: 1, 1: 1}, ["at most 1 project."]),
    ("points", {"points": 4}, {0: 3, 1: 2}, ["You gave 5 points; you have 4."]),
    ("points", {"points": 10, "points_cap": 2}, {0: 3}, ["At most 2 points per project."]),
    ("points", {"points": 10}, {0: -1}, ["Points cannot be negative."]),
    ("d21", {"plus_votes": 2, "minus_votes": 1}, {0: 1, 1: 1, 2: 1}, ["at most 2 plus votes"]),
    (
        "d21",
        {"plus_votes": 2, "minus_votes": 1},
        {0: 1, 1: -1, 2: -1},
        ["at most 1 minus vote.", "two plus votes first"],
    ),
    ("d21", {"plus_votes": 2, "minus_votes": 1}, {0: 1, 1: -1}, ["two plus votes first"]),
    ("d21", {"plus_votes": 2, "minus_votes": 1}, {0: 2}, ["a minus vote or no vote"]),
    ("d21", {"plus_votes": 3, "minus_votes": 0}, {0: 1, 1: 1, 2: -1}, ["no minus votes"]),
]


@pytest.mark.parametrize(("method", "fields", "ballot", "expected"), PROBLEM_CASES)
def test_each_problem_is_refused_with_every_message(town, method, fields, ballot, expected):
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, method=method, amount=Decimal("500"), **fields)
    projects = [make_project(pool, cost=c) for c in ("300", "200", "100")]
    db.session.refresh(cycle)
    voter = email_voter(town, cycle)
    values = {(projects[i].id if i < 3 else 10**9): v for i, v in ballot.items()}
    with pytest.raises(s.BudgetError) as refused:
        s.cast_ballot(pool, values, voter)
    messages = refused.value.messages
    assert len(messages) == len(expected)
    for message, fragment in zip(messages, expected, strict=True):
        assert fragment in message
    assert count(Voter) == 0 and count(Ballot) == 0


def test_a_problem_about_one_project_names_it_and_another_pools_project_is_not_named(town):
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, method="points", points=10, points_cap=5)
    other = make_pool(cycle, name="Jiný")
    bench, lamp = make_project(pool, title="Lavička"), make_project(pool, title="Lampa")
    elsewhere = make_project(other, title="Cizí projekt")
    db.session.refresh(cycle)
    with pytest.raises(s.BallotRefused) as refused:
        s.check_values(pool, {bench.id: -1, lamp.id: 2})
    assert refused.value.messages == ["Lavička: Points cannot be negative."]
    [problem] = refused.value.problems
    assert (problem.project_id, problem.message) == (bench.id, "Points cannot be negative.")
    with pytest.raises(s.BallotRefused) as refused:
        s.check_values(pool, {bench.id: 6, lamp.id: 4})
    assert refused.value.messages == ["Lavička: At most 5 points per project."]
    with pytest.raises(s.BallotRefused) as refused:
        s.check_values(pool, {elsewhere.id: 1})
    assert refused.value.messages == ["The ballot names a project that is not in this pool."]
    assert refused.value.problems[0].project_id is None


def test_amounts_in_messages_are_money(town, email_cycle):
    cycle, pool, projects = email_cycle
    voter = email_voter(town, cycle)
    with pytest.raises(s.BudgetError) as refused:
        s.cast_ballot(pool, {p.id: 1 for p in projects}, voter)
    assert "600" in str(refused.value) and "500" in str(refused.value)
    assert "Kč" in str(refused.value) or "CZK" in str(refused.value)


def test_only_the_voters_pools(town):
    cycle = make_cycle(town.municipality)
    jih = make_pool(cycle, district=town.districts["Jih"])
    sever = make_pool(cycle, district=town.districts["Sever"])
    project = make_project(sever)
    db.session.refresh(cycle)
    voter = email_voter(town, cycle, "Jih")
    assert [p.id for p in voter.pools] == [jih.id]
    with pytest.raises(s.BudgetError, match="may not vote in this pool"):
        s.cast_ballot(sever, {project.id: 1}, voter)
    other = make_cycle(town.municipality)
    other_pool = make_pool(other)
    with pytest.raises(s.BudgetError, match="may not vote in this pool"):
        s.cast_ballot(other_pool, {make_project(other_pool).id: 1}, voter)


# --- the clock ---------------------------------------------------------------------------------


def test_the_closing_time_is_the_servers(town, email_cycle, monkeypatch):
    cycle, pool, projects = email_cycle
    voter = email_voter(town, cycle)
    closes = cycle.voting_closes_at
    monkeypatch.setattr(s, "utcnow", lambda: closes - timedelta(microseconds=1))
    s.cast_ballot(pool, {projects[0].id: 1}, voter)
    late = email_voter(town, cycle)
    for moment in (closes, closes + timedelta(seconds=1)):
        monkeypatch.setattr(s, "utcnow", lambda moment=moment: moment)
        with pytest.raises(s.BudgetError, match="Voting is not open"):
            s.cast_ballot(pool, {projects[0].id: 1}, late)
    monkeypatch.setattr(s, "utcnow", lambda: cycle.voting_opens_at - timedelta(seconds=1))
    with pytest.raises(s.BudgetError, match="Voting is not open"):
        s.cast_ballot(pool, {projects[0].id: 1}, late)
    assert count(Ballot) == 1


def test_an_unpublished_cycle_takes_no_votes(town):
    cycle = make_cycle(town.municipality, published=False)
    pool = make_pool(cycle)
    project = make_project(pool)
    db.session.refresh(cycle)
    with pytest.raises(s.BudgetError, match="Voting is not open"):
        s.cast_ballot(pool, {project.id: 1}, email_voter(town, cycle))


# --- codes -------------------------------------------------------------------------------------


def test_a_code_votes_once_in_each_of_its_pools_then_is_used(town, coordinator):
    cycle = make_cycle(town.municipality, verification=Verification.CODE)
    city = make_pool(cycle)
    jih = make_pool(cycle, district=town.districts["Jih"])
    a, b = make_project(city), make_project(jih)
    db.session.refresh(cycle)
    [code] = s.generate_voting_codes(cycle, 1, "b1", coordinator, town.districts["Jih"])
    s.mark_codes_printed(cycle, "b1", coordinator)
    voter = s.eligibility(cycle, s.CodeProof(code))
    s.cast_ballot(city, {a.id: 1}, voter)
    stored = db.session.scalar(select(VotingCode))
    assert stored.used_at is not None
    voter = s.eligibility(cycle, s.CodeProof(code))
    assert [p.id for p in voter.open_pools] == [jih.id]
    with pytest.raises(s.BudgetError, match="already voted"):
        s.cast_ballot(city, {a.id: 1}, voter)
    s.cast_ballot(jih, {b.id: 1}, voter)
    with pytest.raises(s.BudgetError, match="already been used"):
        s.eligibility(cycle, s.CodeProof(code))


# --- paper and online --------------------------------------------------------------------------


@pytest.fixture
def register_cycle(town):
    register(town, ("A1", "JIH", 1980), ("B2", "JIH", 1990), ("C3", "SEV", 1970))
    cycle = make_cycle(town.municipality, verification=Verification.REGISTER)
    pool = make_pool(cycle)
    project = make_project(pool)
    db.session.refresh(cycle)
    return cycle, pool, project


@pytest.fixture
def clerk(town):
    return make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))


def test_paper_then_online_is_refused(town, register_cycle, clerk):
    cycle, pool, project = register_cycle
    voter = s.eligibility(cycle, s.RegisterProof("A1"))
    receipt = s.cast_ballot(pool, {project.id: 1}, voter, channel=Channel.PAPER, entered_by=clerk)
    assert s.receipt_status(cycle, receipt).counted
    online = s.eligibility(cycle, s.RegisterProof("a-1"))
    assert online.voted_pool_ids == {pool.id}
    with pytest.raises(s.BudgetError, match="already voted in this pool"):
        s.cast_ballot(pool, {project.id: 1}, online)
    roll = db.session.scalar(select(Voter))
    assert roll.channel == Channel.PAPER and roll.entered_by_id == clerk.id
    entry = s.audit_log(cycle)[-1]
    assert entry.action == "paper_ballot_entered" and entry.actor_id == clerk.id
    assert json.loads(entry.detail) == {"count": 1, "pool": pool.id}  # how many, not what


def test_online_then_paper_is_refused(town, register_cycle, clerk):
    cycle, pool, project = register_cycle
    s.cast_ballot(pool, {project.id: 1}, s.eligibility(cycle, s.RegisterProof("B2")))
    with pytest.raises(s.BudgetError, match=r"already voted \(online or on paper\)"):
        s.cast_ballot(
            pool,
            {project.id: 1},
            s.eligibility(cycle, s.RegisterProof("B2")),
            channel=Channel.PAPER,
            entered_by=clerk,
        )
    assert count(Ballot) == 1


def test_paper_ballots_during_counting_and_by_staff_only(town, register_cycle, clerk):
    cycle, pool, project = register_cycle
    voter = s.eligibility(cycle, s.RegisterProof("C3"))
    with pytest.raises(s.BudgetError, match="entered by staff"):
        s.cast_ballot(pool, {project.id: 1}, voter, channel=Channel.PAPER)
    cycle.voting_closes_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(s.BudgetError, match="Voting is not open"):
        s.cast_ballot(pool, {project.id: 1}, voter)
    s.cast_ballot(pool, {project.id: 1}, voter, channel=Channel.PAPER, entered_by=clerk)
    cycle.results_published_at = utcnow()
    voter = s.eligibility(cycle, s.RegisterProof("A1"))
    with pytest.raises(s.BudgetError, match="counting only"):
        s.cast_ballot(pool, {project.id: 1}, voter, channel=Channel.PAPER, entered_by=clerk)


def test_paper_needs_codes_or_the_register(town, email_cycle, clerk):
    cycle, pool, projects = email_cycle
    with pytest.raises(s.BudgetError, match="codes or the register"):
        s.cast_ballot(
            pool,
            {projects[0].id: 1},
            email_voter(town, cycle),
            channel=Channel.PAPER,
            entered_by=clerk,
        )


def test_paper_with_a_code_then_online_with_the_same_code(town, clerk, coordinator):
    cycle = make_cycle(town.municipality, verification=Verification.CODE)
    pool = make_pool(cycle)
    project = make_project(pool)
    db.session.refresh(cycle)
    [code] = s.generate_voting_codes(cycle, 1, "b", coordinator)
    s.cast_ballot(
        pool,
        {project.id: 1},
        s.eligibility(cycle, s.CodeProof(code)),
        channel=Channel.PAPER,
        entered_by=clerk,
    )
    with pytest.raises(s.BudgetError, match="already been used"):
        s.eligibility(cycle, s.CodeProof(code))


def test_one_district_of_the_voters_choice(town):
    register(town, ("A1", "JIH", 1980))
    cycle = make_cycle(
        town.municipality, verification=Verification.REGISTER, residence=Residence.MUNICIPALITY
    )
    sever = make_pool(cycle, district=town.districts["Sever"])
    jih = make_pool(cycle, district=town.districts["Jih"])
    a = make_project(sever)
    make_project(jih)
    db.session.refresh(cycle)
    s.cast_ballot(sever, {a.id: 1}, s.eligibility(cycle, s.RegisterProof("A1", sever.district)))
    with pytest.raises(s.BudgetError, match="another district"):
        s.eligibility(cycle, s.RegisterProof("A1", jih.district))
    # Also when the proof was checked before the first ballot went in.
    cycle2 = make_cycle(
        town.municipality, verification=Verification.REGISTER, residence=Residence.MUNICIPALITY
    )
    sever2 = make_pool(cycle2, district=town.districts["Sever"])
    jih2 = make_pool(cycle2, district=town.districts["Jih"])
    c, d = make_project(sever2), make_project(jih2)
    db.session.refresh(cycle2)
    early = s.eligibility(cycle2, s.RegisterProof("A1", jih2.district))
    s.cast_ballot(sever2, {c.id: 1}, s.eligibility(cycle2, s.RegisterProof("A1", sever2.district)))
    with pytest.raises(s.BudgetError, match="another district"):
        s.cast_ballot(jih2, {d.id: 1}, early)


@pytest.mark.parametrize("method", [Verification.EMAIL, Verification.CODE])
def test_a_declared_district_is_the_voters_once_they_voted_in_its_pool(town, coordinator, method):
    """Under ``Residence.DISTRICT`` an account, or a letter to the whole town, declares the
    district; a second declaration must not open another district's pool to the same voter
    (an exploratory test voted in three districts' pools with one code)."""
    cycle = make_cycle(town.municipality, verification=method)
    sever = make_pool(cycle, district=town.districts["Sever"])
    jih = make_pool(cycle, district=town.districts["Jih"])
    a, b = make_project(sever), make_project(jih)
    make_project(make_pool(cycle))  # city-wide
    db.session.refresh(cycle)
    if method == Verification.EMAIL:
        person = make_user(municipality=town.municipality)

        def proof(district):
            return s.AccountProof(person, town.districts[district], 1980)
    else:
        [code] = s.generate_voting_codes(cycle, 1, "town", coordinator)

        def proof(district):
            return s.CodeProof(code, town.districts[district])

    early = s.eligibility(cycle, proof("Jih"))  # proved before the first ballot went in
    s.cast_ballot(sever, {a.id: 1}, s.eligibility(cycle, proof("Sever")))
    with pytest.raises(s.BudgetError, match="another district"):
        s.eligibility(cycle, proof("Jih"))
    with pytest.raises(s.BudgetError, match="another district"):
        s.cast_ballot(jih, {b.id: 1}, early)
    assert count(Voter, Voter.pool_id == jih.id) == 0
    # Their own district's pools stay theirs.
    assert s.eligibility(cycle, proof("Sever")).voted_pool_ids == {sever.id}


def cast_at_once(application, *prepared) -> list[str]:
    """Each ``prepared()`` runs in a thread of its own, with its own app context and
    connection, and returns (pool, values, voter); the casts then go in at the same moment.
    Returns each outcome: "counted", or the refusal's message."""
    barrier = threading.Barrier(len(prepared), timeout=20)
    outcomes: list[str] = []

    def cast(prepare):
        with application.app_context(), force_locale("en"):
            try:
                pool, values, voter = prepare()
                barrier.wait()
                s.cast_ballot(pool, values, voter)
                db.session.commit()
                outcomes.append("counted")
            except s.BudgetError as error:
                db.session.rollback()
                outcomes.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=cast, args=(p,)) for p in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_ballots_at_once_in_two_districts_pools_leave_one():
    """Under one-district voting, one voter's ballots in two districts' pools arriving at the
    same moment on two real connections: the district choice's unique (cycle, voter key)
    lets the first through and refuses the other, which a query before the insert alone
    would not (both would find nothing yet)."""
    if not TEST_DATABASE_URL:
        _need("PostgreSQL (TEST_DATABASE_URL)")
    application = backend_app("postgresql")
    slug = f"race-districts-{utcnow().timestamp():.0f}"
    with application.app_context():
        town = make_town(slug)
        core_services.ensure_register_key(town.municipality)
        core_services.import_register(
            town.municipality,
            "id_hash;district_code;birth_year\n"
            f"{core_services.register_hash_of(town.municipality, 'A1')};;1980",
            set(),
        )
        cycle = make_cycle(
            town.municipality, verification=Verification.REGISTER, residence=Residence.MUNICIPALITY
        )
        pools = [make_pool(cycle, district=town.districts[n]) for n in ("Sever", "Jih")]
        projects = [make_project(pool) for pool in pools]
        ids = (cycle.id, [p.id for p in pools], [p.id for p in projects])
        districts = [p.district_id for p in pools]
        db.session.commit()

    def ready(n: int):
        def prepare():
            cycle = db.session.get(Cycle, ids[0])
            district = db.session.get(District, districts[n])
            voter = s.eligibility(cycle, s.RegisterProof("A1", district))
            return db.session.get(Pool, ids[1][n]), {ids[2][n]: 1}, voter

        return prepare

    try:
        outcomes = cast_at_once(application, ready(0), ready(1))
        assert sorted(outcomes) == [
            "You have already voted in another district's pool.",
            "counted",
        ]
        with application.app_context():
            assert count(Voter, Voter.pool_id.in_(ids[1])) == 1
            assert count(Ballot, Ballot.pool_id.in_(ids[1])) == 1
    finally:
        with application.app_context():
            for statement in (
                delete(Ballot).where(Ballot.pool_id.in_(ids[1])),
                delete(Voter).where(Voter.pool_id.in_(ids[1])),
                text("DELETE FROM budget_district_choice WHERE cycle_id = :c").bindparams(c=ids[0]),
                text("DELETE FROM budget_project WHERE cycle_id = :c").bindparams(c=ids[0]),
                text("DELETE FROM budget_audit WHERE cycle_id = :c").bindparams(c=ids[0]),
                delete(Pool).where(Pool.cycle_id == ids[0]),
                delete(Cycle).where(Cycle.id == ids[0]),
                text(
                    "DELETE FROM core_register_entry WHERE municipality_id IN "
                    "(SELECT id FROM core_municipality WHERE slug = :s)"
                ).bindparams(s=slug),
                delete(District).where(District.municipality.has(slug=slug)),
                delete(Municipality).where(Municipality.slug == slug),
            ):
                db.session.execute(statement)
            db.session.commit()


# --- changing a ballot and receipts --------------------------------------------------------


def test_a_changeable_ballot_is_found_by_its_receipt_only(town, email_cycle):
    cycle, pool, projects = email_cycle
    pool.changeable = True
    voter = email_voter(town, cycle)
    receipt = s.cast_ballot(pool, {projects[0].id: 1}, voter)
    s.change_ballot(pool, receipt.lower().replace("-", ""), {projects[1].id: 1, projects[2].id: 1})
    assert s.ballot_values(pool, receipt) == {projects[1].id: 1, projects[2].id: 1}
    assert count(Ballot) == 1 and count(Voter) == 1 and count(BallotLine) == 2
    assert s.receipt_status(cycle, receipt).counted
    with pytest.raises(s.BudgetError, match="more than the pool's"):
        s.change_ballot(pool, receipt, {p.id: 1 for p in projects})
    assert s.ballot_values(pool, receipt) == {projects[1].id: 1, projects[2].id: 1}
    with pytest.raises(s.BudgetError, match="No ballot"):
        s.change_ballot(pool, "AAAA-BBBB-CCCC-DDDD", {projects[0].id: 1})
    other_pool = make_pool(cycle, changeable=True)
    with pytest.raises(s.BudgetError, match="No ballot"):
        s.change_ballot(other_pool, receipt, {projects[0].id: 1})
    cycle.voting_closes_at = utcnow()
    with pytest.raises(s.BudgetError, match="Voting is not open"):
        s.change_ballot(pool, receipt, {projects[0].id: 1})


def test_a_fixed_ballot_cannot_change(town, email_cycle):
    cycle, pool, projects = email_cycle
    receipt = s.cast_ballot(pool, {projects[0].id: 1}, email_voter(town, cycle))
    with pytest.raises(s.BudgetError, match="cannot be changed"):
        s.change_ballot(pool, receipt, {projects[1].id: 1})


def test_receipt_status(town, email_cycle):
    cycle, pool, projects = email_cycle
    receipt = s.cast_ballot(pool, {projects[0].id: 1}, email_voter(town, cycle))
    assert s.receipt_status(cycle, receipt) == s.ReceiptStatus(counted=True, pool=pool)
    assert s.receipt_status(cycle, "AAAA-BBBB-CCCC-DDDD") == s.ReceiptStatus(counted=False)
    assert s.receipt_status(cycle, "") == s.ReceiptStatus(counted=False)
    other = make_cycle(town.municipality)
    assert not s.receipt_status(other, receipt).counted


# --- two at once, on PostgreSQL ----------------------------------------------------------


@pytest.mark.postgres_only
def test_two_sessions_casting_for_one_voter_at_once_leave_one_ballot():
    """Two real connections insert the same voter key at the same moment: the unique
    constraint lets one through and the other gets the translated refusal."""
    if not TEST_DATABASE_URL:
        _need("PostgreSQL (TEST_DATABASE_URL)")
    application = backend_app("postgresql")
    slug = f"race-{utcnow().timestamp():.0f}"
    with application.app_context():
        town = core_services.create_municipality(slug=slug, name="Race", country="CZ")
        core_services.ensure_register_key(town)
        core_services.import_register(
            town,
            f"id_hash;district_code;birth_year\n{core_services.register_hash_of(town, 'A1')};;1980",
            set(),
        )
        cycle = make_cycle(town, verification=Verification.REGISTER)
        pool = make_pool(cycle)
        project = make_project(pool)
        ids = (cycle.id, pool.id, project.id)
        db.session.commit()

    def prepare():
        voter = s.eligibility(db.session.get(Cycle, ids[0]), s.RegisterProof("A1"))
        return db.session.get(Pool, ids[1]), {ids[2]: 1}, voter

    try:
        outcomes = cast_at_once(application, prepare, prepare)
        assert sorted(outcomes) == ["You have already voted in this pool.", "counted"]
        with application.app_context():
            assert count(Voter, Voter.pool_id == ids[1]) == 1
            assert count(Ballot, Ballot.pool_id == ids[1]) == 1
            assert count(BallotLine, BallotLine.project_id == ids[2]) == 1
    finally:
        with application.app_context():
            for statement in (
                delete(Ballot).where(Ballot.pool_id == ids[1]),
                delete(Voter).where(Voter.pool_id == ids[1]),
                text("DELETE FROM budget_project WHERE cycle_id = :c").bindparams(c=ids[0]),
                text("DELETE FROM budget_audit WHERE cycle_id = :c").bindparams(c=ids[0]),
                delete(Pool).where(Pool.cycle_id == ids[0]),
                delete(Cycle).where(Cycle.id == ids[0]),
                delete(District).where(District.municipality.has(slug=slug)),
                delete(Municipality).where(Municipality.slug == slug),
            ):
                db.session.execute(statement)
            db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(User)) >= 0
