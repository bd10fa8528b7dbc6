"""Ballot secrecy is structural: nothing in the schema or the stored values leads from a
person (an account, a code, a register entry, the voter roll) to what they voted."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import DateTime, Integer, inspect, select
from sqlalchemy.exc import DBAPIError

from participation.budget import services as s
from participation.budget import voting
from participation.budget.models import Ballot, BallotLine, Channel, Verification, Voter
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_cycle, make_pool, make_project

# Tables whose rows stand for one person.
PERSONAL = {"core_user", "budget_voter", "core_voting_code", "core_register_entry"}
BALLOT_TABLES = {"budget_ballot", "budget_ballot_line"}


def foreign_targets(table) -> set[str]:
    return {fk.column.table.name for fk in table.foreign_keys}


def test_no_foreign_key_joins_a_person_to_a_ballot(app):
    tables = db.metadata.tables  # every module's, once the app is built
    assert any(name.startswith("consultations_") for name in tables)
    assert foreign_targets(tables["budget_ballot"]) == {"budget_pool"}
    assert foreign_targets(tables["budget_ballot_line"]) == {"budget_ballot", "budget_project"}
    assert not foreign_targets(tables["budget_voter"]) & BALLOT_TABLES
    for name, table in tables.items():
        targets = foreign_targets(table)
        if targets & BALLOT_TABLES and name not in BALLOT_TABLES:
            raise AssertionError(f"{name} refers to a ballot")
        # No table ties a personal row and a ballot row together.
        assert not (targets & BALLOT_TABLES and targets & PERSONAL), name
    # Nothing refers to the voter roll at all.
    assert not any("budget_voter" in foreign_targets(t) for t in tables.values())


def test_the_ballot_keeps_no_time_and_no_order():
    ballot = db.metadata.tables["budget_ballot"]
    line = db.metadata.tables["budget_ballot_line"]
    for table in (ballot, line):
        for column in table.columns:
            assert not isinstance(column.type, DateTime), f"{table.name}.{column.name}"
            assert not hasattr(column.type, "impl") or not isinstance(column.type.impl, DateTime), (
                f"{table.name}.{column.name}"
            )
    [key] = ballot.primary_key.columns
    assert not isinstance(key.type, Integer) and key.autoincrement is not True
    assert key.server_default is None
    # The roll and the ballot share only the pool and the channel, which many share.
    shared = set(Voter.__table__.columns.keys()) & set(ballot.columns.keys())
    assert shared == {"id", "pool_id", "channel"}
    assert isinstance(Voter.__table__.c.id.type, Integer) and not isinstance(
        ballot.c.id.type, Integer
    )


def test_ballots_do_not_sort_in_the_order_they_were_cast(town):
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, amount=Decimal("1000"))
    project = make_project(pool, cost="10")
    db.session.refresh(cycle)
    receipts = []
    for i in range(40):
        voter = s.Eligibility(cycle.id, Verification.EMAIL, f"user:{i}", None, (pool,))
        receipts.append(s.cast_ballot(pool, {project.id: 1}, voter))
    by_receipt = dict(db.session.execute(select(Ballot.receipt_hash, Ballot.id)).all())
    in_cast_order = [by_receipt[voting.code_hash(r)] for r in receipts]
    assert len(set(in_cast_order)) == 40
    assert sorted(in_cast_order) != in_cast_order
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in in_cast_order)
    # Reading the ballots back as the database lists them does not give the cast order.
    listed = list(db.session.scalars(select(Ballot.id).order_by(Ballot.id)))
    assert listed != in_cast_order


def test_stored_ballots_hold_nothing_of_the_voter(town):
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle)
    project = make_project(pool)
    db.session.refresh(cycle)
    key = "register:" + "ab" * 32
    receipt = s.cast_ballot(
        pool,
        {project.id: 1},
        s.Eligibility(cycle.id, Verification.REGISTER, key, None, (pool,)),
    )
    ballot = db.session.scalar(select(Ballot))
    mapper = inspect(Ballot)
    values = [str(getattr(ballot, c.key)) for c in mapper.column_attrs]
    values += [str(line.value) for line in ballot.lines]
    assert not any("ab" * 32 in v or receipt in v for v in values)
    # The receipt is kept only as its hash.
    assert ballot.receipt_hash == voting.code_hash(receipt)
    assert db.session.scalar(select(Voter.voter_key)) == key
    assert not hasattr(Voter, "ballot") and not hasattr(Ballot, "voter")
    assert not hasattr(BallotLine, "voter")


def test_a_failed_cast_puts_neither_the_voter_nor_the_choices_in_the_error(town):
    # A cast that fails in the database (here for a project that does not exist) raises an
    # error that ends up in logs: it must not hold the voter's key beside their choices.
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle)
    make_project(pool)
    key = "register:" + "cd" * 32
    with pytest.raises(DBAPIError) as failed, db.session.begin_nested():
        rules = s.BallotRules.of(pool)
        s._record_ballot(rules, key, Channel.ONLINE, None, None, None, {987654: 1}, utcnow())
    message = str(failed.value)
    # PostgreSQL's own detail may name the project; the voter is in no part of it.
    assert "cd" * 32 not in message
    assert "parameters hidden" in message


def test_the_postgresql_cast_writes_every_column_the_models_have():
    # The cast is hand-written SQL on PostgreSQL (one statement) and Core on SQLite: a
    # column added to the roll, the ballot or its lines must be added to that statement
    # too, or PostgreSQL would leave it to its server default while SQLite fills it.
    statement = s._RECORD_BALLOT_POSTGRESQL.text
    generated = {Voter.__table__.c.id}  # the roll's serial key, PostgreSQL's to give
    for model in (Voter, Ballot, BallotLine):
        for column in model.__table__.columns:
            if column not in generated:
                assert re.search(rf"\b{column.name}\b", statement), (model, column.name)
