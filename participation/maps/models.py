"""Districts: the parts of a municipality that pools, calls and statistics refer to."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import Municipality
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

    def __repr__(self) -> str:
        return f"<District {self.name}>"
