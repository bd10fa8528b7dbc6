"""Districts and places: import, locate, boundary, and GeoJSON of districts."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from shapely.geometry import MultiPolygon, Point, mapping
from sqlalchemy import bindparam, func, select, text, update

from participation.core.ids import whole_number
from participation.core.models import Municipality
from participation.extensions import db
from participation.maps import geometry
from participation.maps.locator import DistrictIndex
from participation.maps.models import District, Located, MunicipalityBoundary

SRID = 4326


def is_postgis() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def district_of(municipality: Municipality, value: str | None) -> District | None:
    """The municipality's district that a form value names (its id), or None: no value,
    not a whole number, no such district, or another municipality's."""
    number = whole_number(value)
    district = db.session.get(District, number) if number is not None else None
    if district is None or district.municipality_id != municipality.id:
        return None
    return district


def districts_of(municipality: Municipality) -> list[District]:
    return list(
        db.session.scalars(
            select(District)
            .where(District.municipality_id == municipality.id)
            .order_by(District.name)
        )
    )


# --- the locator ----------------------------------------------------------------------

_index_cache: dict[int, tuple[tuple, DistrictIndex]] = {}
_generation: dict[int, int] = {}


def _district_index(municipality: Municipality) -> DistrictIndex:
    """The in-memory index of a municipality's districts, rebuilt when they change."""
    # Imports in this process bump the generation; the count and largest id catch
    # changes made by another process.
    stamp = tuple(
        db.session.execute(
            select(func.count(District.id), func.max(District.id)).where(
                District.municipality_id == municipality.id
            )
        ).one()
    ) + (_generation.get(municipality.id, 0),)
    cached = _index_cache.get(municipality.id)
    if cached is None or cached[0] != stamp:
        rows = db.session.execute(
            select(District.id, District.boundary).where(
                District.municipality_id == municipality.id
            )
        ).all()
        _index_cache[municipality.id] = (stamp, DistrictIndex(rows))
    return _index_cache[municipality.id][1]


def _point_sql(lon, lat):
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)


def locate(municipality: Municipality, lat: float, lon: float) -> District | None:
    """The district that contains the point (``ST_Covers`` on PostGIS, STRtree elsewhere)."""
    if is_postgis():
        return db.session.scalar(
            select(District)
            .where(
                District.municipality_id == municipality.id,
                func.ST_Covers(District.boundary, _point_sql(lon, lat)),
            )
            .order_by(District.id)
            .limit(1)
        )
    district_id = _district_index(municipality).locate(lon, lat)
    return db.session.get(District, district_id) if district_id is not None else None


def locate_many(municipality: Municipality, points: list[tuple[float, float]]) -> list[int | None]:
    """District ids for many (lat, lon) points, on either database."""
    if not points:
        return []
    if is_postgis():
        values = ", ".join(
            f"({i}, {float(lon)!r}, {float(lat)!r})" for i, (lat, lon) in enumerate(points)
        )
        rows = db.session.execute(
            text(
                f"""
                SELECT p.i, (
                    SELECT d.id FROM maps_district d
                    WHERE d.municipality_id = :m
                      AND ST_Covers(d.boundary, ST_SetSRID(ST_MakePoint(p.lon, p.lat), {SRID}))
                    ORDER BY d.id LIMIT 1)
                FROM (VALUES {values}) AS p(i, lon, lat)
                """
            ),
            {"m": municipality.id},
        ).all()
        found = dict(rows)
        return [found.get(i) for i in range(len(points))]
    return _district_index(municipality).locate_many([(lon, lat) for lat, lon in points])


def municipality_boundary(municipality: Municipality) -> MultiPolygon | None:
    """The imported or drawn boundary, else the union of the districts."""
    own = db.session.get(MunicipalityBoundary, municipality.id)
    if own is not None:
        return own.boundary
    return geometry.municipality_outline([d.boundary for d in districts_of(municipality)])


