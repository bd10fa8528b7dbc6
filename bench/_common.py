"""What both benchmarks share: a fresh PostGIS database, the demo town, synthetic ideas
loaded with COPY, a live server, Chromium, and small statistics helpers.

Not a test and not part of the suite. Each benchmark drops and creates again its own
databases, named after ``BENCH_DATABASE_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/participation_bench``) plus a suffix:
``participation_bench_maps``, ``participation_bench_ideas_500`` and so on.
"""

from __future__ import annotations

import gzip
import logging
import multiprocessing
import os
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import make_server

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/participation_bench"
)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A 1x1 transparent PNG, the answer to every tile request.
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

# Words of synthetic ideas. SEARCH_WORD is put into every SEARCH_EVERY-th of them.
WORDS = (
    "lavička strom chodník přechod osvětlení park hřiště cyklostezka zastávka autobus "
    "knihovna zahrada náměstí řeka most parkoviště kontejner tráva keř květiny "
    "stojan kola bezpečnost děti senioři sport kultura koncert trh škola školka "
    "ulice silnice oprava údržba nový starý zelený čistý tichý velký malý "
    "sousedé komunita setkávání pítko voda odpočinek stín výsadba alej"
).split()
SEARCH_WORD = "kašna"
SEARCH_EVERY = 6

log = logging.getLogger("bench")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def fresh_database(suffix: str = "") -> str:
    """Drop and create the benchmark database (its name plus ``suffix``), with PostGIS."""
    target = make_url(DATABASE_URL)
    if target.drivername in {"postgresql", "postgres"}:
        target = target.set(drivername="postgresql+psycopg")
    target = target.set(database=f"{target.database}{suffix}")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()
    return target.render_as_string(hide_password=False)


def make_app(url: str):
    """The real application (not in testing mode) on the benchmark database."""
    from participation import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "ENVIRONMENT": "development",
            "SECRET_KEY": "bench-only",
            "MAIL_BACKEND": "log",
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            # The demo's ten accounts need not take scrypt's time here.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    # One line per request would swamp the figures.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    return app


class Town:
    """The demo town as the benchmark sees it: ids, districts and its bounding box."""

    def __init__(self, slug, municipality_id, call_id, districts, category_ids):
        self.slug = slug
        self.municipality_id = municipality_id
        self.call_id = call_id
        self.districts = districts  # [(id, name, (min_lon, min_lat, max_lon, max_lat))]
        self.category_ids = category_ids
        self.bbox = (
            min(d[2][0] for d in districts),
            min(d[2][1] for d in districts),
            max(d[2][2] for d in districts),
            max(d[2][3] for d in districts),
        )


def set_up(app) -> Town:
    """Migrate the database with Alembic (the real indexes) and load the demo town."""
    import flask_migrate

    from participation.demo import load_demo
    from participation.extensions import db
    from participation.ideas.demo import CALL_TITLE
    from participation.ideas.models import IdeaCall
    from participation.maps.models import District

    with app.app_context():
        flask_migrate.upgrade()
        municipality = load_demo()
        db.session.commit()
        call = db.session.scalar(select(IdeaCall).where(IdeaCall.title == CALL_TITLE))
        districts = [
            (d.id, d.name, d.boundary.bounds)
            for d in db.session.scalars(
                select(District)
                .where(District.municipality_id == municipality.id)
                .order_by(District.id)
            )
        ]
        town = Town(
            municipality.slug,
            municipality.id,
            call.id,
            districts,
            [c.id for c in call.categories],
        )
        db.session.remove()
    return town


def demo_district_shapes(app, town: Town):
    from participation.extensions import db
    from participation.maps.models import District

    with app.app_context():
        shapes = [
            (d.id, d.boundary)
            for d in db.session.scalars(
                select(District).where(District.id.in_([d[0] for d in town.districts]))
            )
        ]
        db.session.remove()
    return shapes


