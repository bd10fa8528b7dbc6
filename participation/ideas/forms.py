"""Forms of idea calls and ideas."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from participation.core.forms import image_fields, options
from participation.ideas.models import Submitters
from participation.maps.forms import LocationFields

TITLE_MAX = 120
DESCRIPTION_MAX = 5000
COMMENT_MAX = 2000


class IdeaForm(LocationFields, FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=TITLE_MAX)],
        description=_l("A short name of your idea, at most %(max)d characters.", max=TITLE_MAX),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(), Length(max=DESCRIPTION_MAX)],
        description=_l("What should change and why. You can use Markdown: **bold**, lists, links."),
    )
    category = SelectField(_l("Category"), choices=[], validators=[Optional()], coerce=str)
    images, image_alt = image_fields()
    confirm_not_duplicate = BooleanField(_l("My idea is different from the similar ones"))
    save_draft = SubmitField(_l("Save as draft"))
    submit = SubmitField(_l("Submit the idea"))


class CallForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    opens_at = DateTimeLocalField(_l("Opens"), validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), validators=[DataRequired()])
    districts = SelectMultipleField(
        _l("Districts"),
        choices=[],
        coerce=str,
        validators=[Optional()],
        description=_l("Leave empty for the whole municipality."),
    )
    categories = TextAreaField(
        _l("Categories"),
        validators=[Optional(), Length(max=2000)],
        description=_l("One per line."),
    )
    submitters = SelectField(
        _l("Who may submit"),
        choices=options(
            [
                (Submitters.ANY_ACCOUNT.value, _l("Anyone with an account")),
                (Submitters.CONFIRMED_EMAIL.value, _l("Accounts with a confirmed email")),
                (Submitters.VERIFIED_RESIDENT.value, _l("Verified residents")),
            ]
        ),
    )
    max_ideas_per_person = IntegerField(
        _l("Ideas per person"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Leave empty for no limit."),
    )
    location_required = BooleanField(_l("Every idea needs a place"))
    support_threshold = IntegerField(
        _l("Supporters needed"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l(
            "Leave empty to send every idea straight to review. In Poland at most "
            "0.1% of the area's residents."
        ),
    )
    support_deadline = DateTimeLocalField(_l("Supporters collected until"), validators=[Optional()])
    max_images = IntegerField(
        _l("Images per idea"), default=3, validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    appeal_days = IntegerField(
        _l("Days to appeal a rejection"),
        default=14,
        validators=[InputRequired(), NumberRange(min=0, max=365)],
    )
    duplicate_distance_m = IntegerField(
        _l("Distance for possible duplicates (metres)"),
        default=150,
        validators=[InputRequired(), NumberRange(min=0, max=10000)],
    )
    submit = SubmitField(_l("Save the call"))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    district = SelectField(_l("District"), choices=[], validators=[Optional()], coerce=str)
    category = SelectField(_l("Category"), choices=[], validators=[Optional()], coerce=str)
    status = SelectField(_l("Status"), choices=[], validators=[Optional()], coerce=str)
    sort = SelectField(
        _l("Sort"),
        choices=options([("newest", _l("Newest")), ("supported", _l("Most supported"))]),
        validators=[Optional()],
    )


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=COMMENT_MAX)])
    parent_id = HiddenField()
    submit = SubmitField(_l("Add comment"))


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Why should a moderator look at this?"),
        validators=[DataRequired(), Length(max=1000)],
    )
    submit = SubmitField(_l("Send the report"))


class ModerationForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason, shown publicly"),
        validators=[DataRequired(), Length(max=1000)],
    )
    submit = SubmitField(_l("Confirm"))


class ActionForm(FlaskForm):
    """A button that changes something (support, follow, submit a draft)."""

    submit = SubmitField()


class ReviewForm(FlaskForm):
    legal = RadioField(
        _l("Is it legal?"),
        choices=options([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired()],
    )
    feasible = RadioField(
        _l("Is it technically feasible?"),
        choices=options([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired()],
    )
    cost_estimate = DecimalField(
        _l("Estimated cost"), places=2, validators=[Optional(), NumberRange(min=0)]
    )
    justification = TextAreaField(
        _l("Justification, shown publicly"), validators=[DataRequired(), Length(max=5000)]
    )
    outcome = RadioField(
        _l("Outcome"),
        choices=options(
            [
                ("accepted", _l("Accepted")),
                ("rejected", _l("Rejected")),
                ("merged", _l("Merged into another idea")),
            ]
        ),
        validators=[InputRequired()],
    )
    merged_into = IntegerField(
        _l("Number of the idea to merge into"), validators=[Optional(), NumberRange(min=1)]
    )
    submit = SubmitField(_l("Save the review"))


class AppealForm(FlaskForm):
    text = TextAreaField(
        _l("Why should the decision change?"), validators=[DataRequired(), Length(max=5000)]
    )
    submit = SubmitField(_l("Send the appeal"))


class AppealDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=options(
            [
                ("upheld", _l("Appeal upheld: the idea is accepted")),
                ("dismissed", _l("Appeal dismissed: the rejection stands")),
            ]
        ),
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason, shown publicly"), validators=[DataRequired(), Length(max=5000)]
    )
    submit = SubmitField(_l("Decide the appeal"))


def blank(label) -> SelectChoice:
    return SelectChoice("", label)
