"""Tallies of a participatory-budget pool: greedy, the Method of Equal Shares, and MES + Add1.

Pure (no Flask, no database): the web app and the ``participation budget tally`` command
feed it :class:`Project` and :class:`Ballot` values and read an :class:`Outcome`.

The winners are exactly those of the reference implementation, ``pabutools`` (see DOMAIN.md
for the calls), with the same default tie-breaking: among projects that are exactly tied the
one with the smaller id *as a string* goes first ("10" before "9").

- :func:`tally_greedy` walks the projects by votes (or points, or D21 net score) from the
  most, taking each one that still fits the pool. It never stops early and also takes
  projects nobody voted for while money remains (free projects come last, as in pabutools,
  where their cost satisfaction is 0; they always fit).
- :func:`tally_equal_shares` is the Method of Equal Shares with cost satisfaction: the pool is
  split equally among all voters (empty ballots included); a project is bought when its
  supporters can pay for it, the one with the lowest price per supporter relative to its cost
  (rho) first, each supporter paying the smaller of their remaining money and that price.
  Projects nobody supports, and free projects (cost satisfaction 0), are never bought.
- :func:`tally_equal_shares_add1` repeats MES with every voter's share raised by one unit of
  currency at a time for as long as the outcome still fits the pool, keeps the last outcome
  that fits, and completes it greedily by votes.

How it is fast and still exact:

- Identical ballots are counted once with their weight.
- Voters with equal money stay equal, so MES tracks *classes* of voters rather than voters:
  a class splits only when some of its members pay for a project. Money is tracked in
  floats, which decide every comparison they can decide with certainty; where two projects'
  rho, or a project's cost and its supporters' money, are within 1e-9 of each other, exact
  rational arithmetic over the class tree decides.
- Large pools run on numpy (over projects x classes). Small pools (a few hundred distinct
  ballots; for a single Equal Shares run, 150) run the same algorithm in plain Python lists,
  where a numpy call would cost more than the handful of elements it processes. Both give
  the same winners and Add1 steps; each project's fate is read from a run of its own at the
  outcome's share, so it is the same in both too (the numbers of runs differ: only the
  plain-Python engine has the sharper proof below).
- Add1: which class each voter is in depends only on the winners so far, so runs at nearby
  shares reuse the classes and recompute only money. And where a run at a larger share
  proves that every share in between gives the same winners in the same order (for a fixed
  order of winners every voter's money grows with the share), Add1 skips that range instead
  of rerunning MES one unit at a time.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import numpy as np

Number = int | Fraction | Decimal | str
TieBreak = Callable[["Project"], Any]
ScoreKind = Literal["votes", "points"]

# Relative tolerance within which a float comparison is not trusted and exact arithmetic
# decides. Float values are rounded from the exact state each round (error ~1e-16 per value,
# ~1e-13 after summing a few thousand terms), far below this.
_FLOAT_DOUBT = 1e-9


def _exact(value: Number | float) -> Fraction:
    if isinstance(value, float):
        # A float such as 222176.85 is meant as the decimal the user typed, not its binary value.
        return Fraction(repr(value))
    if isinstance(value, str):
        return Fraction(value.strip().replace(",", "."))
    return Fraction(value)


@dataclass(frozen=True, slots=True)
class Project:
    """A project in a pool: its id (compared as a string) and its exact cost."""

    id: str
    cost: Fraction

    def __init__(self, id: str, cost: Number | float) -> None:  # noqa: A002 - the domain's name
        object.__setattr__(self, "id", str(id))
        object.__setattr__(self, "cost", _exact(cost))
        if self.cost < 0:
            raise ValueError(f"Project {self.id} has a negative cost.")


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot, or ``weight`` identical ballots.

    Give ``approved`` (project ids) for approval, k-approval and choose-1 ballots, or
    ``points`` (project id -> points; negative for D21 minus votes) for points ballots.
    ``ranking`` keeps the order of a ranked ballot (see :meth:`ranked`). The projects it
    ``supported`` count as votes and as supporters in Equal Shares: the approved projects,
    or those with more than zero points (found once, when the ballot is made: a tally groups
    ballots by them at C speed).
    """

    approved: frozenset[str] = frozenset()
    points: Mapping[str, Fraction] | None = None
    weight: int = 1
    ranking: tuple[str, ...] = ()
    supported: frozenset[str] = field(default=frozenset(), init=False, compare=False, repr=False)

    def __init__(
        self,
        approved: Iterable[str] = (),
        points: Mapping[str, Number] | None = None,
        weight: int = 1,
        ranking: Sequence[str] = (),
    ) -> None:
        setattr_ = object.__setattr__  # a frozen dataclass; map() keeps big imports fast
        setattr_(self, "approved", frozenset(map(str, approved)))
        setattr_(
            self,
            "points",
            None if points is None else {str(k): _exact(v) for k, v in points.items()},
        )
        setattr_(self, "weight", int(weight))
        setattr_(self, "ranking", tuple(map(str, ranking)) if ranking else ())
        if self.weight < 0:
            raise ValueError("A ballot's weight cannot be negative.")
        if self.approved or self.points is None:
            setattr_(self, "supported", self.approved)
        else:
            setattr_(self, "supported", frozenset([k for k, v in self.points.items() if v > 0]))

    @classmethod
    def ranked(
        cls, ranking: Sequence[str], points_by_position: Sequence[Number] = (), weight: int = 1
    ) -> Ballot:
        """A ranked ballot, best first: it supports every ranked project, and the project in
        position *i* gets ``points_by_position[i]`` points (0 past the end)."""
        points = {
            pid: (points_by_position[i] if i < len(points_by_position) else 0)
            for i, pid in enumerate(ranking)
        }
        return cls(approved=ranking, points=points, weight=weight, ranking=ranking)

    def __hash__(self) -> int:  # points is a dict; hash what identifies the ballot
        return hash((self.approved, self.weight, self.ranking))


# -- tie-breaking ----------------------------------------------------------------------------


def by_id(project: Project) -> str:
    """pabutools' default: the smaller id as a string first."""
    return project.id


def by_cost(project: Project) -> Fraction:
    """The cheaper project first (then by id)."""
    return project.cost


def by_cost_descending(project: Project) -> Fraction:
    """The more expensive project first (then by id)."""
    return -project.cost


def by_order(ids: Sequence[str]) -> TieBreak:
    """The project earlier in ``ids`` first (e.g. a drawn lot); others after, by id."""
    position = {str(pid): i for i, pid in enumerate(ids)}
    return lambda project: position.get(project.id, len(position))


# -- results ---------------------------------------------------------------------------------


