"""The GeoJSON endpoint asked for a map view (``cluster=1&zoom=…&bbox=…``), on both databases.

Every test compares with the pure grid arithmetic (maps/clustering.py) applied in Python to
the same seeded points, so SQLite and PostgreSQL give the same groups and the same counts.
"""

from __future__ import annotations

import gzip
import json
import random

import pytest
from sqlalchemy import event, insert

from participation.core.models import utcnow
from participation.extensions import db
from participation.ideas.models import Idea
from participation.ideas.rules import IdeaStatus
from participation.maps import clustering, geojson
from tests.factories import make_call, make_idea
from tests.ideas.helpers import DISTRICTS, IN_STRED, Browser, make_town

TOWN_BOX = (14.630, 49.392, 14.690, 49.440)
BBOX = ",".join(str(v) for v in TOWN_BOX)
MANY = clustering.POINT_LIMIT + 300


@pytest.fixture
def town(app):
    return make_town("lipnice")


@pytest.fixture
def call(town):
    return make_call(town.municipality)


@pytest.fixture
def points(call):
    """MANY public ideas spread over the town (seeded), written in one INSERT, plus ideas
    that no map shows: hidden, a draft, one without a place, one of another call."""
    rng = random.Random(2026)
    now = utcnow()
    made = []
    for n in range(MANY):
        west, south, east, north = DISTRICTS[("Střed", "Sever", "Jih")[n % 3]]
        made.append(
            {
                "municipality_id": call.municipality_id,
                "call_id": call.id,
                "title": f"Bod {n}",
                "description": "",
                "status": IdeaStatus.REJECTED if n % 10 == 0 else IdeaStatus.COLLECTING,
                "support_count": 0,
                "submitted_at": now,
                "created_at": now,
                "lat": round(rng.uniform(south, north), 6),
                "lon": round(rng.uniform(west, east), 6),
            }
        )
    db.session.execute(insert(Idea), made)
    make_idea(call, None, lat=IN_STRED[0], lon=IN_STRED[1], hidden_at=now)
    make_idea(call, None, lat=IN_STRED[0], lon=IN_STRED[1], status=IdeaStatus.DRAFT)
    make_idea(call, None)
    make_idea(make_call(call.municipality), None, lat=IN_STRED[0], lon=IN_STRED[1])
    ids = db.session.scalars(
        db.select(Idea.id).where(Idea.call_id == call.id, Idea.title.like("Bod %"))
    ).all()
    rows = db.session.execute(
        db.select(Idea.id, Idea.lat, Idea.lon, Idea.status).where(Idea.id.in_(ids))
    ).all()
    return [(r.id, r.lat, r.lon, r.status) for r in rows]


def url(call, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"call": call.id, **args}.items())
    return f"/api/v1/lipnice/ideas.geojson?{query}"


def expected_cells(points, zoom, bbox=TOWN_BOX, status=None):
    west, south, east, north = bbox
    inside = [
        (i, lat, lon)
        for i, lat, lon, s in points
        if west <= lon <= east and south <= lat <= north and (status is None or s == status)
    ]
    return clustering.cluster(inside, clustering.grid_for(zoom, bbox))


def count_queries(app):
    statements = []
    engine = db.session.get_bind()

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return statements, lambda: event.remove(engine, "before_cursor_execute", record)


def test_a_view_of_many_ideas_gets_a_group_per_cell_that_counts_them(app, call, points):
    browser = Browser(app)
    response = browser.get(url(call, fields="map", cluster=1, zoom=13, bbox=BBOX))
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = response.get_json()["features"]
    cells = expected_cells(points, 13)
    assert len(cells) > 10 and max(c.count for c in cells) > 1
    # One feature per cell, in reading order; groups with their count and extent; a lone
    # idea as itself, with its id and title only once (the id is not in the properties).
    assert len(features) == len(cells)
    titles = {i: f"Bod {n}" for n, i in enumerate(sorted(p[0] for p in points))}
    for feature, cell in zip(features, cells, strict=True):
        lon, lat = feature["geometry"]["coordinates"]
        if cell.count == 1:
            assert feature["id"] == cell.only_id
            assert feature["properties"] == {"title": titles[cell.only_id]}
            assert "bbox" not in feature
            continue
        assert "id" not in feature
        assert feature["properties"] == {"count": cell.count}
        assert lon == pytest.approx(cell.lon, abs=2e-6) and lat == pytest.approx(cell.lat, abs=2e-6)
        assert feature["bbox"] == pytest.approx(list(cell.bbox), abs=1e-9)
    assert sum(f["properties"].get("count", 1) for f in features) == MANY


def test_groups_honour_the_filters_and_the_box(app, call, points):
    browser = Browser(app)
    view = browser.get(url(call, cluster=1, zoom=14, bbox=BBOX, status="collecting"))
    collecting = [f["properties"].get("count", 1) for f in view.get_json()["features"]]
    cells = expected_cells(points, 14, status=IdeaStatus.COLLECTING)
    assert collecting == [c.count for c in cells]
    assert sum(collecting) == MANY - MANY // 10  # every tenth is rejected
    # The town but its western edge: only the ideas inside, on the same (global) grid.
    strip = (14.636, 49.392, 14.690, 49.440)
    box = ",".join(map(str, strip))
    features = browser.get(url(call, cluster=1, zoom=13, bbox=box)).get_json()["features"]
    counts = [f["properties"].get("count", 1) for f in features]
    assert counts == [c.count for c in expected_cells(points, 13, strip)]
    assert clustering.POINT_LIMIT < sum(counts) < MANY


