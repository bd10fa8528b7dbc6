"""Pure rules of e-consultations: statuses, question kinds, answer checks, conditions and
which survey edits would change a question's meaning.

No Flask and no database: plain values in, plain values out. Error messages are
returned as ``Problem`` codes with their parameters; the web layer translates them.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

DEFAULT_MIN_DAYS = 21
CLOSING_REMINDER = timedelta(days=7)
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
COMMENT_MAX = 5000


class Status(enum.StrEnum):
    """Where a consultation is in its life; derived from its dates and actions."""

    DRAFT = "draft"  # being prepared, visible to staff only
    SCHEDULED = "scheduled"  # published, opens later
    OPEN = "open"
    CLOSED = "closed"
    REPORT_PUBLISHED = "report_published"


PUBLIC_STATUSES = frozenset(Status) - {Status.DRAFT}


def status(
    published_at: datetime | None,
    opens_at: datetime,
    closes_at: datetime,
    report_published_at: datetime | None,
    now: datetime,
) -> Status:
    """A consultation is a draft until published, then follows its dates.

    Opening or closing "by hand" moves the date to now, so the dates always tell the
    truth about when responses were accepted (from ``opens_at`` inclusive to
    ``closes_at`` exclusive).
    """
    if published_at is None:
        return Status.DRAFT
    if report_published_at is not None:
        return Status.REPORT_PUBLISHED
    if now < opens_at:
        return Status.SCHEDULED
    if now < closes_at:
        return Status.OPEN
    return Status.CLOSED


def duration_days(opens_at: datetime, closes_at: datetime) -> float:
    return (closes_at - opens_at).total_seconds() / 86400


def too_short(opens_at: datetime, closes_at: datetime, min_days: int) -> bool:
    """Shorter than the municipality's minimum: a warning, not a refusal."""
    return duration_days(opens_at, closes_at) < min_days


def closing_reminder_due(
    closes_at: datetime, opens_at: datetime, now: datetime, already_sent: bool
) -> bool:
    """Remind followers once, a week before the close (not if it only opened since)."""
    return (
        not already_sent
        and opens_at <= now < closes_at
        and closes_at - now <= CLOSING_REMINDER
        and closes_at - opens_at > CLOSING_REMINDER
    )


class Area(enum.StrEnum):
    WHOLE = "whole"  # the whole municipality
    DISTRICTS = "districts"
    DRAWN = "drawn"  # an area drawn on the map


class Channel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"


class ReplyStatus(enum.StrEnum):
    """The answer to one input, as the final report shows it ("you said, we did")."""

    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"
    OUT_OF_SCOPE = "out_of_scope"
    NOTED = "noted"


class Kind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SCALE = "scale"
    RANKING = "ranking"
    NUMBER = "number"
    YES_NO = "yes_no"
    DATE = "date"
    POINT = "point"


CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING})
TEXT_KINDS = frozenset({Kind.SHORT_TEXT, Kind.LONG_TEXT})
# Answers a later question may depend on: one option picked, or yes / no.
CONDITION_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.YES_NO})


# --- demographics (voluntary, stored apart from responses) -----------------------------


class AgeBand(enum.StrEnum):
    UNDER_18 = "0-17"
    FROM_18 = "18-29"
    FROM_30 = "30-44"
    FROM_45 = "45-59"
    FROM_60 = "60-74"
    FROM_75 = "75+"


class Gender(enum.StrEnum):
    WOMAN = "woman"
    MAN = "man"
    OTHER = "other"


class Foreigner(enum.StrEnum):
    NO = "no"
    YES = "yes"


