"""A consultation's results gathered from the database into plain structures: the
respondents, each question's figures, the respondents' demographics beside the
population, and the rows of the exports.

The arithmetic lives in ``rules`` (``tally``, ``representativeness``, ``first_places``,
``by_month``, ``small_cells``); this module only reads and arranges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from participation.consultations import rules, services
from participation.consultations.models import (
    Answer,
    Consultation,
    Demographic,
    Paragraph,
    Question,
    Response,
)
from participation.consultations.rules import Channel, Kind
from participation.core.ids import whole_number
from participation.extensions import db
from participation.maps import services as maps_services
from participation.maps.models import District, DistrictPopulation

NOT_STATED = "not_stated"
DEMOGRAPHIC_FIELDS = ("age_band", "gender", "district", "language", "foreigner")


@dataclass
class Bar:
    """One row of a chart and of its table: a label, a count and its share in percent."""

    label: str
    count: int
    share: float


@dataclass
class TextAnswer:
    answer_id: int
    text: str
    tags: list[str]
    channel: Channel


@dataclass
class QuestionResult:
    """One question's figures. Which fields are filled depends on ``kind``."""

    question: Question
    number: int  # its place in the survey, from 1
    kind: Kind
    answered: int
    bars: list[Bar] = field(default_factory=list)  # the chart (and table) rows
    mean: float | None = None  # scale
    ranking: list[tuple[str, float | None, int, float]] = field(default_factory=list)
    summary: dict[str, float] = field(default_factory=dict)  # number: min, median, mean, max
    earliest: date | None = None
    latest: date | None = None
    texts: list[TextAnswer] = field(default_factory=list)
    tags: list[Bar] = field(default_factory=list)
    by_district: dict[int, int] = field(default_factory=dict)  # point: district id -> count
    points: list[tuple[float, float]] = field(default_factory=list)  # point: (lat, lon)


@dataclass
class Respondents:
    online: int
    paper: int

    @property
    def total(self) -> int:
        return self.online + self.paper


@dataclass
class GroupRow:
    """One group of a demographic table; ``None`` figures are hidden (or unknown)."""

    key: str
    count: int | None
    share: float | None  # among those who said
    population: int | None = None
    population_share: float | None = None
    ratio: float | None = None  # share among respondents / share of the population


@dataclass
class DemographicTable:
    key: str  # one of DEMOGRAPHIC_FIELDS
    rows: list[GroupRow]
    stated: int
    has_population: bool
    hidden: bool  # some cells are hidden


@dataclass
class Demographics:
    given: int  # respondents who answered any demographic question
    tables: list[DemographicTable]
    district_names: dict[str, str]

    @property
    def hidden(self) -> bool:
        return any(t.hidden for t in self.tables)


@dataclass
class Results:
    consultation: Consultation
    respondents: Respondents
    questions: list[QuestionResult]


# --- respondents and questions ------------------------------------------------------------


def respondents(consultation: Consultation) -> Respondents:
    """Submitted responses, online and paper (drafts do not count)."""
    counts = dict(
        db.session.execute(
            select(Response.channel, func.count(Response.id))
            .where(Response.consultation_id == consultation.id, Response.submitted_at.is_not(None))
            .group_by(Response.channel)
        ).all()
    )
    return Respondents(online=counts.get(Channel.ONLINE, 0), paper=counts.get(Channel.PAPER, 0))


def submitted_responses(consultation: Consultation) -> list[Response]:
    return list(
        db.session.scalars(
            select(Response)
            .where(Response.consultation_id == consultation.id, Response.submitted_at.is_not(None))
            .options(
                selectinload(Response.answers).selectinload(Answer.choices),
                selectinload(Response.answers).selectinload(Answer.tags),
                selectinload(Response.entered_by),
            )
            .order_by(Response.submitted_at, Response.id)
        )
    )


