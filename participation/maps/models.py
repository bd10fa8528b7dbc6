"""Districts, the municipality's boundary, and the mixin for things that have a place."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from participation.core.models import Municipality, UTCDateTime, utcnow
from participation.extensions import db
from participation.maps.types import Geometry


class District(db.Model):
    __tablename__ = "maps_district"
    __table_args__ = (
        UniqueConstraint("municipality_id", "name"),
        Index("ix_maps_district_boundary_gist", "boundary", postgresql_using="gist").ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(50))
    boundary = mapped_column(Geometry("MULTIPOLYGON"), nullable=False)
    population: Mapped[int | None] = mapped_column(Integer)

    municipality: Mapped[Municipality] = relationship()
    population_groups: Mapped[list[DistrictPopulation]] = relationship(
        back_populates="district", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<District {self.name}>"


class DistrictPopulation(db.Model):
    """Residents of a district by age band and gender, for representativeness figures."""

    __tablename__ = "maps_district_population"
    __table_args__ = (
        UniqueConstraint("district_id", "age_band", "gender"),
        CheckConstraint("residents >= 0", name="residents_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(
        ForeignKey("maps_district.id", ondelete="CASCADE"), index=True
    )
    age_band: Mapped[str] = mapped_column(String(20), default="all")
    gender: Mapped[str] = mapped_column(String(20), default="all")
    residents: Mapped[int] = mapped_column(Integer)

    district: Mapped[District] = relationship(back_populates="population_groups")


class MunicipalityBoundary(db.Model):
    """A boundary imported or drawn for the municipality; without one, its districts' union."""

    __tablename__ = "maps_municipality_boundary"
    __table_args__ = (
        Index(
            "ix_maps_municipality_boundary_boundary_gist", "boundary", postgresql_using="gist"
        ).ddl_if(dialect="postgresql"),
    )

    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("core_municipality.id", ondelete="CASCADE"), primary_key=True
    )
    boundary = mapped_column(Geometry("MULTIPOLYGON"), nullable=False)
    source: Mapped[str] = mapped_column(String(20), default="imported")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Located:
    """A mixin for a model with a place: ``lat``/``lon`` and the district it falls in.

    Plain float columns with B-tree indexes serve viewport filters on both databases;
    ``district_id`` is set when the point is saved and again after a district import.
    Every model using it is registered in ``LOCATED_MODELS``.
    """

    LOCATED_MODELS: ClassVar[list[type]] = []

    lat: Mapped[float | None] = mapped_column(Float, index=True)
    lon: Mapped[float | None] = mapped_column(Float, index=True)
    address: Mapped[str | None] = mapped_column(String(300))

    @declared_attr
    def district_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("maps_district.id", ondelete="SET NULL"), index=True)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "__tablename__"):
            Located.LOCATED_MODELS.append(cls)
