"""Grid clustering of points for a map view: the pure arithmetic, with no Flask or database.

A map at zoom ``z`` is a square of ``256 * 2**z`` pixels in Web Mercator (what Leaflet and
the tile servers use). The grid cuts it into cells of ``CELL_PIXELS`` on each side, so a
cell looks the same size at every latitude. Cells are global, not relative to the view:
a point stays in the same cell while the map is panned, so groups do not jump.

- The column of a longitude is ``floor((lon + 180) / width)``, with ``width`` in degrees.
  At every zoom ``width`` is a power-of-two fraction of 112.5, so it is exact in binary.
- The row of a latitude is found by comparing it with the latitudes of the row edges,
  which are computed once per request, here (``Grid.edges``). A database then only
  compares numbers (``width_bucket`` on PostgreSQL), so it puts every point in the same
  cell as ``Grid.cell`` does, bit for bit, whatever its own ``ln`` and ``tan`` would say.

A point exactly on an edge belongs to the cell above it (north) or to its right (east).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

TILE_PIXELS = 256
CELL_PIXELS = 80
MAX_ZOOM = 24
# Web Mercator stops here; beyond it a latitude has no finite row.
MAX_LATITUDE = 85.0511287798066
# Row edges sent with one request at most; a larger box gets a coarser grid (see grid_for).
MAX_ROWS = 1024
# A view holding at most this many points gets the points themselves, not groups.
POINT_LIMIT = 1000
# From this zoom on a view gets its points whatever their number: a group of points at
# one place must open somewhere.
POINTS_ZOOM = 17

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat (RFC 7946)


def cell_width(zoom: int) -> float:
    """The width of a cell in degrees of longitude at ``zoom``."""
    return CELL_PIXELS * 360.0 / (TILE_PIXELS * 2**zoom)


def pixel_y(lat: float, zoom: int) -> float:
    """The Web Mercator pixel row of ``lat`` at ``zoom`` (0 at the north edge)."""
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    phi = math.radians(lat)
    return (0.5 - math.log(math.tan(math.pi / 4 + phi / 2)) / (2 * math.pi)) * (
        TILE_PIXELS * 2**zoom
    )


def edge_latitude(row: int, zoom: int) -> float:
    """The latitude of the north edge of grid row ``row`` at ``zoom``."""
    y = row * CELL_PIXELS / (TILE_PIXELS * 2**zoom)
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))


@dataclass(frozen=True)
class Grid:
    """The cells of one request: the zoom whose cells they are, their width in degrees,
    and the latitudes of the row edges inside the box, from south to north."""

    zoom: int
    width: float
    edges: tuple[float, ...]
    south_row: int  # the global row of points south of every edge

    def column(self, lon: float) -> int:
        return math.floor((lon + 180.0) / self.width)

    def bucket(self, lat: float) -> int:
        """How many edges lie at or south of ``lat`` (PostgreSQL's ``width_bucket``)."""
        return bisect_right(self.edges, lat)

    def row(self, lat: float) -> int:
        """The global row (0 at the north edge of the world, growing southwards)."""
        return self.south_row - self.bucket(lat)

    def cell(self, lon: float, lat: float) -> tuple[int, int]:
        """(row, column) of a point: reading order, north to south, then west to east."""
        return self.row(lat), self.column(lon)


def grid_for(zoom: int, bbox: BBox) -> Grid:
    """The grid for a view at ``zoom`` over ``bbox``.

    When the box spans more than ``MAX_ROWS`` rows at ``zoom`` (a whole country asked for
    at street level), the grid of a lower zoom is used, whose cells are larger.
    """
    if not 0 <= zoom <= MAX_ZOOM:
        raise ValueError(f"zoom must be from 0 to {MAX_ZOOM}")
    _, min_lat, _, max_lat = bbox
    while True:
        north_row = math.floor(pixel_y(max_lat, zoom) / CELL_PIXELS)
        south_row = math.floor(pixel_y(min_lat, zoom) / CELL_PIXELS)
        if south_row - north_row <= MAX_ROWS or zoom == 0:
            break
        zoom -= max(1, math.ceil(math.log2((south_row - north_row) / MAX_ROWS)))
        zoom = max(zoom, 0)
    edges = tuple(edge_latitude(row, zoom) for row in range(south_row, north_row, -1))
    return Grid(zoom=zoom, width=cell_width(zoom), edges=edges, south_row=south_row)


@dataclass(frozen=True)
class Cell:
    """A group of points in one grid cell: how many, where on average, their extent, and
    the id of the point when it is alone."""

    row: int
    column: int
    count: int
    lon: float
    lat: float
    bbox: BBox
    only_id: int | None = None


def cluster(points: Iterable[tuple[int, float, float]], grid: Grid) -> list[Cell]:
    """Group ``(id, lat, lon)`` points by cell, in reading order (north to south, then
    west to east). This is what the database does on PostgreSQL, for the other backends."""
    sums: dict[tuple[int, int], list] = {}
    for item_id, lat, lon in points:
        key = grid.cell(lon, lat)
        acc = sums.get(key)
        if acc is None:
            sums[key] = [1, lon, lat, lon, lat, lon, lat, item_id]
            continue
        acc[0] += 1
        acc[1] += lon
        acc[2] += lat
        acc[3] = min(acc[3], lon)
        acc[4] = min(acc[4], lat)
        acc[5] = max(acc[5], lon)
        acc[6] = max(acc[6], lat)
        acc[7] = min(acc[7], item_id)
    return [
        Cell(
            row=row,
            column=column,
            count=n,
            lon=sum_lon / n,
            lat=sum_lat / n,
            bbox=(west, south, east, north),
            only_id=first_id if n == 1 else None,
        )
        for (row, column), (n, sum_lon, sum_lat, west, south, east, north, first_id) in sorted(
            sums.items()
        )
    ]


def use_points(total: int, zoom: int) -> bool:
    """Whether a view with ``total`` points at ``zoom`` gets its points, not groups."""
    return total <= POINT_LIMIT or zoom >= POINTS_ZOOM


def cell_feature(cell: Cell) -> dict:
    """A group as a GeoJSON feature: its mean position, the extent of its points as the
    feature's ``bbox`` (RFC 7946, section 5), and ``properties.count``."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(cell.lon, 6), round(cell.lat, 6)]},
        "bbox": [round(value, 6) for value in cell.bbox],
        "properties": {"count": cell.count},
    }