def add_ideas(app, town: Town, count: int, seed: int) -> float:
    """COPY ``count`` synthetic public ideas into the demo call, then VACUUM ANALYZE.

    Points are uniform over the town's districts (each point's district is computed
    with shapely, as the app stores it); titles and descriptions come from WORDS, with
    SEARCH_WORD in every SEARCH_EVERY-th. Returns the seconds it took.
    """
    import shapely

    from participation.extensions import db

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    shapes = demo_district_shapes(app, town)
    min_lon, min_lat, max_lon, max_lat = town.bbox
    lon = np.empty(0)
    lat = np.empty(0)
    district = np.empty(0, dtype=np.int64)
    while len(lon) < count:  # rejection sampling: keep points inside some district
        x = rng.uniform(min_lon, max_lon, count)
        y = rng.uniform(min_lat, max_lat, count)
        owner = np.zeros(count, dtype=np.int64)
        for district_id, shape in shapes:
            owner[(owner == 0) & shapely.contains_xy(shape, x, y)] = district_id
        keep = owner != 0
        lon, lat = np.concatenate([lon, x[keep]]), np.concatenate([lat, y[keep]])
        district = np.concatenate([district, owner[keep]])
    lon, lat, district = lon[:count], lat[:count], district[:count]
    statuses = rng.choice(
        ["collecting", "under_review", "accepted", "rejected", "expired"],
        size=count,
        p=[0.6, 0.1, 0.1, 0.1, 0.1],
    )
    now = datetime.now(UTC)
    ages = rng.uniform(0, 60 * 24 * 3600, count)
    supports = rng.integers(0, 60, count)
    categories = rng.choice(town.category_ids, size=count)
    title_words = rng.integers(0, len(WORDS), (count, 4))
    text_words = rng.integers(0, len(WORDS), (count, 25))

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            copy_sql = (
                "COPY ideas_idea (municipality_id, call_id, category_id, title, description, "
                "status, support_count, created_at, submitted_at, lat, lon, district_id) "
                "FROM STDIN"
            )
            with cursor.copy(copy_sql) as copy:
                for i in range(count):
                    words = [WORDS[w] for w in title_words[i]]
                    title = " ".join(words).capitalize()
                    body = [WORDS[w] for w in text_words[i]]
                    if i % SEARCH_EVERY == 0:
                        body[int(i % 25)] = SEARCH_WORD
                    when = now - timedelta(seconds=float(ages[i]))
                    copy.write_row(
                        (
                            town.municipality_id,
                            town.call_id,
                            int(categories[i]),
                            title,
                            " ".join(body) + ".",
                            str(statuses[i]),
                            int(supports[i]),
                            when,
                            when,
                            round(float(lat[i]), 6),
                            round(float(lon[i]), 6),
                            int(district[i]),
                        )
                    )
            raw.commit()
        finally:
            raw.close()
        engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        db.session.remove()
    return time.perf_counter() - started


def count_ideas(app, town: Town) -> int:
    from participation.extensions import db

    with app.app_context():
        n = db.session.scalar(
            text("SELECT count(*) FROM ideas_idea WHERE call_id = :c AND status <> 'draft'"),
            {"c": town.call_id},
        )
        db.session.remove()
    return n


class LiveServer:
    """The app over HTTP on a free loopback port, as the tests do; files in ``extra`` are
    served beside it under ``/bench/``.

    With ``process=True`` the server runs in a forked process of its own, as an app server
    does in production. In a thread it would share this process's interpreter lock with
    Playwright, which handles every browser event here, and a page's requests would wait
    for that rather than for the app.
    """

    def __init__(self, app, extra: Path | None = None, process: bool = False):
        application = app
        if extra is not None:
            application = SharedDataMiddleware(app, {"/bench": str(extra)}, cache=False)
        self.server = make_server("127.0.0.1", 0, application, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.process = None
        if process:
            _forget_connections(app)
            self.process = multiprocessing.get_context("fork").Process(
                target=self.server.serve_forever, daemon=True
            )
            self.process.start()
            self.server.socket.close()  # the child listens; this process only asks
        else:
            self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
            self.thread.start()

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.join(5)
        else:
            self.server.shutdown()


def _forget_connections(app) -> None:
    """A forked child must not share the parent's pooled database connections."""
    from participation.extensions import db

    with app.app_context():
        db.engine.dispose()


class TileServer:
    """A blank PNG for every tile, from a process of its own on another port: the map
    pages load their tiles as from a tile server, and nothing in this process (neither
    Playwright nor the app) handles them."""

    def __init__(self):
        class Blank(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server name
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(BLANK_PNG)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(BLANK_PNG)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a page closed before its tiles came: nothing to tell

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Blank)
        port = self.server.server_address[1]
        self.template = f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"
        self.process = multiprocessing.get_context("fork").Process(
            target=self.server.serve_forever, daemon=True
        )
        self.process.start()
        self.server.socket.close()

    def stop(self):
        self.process.terminate()
        self.process.join(5)


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def median(values) -> float:
    return statistics.median(values)


def p95(values) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def timed(fn, repeat: int, warmup: int = 2) -> list[float]:
    """Milliseconds of ``repeat`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def interleaved(fns: dict, repeat: int, warmup: int = 1) -> dict[str, list[float]]:
    """Milliseconds of each function, called in turn ``repeat`` times after ``warmup``
    rounds, so that all of them see the same (shared, noisy) machine."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def kb(n: float) -> str:
    if n < 10 * 1024:
        return f"{n / 1024:,.1f} kB"
    return f"{n / 1024:,.0f} kB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for row in cells[1:]:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)