def gather(consultation: Consultation) -> Results:
    """Every question's figures, in survey order, from the submitted responses."""
    responses = submitted_responses(consultation)
    values: dict[int, list[rules.Value]] = {}
    answers: dict[int, list[tuple[Answer, Response]]] = {}
    for response in responses:
        stored = services.answer_values(response)
        for answer in response.answers:
            values.setdefault(answer.question_id, []).append(stored[answer.question_id])
            answers.setdefault(answer.question_id, []).append((answer, response))
    questions = [
        _question_result(q, n, values.get(q.id, []), answers.get(q.id, []))
        for n, q in enumerate(consultation.questions, start=1)
    ]
    return Results(consultation, respondents(consultation), questions)


def _labels(question: Question) -> dict[int, str]:
    return {o.id: o.label for o in question.options}


def _bars(counts: Sequence[tuple[str, int]], base: int) -> list[Bar]:
    return [Bar(label, count, rules.share(count, base)) for label, count in counts]


def _question_result(
    question: Question, number: int, values: list[rules.Value], answers: list
) -> QuestionResult:
    spec = question.spec
    kind = spec.kind
    labels = _labels(question)
    tally = rules.tally(spec, values, labels)
    result = QuestionResult(question, number, kind, tally.answered)
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        # Multiple choice: each option's share of the people who answered (sums above 100).
        result.bars = _bars(tally.counts, tally.answered)
    elif kind == Kind.YES_NO:
        names = {"yes": _("Yes"), "no": _("No")}
        result.bars = _bars([(names[k], c) for k, c in tally.counts], tally.answered)
    elif kind == Kind.SCALE:
        ends = {
            str(spec.scale_min): question.scale_min_label,
            str(spec.scale_max): question.scale_max_label,
        }
        counts = [
            (f"{point} ({ends[point]})" if ends.get(point) else point, count)
            for point, count in tally.counts
        ]
        result.bars = _bars(counts, tally.answered)
        result.mean = tally.summary.get("mean")
    elif kind == Kind.RANKING:
        firsts = rules.first_places(spec, values)
        mean_rank = dict(tally.mean_rank)
        result.bars = _bars([(labels[o], firsts[o]) for o in spec.options], tally.answered)
        rows = [
            (
                labels[o],
                mean_rank.get(labels[o]),
                firsts[o],
                rules.share(firsts[o], tally.answered),
            )
            for o in spec.options
        ]
        # Best (lowest) mean rank first; options nobody ranked last.
        result.ranking = sorted(rows, key=lambda r: (r[1] is None, r[1] or 0))
    elif kind == Kind.NUMBER:
        result.summary = tally.summary
    elif kind == Kind.DATE:
        days = [v.day for v in values if v.day is not None]
        if days:
            result.earliest, result.latest = min(days), max(days)
        months = [(format_date(month, "LLLL y"), n) for month, n in rules.by_month(days)]
        result.bars = _bars(months, len(days))
    elif kind in rules.TEXT_KINDS:
        tag_counts: dict[str, int] = {}
        for answer, response in answers:
            if not answer.text:
                continue
            names = [t.name for t in answer.tags]
            result.texts.append(TextAnswer(answer.id, answer.text, names, response.channel))
            for name in names:
                tag_counts[name] = tag_counts.get(name, 0) + 1
        result.tags = _bars(
            sorted(tag_counts.items(), key=lambda item: (-item[1], item[0].casefold())),
            len(result.texts),
        )
    elif kind == Kind.POINT:
        for answer, _response in answers:
            if answer.lat is None:
                continue
            result.points.append((answer.lat, answer.lon))
            result.by_district[answer.district_id] = (
                result.by_district.get(answer.district_id, 0) + 1
            )
    return result


def district_bars(result: QuestionResult, districts: Sequence[District]) -> list[Bar]:
    """A point question's answers by district (every district, then those outside)."""
    rows = [(d.name, result.by_district.get(d.id, 0)) for d in districts]
    known = {d.id for d in districts}
    outside = sum(n for district_id, n in result.by_district.items() if district_id not in known)
    if outside:
        rows.append((_("In no district"), outside))
    return _bars(rows, result.answered)