@dataclass
class ProjectFate:
    """What happened to one project, for a results page.

    ``status`` is ``selected`` (bought by Equal Shares, or taken by greedy), ``completion``
    (taken by the greedy completion after Equal Shares), ``no_money`` (its supporters had
    less money left than it costs: ``available`` of ``cost``, from Equal Shares' round
    ``round``), ``did_not_fit`` (greedy reached it when less than its cost was left in the
    pool: ``remaining``), or ``no_support``.

    For projects Equal Shares considered, ``price`` is what each supporter who could afford it
    would have paid (what they paid, for a bought project), ``rho`` that price divided by the
    cost, and ``effective_votes`` the cost divided by the price (at most ``votes``; the rule
    buys the project with the most effective votes first).
    """

    project_id: str
    status: str
    votes: int = 0
    score: Fraction | int = 0
    round: int | None = None
    price: float | None = None
    rho: float | None = None
    effective_votes: float | None = None
    payers: int | None = None
    paid_all_they_had: int | None = None
    available: float | None = None
    remaining: Fraction | None = None


@dataclass
class Outcome:
    """The result of a tally. ``selected`` is in the order the rule took the projects."""

    rule: str
    selected: list[str]
    total_cost: Fraction
    budget: Fraction
    scores: dict[str, Fraction | int]
    fates: dict[str, ProjectFate] = field(default_factory=dict)
    share_per_voter: Fraction | None = None
    add1_steps: int | None = None
    mes_runs: int | None = None

    @property
    def leftover(self) -> Fraction:
        return self.budget - self.total_cost


# -- preparation ---------------------------------------------------------------------------

# Pools with at most this many distinct ballots are tallied in plain Python: there a numpy
# call (a few µs whatever its size) costs more than the few elements it would process. A
# single Equal Shares run pays for building its classes, which numpy does faster from a few
# hundred distinct ballots on; Add1 builds them once for many runs.
_SMALL_POOL = 800
_SMALL_RUN = 150

_SUPPORTED = operator.attrgetter("supported")
_POINTS = operator.attrgetter("points")
_WEIGHT = operator.attrgetter("weight")


