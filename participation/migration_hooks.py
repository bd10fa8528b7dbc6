"""Alembic comparison hooks, shared by migrations/env.py and the schema test."""

from __future__ import annotations

from collections.abc import Callable

from participation.maps.types import Geometry

# Tables that PostGIS itself owns; they are not ours to create or drop.
POSTGIS_TABLES = frozenset({"spatial_ref_sys", "geometry_columns", "geography_columns"})
# Expression indexes made by hand in a migration (PostgreSQL only); not in the models.
DATABASE_ONLY_INDEXES = frozenset({"ix_ideas_idea_search"})


def include_object_for(dialect_name: str) -> Callable:
    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == "table" and name in POSTGIS_TABLES:
            return False
        if type_ == "index" and reflected and name in DATABASE_ONLY_INDEXES:
            return False
        # An index declared with .ddl_if(dialect=...) exists only on that dialect.
        ddl_if = getattr(obj, "_ddl_if", None)
        if type_ == "index" and not reflected and ddl_if is not None and ddl_if.dialect:
            return ddl_if.dialect == dialect_name
        return True

    return include_object


def compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """Our portable Geometry is PostGIS geometry or a BLOB: compare what it stands for."""
    if isinstance(metadata_type, Geometry):
        if context.dialect.name == "postgresql":
            return getattr(inspected_type, "geometry_type", None) != metadata_type.geometry_type
        return False
    return None  # Alembic's default comparison
