"""Forms of the public consultation pages: the survey (built from the consultation's
questions), demographics, comments, paper entry and the small action forms.

The survey is not a WTForms class: its fields are the consultation's questions. The
functions here turn a submitted form into ``rules.check_response``'s raw strings
(``parse_survey``), stored answers back into those strings (``raw_from_values``), and
build what ``templates/consultations/_survey_fields.html`` renders (``survey_fields``),
which the builder's preview reuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from participation.consultations import rules
from participation.consultations.models import Consultation, Question
from participation.consultations.rules import AgeBand, Foreigner, Gender, Kind
from participation.core.ids import whole_number

# --- the survey ---------------------------------------------------------------------------


def field_name(question: Question | int) -> str:
    """The form name (and id) of a question's input: ``q<id>``."""
    qid = question if isinstance(question, int) else question.id
    return f"q{qid}"


def parse_survey(consultation: Consultation, formdata) -> dict[int, list[str]]:
    """What the form sent for each question, as ``rules.check_answer`` takes it.

    Checkboxes and radios send their option ids; a ranking sends one rank per option
    (``q<id>-<option id>``); a point sends ``q<id>-lat`` and ``q<id>-lon``.
    """
    raw: dict[int, list[str]] = {}
    for question in consultation.questions:
        name = field_name(question)
        kind = Kind(question.kind)
        if kind == Kind.RANKING:
            raw[question.id] = [formdata.get(f"{name}-{o.id}", "") for o in question.options]
        elif kind == Kind.POINT:
            raw[question.id] = [formdata.get(f"{name}-lat", ""), formdata.get(f"{name}-lon", "")]
        else:
            raw[question.id] = [v for v in formdata.getlist(name)]
    return raw


def _plain_number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def raw_from_values(
    consultation: Consultation, values: Mapping[int, rules.Value]
) -> dict[int, list[str]]:
    """Stored answers (``services.answer_values``) as the strings the form shows."""
    raw: dict[int, list[str]] = {}
    for question in consultation.questions:
        value = values.get(question.id)
        if value is None:
            continue
        kind = Kind(question.kind)
        if kind == Kind.RANKING:
            raw[question.id] = [
                str(value.options.index(o.id) + 1) if o.id in value.options else ""
                for o in question.options
            ]
        elif kind in (Kind.SINGLE, Kind.MULTIPLE):
            raw[question.id] = [str(o) for o in value.options]
        elif kind in rules.TEXT_KINDS:
            raw[question.id] = [value.text or ""]
        elif kind in (Kind.SCALE, Kind.NUMBER):
            raw[question.id] = [_plain_number(value.number)] if value.number is not None else []
        elif kind == Kind.YES_NO:
            raw[question.id] = [] if value.yes is None else ["yes" if value.yes else "no"]
        elif kind == Kind.DATE:
            raw[question.id] = [value.day.isoformat()] if value.day else []
        elif kind == Kind.POINT and value.point is not None:
            raw[question.id] = [f"{value.point[0]:.6f}", f"{value.point[1]:.6f}"]
    return raw


