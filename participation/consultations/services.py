"""Use cases of e-consultations. Services flush; the request commits.

Each function takes explicit arguments and raises ``ConsultationError`` (a translated
message) when the rules refuse what was asked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from participation.consultations import rules
from participation.consultations.models import (
    Answer,
    AnswerChoice,
    Consultation,
    ConsultationComment,
    ConsultationFollow,
    Demographic,
    DraftSection,
    Option,
    Paragraph,
    Question,
    Reply,
    Response,
    Section,
    Tag,
)
from participation.consultations.rules import Channel, Kind, ReplyStatus, Status
from participation.core import mail
from participation.core.models import Municipality, User, utcnow
from participation.core.signals import (
    account_deleting,
    collecting_home_items,
    collecting_user_data,
)
from participation.extensions import db
from participation.maps import services as maps_services
from participation.maps.models import District


class ConsultationError(ValueError):
    """A refusal with a message for the person who asked."""


# --- consultations ------------------------------------------------------------------------


def consultations_of(municipality: Municipality, include_drafts: bool = False) -> list:
    statement = select(Consultation).where(Consultation.municipality_id == municipality.id)
    if not include_drafts:
        statement = statement.where(Consultation.published_at.is_not(None))
    return list(db.session.scalars(statement.order_by(Consultation.opens_at.desc())))


def grouped(consultations: Iterable[Consultation]) -> dict[str, list[Consultation]]:
    """Open (closing soonest first), upcoming (opening soonest first), closed (latest
    first) and drafts, for the public list and the staff overview."""
    groups: dict[str, list[Consultation]] = {"open": [], "upcoming": [], "closed": [], "draft": []}
    for c in consultations:
        s = c.status
        if s == Status.OPEN:
            groups["open"].append(c)
        elif s == Status.SCHEDULED:
            groups["upcoming"].append(c)
        elif s == Status.DRAFT:
            groups["draft"].append(c)
        else:
            groups["closed"].append(c)
    groups["open"].sort(key=lambda c: c.closes_at)
    groups["upcoming"].sort(key=lambda c: c.opens_at)
    groups["closed"].sort(key=lambda c: c.closes_at, reverse=True)
    return groups


CONSULTATION_FIELDS = (
    "title",
    "summary",
    "decision",
    "decision_maker",
    "area_kind",
    "opens_at",
    "closes_at",
    "has_survey",
    "has_draft",
    "open_comments",
    "anonymous_responses",
    "show_comments",
    "ask_demographics",
    "draft_title",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def save_consultation(
    municipality: Municipality,
    consultation: Consultation | None,
    by: User,
    districts: Sequence[District] = (),
    area=None,
    **fields,
) -> Consultation:
    """Create or update a consultation's details (``CONSULTATION_FIELDS``).

    The area is the whole town, the given districts, or the drawn ``area`` (a shapely
    (Multi)Polygon), as ``area_kind`` says; the other two are cleared.
    """
    unknown = set(fields) - set(CONSULTATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown consultation fields: {sorted(unknown)}")
    if consultation is None:
        consultation = Consultation(municipality_id=municipality.id, created_by_id=by.id)
        db.session.add(consultation)
    for name, value in fields.items():
        setattr(consultation, name, value)
    if (
        fields.get("closes_at")
        and fields.get("opens_at")
        and fields["closes_at"] <= fields["opens_at"]
    ):
        raise ConsultationError(_("The consultation must close after it opens."))
    kind = rules.Area(consultation.area_kind or rules.Area.WHOLE)
    consultation.area_kind = kind
    if any(d.municipality_id != municipality.id for d in districts):
        raise ConsultationError(_("Choose districts of this municipality."))
    if kind == rules.Area.DISTRICTS and not districts:
        raise ConsultationError(_("Choose at least one district, or another area."))
    if kind == rules.Area.DRAWN and area is None and consultation.area is None:
        raise ConsultationError(_("Draw the area on the map, or choose another area."))
    consultation.districts = list(districts) if kind == rules.Area.DISTRICTS else []
    if kind == rules.Area.DRAWN:
        if area is not None:
            consultation.area = _as_multipolygon(area)
    else:
        consultation.area = None
    db.session.flush()
    return consultation


def _as_multipolygon(geometry):
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    if isinstance(geometry, MultiPolygon):
        return geometry
    raise ConsultationError(_("The area must be a polygon."))


def duration_warning(consultation: Consultation) -> str | None:
    """A warning when the consultation is shorter than the municipality's minimum."""
    minimum = consultation.municipality.min_consultation_days or rules.DEFAULT_MIN_DAYS
    if rules.too_short(consultation.opens_at, consultation.closes_at, minimum):
        days = rules.duration_days(consultation.opens_at, consultation.closes_at)
        return _(
            "This consultation is open for %(days)s days, less than the %(minimum)s days "
            "recommended for %(town)s. People may not have time to respond.",
            days=f"{days:.0f}" if days >= 1 else f"{days:.1f}",
            minimum=minimum,
            town=consultation.municipality.name,
        )
    return None


