"""Benchmark: voters casting ballots over HTTP against gunicorn and PostgreSQL, beside a
bare endpoint of the same application that only inserts one row, timed in turn in the
same run; then the integrity check.

    .venv/bin/python bench/voting.py [--voters 1000] [--runs 3] [--workers 5] [--connections 32]

Not a test. Needs PostgreSQL + PostGIS on 127.0.0.1:5432 (``BENCH_DATABASE_URL``), gunicorn
(the ``prod`` extra) and ``wrk`` (``apt-get install wrk``).

1. A fresh database ``participation_bench_voting``, migrated with Alembic, with the demo
   town; a cycle in its voting phase verified by one-time codes; one city-wide approval
   pool with ten projects; codes for every voter of every run, generated as for letters.
2. The statements of one cast and of a refused second cast, counted in-process (Flask
   test client, SQLAlchemy's cursor events and psycopg's BEGIN/COMMIT/ROLLBACK).
3. Two gunicorns under the same settings stay up side by side: the product, to which the
   bench adds the **bare endpoint** ``POST /bench/bare`` (a view that inserts one row into
   a table of its own; the app's request handling commits it: the least an endpoint of
   this application that records something does), and, for reference, a **raw WSGI**
   app defined here that does the same INSERT and COMMIT with no framework at all.
4. Every voter identifies as a browser would, with a Python client: GET the voting page
   (a session and its CSRF token), POST their code (the session now holds who votes,
   signed). Timed apart.
5. Warm-up, not timed: ``--warm-voters`` casts and 3 s of each bare endpoint.
6. ``--runs`` rounds, alternating: the bare endpoint and the raw WSGI app for
   ``--bare-seconds`` each, then ``--voters`` casts, and a last pair of bare runs after
   the last casts. The casts go out with ``wrk`` from a Lua script: each request is one
   voter's ``POST /<slug>/budget/<cycle>/vote/<pool>`` (the review page's "Cast my
   ballot") with ``action=cast``, their session cookie, their CSRF token and three
   projects; a tenth of the voters appear twice in a row, so their two casts go out at
   once on two connections. A cast is answered with the page that shows its receipt; a
   refusal with a 303 to the voter's pools. A cast run's time runs from its first cast
   sent to its last answered. After every run: the load average, and the CPU time that
   the app's workers, PostgreSQL and wrk used, per request.
7. The medians: ballots per second over the cast runs, inserts per second over the bare
   runs, and their ratio; each cast run's ratio to the bare runs on either side, too; and
   the same against the raw WSGI app.
8. Afterwards: ballots in the pool = voter-roll rows = distinct voters whose cast was
   answered as cast, every voter who cast exactly once (each doubled voter: one cast, one
   refusal),
   every ballot with its three lines, codes marked used = ballots.

Target (issue 6): ballots per second at least half the bare endpoint's rate; nothing lost
or doubled.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import _common as c
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
URL_ENV = "BENCH_VOTING_URL"
TARGET = 0.5
LINES_PER_BALLOT = 3


# --- the two WSGI apps gunicorn serves (``voting:product_app()``, ``voting:raw_app()``) ---


def product_app():
    """The real application on the benchmark database, with the bare endpoint added."""
    app = c.make_app(os.environ[URL_ENV])
    add_bare_endpoint(app)
    return app


def add_bare_endpoint(app) -> None:
    """``POST /bench/bare``: one INSERT, committed by the app's own ``after_request``,
    through everything the app does for any request (session, locale, security headers,
    the pool's checkout), CSRF-exempt so that wrk needs no token."""
    from flask import request

    from participation.extensions import csrf, db

    statement = text("INSERT INTO bench_bare (body) VALUES (:body)")

    @csrf.exempt
    def bench_bare():
        db.session.execute(statement, {"body": request.get_data(as_text=True)[:200]})
        return "ok"

    app.add_url_rule("/bench/bare", "bench_bare", bench_bare, methods=["POST"])


def raw_app():
    """One INSERT and one COMMIT per POST on a connection kept per worker, with no
    framework: the least anything that records something can do over HTTP with this
    server and database (for reference; the target is against the bare endpoint)."""
    import psycopg

    url = os.environ[URL_ENV].replace("postgresql+psycopg://", "postgresql://")
    local = threading.local()

    def app(environ, start_response):
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = psycopg.connect(url)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_bare (body) VALUES (%s)", (body[:200].decode(),))
        connection.commit()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    return app


# --- setting up --------------------------------------------------------------------------


def set_up_cycle(app, voters: int):
    """A cycle in voting with one approval pool of ten projects and ``voters`` codes."""
    from datetime import timedelta
    from decimal import Decimal

    from participation.budget import services
    from participation.budget.models import Method, Verification
    from participation.core.models import Municipality, utcnow
    from participation.extensions import db

    town = c.set_up(app)
    with app.app_context():
        municipality = db.session.get(Municipality, town.municipality_id)
        now = utcnow()
        cycle = services.save_cycle(
            None,
            municipality,
            None,
            title="Benchmark",
            year=now.year,
            voting_opens_at=now + timedelta(seconds=2),
            voting_closes_at=now + timedelta(days=1),
            verification=Verification.CODE,
            min_age=0,
        )
        pool = services.save_pool(
            None, cycle, None, name="Celé město", amount=Decimal("1000000"), method=Method.APPROVAL
        )
        for n in range(10):
            services.save_project(
                None, cycle, pool, None, title=f"Projekt {n + 1}", cost=Decimal("100000")
            )
        services.publish_cycle(cycle, None)
        codes = services.generate_voting_codes(cycle, voters, "bench", None)
        db.session.commit()
        project_ids = [p.id for p in pool.projects]
        ids = (town.slug, cycle.id, pool.id)
        db.session.remove()
    engine = create_engine(os.environ[URL_ENV])
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, body text NOT NULL)")
        )
    engine.dispose()
    time.sleep(2.5)  # voting opens
    return ids, project_ids, codes


