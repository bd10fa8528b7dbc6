"""Forms of the public side of participatory budgeting: proving who may vote, the ballot,
and the receipt check.

The ballot's controls (one per project, their kind set by the pool's voting method) are
not WTForms fields: a pool has any number of projects and the page renders them itself.
``BallotForm`` carries the CSRF token and the voter's action; :func:`ballot_values` reads
the controls from the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from participation.core.ids import signed_whole_number, whole_number

BIRTH_YEAR_RANGE = (1900, 2100)
CONTROL_PREFIX = "p-"

# WTForms' own messages are in English, or its catalog's ("Hodnota čísla má být mezi 1900
# and 2100."): each validator here says its own, translated.
TOO_LONG = _l("Enter at most %(max)d characters.")


def birth_year_range() -> NumberRange:
    return NumberRange(*BIRTH_YEAR_RANGE, message=_l("Enter a year from %(min)d to %(max)d."))


class YearField(IntegerField):
    """A year written with the digits 0-9. Anything else gets one message, not also the
    range's (the year is then unknown)."""

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if raw:
            self.data = whole_number(raw)
            if self.data is None:
                raise ValueError(_("Enter the year in digits, for example 1984."))

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class EmailIdentifyForm(FlaskForm):
    """A signed-in voter with a confirmed email declares where they live and their age."""

    district = SelectField(_l("The district you live in"), choices=[], validate_choice=False)
    birth_year = YearField(
        _l("Year of birth"),
        validators=[InputRequired(_l("Enter your year of birth.")), birth_year_range()],
        description=_l("Four digits, for example 1984. We check only that you are old enough."),
        render_kw={"inputmode": "numeric", "autocomplete": "bday-year"},
    )
    submit = SubmitField(_l("Continue to the ballot"))


class CodeIdentifyForm(FlaskForm):
    """A voter with a one-time code from the office's letter."""

    code = StringField(
        _l("Voting code"),
        validators=[
            DataRequired(_l("Type the code from your letter.")),
            Length(max=40, message=TOO_LONG),
        ],
        description=_l("It is in the letter from the town office, for example ABCD-EFGH-JKLM."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    district = SelectField(
        _l("The district you live in"),
        choices=[],
        validate_choice=False,
        description=_l(
            "Only if your letter does not name your district. Choosing your district adds "
            "its pool to the pools for the whole town."
        ),
    )
    submit = SubmitField(_l("Continue to the ballot"))


class RegisterIdentifyForm(FlaskForm):
    """A voter found in the office's register by an identifier we only hash."""

    identifier = StringField(
        _l("Your identifier"),
        validators=[DataRequired(_l("Type your identifier.")), Length(max=60, message=TOO_LONG)],
        description=_l(
            "We turn it into a code that cannot be turned back and compare that code with "
            "the town's register. The identifier itself is not stored anywhere."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    district = SelectField(
        _l("The district you vote in"),
        choices=[],
        validate_choice=False,
        description=_l("You may vote in one district's pool of your choice."),
    )
    submit = SubmitField(_l("Continue to the ballot"))


class BallotForm(FlaskForm):
    """The ballot's CSRF token and what the voter asks for; the receipt when changing."""

    receipt = HiddenField()


class FilterForm(FlaskForm):
    """Filters of a cycle's projects (GET, no CSRF)."""

    class Meta:
        csrf = False

    pool = SelectField(_l("Pool"), choices=[], validate_choice=False)
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    district = SelectField(_l("District"), choices=[], validate_choice=False)
    q = StringField(_l("Words in the title or description"), validators=[Optional()])


class ReceiptForm(FlaskForm):
    receipt = StringField(
        _l("Receipt code"),
        validators=[
            DataRequired(_l("Type the receipt code you kept.")),
            Length(max=40, message=TOO_LONG),
        ],
        description=_l("The code shown after you voted, for example ABCD-EFGH-JKLM-NPQR."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Check my receipt"))


def ballot_values(form: Mapping[str, str], project_ids: Iterable[int]) -> dict[int, str]:
    """What the ballot's controls say, by project id, as typed (text); missing and empty
    controls are left out. Kept as typed so that a page shown again keeps every choice."""
    values = {}
    for project_id in project_ids:
        raw = (form.get(f"{CONTROL_PREFIX}{project_id}") or "").strip()
        if raw:
            values[project_id] = raw
    return values


def as_numbers(values: Mapping[int, str]) -> tuple[dict[int, int], list[int]]:
    """The values as whole numbers (the digits 0-9, a minus sign before them for a D21
    minus vote), and the projects whose value is not one: "3_0", "+3", "٣" or "９" are
    not read as numbers, as ``int()`` would."""
    numbers, bad = {}, []
    for project_id, raw in values.items():
        number = signed_whole_number(raw)
        if number is None:
            bad.append(project_id)
        else:
            numbers[project_id] = number
    return numbers, bad
