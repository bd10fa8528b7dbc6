"""Use cases of accounts, municipalities and roles. They flush; the request commits."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from werkzeug.datastructures import FileStorage

from participation.core import auth, mail, uploads
from participation.core.ids import whole_number
from participation.core.models import (
    Municipality,
    RegisterEntry,
    ResidentVerification,
    Role,
    RoleGrant,
    User,
    VotingCode,
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


# --- the resident register and one-time voting codes ---------------------------------------
#
# The office hashes its residents' identifiers with the municipality's register key and
# imports the hashes; a person proves residence by typing their identifier, which we hash
# the same way and look up. Voting codes are kept as hashes; the code in clear lives only
# until its batch is printed. Budgeting (and later consultations) ask these functions.

REGISTER_HASH = re.compile(r"[0-9a-f]{64}")
REGISTER_COLUMNS = ("id_hash", "district_code", "birth_year")


@dataclass
class RegisterReport:
    """What an import did, or (``errors`` not empty) why nothing was imported."""

    imported: int = 0
    replaced: int = 0
    errors: list[str] = field(default_factory=list)


def ensure_register_key(municipality: Municipality) -> str:
    """The municipality's register key, made on first use (32 random bytes, hex)."""
    if not municipality.register_key:
        municipality.register_key = secrets.token_hex(32)
        db.session.flush()
    return municipality.register_key


def import_register(
    municipality: Municipality, csv_text: str, district_codes: Collection[str]
) -> RegisterReport:
    """Replace the register with the rows of ``csv_text``: a header ``id_hash;district_code;
    birth_year`` (``;`` or ``,``), then one resident per line. Every line is checked first;
    with any error nothing changes and the report lists the errors with line numbers.

    ``district_codes`` are the town's district codes (``maps.District.code``), given by
    the caller because core does not know the maps module."""
    report = RegisterReport()
    text_ = (csv_text or "").lstrip("\ufeff")
    first = text_.splitlines()[0] if text_.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text_, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error:  # a field past the csv module's limit, a NUL byte
        report.errors.append(
            _("Line %(line)d: the line cannot be read (too long or broken).", line=reader.line_num)
        )
        return report
    if not rows or [c.strip().lower() for c in rows[0]] != list(REGISTER_COLUMNS):
        report.errors.append(
            _("The first line must be the header: %(header)s.", header=";".join(REGISTER_COLUMNS))
        )
        return report
    known_codes = set(district_codes)
    entries: dict[str, RegisterEntry] = {}
    this_year = utcnow().year
    for number, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) != len(REGISTER_COLUMNS):
            report.errors.append(
                _("Line %(line)d: expected %(count)d columns.", line=number, count=3)
            )
            continue
        id_hash, district_code, birth_year = cells
        id_hash = id_hash.lower()
        if not REGISTER_HASH.fullmatch(id_hash):
            report.errors.append(
                _("Line %(line)d: the identifier hash must be 64 hexadecimal digits.", line=number)
            )
            continue
        if id_hash in entries:
            report.errors.append(
                _("Line %(line)d: this identifier hash is already listed.", line=number)
            )
            continue
        if district_code and district_code not in known_codes:
            report.errors.append(
                _(
                    "Line %(line)d: unknown district code %(code)s.",
                    line=number,
                    code=district_code,
                )
            )
            continue
        year = None
        if birth_year:
            year = whole_number(birth_year, this_year)
            if year is None or year < 1900:
                report.errors.append(
                    _("Line %(line)d: the year of birth is not a valid year.", line=number)
                )
                continue
        entries[id_hash] = RegisterEntry(
            municipality_id=municipality.id,
            id_hash=id_hash,
            district_code=district_code or None,
            birth_year=year,
        )
    if not report.errors and not entries:
        report.errors.append(
            _("The file lists no residents. An empty register would let nobody vote.")
        )
    if report.errors:
        return report
    # One transaction: the old register goes and the new one comes, or neither.
    with db.session.begin_nested():
        report.replaced = db.session.execute(
            delete(RegisterEntry).where(RegisterEntry.municipality_id == municipality.id)
        ).rowcount
        db.session.add_all(entries.values())
    db.session.flush()
    report.imported = len(entries)
    return report