# --- gunicorn and wrk ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, target: str, workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--chdir",
                str(HERE),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--graceful-timeout",
                "5",
                target,
            ],
            env={**os.environ},
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise SystemExit(f"gunicorn {target} did not start")
        time.sleep(1)  # every worker up

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


CAST_LUA = r"""
-- Each line of the file (args[1]) is one cast: the voter's cookie, a tab, the form body.
-- Once every cast is sent, connections still free ask for a static file until the last
-- cast is answered; those answers are not counted. wrk's own clock runs for the whole -d,
-- so the casts' time is taken here, from the first cast sent to the last one answered
-- (also when a straggler is still unanswered when -d runs out).
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_usec; } bench_timeval;
  int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
local function now()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

local requests = {}
local filler
local index = 0
answered, ok, refused, other, started, finished = 0, 0, 0, 0, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    local cookie, body = line:match("^(.-)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", nil, {
      ["Cookie"] = cookie,
      ["Accept-Language"] = "en",
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, body)
  end
  filler = wrk.format("GET", "/static/favicon.svg")
end

local checked = false
function request()
  if not checked then
    -- wrk calls request() once before connecting, to check what it returns; that one
    -- is never sent, so it must not use up a cast. (It does so on the first thread's
    -- script only: this script and its counters assume wrk -t1, as run_wrk runs it.)
    checked = true
    return requests[1]
  end
  index = index + 1
  if index == 1 then started = now() end
  if index > #requests then return filler end
  return requests[index]
end

function response(status, headers, body)
  local kind = headers["Content-Type"] or headers["content-type"] or ""
  if kind:find("svg", 1, true) then return end  -- a filler's answer
  answered = answered + 1
  local location = headers["Location"] or headers["location"] or ""
  if status == 200 and body:find('class="receipt-code"', 1, true) then
    ok = ok + 1  -- cast: the page with the receipt
  elseif status == 303 and location:match("/vote$") then
    refused = refused + 1  -- sent back to the voter's pools, "You have already voted"
  else
    other = other + 1
  end
  finished = now()  -- the last cast answered so far: the casts' time ends here
  if answered >= #requests then wrk.thread:stop() end
end

function done(summary, latency, requests_)
  local t = threads[1]
  io.write(string.format("CASTS answered=%d ok=%d refused=%d other=%d seconds=%.3f\n",
    t:get("answered"), t:get("ok"), t:get("refused"), t:get("other"),
    t:get("finished") - t:get("started")))
end
"""

BARE_LUA = r"""
wrk.method = "POST"
wrk.body = "voter=bench&action=cast"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> dict[str, float]:
    """CPU time so far of the processes that share the machine in a run: the gunicorn
    workers (both apps; the one not being asked stays idle), PostgreSQL's processes, and
    this process's finished children (wrk)."""
    found = {"app": 0, "postgres": 0}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        if name == "postgres":
            found["postgres"] += ticks
        elif name.startswith("gunicorn"):
            found["app"] += ticks
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "app": found["app"] / TICKS,
        "postgres": found["postgres"] / TICKS,
        "wrk": children.ru_utime + children.ru_stime,
    }