def test_a_view_of_few_ideas_gets_the_ideas_themselves(app, call, points):
    browser = Browser(app)
    small = "14.650,49.410,14.660,49.415"  # a corner of Střed
    expected = len(expected_cells(points, 13, tuple(map(float, small.split(",")))))
    assert expected  # ...but not zero
    grouped = browser.get(url(call, fields="map", cluster=1, zoom=15, bbox=small))
    plain = browser.get(url(call, fields="map", bbox=small))
    assert grouped.get_data() == plain.get_data()  # the very same document
    features = grouped.get_json()["features"]
    assert features and all("count" not in f["properties"] for f in features)
    assert [f["id"] for f in features] == sorted(f["id"] for f in features)
    # From POINTS_ZOOM on, the ideas themselves however many there are.
    zoomed = browser.get(url(call, cluster=1, zoom=clustering.POINTS_ZOOM, bbox=BBOX))
    assert len(zoomed.get_json()["features"]) == MANY
    assert zoomed.get_data() == browser.get(url(call, bbox=BBOX)).get_data()


def test_without_cluster_every_idea_comes_back_as_before(app, call, points):
    browser = Browser(app)
    features = browser.get(url(call, zoom=13, bbox=BBOX)).get_json()["features"]
    assert len(features) == MANY  # zoom alone changes nothing
    first = features[0]
    assert set(first) == {"type", "id", "geometry", "properties"}
    assert set(first["properties"]) == {"title", "status", "supports", "url"}
    assert set(browser.get(url(call, fields="map")).get_json()["features"][0]["properties"]) == {
        "title"
    }


def test_without_a_box_the_groups_cover_every_idea(app, call, points):
    features = Browser(app).get(url(call, cluster=1, zoom=12)).get_json()["features"]
    assert sum(f["properties"].get("count", 1) for f in features) == MANY
    assert any("count" in f["properties"] for f in features)


def test_groups_are_gzipped_cached_and_cheap_in_queries(app, call, points):
    browser = Browser(app)
    path = url(call, fields="map", cluster=1, zoom=15, bbox=BBOX)  # groups and lone ideas
    statements, stop = count_queries(app)
    try:
        first = browser.get(path, headers={"Accept-Encoding": "gzip"})
    finally:
        stop()
    assert first.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(first.get_data())
    lone = [f for f in json.loads(body)["features"] if "count" not in f["properties"]]
    # The cells, then the lone ideas by id if there are any: nothing per idea or per cell.
    geo = [s for s in statements if "ideas_idea" in s]
    assert lone and len(geo) == 2, geo
    etag = first.headers["ETag"]
    again = browser.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert browser.get(path, headers={"Accept-Encoding": "identity"}).get_data() == body
    # A new idea in the view changes the answer and its ETag.
    make_idea(call, None, lat=IN_STRED[0], lon=IN_STRED[1])
    changed = browser.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize("zoom", [None, "", "x", "-1", "25", "13.5", "²", "1" * 5000])
def test_cluster_without_a_good_zoom_is_a_400(app, call, zoom):
    args = {"cluster": 1, "bbox": BBOX}
    if zoom is not None:
        args["zoom"] = zoom
    response = Browser(app).get(url(call, **args))
    assert response.status_code == 400
    assert "zoom" in response.get_json()["error"]


def test_postgresql_puts_every_point_in_the_cell_python_does(app, call):
    """Points on and beside the edges of rows and columns, straight through the helper:
    the database's cells are exactly those of clustering.cluster."""
    grid = clustering.grid_for(15, TOWN_BOX)
    rng = random.Random(7)
    lats = [e for edge in grid.edges for e in (edge, edge - 1e-9, edge + 1e-9)]
    first_column = grid.column(TOWN_BOX[0]) + 1
    lons = [(first_column + k) * grid.width - 180 for k in range(20)]
    lons = [v for lon in lons for v in (lon, lon - 1e-9, lon + 1e-9)]
    rows = [
        {
            "municipality_id": call.municipality_id,
            "call_id": call.id,
            "title": "x",
            "status": IdeaStatus.COLLECTING,
            "lat": rng.choice(lats),
            "lon": rng.choice(lons),
        }
        for _ in range(1500)
    ]
    db.session.execute(insert(Idea), rows)
    statement = (
        db.select(Idea.id, Idea.lat, Idea.lon).where(Idea.call_id == call.id).order_by(Idea.id)
    )
    points = db.session.execute(statement).all()
    got = geojson._cells(statement, grid)
    expected = clustering.cluster(points, grid)
    assert len(expected) > 100
    assert [(c.row, c.column, c.count, c.bbox, c.only_id) for c in got] == [
        (c.row, c.column, c.count, c.bbox, c.only_id) for c in expected
    ]
    for a, b in zip(got, expected, strict=True):
        # The means may differ in the last bits: another order of addition.
        assert a.lon == pytest.approx(b.lon, abs=1e-9) and a.lat == pytest.approx(b.lat, abs=1e-9)
