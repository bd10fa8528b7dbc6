"""Benchmark: the browse map against the naive folium map, and the GeoJSON endpoint
against the bare PostGIS query, for 20,000 and 50,000 points.

    .venv/bin/python bench/maps.py [--sizes 20000,50000] [--browser-runs 3]

Not a test. It drops and recreates the database ``participation_bench_maps`` (see
``BENCH_DATABASE_URL`` in ``_common.py``), migrates it with Alembic, loads the demo town
and COPYs synthetic ideas into the demo call. Targets (issue 3): the browse page at least
10 times lighter and faster to the first cluster than the naive page; the endpoint, as
the browse page asks for it (``fields=map``), within 2 times the bare query. The full
variant and a prototype of server-side grid clustering are measured beside it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import _common as c
from sqlalchemy import text

STATIC = Path(__file__).resolve().parent.parent / "participation" / "static"
TARGET_LIGHTER = 10.0
TARGET_FASTER = 10.0
TARGET_ENDPOINT = 2.0

# Records, in the page itself, when the first cluster icon and the loaded marker count
# appear, in ms since navigation started (performance.now()).
OBSERVER_JS = """
window.__bench = {};
new MutationObserver(function () {
  var b = window.__bench;
  if (!b.cluster && document.querySelector('.marker-cluster')) { b.cluster = performance.now(); }
  if (!b.loaded && document.querySelector('[data-loaded]')) { b.loaded = performance.now(); }
}).observe(document, {childList: true, subtree: true, attributes: true,
                      attributeFilter: ['data-loaded']});