def run_wrk(url: str, script: str, connections: int, duration: int, args=()) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    command = [
        "timeout",
        str(duration + 30),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "60s",
        "-s",
        path,
        url,
    ]
    if args:
        command += ["--", *args]
    before = cpu_seconds()
    done_run = subprocess.run(command, capture_output=True, text=True)
    after = cpu_seconds()
    out = done_run.stdout + done_run.stderr
    os.unlink(path)
    Path(tempfile.gettempdir(), f"bench-voting-wrk-{int(time.time())}.txt").write_text(out)
    if "Requests/sec" not in out:
        raise SystemExit(f"wrk gave no figures:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    done = int(re.search(r"(\d+) requests in", out).group(1))
    amount, unit = re.search(r"requests in ([\d.]+)(ms|s|m)\b", out).groups()
    seconds = float(amount) * {"ms": 0.001, "s": 1.0, "m": 60.0}[unit]
    latency = {p: re.search(rf"\s{p}%\s+([\d.]+\w+)", out).group(1) for p in ("50", "90", "99")}
    statuses = {}
    match = re.search(r"CASTS (.*)", out)
    if match:
        statuses = {k: float(v) for k, v in (part.split("=") for part in match.group(1).split())}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rate": rate,
        "requests": done,
        "seconds": seconds,
        "latency": latency,
        "statuses": statuses,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
        "cpu": {k: after[k] - before[k] for k in after},
        "raw": out,
    }


# --- voters identify (Python client) --------------------------------------------------------


COOKIE = re.compile(r"session=([^;]+)")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def identify(port: int, slug: str, cycle_id: int, code: str) -> tuple[str, str]:
    """GET the voting page and POST the code, as a browser; returns the session cookie
    and the CSRF token the voter casts with."""
    path = f"/{slug}/budget/{cycle_id}/vote"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Accept-Language": "en"})
        response = connection.getresponse()
        page = response.read().decode()
        cookie = COOKIE.search(response.getheader("Set-Cookie") or "").group(1)
        token = TOKEN.search(page).group(1)
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        body = urlencode({"csrf_token": token, "code": code})
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Cookie": f"session={cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept-Language": "en",
            },
        )
        response = connection.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"identifying with a code answered {response.status}")
        cookie = COOKIE.search(response.getheader("Set-Cookie") or "").group(1)
        return cookie, token
    finally:
        connection.close()


def warm_up(port: int, path: str, times: int) -> None:
    """Each worker imports and compiles its templates on its first requests: not timed."""
    for _ in range(times):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", path, headers={"Accept-Language": "en"})
        connection.getresponse().read()
        connection.close()


# --- the integrity check -------------------------------------------------------------------


def check(
    pool_id: int, cast_ok: int, voters: int, everything_answered: bool, in_flight: int
) -> list[tuple[str, object, object, bool]]:
    """The database after the casts. When wrk's time ran out before every cast was
    answered, up to ``in_flight`` casts (one per connection) may have been recorded
    without their answer being read; none may be missing."""
    engine = create_engine(os.environ[URL_ENV])
    with engine.connect() as connection:

        def one(sql: str) -> int:
            return connection.execute(text(sql), {"pool": pool_id}).scalar()

        ballots = one("SELECT count(*) FROM budget_ballot WHERE pool_id = :pool")
        roll = one("SELECT count(*) FROM budget_voter WHERE pool_id = :pool")
        distinct = one("SELECT count(DISTINCT voter_key) FROM budget_voter WHERE pool_id = :pool")
        without_lines = one(
            "SELECT count(*) FROM budget_ballot b WHERE b.pool_id = :pool AND NOT EXISTS "
            "(SELECT 1 FROM budget_ballot_line l WHERE l.ballot_id = b.id)"
        )
        wrong_lines = one(
            "SELECT count(*) FROM (SELECT b.id FROM budget_ballot b JOIN budget_ballot_line l "
            "ON l.ballot_id = b.id WHERE b.pool_id = :pool GROUP BY b.id "
            f"HAVING count(*) <> {LINES_PER_BALLOT}) AS x"
        )
        used_codes = connection.execute(
            text("SELECT count(*) FROM core_voting_code WHERE used_at IS NOT NULL")
        ).scalar()
    engine.dispose()
    return [
        (
            "ballots in the pool >= casts answered as cast (none lost)",
            ballots,
            cast_ok,
            ballots >= cast_ok,
        ),
        (
            "ballots beyond those answered as cast (casts cut off in flight)",
            ballots - cast_ok,
            0 if everything_answered else f"<= {in_flight}",
            ballots - cast_ok == 0 if everything_answered else ballots - cast_ok <= in_flight,
        ),
        ("voter-roll rows = ballots", roll, ballots, roll == ballots),
        ("distinct voters on the roll = rows (none doubled)", distinct, roll, distinct == roll),
        ("ballots without lines", without_lines, 0, without_lines == 0),
        (f"ballots without exactly {LINES_PER_BALLOT} lines", wrong_lines, 0, wrong_lines == 0),
        ("codes marked used = ballots", used_codes, ballots, used_codes == ballots),
    ] + (
        [("ballots = voters (every voter cast once)", ballots, voters, ballots == voters)]
        if everything_answered
        else []
    )