def problem_message(error: rules.Error, question: Question) -> str:
    """A ``rules.Problem`` as a sentence for the respondent."""
    p, params = error.problem, error.params
    kind = Kind(question.kind)
    if p == rules.Problem.REQUIRED:
        if kind in (Kind.SINGLE, Kind.YES_NO, Kind.SCALE):
            return _("Choose an answer: this question is required.")
        if kind == Kind.MULTIPLE:
            return _("Choose at least one option: this question is required.")
        if kind == Kind.RANKING:
            return _("Rank the options: this question is required.")
        if kind == Kind.POINT:
            return _("Mark a place on the map or type its coordinates: this question is required.")
        return _("Answer this question: it is required.")
    if p == rules.Problem.NOT_AN_OPTION:
        return _("Choose one of the options offered.")
    if p == rules.Problem.TOO_FEW:
        return ngettext(
            "Choose at least %(num)d option.", "Choose at least %(num)d options.", params["min"]
        )
    if p == rules.Problem.TOO_MANY:
        return ngettext(
            "Choose at most %(num)d option.", "Choose at most %(num)d options.", params["max"]
        )
    if p == rules.Problem.TOO_LONG:
        return _(
            "Your answer has %(length)d characters; at most %(max)d are allowed. "
            "Shorten it, please.",
            length=params["length"],
            max=params["max"],
        )
    if p == rules.Problem.NOT_A_NUMBER:
        if kind == Kind.SCALE:
            return _("Choose one point of the scale.")
        return _("Enter a number, for example 12 or 3.5.")
    if p == rules.Problem.BELOW_MIN:
        return _("Enter a number of at least %(min)s.", min=params["min"])
    if p == rules.Problem.ABOVE_MAX:
        return _("Enter a number of at most %(max)s.", max=params["max"])
    if p == rules.Problem.NOT_A_DATE:
        return _("Enter a real date as year-month-day, for example 2025-06-30.")
    if p == rules.Problem.RANK_ALL:
        return _("Give every option its own rank, from 1 to %(count)d.", count=params["count"])
    if p == rules.Problem.RANK_TWICE:
        return _("Each rank can be given to one option only.")
    if p == rules.Problem.POINT_HALF:
        return _("Give both the latitude and the longitude as numbers, or click the map.")
    if p == rules.Problem.POINT_OUTSIDE:
        return _("This place is outside the area of the consultation. Choose a place inside it.")
    return _("Check this answer.")


def question_hints(question: Question) -> list[str]:
    """What the respondent should know to answer: limits and how to use the input."""
    kind = Kind(question.kind)
    spec = question.spec
    hints = []
    if kind == Kind.MULTIPLE:
        low, high = question.min_choices or 0, question.max_choices
        if low and high and low == high:
            hints.append(
                ngettext("Choose exactly %(num)d option.", "Choose exactly %(num)d options.", low)
            )
        elif low and high:
            hints.append(_("Choose from %(min)d to %(max)d options.", min=low, max=high))
        elif low:
            hints.append(
                ngettext("Choose at least %(num)d option.", "Choose at least %(num)d options.", low)
            )
        elif high:
            hints.append(
                ngettext("Choose at most %(num)d option.", "Choose at most %(num)d options.", high)
            )
        else:
            hints.append(_("Choose as many options as you like."))
    elif kind in rules.TEXT_KINDS:
        hints.append(
            ngettext("At most %(num)d character.", "At most %(num)d characters.", spec.text_limit)
        )
    elif kind == Kind.RANKING:
        hints.append(
            _(
                "Give each option a rank from 1 (first) to %(count)d; each rank once.",
                count=len(question.options),
            )
        )
    elif kind == Kind.NUMBER:
        low, high = question.number_min, question.number_max
        if low is not None and high is not None:
            hints.append(
                _(
                    "A number from %(min)s to %(max)s.",
                    min=_plain_number(low),
                    max=_plain_number(high),
                )
            )
        elif low is not None:
            hints.append(_("A number of at least %(min)s.", min=_plain_number(low)))
        elif high is not None:
            hints.append(_("A number of at most %(max)s.", max=_plain_number(high)))
    elif kind == Kind.DATE:
        hints.append(_("As year-month-day, for example 2025-06-30."))
    elif kind == Kind.POINT:
        hints.append(
            _(
                "Click the map to mark the place, or type its latitude and longitude. "
                "It must be inside the area of the consultation."
            )
        )
    return hints


def condition_text(question: Question) -> str | None:
    """ "Answer only if you answered …" for a conditional question."""
    target = question.condition_question
    if target is None or question.condition_value is None:
        return None
    if Kind(target.kind) == Kind.YES_NO:
        answer = _("Yes") if question.condition_value == "yes" else _("No")
    else:
        labels = {str(o.id): o.label for o in target.options}
        answer = labels.get(question.condition_value, question.condition_value)
    return _(
        "Answer only if you answered “%(answer)s” to “%(question)s”.",
        answer=answer,
        question=target.text,
    )


@dataclass
class Choice:
    value: str
    label: str
    checked: bool = False


