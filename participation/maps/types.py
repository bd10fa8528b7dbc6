"""A geometry column that is PostGIS on PostgreSQL and WKB bytes elsewhere.

Python code always sees shapely geometries. SpatiaLite cannot be loaded by this
Python's sqlite3, so the zero-setup SQLite database keeps plain WKB and the
spatial work is done by shapely (see ``participation.maps.locator``).
"""

from __future__ import annotations

import shapely
from geoalchemy2 import Geometry as PostGISGeometry
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

SRID = 4326


class Geometry(TypeDecorator):
    impl = LargeBinary
    cache_ok = True

    # geoalchemy2's DDL listeners read these attributes on every geometry-like type.
    spatial_index = False
    use_N_D_index = False
    use_typmod = None
    dimension = 2
    nullable = True

    def __init__(self, geometry_type: str = "GEOMETRY", srid: int = SRID) -> None:
        super().__init__()
        self.geometry_type = geometry_type.upper()
        self.srid = srid

    def load_dialect_impl(self, dialect):
        if dialect is not None and dialect.name == "postgresql":
            return dialect.type_descriptor(
                PostGISGeometry(self.geometry_type, srid=self.srid, spatial_index=False)
            )
        return LargeBinary()

    def bind_expression(self, bindvalue):
        return bindvalue

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "postgresql":
            return from_shape(value, srid=self.srid)
        return shapely.to_wkb(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "postgresql":
            return to_shape(value)
        return shapely.from_wkb(bytes(value))

    def __repr__(self) -> str:
        return f"Geometry({self.geometry_type!r}, srid={self.srid})"