def contains(municipality: Municipality, lat: float, lon: float) -> bool:
    """Whether the point lies inside the municipality."""
    if db.session.get(MunicipalityBoundary, municipality.id) is None:
        return locate(municipality, lat, lon) is not None
    boundary = municipality_boundary(municipality)
    return boundary is not None and boundary.covers(Point(lon, lat))


def set_municipality_boundary(
    municipality: Municipality, boundary: MultiPolygon | None, source: str
) -> None:
    existing = db.session.get(MunicipalityBoundary, municipality.id)
    if boundary is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(
            MunicipalityBoundary(municipality_id=municipality.id, boundary=boundary, source=source)
        )
    else:
        existing.boundary = boundary
        existing.source = source
    db.session.flush()


# --- import ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    points_reassigned: int = 0


class ImportRefused(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def import_districts(
    municipality: Municipality, parsed: geometry.ParsedDistricts, replace: bool = False
) -> ImportReport:
    """Store the parsed districts (same name: updated); with ``replace`` drop the others.

    Refuses the whole file when any feature has a problem: nothing changes then.
    Afterwards every stored point is assigned to its district again.
    """
    if not parsed.ok:
        raise ImportRefused(
            [describe(p) for p in parsed.errors] or [describe(geometry.Problem("no_polygons"))]
        )
    report = ImportReport(repairs=[describe(p) for p in parsed.repairs])
    existing = {d.name: d for d in districts_of(municipality)}
    for shape in parsed.districts:
        district = existing.pop(shape.name, None)
        if district is None:
            district = District(municipality_id=municipality.id, name=shape.name)
            db.session.add(district)
            report.created.append(shape.name)
        else:
            report.updated.append(shape.name)
        district.boundary = shape.boundary
        district.code = shape.code
        if shape.population is not None:
            district.population = shape.population
    if replace:
        for name, district in existing.items():
            db.session.delete(district)
            report.removed.append(name)
    if parsed.municipality_boundary is not None:
        set_municipality_boundary(municipality, parsed.municipality_boundary, "imported")
    db.session.flush()
    _generation[municipality.id] = _generation.get(municipality.id, 0) + 1
    report.points_reassigned = reassign_points(municipality)
    return report


def reassign_points(municipality: Municipality) -> int:
    """Set ``district_id`` of every located item of the municipality from its point."""
    total = 0
    for model in Located.LOCATED_MODELS:
        table = model.__table__
        if is_postgis():
            result = db.session.execute(
                text(
                    f"""
                    UPDATE {table.name} AS t SET district_id = (
                        SELECT d.id FROM maps_district d
                        WHERE d.municipality_id = t.municipality_id
                          AND ST_Covers(d.boundary, ST_SetSRID(ST_MakePoint(t.lon, t.lat), {SRID}))
                        ORDER BY d.id LIMIT 1)
                    WHERE t.municipality_id = :m AND t.lat IS NOT NULL AND t.lon IS NOT NULL
                    """
                ),
                {"m": municipality.id},
            )
            total += result.rowcount
            continue
        rows = db.session.execute(
            select(model.id, model.lat, model.lon).where(
                model.municipality_id == municipality.id,
                model.lat.is_not(None),
                model.lon.is_not(None),
            )
        ).all()
        ids = locate_many(municipality, [(lat, lon) for _, lat, lon in rows])
        if rows:
            db.session.execute(
                update(table).where(table.c.id == bindparam("row_id")),
                [{"row_id": row.id, "district_id": d} for row, d in zip(rows, ids, strict=True)],
            )
        total += len(rows)
    db.session.flush()
    return total


def describe(problem: geometry.Problem) -> str:
    """A translated sentence for an import problem, saying what and where."""
    where = _("Feature %(number)d", number=problem.feature) if problem.feature else ""
    d = problem.detail
    messages = {
        "not_json": lambda: _("The file is not JSON: %(error)s", error=d.get("error", "")),
        "not_geojson": lambda: _(
            "The file is not GeoJSON: expected a FeatureCollection, a Feature or a polygon."
        ),
        "no_polygons": lambda: _("The file has no polygons."),
        "bad_geometry": lambda: _("its geometry cannot be read."),
        "not_polygon": lambda: _(
            "it is a %(type)s, not a polygon or multipolygon.", type=d.get("type")
        ),
        "not_wgs84": lambda: _(
            "its coordinates (%(x).0f, %(y).0f) are not longitude and latitude in degrees "
            "(WGS84); convert the file to EPSG:4326.",
            x=d.get("x", 0),
            y=d.get("y", 0),
        ),
        "missing_name": lambda: _(
            "it has no property '%(property)s' for the name (it has: %(available)s).",
            property=d.get("property"),
            available=", ".join(d.get("available", [])) or "-",
        ),
        "duplicate_name": lambda: _(
            "the name '%(name)s' is used already by feature %(first)d.",
            name=d.get("name"),
            first=d.get("first", 0),
        ),
        "overlap": lambda: _(
            "'%(name)s' overlaps '%(other)s' (feature %(other_feature)d); districts must not "
            "overlap.",
            name=d.get("name"),
            other=d.get("other"),
            other_feature=d.get("other_feature", 0),
        ),
        "repaired": lambda: _(
            "'%(name)s' was not a valid polygon (%(reason)s) and was repaired.",
            name=d.get("name"),
            reason=d.get("reason"),
        ),
    }
    sentence = messages.get(problem.code, lambda: problem.code)()
    return f"{where}: {sentence}" if where else sentence


# --- GeoJSON --------------------------------------------------------------------------


def districts_geojson(municipality: Municipality) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": district.id,
                "properties": {
                    "id": district.id,
                    "name": district.name,
                    "code": district.code,
                    "population": district.population,
                },
                "geometry": mapping(district.boundary),
            }
            for district in sorted(districts_of(municipality), key=lambda d: d.id)
        ],
    }