def publish(consultation: Consultation) -> Consultation:
    """Make a draft public: it is scheduled or open by its dates."""
    if consultation.published_at is not None:
        raise ConsultationError(_("This consultation is already published."))
    consultation.published_at = utcnow()
    db.session.flush()
    if consultation.status == Status.OPEN:
        notify_opening(consultation)
    return consultation


def open_now(consultation: Consultation) -> Consultation:
    """Open a scheduled consultation (or a draft) by hand."""
    if consultation.status not in {Status.DRAFT, Status.SCHEDULED}:
        raise ConsultationError(_("Only a draft or scheduled consultation can be opened."))
    now = utcnow()
    if consultation.closes_at <= now:  # checked before anything changes
        raise ConsultationError(_("Its closing date has passed; change the dates first."))
    if consultation.published_at is None:
        consultation.published_at = now
    consultation.opens_at = now
    db.session.flush()
    notify_opening(consultation)
    return consultation


def close_now(consultation: Consultation) -> Consultation:
    """Close an open consultation by hand: from now on, no responses or comments."""
    if consultation.status != Status.OPEN:
        raise ConsultationError(_("Only an open consultation can be closed."))
    consultation.closes_at = utcnow()
    db.session.flush()
    return consultation


# --- the survey ---------------------------------------------------------------------------


def response_count(consultation: Consultation) -> int:
    return db.session.scalar(
        select(func.count(Response.id)).where(
            Response.consultation_id == consultation.id, Response.submitted_at.is_not(None)
        )
    )


def has_responses(consultation: Consultation) -> bool:
    """Whether any response is in (finished, or saved to finish later)."""
    return db.session.scalar(select(exists().where(Response.consultation_id == consultation.id)))


def add_section(consultation: Consultation, title: str, description: str = "") -> Section:
    section = Section(
        consultation=consultation,
        title=title,
        description=description,
        position=len(consultation.sections),
    )
    db.session.add(section)
    db.session.flush()
    return section


def update_section(section: Section, title: str, description: str) -> Section:
    section.title = title
    section.description = description
    db.session.flush()
    return section


def delete_section(section: Section) -> None:
    if section.questions and has_responses(section.consultation):
        raise ConsultationError(
            _("Responses are in: a section with questions can no longer be removed.")
        )
    consultation = section.consultation
    consultation.sections.remove(section)
    _renumber(consultation.sections)
    db.session.flush()


QUESTION_SETTINGS = (
    "kind",
    "text",
    "help_text",
    "required",
    "min_choices",
    "max_choices",
    "scale_min",
    "scale_max",
    "scale_min_label",
    "scale_max_label",
    "number_min",
    "number_max",
    "max_length",
    "condition_question_id",
    "condition_value",
)


def _meaning_label(name: str) -> str:
    labels = {
        "kind": _("the type of question"),
        "required": _("whether an answer is required"),
        "options": _("the options (adding, removing or reordering them)"),
        "min_choices": _("the minimum number of choices"),
        "max_choices": _("the maximum number of choices"),
        "scale_min": _("the scale"),
        "scale_max": _("the scale"),
        "number_min": _("the smallest number allowed"),
        "number_max": _("the largest number allowed"),
        "max_length": _("the length allowed"),
        "condition_question": _("when the question is shown"),
        "condition_value": _("when the question is shown"),
    }
    return labels[name]


def _spec_of(question: Question | None, settings: Mapping, option_ids: tuple[int, ...]):
    return rules.QuestionSpec(
        id=question.id if question is not None and question.id else 0,
        kind=Kind(settings["kind"]),
        required=bool(settings.get("required")),
        options=option_ids,
        min_choices=settings.get("min_choices"),
        max_choices=settings.get("max_choices"),
        scale_min=settings.get("scale_min") or 1,
        scale_max=settings.get("scale_max") or 5,
        number_min=settings.get("number_min"),
        number_max=settings.get("number_max"),
        max_length=settings.get("max_length"),
        condition_question=settings.get("condition_question_id"),
        condition_value=settings.get("condition_value"),
    )