"""

# Navigation and resource timing of the page and of the GeoJSON it fetched.
TIMING_JS = """() => {
  var nav = performance.getEntriesByType('navigation')[0];
  var data = performance.getEntriesByType('resource').filter(function (e) {
    return e.name.indexOf('.geojson') >= 0; })[0];
  return Object.assign({}, window.__bench, {
    html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd,
    asked: data ? data.requestStart : null, first_byte: data ? data.responseStart : null,
    data: data ? data.responseEnd : null});
}"""

WHERE = (
    "municipality_id = :m AND call_id = :c AND status <> 'draft' "
    "AND lat IS NOT NULL AND lon IS NOT NULL AND hidden_at IS NULL"
)
# The bare query of the issue: geometries only, no properties.
BARE_SQL = (
    "SELECT json_build_object('type','FeatureCollection','features', "
    "json_agg(ST_AsGeoJSON(ST_SetSRID(ST_MakePoint(lon,lat),4326))::json))::text "
    f"FROM ideas_idea WHERE {WHERE}"
)
# A prototype of the proposed fix, not in the app: one feature per grid cell of about
# 80 px at zoom :zoom (count and mean position), as compact GeoJSON, for the whole town.
GRID_SQL = (
    "WITH cells AS (SELECT count(*) AS n, avg(lon) AS lon, avg(lat) AS lat "
    f"FROM ideas_idea WHERE {WHERE} "
    "GROUP BY floor(lon / (80 * 360.0 / (256 * 2 ^ :zoom))), "
    "floor(lat / (80 * 360.0 / (256 * 2 ^ :zoom) * :cos)))"
    'SELECT \'{"type":"FeatureCollection","features":[\' || coalesce(string_agg('
    '\'{"type":"Feature","geometry":{"type":"Point","coordinates":[\' '
    "|| round(lon::numeric, 5) || ',' || round(lat::numeric, 5) "
    "|| ']},\"properties\":{\"count\":' || n || '}}', ','), '') || ']}' FROM cells"
)
GRID_ZOOM = 13


def static_assets(html: str) -> tuple[int, int]:
    """Raw and gzip bytes of the /static/ files a page links to."""
    raw = gz = 0
    for path in sorted(set(re.findall(r'(?:src|href)="/static/([^"?]+)', html))):
        data = (STATIC / path).read_bytes()
        raw += len(data)
        gz += c.gzip_size(data)
    return raw, gz


def naive_page(app, town: c.Town, folder: Path, size: int) -> tuple[Path, float]:
    """folium MarkerCluster with one folium.Marker per idea (titled), as one HTML file."""
    import folium
    from folium import plugins

    from participation.extensions import db

    with app.app_context():
        rows = db.session.execute(
            text(f"SELECT lat, lon, title FROM ideas_idea WHERE {WHERE} ORDER BY id"),
            {"m": town.municipality_id, "c": town.call_id},
        ).all()
        tiles = app.config["MAP_TILES_URL"]
        attribution = app.config["MAP_TILES_ATTRIBUTION"]
        db.session.remove()
    started = time.perf_counter()
    min_lon, min_lat, max_lon, max_lat = town.bbox
    m = folium.Map(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2],
        zoom_start=13,
        tiles=None,
        max_zoom=19,
    )
    folium.TileLayer(tiles=tiles, attr=attribution, max_zoom=19).add_to(m)
    m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    cluster = plugins.MarkerCluster().add_to(m)
    for lat, lon, title in rows:
        folium.Marker([lat, lon], title=title).add_to(cluster)
    html = m.get_root().render()
    seconds = time.perf_counter() - started
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    if external:
        sys.exit(f"the naive page loads from elsewhere: {external[:3]}")
    path = folder / f"naive-{size}.html"
    path.write_text(html, encoding="utf-8")
    return path, seconds


def first_cluster(browser, url: str, timeout_s: float) -> dict:
    """Open ``url`` in a fresh context (empty cache); ms to the first cluster and to
    'all markers loaded' (the browse map's data-loaded attribute)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked = []

    def route(r):
        if "tile" in r.request.url or r.request.resource_type == "image":
            r.fulfill(status=200, content_type="image/png", body=c.BLANK_PNG)
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), route)
    context.add_init_script(OBSERVER_JS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    started = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    page.wait_for_function(
        "() => window.__bench && window.__bench.cluster", timeout=timeout_s * 1000, polling=100
    )
    wall = (time.perf_counter() - started) * 1000
    marks = page.evaluate(TIMING_JS)
    clusters = page.locator(".marker-cluster").count()
    context.close()
    if errors or blocked:
        print(f"  warning on {url}: errors={errors[:2]} blocked={blocked[:2]}")
    return {**marks, "wall": wall, "clusters": clusters}


def endpoint_vs_query(app, town: c.Town, map_url: str, repeat: int) -> dict:
    """Medians (ms) of the endpoint through the test client, as the browse page asks for it
    (``map_url``, the ``fields=map`` variant) and in its full variant, beside the bare
    query and the grid-clustering prototype."""
    from participation.extensions import db

    client = app.test_client()
    full_url = map_url.replace("fields=map", "fields=full")
    assert full_url != map_url, map_url
    gzip_headers = {"Accept-Encoding": "gzip"}
    plain_headers = {"Accept-Encoding": "identity"}
    answers = {}
    for name, path in (("map", map_url), ("full", full_url)):
        gz = client.get(path, headers=gzip_headers)
        plain = client.get(path, headers=plain_headers)
        assert gz.status_code == 200 and gz.headers.get("Content-Encoding") == "gzip", gz.status
        assert gzip.decompress(gz.data) == plain.data
        answers[name] = (gz, plain, json.loads(plain.data)["features"])
    params = {"m": town.municipality_id, "c": town.call_id}
    grid_params = {**params, "zoom": GRID_ZOOM, "cos": town_cos(town)}

    def sql(statement, values):
        with app.app_context():
            value = db.session.execute(text(statement), values).scalar()
            db.session.remove()
        return value

    bare_text = sql(BARE_SQL, params)
    bare = json.loads(bare_text)["features"]
    grid = sql(GRID_SQL, grid_params).encode()
    cells = json.loads(grid)["features"]
    map_features, full_features = answers["map"][2], answers["full"][2]
    # The map variant: the same points as the bare query, with only the title.
    assert len(map_features) == len(full_features) == len(bare), (
        len(map_features),
        len(full_features),
        len(bare),
    )
    assert set(map_features[0]["properties"]) <= {"id", "title"}, map_features[0]
    assert set(full_features[0]["properties"]) >= {"title", "status", "supports", "url"}
    assert sum(f["properties"]["count"] for f in cells) == len(bare)
    # Requests run outside any app context, each in its own, as in production.
    times = c.interleaved(
        {
            "map_gzip": lambda: client.get(map_url, headers=gzip_headers),
            "map_identity": lambda: client.get(map_url, headers=plain_headers),
            "full_gzip": lambda: client.get(full_url, headers=gzip_headers),
            "bare": lambda: sql(BARE_SQL, params),
            "grid": lambda: sql(GRID_SQL, grid_params),
        },
        repeat,
    )
    result = {
        "features": len(map_features),
        "map_raw": len(answers["map"][1].data),
        "map_gzip_bytes": len(answers["map"][0].data),
        "full_raw": len(answers["full"][1].data),
        "full_gzip_bytes": len(answers["full"][0].data),
        "bare_bytes": len(bare_text.encode()),
        "grid_cells": len(cells),
        "grid_raw": len(grid),
        "grid_gzip_bytes": len(gzip.compress(grid, compresslevel=1)),
        **times,
    }
    result["parts"] = endpoint_parts(app, town, repeat=5)
    return result


def town_cos(town: c.Town) -> float:
    """cos(latitude) at the town's centre: a grid cell's height in degrees is its width
    times this, so cells are about square on the map."""
    import math

    return math.cos(math.radians((town.bbox[1] + town.bbox[3]) / 2))


def endpoint_parts(app, town: c.Town, repeat: int) -> dict:
    """Where the endpoint's time goes: the same steps as ideas_geojson and
    geojson_response, each timed on its own (median ms)."""
    from participation.core.models import Municipality
    from participation.extensions import db
    from participation.ideas import services
    from participation.ideas.models import IdeaCall

    parts: dict[str, list[float]] = {}

    def clock(name, fn):
        started = time.perf_counter()
        value = fn()
        parts.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return value

    path = f"/{town.slug}/ideas/calls/{town.call_id}"
    for _ in range(repeat + 1):
        with app.test_request_context(path):
            municipality = db.session.get(Municipality, town.municipality_id)
            call = db.session.get(IdeaCall, town.call_id)
            filters = services.IdeaFilters()
            bodies = {}
            for fields in ("map", "full"):
                bodies[fields] = clock(
                    f"document written by PostgreSQL, fields={fields}",
                    lambda f=fields, m=municipality, k=call, q=filters: services.ideas_geojson(
                        m, k, q, None, f
                    ),
                )
            for fields, body in bodies.items():
                clock(f"sha256 ETag, fields={fields}", lambda b=body: hashlib.sha256(b).hexdigest())
                clock(
                    f"gzip level 1, fields={fields}",
                    lambda b=body: gzip.compress(b, compresslevel=1),
                )
            db.session.remove()
    # The rest of a request (routing, the call, the filter form, headers): the same
    # endpoint for a box far from the town, which holds no idea.
    client = app.test_client()
    empty = f"/api/v1/{town.slug}/ideas.geojson?call={town.call_id}&fields=map&bbox=0,0,0.001,0.001"
    parts["the request without data (empty bbox)"] = [0.0] + c.timed(
        lambda: client.get(empty, headers={"Accept-Encoding": "gzip"}), repeat
    )
    return {name: c.median(times[1:]) for name, times in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,50000")
    parser.add_argument("--browser-runs", type=int, default=3)
    parser.add_argument("--naive-runs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=7, help="endpoint and query timings")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    url = c.fresh_database("_maps")
    app = c.make_app(url)
    town = c.set_up(app)
    c.say(f"database {url.rsplit('/', 1)[-1]} migrated, demo town loaded")
    load_before = c.load_average()
    folder = Path(tempfile.mkdtemp(prefix="participation-bench-"))
    server = c.LiveServer(app, extra=folder)
    rows_bytes, rows_time, rows_endpoint, parts_by_size = [], [], [], {}
    summary = []
    loaded = 0
    with sync_playwright() as playwright:
        browser = c.launch_chromium(playwright)
        for size in sizes:
            seconds = c.add_ideas(app, town, size - loaded, seed=size)
            loaded = size
            points = c.count_ideas(app, town)
            c.say(f"{points:,} public ideas in the call ({seconds:.1f} s to COPY + VACUUM ANALYZE)")

            # The browse page and the GeoJSON request it makes (the fields=map variant).
            map_path = f"/{town.slug}/ideas/calls/{town.call_id}/map"
            html = app.test_client().get(map_path).data
            geojson_url = re.search(rb'"url": "([^"]+)"', html).group(1).decode()
            geojson_url = geojson_url.replace("\\u0026", "&").replace("&amp;", "&")

            # (c) first, while nothing else runs
            e = endpoint_vs_query(app, town, geojson_url, args.repeat)
            parts_by_size[points] = e["parts"]
            endpoint = c.median(e["map_gzip"])
            full = c.median(e["full_gzip"])
            bare = c.median(e["bare"])
            grid = c.median(e["grid"])
            rows_endpoint.append(
                [
                    f"{points:,}",
                    "map (the browse page's request)",
                    f"{endpoint:,.0f} ms",
                    f"{c.median(e['map_identity']):,.0f} ms",
                    f"{endpoint / bare:.1f}x",
                    f"{c.kb(e['map_raw'])} / {c.kb(e['map_gzip_bytes'])} gz",
                ]
            )
            rows_endpoint.append(
                [
                    f"{points:,}",
                    "full (default)",
                    f"{full:,.0f} ms",
                    "",
                    f"{full / bare:.1f}x",
                    f"{c.kb(e['full_raw'])} / {c.kb(e['full_gzip_bytes'])} gz",
                ]
            )
            rows_endpoint.append(
                [f"{points:,}", "bare query", f"{bare:,.0f} ms", "", "1.0x", c.kb(e["bare_bytes"])]
            )
            rows_endpoint.append(
                [
                    f"{points:,}",
                    f"grid prototype, zoom {GRID_ZOOM} ({e['grid_cells']} cells)",
                    f"{grid:,.0f} ms",
                    "",
                    f"{grid / bare:.1f}x",
                    f"{c.kb(e['grid_raw'])} / {c.kb(e['grid_gzip_bytes'])} gz",
                ]
            )
            summary.append(("endpoint fields=map / bare", points, endpoint / bare, TARGET_ENDPOINT))
            summary.append(
                ("  endpoint full / bare (reference)", points, full / bare, TARGET_ENDPOINT)
            )
            c.say(f"endpoint map {endpoint:.0f} ms, full {full:.0f} ms, bare query {bare:.0f} ms")

            # (a) the browse page: HTML + the GeoJSON it fetches
            data = app.test_client().get(geojson_url, headers={"Accept-Encoding": "identity"})
            data_gz = app.test_client().get(geojson_url, headers={"Accept-Encoding": "gzip"})
            browse_raw = len(html) + len(data.data)
            browse_gz = c.gzip_size(html) + len(data_gz.data)
            browse_assets = static_assets(html.decode())

            # (b) the naive page
            naive_path, render_s = naive_page(app, town, folder, size)
            naive = naive_path.read_bytes()
            naive_raw, naive_gz = len(naive), c.gzip_size(naive)
            naive_assets = static_assets(naive.decode())
            c.say(f"naive page rendered by folium in {render_s:.1f} s ({c.kb(naive_raw)})")

            rows_bytes.append(
                [
                    f"{points:,}",
                    "browse (HTML + GeoJSON)",
                    f"{c.kb(len(html))} + {c.kb(len(data.data))}",
                    c.kb(browse_raw),
                    c.kb(browse_gz),
                    f"{c.kb(browse_assets[0])} / {c.kb(browse_assets[1])}",
                ]
            )
            rows_bytes.append(
                [
                    f"{points:,}",
                    f"naive folium (rendered in {render_s:.0f} s)",
                    c.kb(naive_raw),
                    c.kb(naive_raw),
                    c.kb(naive_gz),
                    f"{c.kb(naive_assets[0])} / {c.kb(naive_assets[1])}",
                ]
            )
            rows_bytes.append(
                [
                    f"{points:,}",
                    "naive / browse",
                    "",
                    f"{naive_raw / browse_raw:.1f}x",
                    f"{naive_gz / browse_gz:.1f}x",
                    "",
                ]
            )
            summary.append(("lighter, gzip (naive/browse)", points, naive_gz / browse_gz, None))
            summary.append(("lighter, raw (naive/browse)", points, naive_raw / browse_raw, None))

            # browser timings
            browse_runs = [
                first_cluster(browser, server.url + map_path, 60) for _ in range(args.browser_runs)
            ]
            naive_runs = [
                first_cluster(browser, f"{server.url}/bench/{naive_path.name}", 240)
                for _ in range(args.naive_runs)
            ]
            b = c.median([r["cluster"] for r in browse_runs])
            n = c.median([r["cluster"] for r in naive_runs])
            rows_time.append(_time_row(points, "browse", browse_runs))
            rows_time.append(_time_row(points, "naive folium (static file)", naive_runs))
            rows_time.append(
                [f"{points:,}", "naive / browse", f"{n / b:.1f}x", "", "", "", "", "", "", ""]
            )
            summary.append(("faster to first cluster (naive/browse)", points, n / b, None))
            render_ms = render_s * 1000
            summary.append(
                ("  same, naive page built per request", points, (render_ms + n) / b, None)
            )
            c.say(f"first cluster: browse {b:.0f} ms, naive {n:.0f} ms")
        browser.close()
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)

    print()
    print("## Bytes (static assets: Leaflet, markercluster and our maps.js, raw / gzip)")
    print(
        c.table(
            ["points", "page", "document + data", "total raw", "total gzip", "static assets"],
            rows_bytes,
        )
    )
    print()
    print(
        f"## Chromium: ms from navigation to the first .marker-cluster "
        f"(median of {args.browser_runs} browse / {args.naive_runs} naive runs, fresh cache; "
        "the other columns are ms since navigation too, medians)"
    )
    print(
        c.table(
            [
                "points",
                "page",
                "first cluster",
                "runs",
                "HTML in",
                "DOM ready",
                "GeoJSON 1st byte",
                "GeoJSON in",
                "markers made",
                "clusters",
            ],
            rows_time,
        )
    )
    print()
    print(
        f"## GeoJSON endpoint vs the bare query on PostGIS (median of {args.repeat}, "
        "interleaved, ms; endpoint through the test client with Accept-Encoding)"
    )
    print(
        c.table(
            ["points", "request", "gzip", "identity", "/ bare", "bytes raw / gzip"],
            rows_endpoint,
        )
    )
    print()
    print("## Where the endpoint's time goes (median ms, same steps as the endpoint)")
    names = list(next(iter(parts_by_size.values())))
    print(
        c.table(
            ["step", *[f"{p:,} points" for p in parts_by_size]],
            [
                [name, *[f"{parts[name]:,.0f}" for parts in parts_by_size.values()]]
                for name in names
            ],
        )
    )
    print()
    print("## Targets")
    checks = []
    for name, points, ratio, target in summary:
        if "endpoint" in name:
            met = ratio <= target
            checks.append([name, f"{points:,}", f"{ratio:.1f}x", f"<= {target:.0f}x", _yes(met)])
        else:
            target = TARGET_LIGHTER if "lighter" in name else TARGET_FASTER
            met = ratio >= target
            checks.append([name, f"{points:,}", f"{ratio:.1f}x", f">= {target:.0f}x", _yes(met)])
    print(c.table(["ratio", "points", "measured", "target", "met"], checks))
    print(
        f"\nwhole run: {time.perf_counter() - started:.0f} s; load average "
        f"{load_before} at the start, {c.load_average()} at the end (2 cores, shared)"
    )


def _time_row(points: int, name: str, runs: list[dict]) -> list:
    def mid(key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return f"{c.median(values):,.0f}" if values else ""

    return [
        f"{points:,}",
        name,
        f"{c.median([r['cluster'] for r in runs]):,.0f} ms",
        ", ".join(f"{r['cluster']:,.0f}" for r in runs),
        mid("html"),
        mid("dcl"),
        mid("first_byte"),
        mid("data"),
        mid("loaded"),
        runs[0]["clusters"],
    ]


def _yes(met: bool) -> str:
    return "yes" if met else "NO"


if __name__ == "__main__":
    main()
