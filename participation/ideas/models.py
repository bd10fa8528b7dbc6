"""Idea calls and ideas, with supports, comments, reports, follows, reviews and appeals."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import Municipality, User, UTCDateTime, enum_type, utcnow
from participation.extensions import db
from participation.ideas.rules import IdeaStatus
from participation.maps.models import District, Located

SEARCH_DOCUMENT = "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, ''))"
SEARCH_INDEX = "ix_ideas_idea_search"


class Submitters(enum.StrEnum):
    """Who may submit ideas into a call."""

    ANY_ACCOUNT = "any_account"
    CONFIRMED_EMAIL = "confirmed_email"
    VERIFIED_RESIDENT = "verified_resident"


call_district = Table(
    "ideas_call_district",
    db.metadata,
    Column("call_id", ForeignKey("ideas_call.id", ondelete="CASCADE"), primary_key=True),
    Column("district_id", ForeignKey("maps_district.id", ondelete="CASCADE"), primary_key=True),
)


class IdeaCall(db.Model):
    """A call for ideas (cs výzva, pl nabór): dates, area, categories and rules."""

    __tablename__ = "ideas_call"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint(
            "max_ideas_per_person IS NULL OR max_ideas_per_person > 0", name="max_ideas_positive"
        ),
        CheckConstraint(
            "support_threshold IS NULL OR support_threshold > 0", name="threshold_positive"
        ),
        CheckConstraint("max_images >= 0 AND max_images <= 10", name="max_images_range"),
        CheckConstraint("appeal_days >= 0", name="appeal_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitters: Mapped[Submitters] = mapped_column(
        enum_type(Submitters, "ideas_submitters"), default=Submitters.CONFIRMED_EMAIL
    )
    max_ideas_per_person: Mapped[int | None] = mapped_column(Integer)
    location_required: Mapped[bool] = mapped_column(Boolean, default=False)
    support_threshold: Mapped[int | None] = mapped_column(Integer)
    support_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    max_images: Mapped[int] = mapped_column(Integer, default=3)
    appeal_days: Mapped[int] = mapped_column(Integer, default=14)
    duplicate_distance_m: Mapped[int] = mapped_column(Integer, default=150)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL")
    )

    municipality: Mapped[Municipality] = relationship()
    districts: Mapped[list[District]] = relationship(
        secondary=call_district, order_by="District.name"
    )
    categories: Mapped[list[Category]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Category.position"
    )


class Category(db.Model):
    __tablename__ = "ideas_category"
    __table_args__ = (UniqueConstraint("call_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("ideas_call.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)

    call: Mapped[IdeaCall] = relationship(back_populates="categories")


class Idea(Located, db.Model):
    __tablename__ = "ideas_idea"
    __table_args__ = (
        CheckConstraint("support_count >= 0", name="support_count_not_negative"),
        Index("ix_ideas_idea_call_status", "call_id", "status"),
        Index("ix_ideas_idea_call_support", "call_id", "support_count", "id"),
        Index("ix_ideas_idea_call_submitted", "call_id", "submitted_at", "id"),
        # The full-text GIN index (PostgreSQL only) is made by the migration, see
        # SEARCH_INDEX; an expression index is not something autogenerate compares.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[int] = mapped_column(ForeignKey("ideas_call.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL"), index=True
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas_category.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[IdeaStatus] = mapped_column(
        enum_type(IdeaStatus, "ideas_status"), default=IdeaStatus.DRAFT
    )
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas_idea.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[IdeaCall] = relationship()
    author: Mapped[User | None] = relationship()
    category: Mapped[Category | None] = relationship()
    district: Mapped[District | None] = relationship()
    merged_into: Mapped[Idea | None] = relationship(remote_side=[id])
    images: Mapped[list[IdeaImage]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="IdeaImage.position"
    )
    history: Mapped[list[StatusEvent]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="StatusEvent.id"
    )

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class IdeaImage(db.Model):
    __tablename__ = "ideas_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas_idea.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(100))
    thumbnail: Mapped[str] = mapped_column(String(100))
    alt: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    idea: Mapped[Idea] = relationship(back_populates="images")


class StatusEvent(db.Model):
    """One step of an idea's public history, with its date and public note."""

    __tablename__ = "ideas_status_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas_idea.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="history")


class Support(db.Model):
    __tablename__ = "ideas_support"
    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas_idea.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Follow(db.Model):
    __tablename__ = "ideas_follow"
    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas_idea.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)


class Comment(db.Model):
    __tablename__ = "ideas_comment"
    __table_args__ = (Index("ix_ideas_comment_idea_created", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas_idea.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas_comment.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    idea: Mapped[Idea] = relationship()
    author: Mapped[User | None] = relationship()
    replies: Mapped[list[Comment]] = relationship(order_by=lambda: Comment.id)

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def municipality_id(self) -> int:
        return self.idea.municipality_id


class Report(db.Model):
    """A report of an idea or a comment, with its reason, until a moderator resolves it."""

    __tablename__ = "ideas_report"
    __table_args__ = (
        CheckConstraint("(idea_id IS NULL) <> (comment_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas_idea.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas_comment.id", ondelete="CASCADE")
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(String(20))

    idea: Mapped[Idea | None] = relationship()
    comment: Mapped[Comment | None] = relationship()


class Review(db.Model):
    """A reviewer's assessment: legality, feasibility, cost, justification and outcome."""

    __tablename__ = "ideas_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas_idea.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    legal: Mapped[bool] = mapped_column(Boolean)
    feasible: Mapped[bool] = mapped_column(Boolean)
    cost_estimate: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    justification: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Appeal(db.Model):
    __tablename__ = "ideas_appeal"
    __table_args__ = (UniqueConstraint("idea_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas_idea.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL")
    )
    upheld: Mapped[bool | None] = mapped_column(Boolean)
    decision: Mapped[str | None] = mapped_column(Text)

    idea: Mapped[Idea] = relationship()