def _structure_message(code: str) -> str:
    messages = {
        "options_needed": _("Give at least two options."),
        "min_choices_range": _(
            "The minimum number of choices must be between 0 and the number of options."
        ),
        "max_choices_range": _(
            "The maximum number of choices must be between 1 and the number of options."
        ),
        "min_above_max": _("The minimum number of choices is above the maximum."),
        "scale_range": _("A scale goes from a lower to a higher number, at most 10 steps."),
        "number_range": _("The smallest number allowed is above the largest."),
        "condition_question": _(
            "A question can only depend on an earlier choice or yes/no question."
        ),
        "condition_value": _("Choose the answer to the earlier question that shows this one."),
    }
    return messages[code]


class StructureError(ConsultationError):
    """Settings of a question that cannot work, one message per problem."""

    def __init__(self, messages: list[str], codes: Sequence[str] = ()):
        super().__init__(" ".join(messages))
        self.messages = messages
        self.codes = list(codes)  # rules.check_structure's codes, to place each message


def _earlier_specs(consultation: Consultation, question: Question | None, section: Section):
    """The questions before ``question`` (or before the end of ``section``)."""
    earlier = {}
    for s in consultation.sections:
        for q in s.questions:
            if question is not None and q.id == question.id:
                return earlier
            earlier[q.id] = q.spec
        if question is None and s.id == section.id:
            return earlier
    return earlier


def add_question(section: Section, options: Sequence[str] = (), **settings) -> Question:
    """Add a question at the end of a section. ``options`` are the option labels for
    choice and ranking questions; ``settings`` are ``QUESTION_SETTINGS``."""
    consultation = section.consultation
    labels = [o.strip() for o in options if o and o.strip()]
    kind = Kind(settings["kind"])
    if kind not in rules.CHOICE_KINDS:
        labels = []
    fake_ids = tuple(range(-len(labels), 0))
    problems = rules.check_structure(
        _spec_of(None, settings, fake_ids), _earlier_specs(consultation, None, section)
    )
    if problems:
        raise StructureError([_structure_message(p) for p in problems], problems)
    question = Question(
        section=section,
        consultation_id=consultation.id,
        position=len(section.questions),
        **{k: settings.get(k) for k in QUESTION_SETTINGS if k in settings},
    )
    question.options = [Option(label=label, position=i) for i, label in enumerate(labels)]
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: Question, options: Sequence[str] = (), **settings) -> Question:
    """Change a question. ``options`` lists the labels in order; an option keeps its id
    (and its answers) when its position is kept, so relabelling is a wording fix.

    Once responses are in, a change of meaning (``rules.meaning_changes``) is refused
    with an explanation; wording fixes stay possible.
    """
    consultation = question.section.consultation
    labels = [o.strip() for o in options if o and o.strip()]
    kind = Kind(settings["kind"])
    if kind not in rules.CHOICE_KINDS:
        labels = []
    existing = list(question.options)
    kept_ids = tuple(o.id for o in existing[: len(labels)])
    new_ids = kept_ids + tuple(range(-1, -1 - max(0, len(labels) - len(existing)), -1))
    new_spec = _spec_of(question, settings, new_ids)
    problems = rules.check_structure(
        new_spec, _earlier_specs(consultation, question, question.section)
    )
    if problems:
        raise StructureError([_structure_message(p) for p in problems], problems)
    if has_responses(consultation):
        changed = rules.meaning_changes(question.spec, new_spec)
        if changed:
            names = sorted({_meaning_label(n) for n in changed})
            raise ConsultationError(
                _(
                    "Responses are already in, so this change would alter what people "
                    "answered: %(what)s. Fixing the wording (the question, help text and "
                    "option labels) is still possible; for a different question, add a "
                    "new one.",
                    what=", ".join(names),
                )
            )
    for name in QUESTION_SETTINGS:
        if name in settings:
            setattr(question, name, settings[name])
    for option, label in zip(existing, labels, strict=False):
        option.label = label
    for option in existing[len(labels) :]:
        question.options.remove(option)
    for i, label in enumerate(labels[len(existing) :], start=len(existing)):
        question.options.append(Option(label=label, position=i))
    db.session.flush()
    return question


def delete_question(question: Question) -> None:
    consultation = question.section.consultation
    if has_responses(consultation):
        raise ConsultationError(_("Responses are in: removing a question would lose its answers."))
    dependants = db.session.scalar(
        select(func.count(Question.id)).where(Question.condition_question_id == question.id)
    )
    if dependants:
        raise ConsultationError(
            _("Another question is shown only for an answer to this one; change it first.")
        )
    section = question.section
    section.questions.remove(question)
    _renumber(section.questions)
    db.session.flush()