@dataclass
class _Prepared:
    projects: list[Project]  # sorted by id
    index: dict[str, int]
    unit: int  # every cost and the budget are whole multiples of 1/unit
    costs: list[int]  # scaled by unit
    budget: int  # scaled by unit
    voters: int  # total weight, empty ballots included
    # Groups of identical ballots: their weight and the projects they support, as sets of
    # ids and (see arrays()) as numpy arrays: the number of projects of each group, all
    # groups' project indices concatenated, and their weights (as floats).
    group_weights: list[int]
    group_projects: list[frozenset[str]]
    group_lengths: np.ndarray | None
    group_flat: np.ndarray | None
    group_weight_array: np.ndarray | None
    votes: list[int]
    ballots: Sequence[Ballot]
    _points: list[Fraction | int] | None = None

    @property
    def small(self) -> bool:
        """Whether the groups are kept as lists, for the plain-Python engine."""
        return len(self.group_weights) <= _SMALL_POOL

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The groups as numpy arrays: lengths, project indices concatenated, weights."""
        if self.group_weight_array is None:
            self.group_weight_array = np.array(self.group_weights, dtype=np.float64)
        if self.group_lengths is None or self.group_flat is None:
            self.group_lengths = np.fromiter(
                map(len, self.group_projects), dtype=np.int64, count=len(self.group_projects)
            )
            self.group_flat = _indices(
                self.index,
                itertools.chain.from_iterable(self.group_projects),
                int(self.group_lengths.sum()),
            )
        return self.group_lengths, self.group_flat, self.group_weight_array

    @property
    def points(self) -> list[Fraction | int]:
        """Points per project: one per supporting ballot without points, else its points
        (computed when first asked for: only greedy by points and its scores need them)."""
        if self._points is None:
            extra: list[Fraction | int] = [0] * len(self.projects)
            for ballot in self.ballots:
                points, weight = ballot.points, ballot.weight
                if not points:
                    continue
                for pid, value in points.items():
                    if value.denominator == 1:
                        n = value.numerator
                        add: Fraction | int = (n - 1 if n > 0 else n) * weight
                    else:
                        add = value * weight - (weight if value > 0 else 0)
                    extra[self.index[pid]] += add
            self._points = [v + e for v, e in zip(self.votes, extra, strict=True)]
        return self._points


def _indices(index: dict[str, int], ids: Iterable[str], count: int) -> np.ndarray:
    """The ``count`` project indices of ``ids`` as a numpy array (a KeyError for an id not
    in ``index``). Up to 256 projects, as ``bytes``: Python builds those from small ints
    faster than ``np.fromiter`` converts them one by one, which matters with a few hundred
    thousand (ballot, project) pairs."""
    if len(index) <= 256:
        return np.frombuffer(bytes(map(index.__getitem__, ids)), dtype=np.uint8)
    return np.fromiter(map(index.__getitem__, ids), dtype=np.int64, count=count)


def _group_ballots(ballots: Sequence[Ballot]) -> tuple[dict[frozenset[str], int], int, bool]:
    """Identical ballots counted once: the weight of each set of supported projects; the
    number of voters; and whether any ballot has points."""
    with_points = any(map(_POINTS, ballots))
    if operator.countOf(map(_WEIGHT, ballots), 1) == len(ballots):
        # The common case, ballots of one voter each, counted at C speed.
        return Counter(map(_SUPPORTED, ballots)), len(ballots), with_points
    groups: Counter[frozenset[str]] = Counter()
    voters = 0
    for ballot in ballots:
        weight = ballot.weight
        voters += weight
        groups[ballot.supported] += weight
    return groups, voters, with_points


def _prepare(projects: Iterable[Project], ballots: Iterable[Ballot], budget: Number) -> _Prepared:
    ordered = sorted(projects, key=by_id)
    index = {p.id: i for i, p in enumerate(ordered)}
    if len(index) != len(ordered):
        raise ValueError("Two projects have the same id.")
    exact_budget = _exact(budget)
    unit = math.lcm(exact_budget.denominator, *(p.cost.denominator for p in ordered))
    if not isinstance(ballots, list | tuple):
        ballots = list(ballots)
    groups, voters, with_points = _group_ballots(ballots)
    weights = list(groups.values())
    group_projects = list(groups)
    lengths = flat = weight_array = None
    try:
        if with_points:  # points may name projects no ballot supports
            unknown = set().union(*filter(None, map(_POINTS, ballots))).difference(index)
            if unknown:
                raise KeyError(min(unknown))
        if len(groups) <= _SMALL_RUN:
            # Each group once, at C speed, then the weight beyond one of heavier groups.
            counted = Counter(itertools.chain.from_iterable(groups))
            for key, weight in groups.items():
                if weight != 1:
                    for pid in key:
                        counted[pid] += weight - 1
            votes_list = [0] * len(ordered)
            for pid, n in counted.items():
                votes_list[index[pid]] = n
        else:
            lengths = np.fromiter(map(len, groups), dtype=np.int64, count=len(weights))
            flat = _indices(index, itertools.chain.from_iterable(groups), int(lengths.sum()))
    except KeyError as missing:
        raise ValueError(f"A ballot names an unknown project {missing}.") from None
    if flat is not None:
        weight_array = np.array(weights, dtype=np.float64)
        votes = np.bincount(flat, weights=np.repeat(weight_array, lengths), minlength=len(ordered))
        votes_list = [int(v) for v in votes.tolist()]
    return _Prepared(
        projects=ordered,
        index=index,
        unit=unit,
        costs=[p.cost.numerator * (unit // p.cost.denominator) for p in ordered],
        budget=exact_budget.numerator * (unit // exact_budget.denominator),
        voters=voters,
        group_weights=weights,
        group_projects=group_projects,
        group_lengths=lengths,
        group_flat=flat,
        group_weight_array=weight_array,
        votes=votes_list,
        ballots=ballots,
    )


def _tie_keys(prep: _Prepared, tie_break: TieBreak) -> list[Any]:
    return [(tie_break(p), p.id) for p in prep.projects]


def _as_int_if_whole(value: Fraction) -> Fraction | int:
    return value.numerator if value.denominator == 1 else value


def project_scores(
    projects: Iterable[Project], ballots: Iterable[Ballot], kind: ScoreKind = "votes"
) -> dict[str, Fraction | int]:
    """Votes (weighted count of supporting ballots) or points (weighted sum) per project."""
    prep = _prepare(projects, ballots, 0)
    return _scores(prep, kind)


def _scores(prep: _Prepared, kind: ScoreKind) -> dict[str, Fraction | int]:
    if kind == "votes":
        return {p.id: prep.votes[i] for i, p in enumerate(prep.projects)}
    return {p.id: _as_int_if_whole(Fraction(prep.points[i])) for i, p in enumerate(prep.projects)}


# -- greedy ----------------------------------------------------------------------------------


def _greedy(
    prep: _Prepared,
    kind: ScoreKind,
    tie_keys: list[Any],
    initial: Collection[int] = (),
) -> tuple[list[int], dict[int, int]]:
    """Indices taken (after ``initial``) and, for those skipped, the money left when reached."""
    score = prep.votes if kind == "votes" else prep.points

    def order(i: int) -> tuple:
        # pabutools orders by cost satisfaction per cost, which is the number of votes, and
        # 0 for a free project (its cost satisfaction is 0); then by the tie-break.
        return (-score[i] if prep.costs[i] else 0, tie_keys[i])

    taken = set(initial)
    remaining = prep.budget - sum(prep.costs[i] for i in taken)
    selected: list[int] = []
    skipped: dict[int, int] = {}
    for i in sorted((i for i in range(len(prep.projects)) if i not in taken), key=order):
        if prep.costs[i] <= remaining:
            selected.append(i)
            remaining -= prep.costs[i]
        else:
            skipped[i] = remaining
    return selected, skipped


def tally_greedy(
    projects: Iterable[Project],
    ballots: Iterable[Ballot],
    budget: Number,
    *,
    score: ScoreKind = "votes",
    tie_break: TieBreak = by_id,
) -> Outcome:
    """Greedy by votes (``score="votes"``) or by points / D21 net score (``score="points"``).

    With votes it equals ``greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)``.
    """
    prep = _prepare(projects, ballots, budget)
    chosen, skipped = _greedy(prep, score, _tie_keys(prep, tie_break))
    scores = _scores(prep, score)
    fates = {}
    for i, p in enumerate(prep.projects):
        fate = ProjectFate(p.id, "selected", votes=prep.votes[i], score=scores[p.id])
        if i in skipped:
            fate.status = "did_not_fit"
            fate.remaining = Fraction(skipped[i], prep.unit)
        fates[p.id] = fate
    return _outcome(
        prep, f"greedy-{score}" if score != "votes" else "greedy", chosen, scores, fates
    )


def _outcome(
    prep: _Prepared,
    rule: str,
    chosen: list[int],
    scores: dict[str, Fraction | int],
    fates: dict[str, ProjectFate],
) -> Outcome:
    return Outcome(
        rule=rule,
        selected=[prep.projects[i].id for i in chosen],
        total_cost=Fraction(sum(prep.costs[i] for i in chosen), prep.unit),
        budget=Fraction(prep.budget, prep.unit),
        scores=scores,
        fates=fates,
    )


# -- Method of Equal Shares -----------------------------------------------------------------


@dataclass
class _Priced:
    """One project priced in one round, in floating point."""

    project: int
    rho: float  # price / cost
    error: float  # bound on the float error of rho
    price: float  # per payer, scaled units
    classes: np.ndarray  # the classes of its supporters
    counts: np.ndarray  # supporters in each


@dataclass
class _Round:
    winner: int
    rho: float
    error: float
    price: float
    classes: np.ndarray  # the winner's supporters' classes, by id, and how many in each
    counts: np.ndarray
    paid_all: int
    first_new: int  # the new classes, one per class in ``classes``, start at this id

    @property
    def payers(self) -> int:
        counts = self.counts  # a list in the plain-Python engine
        return sum(counts) if isinstance(counts, list) else int(counts.sum())


@dataclass
class _Step:
    """What a round starts from, given the winners before it (not the share): which class
    each ballot group is in, and each project's supporters per class (filled on demand)."""

    n_classes: int
    group_class: np.ndarray
    supporters: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    winner: int | None = None


class _Run:
    """One run of Equal Shares at one share per voter: the winners round by round, the
    projects dropped for lack of money, and what is needed to compute any class's money
    exactly on demand (floats decide whatever they can decide with certainty)."""

    def __init__(self, engine: _EqualShares | _SmallEqualShares, share: Fraction) -> None:
        self.engine = engine
        self.share = share
        self.rounds: list[_Round] = []
        self.dropped: list[tuple[int, int, float]] = []  # (project, round, money left)
        self.last_rho: dict[int, float] = {}
        self._exact_money: dict[int, Fraction] = {0: share}
        self.float_share = float(share)
        self._exact_price: dict[int, Fraction] = {}
        self.money: Any = None  # per class at the end (the plain-Python engine's runs)

    @property
    def winners(self) -> list[int]:
        return [r.winner for r in self.rounds]

    def selected(self) -> list[int]:
        """Indices into the prepared projects, by round."""
        return [self.engine.considered[r.winner] for r in self.rounds]

    def _origin(self, c: int) -> tuple[int, int]:
        """(parent class, round) of class c > 0."""
        index = bisect.bisect_right([r.first_new for r in self.rounds], c) - 1
        r = self.rounds[index]
        return int(r.classes[c - r.first_new]), index

    def exact_money(self, c: int) -> Fraction:
        """Class c's money, exactly."""
        known = self._exact_money.get(c)
        if known is None:
            chain = []
            while c not in self._exact_money:
                parent, index = self._origin(c)
                chain.append((c, index))
                c = parent
            known = self._exact_money[c]
            for c, index in reversed(chain):
                known = max(known - self.exact_price(index), Fraction(0))
                self._exact_money[c] = known
        return known

    def exact_price(self, index: int) -> Fraction:
        """The exact price per payer of the winner of round ``index`` (0-based)."""
        known = self._exact_price.get(index)
        if known is None:
            r = self.rounds[index]
            known = self.engine.exact_price(self, r.winner, r.classes, r.counts)
            assert known is not None
            self._exact_price[index] = known
        return known