@dataclass
class QuestionField:
    """One question as the survey form shows it, with what was typed and its error."""

    question: Question
    number: int
    raw: list[str]
    error: str | None
    hints: list[str]
    condition: str | None
    choices: list[Choice] = field(default_factory=list)
    ranks: list[tuple[Choice, str]] = field(default_factory=list)  # (option, rank typed)
    map: object | None = None  # a maps.widgets.MapWidget for point questions

    @property
    def kind(self) -> str:
        return Kind(self.question.kind).value

    @property
    def id(self) -> str:
        return field_name(self.question)

    @property
    def name(self) -> str:
        return field_name(self.question)

    @property
    def value(self) -> str:
        return self.raw[0] if self.raw else ""

    @property
    def lat(self) -> str:
        return self.raw[0] if self.raw else ""

    @property
    def lon(self) -> str:
        return self.raw[1] if len(self.raw) > 1 else ""

    @property
    def first_input_id(self) -> str:
        """Where the error summary's link takes the keyboard."""
        if self.choices:
            return f"{self.id}-{self.choices[0].value}"
        if self.ranks:
            return f"{self.id}-{self.ranks[0][0].value}"
        if Kind(self.question.kind) == Kind.POINT:
            return f"{self.id}-lat"
        return self.id

    @property
    def described_by(self) -> str:
        ids = []
        if self.question.help_text:
            ids.append(f"{self.id}-help")
        if self.hints:
            ids.append(f"{self.id}-hint")
        if self.condition:
            ids.append(f"{self.id}-condition")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


@dataclass
class SurveySection:
    section: object
    fields: list[QuestionField]


@dataclass
class SurveyView:
    """What ``_survey_fields.html`` renders: sections of fields, errors, map widgets."""

    sections: list[SurveySection]
    errors: list[QuestionField]

    @property
    def maps(self) -> list:
        return [f.map for s in self.sections for f in s.fields if f.map is not None]

    @property
    def css(self) -> list[str]:
        return list(dict.fromkeys(href for m in self.maps for href in m.css))

    @property
    def js(self) -> list[str]:
        return list(dict.fromkeys(src for m in self.maps for src in m.js))


def survey_fields(
    consultation: Consultation,
    raw: Mapping[int, Sequence[str]] | None = None,
    errors: Mapping[int, rules.Error] | None = None,
    boundary=None,
    with_maps: bool = True,
) -> SurveyView:
    """The survey's fields, filled with ``raw`` (what was typed, or
    ``raw_from_values`` of a stored response) and ``errors`` (from
    ``rules.check_response`` and ``services.check_points``).

    ``boundary`` is outlined on point questions' maps (the consultation's area).
    """
    from participation.maps import widgets

    raw = raw or {}
    errors = errors or {}
    sections = []
    with_errors = []
    number = 0
    for section in consultation.sections:
        fields = []
        for question in section.questions:
            number += 1
            typed = list(raw.get(question.id, ()))
            error = errors.get(question.id)
            kind = Kind(question.kind)
            f = QuestionField(
                question=question,
                number=number,
                raw=typed,
                error=problem_message(error, question) if error else None,
                hints=question_hints(question),
                condition=condition_text(question),
            )
            if kind in (Kind.SINGLE, Kind.MULTIPLE):
                f.choices = [
                    Choice(str(o.id), o.label, str(o.id) in typed) for o in question.options
                ]
            elif kind == Kind.YES_NO:
                f.choices = [
                    Choice("yes", _("Yes"), typed[:1] == ["yes"]),
                    Choice("no", _("No"), typed[:1] == ["no"]),
                ]
            elif kind == Kind.SCALE:
                f.choices = [
                    Choice(str(p), str(p), typed[:1] == [str(p)])
                    for p in range(question.scale_min, question.scale_max + 1)
                ]
            elif kind == Kind.RANKING:
                typed += [""] * (len(question.options) - len(typed))
                f.ranks = [
                    (Choice(str(o.id), o.label), typed[i]) for i, o in enumerate(question.options)
                ]
            elif kind == Kind.POINT and with_maps:
                f.map = widgets.location_picker(
                    boundary,
                    f"{f.id}-lat",
                    f"{f.id}-lon",
                    f"{f.id}-status",
                    label=_(
                        "Map for question %(number)d: click to mark the place, or focus "
                        "the map and press Enter for its centre",
                        number=number,
                    ),
                    placed_text=_("Place marked at {lat}, {lon}."),
                    marker_title=question.text,
                )
            fields.append(f)
            if f.error:
                with_errors.append(f)
        sections.append(SurveySection(section, fields))
    return SurveyView(sections, with_errors)