def _renumber(items) -> None:
    for i, item in enumerate(items):
        item.position = i


def move(item: Section | Question, step: int) -> None:
    """Move a section or a question up (-1) or down (+1) among its siblings.

    A question may not move above the question its condition depends on, nor below a
    question that depends on it.
    """
    parent, name = (
        (item.consultation, "sections")
        if isinstance(item, Section)
        else (item.section, "questions")
    )
    # A plain copy: swapping inside the relationship's own list would orphan (and so
    # delete) the item that is briefly out of it.
    siblings = list(getattr(parent, name))
    index = siblings.index(item)
    target = index + step
    if not 0 <= target < len(siblings):
        return

    def swap() -> None:
        siblings[index], siblings[target] = siblings[target], siblings[index]
        _renumber(siblings)
        db.session.flush()
        db.session.expire(parent, [name])

    swap()
    consultation = item.consultation
    order = {q.id: i for i, q in enumerate(consultation.questions)}
    for q in consultation.questions:
        if (
            q.condition_question_id is not None
            and order.get(q.condition_question_id, -1) > order[q.id]
        ):
            swap()
            raise ConsultationError(
                _("A question must come after the question whose answer shows it.")
            )


# --- the draft document -------------------------------------------------------------------


@dataclass
class DraftPart:
    """A section of a draft text as parsed (see ``drafts.parse_markdown``)."""

    title: str
    paragraphs: list[str]


def comment_count(consultation: Consultation, paragraphs_only: bool = False) -> int:
    statement = select(func.count(ConsultationComment.id)).where(
        ConsultationComment.consultation_id == consultation.id
    )
    if paragraphs_only:
        statement = statement.where(ConsultationComment.paragraph_id.is_not(None))
    return db.session.scalar(statement)


def replace_draft(consultation: Consultation, title: str, parts: Sequence[DraftPart]) -> None:
    """Replace the draft text by numbered sections and paragraphs.

    Refused once anyone has commented on a paragraph: comments point to paragraphs.
    """
    if comment_count(consultation, paragraphs_only=True):
        raise ConsultationError(
            _("People have commented on the paragraphs, so the draft can no longer be replaced.")
        )
    if not any(part.paragraphs for part in parts):
        raise ConsultationError(_("The draft has no paragraphs to comment on."))
    consultation.draft_sections.clear()
    db.session.flush()
    consultation.draft_title = title
    number = 0
    for part in parts:
        if not part.paragraphs:
            continue
        number += 1
        section = DraftSection(number=number, title=part.title, position=number)
        section.paragraphs = [
            Paragraph(number=i, text=text, position=i)
            for i, text in enumerate(part.paragraphs, start=1)
        ]
        consultation.draft_sections.append(section)
    consultation.has_draft = True
    db.session.flush()


# --- responding ---------------------------------------------------------------------------


def browser_key(token: str) -> str:
    """What we store of an anonymous respondent's browser token: its hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def response_of(
    consultation: Consultation, user: User | None = None, token: str | None = None
) -> Response | None:
    """The online response of this person (signed in) or this browser (anonymous)."""
    if user is not None and user.is_authenticated:
        condition = Response.respondent_id == user.id
    elif token:
        condition = Response.browser_key == browser_key(token)
    else:
        return None
    return db.session.scalar(
        select(Response)
        .where(Response.consultation_id == consultation.id, condition)
        .options(selectinload(Response.answers).selectinload(Answer.choices))
    )


def answer_values(response: Response | None) -> dict[int, rules.Value]:
    """A stored response as checked values, to fill the form again."""
    if response is None:
        return {}
    return {answer.question_id: _value_of(answer) for answer in response.answers}


def _value_of(answer: Answer) -> rules.Value:
    return rules.Value(
        options=tuple(c.option_id for c in sorted(answer.choices, key=lambda c: c.rank)),
        text=answer.text,
        number=answer.number,
        yes=answer.yes,
        day=answer.day,
        point=(answer.lat, answer.lon) if answer.lat is not None else None,
    )


def check_points(
    consultation: Consultation, values: Mapping[int, rules.Value]
) -> dict[int, rules.Error]:
    """Point answers outside the consultation's area."""
    errors = {}
    for qid, value in values.items():
        if value.point is not None and not in_area(consultation, *value.point):
            errors[qid] = rules.Error(rules.Problem.POINT_OUTSIDE)
    return errors