def _exact_price(run: _Run, cost: int, classes: list[int], counts: list) -> Fraction | None:
    """The exact price per payer of a project of ``cost`` whose supporters are ``counts[i]``
    in class ``classes[i]``, or None if they cannot pay for it. A class may appear more
    than once (a single run on numpy lists supporters per group)."""
    merged: dict[int, int] = {}
    for c, n in zip(classes, counts, strict=True):
        merged[c] = merged.get(c, 0) + int(n)
    ranked = sorted(((run.exact_money(c), n) for c, n in merged.items()), key=lambda mn: mn[0])
    if sum((m * n for m, n in ranked), Fraction(0)) < cost:
        return None
    rest = sum(n for _, n in ranked)
    poor = Fraction(0)
    for money, n in ranked:
        if cost - poor <= rest * money:
            break
        poor += n * money
        rest -= n
    return (cost - poor) / rest


class _Doubt(Exception):
    """A run following another cannot prove a decision."""


class _EqualShares:
    """Equal Shares on one prepared pool.

    Voters with the same history form a *class*: class 0 starts with everyone; when a
    project is bought, the members of each class who support it become a new class with the
    price less (or nothing, for those who had less). Money is tracked in floats, which decide
    every comparison they can decide with certainty (their error is far below
    ``_FLOAT_DOUBT``); anything closer is decided exactly from the class tree (:class:`_Run`).

    Which class each voter is in depends only on the winners so far, not on the share, so
    runs at nearby shares (Add1) share it: ``_path`` keeps the classes of the last sequence of
    winners round by round, and a run recomputes only the money (a few vectors per round)
    for as long as its winners are the same.

    A single run (``single_run``) prices each project at most once per round, so counting
    its supporters per class (one ``np.bincount`` over all class ids) pays only while there
    are fewer class ids than supporters. Past that it takes the supporters group by group: a
    class may then appear more than once, which every computation allows (when they pay, it
    gets as many new class ids, all with the same money and parent; its members move to one
    of them, and the others stay empty).
    """

    def __init__(self, prep: _Prepared, tie_keys: list[Any], single_run: bool = False) -> None:
        self.prep = prep
        self.single_run = single_run
        # pabutools' cost satisfaction of a free project is 0, so like a project nobody
        # supports it is never bought (greedy completion takes it).
        self.considered = [i for i, c in enumerate(prep.costs) if c > 0 and prep.votes[i] > 0]
        self.keys = [tie_keys[p] for p in self.considered]
        self.int_cost = [prep.costs[p] for p in self.considered]
        self.cost = np.array(self.int_cost, dtype=np.float64)
        self.votes = np.array([prep.votes[p] for p in self.considered], dtype=np.float64)
        self.cost_list = self.cost.tolist()
        self.votes_list = self.votes.tolist()
        lengths, flat, weights = prep.arrays()
        n_groups = len(weights)
        # The groups supporting each considered project, from the (group, project) pairs.
        pair_group = np.repeat(np.arange(n_groups, dtype=np.int64), lengths)
        # Small integers: numpy sorts them by radix, several times faster (stable, too).
        small = np.int16 if len(prep.projects) < 2**15 else np.int64
        local = np.full(len(prep.projects), -1, dtype=small)
        local[self.considered] = np.arange(len(self.considered))
        pair_local = local[flat]
        order = np.argsort(pair_local, kind="stable")
        starts = np.searchsorted(pair_local[order], np.arange(len(self.considered) + 1))
        self.supporters = [
            pair_group[order[starts[j] : starts[j + 1]]] for j in range(len(self.considered))
        ]
        self.supporter_weights = [weights[m] for m in self.supporters]
        self._path: list[_Step] = [_Step(1, np.zeros(n_groups, dtype=np.int64))]

    # -- one run

    def run(self, share: Fraction, follow: _Run | None = None) -> _Run | None:
        """Equal Shares with ``share`` (scaled units) per voter.

        With ``follow`` (a run at a smaller share), the run instead checks that every share
        between ``follow.share`` and ``share`` gives the same winners in the same order, and
        returns None when it cannot prove it. The proof: for a fixed sequence of winners,
        every voter's money in every round only grows with the share (a richer round lowers
        the winner's price, so its payers keep more). So in each round, at any share in
        between, a project's rho is at least its rho at ``share`` and the winner's rho at
        most its rho at ``follow.share``; if the first is still larger (or equal, and the
        project is later in the tie-break), the winner wins there too; and a project its
        supporters cannot afford at ``share`` they cannot afford at a smaller share either.
        """
        run = _Run(self, share)
        budget = np.zeros(max(256, self._path[-1].n_classes))
        budget[0] = float(share)
        # Per project, lists (a pool has at most a few hundred projects, where numpy's calls
        # and scalars would cost more): lower bounds on its rho (money only shrinks from
        # round to round), and those still in the running, by index.
        low = [1.0 / v for v in self.votes_list]
        low_error = [1e-12 * x for x in low]
        remaining = list(range(len(self.considered)))
        round_no = 0
        try:
            while remaining:
                round_no += 1
                step = self._path[round_no - 1]
                target = None
                if follow is not None:
                    if round_no > len(follow.rounds):
                        self._check_nothing_affordable(run, remaining, step, budget, round_no)
                        break
                    target = follow.rounds[round_no - 1]
                priced: list[_Priced] = []
                best: _Priced | None = None
                for j in sorted(remaining, key=low.__getitem__):
                    if target is not None:
                        if j == target.winner:
                            continue
                        if low[j] - low_error[j] > target.rho + target.error:
                            break
                    elif best is not None and low[j] - low_error[j] > best.rho + best.error:
                        break
                    one = self._price(run, j, step, budget)
                    if isinstance(one, float):  # its supporters cannot pay for it: never again
                        remaining.remove(j)
                        run.dropped.append((j, round_no, one))
                        continue
                    low[j], low_error[j] = one.rho, one.error
                    run.last_rho[j] = one.rho
                    if target is not None:
                        self._check_loses(run, one, follow, round_no - 1)
                        continue
                    priced.append(one)
                    if best is None or one.rho < best.rho:
                        best = one
                if target is not None:
                    forced = self._price(run, target.winner, step, budget)
                    if isinstance(forced, float):
                        raise _Doubt
                    best = forced
                elif best is None:
                    break
                else:
                    best = self._resolve_ties(run, best, priced)
                remaining.remove(best.project)
                run.last_rho[best.project] = best.rho
                budget = self._pay(run, best, step, round_no, budget)
        except _Doubt:
            return None
        return run

    def _supporters(self, j: int, step: _Step) -> tuple[np.ndarray, np.ndarray]:
        """Project j's supporters per class at the start of ``step``'s round: class ids and
        how many supporters in each (in a single run perhaps per group: see the class)."""
        known = step.supporters.get(j)
        if known is None:
            of_supporters = step.group_class[self.supporters[j]]
            if self.single_run and step.n_classes > len(of_supporters):
                # Counting per class would cost more than pricing per group.
                known = (of_supporters, self.supporter_weights[j])
            elif step.n_classes > max(4096, 8 * len(of_supporters)):  # sparse class ids: sort
                order = np.argsort(of_supporters)
                ordered = of_supporters[order]
                first = np.empty(len(ordered), dtype=bool)
                first[:1] = True
                np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
                starts = np.flatnonzero(first)
                weights = self.supporter_weights[j][order]
                known = (ordered[starts], np.add.reduceat(weights, starts))
            else:
                counts = np.bincount(
                    of_supporters, weights=self.supporter_weights[j], minlength=step.n_classes
                )
                classes = counts.nonzero()[0]
                known = (classes, counts[classes])
            step.supporters[j] = known
        return known

    def _price(self, run: _Run, j: int, step: _Step, budget: np.ndarray) -> _Priced | float:
        """Project j's price per payer in floats, or (a float) the money its supporters have
        when that is less than it costs."""
        classes, counts = self._supporters(j, step)
        money_classes = budget[classes]
        cost = self.cost_list[j]
        money = float(np.dot(counts, money_classes))
        total = self.votes_list[j]  # == counts.sum(): every supporter is in some class
        doubt = _FLOAT_DOUBT * (cost + total * run.float_share)
        if abs(money - cost) <= doubt:
            exact = sum(
                (int(n) * run.exact_money(c) for c, n in zip(classes.tolist(), counts.tolist(),
                                                            strict=True)),
                Fraction(0),
            )  # fmt: skip
            if exact < self.int_cost[j]:
                return money
        elif money < cost:
            return money
        # Everyone pays the price, except those with less, who pay what they have: start with
        # an equal split and let the poorer give all until nobody else is poorer than the
        # price (it only grows; pabutools' "poor/rich" computation, without sorting).
        price, rest = cost / total, total
        n_poor = 0
        if float(np.minimum.reduce(money_classes)) < price:
            paid = counts * money_classes
            poor = money_classes < price
            n_poor = int(np.count_nonzero(poor))
        while n_poor:
            rest = total - float(np.dot(counts, poor))
            if rest <= 0:  # all give all they have: exactly enough
                price = float(money_classes.max())
                rest = 1.0
                break
            price = (cost - float(np.dot(paid, poor))) / rest
            poor = money_classes < price
            more = int(np.count_nonzero(poor))
            if more == n_poor:
                break
            n_poor = more
        error = doubt / rest / cost + _FLOAT_DOUBT * price / cost
        return _Priced(j, price / cost, error, price, classes, counts)

    def exact_price(
        self, run: _Run, j: int, classes: np.ndarray, counts: np.ndarray
    ) -> Fraction | None:
        """Project j's exact price per payer given its supporters' classes, or None."""
        return _exact_price(run, self.int_cost[j], classes.tolist(), counts.tolist())

    def _resolve_ties(self, run: _Run, best: _Priced, priced: list[_Priced]) -> _Priced:
        """The winner: the lowest rho, exactly, and the earliest in the tie-break among equals."""
        close = [p for p in priced if p.rho - p.error <= best.rho + best.error]
        if len(close) == 1:
            return best

        def exact_rho(p: _Priced) -> tuple:
            price = self.exact_price(run, p.project, p.classes, p.counts)
            assert price is not None
            return (price / self.int_cost[p.project], self.keys[p.project])

        return min(close, key=exact_rho)

    def _check_loses(self, run: _Run, one: _Priced, follow: _Run, index: int) -> None:
        """In a following run: project ``one`` (priced at the larger share) must lose to the
        winner of ``follow``'s round (priced at the smaller share)."""
        target = follow.rounds[index]
        if one.rho - one.error > target.rho + target.error:
            return
        if one.rho + one.error < target.rho - target.error:
            raise _Doubt
        price = self.exact_price(run, one.project, one.classes, one.counts)
        assert price is not None
        mine = price / self.int_cost[one.project]
        theirs = follow.exact_price(index) / self.int_cost[target.winner]
        if mine < theirs or (mine == theirs and self.keys[one.project] < self.keys[target.winner]):
            raise _Doubt

    def _check_nothing_affordable(
        self, run: _Run, remaining: list[int], step: _Step, budget: np.ndarray, round_no: int
    ) -> None:
        for j in remaining:
            money = self._price(run, j, step, budget)
            if not isinstance(money, float):
                raise _Doubt
            run.dropped.append((j, round_no, money))
        remaining.clear()

    def _pay(
        self, run: _Run, best: _Priced, step: _Step, round_no: int, budget: np.ndarray
    ) -> np.ndarray:
        """The winner's supporters pay: each class of them becomes a new class with the price
        less, or nothing if they had less (exactly: ``_Run.exact_money``)."""
        parents, parent_counts = self._supporters(best.project, step)  # by class id
        if step.winner != best.project:  # a new sequence of winners from here on
            step.winner = best.project
            del self._path[round_no:]
            new = step.n_classes + len(parents)
            mapping = np.arange(step.n_classes)
            mapping[parents] = np.arange(step.n_classes, new)
            group_class = step.group_class.copy()
            members = self.supporters[best.project]
            group_class[members] = mapping[group_class[members]]
            self._path.append(_Step(new, group_class))
        new = self._path[round_no].n_classes
        if new > len(budget):  # at least double it
            budget = np.concatenate((budget, np.zeros(max(len(budget), new - len(budget)))))
        paid_all = int(best.counts[budget[best.classes] <= best.price].sum())
        budget[step.n_classes : new] = np.maximum(budget[parents] - best.price, 0.0)
        # The new class step.n_classes + i comes from parents[i].
        run.rounds.append(
            _Round(best.project, best.rho, best.error, best.price, parents, parent_counts,
                   paid_all, step.n_classes)
        )  # fmt: skip
        return budget


