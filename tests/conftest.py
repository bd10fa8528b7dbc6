"""Fixtures: an app on each database with per-test rollback, factories, Chromium, axe-core.

SQLite always runs. PostgreSQL + PostGIS runs when ``TEST_DATABASE_URL`` is set;
under ``CI=true`` a missing database or browser is a failure, never a skip.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections import Counter
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from participation import create_app
from participation.extensions import db, limiter

CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BACKENDS = ["sqlite", "postgresql"]
AXE_JS = (Path(__file__).parent / "browser" / "vendor" / "axe.min.js").read_text()

_tmp = tempfile.TemporaryDirectory(prefix="participation-tests-")


def _need(what: str) -> None:
    message = f"{what} is not available"
    if CI:
        pytest.fail(f"{message}, and under CI=true nothing may skip", pytrace=False)
    pytest.skip(message)


def pg_url(suffix: str = "") -> str:
    url = make_url(TEST_DATABASE_URL)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    if suffix:
        url = url.set(database=f"{url.database}{suffix}")
    return url.render_as_string(hide_password=False)


def fresh_pg_database(suffix: str) -> str:
    """Create (again) an empty database beside the test database, with PostGIS."""
    target = make_url(pg_url(suffix))
    admin = create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()
    return target.render_as_string(hide_password=False)


def sqlite_url(name: str) -> str:
    return "sqlite:///" + str(Path(_tmp.name) / f"{name}.sqlite")


def base_config(database_url: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "ENVIRONMENT": "test",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": str(Path(_tmp.name) / "uploads"),
        "MAIL_BACKEND": "log",
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SERVER_NAME": None,
        # Hashing strength is not under test here; scrypt would make each account ~0.1 s.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(extra)
    return config


_apps: dict = {}


def backend_app(backend: str):
    """One application per backend for the whole run, its schema made from the models."""
    if backend not in _apps:
        if backend == "postgresql":
            if not TEST_DATABASE_URL:
                _need("PostgreSQL (TEST_DATABASE_URL)")
            url = pg_url()
            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            engine.dispose()
        else:
            url = sqlite_url("unit")
        app = create_app(base_config(url))
        app.test_client_class = IsolatedClient
        with app.app_context():
            db.drop_all()
            db.create_all()
        _apps[backend] = app
    return _apps[backend]


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (its own ``g`` and database session), as in
    production, even though the test itself holds an app context open."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine itself; here it must use our connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture(params=BACKENDS)
def app(request):
    """The app on one database; everything a test writes is rolled back after it."""
    application = backend_app(request.param)
    application.extensions.get("participation_outbox", []).clear()
    with application.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": ConnectionBoundSession,
            }
        )
        try:
            yield application
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    """A browser-like client that asks for English pages unless a test says otherwise."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    return app.extensions.setdefault("participation_outbox", [])


def csrf_token(client, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Auth:
    """Log in and out through the real forms, as a browser would."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = "correct horse battery"):
        token = csrf_token(self.client, "/account/login")
        return self.client.post(
            "/account/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/account/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


# --- the browser -------------------------------------------------------------------------


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="session")
def browser_app():
    """An app with committed data (the demo town) for the browser, on PostgreSQL when given."""
    from participation.demo import load_demo

    if TEST_DATABASE_URL:
        url = fresh_pg_database("_browser")
    else:
        if CI:
            _need("PostgreSQL (TEST_DATABASE_URL)")
        url = sqlite_url("browser")
    app = create_app(base_config(url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_demo()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(browser_app):
    server = LiveServer(browser_app)
    yield server
    server.stop()
    with browser_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _close_connections_at_the_end():
    """Pooled connections are closed before exit; an open one would warn (an error here)."""
    yield
    for application in _apps.values():
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def _playwright():
    if not os.path.exists(CHROMIUM):
        _need(f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser context (no cookies) whose requests are all recorded."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.requested_urls = []
    pg.on("request", lambda request: pg.requested_urls.append(request.url))
    yield pg
    # Let the live server finish what it is sending (static files) before the browser
    # goes away; a cut-off response leaves an unclosed file behind in the server thread.
    try:
        pg.wait_for_load_state("networkidle", timeout=5_000)
    except Exception:  # noqa: BLE001 - a page that never idles closes anyway
        pass
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA) on the page as it is now."""
    page.evaluate(AXE_JS)
    result = page.evaluate(
        "opts => axe.run(document, opts)",
        {
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        },
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


# --- counting what ran where -------------------------------------------------------------

_ran: Counter = Counter()


def pytest_runtest_logreport(report):
    if report.when != "call" or not report.passed:
        return
    nodeid = report.nodeid
    if "tests/browser/" in nodeid:
        _ran["Chromium"] += 1
    elif "[postgresql" in nodeid or "postgresql]" in nodeid or "-postgresql" in nodeid:
        _ran["PostgreSQL + PostGIS"] += 1
    elif "sqlite" in nodeid:
        _ran["SQLite"] += 1
    else:
        _ran["without a database"] += 1


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_sep("-", "where the passed tests ran")
    for where in ("SQLite", "PostgreSQL + PostGIS", "Chromium", "without a database"):
        terminalreporter.write_line(f"{where}: {_ran[where]}")


REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", "redis"])
def rate_limited_app(request):
    """An app with throttling on, counting in memory or in Redis (as with REDIS_URL)."""
    storage = "memory://"
    if request.param == "redis":
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError:
            _need(f"Redis ({REDIS_URL})")
        storage = REDIS_URL
    app = create_app(
        base_config(
            sqlite_url("throttle"),
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=storage,
            RATELIMIT_KEY_PREFIX=f"test-{os.getpid()}-{request.node.name}",
            LOGIN_RATE_LIMIT="3 per minute",
            REGISTER_RATE_LIMIT="2 per minute",
        )
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        limiter.reset()