def in_area(consultation: Consultation, lat: float, lon: float) -> bool:
    """Whether a point lies in the consultation's area (the town, districts, drawn)."""
    kind = rules.Area(consultation.area_kind)
    if kind == rules.Area.DRAWN and consultation.area is not None:
        from shapely.geometry import Point

        return consultation.area.covers(Point(lon, lat))
    if not maps_services.contains(consultation.municipality, lat, lon):
        return False
    if kind == rules.Area.DISTRICTS and consultation.districts:
        district = maps_services.locate(consultation.municipality, lat, lon)
        return district is not None and district in consultation.districts
    return True


@dataclass
class Demographics:
    age_band: rules.AgeBand | None = None
    gender: rules.Gender | None = None
    district_id: int | None = None
    language: str | None = None
    foreigner: rules.Foreigner | None = None

    @property
    def empty(self) -> bool:
        return all(getattr(self, f) is None for f in self.__dataclass_fields__)


def save_response(
    consultation: Consultation,
    values: Mapping[int, rules.Value],
    complete: bool,
    respondent: User | None = None,
    token: str | None = None,
    demographics: Demographics | None = None,
    entered_by: User | None = None,
    paper_reference: str | None = None,
) -> Response:
    """Store a response's checked answers (``rules.check_response`` first).

    Online: one response per signed-in person or per browser; a signed-in person may
    save to finish later (``complete`` false) and change it until the close. Paper:
    ``entered_by`` staff, always complete, a new response each time. Demographics go
    to their own unlinked table, once per response.
    """
    paper = entered_by is not None
    if paper:
        response = Response(
            consultation_id=consultation.id,
            channel=Channel.PAPER,
            entered_by_id=entered_by.id,
            paper_reference=paper_reference or None,
        )
        db.session.add(response)
    else:
        if consultation.status != Status.OPEN:
            raise ConsultationError(_("This consultation is not open for responses."))
        response = response_of(consultation, respondent, token)
        if response is None:
            response = Response(
                consultation_id=consultation.id,
                respondent_id=respondent.id if respondent is not None else None,
                browser_key=browser_key(token) if respondent is None and token else None,
            )
            db.session.add(response)
        elif respondent is None and response.submitted:
            raise ConsultationError(_("A response from this browser is already in."))
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ConsultationError(_("A response from you is already in.")) from None
    _store_answers(consultation, response, values)
    now = utcnow()
    response.updated_at = now
    if complete or paper:
        response.submitted_at = response.submitted_at or now
    if demographics is not None and not demographics.empty and not response.demographics_given:
        if demographics.district_id is not None:
            district = db.session.get(District, demographics.district_id)
            if district is None or district.municipality_id != consultation.municipality_id:
                demographics.district_id = None
        db.session.add(
            Demographic(
                consultation_id=consultation.id,
                channel=response.channel,
                **{f: getattr(demographics, f) for f in Demographics.__dataclass_fields__},
            )
        )
        response.demographics_given = True
    db.session.flush()
    return response


def _store_answers(
    consultation: Consultation, response: Response, values: Mapping[int, rules.Value]
) -> None:
    questions = {q.id: q for q in consultation.questions}
    by_question = {a.question_id: a for a in response.answers}
    for qid, answer in list(by_question.items()):
        if qid not in values:
            response.answers.remove(answer)
    db.session.flush()
    for qid, value in values.items():
        question = questions.get(qid)
        if question is None:
            continue
        answer = by_question.get(qid)
        if answer is None:
            answer = Answer(question_id=qid, municipality_id=consultation.municipality_id)
            response.answers.append(answer)
        answer.text = value.text
        answer.number = value.number
        answer.yes = value.yes
        answer.day = value.day
        if value.point is not None:
            answer.lat, answer.lon = value.point
            answer.district = maps_services.locate(consultation.municipality, *value.point)
        else:
            answer.lat = answer.lon = None
            answer.district_id = None
        ranked = question.kind == Kind.RANKING
        answer.choices = [
            AnswerChoice(option_id=option, rank=i if ranked else 1)
            for i, option in enumerate(value.options, start=1)
        ]


def withdraw_response(response: Response) -> None:
    """A respondent removes their own response before the close."""
    db.session.delete(response)
    db.session.flush()


# --- comments -----------------------------------------------------------------------------