# --- statements per cast (in-process) -------------------------------------------------------


def count_statements(app, slug: str, cycle_id: int, pool_id: int, code: str, project_ids):
    """What one cast and one second cast of the same voter send to the database, counted
    with SQLAlchemy's cursor events and psycopg's own BEGIN/COMMIT/ROLLBACK, through the
    Flask test client (no HTTP, no gunicorn). Returns {"cast": [...], "refused": [...]}."""
    import psycopg
    from sqlalchemy import event

    from participation.extensions import db

    sent: list[str] = []

    def on_execute(_conn, _cursor, statement, _params, _context, _many):
        sent.append(" ".join(statement.split())[:90])

    original = psycopg.Connection._exec_command

    def exec_command(self, command, *args, **kwargs):
        sent.append(command.decode() if isinstance(command, bytes) else str(command))
        return original(self, command, *args, **kwargs)

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    path = f"/{slug}/budget/{cycle_id}/vote"
    headers = {"Accept-Language": "en"}
    page = client.get(path, headers=headers).get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    client.post(path, data={"csrf_token": token, "code": code}, headers=headers)
    body = {"csrf_token": token, "action": "cast"} | {
        f"p-{p}": "1" for p in project_ids[:LINES_PER_BALLOT]
    }
    found = {}
    event.listen(engine, "before_cursor_execute", on_execute)
    psycopg.Connection._exec_command = exec_command
    try:
        for name in ("cast", "refused"):
            sent.clear()
            answer = client.post(f"{path}/{pool_id}", data=body, headers=headers)
            answered = (
                'class="receipt-code"' in answer.get_data(as_text=True)
                if name == "cast"
                else answer.status_code == 303 and answer.headers["Location"].endswith(path)
            )
            if not answered:
                raise SystemExit(f"counting statements: the {name} answered {answer.status}")
            found[name] = list(sent)
    finally:
        psycopg.Connection._exec_command = original
        event.remove(engine, "before_cursor_execute", on_execute)
    return found


# --- main --------------------------------------------------------------------------------


def cpu_per(run: dict, requests: int) -> str:
    """The run's CPU time per request in the app's workers, PostgreSQL and wrk (a cast
    run's filler requests, sent once every cast is out, are counted in with the casts)."""
    cpu = run["cpu"]
    return " / ".join(f"{1000 * cpu[k] / max(requests, 1):.2f}" for k in ("app", "postgres", "wrk"))


def cast_lines(sessions, project_ids, doubled_every: int = 10) -> tuple[list[str], int]:
    """One line per cast for the Lua script; every ``doubled_every``-th voter twice in a
    row (their two casts go out at once on two connections)."""
    lines = []
    doubled = 0
    for i, (cookie, token) in enumerate(sessions):
        body = urlencode(
            {"csrf_token": token, "action": "cast"}
            | {f"p-{p}": "1" for p in project_ids[i % 8 : i % 8 + LINES_PER_BALLOT]}
        )
        lines.append(f"session={cookie}\t{body}")
        if i % doubled_every == 0:
            lines.append(f"session={cookie}\t{body}")
            doubled += 1
    return lines, doubled