# -- Equal Shares in plain Python, for small pools ----------------------------------------


class _SmallStep:
    """As :class:`_Step`, with lists and dicts."""

    __slots__ = ("n_classes", "group_class", "supporters", "winner")

    def __init__(self, n_classes: int, group_class: list[int]) -> None:
        self.n_classes = n_classes
        self.group_class = group_class
        self.supporters: dict[int, tuple[list[int], list[int]]] = {}
        self.winner: int | None = None


# A project priced in one round: (project, rho, bound on rho's float error, price per payer,
# its supporters' classes, supporters in each).
_SmallPriced = tuple[int, float, float, float, list[int], list[int]]


class _SmallEqualShares:
    """The same rule, classes, exact tie-breaks and proofs as :class:`_EqualShares`, in plain
    Python lists, for small pools.

    A small pool has few classes, so a round is a few dozen float operations, where each
    numpy call costs microseconds whatever its size. The runs are :class:`_Run` objects with
    lists in their rounds, so exact money and prices come from the same class tree.
    """

    def __init__(self, prep: _Prepared, tie_keys: list[Any]) -> None:
        self.prep = prep
        self.considered = [i for i, c in enumerate(prep.costs) if c > 0 and prep.votes[i] > 0]
        self.keys = [tie_keys[p] for p in self.considered]
        self.int_cost = [prep.costs[p] for p in self.considered]
        self.cost = [float(c) for c in self.int_cost]
        self.votes = [prep.votes[p] for p in self.considered]
        by_id: dict[str, list[int]] = {prep.projects[i].id: [] for i in self.considered}
        for g, key in enumerate(prep.group_projects):
            for pid in key:
                groups = by_id.get(pid)
                if groups is not None:
                    groups.append(g)
        self.supporters = list(by_id.values())  # by_id is in the order of considered
        self.weights = prep.group_weights
        # Each supporter's group, a group repeated as often as its weight (filled on demand).
        self._voters: list[list[int] | None] = [None] * len(self.considered)
        first = _SmallStep(1, [0] * len(self.weights))
        first.supporters = {j: ([0], [v]) for j, v in enumerate(self.votes)}
        self._path = [first]

    def run(self, share: Fraction, follow: _Run | None = None) -> _Run | None:
        """As :meth:`_EqualShares.run`."""
        run = _Run(self, share)  # type: ignore[arg-type]
        try:
            self._run(run, follow)
        except _Doubt:
            return None
        return run

    def _run(self, run: _Run, follow: _Run | None) -> None:
        """One run; with ``follow``, the proof of :meth:`_EqualShares.run`, sharpened: while
        every winner so far had the same poorer supporters at both shares, every class's
        money is affine in the share in between, the round's winner's price convex (the
        largest of affine functions, one per set of poorer supporters) and a lower bound of
        each other project's price affine (see :meth:`_loses_in_between`): comparing them
        at both ends proves the winner wins in between, where comparing the winner at the
        smaller share with the others at the larger one often cannot."""
        money = run.money = [run.float_share]  # per class
        low = [1.0 / v for v in self.votes]  # lower bounds on each project's rho
        low_error = [1e-12 * x for x in low]
        remaining = list(range(len(self.considered)))
        round_no = 0
        affine = True
        while remaining:
            round_no += 1
            step = self._path[round_no - 1]
            target = forced = None
            if follow is not None:
                if round_no > len(follow.rounds):  # nothing may be affordable any more
                    for j in remaining:
                        have = self._price(run, j, step, money)
                        if type(have) is not float:
                            raise _Doubt
                        run.dropped.append((j, round_no, have))
                    return
                target = follow.rounds[round_no - 1]
                forced = self._price(run, target.winner, step, money)
                if type(forced) is float:
                    raise _Doubt
                # Whether money stays affine in the share for the rounds after this one.
                affine_after = affine and self._same_poorer(run, forced, follow, round_no - 1)
            priced: list[_SmallPriced] = []
            best: _SmallPriced | None = None
            for j in sorted(remaining, key=low.__getitem__):
                bound = low[j] - low_error[j]
                if target is not None:
                    if j == target.winner:
                        continue
                    if bound > target.rho + target.error:
                        break
                elif best is not None and bound > best[1] + best[2]:
                    break
                one = self._price(run, j, step, money)
                if type(one) is float:  # its supporters cannot pay for it: never again
                    remaining.remove(j)
                    run.dropped.append((j, round_no, one))
                    continue
                low[j], low_error[j] = one[1], one[2]
                run.last_rho[j] = one[1]
                if target is not None:
                    assert follow is not None and forced is not None
                    if not (
                        one[1] - one[2] > target.rho + target.error
                        or (affine and self._loses_in_between(run, one, forced, follow))
                    ):
                        self._check_loses(run, one, follow, round_no - 1)
                    continue
                priced.append(one)
                if best is None or one[1] < best[1]:
                    best = one
            if forced is not None:
                best = forced
                affine = affine_after
            elif best is None:
                return
            else:
                best = self._resolve_ties(run, best, priced)
            remaining.remove(best[0])
            run.last_rho[best[0]] = best[1]
            self._pay(run, best, step, round_no, money)

    def _supporters(self, j: int, step: _SmallStep) -> tuple[list[int], list[int]]:
        known = step.supporters.get(j)
        if known is None:
            group_class, groups = step.group_class, self.supporters[j]
            if self.votes[j] <= 4 * len(groups):  # count voters at C speed
                voters = self._voters[j]
                if voters is None:
                    weights = map(self.weights.__getitem__, groups)
                    voters = list(
                        itertools.chain.from_iterable(map(itertools.repeat, groups, weights))
                    )
                    self._voters[j] = voters
                counts = Counter(map(group_class.__getitem__, voters))
            else:  # few heavy groups
                weights = self.weights
                counts = Counter()
                for g in groups:
                    counts[group_class[g]] += weights[g]
            known = step.supporters[j] = (list(counts), list(counts.values()))
        return known

    def _price(self, run: _Run, j: int, step: _SmallStep, money: list[float]) -> Any:
        """Project j priced (a :data:`_SmallPriced`), or (a float) the money its supporters
        have when that is less than it costs."""
        classes, counts = self._supporters(j, step)
        cost, total = self.cost[j], self.votes[j]
        held = list(map(money.__getitem__, classes))
        have = sum(map(operator.mul, counts, held))
        doubt = _FLOAT_DOUBT * (cost + total * run.float_share)
        if have < cost + doubt:
            if have < cost - doubt:
                return have
            exact = sum(map(operator.mul, counts, map(run.exact_money, classes)), Fraction(0))
            if exact < self.int_cost[j]:
                return have
        price, rest = cost / total, total
        if min(held) < price:
            # The poorer pay all they have, the others an equal price (pabutools' "poor/rich").
            poor = 0.0
            for held_c, n in sorted(zip(held, counts, strict=True)):
                if held_c * rest >= cost - poor:
                    break
                poor += held_c * n
                rest -= n
            if rest > 0:
                price = (cost - poor) / rest
            else:  # all give all they have: exactly enough
                price, rest = max(held), 1
        error = doubt / rest / cost + _FLOAT_DOUBT * price / cost
        return (j, price / cost, error, price, classes, counts)

    def exact_price(
        self, run: _Run, j: int, classes: list[int], counts: list[int]
    ) -> Fraction | None:
        """Project j's exact price per payer given its supporters' classes, or None."""
        return _exact_price(run, self.int_cost[j], classes, counts)

    def _exact_rho(self, run: _Run, one: _SmallPriced) -> tuple:
        price = _exact_price(run, self.int_cost[one[0]], one[4], one[5])
        assert price is not None
        return (price / self.int_cost[one[0]], self.keys[one[0]])

    def _resolve_ties(
        self, run: _Run, best: _SmallPriced, priced: list[_SmallPriced]
    ) -> _SmallPriced:
        edge = best[1] + best[2]
        close = [p for p in priced if p[1] - p[2] <= edge]
        if len(close) == 1:
            return best
        return min(close, key=lambda one: self._exact_rho(run, one))

    def _same_poorer(self, run: _Run, forced: _SmallPriced, follow: _Run, index: int) -> bool:
        """Whether the same classes of the winner's supporters pay all they have (less than
        the price) at ``follow``'s share and at ``run``'s, none within float error of its
        price. Then they do at every share in between (as the share grows a class's money
        grows and the price falls), so the winner's price, and the money its payers keep,
        are affine in the share there (given that the money before was)."""
        price_b, price_a = forced[3], follow.rounds[index].price
        money_b, money_a = run.money, follow.money
        tolerance_b = _FLOAT_DOUBT * (price_b + run.float_share)
        tolerance_a = _FLOAT_DOUBT * (price_a + follow.float_share)
        for c in forced[4]:
            gap_b, gap_a = money_b[c] - price_b, money_a[c] - price_a
            if abs(gap_b) <= tolerance_b or abs(gap_a) <= tolerance_a or (gap_b < 0) != (gap_a < 0):
                return False
        return True

    def _loses_in_between(
        self, run: _Run, one: _SmallPriced, forced: _SmallPriced, follow: _Run
    ) -> bool:
        """Whether project ``one`` loses to the round's winner ``forced`` at every share
        between ``follow``'s and ``run``'s, every class's money being affine in the share
        there.

        A project's price is at least (cost - what a set P of its supporters' classes has) /
        (its other supporters) for *any* P, with equality for P its poorer classes. So with
        P those at the larger share this is an affine lower bound of its price in between,
        and the winner's price is the largest of such affine functions, convex: if the
        bound exceeds the winner's price at both ends, it does in between."""
        j, _, _, price_b, classes, counts = one
        money_b, money_a = run.money, follow.money
        poor_a = poor_b = 0.0
        rest = self.votes[j]
        for c, n in zip(classes, counts, strict=True):
            if money_b[c] < price_b:
                poor_a += n * money_a[c]
                poor_b += n * money_b[c]
                rest -= n
        if rest <= 0:
            return False
        cost = self.cost[j]
        target = follow.rounds[len(run.rounds)]
        for poor, share, rho, error in (
            (poor_b, run.float_share, forced[1], forced[2]),
            (poor_a, follow.float_share, target.rho, target.error),
        ):
            bound = (cost - poor) / rest / cost
            doubt = _FLOAT_DOUBT * (cost + self.votes[j] * share)
            if bound - doubt / rest / cost - _FLOAT_DOUBT * abs(bound) <= rho + error:
                return False
        return True

    def _check_loses(self, run: _Run, one: _SmallPriced, follow: _Run, index: int) -> None:
        """As :meth:`_EqualShares._check_loses`; the caller has already found that ``one``
        may not lose outright (its rho at most the target's)."""
        target = follow.rounds[index]
        if one[1] + one[2] < target.rho - target.error:
            raise _Doubt
        mine = self._exact_rho(run, one)
        theirs = follow.exact_price(index) / self.int_cost[target.winner]
        if mine < (theirs, self.keys[target.winner]):
            raise _Doubt

    def _pay(
        self, run: _Run, best: _SmallPriced, step: _SmallStep, round_no: int, money: list
    ) -> None:
        """As :meth:`_EqualShares._pay`: class ``step.n_classes + i`` is the payers from
        ``classes[i]``, with the price less (or nothing, if they had less)."""
        j, rho, error, price, classes, counts = best
        first = step.n_classes
        if step.winner != j:  # a new sequence of winners from here on
            step.winner = j
            del self._path[round_no:]
            mapping = {c: first + i for i, c in enumerate(classes)}
            group_class = step.group_class.copy()
            for g in self.supporters[j]:
                group_class[g] = mapping[group_class[g]]
            self._path.append(_SmallStep(first + len(classes), group_class))
        paid_all = 0
        for c, n in zip(classes, counts, strict=True):
            held = money[c]
            if held <= price:
                paid_all += n
                money.append(0.0)
            else:
                money.append(held - price)
        run.rounds.append(
            _Round(j, rho, error, price, classes, counts, paid_all, first)  # type: ignore[arg-type]
        )


