"""Administration: a municipality's staff area (settings, roles) and the platform's."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.core import permissions, services
from participation.core.forms import (
    GrantRoleForm,
    MunicipalitySettingsForm,
    NewMunicipalityForm,
    RevokeRoleForm,
    VerifyResidentForm,
    role_label,
)
from participation.core.models import Country, Municipality, Role, RoleGrant
from participation.core.permissions import authorize, require
from participation.core.tenancy import municipality_blueprint
from participation.core.uploads import UploadError
from participation.extensions import db

bp = municipality_blueprint("admin", __name__, url_prefix="/admin")
platform_bp = Blueprint("platform", __name__, url_prefix="/admin")

SETTINGS_FIELDS = (
    "name",
    "default_language",
    "timezone",
    "currency",
    "contact_email",
    "contact_phone",
    "contact_address",
    "website",
)


def _existing_account(field):
    """The account with the field's email, or None with an error on the field."""
    user = services.find_user_by_email(field.data)
    if user is None or user.deleted_at is not None:
        field.errors.append(_("No account uses this email. Ask the person to register first."))
        return None
    return user


@bp.get("/")
@login_required
@require(permissions.can_view_administration)
def index():
    return render_template("admin/index.html", municipality=g.municipality)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@require(permissions.can_administer)
def settings():
    municipality = g.municipality
    form = MunicipalitySettingsForm(obj=municipality)
    if form.is_submitted() is False:
        form.country.data = municipality.country.value
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data or None for name in SETTINGS_FIELDS}
        fields["name"] = form.name.data.strip()
        fields["country"] = Country(form.country.data)
        if form.min_consultation_days.data is not None:
            fields["min_consultation_days"] = form.min_consultation_days.data
        try:
            services.update_municipality(
                municipality,
                logo=form.logo.data or None,
                remove_logo=form.remove_logo.data,
                **fields,
            )
        except UploadError as error:
            form.logo.errors.append(str(error))
        else:
            flash(_("The settings are saved."), "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, municipality=municipality)


@bp.route("/roles", methods=["GET", "POST"])
@login_required
@require(permissions.can_manage_roles)
def roles():
    municipality = g.municipality
    form = GrantRoleForm()
    if form.validate_on_submit():
        user = _existing_account(form.email)
        if user is not None:
            services.grant_role(municipality, user, Role(form.role.data), by=current_user)
            flash(
                _(
                    "%(name)s is now %(role)s.",
                    name=user.display_name,
                    role=role_label(form.role.data),
                ),
                "success",
            )
            return redirect(url_for("admin.roles"))
    return render_template(
        "admin/roles.html",
        municipality=municipality,
        form=form,
        grants=services.role_grants(municipality),
        revoke_form=RevokeRoleForm(),
    )


@bp.post("/roles/<int:grant_id>/remove")
@login_required
def remove_role(grant_id: int):
    grant = db.get_or_404(RoleGrant, grant_id)
    authorize(permissions.can_revoke_role, grant)
    form = RevokeRoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.revoke_role(grant, by=current_user)
    except services.ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("The role was removed."), "success")
    return redirect(url_for("admin.roles"))


@bp.route("/residents", methods=["GET", "POST"])
@login_required
@require(permissions.can_verify_residents)
def residents():
    municipality = g.municipality
    form = VerifyResidentForm()
    if form.validate_on_submit():
        user = _existing_account(form.email)
        if user is not None:
            services.verify_resident(municipality, user, by=current_user)
            flash(_("%(name)s is confirmed as a resident.", name=user.display_name), "success")
            return redirect(url_for("admin.residents"))
    return render_template(
        "admin/residents.html",
        municipality=municipality,
        form=form,
        verifications=services.resident_verifications(municipality),
    )


@platform_bp.route("/municipalities", methods=["GET", "POST"])
@login_required
def municipalities():
    authorize(permissions.can_manage_platform, None)
    form = NewMunicipalityForm()
    if form.validate_on_submit():
        if db.session.scalar(db.select(Municipality).where(Municipality.slug == form.slug.data)):
            form.slug.errors.append(_("Another municipality uses this address name."))
        else:
            municipality = services.create_municipality(
                slug=form.slug.data,
                name=form.name.data.strip(),
                country=Country(form.country.data),
                default_language=form.default_language.data,
                timezone=form.timezone.data,
                currency=form.currency.data,
                contact_email=form.contact_email.data or None,
                contact_phone=form.contact_phone.data or None,
                contact_address=form.contact_address.data or None,
                website=form.website.data or None,
                min_consultation_days=form.min_consultation_days.data or 21,
                admin=current_user,
            )
            flash(
                _("%(name)s is created. You are its administrator.", name=municipality.name),
                "success",
            )
            return redirect(url_for("admin.index", slug=municipality.slug))
    return render_template(
        "admin/municipalities.html", form=form, municipalities=services.list_municipalities()
    )
