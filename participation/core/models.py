"""Municipalities (tenants), accounts and the roles that tie them together."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from participation.extensions import db

LANGUAGES = ("cs", "pl", "en")


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(cls: type[enum.Enum], name: str, length: int = 20) -> Enum:
    """A column type for a string enum: stored as its values in a VARCHAR, on both
    databases (no native PostgreSQL enum to migrate when a value is added)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


class UTCDateTime(db.TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def __repr__(self) -> str:
        return "UTCDateTime()"


class Country(enum.StrEnum):
    CZ = "CZ"
    PL = "PL"
    OTHER = "other"


class Role(enum.StrEnum):
    """Roles a person holds in one municipality, from the most to the least powerful."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MODERATOR = "moderator"
    REVIEWER = "reviewer"
    RESIDENT = "resident"


class Municipality(db.Model):
    __tablename__ = "core_municipality"
    __table_args__ = (
        CheckConstraint("default_language IN ('cs', 'pl', 'en')", name="default_language"),
        CheckConstraint("length(currency) = 3", name="currency_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[Country] = mapped_column(
        Enum(
            Country,
            name="core_country",
            native_enum=False,
            length=8,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    default_language: Mapped[str] = mapped_column(String(5), default="cs")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Prague")
    currency: Mapped[str] = mapped_column(String(3), default="CZK")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_address: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    logo_filename: Mapped[str | None] = mapped_column(String(200))
    # The key of the keyed hashes in the resident register (HMAC-SHA256). The office
    # hashes its identifiers with it before importing; we never see them in clear.
    register_key: Mapped[str | None] = mapped_column(String(64))
    # Consultations shorter than this get a warning (Polish good practice: 21 days).
    min_consultation_days: Mapped[int] = mapped_column(Integer, default=21, server_default="21")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Municipality {self.slug}>"


class User(UserMixin, db.Model):
    """An account. Roles live in ``RoleGrant``; contributions in their modules."""

    __tablename__ = "core_user"
    __table_args__ = (CheckConstraint("language IN ('cs', 'pl', 'en')", name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(5))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on every password change so that other sessions are logged out.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    notify_status_changes: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_replies: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_news: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="user",
        foreign_keys="RoleGrant.user_id",
        cascade="all, delete-orphan",
    )

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return self.deleted_at is None and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.deleted_at is None

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]

    def roles_in(self, municipality: Municipality) -> set[Role]:
        return {grant.role for grant in self.roles if grant.municipality_id == municipality.id}

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RoleGrant(db.Model):
    """One role of one person in one municipality."""

    __tablename__ = "core_role_grant"
    __table_args__ = (UniqueConstraint("user_id", "municipality_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="core_role",
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    municipality: Mapped[Municipality] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])


class ResidentVerification(db.Model):
    """A person confirmed as a resident of a municipality, and how.

    Ideas, consultations and budgeting ask "is this a verified resident?"; the answer
    lives here. No identifier is stored: only who confirmed it, when and by what method.
    """

    __tablename__ = "core_resident_verification"
    __table_args__ = (UniqueConstraint("user_id", "municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"))
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(30), default="staff")
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RegisterEntry(db.Model):
    """One resident in the office's register: a keyed hash of their identifier, with
    their district and birth year. The identifier itself is never stored."""

    __tablename__ = "core_register_entry"
    __table_args__ = (UniqueConstraint("municipality_id", "id_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    id_hash: Mapped[str] = mapped_column(String(64))
    # The district's code as the office's register has it (maps.District.code).
    district_code: Mapped[str | None] = mapped_column(String(40))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VotingCode(db.Model):
    """A one-time code printed in a letter, good for one voter within its ``scope``
    (e.g. ``budget:12`` for a PB cycle). Only its hash finds it; the code in clear is
    kept until its batch is printed, then erased."""

    __tablename__ = "core_voting_code"
    __table_args__ = (UniqueConstraint("municipality_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(60), index=True)
    batch: Mapped[str] = mapped_column(String(60))
    code_hash: Mapped[str] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(32))
    # Letters may go to one district's residents (maps.District.code).
    district_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
