"""Forms of accounts, the language switch and the municipality administration."""

from __future__ import annotations

import zoneinfo

import email_validator
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from participation.core.i18n import LANGUAGE_NAMES
from participation.core.models import Country, Role

PASSWORD_MIN = 10


class EmailAddress:
    """A deliverable-looking address; ``.test`` domains pass only outside production."""

    def __call__(self, form, field):
        try:
            result = email_validator.validate_email(
                field.data or "",
                check_deliverability=False,
                test_environment=current_app.config["ENVIRONMENT"] in {"development", "test"},
            )
        except email_validator.EmailNotValidError as error:
            raise ValidationError(_l("Enter an email address like name@example.cz.")) from error
        field.data = result.normalized


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices(with_blank: bool = False) -> list[SelectChoice]:
    pairs = list(LANGUAGE_NAMES.items())
    if with_blank:
        pairs.insert(0, ("", _l("As the browser asks")))
    return options(pairs)


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.MODERATOR: _l("Moderator"),
    Role.REVIEWER: _l("Reviewer"),
    Role.RESIDENT: _l("Resident"),
}


def role_label(role: Role | str) -> str:
    return str(ROLE_LABELS[Role(role)])


def role_choices():
    return options((role.value, ROLE_LABELS[role]) for role in Role)


def password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN,
                max=200,
                message=_l("Use at least %(min)d characters.", min=PASSWORD_MIN),
            ),
        ],
        description=_l(
            "At least %(min)d characters. A few words you can remember work well.", min=PASSWORD_MIN
        ),
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Shown next to what you contribute. You may leave it empty."),
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), EmailAddress(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = password_field(_l("Password"))
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    municipality = HiddenField()
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class RequestResetForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), EmailAddress()],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Send me a link"))


class ResendConfirmationForm(FlaskForm):
    submit = SubmitField(_l("Send the confirmation link again"))


class ResetPasswordForm(FlaskForm):
    password = password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set the new password"))


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    language = SelectField(
        _l("Language"), choices=language_choices(with_blank=True), validators=[Optional()]
    )
    notify_status_changes = BooleanField(_l("Email me when something I follow changes status"))
    notify_replies = BooleanField(_l("Email me when someone replies to me"))
    notify_news = BooleanField(_l("Email me news from my municipalities"))
    submit = SubmitField(_l("Save profile"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password = password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Delete my account"))


class LanguageForm(FlaskForm):
    language = HiddenField()
    next = HiddenField()


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Log out"))


class GrantRoleForm(FlaskForm):
    email = EmailField(
        _l("Email of the person"),
        validators=[DataRequired(), EmailAddress()],
        description=_l("The person must already have an account."),
    )
    role = SelectField(_l("Role"), choices=role_choices(), validators=[DataRequired()])
    submit = SubmitField(_l("Grant role"))


class VerifyResidentForm(FlaskForm):
    email = EmailField(
        _l("Email of the person"),
        validators=[DataRequired(), EmailAddress()],
        description=_l("Confirm only people whose residence you checked, e.g. at the office."),
    )
    submit = SubmitField(_l("Confirm as resident"))


class RevokeRoleForm(FlaskForm):
    submit = SubmitField(_l("Remove"))


def validate_timezone(form, field):
    if field.data not in zoneinfo.available_timezones():
        raise ValidationError(_l("Choose a time zone such as Europe/Prague."))


class MunicipalitySettingsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    country = SelectField(
        _l("Country"),
        choices=options(
            [
                (Country.CZ.value, _l("Czechia")),
                (Country.PL.value, _l("Poland")),
                (Country.OTHER.value, _l("Other")),
            ]
        ),
    )
    default_language = SelectField(_l("Default language"), choices=language_choices())
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(), validate_timezone],
        description=_l("For example Europe/Prague or Europe/Warsaw."),
    )
    currency = SelectField(
        _l("Currency"), choices=options([("CZK", "CZK"), ("PLN", "PLN"), ("EUR", "EUR")])
    )
    contact_email = EmailField(_l("Contact email"), validators=[Optional(), EmailAddress()])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    contact_address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=1000)])
    logo = FileField(
        _l("Logo"),
        validators=[
            FileAllowed(["png", "jpg", "jpeg", "webp"], _l("Upload a PNG, JPEG or WebP image."))
        ],
        description=_l("PNG, JPEG or WebP, at most 1 MB. Shown beside the name."),
    )
    remove_logo = BooleanField(_l("Remove the current logo"))
    website = URLField(_l("Website"), validators=[Optional(), URL(), Length(max=300)])
    min_consultation_days = IntegerField(
        _l("Minimum length of a consultation (days)"),
        default=21,
        validators=[Optional(), NumberRange(min=1, max=365)],
        description=_l(
            "Coordinators are warned when a consultation is open for fewer days. "
            "Often 21 days, or 30 for important decisions."
        ),
    )
    submit = SubmitField(_l("Save settings"))


RESERVED_SLUGS = frozenset({"account", "admin", "api", "static", "healthz", "language"})


def validate_slug_free(form, field):
    if field.data in RESERVED_SLUGS:
        raise ValidationError(_l("This address name is reserved. Choose another."))


class NewMunicipalityForm(MunicipalitySettingsForm):
    slug = StringField(
        _l("Address name"),
        validators=[
            DataRequired(),
            Length(min=2, max=63),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("Use small letters without accents, digits and dashes."),
            ),
            validate_slug_free,
        ],
        description=_l("Part of the web address, for example 'lipnice' in /lipnice/."),
    )
    submit = SubmitField(_l("Create municipality"))


# Pictures residents and staff upload (core.uploads checks them by content and size).
IMAGE_TYPES = ["png", "jpg", "jpeg", "webp"]


def image_fields() -> tuple[MultipleFileField, StringField]:
    """The pictures of an idea or a project and what they show, made where the form
    declares them (``images, image_alt = image_fields()``), so they keep their place among
    its fields: one set of types, checks and words for every upload of pictures."""
    return (
        MultipleFileField(
            _l("Images"),
            validators=[FileAllowed(IMAGE_TYPES, _l("Upload a PNG, JPEG or WebP image."))],
            description=_l(
                "PNG, JPEG or WebP, at most 5 MB each. Location data in photos is removed."
            ),
        ),
        StringField(
            _l("What the images show"),
            validators=[Optional(), Length(max=200)],
            description=_l("A short description for people who cannot see them."),
        ),
    )
