"""Forms coordinators use to prepare a consultation: details, documents, the survey
builder and the draft text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from participation.consultations.rules import LONG_TEXT_MAX, Area, Kind
from participation.core.forms import EmailAddress, options
from participation.maps.forms import validate_area

KIND_LABELS = {
    Kind.SINGLE: _l("Single choice"),
    Kind.MULTIPLE: _l("Multiple choice"),
    Kind.SHORT_TEXT: _l("Short text"),
    Kind.LONG_TEXT: _l("Long text"),
    Kind.SCALE: _l("Scale"),
    Kind.RANKING: _l("Ranking"),
    Kind.NUMBER: _l("Number"),
    Kind.YES_NO: _l("Yes or no"),
    Kind.DATE: _l("Date"),
    Kind.POINT: _l("A place on the map"),
}
AREA_LABELS = {
    Area.WHOLE: _l("The whole municipality"),
    Area.DISTRICTS: _l("Some districts"),
    Area.DRAWN: _l("An area drawn on the map"),
}


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (the template renders them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConsultationForm(FlaskForm):
    title = StringField(
        _l("Subject"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("What the consultation is about, as a short title."),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=20000)],
        description=_l("What is being decided and why it matters. You can use Markdown."),
    )
    decision = TextAreaField(
        _l("The decision it feeds"),
        validators=[Optional(), Length(max=5000)],
        description=_l("What will be decided with the help of what people say."),
    )
    decision_maker = StringField(
        _l("Who takes the decision"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example the town council, or the mayor."),
    )
    area_kind = RadioField(
        _l("Area"),
        choices=options((a.value, AREA_LABELS[a]) for a in Area),
        default=Area.WHOLE.value,
    )
    districts = CheckboxesField(
        _l("Districts"),
        choices=[],
        coerce=str,
        validators=[Optional()],
        description=_l("When the area is some districts."),
    )
    area = TextAreaField(
        _l("Area as GeoJSON"),
        validators=[Optional(), validate_area],
        description=_l(
            "When the area is drawn: draw it on the map, or paste a GeoJSON polygon or "
            "multipolygon in longitude and latitude."
        ),
    )
    opens_at = DateTimeLocalField(_l("Opens"), validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), validators=[DataRequired()])
    has_survey = BooleanField(_l("People answer a survey"), default=True)
    has_draft = BooleanField(_l("People comment on a draft text, paragraph by paragraph"))
    open_comments = BooleanField(_l("People may write open comments"), default=True)
    anonymous_responses = BooleanField(
        _l("Anyone may answer the survey without an account"),
        description=_l("Otherwise people answer with an account with a confirmed email."),
    )
    show_comments = BooleanField(
        _l("Show everyone's comments while the consultation runs"),
        default=True,
        description=_l("Otherwise people see only their own until the report is published."),
    )
    ask_demographics = BooleanField(
        _l("Ask voluntary questions about the respondent"),
        default=True,
        description=_l(
            "Age band, gender, district, language and foreign nationality; reported only "
            "in aggregate."
        ),
    )
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(
        _l("Contact person's email"), validators=[Optional(), EmailAddress(), Length(max=254)]
    )
    contact_phone = StringField(
        _l("Contact person's phone"), validators=[Optional(), Length(max=40)]
    )
    submit = SubmitField(_l("Save the consultation"))
    area_shape = None  # set by validate_area


class ActionForm(FlaskForm):
    """A button that changes something (publish, open, close, move, delete)."""

    submit = SubmitField()


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])


class DocumentForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l(
            "PDF, Word, Excel, PowerPoint or OpenDocument (.pdf, .docx, .xlsx, .pptx, .odt, "
            ".ods, .doc, .xls), at most %(size)s MB."
        ),
    )
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l("As people will see it. Leave empty to use the file name."),
    )
    submit = SubmitField(_l("Upload the document"))


class DocumentTitleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Save the title"))


class SectionForm(FlaskForm):
    title = StringField(_l("Section title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Introduction"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Shown above the section's questions. You can use Markdown."),
    )
    submit = SubmitField(_l("Save the section"))


def _kind_hint(*kinds: Kind):
    return _l("Used by: %(kinds)s.", kinds=", ".join(str(KIND_LABELS[k]) for k in kinds))


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Type of question"),
        choices=options((k.value, KIND_LABELS[k]) for k in Kind),
        validators=[DataRequired()],
        description=_l(
            "Choose the type first; below it, fill in only the settings that the type uses."
        ),
    )
    text = StringField(_l("Question"), validators=[DataRequired(), Length(max=500)])
    help_text = TextAreaField(
        _l("Help text"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Shown under the question, e.g. what to consider."),
    )
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(
        _l("Options"),
        validators=[Optional(), Length(max=10000)],
        description=_l(
            "One per line, at least two. Used by: single choice, multiple choice, ranking."
        ),
    )
    min_choices = IntegerField(
        _l("Minimum number of choices"),
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_kind_hint(Kind.MULTIPLE),
    )
    max_choices = IntegerField(
        _l("Maximum number of choices"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_kind_hint(Kind.MULTIPLE),
    )
    max_length = IntegerField(
        _l("Maximum length (characters)"),
        validators=[Optional(), NumberRange(min=1, max=LONG_TEXT_MAX)],
        description=_l(
            "Used by: short text (at most 300), long text (at most 5000). Leave empty for the most."
        ),
    )
    scale_min = IntegerField(
        _l("Scale from"),
        default=1,
        validators=[Optional(), NumberRange(min=-100, max=100)],
        description=_kind_hint(Kind.SCALE),
    )
    scale_max = IntegerField(
        _l("Scale to"),
        default=5,
        validators=[Optional(), NumberRange(min=-100, max=100)],
        description=_kind_hint(Kind.SCALE),
    )
    scale_min_label = StringField(
        _l("Label of the lowest point"),
        validators=[Optional(), Length(max=100)],
        description=_l("For example “not at all”. Used by: scale."),
    )
    scale_max_label = StringField(
        _l("Label of the highest point"),
        validators=[Optional(), Length(max=100)],
        description=_l("For example “very much”. Used by: scale."),
    )
    number_min = FloatField(
        _l("Smallest number allowed"),
        validators=[Optional()],
        description=_kind_hint(Kind.NUMBER),
    )
    number_max = FloatField(
        _l("Largest number allowed"),
        validators=[Optional()],
        description=_kind_hint(Kind.NUMBER),
    )
    condition = SelectField(
        _l("Show the question"),
        choices=[],
        validators=[Optional()],
        description=_l(
            "Only earlier single choice, multiple choice and yes/no questions can decide."
        ),
    )
    submit = SubmitField(_l("Save the question"))


class DraftForm(FlaskForm):
    title = StringField(
        _l("Title of the draft"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example the name of the regulation or plan."),
    )
    text = TextAreaField(
        _l("Text of the draft"),
        validators=[Optional(), Length(max=500_000)],
        description=_l(
            "Markdown: a line starting with # or ## starts a numbered section; paragraphs "
            "are separated by an empty line; a list stays one paragraph."
        ),
    )
    file = FileField(
        _l("Or upload a file"),
        description=_l("Markdown or text (.md, .txt) or Word (.docx), at most 5 MB."),
    )
    preview = SubmitField(_l("Show the numbering"))
    save = SubmitField(_l("Save the draft"))
