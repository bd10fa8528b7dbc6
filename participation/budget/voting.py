"""Pure rules of casting a ballot: what each voting method allows, the running total,
a cycle's phase, eligibility by age and district, and receipt codes.

No Flask and no database. Problems come back as codes with parameters; the web layer
translates them. Tallies (who wins) are in ``rules.py``.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, Decimal

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_ALPHABET = RECEIPT_ALPHABET


class Phase(enum.StrEnum):
    PREPARATION = "preparation"  # ideas, review and appeal: before the vote
    VOTING = "voting"
    COUNTING = "counting"  # voting closed, results not yet published
    RESULTS = "results"


def phase(
    voting_opens_at: datetime,
    voting_closes_at: datetime,
    results_published_at: datetime | None,
    now: datetime,
) -> Phase:
    """Voting runs from ``voting_opens_at`` (inclusive) to ``voting_closes_at``
    (exclusive); the server's clock decides, never the browser's."""
    if results_published_at is not None:
        return Phase.RESULTS
    if now < voting_opens_at:
        return Phase.PREPARATION
    if now < voting_closes_at:
        return Phase.VOTING
    return Phase.COUNTING


def voting_open(published: bool, current: Phase) -> bool:
    """Ballots are taken online while a published cycle is in its voting phase."""
    return published and current == Phase.VOTING


@dataclass(frozen=True)
class PoolSpec:
    """What decides a valid ballot in a pool."""

    method: str  # models.Method value
    amount: Decimal
    max_projects: int | None = None
    min_share: int | None = None  # percent of the amount a ballot must spend
    k: int | None = None
    points: int | None = None
    points_cap: int | None = None
    plus_votes: int | None = None
    minus_votes: int | None = None


class Problem(enum.StrEnum):
    """What is wrong with a ballot. Those marked "one project" come with the project's
    id in :attr:`Error.project`, one error a project; the others are about the whole
    ballot (``project`` is None)."""

    EMPTY = "empty"
    UNKNOWN_PROJECT = "unknown_project"  # one project (an id not in the pool)
    OVER_BUDGET = "over_budget"  # params: total, amount
    UNDER_MIN_SHARE = "under_min_share"  # params: total, minimum
    TOO_MANY_PROJECTS = "too_many_projects"  # params: max
    BAD_VALUE = "bad_value"  # one project; params: value (not 1, negative points, not +-1)
    TOO_MANY_POINTS = "too_many_points"  # params: used, max
    OVER_POINTS_CAP = "over_points_cap"  # one project; params: cap, value
    TOO_MANY_PLUS = "too_many_plus"  # params: max
    TOO_MANY_MINUS = "too_many_minus"  # params: max
    MINUS_TOO_EARLY = "minus_too_early"  # a minus vote needs two plus votes first
    MINUS_NOT_ALLOWED = "minus_not_allowed"  # one project: the pool has no minus votes


@dataclass(frozen=True)
class Error:
    problem: Problem
    params: Mapping[str, object] = field(default_factory=dict)
    project: int | None = None  # the project it is about; None: the whole ballot


@dataclass(frozen=True)
class Summary:
    """The running total the ballot page shows."""

    total_cost: Decimal  # of the projects given a positive value
    projects: int
    points_used: int = 0
    plus_used: int = 0
    minus_used: int = 0


def summarize(values: Mapping[int, int], costs: Mapping[int, Decimal]) -> Summary:
    positive = [p for p, v in values.items() if v > 0]
    return Summary(
        total_cost=sum((costs[p] for p in positive if p in costs), Decimal(0)),
        projects=len(positive),
        points_used=sum(v for v in values.values() if v > 0),
        plus_used=sum(1 for v in values.values() if v > 0),
        minus_used=sum(1 for v in values.values() if v < 0),
    )


def _project_errors(spec: PoolSpec, values: Mapping[int, int]) -> list[Error]:
    """What is wrong with each project's value on its own (``values`` non-zero), in the
    order of ``values``: one the method does not allow, or over the points cap."""
    errors = []
    for project, value in values.items():
        if spec.method in ("approval", "k_approval"):
            bad = value != 1
        elif spec.method == "points":
            bad = value < 0
            if spec.points_cap and value > spec.points_cap:
                errors.append(
                    Error(
                        Problem.OVER_POINTS_CAP, {"cap": spec.points_cap, "value": value}, project
                    )
                )
        elif spec.method == "d21":
            if value == -1 and not spec.minus_votes:
                errors.append(Error(Problem.MINUS_NOT_ALLOWED, project=project))
                continue
            bad = value not in (1, -1)
        else:
            raise ValueError(f"unknown voting method {spec.method!r}")
        if bad:
            errors.append(Error(Problem.BAD_VALUE, {"value": value}, project=project))
    return errors


def check_ballot(
    spec: PoolSpec, values: Mapping[int, int], costs: Mapping[int, Decimal]
) -> list[Error]:
    """Check a ballot: ``values`` maps project ids to 1 (approval), points, or +1/-1
    (D21); ``costs`` are the pool's projects. Returns every problem (empty: valid): those
    of the whole ballot first, then those about one project, in the order of ``values``.

    A project not in the pool is reported alone; a value the method does not allow with
    the other projects' problems only: totals of such a ballot mean nothing."""
    errors: list[Error] = []
    if not values or all(v == 0 for v in values.values()):
        return [Error(Problem.EMPTY)]
    unknown = [p for p in values if p not in costs]
    if unknown:  # no control on the page to show it beside: one is enough, the first by id
        return [Error(Problem.UNKNOWN_PROJECT, project=min(unknown))]
    values = {p: v for p, v in values.items() if v != 0}
    per_project = _project_errors(spec, values)
    if any(e.problem != Problem.OVER_POINTS_CAP for e in per_project):
        return per_project
    summary = summarize(values, costs)
    method = spec.method
    if method == "approval":
        if summary.total_cost > spec.amount:
            errors.append(
                Error(Problem.OVER_BUDGET, {"total": summary.total_cost, "amount": spec.amount})
            )
        if spec.min_share:
            minimum = spec.amount * spec.min_share / 100
            if summary.total_cost < minimum:
                errors.append(
                    Error(
                        Problem.UNDER_MIN_SHARE, {"total": summary.total_cost, "minimum": minimum}
                    )
                )
        if spec.max_projects and summary.projects > spec.max_projects:
            errors.append(Error(Problem.TOO_MANY_PROJECTS, {"max": spec.max_projects}))
    elif method == "k_approval":
        if spec.k and summary.projects > spec.k:
            errors.append(Error(Problem.TOO_MANY_PROJECTS, {"max": spec.k}))
    elif method == "points":
        if spec.points and summary.points_used > spec.points:
            errors.append(
                Error(Problem.TOO_MANY_POINTS, {"used": summary.points_used, "max": spec.points})
            )
    else:  # d21 (_project_errors refused any other method)
        plus_max = spec.plus_votes or 0
        minus_max = spec.minus_votes or 0
        if summary.plus_used > plus_max:
            errors.append(Error(Problem.TOO_MANY_PLUS, {"max": plus_max}))
        if summary.minus_used > minus_max:
            errors.append(Error(Problem.TOO_MANY_MINUS, {"max": minus_max}))
        if summary.minus_used and summary.plus_used < 2:
            errors.append(Error(Problem.MINUS_TOO_EARLY))
    return errors + per_project


