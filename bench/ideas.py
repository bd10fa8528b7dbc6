"""Benchmark: the ideas list (unfiltered; filtered by district and a search word) and
the GeoJSON endpoint for a viewport of about 500 ideas, with 500 and with 50,000 ideas
in the town.

    .venv/bin/python bench/ideas.py [--sizes 500,50000] [--repeat 40]

Not a test. One database per size (``participation_bench_ideas_500``, ...; dropped and
created again), each migrated with Alembic, with the demo town and synthetic ideas
COPYed into its call, then VACUUM ANALYZE. The requests go through the Flask test client
(the whole app: routing, queries, templates, JSON), and alternate between the sizes so
that a busy machine slows them alike. Target (issue 4): at 50,000 ideas every case
stays within 1.5 times its time at 500.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from urllib.parse import urlencode

import _common as c
from sqlalchemy import event

TARGET = 1.5


def viewport(town: c.Town, ideas: int, wanted: int = 500) -> tuple[float, ...]:
    """A box around the town's centre holding about ``wanted`` of ``ideas`` uniform points
    (the whole town when it has no more)."""
    min_lon, min_lat, max_lon, max_lat = town.bbox
    share = min(1.0, (wanted / ideas) ** 0.5)
    half_w, half_h = (max_lon - min_lon) * share / 2, (max_lat - min_lat) * share / 2
    lon, lat = (min_lon + max_lon) / 2, (min_lat + max_lat) / 2
    return (lon - half_w, lat - half_h, lon + half_w, lat + half_h)


class QueryLog:
    """The SQL statements one request runs, with their times."""

    def __init__(self, engine):
        self.engine = engine
        self.active = False
        self.queries: list[tuple[float, str, object]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            ms = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
            self.queries.append((ms, statement, parameters))

    def record(self, fn):
        self.queries = []
        self.active = True
        try:
            fn()
        finally:
            self.active = False
        return list(self.queries)


def explain(app, statement: str, parameters) -> str:
    from participation.extensions import db

    with app.app_context():
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
            ).all()
    return "\n".join("    " + r[0] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,50000")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()
    load_before = c.load_average()

    from participation.extensions import db

    setups = {}
    for size in sizes:
        url = c.fresh_database(f"_ideas_{size}")
        app = c.make_app(url)
        town = c.set_up(app)
        missing = size - c.count_ideas(app, town)
        seconds = c.add_ideas(app, town, missing, seed=size)
        ideas = c.count_ideas(app, town)
        with app.app_context():
            log = QueryLog(db.engine)
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        setups[size] = (app, town, client, log)
        c.say(f"{url.rsplit('/', 1)[-1]}: {ideas:,} public ideas ({seconds:.1f} s to load)")

    def cases(town: c.Town, size: int) -> dict[str, str]:
        call = f"/{town.slug}/ideas/calls/{town.call_id}"
        # The largest district (Sever, 42 % of the town): with the word in one idea of six,
        # a full page of 20 matches at 500 ideas as at 50,000, so both render
        # the same page and only the number of ideas differs.
        sever = next(d[0] for d in town.districts if d[1] == "Sever")
        filtered = urlencode({"district": sever, "q": c.SEARCH_WORD})
        bbox = ",".join(f"{v:.6f}" for v in viewport(town, size))
        return {
            "list, unfiltered": call,
            "list, district + word": f"{call}?{filtered}",
            "GeoJSON, viewport": f"/api/v1/{town.slug}/ideas.geojson?"
            + urlencode({"call": town.call_id, "bbox": bbox}),
        }

    # What each request returns: items shown, matches, features; and its queries.
    shape = {}
    queries = {}
    for size, (_app, town, client, log) in setups.items():
        for name, path in cases(town, size).items():
            headers = {"Accept-Encoding": "gzip"} if "GeoJSON" in name else {}
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            if "GeoJSON" in name:
                plain = client.get(path, headers={"Accept-Encoding": "identity"})
                found = f"{len(json.loads(plain.data)['features'])} features"
            else:
                html = response.get_data(as_text=True)
                total = re.search(r'<p role="status">([^<]+)</p>', html)
                items = re.search(r'<ul class="idea-list">(.*?)</ul>', html, re.S)
                shown = items.group(1).count("<li>") if items else 0
                found = f"{total.group(1) if total else '?'}, {shown} shown"
            shape[(name, size)] = (found, len(response.data))
            # The quietest of three recordings (the machine is shared).
            recordings = [
                log.record(lambda p=path, h=headers, cl=client: cl.get(p, headers=h))
                for _ in range(3)
            ]
            queries[(name, size)] = min(recordings, key=lambda q: sum(x[0] for x in q))

    # The timings: warm-up, then rounds that alternate the sizes and the cases.
    times: dict[tuple[str, int], list[float]] = {}
    cpu: dict[tuple[str, int], list[float]] = {}
    for round_ in range(args.warmup + args.repeat):
        for size, (_app, town, client, _log) in setups.items():
            for name, path in cases(town, size).items():
                headers = {"Accept-Encoding": "gzip"} if "GeoJSON" in name else {}
                t0, cpu0 = time.perf_counter(), time.thread_time()
                response = client.get(path, headers=headers)
                ms = (time.perf_counter() - t0) * 1000
                cpu_ms = (time.thread_time() - cpu0) * 1000
                assert response.status_code == 200
                if round_ >= args.warmup:
                    times.setdefault((name, size), []).append(ms)
                    cpu.setdefault((name, size), []).append(cpu_ms)

    small, large = sizes[0], sizes[-1]
    rows, verdicts = [], []
    names = list(cases(setups[small][1], small))
    for name in names:
        for size in sizes:
            t = times[(name, size)]
            q = queries[(name, size)]
            found, nbytes = shape[(name, size)]
            rows.append(
                [
                    name,
                    f"{size:,}",
                    found,
                    c.kb(nbytes),
                    f"{c.median(t):.1f}",
                    f"{c.p95(t):.1f}",
                    f"{c.median(cpu[(name, size)]):.1f}",
                    f"{len(q)} ({sum(x[0] for x in q):.1f} ms)",
                ]
            )
        ratio_median = c.median(times[(name, large)]) / c.median(times[(name, small)])
        ratio_p95 = c.p95(times[(name, large)]) / c.p95(times[(name, small)])
        verdicts.append(
            [
                name,
                f"{ratio_median:.2f}x",
                f"{ratio_p95:.2f}x",
                f"<= {TARGET}x",
                "yes" if ratio_median <= TARGET and ratio_p95 <= TARGET else "NO",
            ]
        )

    print()
    print(
        f"## Response times in ms over {args.repeat} requests each after {args.warmup} "
        "warm-up rounds (Flask test client, PostgreSQL 15 + PostGIS)"
    )
    print(
        c.table(
            [
                "case",
                "ideas in town",
                "result",
                "bytes",
                "median",
                "p95",
                "app CPU median",
                "SQL queries (DB time)",
            ],
            rows,
        )
    )
    print()
    print(f"## Ratio {large:,} / {small:,}")
    print(c.table(["case", "median", "p95", "target", "met"], verdicts))

    print()
    print(f"## The slowest queries of each case at {large:,} ideas (ms, one request)")
    for name in names:
        q = sorted(queries[(name, large)], key=lambda x: -x[0])
        small_q = queries[(name, small)]
        print(f"- {name}: {len(q)} queries; at {small:,}: {len(small_q)}")
        for ms, statement, _params in q[:3]:
            print(f"    {ms:6.1f}  {' '.join(statement.split())[:150]}")
    if any(v[-1] == "NO" for v in verdicts):
        print()
        print(f"## EXPLAIN ANALYZE of the slowest query of each missed case, {large:,} ideas")
        app = setups[large][0]
        for verdict in verdicts:
            if verdict[-1] != "NO":
                continue
            ms, statement, params = max(queries[(verdict[0], large)], key=lambda x: x[0])
            print(f"- {verdict[0]} ({ms:.1f} ms): {' '.join(statement.split())[:300]}")
            print(explain(app, statement, params))
    print(
        f"\nwhole run: {time.perf_counter() - started:.0f} s; load average {load_before} "
        f"at the start, {c.load_average()} at the end (2 cores, shared)"
    )


if __name__ == "__main__":
    main()