# --- places in forms ------------------------------------------------------------------


@dataclass
class Place:
    lat: float | None
    lon: float | None
    district: District | None
    address: str | None


def district_choices(municipality: Municipality, blank_label: str) -> list:
    from wtforms import SelectChoice

    return [SelectChoice("", blank_label)] + [
        SelectChoice(str(d.id), d.name) for d in districts_of(municipality)
    ]


def check_location(form, municipality: Municipality, required: bool = False) -> Place | None:
    """Validate a form's ``LocationFields`` against the municipality.

    A point outside the municipality is refused; a point decides the district; a
    district alone (no map, no JavaScript) is accepted too. Errors go on the fields.
    """
    lat = float(form.lat.data) if form.lat.data is not None else None
    lon = float(form.lon.data) if form.lon.data is not None else None
    address = (form.address.data or "").strip() or None
    chosen = None
    if form.district.data:
        chosen = district_of(municipality, form.district.data)
        if chosen is None:
            form.district.errors.append(_("Choose one of the districts in the list."))
            return None
    if (lat is None) != (lon is None):
        (form.lon if lon is None else form.lat).errors.append(
            _("Give both latitude and longitude, or click the map.")
        )
        return None
    if lat is not None:
        if not contains(municipality, lat, lon):
            form.lat.errors.append(
                _(
                    "This place is outside %(name)s. Choose a place inside it.",
                    name=municipality.name,
                )
            )
            return None
        located = locate(municipality, lat, lon)
        return Place(lat, lon, located or chosen, address)
    if required and chosen is None:
        form.district.errors.append(_("Click the map to mark the place, or choose a district."))
        return None
    return Place(None, None, chosen, address)


def own_boundary(municipality: Municipality) -> MultiPolygon | None:
    own = db.session.get(MunicipalityBoundary, municipality.id)
    return own.boundary if own is not None else None