def _mes_fates(
    prep: _Prepared, run: _Run | None, scores: dict[str, Fraction | int]
) -> dict[str, ProjectFate]:
    fates: dict[str, ProjectFate] = {}
    for i, p in enumerate(prep.projects):
        fates[p.id] = ProjectFate(p.id, "no_support", votes=prep.votes[i], score=scores[p.id])
    if run is None:
        return fates
    engine, unit = run.engine, prep.unit
    for number, r in enumerate(run.rounds, start=1):
        fate = fates[prep.projects[engine.considered[r.winner]].id]
        fate.status, fate.round = "selected", number
        fate.price, fate.rho, fate.effective_votes = r.price / unit, r.rho, 1 / r.rho
        fate.payers, fate.paid_all_they_had = r.payers, r.paid_all
    for j, number, money in run.dropped:
        fate = fates[prep.projects[engine.considered[j]].id]
        fate.status, fate.round = "no_money", number
        fate.available = float(money) / unit
        rho = run.last_rho.get(j)
        if rho:
            fate.rho, fate.effective_votes = rho, 1 / rho
            fate.price = rho * engine.int_cost[j] / unit
    return fates


def tally_equal_shares(
    projects: Iterable[Project],
    ballots: Iterable[Ballot],
    budget: Number,
    *,
    tie_break: TieBreak = by_id,
    share_increase: int = 0,
) -> Outcome:
    """The Method of Equal Shares with cost satisfaction, without completion.

    Equals ``method_of_equal_shares(instance, profile, sat_class=Cost_Sat)``. With
    ``share_increase`` every voter's share is budget / voters plus that many currency units
    (the outcome of that step of Add1, which may cost more than the budget).
    """
    prep = _prepare(projects, ballots, budget)
    scores = _scores(prep, "votes")
    if prep.voters == 0:
        return _outcome(prep, "mes", [], scores, _mes_fates(prep, None, scores))
    share = Fraction(prep.budget, prep.voters) + share_increase * prep.unit
    run = _engine(prep, _tie_keys(prep, tie_break), runs=1).run(share)
    assert run is not None
    outcome = _outcome(prep, "mes", run.selected(), scores, _mes_fates(prep, run, scores))
    outcome.share_per_voter = share / prep.unit
    outcome.mes_runs = 1
    return outcome


