"""Forms the staff use to prepare and run a participatory budget: cycles, pools,
projects, the register and voting codes, paper ballots, results and implementation."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from participation.budget.models import (
    Implementation,
    Method,
    PoolAccess,
    Residence,
    Rule,
    Verification,
)
from participation.budget.services import MONEY_MAX
from participation.core.forms import image_fields, options
from participation.maps.forms import LocationFields

METHOD_LABELS = {
    Method.APPROVAL: _l("Approval within the pool's amount"),
    Method.K_APPROVAL: _l("Up to k projects (k-approval)"),
    Method.POINTS: _l("Points"),
    Method.D21: _l("Plus and minus votes (D21)"),
}
RULE_LABELS = {
    Rule.GREEDY: _l("Greedy: most votes first, while the money lasts"),
    Rule.MES: _l("Method of Equal Shares"),
    Rule.MES_ADD1: _l("Method of Equal Shares, completed (Add1, then greedy)"),
}
RESIDENCE_LABELS = {
    Residence.DISTRICT: _l("The voter's district decides their district pool"),
    Residence.MUNICIPALITY: _l(
        "Living in the municipality is enough; the voter chooses a district"
    ),
}
POOL_ACCESS_LABELS = {
    PoolAccess.OWN_DISTRICT: _l("Their own district's pool and the city-wide pools"),
    PoolAccess.ANY: _l("Every pool"),
}
VERIFICATION_LABELS = {
    Verification.EMAIL: _l("An account with a confirmed email"),
    Verification.CODE: _l("One-time voting codes sent by letter"),
    Verification.REGISTER: _l("An identifier checked against the register of residents"),
}
IMPLEMENTATION_LABELS = {
    Implementation.PLANNED: _l("Planned"),
    Implementation.IN_PREPARATION: _l("In preparation"),
    Implementation.IN_PROGRESS: _l("In progress"),
    Implementation.DONE: _l("Done"),
    Implementation.CANCELLED: _l("Cancelled"),
}


def _used_by(*methods: Method):
    """ "Used by: <methods>." in the language of the page that shows it (the field
    descriptions are made once, at import time)."""
    names = LazyString(lambda: ", ".join(str(METHOD_LABELS[m]) for m in methods))
    return _l("Used by: %(methods)s.", methods=names)


class Money:
    """An amount the database's money columns (14 digits, 2 after the point) can hold:
    a finite number of at most ``MONEY_MAX``. Put it before ``NumberRange``, which
    cannot compare NaN."""

    def __call__(self, form, field):
        value = field.data
        if value is None:
            return
        if not value.is_finite():
            raise StopValidation(_("Enter a number."))
        if value > MONEY_MAX:
            raise ValidationError(_("Enter at most %(max)s.", max=format_decimal(MONEY_MAX)))


class CycleForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example “Participatory budget 2026”."),
    )
    year = IntegerField(
        _l("Year"),
        validators=[InputRequired(), NumberRange(min=2000, max=2100)],
        description=_l("The budget year the projects are paid from."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("The rules and the timetable, as residents will read them. Markdown."),
    )
    idea_call = SelectField(
        _l("Call for ideas that feeds the cycle"),
        choices=[],
        coerce=str,
        validators=[Optional()],
        description=_l("Its accepted ideas can become projects in one step."),
    )
    review_until = DateTimeLocalField(
        _l("Review and appeals until"), validators=[Optional()], description=_l("Optional.")
    )
    voting_opens_at = DateTimeLocalField(_l("Voting opens"), validators=[DataRequired()])
    voting_closes_at = DateTimeLocalField(_l("Voting closes"), validators=[DataRequired()])
    min_age = IntegerField(
        _l("Minimum age of voters"),
        default=15,
        validators=[InputRequired(), NumberRange(min=0, max=120)],
        description=_l("Counted by the year of birth. 0 for no limit."),
    )
    residence = RadioField(
        _l("Residence"),
        choices=options((r.value, RESIDENCE_LABELS[r]) for r in Residence),
        default=Residence.DISTRICT.value,
    )
    pool_access = RadioField(
        _l("Pools a voter may vote in"),
        choices=options((a.value, POOL_ACCESS_LABELS[a]) for a in PoolAccess),
        default=PoolAccess.OWN_DISTRICT.value,
    )
    verification = RadioField(
        _l("How voters prove who they are"),
        choices=options((v.value, VERIFICATION_LABELS[v]) for v in Verification),
        default=Verification.EMAIL.value,
        description=_l(
            "Paper ballots need voting codes or the register, so that nobody votes both "
            "on paper and online."
        ),
    )
    expenditure = DecimalField(
        _l("The municipality's expenditure"),
        places=2,
        validators=[Optional(), Money(), NumberRange(min=0)],
        description=_l(
            "Polish cities with county rights: the expenditure in the last budget-execution "
            "report. The pools must add up to at least 0.5% of it; you are warned if not."
        ),
    )
    categories = TextAreaField(
        _l("Categories"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line, e.g. “Greenery” or “Sport”. Leave empty for none."),
    )
    submit = SubmitField(_l("Save the cycle"))


class ActionForm(FlaskForm):
    """A button that changes something (publish, delete, mark printed)."""

    submit = SubmitField()


class PoolForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example “City-wide” or the district's name."),
    )
    district = SelectField(
        _l("Area"),
        choices=[],
        coerce=str,
        validators=[Optional()],
        description=_l("The whole municipality, or one district."),
    )
    amount = DecimalField(
        _l("Amount"), places=2, validators=[InputRequired(), Money(), NumberRange(min=0.01)]
    )
    currency = StringField(
        _l("Currency"),
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z]{3}$", message=_l("Three letters, e.g. CZK.")),
        ],
        description=_l("A three-letter code: CZK, PLN or EUR."),
    )
    method = RadioField(
        _l("Voting method"),
        choices=options((m.value, METHOD_LABELS[m]) for m in Method),
        default=Method.APPROVAL.value,
        description=_l("Fill in below only the settings the method uses."),
    )
    max_projects = IntegerField(
        _l("Most projects on a ballot"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Optional. %(used_by)s", used_by=_used_by(Method.APPROVAL)),
    )
    min_share = IntegerField(
        _l("Least share of the amount a ballot must spend (%)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Optional. %(used_by)s", used_by=_used_by(Method.APPROVAL)),
    )
    k = IntegerField(
        _l("Projects a voter may choose (k)"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_used_by(Method.K_APPROVAL),
    )
    points = IntegerField(
        _l("Points a voter spreads"),
        validators=[Optional(), NumberRange(min=1, max=10000)],
        description=_used_by(Method.POINTS),
    )
    points_cap = IntegerField(
        _l("Most points to one project"),
        validators=[Optional(), NumberRange(min=1, max=10000)],
        description=_l("Optional. %(used_by)s", used_by=_used_by(Method.POINTS)),
    )
    plus_votes = IntegerField(
        _l("Plus votes"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_used_by(Method.D21),
    )
    minus_votes = IntegerField(
        _l("Minus votes"),
        validators=[Optional(), NumberRange(min=0, max=50)],
        description=_l(
            "At most half the plus votes; 0 for none. %(used_by)s", used_by=_used_by(Method.D21)
        ),
    )
    rule = RadioField(
        _l("How winners are picked"),
        choices=options((r.value, RULE_LABELS[r]) for r in Rule),
        default=Rule.GREEDY.value,
        description=_l(
            "Points and plus-minus ballots are counted greedily by score. The rule can "
            "change until voting closes."
        ),
    )
    changeable = BooleanField(
        _l("Voters may change their ballot until voting closes"),
        description=_l("With the receipt code they get when they vote."),
    )
    submit = SubmitField(_l("Save the pool"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        method = self.method.data
        required = {
            Method.K_APPROVAL.value: [(self.k, _l("Enter how many projects a voter may choose."))],
            Method.POINTS.value: [(self.points, _l("Enter how many points a voter may give."))],
            Method.D21.value: [(self.plus_votes, _l("Enter how many plus votes a voter has."))],
        }
        for field, message in required.get(method, []):
            if field.data is None and not field.errors:
                field.errors.append(message)
                valid = False
        if method == Method.D21.value and self.plus_votes.data and not self.minus_votes.errors:
            if 2 * (self.minus_votes.data or 0) > self.plus_votes.data:
                self.minus_votes.errors.append(
                    _l("A voter may have at most half as many minus votes as plus votes.")
                )
                valid = False
        if (
            method == Method.POINTS.value
            and self.points.data
            and self.points_cap.data
            and self.points_cap.data > self.points.data
            and not self.points_cap.errors
        ):
            self.points_cap.errors.append(_l("The cap cannot be more than the points."))
            valid = False
        if method in (Method.POINTS.value, Method.D21.value) and self.rule.data != Rule.GREEDY:
            self.rule.errors.append(
                _l("Points and D21 ballots are counted greedily by score; choose the greedy rule.")
            )
            valid = False
        return valid


class RuleForm(FlaskForm):
    rule = RadioField(
        _l("How winners are picked"),
        choices=options((r.value, RULE_LABELS[r]) for r in Rule),
        description=_l(
            "Only the rule can change once voting has opened, until voting closes: it does "
            "not change the ballot. Points and plus-minus ballots are counted greedily."
        ),
    )
    submit = SubmitField(_l("Save the rule"))


class ProjectForm(LocationFields, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("What will be done, where and for whom. Markdown."),
    )
    cost = DecimalField(
        _l("Cost"),
        places=2,
        validators=[InputRequired(), Money(), NumberRange(min=0.01)],
        description=_l("In the pool's currency."),
    )
    pool = SelectField(_l("Pool"), choices=[], coerce=str, validators=[DataRequired()])
    category = SelectField(_l("Category"), choices=[], coerce=str, validators=[Optional()])
    cost_note = TextAreaField(
        _l("Cost note"),
        validators=[Optional(), Length(max=5000)],
        description=_l("How the cost was estimated, e.g. the reviewer's note."),
    )
    # As an idea's: the same types, checks and words (services.add_project_images).
    images, image_alt = image_fields()
    submit = SubmitField(_l("Save the project"))


def from_ideas_form(ideas, pool_choices):
    """One checkbox, pool and cost per accepted idea; fields named by the idea's id."""

    class FromIdeasForm(FlaskForm):
        submit = SubmitField(_l("Make the chosen ideas projects"))

    for idea, _estimate in ideas:
        setattr(
            FromIdeasForm,
            f"take_{idea.id}",
            BooleanField(_l("Make “%(title)s” a project", title=idea.title)),
        )
        setattr(
            FromIdeasForm,
            f"pool_{idea.id}",
            SelectField(
                _l("Pool for “%(title)s”", title=idea.title),
                choices=pool_choices,
                coerce=str,
                validators=[Optional()],
            ),
        )
        setattr(
            FromIdeasForm,
            f"cost_{idea.id}",
            DecimalField(
                _l("Cost of “%(title)s”", title=idea.title),
                places=2,
                validators=[Optional(), Money(), NumberRange(min=0.01)],
            ),
        )
    return FromIdeasForm(data={f"cost_{idea.id}": e for idea, e in ideas if e})


