"""The demo town's districts: four polygons around a real-looking South Bohemian town."""

from __future__ import annotations

from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import select

from participation.core.models import Municipality
from participation.extensions import db
from participation.maps.models import District

# lon, lat rings; together they tile the town without gaps or overlaps.
DEMO_DISTRICTS = (
    ("Střed", "01", 6200, [(14.645, 49.408), (14.672, 49.408), (14.672, 49.420), (14.645, 49.420)]),
    ("Sever", "02", 5100, [(14.630, 49.420), (14.690, 49.420), (14.690, 49.440), (14.630, 49.440)]),
    ("Jih", "03", 4800, [(14.630, 49.392), (14.690, 49.392), (14.690, 49.408), (14.630, 49.408)]),
    ("Západ", "04", 3900, [(14.630, 49.408), (14.645, 49.408), (14.645, 49.420), (14.630, 49.420)]),
    (
        "Východ",
        "05",
        3400,
        [(14.672, 49.408), (14.690, 49.408), (14.690, 49.420), (14.672, 49.420)],
    ),
)


def load(municipality: Municipality) -> list[District]:
    existing = {
        d.name: d
        for d in db.session.scalars(
            select(District).where(District.municipality_id == municipality.id)
        )
    }
    districts = []
    for name, code, population, ring in DEMO_DISTRICTS:
        district = existing.get(name)
        if district is None:
            district = District(
                municipality=municipality,
                name=name,
                code=code,
                population=population,
                boundary=MultiPolygon([Polygon(ring)]),
            )
            db.session.add(district)
        districts.append(district)
    db.session.flush()
    return districts