# --- demographics -------------------------------------------------------------------------


def _districts_in_scope(consultation: Consultation) -> list[District]:
    """Whose population the respondents are compared with: the consultation's districts,
    or all of the town's; none for an area drawn on the map (its population is unknown)."""
    kind = rules.Area(consultation.area_kind)
    if kind == rules.Area.DISTRICTS:
        return list(consultation.districts)
    if kind == rules.Area.DRAWN:
        return []
    return maps_services.districts_of(consultation.municipality)


def _population(districts: Sequence[District]) -> dict[str, dict[str, int]]:
    """Residents by age band, by gender and by district, where the town gave them."""
    population: dict[str, dict[str, int]] = {"age_band": {}, "gender": {}, "district": {}}
    if not districts:
        return population
    ids = [d.id for d in districts]
    groups = db.session.scalars(
        select(DistrictPopulation).where(DistrictPopulation.district_id.in_(ids))
    ).all()
    for key, other in (("age_band", "gender"), ("gender", "age_band")):
        totals: dict[str, int] = {}
        split: dict[str, int] = {}
        for g in groups:
            value = getattr(g, key)
            if value == "all":
                continue
            # A group's total row ("all" of the other dimension) wins over its parts.
            target = totals if getattr(g, other) == "all" else split
            target[value] = target.get(value, 0) + g.residents
        population[key] = {**split, **totals}
    for d in districts:
        total_row = next(
            (g for g in groups if g.district_id == d.id and g.age_band == g.gender == "all"),
            None,
        )
        residents = (
            d.population if d.population is not None else getattr(total_row, "residents", None)
        )
        if residents:
            population["district"][str(d.id)] = residents
    return population


def demographics(consultation: Consultation, public: bool) -> Demographics:
    """The respondents' demographics, aggregated; in public, small cells are hidden
    (``rules.small_cells``) so that nobody can be recognised."""
    people = db.session.scalars(
        select(Demographic).where(Demographic.consultation_id == consultation.id)
    ).all()
    scope = _districts_in_scope(consultation)
    population = _population(scope)
    names = {str(d.id): d.name for d in maps_services.districts_of(consultation.municipality)}
    groups = {
        "age_band": [b.value for b in rules.AgeBand],
        "gender": [g.value for g in rules.Gender],
        "district": [str(d.id) for d in scope],
        "language": [],
        "foreigner": [f.value for f in rules.Foreigner],
    }
    tables = []
    for key in DEMOGRAPHIC_FIELDS:
        counts: dict[str, int] = dict.fromkeys(groups[key], 0)
        for person in people:
            raw = person.district_id if key == "district" else getattr(person, key)
            value = NOT_STATED if raw is None else str(getattr(raw, "value", raw))
            counts[value] = counts.get(value, 0) + 1
        counts.setdefault(NOT_STATED, 0)
        tables.append(_table(key, counts, population.get(key, {}), public))
    return Demographics(len(people), tables, names)


def _table(key: str, counts: dict[str, int], population: dict[str, int], public: bool):
    stated = {k: n for k, n in counts.items() if k != NOT_STATED}
    stated_total = sum(stated.values())
    hidden = rules.small_cells(counts) if public else set()
    population = {k: n for k, n in population.items() if k in stated}
    ratios = rules.representativeness(stated, population) if population else {}
    population_total = sum(population.values())
    rows = []
    for group, count in counts.items():
        if group == NOT_STATED and not count:
            continue
        shown = group not in hidden
        pop = population.get(group)
        rows.append(
            GroupRow(
                key=group,
                count=count if shown else None,
                share=rules.share(count, stated_total) if shown and group != NOT_STATED else None,
                population=pop,
                population_share=rules.share(pop, population_total) if pop else None,
                ratio=ratios.get(group) if shown else None,
            )
        )
    return DemographicTable(key, rows, stated_total, bool(population), bool(hidden))


