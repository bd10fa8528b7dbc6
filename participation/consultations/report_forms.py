"""Forms of answering inputs, tagging free text and publishing the final report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from participation.consultations.rules import ReplyStatus

JUSTIFICATION_MAX = 5000
INTRO_MAX = 20000
TAGS_MAX = 500

REPLY_STATUS_LABELS = {
    # In context: an idea is "accepted" (cs přijatý), an input "accepted" (cs přijato).
    ReplyStatus.ACCEPTED: _lp("reply to an input", "Accepted"),
    ReplyStatus.PARTLY_ACCEPTED: _l("Partly accepted"),
    ReplyStatus.REJECTED: _lp("reply to an input", "Rejected"),
    ReplyStatus.OUT_OF_SCOPE: _l("Out of scope"),
    ReplyStatus.NOTED: _l("Noted"),
}


class ReplyForm(FlaskForm):
    """The answer to one input; made with ``prefix`` = the input's key, so that many
    forms on one page have their own field ids."""

    status = SelectField(
        _l("Answer"),
        choices=[SelectChoice("", _l("Choose…"))]
        + [SelectChoice(s.value, label) for s, label in REPLY_STATUS_LABELS.items()],
        validators=[InputRequired(message=_l("Choose how the input is answered."))],
    )
    justification = TextAreaField(
        _l("Justification"),
        validators=[
            DataRequired(message=_l("Write a justification: the report shows it.")),
            Length(max=JUSTIFICATION_MAX),
        ],
        description=_l("Why, in plain words. The public report shows it with the input."),
    )
    submit = SubmitField(_l("Save the answer"))


class TagsForm(FlaskForm):
    tags = StringField(
        _l("Tags"),
        validators=[Length(max=TAGS_MAX)],
        description=_l("Comma-separated, e.g. traffic, greenery. Empty removes the tags."),
    )
    submit = SubmitField(_l("Save the tags"))


class PublishReportForm(FlaskForm):
    intro = TextAreaField(
        _l("Introduction to the report"),
        validators=[Length(max=INTRO_MAX)],
        description=_l(
            "What was decided and how the inputs were used. You can use Markdown: "
            "**bold**, lists, links."
        ),
    )
    confirm = BooleanField(
        _l("I have checked the answers; publish the report and notify the followers"),
        validators=[DataRequired(message=_l("Confirm that the report can be published."))],
    )
    submit = SubmitField(_l("Publish the report"))