def equal_shares_steps(
    projects: Iterable[Project],
    ballots: Iterable[Ballot],
    budget: Number,
    steps: Iterable[int],
    *,
    tie_break: TieBreak = by_id,
) -> dict[int, list[str]]:
    """The winners of Equal Shares (without completion) at the given Add1 steps, every
    voter's share being budget / voters plus *step* currency units; for checking an Add1
    result step by step. Faster than calling :func:`tally_equal_shares` for each step."""
    prep = _prepare(projects, ballots, budget)
    if prep.voters == 0:
        return dict.fromkeys(steps, [])
    base = Fraction(prep.budget, prep.voters)

    engine = _engine(prep, _tie_keys(prep, tie_break))
    result = {}
    for step in sorted(set(steps)):
        run = engine.run(base + step * prep.unit)
        assert run is not None
        result[step] = [prep.projects[i].id for i in run.selected()]
    return result


def _engine(prep: _Prepared, keys: list[Any], runs: int = 2) -> _EqualShares | _SmallEqualShares:
    """The plain-Python engine for a small pool, the numpy one for a large one (for a single
    run, ``runs=1``, a pool of a few hundred distinct ballots is already large)."""
    if prep.small and (runs > 1 or len(prep.group_weights) <= _SMALL_RUN):
        return _SmallEqualShares(prep, keys)
    return _EqualShares(prep, keys, single_run=runs == 1)