def age_on(birth_year: int, on: datetime) -> int:
    """The age a person born in ``birth_year`` reaches during ``on``'s year: registers
    keep the year only, so eligibility counts by year (as Czech and Polish rules do)."""
    return on.year - birth_year


def new_code(length: int = 12) -> str:
    """A code to print or show: groups of four from an unambiguous alphabet."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + 4] for i in range(0, length, 4))


def normalise_code(code: str) -> str:
    """What the voter typed, without spaces and dashes, in capitals."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_identifier(identifier: str) -> str:
    return "".join(ch for ch in (identifier or "").upper() if ch.isalnum())


def register_hash(key: str, identifier: str) -> str:
    """The keyed hash the office computes for each identifier before importing its
    register (HMAC-SHA256 with the municipality's register key, hex)."""
    return hmac.new(
        key.encode(), normalise_identifier(identifier).encode(), hashlib.sha256
    ).hexdigest()


# Poland, ustawa o samorządzie gminnym art. 5a ust. 5: in a city with county rights the
# participatory budget is at least 0.5% of the expenditure in the last execution report.
MINIMUM_SHARE_OF_EXPENDITURE = Decimal("0.005")


def minimum_total(expenditure: Decimal, share: Decimal = MINIMUM_SHARE_OF_EXPENDITURE) -> Decimal:
    """The least the pools may add up to, rounded up to whole hundredths."""
    return (expenditure * share).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def total_below_minimum(
    total: Decimal, expenditure: Decimal | None, share: Decimal = MINIMUM_SHARE_OF_EXPENDITURE
) -> Decimal | None:
    """The required minimum when ``total`` falls short of ``share`` of ``expenditure``;
    None when it does not, or when no expenditure was entered (the check is optional)."""
    if expenditure is None or expenditure <= 0:
        return None
    minimum = minimum_total(expenditure, share)
    return minimum if total < minimum else None
