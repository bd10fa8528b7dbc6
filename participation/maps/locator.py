"""Point in district, in memory: the SQLite side of the locator (PostGIS does it in SQL).

``DistrictIndex`` answers which district contains a point with a shapely STRtree and
prepared geometries. A point on a shared border belongs to exactly one district: the
one with the smallest id among those that cover it, the same rule as the SQL side
(``ST_Covers``, which unlike ``ST_Contains`` leaves no gap along internal borders).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry


class DistrictIndex:
    def __init__(self, districts: Iterable[tuple[int, BaseGeometry]]) -> None:
        pairs = sorted(districts, key=lambda pair: pair[0])
        self.ids: list[int] = [district_id for district_id, _ in pairs]
        self.shapes: list[BaseGeometry] = [geometry for _, geometry in pairs]
        for geometry in self.shapes:
            shapely.prepare(geometry)
        self.tree = shapely.STRtree(self.shapes)

    def __len__(self) -> int:
        return len(self.ids)

    def locate(self, lon: float, lat: float) -> int | None:
        """The id of the district containing (lon, lat), or None outside all of them."""
        if not self.ids:
            return None
        hits = self.tree.query(Point(lon, lat), predicate="intersects")
        return self.ids[int(min(hits))] if len(hits) else None

    def locate_many(self, points: Sequence[tuple[float, float]]) -> list[int | None]:
        """``locate`` for many (lon, lat) points at once."""
        if not points:
            return []
        if not self.ids:
            return [None] * len(points)
        best: list[int | None] = [None] * len(points)  # smallest shape position per point
        geometries = shapely.points([(lon, lat) for lon, lat in points])
        point_index, shape_index = self.tree.query(geometries, predicate="intersects")
        for p, s in zip(point_index.tolist(), shape_index.tolist(), strict=True):
            current = best[p]
            if current is None or s < current:
                best[p] = s
        return [None if s is None else self.ids[s] for s in best]