def _add1(prep: _Prepared, engine: _EqualShares | _SmallEqualShares) -> tuple[_Run, int, int]:
    """The last Equal Shares run that fits the pool as the share grows by one currency unit
    at a time from budget / voters; also the units added and the number of runs made.

    Rather than running Equal Shares for every unit, it jumps ahead (2, 4, 8, ... units)
    whenever a run at the larger share proves that every share in between gives the same
    winners (see ``_EqualShares.run``), and steps one unit at a time where it cannot.
    """
    base = Fraction(prep.budget, prep.voters)
    last_step = prep.budget // prep.unit  # pabutools stops at a share of budget * (n+1) / n
    current = engine.run(base)
    assert current is not None  # budget / voters always fits
    step, runs, jump = 0, 1, 2
    # After a failed jump, wait (single steps) before trying again, longer each time.
    wait, penalty = 0, 1
    while step < last_step:
        jump = min(jump, last_step - step)
        if jump >= 2 and wait == 0:
            ahead = engine.run(base + (step + jump) * prep.unit, follow=current)
            runs += 1
            if ahead is not None:
                step, current, jump, penalty = step + jump, ahead, 2 * jump, 1
                continue
            jump, wait, penalty = 2, penalty, 2 * penalty
        following = engine.run(base + (step + 1) * prep.unit)
        assert following is not None
        runs += 1
        if sum(prep.costs[i] for i in following.selected()) > prep.budget:
            break
        step, current, wait = step + 1, following, max(wait - 1, 0)
    return current, step, runs


def tally_equal_shares_add1(
    projects: Iterable[Project],
    ballots: Iterable[Ballot],
    budget: Number,
    *,
    tie_break: TieBreak = by_id,
    completion: bool = True,
) -> Outcome:
    """Equal Shares with the Add1 completion, then (``completion``) greedy by votes.

    Every voter's share is raised by one unit of currency at a time, from budget / voters,
    until the outcome costs more than the pool; the last outcome that fits is kept. Equals
    pabutools' ``exhaustion_by_budget_increase(instance, multiprofile,
    method_of_equal_shares, {"sat_profile": ...Cost_Sat}, budget_step=n_voters,
    exhaustive_stop=False)`` followed by ``greedy_utilitarian_welfare(...,
    initial_budget_allocation=...)``. ``add1_steps`` on the outcome is how many units were
    added, ``mes_runs`` how many Equal Shares runs finding it took (not counting the run at
    the final share that explains each project's fate, the same as
    :func:`tally_equal_shares` with ``share_increase=add1_steps`` gives).
    """
    prep = _prepare(projects, ballots, budget)
    scores = _scores(prep, "votes")
    keys = _tie_keys(prep, tie_break)
    chosen: list[int] = []
    fates = _mes_fates(prep, None, scores)
    outcome_share = None
    steps = runs = 0
    if prep.voters:
        engine = _engine(prep, keys)
        run, steps, runs = _add1(prep, engine)
        chosen = run.selected()
        # Each project's fate comes from a run of its own at the final share: a run that
        # only proved a range of shares (``follow``) prices no more than the proof needs,
        # so its rounds of drops, money and rho would depend on the path Add1 took.
        final = engine.run(run.share)
        assert final is not None and final.selected() == chosen
        fates = _mes_fates(prep, final, scores)
        outcome_share = run.share / prep.unit
    if completion:
        extra, skipped = _greedy(prep, "votes", keys, initial=chosen)
        for i in extra:
            fates[prep.projects[i].id].status = "completion"
        for i, left in skipped.items():
            fates[prep.projects[i].id].remaining = Fraction(left, prep.unit)
        chosen = chosen + extra
    outcome = _outcome(prep, "mes-add1", chosen, scores, fates)
    outcome.share_per_voter = outcome_share
    outcome.add1_steps = steps
    outcome.mes_runs = runs
    return outcome


RULES = {
    "greedy": tally_greedy,
    "mes": tally_equal_shares,
    "mes-add1": tally_equal_shares_add1,
}