class RegisterForm(FlaskForm):
    file = FileField(
        _l("Register file (CSV)"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l(
            "UTF-8 text; the first line is id_hash;district_code;birth_year, then one "
            "resident per line. Importing replaces the whole register."
        ),
    )
    # Shown (with the number of residents in its label) only when a register exists.
    replace = BooleanField(_l("Replace the current register"))
    submit = SubmitField(_l("Check and import"))


class CodesForm(FlaskForm):
    count = IntegerField(
        _l("Number of codes"),
        validators=[InputRequired(), NumberRange(min=1, max=50000)],
        description=_l("One letter per code."),
    )
    batch = StringField(
        _l("Batch name"),
        validators=[DataRequired(), Length(max=60)],
        description=_l("For example “Letters to Sever, March”. Each batch has its own name."),
    )
    district = SelectField(
        _l("District"),
        choices=[],
        coerce=str,
        validators=[Optional()],
        description=_l(
            "Letters to one district's residents; only districts with a code. Leave empty "
            "for the whole municipality."
        ),
    )
    submit = SubmitField(_l("Generate the codes"))


class PaperVoterForm(FlaskForm):
    """Who is voting on paper; the ballot's own fields are added per pool."""

    identifier = StringField(_l("Identifier"), validators=[DataRequired(), Length(max=100)])
    district = SelectField(_l("District"), choices=[], coerce=str, validators=[Optional()])
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[Optional(), NumberRange(min=1900, max=2100)],
        description=_l("Optional; checked against the minimum age when given."),
    )
    submit = SubmitField(_l("Record the paper ballot"))