# --- exports ------------------------------------------------------------------------------


@dataclass
class Column:
    name: str
    question: Question | None = None
    part: str = ""  # for a point: "lat", "lon" or "district"


def export_columns(consultation: Consultation) -> list[Column]:
    columns = [
        Column(n) for n in ("id", "channel", "submitted_at", "entered_by", "paper_reference")
    ]
    for n, question in enumerate(consultation.questions, start=1):
        if question.kind == Kind.POINT:
            columns += [
                Column(f"q{n}_{part}", question, part) for part in ("lat", "lon", "district")
            ]
        else:
            columns.append(Column(f"q{n}", question))
    return columns


def export_rows(consultation: Consultation) -> tuple[list[str], list[dict]]:
    """One row per submitted response: who entered it (paper), then one column per
    question (a point takes three: latitude, longitude, district)."""
    columns = export_columns(consultation)
    districts = {d.id: d.name for d in maps_services.districts_of(consultation.municipality)}
    rows = []
    for response in submitted_responses(consultation):
        by_question = {a.question_id: a for a in response.answers}
        paper = response.channel == Channel.PAPER
        row = {
            "id": response.id,
            "channel": Channel(response.channel).value,
            "submitted_at": response.submitted_at.isoformat(),
            "entered_by": response.entered_by.display_name if paper and response.entered_by else "",
            "paper_reference": response.paper_reference or "",
        }
        for column in columns[5:]:
            answer = by_question.get(column.question.id)
            row[column.name] = _cell(column, answer, districts)
        rows.append(row)
    return [c.name for c in columns], rows


def _cell(column: Column, answer: Answer | None, districts: dict[int, str]):
    if answer is None:
        return None
    question = column.question
    kind = Kind(question.kind)
    labels = _labels(question)
    if kind == Kind.RANKING:
        ranked = sorted(answer.choices, key=lambda c: c.rank)
        return "; ".join(f"{c.rank}. {labels.get(c.option_id, c.option_id)}" for c in ranked)
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        order = {o.id: o.position for o in question.options}
        chosen = sorted(answer.choices, key=lambda c: order.get(c.option_id, 0))
        return "; ".join(labels.get(c.option_id, str(c.option_id)) for c in chosen)
    if kind in rules.TEXT_KINDS:
        return answer.text
    if kind in (Kind.NUMBER, Kind.SCALE):
        return _plain(answer.number)
    if kind == Kind.YES_NO:
        return None if answer.yes is None else ("yes" if answer.yes else "no")
    if kind == Kind.DATE:
        return answer.day
    if kind == Kind.POINT:
        if column.part == "district":
            return districts.get(answer.district_id, "")
        return answer.lat if column.part == "lat" else answer.lon
    return None


def _plain(number: float | None):
    if number is None:
        return None
    return int(number) if float(number).is_integer() else number


CODEBOOK_COLUMNS = ("column", "question", "kind", "options", "required", "condition")