# --- demographics -------------------------------------------------------------------------

PREFER_NOT = _l("Prefer not to say")
AGE_LABELS = {
    AgeBand.UNDER_18: _l("under 18"),
    AgeBand.FROM_18: _l("18 to 29"),
    AgeBand.FROM_30: _l("30 to 44"),
    AgeBand.FROM_45: _l("45 to 59"),
    AgeBand.FROM_60: _l("60 to 74"),
    AgeBand.FROM_75: _l("75 or older"),
}
GENDER_LABELS = {
    Gender.WOMAN: _l("Woman"),
    Gender.MAN: _l("Man"),
    Gender.OTHER: _lp("gender", "Other"),
}
FOREIGNER_LABELS = {
    Foreigner.NO: _l("No"),
    Foreigner.YES: _l("Yes, I am a foreign national"),
}
# The language a person speaks at home; the platform's languages and the larger
# communities of Czech and Polish towns. Stored as the code (at most 5 characters).
LANGUAGE_LABELS = {
    "cs": _l("Czech"),
    "pl": _l("Polish"),
    "sk": _l("Slovak"),
    "uk": _l("Ukrainian"),
    "vi": _l("Vietnamese"),
    "ru": _l("Russian"),
    "de": _l("German"),
    "en": _l("English"),
    "other": _l("Another language"),
}


def _choices(labels: Mapping) -> list[SelectChoice]:
    return [SelectChoice("", PREFER_NOT)] + [
        SelectChoice(getattr(k, "value", k), label) for k, label in labels.items()
    ]


class DemographicsFields:
    """Voluntary questions about the respondent; mixed into the response forms."""

    age_band = SelectField(_l("Age"), choices=_choices(AGE_LABELS), validators=[Optional()])
    gender = SelectField(_l("Gender"), choices=_choices(GENDER_LABELS), validators=[Optional()])
    home_district = SelectField(_l("District where you live"), choices=[], validators=[Optional()])
    language = SelectField(
        _l("Language you speak at home"),
        choices=_choices(LANGUAGE_LABELS),
        validators=[Optional()],
    )
    foreigner = SelectField(
        _l("Are you a foreign national?"),
        choices=_choices(FOREIGNER_LABELS),
        validators=[Optional()],
    )

    def set_districts(self, districts) -> None:
        self.home_district.choices = [SelectChoice("", PREFER_NOT)] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]

    def demographics(self):
        from participation.consultations.services import Demographics

        return Demographics(
            age_band=AgeBand(self.age_band.data) if self.age_band.data else None,
            gender=Gender(self.gender.data) if self.gender.data else None,
            district_id=whole_number(self.home_district.data),
            language=self.language.data or None,
            foreigner=Foreigner(self.foreigner.data) if self.foreigner.data else None,
        )

    @property
    def demographic_fields(self):
        return [self.age_band, self.gender, self.home_district, self.language, self.foreigner]


class ResponseForm(DemographicsFields, FlaskForm):
    """The survey form's own fields besides the questions: CSRF and demographics."""


class PaperResponseForm(DemographicsFields, FlaskForm):
    paper_reference = StringField(
        _l("Paper form reference"),
        validators=[Optional(), Length(max=100)],
        description=_l("For example the number written on the form, to find it again."),
    )


# --- comments and actions -----------------------------------------------------------------


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(_l("Write your comment."))],
        description=_l(
            "At most %(max)d characters. You can use Markdown: **bold**, lists, links.",
            max=rules.COMMENT_MAX,
        ),
    )


class PaperCommentForm(FlaskForm):
    paragraph = SelectField(_l("Comment on"), choices=[], validators=[Optional()])
    author_name = StringField(
        _l("Author's name as signed"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty when the comment is not signed."),
    )
    body = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(_l("Write the comment as it is on paper."))],
        description=_l("At most %(max)d characters.", max=rules.COMMENT_MAX),
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class WithdrawForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, remove my response"),
        validators=[DataRequired(_l("Tick the box to confirm that your response should go."))],
    )
