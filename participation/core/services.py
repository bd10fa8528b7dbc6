"""Use cases of accounts, municipalities and roles. They flush; the request commits."""

from __future__ import annotations

import secrets
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from participation.core import auth, mail, uploads
from participation.core.models import (
    Municipality,
    ResidentVerification,
    Role,
    RoleGrant,
    User,
    utcnow,
)
from participation.core.signals import account_deleting, collecting_user_data
from participation.extensions import db


class ServiceError(Exception):
    """A use case refused; ``str(error)`` is a translated message for the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_user(
    email: str,
    password: str,
    name: str = "",
    language: str | None = None,
    municipality: Municipality | None = None,
) -> User:
    """Create an account and send the confirmation link. A resident of ``municipality``."""
    user = create_user(email, password, name=name, language=language)
    if municipality is not None:
        db.session.add(RoleGrant(user=user, municipality=municipality, role=Role.RESIDENT))
    send_confirmation(user)
    return user


def create_user(
    email: str, password: str, name: str = "", language: str | None = None, confirmed: bool = False
) -> User:
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        language=language,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def send_confirmation(user: User) -> None:
    link = url_for("account.confirm", token=auth.make_confirmation_token(user), _external=True)
    mail.send(mail.render_mail(user.email, user.language, "confirm_email", user=user, link=link))


def confirm_email(user: User) -> User:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or user.deleted_at is not None:
        return
    link = url_for("account.reset_password", token=auth.make_reset_token(user), _external=True)
    mail.send(mail.render_mail(user.email, user.language, "reset_password", user=user, link=link))


def set_password(user: User, password: str) -> User:
    user.set_password(password)
    user.session_version += 1
    db.session.flush()
    return user


def update_profile(
    user: User,
    name: str,
    language: str | None,
    notify_status_changes: bool,
    notify_replies: bool,
    notify_news: bool,
) -> User:
    user.name = name.strip()
    user.language = language or None
    user.notify_status_changes = notify_status_changes
    user.notify_replies = notify_replies
    user.notify_news = notify_news
    db.session.flush()
    return user


def export_user_data(user: User) -> dict[str, Any]:
    """Everything we hold about the person, as JSON-ready data."""
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "name": user.name,
            "language": user.language,
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
            "notifications": {
                "status_changes": user.notify_status_changes,
                "replies": user.notify_replies,
                "news": user.notify_news,
            },
        },
        "roles": [
            {
                "municipality": grant.municipality.slug,
                "role": grant.role.value,
                "granted_at": _iso(grant.granted_at),
            }
            for grant in sorted(user.roles, key=lambda g: (g.municipality.slug, g.role.value))
        ],
    }
    collecting_user_data.send(user, data=data)
    return data


def delete_account(user: User) -> None:
    """Anonymise the account. Contributions stay, without the name; ballots stay counted."""
    account_deleting.send(user)
    user.roles.clear()
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@invalid"
    user.name = ""
    user.set_password(secrets.token_urlsafe(32))
    user.session_version += 1
    user.deleted_at = utcnow()
    user.is_platform_admin = False
    db.session.flush()


def grant_role(municipality: Municipality, user: User, role: Role, by: User | None) -> RoleGrant:
    existing = db.session.scalar(
        select(RoleGrant).where(
            RoleGrant.municipality_id == municipality.id,
            RoleGrant.user_id == user.id,
            RoleGrant.role == role,
        )
    )
    if existing is not None:
        return existing
    grant = RoleGrant(municipality=municipality, user=user, role=role, granted_by=by)
    db.session.add(grant)
    db.session.flush()
    return grant


def revoke_role(grant: RoleGrant, by: User) -> None:
    """Remove a role; the last admin of a municipality cannot be removed."""
    if grant.role == Role.ADMIN:
        admins = db.session.scalar(
            select(func.count())
            .select_from(RoleGrant)
            .where(RoleGrant.municipality_id == grant.municipality_id, RoleGrant.role == Role.ADMIN)
        )
        if admins <= 1:
            raise ServiceError(_("A municipality needs at least one administrator."))
    db.session.delete(grant)
    db.session.flush()


def role_grants(municipality: Municipality) -> list[RoleGrant]:
    return list(
        db.session.scalars(
            select(RoleGrant)
            .join(RoleGrant.user)
            .where(RoleGrant.municipality_id == municipality.id)
            .order_by(User.email, RoleGrant.role)
        )
    )


def list_municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


LOGO_FOLDER = "logos"
LOGO_MAX_BYTES = 1024 * 1024


def update_municipality(
    municipality: Municipality,
    logo: FileStorage | None = None,
    remove_logo: bool = False,
    **fields: Any,
) -> Municipality:
    """Change the settings; a new logo is checked and stored before anything changes."""
    new_logo = None
    if logo is not None and logo.filename:
        new_logo = uploads.save_image(
            logo, LOGO_FOLDER, LOGO_MAX_BYTES, max_side=512, prefix=f"{municipality.slug}-"
        )
    for key, value in fields.items():
        setattr(municipality, key, value)
    if new_logo or remove_logo:
        uploads.remove_file(LOGO_FOLDER, municipality.logo_filename)
        municipality.logo_filename = new_logo
    db.session.flush()
    return municipality


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def create_municipality(
    slug: str, name: str, admin: User | None = None, **fields: Any
) -> Municipality:
    """A new tenant; ``admin`` becomes its first administrator."""
    municipality = Municipality(slug=slug, name=name, **fields)
    db.session.add(municipality)
    db.session.flush()
    if admin is not None:
        grant_role(municipality, admin, Role.ADMIN, by=admin)
    return municipality


def is_verified_resident(user: User, municipality: Municipality) -> bool:
    return (
        db.session.scalar(
            select(ResidentVerification.id).where(
                ResidentVerification.user_id == user.id,
                ResidentVerification.municipality_id == municipality.id,
            )
        )
        is not None
    )


def verify_resident(
    municipality: Municipality, user: User, by: User | None, method: str = "staff"
) -> ResidentVerification:
    """Record that staff confirmed the person as a resident (idempotent)."""
    existing = db.session.scalar(
        select(ResidentVerification).where(
            ResidentVerification.user_id == user.id,
            ResidentVerification.municipality_id == municipality.id,
        )
    )
    if existing is not None:
        return existing
    verification = ResidentVerification(
        user=user, municipality_id=municipality.id, method=method, verified_by_id=by and by.id
    )
    db.session.add(verification)
    grant_role(municipality, user, Role.RESIDENT, by=by)
    db.session.flush()
    return verification


def resident_verifications(municipality: Municipality) -> list[ResidentVerification]:
    return list(
        db.session.scalars(
            select(ResidentVerification)
            .join(ResidentVerification.user)
            .where(ResidentVerification.municipality_id == municipality.id)
            .order_by(User.email)
        )
    )