def add_comment(
    consultation: Consultation,
    body: str,
    author: User | None = None,
    paragraph: Paragraph | None = None,
    entered_by: User | None = None,
    author_name: str | None = None,
) -> ConsultationComment:
    """An online comment by ``author`` while open, or a paper one ``entered_by`` staff."""
    body = (body or "").strip()
    if not body:
        raise ConsultationError(_("Write your comment."))
    if len(body) > rules.COMMENT_MAX:
        raise ConsultationError(
            _(
                "A comment can be at most %(max)d characters long; this one has %(length)d.",
                max=rules.COMMENT_MAX,
                length=len(body),
            )
        )
    if paragraph is not None and paragraph.section.consultation_id != consultation.id:
        raise ConsultationError(_("This paragraph is not part of the consultation's draft."))
    paper = entered_by is not None
    if not paper and consultation.status != Status.OPEN:
        raise ConsultationError(_("This consultation is not open for comments."))
    comment = ConsultationComment(
        consultation_id=consultation.id,
        paragraph_id=paragraph.id if paragraph is not None else None,
        author_id=author.id if author is not None and not paper else None,
        author_name=(author_name or "").strip() or None if paper else None,
        channel=Channel.PAPER if paper else Channel.ONLINE,
        entered_by_id=entered_by.id if paper else None,
        body=body,
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def comments_of(
    consultation: Consultation, paragraph: Paragraph | None = None
) -> list[ConsultationComment]:
    statement = select(ConsultationComment).where(
        ConsultationComment.consultation_id == consultation.id
    )
    if paragraph is not None:
        statement = statement.where(ConsultationComment.paragraph_id == paragraph.id)
    return list(
        db.session.scalars(
            statement.order_by(ConsultationComment.created_at, ConsultationComment.id)
        )
    )


def comment_counts_by_paragraph(consultation: Consultation) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(ConsultationComment.paragraph_id, func.count(ConsultationComment.id))
            .where(
                ConsultationComment.consultation_id == consultation.id,
                ConsultationComment.paragraph_id.is_not(None),
            )
            .group_by(ConsultationComment.paragraph_id)
        ).all()
    )


# --- inputs and replies -------------------------------------------------------------------


@dataclass
class Input:
    """One thing a person said, to be answered: a comment or a free-text answer."""

    kind: str  # "paragraph", "open" or "survey"
    channel: Channel
    text: str
    created_at: datetime
    comment: ConsultationComment | None = None
    answer: Answer | None = None
    reply: Reply | None = None

    @property
    def key(self) -> str:
        return f"c{self.comment.id}" if self.comment is not None else f"a{self.answer.id}"


def inputs_of(consultation: Consultation) -> list[Input]:
    """Every input, with its reply if answered: paragraph comments in the draft's order,
    then open comments, then free-text survey answers by question, each by date."""
    replies_c = {
        r.comment_id: r
        for r in db.session.scalars(
            select(Reply).where(
                Reply.consultation_id == consultation.id, Reply.comment_id.is_not(None)
            )
        )
    }
    replies_a = {
        r.answer_id: r
        for r in db.session.scalars(
            select(Reply).where(
                Reply.consultation_id == consultation.id, Reply.answer_id.is_not(None)
            )
        )
    }
    paragraph_order = {
        p.id: (s.position, p.position) for s in consultation.draft_sections for p in s.paragraphs
    }
    comments = comments_of(consultation)
    result = []
    for comment in sorted(
        (c for c in comments if c.paragraph_id is not None),
        key=lambda c: (paragraph_order.get(c.paragraph_id, (0, 0)), c.created_at, c.id),
    ):
        result.append(
            Input(
                "paragraph",
                comment.channel,
                comment.body,
                comment.created_at,
                comment=comment,
                reply=replies_c.get(comment.id),
            )
        )
    for comment in (c for c in comments if c.paragraph_id is None):
        result.append(
            Input(
                "open",
                comment.channel,
                comment.body,
                comment.created_at,
                comment=comment,
                reply=replies_c.get(comment.id),
            )
        )
    question_order = {q.id: i for i, q in enumerate(consultation.questions)}
    answers = db.session.scalars(
        select(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.consultation_id == consultation.id,
            Response.submitted_at.is_not(None),
            Question.kind.in_([Kind.SHORT_TEXT, Kind.LONG_TEXT]),
            Answer.text.is_not(None),
        )
        .options(selectinload(Answer.response), selectinload(Answer.tags))
    ).all()
    for answer in sorted(
        answers, key=lambda a: (question_order.get(a.question_id, 0), a.response.submitted_at, a.id)
    ):
        result.append(
            Input(
                "survey",
                answer.response.channel,
                answer.text,
                answer.response.submitted_at,
                answer=answer,
                reply=replies_a.get(answer.id),
            )
        )
    return result