def register_size(municipality: Municipality) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RegisterEntry)
        .where(RegisterEntry.municipality_id == municipality.id)
    )


# The same normalisation and hashes as ``budget.voting`` (which the office's tooling
# documents); kept here because core may not import budget. A test keeps them equal.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _normalise(text_: str) -> str:
    return "".join(ch for ch in (text_ or "").upper() if ch.isalnum())


def _new_code(length: int = 12) -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + 4] for i in range(0, length, 4))


def code_hash(code: str) -> str:
    """The hash a voting code is stored and found by (unkeyed: codes are random)."""
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def register_hash_of(municipality: Municipality, identifier: str) -> str | None:
    """The keyed hash of what a person typed (HMAC-SHA256 with the register key), or None
    before the register has a key or when nothing was typed."""
    if not municipality.register_key or not _normalise(identifier):
        return None
    return hmac.new(
        municipality.register_key.encode(), _normalise(identifier).encode(), hashlib.sha256
    ).hexdigest()


def find_register_entry(municipality: Municipality, identifier: str) -> RegisterEntry | None:
    id_hash = register_hash_of(municipality, identifier)
    if id_hash is None:
        return None
    return db.session.scalar(
        select(RegisterEntry).where(
            RegisterEntry.municipality_id == municipality.id, RegisterEntry.id_hash == id_hash
        )
    )


def generate_codes(
    municipality: Municipality,
    scope: str,
    count: int,
    batch: str,
    district_code: str | None = None,
) -> list[str]:
    """``count`` new one-time codes for ``scope``; returns them in clear (they are also
    kept in clear until the batch is printed, see :func:`mark_batch_printed`)."""
    if count < 1:
        raise ServiceError(_("Ask for at least one code."))
    codes: list[str] = []
    hashes: set[str] = set()
    while len(codes) < count:
        code = _new_code()
        digest = code_hash(code)
        if digest in hashes:
            continue
        hashes.add(digest)
        codes.append(code)
    taken = set(
        db.session.scalars(
            select(VotingCode.code_hash).where(
                VotingCode.municipality_id == municipality.id, VotingCode.code_hash.in_(hashes)
            )
        )
    )
    if taken:  # 60 random bits: practically never; try again rather than fail
        return codes[: count - len(taken)] + generate_codes(
            municipality, scope, len(taken), batch, district_code
        )
    db.session.add_all(
        VotingCode(
            municipality_id=municipality.id,
            scope=scope,
            batch=batch,
            code_hash=code_hash(code),
            code=code,
            district_code=district_code,
        )
        for code in codes
    )
    db.session.flush()
    return codes


def codes_to_print(municipality: Municipality, scope: str, batch: str) -> list[VotingCode]:
    return list(
        db.session.scalars(
            select(VotingCode)
            .where(
                VotingCode.municipality_id == municipality.id,
                VotingCode.scope == scope,
                VotingCode.batch == batch,
                VotingCode.code.is_not(None),
            )
            .order_by(VotingCode.id)
        )
    )


def mark_batch_printed(municipality: Municipality, scope: str, batch: str) -> int:
    """Erase the codes in clear of a printed batch; returns how many were erased."""
    return db.session.execute(
        update(VotingCode)
        .where(
            VotingCode.municipality_id == municipality.id,
            VotingCode.scope == scope,
            VotingCode.batch == batch,
            VotingCode.code.is_not(None),
        )
        .values(code=None, printed_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount


def find_code(municipality: Municipality, scope: str, code: str) -> VotingCode | None:
    if not _normalise(code):
        return None
    return db.session.scalar(
        select(VotingCode).where(
            VotingCode.municipality_id == municipality.id,
            VotingCode.scope == scope,
            VotingCode.code_hash == code_hash(code),
        )
    )