def codebook(consultation: Consultation) -> list[dict]:
    """What each export column holds: the question, its kind, options with their ids,
    whether it was required and when it was shown."""
    numbers = {q.id: n for n, q in enumerate(consultation.questions, start=1)}
    fixed = {
        "id": _("Number of the response"),
        "channel": _("online or paper"),
        "submitted_at": _("When the response was submitted (UTC)"),
        "entered_by": _("Who entered a paper response"),
        "paper_reference": _("The paper form's reference"),
    }
    rows = []
    for column in export_columns(consultation):
        question = column.question
        if question is None:
            rows.append({"column": column.name, "question": fixed[column.name]})
            continue
        kind = Kind(question.kind)
        text = question.text
        if column.part:
            part = {"lat": _("latitude"), "lon": _("longitude"), "district": _("district")}
            text = f"{text} ({part[column.part]})"
        condition = ""
        if question.condition_question_id is not None:
            target = question.condition_question
            value = question.condition_value or ""
            if (number := whole_number(value)) is not None:
                value = _labels(target).get(number, value)
            condition = _(
                "shown when q%(number)s is “%(value)s”",
                number=numbers.get(question.condition_question_id, "?"),
                value=value,
            )
        if kind == Kind.YES_NO:
            options = "yes; no"
        elif kind == Kind.SCALE:
            options = f"{question.scale_min}–{question.scale_max}"
        else:
            options = "; ".join(f"{o.id}: {o.label}" for o in question.options)
        rows.append(
            {
                "column": column.name,
                "question": text,
                "kind": kind.value,
                "options": options,
                "required": "yes" if question.required else "no",
                "condition": condition,
            }
        )
    return rows


def point_rows(consultation: Consultation) -> list[dict]:
    """The point answers of submitted responses for GeoJSON: the place, the question and
    the district, nothing about who answered."""
    numbers = {q.id: n for n, q in enumerate(consultation.questions, start=1)}
    districts = {d.id: d.name for d in maps_services.districts_of(consultation.municipality)}
    answers = db.session.scalars(
        select(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.consultation_id == consultation.id,
            Response.submitted_at.is_not(None),
            Question.kind == Kind.POINT,
            Answer.lat.is_not(None),
        )
        .options(selectinload(Answer.question))
    ).all()
    answers = sorted(answers, key=lambda a: (numbers.get(a.question_id, 0), a.lat, a.lon))
    return [
        {
            "question": f"q{numbers.get(a.question_id)}",
            "question_text": a.question.text,
            "district": districts.get(a.district_id, ""),
            "latitude": a.lat,
            "longitude": a.lon,
        }
        for a in answers
    ]


# --- the final report ---------------------------------------------------------------------


@dataclass
class Report:
    """Every input grouped as the report shows it, and the figures above it."""

    respondents: Respondents
    comments_online: int
    comments_paper: int
    paragraphs: list[tuple[Paragraph, list[services.Input]]]
    open_comments: list[services.Input]
    survey: list[tuple[Question, list[services.Input]]]
    statuses: list[tuple[rules.ReplyStatus | None, int, float]]
    total: int


def report(consultation: Consultation) -> Report:
    inputs = services.inputs_of(consultation)
    by_paragraph: dict[int, list[services.Input]] = {}
    by_question: dict[int, list[services.Input]] = {}
    open_comments = []
    for item in inputs:
        if item.kind == "paragraph":
            by_paragraph.setdefault(item.comment.paragraph_id, []).append(item)
        elif item.kind == "open":
            open_comments.append(item)
        else:
            by_question.setdefault(item.answer.question_id, []).append(item)
    paragraphs = [
        (p, by_paragraph[p.id])
        for s in consultation.draft_sections
        for p in s.paragraphs
        if p.id in by_paragraph
    ]
    survey = [(q, by_question[q.id]) for q in consultation.questions if q.id in by_question]
    counts: dict[rules.ReplyStatus | None, int] = dict.fromkeys(rules.ReplyStatus, 0)
    for item in inputs:
        key = rules.ReplyStatus(item.reply.status) if item.reply is not None else None
        counts[key] = counts.get(key, 0) + 1
    statuses = [
        (status, n, rules.share(n, len(inputs)))
        for status, n in counts.items()
        if status is not None or n
    ]
    comments = [i for i in inputs if i.comment is not None]
    paper = sum(1 for i in comments if i.channel == Channel.PAPER)
    return Report(
        respondents=respondents(consultation),
        comments_online=len(comments) - paper,
        comments_paper=paper,
        paragraphs=paragraphs,
        open_comments=open_comments,
        survey=survey,
        statuses=statuses,
        total=len(inputs),
    )