def unanswered_count(consultation: Consultation) -> int:
    return sum(1 for i in inputs_of(consultation) if i.reply is None)


def reply_to(
    consultation: Consultation,
    target: ConsultationComment | Answer,
    status: ReplyStatus,
    justification: str,
    by: User,
) -> Reply:
    """Answer one input (or change the answer) with a status and a justification."""
    justification = (justification or "").strip()
    if not justification:
        raise ConsultationError(_("Write a justification: the report shows it to the author."))
    if consultation.status == Status.REPORT_PUBLISHED:
        raise ConsultationError(_("The report is published; its answers no longer change."))
    if isinstance(target, ConsultationComment):
        if target.consultation_id != consultation.id:
            raise ConsultationError(_("This input is not part of the consultation."))
        reply = db.session.scalar(select(Reply).where(Reply.comment_id == target.id))
        keys = {"comment_id": target.id}
    else:
        if target.response.consultation_id != consultation.id or target.question.kind not in (
            rules.TEXT_KINDS
        ):
            raise ConsultationError(_("This input is not part of the consultation."))
        reply = db.session.scalar(select(Reply).where(Reply.answer_id == target.id))
        keys = {"answer_id": target.id}
    if reply is None:
        reply = Reply(consultation_id=consultation.id, **keys)
        db.session.add(reply)
    reply.status = status
    reply.justification = justification
    reply.replied_by_id = by.id
    reply.replied_at = utcnow()
    db.session.flush()
    return reply


def set_tags(consultation: Consultation, answer: Answer, names: Iterable[str]) -> list[Tag]:
    """Tag a free-text answer; tags are made on first use, per consultation."""
    wanted = sorted({n.strip()[:60] for n in names if n and n.strip()}, key=str.casefold)
    existing = {
        t.name: t
        for t in db.session.scalars(select(Tag).where(Tag.consultation_id == consultation.id))
    }
    tags = []
    for name in wanted:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(consultation_id=consultation.id, name=name)
            db.session.add(tag)
        tags.append(tag)
    answer.tags = tags
    db.session.flush()
    return tags


def publish_report(consultation: Consultation, intro: str, by: User) -> Consultation:
    """Publish the final report once every input has its answer, and tell followers."""
    if consultation.status != Status.CLOSED:
        raise ConsultationError(_("The report is published after the consultation closes."))
    missing = unanswered_count(consultation)
    if missing:
        raise ConsultationError(
            _(
                "Answer every input before publishing the report: %(count)d still without "
                "an answer.",
                count=missing,
            )
        )
    consultation.report_intro = (intro or "").strip()
    consultation.report_published_at = utcnow()
    db.session.flush()
    notify_followers(consultation, "consultation_report")
    return consultation


# --- follows and notices ------------------------------------------------------------------


def is_following(
    user: User | None, municipality: Municipality, consultation: Consultation | None
) -> bool:
    if user is None or not user.is_authenticated:
        return False
    condition = (
        ConsultationFollow.consultation_id.is_(None)
        if consultation is None
        else ConsultationFollow.consultation_id == consultation.id
    )
    return db.session.scalar(
        select(
            exists().where(
                ConsultationFollow.user_id == user.id,
                ConsultationFollow.municipality_id == municipality.id,
                condition,
            )
        )
    )


def follow(user: User, municipality: Municipality, consultation: Consultation | None) -> None:
    """ConsultationFollow one consultation, or (``consultation`` None) all of the municipality's."""
    if is_following(user, municipality, consultation):
        return
    db.session.add(
        ConsultationFollow(
            user_id=user.id,
            municipality_id=municipality.id,
            consultation_id=consultation.id if consultation is not None else None,
        )
    )
    db.session.flush()


def unfollow(user: User, municipality: Municipality, consultation: Consultation | None) -> None:
    condition = (
        ConsultationFollow.consultation_id.is_(None)
        if consultation is None
        else ConsultationFollow.consultation_id == consultation.id
    )
    db.session.execute(
        delete(ConsultationFollow).where(
            ConsultationFollow.user_id == user.id,
            ConsultationFollow.municipality_id == municipality.id,
            condition,
        )
    )
    db.session.flush()


