"""The grid arithmetic of map groups (maps/clustering.py), as plain functions."""

from __future__ import annotations

import math
import random

import pytest

from participation.maps import clustering
from participation.maps.clustering import (
    CELL_PIXELS,
    MAX_LATITUDE,
    MAX_ROWS,
    Cell,
    cell_feature,
    cell_width,
    cluster,
    edge_latitude,
    grid_for,
    pixel_y,
    use_points,
)

TOWN = (14.63, 49.392, 14.69, 49.44)  # min_lon, min_lat, max_lon, max_lat
WORLD = (-180.0, -90.0, 180.0, 90.0)


def test_a_cell_is_80_pixels_wide_and_halves_with_each_zoom():
    assert cell_width(0) == 112.5  # 80 of the world's 256 pixels, in degrees
    for zoom in range(1, 25):
        assert cell_width(zoom) == cell_width(zoom - 1) / 2
        # A power-of-two fraction of 112.5: exact in binary, so every backend divides alike.
        assert math.frexp(cell_width(zoom))[0] == math.frexp(112.5)[0]


def test_pixel_rows_follow_web_mercator():
    assert pixel_y(0.0, 0) == pytest.approx(128)  # the equator halves the world
    assert pixel_y(MAX_LATITUDE, 3) == pytest.approx(0, abs=1e-6)
    assert pixel_y(-MAX_LATITUDE, 3) == pytest.approx(256 * 8, rel=1e-9)
    assert pixel_y(89.9, 2) == pixel_y(MAX_LATITUDE, 2)  # clamped, not infinite
    # The row edges are where the rows start: the inverse of pixel_y.
    for zoom in (0, 5, 13, 19):
        rows = 256 * 2**zoom // CELL_PIXELS  # rows of the whole world
        for row in (0, 1, rows // 2, rows - 1):
            assert pixel_y(edge_latitude(row, zoom), zoom) == pytest.approx(
                row * CELL_PIXELS, abs=1e-6
            )


def test_every_point_gets_the_cell_of_its_pixel():
    rng = random.Random(3)
    for zoom in (0, 4, 10, 13, 16):
        grid = grid_for(zoom, WORLD if zoom < 5 else TOWN)
        west, south, east, north = WORLD if zoom < 5 else TOWN
        for _ in range(2000):
            lon, lat = rng.uniform(west, east), rng.uniform(max(south, -80), min(north, 80))
            y = pixel_y(lat, zoom) / CELL_PIXELS
            x = (lon + 180) / 360 * 256 * 2**zoom / CELL_PIXELS
            if min(abs(y - round(y)), abs(x - round(x))) < 1e-6:
                continue  # on an edge; see the next test
            assert grid.cell(lon, lat) == (math.floor(y), math.floor(x)), (zoom, lon, lat)


def test_a_point_on_an_edge_belongs_to_the_cell_north_or_east_of_it():
    grid = grid_for(13, TOWN)
    edge = grid.edges[3]
    assert grid.row(edge) == grid.row(edge + 1e-9)
    assert grid.row(edge) == grid.row(edge - 1e-9) - 1
    column_edge = 1000 * grid.width - 180  # exact: the width is a binary fraction
    assert grid.column(column_edge) == 1000 == grid.column(column_edge + 1e-9)
    assert grid.column(column_edge - 1e-9) == 999


def test_the_grid_does_not_move_with_the_view():
    """Panning keeps each point in its cell (the same edges), so groups do not jump."""
    rng = random.Random(5)
    whole = grid_for(14, TOWN)
    for _ in range(50):
        west = rng.uniform(TOWN[0], TOWN[2] - 0.01)
        south = rng.uniform(TOWN[1], TOWN[3] - 0.01)
        view = (west, south, west + 0.01, south + 0.01)
        part = grid_for(14, view)
        assert set(part.edges) <= set(whole.edges)
        for _ in range(20):
            lon, lat = rng.uniform(view[0], view[2]), rng.uniform(view[1], view[3])
            assert part.cell(lon, lat) == whole.cell(lon, lat)


def test_edges_are_ascending_and_span_the_box():
    grid = grid_for(13, TOWN)
    assert list(grid.edges) == sorted(grid.edges)
    assert TOWN[1] < grid.edges[0] and grid.edges[-1] <= TOWN[3]
    rows = math.floor(pixel_y(TOWN[1], 13) / 80) - math.floor(pixel_y(TOWN[3], 13) / 80)
    assert len(grid.edges) == rows
    assert grid_for(13, (14.65, 49.41, 14.65, 49.41)).edges == ()  # one point, one row


def test_a_box_too_large_for_its_zoom_gets_larger_cells():
    grid = grid_for(19, (12.0, 48.5, 19.0, 51.1))  # Czechia at street level
    assert grid.zoom < 19 and len(grid.edges) <= MAX_ROWS
    assert grid.width == cell_width(grid.zoom)
    assert len(grid_for(24, WORLD).edges) <= MAX_ROWS
    assert grid_for(13, TOWN).zoom == 13  # a view-sized box keeps its zoom
    for zoom in (-1, 25):
        with pytest.raises(ValueError):
            grid_for(zoom, TOWN)


def test_cluster_counts_averages_and_keeps_the_lone_point_id():
    grid = grid_for(13, TOWN)
    # Three points in one cell, one alone in another, far away.
    points = [(7, 49.4140, 14.6580), (3, 49.4142, 14.6584), (9, 49.4138, 14.6582)]
    points.append((4, 49.3950, 14.6850))
    cells = cluster(points, grid)
    assert [c.count for c in cells] == [3, 1]  # reading order: the northern cell first
    group, lone = cells
    assert group.only_id is None and lone.only_id == 4
    assert group.lon == pytest.approx(14.6582) and group.lat == pytest.approx(49.4140)
    assert group.bbox == (14.6580, 49.4138, 14.6584, 49.4142)
    assert lone.bbox == (14.6850, 49.3950, 14.6850, 49.3950)
    assert (group.row, group.column) == grid.cell(14.6580, 49.4140)


def test_cluster_is_in_reading_order_and_loses_no_point():
    rng = random.Random(11)
    grid = grid_for(14, TOWN)
    points = [
        (n, rng.uniform(TOWN[1], TOWN[3]), rng.uniform(TOWN[0], TOWN[2])) for n in range(3000)
    ]
    cells = cluster(points, grid)
    assert sum(c.count for c in cells) == 3000
    keys = [(c.row, c.column) for c in cells]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for c in cells:
        west, south, east, north = c.bbox
        assert west <= c.lon <= east and south <= c.lat <= north
    assert cluster([], grid) == []


def test_points_or_groups():
    assert use_points(clustering.POINT_LIMIT, 5)
    assert not use_points(clustering.POINT_LIMIT + 1, clustering.POINTS_ZOOM - 1)
    assert use_points(10**6, clustering.POINTS_ZOOM)


def test_a_group_as_geojson():
    cell = Cell(
        row=1, column=2, count=12, lon=14.1234567, lat=49.7654321, bbox=(14.1, 49.7, 14.2, 49.8)
    )
    assert cell_feature(cell) == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [14.123457, 49.765432]},
        "bbox": [14.1, 49.7, 14.2, 49.8],
        "properties": {"count": 12},
    }