def run_casts(port: int, url_path: str, lines: list[str], connections: int, seconds: int):
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        requests_file = f.name
    try:
        result = run_wrk(
            f"http://127.0.0.1:{port}{url_path}",
            CAST_LUA,
            connections,
            seconds,
            args=[requests_file],
        )
    finally:
        os.unlink(requests_file)
    statuses = result["statuses"]
    result["ok"] = int(statuses.get("ok", 0))
    result["refused"] = int(statuses.get("refused", 0))
    result["other"] = int(statuses.get("other", 0))
    result["answered"] = int(statuses.get("answered", 0))
    result["all_answered"] = result["answered"] == len(lines)
    cast_seconds = statuses.get("seconds", 0)
    if not 0 < cast_seconds <= result["seconds"]:  # no cast answered: wrk's own time
        cast_seconds = result["seconds"]
    result["cast_seconds"] = cast_seconds
    result["ballots_rate"] = result["ok"] / cast_seconds
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1000, help="voters per timed cast run")
    parser.add_argument("--runs", type=int, default=3, help="timed cast runs (and bare runs + 1)")
    parser.add_argument("--warm-voters", type=int, default=100, help="untimed casts first")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--bare-seconds", type=int, default=10)
    parser.add_argument(
        "--cast-seconds", type=int, default=30, help="wrk's -d: an upper bound on a cast run"
    )
    parser.add_argument("--identify-threads", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    loads = [("start", c.load_average())]
    c.say(f"load average {loads[0][1]}; fresh database")
    url = c.fresh_database("_voting")
    os.environ[URL_ENV] = url
    app = c.make_app(url)
    total_voters = args.warm_voters + args.runs * args.voters + 1
    (slug, cycle_id, pool_id), project_ids, codes = set_up_cycle(app, total_voters)
    c.say(f"{len(codes)} voting codes; cycle {cycle_id}, pool {pool_id}")

    statements = count_statements(
        c.make_app(url), slug, cycle_id, pool_id, codes.pop(), project_ids
    )
    extra_ballots = 1  # the counted cast (its refused second writes nothing)

    # Both gunicorns are served side by side with the same settings, each warmed up, and
    # timed in turn: bare + raw, cast, bare + raw, cast, ..., bare + raw.
    raw = Gunicorn("voting:raw_app()", args.workers)
    product = Gunicorn("voting:product_app()", args.workers)
    bare_url = f"http://127.0.0.1:{product.port}/bench/bare"
    raw_url = f"http://127.0.0.1:{raw.port}/"
    cast_path = f"/{slug}/budget/{cycle_id}/vote/{pool_id}"
    bare_runs: list[dict] = []
    raw_runs: list[dict] = []
    cast_runs: list[dict] = []
    voters_cast = 0
    doubled_total = 0
    try:
        warm_up(product.port, f"/{slug}/budget/{cycle_id}/vote", 4 * args.workers)
        c.say(f"{len(codes)} voters identify ({args.identify_threads} threads)")
        started = time.perf_counter()
        with ThreadPoolExecutor(args.identify_threads) as threads:
            sessions = list(
                threads.map(lambda code: identify(product.port, slug, cycle_id, code), codes)
            )
        identify_seconds = time.perf_counter() - started
        c.say(f"identified in {identify_seconds:.1f} s")

        c.say(f"warm-up (not timed): {args.warm_voters} casts, each bare endpoint 3 s")
        warm, sessions = sessions[: args.warm_voters], sessions[args.warm_voters :]
        lines, doubled = cast_lines(warm, project_ids)
        result = run_casts(product.port, cast_path, lines, args.connections, args.cast_seconds)
        cast_runs_warm = result
        voters_cast += len(warm)
        doubled_total += doubled
        run_wrk(bare_url, BARE_LUA, args.connections, 3)
        run_wrk(raw_url, BARE_LUA, args.connections, 3)

        for n in range(args.runs + 1):
            for name, url_, found in (
                ("bare endpoint", bare_url, bare_runs),
                ("raw WSGI", raw_url, raw_runs),
            ):
                c.say(f"{name}, run {n + 1} (load {c.load_average()})")
                result = run_wrk(url_, BARE_LUA, args.connections, args.bare_seconds)
                result["load"] = c.load_average()
                found.append(result)
            if n == args.runs:
                break
            batch = sessions[n * args.voters : (n + 1) * args.voters]
            lines, doubled = cast_lines(batch, project_ids)
            c.say(f"casts, run {n + 1}: {len(lines)} ({doubled} voters twice at once)")
            result = run_casts(product.port, cast_path, lines, args.connections, args.cast_seconds)
            result["load"] = c.load_average()
            result["doubled"] = doubled
            cast_runs.append(result)
            voters_cast += len(batch)
            doubled_total += doubled
    finally:
        product.stop()
        raw.stop()
    loads.append(("end", c.load_average()))

    runs = [cast_runs_warm, *cast_runs]
    ok = sum(r["ok"] for r in runs) + extra_ballots
    refused = sum(r["refused"] for r in runs)
    other = sum(r["other"] for r in runs)
    everything_answered = all(r["all_answered"] for r in runs)
    checks = check(
        pool_id,
        ok,
        voters_cast + extra_ballots,
        everything_answered,
        args.connections * len(runs),
    )
    if everything_answered:
        checks.append(
            (
                "doubled voters refused once each",
                refused,
                doubled_total,
                refused == doubled_total,
            )
        )
    else:
        cut = [i for i, r in enumerate(runs) if not r["all_answered"]]
        print(
            f"\nwrk's {args.cast_seconds} s ran out before every cast was answered in run(s) "
            f"{cut} (0 = warm-up): the figures hold, the checks allow for the casts cut off."
        )
    checks.append(("casts answered otherwise (errors)", other, 0, other == 0))

    cast_median = statistics.median(r["ballots_rate"] for r in cast_runs)

    def against(baseline: list[dict]) -> tuple[float, float, list[float]]:
        median = statistics.median(r["rate"] for r in baseline)
        beside = [
            r["ballots_rate"] / statistics.mean([baseline[i]["rate"], baseline[i + 1]["rate"]])
            for i, r in enumerate(cast_runs)
        ]
        return median, cast_median / median, beside

    bare_median, ratio, ratios = against(bare_runs)
    raw_median, raw_ratio, raw_ratios = against(raw_runs)

    print()
    print(
        f"load average (1, 5, 15 min): {'; '.join(f'{when} {value}' for when, value in loads)}; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"gunicorn: {args.workers} sync workers for each app; wrk: 1 thread, "
        f"{args.connections} connections; {args.voters} voters per cast run, {args.runs} runs"
    )
    print(
        "statements per cast (in-process, psycopg's BEGIN/COMMIT included): "
        f"{len(statements['cast'])} for a ballot, {len(statements['refused'])} for a refused "
        "second ballot"
    )
    for line in statements["cast"]:
        print(f"    {line}")
    print()
    rows = []
    for i, b in enumerate(bare_runs):
        for name, run in ((f"bare endpoint {i + 1}", b), (f"raw WSGI {i + 1}", raw_runs[i])):
            rows.append(
                [
                    name,
                    run["requests"],
                    f"{run['seconds']:.1f}",
                    f"{run['rate']:,.0f}",
                    *run["latency"].values(),
                    f"non-2xx {run['non2xx']}",
                    cpu_per(run, run["requests"]),
                    run["load"],
                ]
            )
        if i < len(cast_runs):
            r = cast_runs[i]
            rows.append(
                [
                    f"casts {i + 1} (ballots/s)",
                    r["answered"],
                    f"{r['cast_seconds']:.1f}",
                    f"{r['ballots_rate']:,.0f}",
                    *r["latency"].values(),
                    f"cast {r['ok']}, refused {r['refused']}, other {r['other']}",
                    cpu_per(r, r["answered"]),
                    r["load"],
                ]
            )
    rows.append(
        [
            "identify (GET + POST, Python client)",
            2 * len(codes),
            f"{identify_seconds:.1f}",
            f"{2 * len(codes) / identify_seconds:,.0f}",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    print(
        c.table(
            [
                "",
                "requests",
                "seconds",
                "per second",
                "p50",
                "p90",
                "p99",
                "statuses",
                "CPU ms per request: app / PostgreSQL / wrk",
                "load",
            ],
            rows,
        )
    )
    print()
    print(
        f"median ballots per second: {cast_median:,.0f}; median bare endpoint inserts per "
        f"second: {bare_median:,.0f}; ratio {ratio:.2f} (each run against the bare runs "
        f"beside it: {', '.join(f'{x:.2f}' for x in ratios)}); target at least {TARGET}"
        f" -> {'met' if ratio >= TARGET else 'NOT met'}"
    )
    print(
        f"for reference, the raw WSGI app: {raw_median:,.0f} inserts per second; ballots "
        f"per second {raw_ratio:.2f} of it (beside it: "
        f"{', '.join(f'{x:.2f}' for x in raw_ratios)})"
    )
    errors = [r["socket_errors"] for r in runs if r["socket_errors"]]
    if errors:
        print(f"socket errors while casting: {errors}")
    print()
    print(
        c.table(
            ["check", "found", "expected", "ok"],
            [[a, b, e, "yes" if k else "NO"] for a, b, e, k in checks],
        )
    )
    if not all(k for *_rest, k in checks):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
