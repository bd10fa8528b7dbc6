"""The pure rules of casting (``budget.voting``), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from participation.budget import voting
from participation.budget.voting import Phase, PoolSpec, Problem
from participation.core import services as core_services

T = datetime(2026, 5, 1, 12, tzinfo=UTC)
COSTS = {1: Decimal("400"), 2: Decimal("300"), 3: Decimal("200"), 4: Decimal("100")}


def problems(spec, values, costs=COSTS):
    return [e.problem for e in voting.check_ballot(spec, values, costs)]


def test_phase_boundaries_are_the_server_clock():
    opens, closes = T, T + timedelta(days=7)
    assert voting.phase(opens, closes, None, T - timedelta(seconds=1)) == Phase.PREPARATION
    assert voting.phase(opens, closes, None, T) == Phase.VOTING
    assert voting.phase(opens, closes, None, closes - timedelta(microseconds=1)) == Phase.VOTING
    assert voting.phase(opens, closes, None, closes) == Phase.COUNTING
    assert voting.phase(opens, closes, closes, closes) == Phase.RESULTS


def test_approval_within_the_amount():
    spec = PoolSpec("approval", Decimal("700"), max_projects=2, min_share=50)
    assert problems(spec, {1: 1, 2: 1}) == []
    assert problems(spec, {1: 1, 2: 1, 4: 1}) == [Problem.OVER_BUDGET, Problem.TOO_MANY_PROJECTS]
    assert problems(spec, {4: 1}) == [Problem.UNDER_MIN_SHARE]
    assert problems(spec, {1: 2}) == [Problem.BAD_VALUE]
    assert problems(spec, {}) == [Problem.EMPTY]
    assert problems(spec, {1: 0}) == [Problem.EMPTY]
    assert problems(spec, {9: 1}) == [Problem.UNKNOWN_PROJECT]


def test_k_approval():
    spec = PoolSpec("k_approval", Decimal("100"), k=2)
    assert problems(spec, {1: 1, 2: 1}) == []  # the amount does not bind k-approval
    assert problems(spec, {1: 1, 2: 1, 3: 1}) == [Problem.TOO_MANY_PROJECTS]
    assert problems(spec, {1: -1}) == [Problem.BAD_VALUE]


def test_points_with_a_cap():
    spec = PoolSpec("points", Decimal("1000"), points=5, points_cap=3)
    assert problems(spec, {1: 3, 2: 2}) == []
    assert problems(spec, {1: 3, 2: 3}) == [Problem.TOO_MANY_POINTS]
    assert problems(spec, {1: 4}) == [Problem.OVER_POINTS_CAP]
    assert problems(spec, {1: -1}) == [Problem.BAD_VALUE]


def test_d21_plus_and_minus():
    spec = PoolSpec("d21", Decimal("1000"), plus_votes=3, minus_votes=1)
    assert problems(spec, {1: 1, 2: 1, 3: -1}) == []
    assert problems(spec, {1: 1, 3: -1}) == [Problem.MINUS_TOO_EARLY]
    assert problems(spec, {1: 1, 2: 1, 3: 1, 4: 1}) == [Problem.TOO_MANY_PLUS]
    assert problems(spec, {1: 1, 2: 1, 3: -1, 4: -1}) == [Problem.TOO_MANY_MINUS]
    assert problems(spec, {1: 2}) == [Problem.BAD_VALUE]


def errors(spec, values, costs=COSTS):
    found = voting.check_ballot(spec, values, costs)
    return [(e.problem, e.project, dict(e.params)) for e in found]


def test_problems_about_one_project_name_it_every_one():
    points = PoolSpec("points", Decimal("1000"), points=20, points_cap=5)
    assert errors(points, {1: 6, 2: 1, 3: 7}) == [
        (Problem.OVER_POINTS_CAP, 1, {"cap": 5, "value": 6}),
        (Problem.OVER_POINTS_CAP, 3, {"cap": 5, "value": 7}),
    ]
    # The cap beside the whole ballot's points, which no one project is to blame for.
    assert errors(points, {1: 6, 2: 5, 3: 5, 4: 5}) == [
        (Problem.TOO_MANY_POINTS, None, {"used": 21, "max": 20}),
        (Problem.OVER_POINTS_CAP, 1, {"cap": 5, "value": 6}),
    ]
    # A value the method does not allow: every project's problem, and none of the whole
    # ballot's (its totals mean nothing).
    assert errors(points, {1: -1, 2: 9, 3: -2, 4: 30}) == [
        (Problem.BAD_VALUE, 1, {"value": -1}),
        (Problem.OVER_POINTS_CAP, 2, {"cap": 5, "value": 9}),
        (Problem.BAD_VALUE, 3, {"value": -2}),
        (Problem.OVER_POINTS_CAP, 4, {"cap": 5, "value": 30}),
    ]
    approval = PoolSpec("approval", Decimal("100"))
    assert errors(approval, {2: 1, 1: 2}) == [(Problem.BAD_VALUE, 1, {"value": 2})]
    assert errors(approval, {9: 1, 1: 1, 8: 1}) == [(Problem.UNKNOWN_PROJECT, 8, {})]


def test_d21_minus_votes_where_the_pool_has_none_are_about_each_project():
    no_minus = PoolSpec("d21", Decimal("1000"), plus_votes=3, minus_votes=0)
    assert errors(no_minus, {1: 1, 2: 1, 3: -1}) == [(Problem.MINUS_NOT_ALLOWED, 3, {})]
    assert errors(no_minus, {1: 5}) == [(Problem.BAD_VALUE, 1, {"value": 5})]
    # Minus votes before two plus votes are about the whole ballot.
    spec = PoolSpec("d21", Decimal("1000"), plus_votes=3, minus_votes=1)
    assert errors(spec, {1: 1, 3: -1}) == [(Problem.MINUS_TOO_EARLY, None, {})]
    assert errors(spec, {1: 1, 2: 1, 3: -1, 4: -1}) == [(Problem.TOO_MANY_MINUS, None, {"max": 1})]


def test_age_counts_by_year():
    assert voting.age_on(2011, T) == 15
    assert voting.age_on(2012, T) == 14


def test_codes_are_grouped_and_normalised():
    code = voting.new_code()
    assert len(code) == 14 and code.count("-") == 2
    assert not set(code.replace("-", "")) - set(voting.CODE_ALPHABET)
    assert voting.code_hash(code) == voting.code_hash(code.lower().replace("-", " "))


def test_core_hashes_are_the_same_as_votings():
    """core.services keeps its own copy (core may not import budget); they must agree."""
    assert core_services.code_hash("abcd-efgh 2345") == voting.code_hash("ABCDEFGH2345")
    assert core_services.CODE_ALPHABET == voting.CODE_ALPHABET

    class Town:
        register_key = "k" * 64

    assert core_services.register_hash_of(Town, " 850101/1234 ") == voting.register_hash(
        "k" * 64, "8501011234"
    )
    assert core_services.register_hash_of(Town, " - ") is None


@pytest.mark.parametrize(
    ("total", "expenditure", "minimum"),
    [
        (Decimal("4999999.99"), Decimal("1000000000"), Decimal("5000000.00")),
        (Decimal("5000000"), Decimal("1000000000"), None),
        (Decimal("1"), None, None),
        (Decimal("1"), Decimal("0"), None),
        # rounded up to the hundredth: 0.5% of 1,234,567.89 is 6,172.83945
        (Decimal("6172.83"), Decimal("1234567.89"), Decimal("6172.84")),
        (Decimal("6172.84"), Decimal("1234567.89"), None),
    ],
)
def test_minimum_total_of_a_polish_city(total, expenditure, minimum):
    assert voting.total_below_minimum(total, expenditure) == minimum