def followers(consultation: Consultation) -> list[User]:
    """Who follows this consultation or all of its municipality's, once each."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.deleted_at.is_(None),
                User.notify_status_changes.is_(True),
                User.id.in_(
                    select(ConsultationFollow.user_id).where(
                        ConsultationFollow.municipality_id == consultation.municipality_id,
                        or_(
                            ConsultationFollow.consultation_id.is_(None),
                            ConsultationFollow.consultation_id == consultation.id,
                        ),
                    )
                ),
            )
            .order_by(User.id)
        )
    )


def consultation_link(consultation: Consultation) -> str:
    return url_for(
        "consultations.consultation",
        slug=consultation.municipality.slug,
        consultation_id=consultation.id,
        _external=True,
    )


def notify_followers(consultation: Consultation, template: str) -> int:
    """Mail followers (``consultation_opened``, ``consultation_closing`` or
    ``consultation_report``). Sent inline; there is no job queue yet."""
    users = followers(consultation)
    link = consultation_link(consultation) if users else ""
    for user in users:
        mail.send(
            mail.render_mail(
                user.email,
                user.language,
                template,
                user=user,
                consultation=consultation,
                link=link,
            )
        )
    return len(users)


def notify_opening(consultation: Consultation) -> None:
    if consultation.opening_notice_sent_at is None:
        consultation.opening_notice_sent_at = utcnow()
        notify_followers(consultation, "consultation_opened")


def send_due_notices(now: datetime | None = None) -> dict[str, int]:
    """Send the notices that are due: consultations that have opened, and those that
    close within a week. Run it every hour (``participation consultations notify``)."""
    now = now or utcnow()
    sent = {"opened": 0, "closing": 0}
    candidates = db.session.scalars(
        select(Consultation).where(
            Consultation.published_at.is_not(None),
            Consultation.report_published_at.is_(None),
            Consultation.opens_at <= now,
            Consultation.closes_at > now,
            or_(
                Consultation.opening_notice_sent_at.is_(None),
                Consultation.closing_notice_sent_at.is_(None),
            ),
        )
    ).all()
    for consultation in candidates:
        if consultation.opening_notice_sent_at is None:
            consultation.opening_notice_sent_at = now
            notify_followers(consultation, "consultation_opened")
            sent["opened"] += 1
        if rules.closing_reminder_due(
            consultation.closes_at,
            consultation.opens_at,
            now,
            consultation.closing_notice_sent_at is not None,
        ):
            consultation.closing_notice_sent_at = now
            notify_followers(consultation, "consultation_closing")
            sent["closing"] += 1
    db.session.flush()
    return sent


# --- what other modules ask -----------------------------------------------------------


@collecting_home_items.connect
def _home_items(municipality: Municipality, open_now: list, coming_next: list) -> None:
    groups = grouped(consultations_of(municipality))
    for c in groups["open"]:
        open_now.append(
            {
                "title": c.title,
                "url": url_for(
                    "consultations.consultation", slug=municipality.slug, consultation_id=c.id
                ),
            }
        )
    for c in groups["upcoming"]:
        coming_next.append(
            {
                "title": c.title,
                "url": url_for(
                    "consultations.consultation", slug=municipality.slug, consultation_id=c.id
                ),
            }
        )


@collecting_user_data.connect
def _user_data(user: User, data: dict) -> None:
    responses = db.session.scalars(
        select(Response)
        .where(Response.respondent_id == user.id)
        .options(selectinload(Response.answers).selectinload(Answer.choices))
    ).all()
    data["consultation_responses"] = [
        {
            "consultation": r.consultation_id,
            "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
            "answers": [
                {
                    "question": a.question_id,
                    "options": [c.option_id for c in a.choices],
                    "text": a.text,
                    "number": a.number,
                    "yes": a.yes,
                    "date": a.day.isoformat() if a.day else None,
                    "latitude": a.lat,
                    "longitude": a.lon,
                }
                for a in r.answers
            ],
        }
        for r in responses
    ]
    data["consultation_comments"] = [
        {
            "consultation": c.consultation_id,
            "paragraph": c.paragraph_id,
            "body": c.body,
            "created_at": c.created_at.isoformat(),
        }
        for c in db.session.scalars(
            select(ConsultationComment).where(ConsultationComment.author_id == user.id)
        )
    ]


@account_deleting.connect
def _anonymise(user: User) -> None:
    # Submitted responses and comments stay, without their author (they count in the
    # results and have answers in reports); unfinished responses and follows go.
    db.session.execute(
        delete(Response).where(Response.respondent_id == user.id, Response.submitted_at.is_(None))
    )
    db.session.execute(
        update(Response).where(Response.respondent_id == user.id).values(respondent_id=None)
    )
    db.session.execute(
        update(ConsultationComment)
        .where(ConsultationComment.author_id == user.id)
        .values(author_id=None)
    )
    db.session.execute(delete(ConsultationFollow).where(ConsultationFollow.user_id == user.id))