def paper_ballot_form(pool, projects, vote_labels):
    """The paper ballot of ``pool``: a checkbox, a number or plus/minus per project."""

    class PaperBallotForm(PaperVoterForm):
        pass

    method = Method(pool.method)
    for project in projects:
        name = f"project_{project.id}"
        if method in (Method.APPROVAL, Method.K_APPROVAL):
            field = BooleanField(project.title)
        elif method == Method.POINTS:
            field = IntegerField(
                _l("Points for “%(title)s”", title=project.title),
                validators=[Optional(), NumberRange(min=0, max=10000)],
            )
        else:
            field = RadioField(
                project.title,
                choices=options(vote_labels),
                default="0",
                validators=[Optional()],
            )
        setattr(PaperBallotForm, name, field)
    return PaperBallotForm()


class PublishResultsForm(FlaskForm):
    confirm = BooleanField(
        _l("I have checked the tallies; publish the results"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Publish the results"))


class ImplementationForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        choices=options((i.value, IMPLEMENTATION_LABELS[i]) for i in Implementation),
    )
    progress = IntegerField(
        _l("Progress (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    note = TextAreaField(
        _l("Note for the public"),
        validators=[Optional(), Length(max=5000)],
        description=_l("What is happening now, and what comes next."),
    )
    submit = SubmitField(_l("Save the progress"))


class MilestoneForm(FlaskForm):
    title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=200)])
    due = DateField(_l("Due"), validators=[Optional()])
    done_on = DateField(_l("Done on"), validators=[Optional()])
    submit = SubmitField(_l("Save the milestone"))


class PhotoForm(FlaskForm):
    photo = FileField(
        _l("Photo"),
        validators=[FileRequired(_l("Choose a photo."))],
        description=_l("PNG, JPEG or WebP, at most 5 MB."),
    )
    alt = StringField(
        _l("What the photo shows"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For people who cannot see it, e.g. “The new benches in the park”."),
    )
    submit = SubmitField(_l("Add the photo"))


class PabulibForm(FlaskForm):
    file = FileField(
        _l("Pabulib file (.pb)"),
        validators=[FileRequired(_l("Choose a .pb file."))],
        description=_l(
            "The pool must be empty. Its projects and ballots are loaded as they are in the "
            "file, for a demonstration or an audit."
        ),
    )
    submit = SubmitField(_l("Import the file"))
