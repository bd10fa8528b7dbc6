"""Participatory budgeting: cycles, pools, projects, implementation, the voter roll,
ballots, published results and the audit log.

Ballot secrecy is structural. ``Voter`` (the roll: who voted in which pool) and
``Ballot`` (what was voted) share no key, no timestamp and no order: a ballot's key is
random and it records no time, so no query over these tables leads from a person to
their ballot lines. (The database's own bookkeeping still can, for its superuser: the
transaction id both rows share, their physical order; see architecture.md, Known limits.)
Where a pool lets voters change their ballot, only the
receipt code the voter keeps (stored here as a hash) finds the ballot again.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import Municipality, User, UTCDateTime, enum_type, utcnow
from participation.extensions import db
from participation.maps.models import District, Located

MONEY = Numeric(14, 2)


class Verification(enum.StrEnum):
    """How a cycle knows that a voter is who may vote (DOMAIN: voter verification)."""

    EMAIL = "email"  # a confirmed email account, with a declared district and age
    CODE = "code"  # a one-time voting code from a letter
    REGISTER = "register"  # an identifier checked against the office's hashed register


class Residence(enum.StrEnum):
    DISTRICT = "district"  # the voter's district decides their district pool
    MUNICIPALITY = "municipality"  # living in the town is enough; any district pool


class PoolAccess(enum.StrEnum):
    OWN_DISTRICT = "own_district"  # own district's pool plus the city-wide ones
    ANY = "any"  # every pool


class Method(enum.StrEnum):
    """Voting methods per pool (DOMAIN: voting methods people use)."""

    APPROVAL = "approval"  # within the pool amount, optional min share and max projects
    K_APPROVAL = "k_approval"  # up to k projects
    POINTS = "points"  # N points, a cap per project
    D21 = "d21"  # N plus votes, M minus votes (minus only after two plus)


class Rule(enum.StrEnum):
    """How winners are picked from the votes (``rules.py``)."""

    GREEDY = "greedy"
    MES = "mes"
    MES_ADD1 = "mes-add1"


class Channel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"


class Implementation(enum.StrEnum):
    PLANNED = "planned"
    IN_PREPARATION = "in_preparation"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Cycle(db.Model):
    """One year's edition of the participatory budget, with its phases and eligibility."""

    __tablename__ = "budget_cycle"
    __table_args__ = (
        CheckConstraint("voting_closes_at > voting_opens_at", name="voting_closes_after_opening"),
        CheckConstraint("min_age >= 0 AND min_age <= 120", name="min_age_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    # The ideas that become projects come from a call for ideas (its own dates).
    idea_call_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas_call.id", ondelete="SET NULL")
    )
    review_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voting_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who may vote.
    min_age: Mapped[int] = mapped_column(Integer, default=15)
    residence: Mapped[Residence] = mapped_column(
        enum_type(Residence, "budget_residence"), default=Residence.DISTRICT
    )
    pool_access: Mapped[PoolAccess] = mapped_column(
        enum_type(PoolAccess, "budget_pool_access"), default=PoolAccess.OWN_DISTRICT
    )
    verification: Mapped[Verification] = mapped_column(
        enum_type(Verification, "budget_verification"), default=Verification.EMAIL
    )
    # Polish cities with county rights: the total must be at least 0.5% of expenditure.
    expenditure: Mapped[Decimal | None] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    pools: Mapped[list[Pool]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="Pool.position"
    )
    categories: Mapped[list[BudgetCategory]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="BudgetCategory.name"
    )


class BudgetCategory(db.Model):
    __tablename__ = "budget_category"
    __table_args__ = (UniqueConstraint("cycle_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("budget_cycle.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))

    cycle: Mapped[Cycle] = relationship(back_populates="categories")


class Pool(db.Model):
    """Money for one area (city-wide when ``district_id`` is empty) and how it is voted."""

    __tablename__ = "budget_pool"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("length(currency) = 3", name="currency_code"),
        CheckConstraint("max_projects IS NULL OR max_projects > 0", name="max_projects_positive"),
        CheckConstraint(
            "min_share IS NULL OR (min_share > 0 AND min_share <= 100)", name="min_share_range"
        ),
        CheckConstraint("k IS NULL OR k > 0", name="k_positive"),
        CheckConstraint("points IS NULL OR points > 0", name="points_positive"),
        CheckConstraint("points_cap IS NULL OR points_cap > 0", name="points_cap_positive"),
        CheckConstraint("plus_votes IS NULL OR plus_votes > 0", name="plus_votes_positive"),
        CheckConstraint(
            "minus_votes IS NULL OR (minus_votes >= 0 AND 2 * minus_votes <= plus_votes)",
            name="minus_votes_at_most_half",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("budget_cycle.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("maps_district.id", ondelete="RESTRICT")
    )
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[Method] = mapped_column(enum_type(Method, "budget_method"))
    rule: Mapped[Rule] = mapped_column(enum_type(Rule, "budget_rule"), default=Rule.GREEDY)
    max_projects: Mapped[int | None] = mapped_column(Integer)  # approval
    min_share: Mapped[int | None] = mapped_column(Integer)  # approval: % of the pool to spend
    k: Mapped[int | None] = mapped_column(Integer)  # k-approval
    points: Mapped[int | None] = mapped_column(Integer)  # points: to spread
    points_cap: Mapped[int | None] = mapped_column(Integer)  # points: per project
    plus_votes: Mapped[int | None] = mapped_column(Integer)  # D21
    minus_votes: Mapped[int | None] = mapped_column(Integer)  # D21
    changeable: Mapped[bool] = mapped_column(Boolean, default=False)  # until the close
    position: Mapped[int] = mapped_column(Integer, default=0)

    cycle: Mapped[Cycle] = relationship(back_populates="pools")
    district: Mapped[District | None] = relationship()
    projects: Mapped[list[Project]] = relationship(back_populates="pool", order_by="Project.title")

    @property
    def municipality_id(self) -> int:
        return self.cycle.municipality_id


class Project(Located, db.Model):
    """A project on the ballot, made from an accepted idea or entered directly."""

    __tablename__ = "budget_project"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        UniqueConstraint("cycle_id", "idea_id"),
        Index("ix_budget_project_pool", "pool_id", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Every located item carries its town (maps.Located reassigns districts by it).
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("budget_cycle.id", ondelete="CASCADE"), index=True
    )
    pool_id: Mapped[int] = mapped_column(ForeignKey("budget_pool.id", ondelete="RESTRICT"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas_idea.id", ondelete="SET NULL"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("budget_category.id", ondelete="SET NULL")
    )
    # The id in a Pabulib file the project came from (imports) or goes to (exports).
    external_id: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[Decimal] = mapped_column(MONEY)
    cost_note: Mapped[str] = mapped_column(Text, default="")  # the reviewer's
    # Implementation of a winning project.
    implementation: Mapped[Implementation] = mapped_column(
        enum_type(Implementation, "budget_implementation"), default=Implementation.PLANNED
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    implementation_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cycle: Mapped[Cycle] = relationship()
    pool: Mapped[Pool] = relationship(back_populates="projects")
    category: Mapped[BudgetCategory | None] = relationship()
    district: Mapped[District | None] = relationship()
    images: Mapped[list[ProjectImage]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectImage.position"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Milestone.due"
    )


class ProjectImage(db.Model):
    """A picture of the project: from its idea, or a photo of its implementation."""

    __tablename__ = "budget_project_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("budget_project.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(100))
    thumbnail: Mapped[str] = mapped_column(String(100))
    alt: Mapped[str] = mapped_column(String(200), default="")
    implementation: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    project: Mapped[Project] = relationship(back_populates="images")


class Milestone(db.Model):
    __tablename__ = "budget_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("budget_project.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    due: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    project: Mapped[Project] = relationship(back_populates="milestones")


# --- voting -------------------------------------------------------------------------------


class Voter(db.Model):
    """The voter roll: that someone voted in a pool, never what.

    ``voter_key`` names the voter within the cycle without their identity where it
    can: ``user:<id>`` for email accounts, ``code:<hash>`` for voting codes,
    ``register:<hash>`` for the register (the same key online and on paper, so nobody
    votes twice). The unique constraint is what makes a second ballot impossible.
    """

    __tablename__ = "budget_voter"
    # The unique (pool, voter key) also serves every lookup by pool: no index of its own.
    __table_args__ = (UniqueConstraint("pool_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("budget_pool.id", ondelete="CASCADE"))
    voter_key: Mapped[str] = mapped_column(String(80))
    channel: Mapped[Channel] = mapped_column(
        enum_type(Channel, "budget_channel", 10), default=Channel.ONLINE
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("maps_district.id", ondelete="SET NULL")
    )  # for turnout per district
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="SET NULL")
    )


class DistrictChoice(db.Model):
    """Under one-district voting (``PoolAccess.OWN_DISTRICT``), the district whose pools a
    voter took with their first ballot in a district pool. Its unique (cycle, voter key)
    holds the rule also for two ballots cast at once in two districts' pools: the second
    waits for the first's transaction, then finds the other district. Nothing here that
    the roll does not hold."""

    __tablename__ = "budget_district_choice"
    __table_args__ = (UniqueConstraint("cycle_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("budget_cycle.id", ondelete="CASCADE"))
    voter_key: Mapped[str] = mapped_column(String(80))
    district_id: Mapped[int] = mapped_column(ForeignKey("maps_district.id", ondelete="CASCADE"))


class Ballot(db.Model):
    """What was voted in one pool, with no link to the voter: a random key, no time."""

    __tablename__ = "budget_ballot"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("budget_pool.id", ondelete="CASCADE"), index=True
    )
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[Channel] = mapped_column(
        enum_type(Channel, "budget_channel", 10), default=Channel.ONLINE
    )

    lines: Mapped[list[BallotLine]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan"
    )


class BallotLine(db.Model):
    """One project on a ballot: 1 for approval, the points given, or +1 / -1 in D21."""

    __tablename__ = "budget_ballot_line"
    __table_args__ = (CheckConstraint("value <> 0", name="value_not_zero"),)

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("budget_ballot.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("budget_project.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int] = mapped_column(Integer)

    ballot: Mapped[Ballot] = relationship(back_populates="lines")


class PoolResult(db.Model):
    """A published result: each project's score, whether it won, and why (Equal Shares)."""

    __tablename__ = "budget_pool_result"
    __table_args__ = (UniqueConstraint("pool_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("budget_pool.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("budget_project.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    selected: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int | None] = mapped_column(Integer)  # order of selection
    explanation: Mapped[str] = mapped_column(Text, default="")  # JSON from rules.py


class AuditEntry(db.Model):
    """Every administrative action on a cycle, for anyone who audits it."""

    __tablename__ = "budget_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("budget_cycle.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()
