"""Pure geometry rules: reading district boundaries from GeoJSON, checking and repairing them.

No Flask and no database here. Problems are returned as ``Problem`` values with a
code and parameters; the caller turns them into translated messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

# Two districts may share a border; overlapping by more than this share of the
# smaller one's area means the file is not a partition of the municipality.
OVERLAP_TOLERANCE = 0.01


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file. ``feature`` is the 1-based feature number, if any."""

    code: str
    feature: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class DistrictShape:
    name: str
    code: str | None
    population: int | None
    boundary: MultiPolygon
    feature: int
    repaired: bool = False


@dataclass
class ParsedDistricts:
    districts: list[DistrictShape]
    errors: list[Problem]
    repairs: list[Problem]
    municipality_boundary: MultiPolygon | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.districts)


def is_wgs84(geometry: BaseGeometry) -> bool:
    """Longitudes in [-180, 180] and latitudes in [-90, 90]: GeoJSON's only CRS (RFC 7946)."""
    min_x, min_y, max_x, max_y = geometry.bounds
    return -180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90


def polygonal_part(geometry: BaseGeometry) -> MultiPolygon | None:
    """The polygons of ``geometry`` as one MultiPolygon; None if it has no area."""
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry]) if not geometry.is_empty else None
    if isinstance(geometry, MultiPolygon):
        return geometry if not geometry.is_empty else None
    parts: list[Polygon] = []
    for part in getattr(geometry, "geoms", []):
        found = polygonal_part(part)
        if found is not None:
            parts.extend(found.geoms)
    return MultiPolygon(parts) if parts else None


def repair(geometry: MultiPolygon) -> MultiPolygon:
    """A valid MultiPolygon covering what ``geometry`` meant (shapely's make_valid)."""
    fixed = polygonal_part(shapely.make_valid(geometry))
    return fixed if fixed is not None else geometry


def load_geojson(data: bytes | str | dict) -> tuple[list[dict] | None, Problem | None]:
    """The features of a GeoJSON document, or the problem that stops reading it."""
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as error:
            return None, Problem("not_json", detail={"error": str(error)[:200]})
    if not isinstance(data, dict) or "type" not in data:
        return None, Problem("not_geojson")
    kind = data.get("type")
    if kind == "FeatureCollection" and isinstance(data.get("features"), list):
        return data["features"], None
    if kind == "Feature":
        return [data], None
    if kind in {"Polygon", "MultiPolygon", "GeometryCollection"}:
        return [{"type": "Feature", "geometry": data, "properties": {}}], None
    return None, Problem("not_geojson")


def parse_districts(
    data: bytes | str | dict,
    name_property: str,
    code_property: str | None = None,
    population_property: str | None = None,
    municipality_feature: str | None = None,
) -> ParsedDistricts:
    """Read district boundaries, checking every feature; repair invalid polygons.

    ``municipality_feature`` names a feature that is the whole municipality (some files
    carry one): it becomes the municipality's boundary instead of a district.
    """
    result = ParsedDistricts(districts=[], errors=[], repairs=[])
    features, problem = load_geojson(data)
    if problem is not None:
        result.errors.append(problem)
        return result
    assert features is not None
    if not features:
        result.errors.append(Problem("no_polygons"))
        return result
    seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        properties = (feature or {}).get("properties") or {}
        try:
            geometry = shape(feature["geometry"]) if feature.get("geometry") else None
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
            result.errors.append(Problem("bad_geometry", number))
            continue
        polygons = polygonal_part(geometry) if geometry is not None else None
        if polygons is None:
            result.errors.append(
                Problem("not_polygon", number, {"type": getattr(geometry, "geom_type", "none")})
            )
            continue
        if not is_wgs84(polygons):
            x, y = polygons.bounds[:2]
            result.errors.append(Problem("not_wgs84", number, {"x": x, "y": y}))
            continue
        name = properties.get(name_property)
        if name is None or str(name).strip() == "":
            result.errors.append(
                Problem(
                    "missing_name",
                    number,
                    {"property": name_property, "available": sorted(properties)[:10]},
                )
            )
            continue
        name = str(name).strip()
        repaired = False
        if not polygons.is_valid:
            reason = shapely.is_valid_reason(polygons)
            polygons = repair(polygons)
            repaired = True
            result.repairs.append(Problem("repaired", number, {"name": name, "reason": reason}))
        if municipality_feature is not None and name == municipality_feature:
            result.municipality_boundary = polygons
            continue
        if name in seen:
            result.errors.append(
                Problem("duplicate_name", number, {"name": name, "first": seen[name]})
            )
            continue
        seen[name] = number
        code = properties.get(code_property) if code_property else None
        population = (
            _int_or_none(properties.get(population_property)) if population_property else None
        )
        result.districts.append(
            DistrictShape(
                name=name,
                code=str(code).strip() if code not in (None, "") else None,
                population=population,
                boundary=polygons,
                feature=number,
                repaired=repaired,
            )
        )
    if not result.districts and not result.errors:
        result.errors.append(Problem("no_polygons"))
    if not result.errors:
        result.errors.extend(overlapping(result.districts))
    return result


def overlapping(districts: list[DistrictShape]) -> list[Problem]:
    """Pairs of districts that overlap by more than a sliver."""
    problems = []
    tree = shapely.STRtree([d.boundary for d in districts])
    for i, district in enumerate(districts):
        for j in tree.query(district.boundary, predicate="intersects"):
            j = int(j)
            if j <= i:
                continue
            other = districts[j]
            shared = district.boundary.intersection(other.boundary).area
            smaller = min(district.boundary.area, other.boundary.area) or 1
            if shared / smaller > OVERLAP_TOLERANCE:
                problems.append(
                    Problem(
                        "overlap",
                        district.feature,
                        {
                            "name": district.name,
                            "other": other.name,
                            "other_feature": other.feature,
                        },
                    )
                )
    return problems


def municipality_outline(boundaries: list[MultiPolygon]) -> MultiPolygon | None:
    """The union of the districts: the municipality's boundary unless one was given."""
    if not boundaries:
        return None
    return polygonal_part(shapely.union_all(boundaries))


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
