"""Benchmark: the browse map against the naive folium map, and the GeoJSON endpoint
against the bare PostGIS query, for 20,000 and 50,000 points.

    .venv/bin/python bench/maps.py [--sizes 20000,50000] [--browser-runs 3]

Not a test. It drops and recreates the database ``participation_bench_maps`` (see
``BENCH_DATABASE_URL`` in ``_common.py``), migrates it with Alembic, loads the demo town
and COPYs synthetic ideas into the demo call. Targets (issue 3): the browse page at least
10 times lighter and faster to the first cluster than the naive page; the endpoint, as
the browse page asks for it, within 2 times the bare query over the same rows.

The browse page is the real one: its request (``cluster=1``, the zoom and the box of its
view) is taken from Chromium, and that URL is what the endpoint timings use. The bare
``ST_AsGeoJSON`` query reads the same rows (the same filter and box). Beside it: the same
view zoomed in three levels, the bare grid query (the app's grid in one SQL statement, no
app), and the un-clustered variants that API consumers get (every point of the call).
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
from urllib.parse import parse_qsl, urlencode, urlsplit

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

# Navigation and resource timing of the page and of the first GeoJSON it fetched.
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
IN_BOX = " AND lat BETWEEN :s AND :n AND lon BETWEEN :w AND :e"
# The bare query of the issue: geometries only, no properties.
BARE_SQL = (
    "SELECT json_build_object('type','FeatureCollection','features', "
    "json_agg(ST_AsGeoJSON(ST_SetSRID(ST_MakePoint(lon,lat),4326))::json))::text "
    f"FROM ideas_idea WHERE {WHERE}"
)
BARE_BOX_SQL = BARE_SQL + IN_BOX
# The app's grid (maps/clustering.py: column by floor, row by the edges) as one bare SQL
# statement that writes the groups as GeoJSON: what clustering costs with no app around it.
BARE_GRID_SQL = (
    "WITH keyed AS (SELECT lon, lat, floor((lon + 180.0) / :width) AS gx, "
    f"width_bucket(lat, :edges) AS gy FROM ideas_idea WHERE {WHERE}{IN_BOX}), "
    "cells AS (SELECT gy, gx, count(*) AS n, avg(lon) AS lon, avg(lat) AS lat "
    "FROM keyed GROUP BY gy, gx) "
    'SELECT \'{"type":"FeatureCollection","features":[\' || coalesce(string_agg('
    '\'{"type":"Feature","geometry":{"type":"Point","coordinates":[\' '
    "|| round(lon::numeric, 6) || ',' || round(lat::numeric, 6) "
    "|| ']},\"properties\":{\"count\":' || n || '}}', ','), '') || ']}' FROM cells"
)


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
    'all markers loaded' (the browse map's data-loaded attribute), and the GeoJSON
    requests the page made up to then."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked = []

    def route(r):  # the tiles come from c.TileServer on 127.0.0.1; nothing may go elsewhere
        blocked.append(r.request.url)
        r.abort()

    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), route)
    context.add_init_script(OBSERVER_JS)
    page = context.new_page()
    errors = []
    asked = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: asked.append(r.url) if ".geojson" in r.url else None)
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
    return {**marks, "wall": wall, "clusters": clusters, "asked": asked}


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def closer_view(url: str, levels: int = 3) -> str:
    """The same request for the view ``levels`` zoom levels closer, around its centre
    (what zooming in on a group asks for)."""
    query = query_of(url)
    west, south, east, north = (float(v) for v in query["bbox"].split(","))
    lon, lat = (west + east) / 2, (south + north) / 2
    half_w, half_h = (east - west) / 2 ** (levels + 1), (north - south) / 2 ** (levels + 1)
    query["zoom"] = str(int(query["zoom"]) + levels)
    query["bbox"] = f"{lon - half_w:.6f},{lat - half_h:.6f},{lon + half_w:.6f},{lat + half_h:.6f}"
    return urlsplit(url).path + "?" + urlencode(query, safe=",")


def endpoint_vs_query(app, town: c.Town, view_url: str, repeat: int) -> dict:
    """Medians (ms) through the test client of the request the browse page makes
    (``view_url``) and of the same view zoomed in, each beside the bare query over the
    same rows and the bare grid query; and of the un-clustered variants (every point of
    the call, as API consumers ask) beside the bare query over the whole call."""
    from participation.extensions import db
    from participation.maps import clustering

    client = app.test_client()
    closer_url = closer_view(view_url)
    plain = urlsplit(view_url).path + f"?call={town.call_id}"
    urls = {
        "view": view_url,
        "closer": closer_url,
        "map": plain + "&fields=map",
        "full": plain + "&fields=full",
    }
    gzip_headers = {"Accept-Encoding": "gzip"}
    plain_headers = {"Accept-Encoding": "identity"}
    answers = {}
    for name, path in urls.items():
        gz = client.get(path, headers=gzip_headers)
        raw = client.get(path, headers=plain_headers)
        assert gz.status_code == 200, (path, gz.status)
        if len(raw.data) >= 1024:
            assert gz.headers.get("Content-Encoding") == "gzip"
            assert gzip.decompress(gz.data) == raw.data
        answers[name] = (gz, raw, json.loads(raw.data)["features"])

    def sql(statement, values):
        with app.app_context():
            value = db.session.execute(text(statement), values).scalar()
            db.session.remove()
        return value

    params = {"m": town.municipality_id, "c": town.call_id}

    def box(url):
        query = query_of(url)
        west, south, east, north = (float(v) for v in query["bbox"].split(","))
        grid = clustering.grid_for(int(query["zoom"]), (west, south, east, north))
        in_box = {**params, "w": west, "s": south, "e": east, "n": north}
        return in_box, {**in_box, "width": grid.width, "edges": list(grid.edges)}

    view_box, view_grid = box(view_url)
    closer_box, closer_grid = box(closer_url)
    bare = {
        "view": sql(BARE_BOX_SQL, view_box),
        "closer": sql(BARE_BOX_SQL, closer_box),
        "all": sql(BARE_SQL, params),
    }
    grids = {"view": sql(BARE_GRID_SQL, view_grid), "closer": sql(BARE_GRID_SQL, closer_grid)}
    counts = {}
    for name in ("view", "closer"):
        features = answers[name][2]
        counts[name] = sum(f["properties"].get("count", 1) for f in features)
        # The same rows: the groups and lone points count what the bare query returns.
        assert counts[name] == len(json.loads(bare[name])["features"]), name
        assert counts[name] == sum(
            f["properties"]["count"] for f in json.loads(grids[name])["features"]
        )
    assert (
        len(answers["map"][2])
        == len(answers["full"][2])
        == len(json.loads(bare["all"])["features"])
    )
    assert set(answers["map"][2][0]["properties"]) == {"title"}, answers["map"][2][0]
    assert set(answers["full"][2][0]["properties"]) == {"title", "status", "supports", "url"}
    # Requests run outside any app context, each in its own, as in production.
    times = c.interleaved(
        {
            "view_gzip": lambda: client.get(view_url, headers=gzip_headers),
            "view_identity": lambda: client.get(view_url, headers=plain_headers),
            "bare_view": lambda: sql(BARE_BOX_SQL, view_box),
            "grid_view": lambda: sql(BARE_GRID_SQL, view_grid),
            "closer_gzip": lambda: client.get(closer_url, headers=gzip_headers),
            "bare_closer": lambda: sql(BARE_BOX_SQL, closer_box),
            "grid_closer": lambda: sql(BARE_GRID_SQL, closer_grid),
            "map_gzip": lambda: client.get(urls["map"], headers=gzip_headers),
            "full_gzip": lambda: client.get(urls["full"], headers=gzip_headers),
            "bare_all": lambda: sql(BARE_SQL, params),
        },
        repeat,
    )
    result = {"urls": urls, "counts": counts, "times": times, "bytes": {}, "shape": {}}
    for name, (gz, raw, features) in answers.items():
        result["bytes"][name] = (len(raw.data), len(gz.data))
        groups = sum(1 for f in features if "count" in f["properties"])
        result["shape"][name] = (groups, len(features) - groups)
    for name, body in {**bare, **{f"grid_{k}": v for k, v in grids.items()}}.items():
        data = body.encode()
        result["bytes"][f"bare_{name}" if not name.startswith("grid") else name] = (
            len(data),
            len(gzip.compress(data, compresslevel=1)),
        )
    result["parts"] = endpoint_parts(app, town, view_url, repeat=5)
    return result


def endpoint_parts(app, town: c.Town, view_url: str, repeat: int) -> dict:
    """Where the endpoint's time goes: the steps of ideas_geojson and geojson_response,
    each timed on its own (median ms)."""
    from participation.core.models import Municipality
    from participation.extensions import db
    from participation.ideas import services
    from participation.ideas.models import IdeaCall
    from participation.maps import geojson

    parts: dict[str, list[float]] = {}

    def clock(name, fn):
        started = time.perf_counter()
        value = fn()
        parts.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return value

    query = query_of(view_url)
    zoom = int(query["zoom"])
    bbox = tuple(float(v) for v in query["bbox"].split(","))
    cells = geojson._cells

    def timed_cells(*args, **kwargs):
        return clock(
            "  of which the grid query (PostgreSQL groups the rows)", lambda: cells(*args, **kwargs)
        )

    path = f"/{town.slug}/ideas/calls/{town.call_id}"
    geojson._cells = timed_cells
    try:
        for _ in range(repeat + 1):
            with app.test_request_context(path):
                municipality = db.session.get(Municipality, town.municipality_id)
                call = db.session.get(IdeaCall, town.call_id)
                filters = services.IdeaFilters()
                bodies = {}
                bodies["view"] = clock(
                    "the browse page's view: the whole document",
                    lambda m=municipality, k=call, q=filters: services.ideas_geojson(
                        m, k, q, bbox, "map", zoom
                    ),
                )
                for fields in ("map", "full"):
                    bodies[fields] = clock(
                        f"every point, fields={fields}: document written by PostgreSQL",
                        lambda f=fields, m=municipality, k=call, q=filters: services.ideas_geojson(
                            m, k, q, None, f
                        ),
                    )
                for name, body in bodies.items():
                    label = "the view" if name == "view" else f"fields={name}"
                    clock(f"sha256 ETag, {label}", lambda b=body: hashlib.sha256(b).hexdigest())
                    clock(
                        f"gzip level 1, {label}",
                        lambda b=body: gzip.compress(b, compresslevel=1),
                    )
                db.session.remove()
    finally:
        geojson._cells = cells
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
    parser.add_argument(
        "--server-thread",
        action="store_true",
        help="serve the pages from a thread of this process (as before), not a process",
    )
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
    tiles = c.TileServer()
    app.config["MAP_TILES_URL"] = tiles.template  # both pages, and the CSP, use it
    server = c.LiveServer(app, extra=folder, process=not args.server_thread)
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

            # The browse page, and the one GeoJSON request it makes for its view (taken
            # from Chromium: the zoom and box come from the page's own script).
            map_path = f"/{town.slug}/ideas/calls/{town.call_id}/map"
            html = app.test_client().get(map_path).data
            warm = first_cluster(browser, server.url + map_path, 60)
            assert len(warm["asked"]) == 1, warm["asked"]
            parts = urlsplit(warm["asked"][0])
            view_url = f"{parts.path}?{parts.query}"
            c.say(f"the browse page asks for {view_url}")

            # (c) the endpoint first, while nothing else runs
            e = endpoint_vs_query(app, town, view_url, args.repeat)
            parts_by_size[points] = e["parts"]
            t = {name: c.median(values) for name, values in e["times"].items()}
            b = e["bytes"]
            zoom = int(query_of(view_url)["zoom"])

            view_points, closer_points = e["counts"]["view"], e["counts"]["closer"]
            rows_endpoint += [
                _endpoint_row(
                    points,
                    e,
                    t,
                    f"the browse page's request, zoom {zoom}",
                    "view",
                    "bare_view",
                    "grid_view",
                    identity="view_identity",
                ),
                _bare_row(points, e, t, f"bare query, same rows ({view_points:,})", "bare_view"),
                _bare_row(points, e, t, "bare grid query, same rows", "grid_view", grid=True),
                _endpoint_row(
                    points,
                    e,
                    t,
                    f"zoomed in, zoom {zoom + 3}",
                    "closer",
                    "bare_closer",
                    "grid_closer",
                ),
                _bare_row(
                    points, e, t, f"bare query, same rows ({closer_points:,})", "bare_closer"
                ),
                _bare_row(points, e, t, "bare grid query, same rows", "grid_closer", grid=True),
                _endpoint_row(points, e, t, "no cluster, fields=map", "map", "bare_all"),
                _endpoint_row(points, e, t, "no cluster, full", "full", "bare_all"),
                _bare_row(points, e, t, f"bare query, every point ({points:,})", "bare_all"),
            ]
            view_ratio = t["view_gzip"] / t["bare_view"]
            summary.append(("endpoint, browse page's view / bare, same rows", points, view_ratio))
            summary.append(
                (
                    "  zoomed in 3 levels / bare, same rows",
                    points,
                    t["closer_gzip"] / t["bare_closer"],
                )
            )
            summary.append(
                ("  no cluster, fields=map / bare (API)", points, t["map_gzip"] / t["bare_all"])
            )
            c.say(
                f"endpoint: view {t['view_gzip']:.1f} ms (bare {t['bare_view']:.1f} ms), "
                f"closer {t['closer_gzip']:.1f} ms (bare {t['bare_closer']:.1f} ms), "
                f"fields=map {t['map_gzip']:.0f} ms (bare {t['bare_all']:.0f} ms)"
            )

            # (a) bytes: the browse page's HTML and the GeoJSON of its view
            browse_raw = len(html) + b["view"][0]
            browse_gz = c.gzip_size(html) + b["view"][1]
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
                    "browse (HTML + GeoJSON of the view)",
                    f"{c.kb(len(html))} + {c.kb(b['view'][0])}",
                    c.kb(browse_raw),
                    c.kb(browse_gz),
                    f"{c.kb(browse_assets[0])} / {c.kb(browse_assets[1])}",
                    c.kb(browse_gz + browse_assets[1]),
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
                    c.kb(naive_gz + naive_assets[1]),
                ]
            )
            with_assets = (naive_gz + naive_assets[1]) / (browse_gz + browse_assets[1])
            rows_bytes.append(
                [
                    f"{points:,}",
                    "naive / browse",
                    "",
                    f"{naive_raw / browse_raw:.0f}x",
                    f"{naive_gz / browse_gz:.0f}x",
                    "",
                    f"{with_assets:.0f}x",
                ]
            )
            summary.append(("lighter, gzip (naive/browse)", points, naive_gz / browse_gz))
            summary.append(("  lighter, gzip with static assets", points, with_assets))
            summary.append(("  lighter, raw", points, naive_raw / browse_raw))

            # browser timings
            browse_runs = [
                first_cluster(browser, server.url + map_path, 60) for _ in range(args.browser_runs)
            ]
            for run in browse_runs:
                assert [urlsplit(u).query for u in run["asked"]] == [parts.query], run["asked"]
            naive_runs = [
                first_cluster(browser, f"{server.url}/bench/{naive_path.name}", 240)
                for _ in range(args.naive_runs)
            ]
            bm = c.median([r["cluster"] for r in browse_runs])
            nm = c.median([r["cluster"] for r in naive_runs])
            render_ms = render_s * 1000
            rows_time.append(_time_row(points, "browse", browse_runs))
            rows_time.append(_time_row(points, "naive folium (static file)", naive_runs))
            rows_time.append(
                [f"{points:,}", "naive (static file) / browse", f"{nm / bm:.1f}x"] + [""] * 7
            )
            rows_time.append(
                [
                    f"{points:,}",
                    f"naive built per request ({render_ms:,.0f} ms + {nm:,.0f} ms) / browse",
                    f"{(render_ms + nm) / bm:.1f}x",
                ]
                + [""] * 7
            )
            summary.append(("faster to first cluster (naive static file/browse)", points, nm / bm))
            summary.append(("  same, naive page built per request", points, (render_ms + nm) / bm))
            c.say(f"first cluster: browse {bm:.0f} ms, naive {nm:.0f} ms")
        browser.close()
    server.stop()
    tiles.stop()
    shutil.rmtree(folder, ignore_errors=True)

    print()
    print(
        "## Bytes (static assets: Leaflet, markercluster and our maps.js, raw / gzip; "
        "the last column adds the gzip static assets to the gzip total)"
    )
    print(
        c.table(
            [
                "points",
                "page",
                "document + data",
                "total raw",
                "total gzip",
                "static assets",
                "gzip with assets",
            ],
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
        f"## GeoJSON endpoint vs the bare queries on PostGIS (median of {args.repeat}, "
        "interleaved, ms; endpoint through the test client with Accept-Encoding)"
    )
    print(
        c.table(
            ["points", "request", "gzip", "identity", "/ bare", "/ bare grid", "bytes"],
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
                [name, *[f"{parts[name]:,.1f}" for parts in parts_by_size.values()]]
                for name in names
            ],
        )
    )
    print()
    print("## Targets (indented lines are for reference)")
    checks = []
    for name, points, ratio in summary:
        if "endpoint" in name or name.startswith("  zoomed") or name.startswith("  no cluster"):
            met = ratio <= TARGET_ENDPOINT
            checks.append(
                [name, f"{points:,}", f"{ratio:.2f}x", f"<= {TARGET_ENDPOINT:.0f}x", _yes(met)]
            )
        else:
            target = TARGET_LIGHTER if "lighter" in name else TARGET_FASTER
            met = ratio >= target
            checks.append([name, f"{points:,}", f"{ratio:.1f}x", f">= {target:.0f}x", _yes(met)])
    print(c.table(["ratio", "points", "measured", "target", "met"], checks))
    print(
        f"\nwhole run: {time.perf_counter() - started:.0f} s; load average "
        f"{load_before} at the start, {c.load_average()} at the end (2 cores, shared)"
    )


def _endpoint_row(points, e, t, label, name, bare_key, grid_key=None, identity=None) -> list:
    groups, lone = e["shape"][name]
    b = e["bytes"]
    return [
        f"{points:,}",
        f"{label} ({groups} groups, {lone} points)",
        f"{t[name + '_gzip']:,.1f} ms",
        f"{t[identity]:,.1f} ms" if identity else "",
        f"{t[name + '_gzip'] / t[bare_key]:.2f}x",
        f"{t[name + '_gzip'] / t[grid_key]:.1f}x" if grid_key else "",
        f"{c.kb(b[name][0])} / {c.kb(b[name][1])} gz",
    ]


def _bare_row(points, e, t, label, key, grid=False) -> list:
    return [
        f"{points:,}",
        label,
        f"{t[key]:,.1f} ms",
        "",
        "" if grid else "1.00x",
        "1.0x" if grid else "",
        c.kb(e["bytes"][key][0]),
    ]


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