# --- questions and answers ----------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """What decides whether an answer is valid: everything but the wording.

    ``options`` are the ids of the options in their order. A condition shows the
    question only when question ``condition_question`` was answered with
    ``condition_value`` (an option id as a string, or "yes"/"no").
    """

    id: int
    kind: Kind
    required: bool = False
    options: tuple[int, ...] = ()
    min_choices: int | None = None
    max_choices: int | None = None
    scale_min: int = 1
    scale_max: int = 5
    number_min: float | None = None
    number_max: float | None = None
    max_length: int | None = None
    condition_question: int | None = None
    condition_value: str | None = None

    @property
    def text_limit(self) -> int:
        default = SHORT_TEXT_MAX if self.kind == Kind.SHORT_TEXT else LONG_TEXT_MAX
        return min(self.max_length or default, default)


class Problem(enum.StrEnum):
    REQUIRED = "required"
    NOT_AN_OPTION = "not_an_option"
    TOO_FEW = "too_few"  # params: min
    TOO_MANY = "too_many"  # params: max
    TOO_LONG = "too_long"  # params: max, length
    NOT_A_NUMBER = "not_a_number"
    BELOW_MIN = "below_min"  # params: min
    ABOVE_MAX = "above_max"  # params: max
    NOT_A_DATE = "not_a_date"
    RANK_ALL = "rank_all"  # params: count
    RANK_TWICE = "rank_twice"
    POINT_HALF = "point_half"
    POINT_OUTSIDE = "point_outside"  # decided by the caller, who knows the area


@dataclass(frozen=True)
class Error:
    problem: Problem
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Value:
    """A checked answer. Exactly the attributes that fit the kind are set."""

    options: tuple[int, ...] = ()  # chosen options; for ranking in rank order
    text: str | None = None
    number: float | None = None
    yes: bool | None = None
    day: date | None = None
    point: tuple[float, float] | None = None  # (lat, lon)

    @property
    def empty(self) -> bool:
        return (
            not self.options
            and not self.text
            and self.number is None
            and self.yes is None
            and self.day is None
            and self.point is None
        )


EMPTY = Value()


def _as_int(raw: str) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _as_float(raw: str) -> float | None:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def check_answer(spec: QuestionSpec, raw: Sequence[str]) -> tuple[Value, Error | None]:
    """Check what a form sent for one question.

    ``raw`` holds the submitted strings: the option ids for choices (for ranking, one
    rank per option in option order, "" for unranked), one string otherwise, and
    ``(lat, lon)`` for a point. Returns the value (as much of it as could be read, so
    a form can show it again) and the first problem, if any. Required-ness is checked
    here; whether the question is shown at all is ``visible_questions``.
    """
    raw = [r.strip() if isinstance(r, str) else r for r in raw]
    kind = spec.kind
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        picked = [_as_int(r) for r in raw if r]
        if any(p not in spec.options for p in picked):
            return EMPTY, Error(Problem.NOT_AN_OPTION)
        chosen = tuple(o for o in spec.options if o in picked)
        value = Value(options=chosen)
        if not chosen:
            return value, Error(Problem.REQUIRED) if spec.required else None
        if kind == Kind.SINGLE and len(chosen) > 1:
            return value, Error(Problem.TOO_MANY, {"max": 1})
        if kind == Kind.MULTIPLE:
            if spec.max_choices and len(chosen) > spec.max_choices:
                return value, Error(Problem.TOO_MANY, {"max": spec.max_choices})
            if spec.min_choices and len(chosen) < spec.min_choices:
                return value, Error(Problem.TOO_FEW, {"min": spec.min_choices})
        return value, None
    if kind == Kind.RANKING:
        ranks = [_as_int(r) if r else None for r in raw]
        ranks += [None] * (len(spec.options) - len(ranks))
        given = [(r, o) for r, o in zip(ranks, spec.options, strict=False) if r is not None]
        value = Value(options=tuple(o for _r, o in sorted(given)))
        if not given:
            return value, Error(Problem.REQUIRED) if spec.required else None
        if len({r for r, _o in given}) != len(given):
            return value, Error(Problem.RANK_TWICE)
        if len(given) != len(spec.options) or sorted(r for r, _o in given) != list(
            range(1, len(spec.options) + 1)
        ):
            return value, Error(Problem.RANK_ALL, {"count": len(spec.options)})
        return value, None
    first = raw[0] if raw else ""
    if kind in TEXT_KINDS:
        text = (first or "").replace("\r\n", "\n")
        value = Value(text=text or None)
        if not text:
            return value, Error(Problem.REQUIRED) if spec.required else None
        if len(text) > spec.text_limit:
            return value, Error(Problem.TOO_LONG, {"max": spec.text_limit, "length": len(text)})
        return value, None
    if kind in (Kind.SCALE, Kind.NUMBER):
        if not first:
            return EMPTY, Error(Problem.REQUIRED) if spec.required else None
        number = _as_float(first)
        if number is None or (kind == Kind.SCALE and number != int(number)):
            return EMPTY, Error(Problem.NOT_A_NUMBER)
        low = spec.scale_min if kind == Kind.SCALE else spec.number_min
        high = spec.scale_max if kind == Kind.SCALE else spec.number_max
        value = Value(number=number)
        if low is not None and number < low:
            return value, Error(Problem.BELOW_MIN, {"min": _plain(low)})
        if high is not None and number > high:
            return value, Error(Problem.ABOVE_MAX, {"max": _plain(high)})
        return value, None
    if kind == Kind.YES_NO:
        if first not in ("yes", "no"):
            if first:
                return EMPTY, Error(Problem.NOT_AN_OPTION)
            return EMPTY, Error(Problem.REQUIRED) if spec.required else None
        return Value(yes=first == "yes"), None
    if kind == Kind.DATE:
        if not first:
            return EMPTY, Error(Problem.REQUIRED) if spec.required else None
        try:
            return Value(day=date.fromisoformat(first)), None
        except ValueError:
            return EMPTY, Error(Problem.NOT_A_DATE)
    if kind == Kind.POINT:
        lat_raw, lon_raw = (list(raw) + ["", ""])[:2]
        if not lat_raw and not lon_raw:
            return EMPTY, Error(Problem.REQUIRED) if spec.required else None
        lat, lon = _as_float(lat_raw), _as_float(lon_raw)
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return EMPTY, Error(Problem.POINT_HALF)
        return Value(point=(lat, lon)), None
    raise ValueError(f"unknown question kind {kind!r}")


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def condition_met(spec: QuestionSpec, answers: Mapping[int, Value]) -> bool:
    """Whether a conditional question is shown, given the answers to earlier ones."""
    if spec.condition_question is None:
        return True
    given = answers.get(spec.condition_question)
    if given is None or given.empty:
        return False
    if given.yes is not None:
        return ("yes" if given.yes else "no") == spec.condition_value
    return spec.condition_value in {str(o) for o in given.options}


def visible_questions(
    specs: Sequence[QuestionSpec], answers: Mapping[int, Value]
) -> list[QuestionSpec]:
    """The questions shown, in order. A question whose condition depends on a hidden
    question is hidden too (conditions point only to earlier questions)."""
    shown: dict[int, Value] = {}
    result = []
    for spec in specs:
        if condition_met(spec, shown):
            result.append(spec)
            shown[spec.id] = answers.get(spec.id, EMPTY)
    return result


def check_response(
    specs: Sequence[QuestionSpec], raw: Mapping[int, Sequence[str]], complete: bool
) -> tuple[dict[int, Value], dict[int, Error]]:
    """Check a whole survey form.

    Answers to hidden questions are dropped. When saving to finish later
    (``complete`` false) a missing required answer is not an error, but a wrong one is.
    """
    values: dict[int, Value] = {}
    errors: dict[int, Error] = {}
    for spec in specs:
        value, error = check_answer(spec, raw.get(spec.id, ()))
        values[spec.id] = value
        if error is not None:
            errors[spec.id] = error
    shown = {s.id for s in visible_questions(specs, values)}
    values = {qid: v for qid, v in values.items() if qid in shown and not v.empty}
    errors = {
        qid: e
        for qid, e in errors.items()
        if qid in shown and (complete or e.problem != Problem.REQUIRED)
    }
    return values, errors


def meaning_changes(old: QuestionSpec, new: QuestionSpec) -> list[str]:
    """What an edit would change in a question's meaning (empty: a wording fix).

    Once responses are in, these are refused: the answers already given would no
    longer mean what the respondents meant. Option labels, the question text and
    help text are wording and stay editable.
    """
    changed = []
    for name in (
        "kind",
        "required",
        "options",
        "min_choices",
        "max_choices",
        "scale_min",
        "scale_max",
        "number_min",
        "number_max",
        "condition_question",
        "condition_value",
    ):
        if getattr(old, name) != getattr(new, name):
            changed.append(name)
    if old.text_limit > new.text_limit:
        changed.append("max_length")
    return changed


def check_structure(spec: QuestionSpec, earlier: Mapping[int, QuestionSpec]) -> list[str]:
    """Problems in a question's settings, as codes for the builder form.

    ``earlier`` are the questions before it (a condition may only point back).
    """
    problems = []
    if spec.kind in CHOICE_KINDS and len(spec.options) < 2:
        problems.append("options_needed")
    if spec.kind == Kind.MULTIPLE:
        n = len(spec.options)
        if spec.min_choices is not None and not 0 <= spec.min_choices <= n:
            problems.append("min_choices_range")
        if spec.max_choices is not None and not 1 <= spec.max_choices <= n:
            problems.append("max_choices_range")
        if (
            spec.min_choices is not None
            and spec.max_choices is not None
            and spec.min_choices > spec.max_choices
        ):
            problems.append("min_above_max")
    if spec.kind == Kind.SCALE and not (spec.scale_min < spec.scale_max <= spec.scale_min + 10):
        problems.append("scale_range")
    if (
        spec.kind == Kind.NUMBER
        and spec.number_min is not None
        and spec.number_max is not None
        and spec.number_min > spec.number_max
    ):
        problems.append("number_range")
    if spec.condition_question is not None:
        target = earlier.get(spec.condition_question)
        if target is None or target.kind not in CONDITION_KINDS:
            problems.append("condition_question")
        elif target.kind == Kind.YES_NO:
            if spec.condition_value not in ("yes", "no"):
                problems.append("condition_value")
        elif spec.condition_value not in {str(o) for o in target.options}:
            problems.append("condition_value")
    return problems


# --- results ------------------------------------------------------------------------------


@dataclass
class Tally:
    """One question's answers, counted. ``counts`` follow the options (or scale points,
    or yes/no); ``mean_rank`` is for ranking; ``numbers`` for number questions."""

    answered: int = 0
    counts: list[tuple[str, int]] = field(default_factory=list)
    mean_rank: list[tuple[str, float]] = field(default_factory=list)
    summary: dict[str, float] = field(default_factory=dict)


def tally(spec: QuestionSpec, values: Iterable[Value], labels: Mapping[int, str]) -> Tally:
    """Count the answers to one question. ``labels`` name options by id."""
    values = [v for v in values if not v.empty]
    result = Tally(answered=len(values))
    kind = spec.kind
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        for option in spec.options:
            result.counts.append(
                (labels.get(option, str(option)), sum(option in v.options for v in values))
            )
    elif kind == Kind.RANKING:
        for option in spec.options:
            ranks = [v.options.index(option) + 1 for v in values if option in v.options]
            result.counts.append((labels.get(option, str(option)), len(ranks)))
            if ranks:
                result.mean_rank.append((labels.get(option, str(option)), sum(ranks) / len(ranks)))
        result.mean_rank.sort(key=lambda item: item[1])
    elif kind == Kind.SCALE:
        for point in range(spec.scale_min, spec.scale_max + 1):
            result.counts.append((str(point), sum(v.number == point for v in values)))
        if values:
            result.summary["mean"] = sum(v.number for v in values) / len(values)
    elif kind == Kind.YES_NO:
        result.counts = [
            ("yes", sum(v.yes is True for v in values)),
            ("no", sum(v.yes is False for v in values)),
        ]
    elif kind == Kind.NUMBER and values:
        numbers = sorted(v.number for v in values)
        n = len(numbers)
        mid = n // 2
        result.summary = {
            "min": numbers[0],
            "max": numbers[-1],
            "mean": sum(numbers) / n,
            "median": numbers[mid] if n % 2 else (numbers[mid - 1] + numbers[mid]) / 2,
        }
    return result


def share(count: int, total: int) -> float:
    """A share in percent, 0 when there is nothing to share."""
    return 100.0 * count / total if total else 0.0


def representativeness(
    respondents: Mapping[str, int], population: Mapping[str, int]
) -> dict[str, float | None]:
    """Each group's share among respondents divided by its share of the population
    (1.0 = represented as in the population; None where the population is unknown)."""
    total_r = sum(respondents.values())
    total_p = sum(population.values())
    result: dict[str, float | None] = {}
    for group in sorted(set(respondents) | set(population)):
        pop = population.get(group, 0)
        if not total_r or not total_p or not pop:
            result[group] = None
        else:
            result[group] = (respondents.get(group, 0) / total_r) / (pop / total_p)
    return result


# --- results and report: small pure helpers (consultations_report) ------------------------

SMALL_CELL = 5  # public demographic tables hide counts below this


def first_places(spec: QuestionSpec, values: Iterable[Value]) -> dict[int, int]:
    """For a ranking question: how many answers put each option first (by option id)."""
    counts = dict.fromkeys(spec.options, 0)
    for value in values:
        if value.options and value.options[0] in counts:
            counts[value.options[0]] += 1
    return counts


def by_month(days: Iterable[date]) -> list[tuple[date, int]]:
    """Dates counted by calendar month (the month's first day), earliest first, with the
    empty months between them, so a chart's gaps are real gaps."""
    counts: dict[tuple[int, int], int] = {}
    for day in days:
        counts[(day.year, day.month)] = counts.get((day.year, day.month), 0) + 1
    if not counts:
        return []
    (year, month), last = min(counts), max(counts)
    result = []
    while (year, month) <= last:
        result.append((date(year, month, 1), counts.get((year, month), 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def small_cells(counts: Mapping[str, int], threshold: int = SMALL_CELL) -> set[str]:
    """The cells of one table to hide in public so that nobody can be singled out.

    Counts from 1 to ``threshold - 1`` are hidden (zero says nothing about anyone).
    When only one cell would be hidden, it could be worked out from the total and the
    others, so the next smallest non-zero cell is hidden with it.
    """
    hidden = {key for key, count in counts.items() if 0 < count < threshold}
    if len(hidden) == 1:
        others = sorted(
            (count, key) for key, count in counts.items() if count > 0 and key not in hidden
        )
        if others:
            hidden.add(others[0][1])
    return hidden
