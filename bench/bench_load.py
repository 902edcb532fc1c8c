"""Benchmark: the ranked scores API under load, next to /healthz, on gunicorn and PostgreSQL.

Creates a fresh PostgreSQL database, builds its schema with the migrations and loads 1,000
scored vendors (each with its offers and a submitted disclosure, figures drawn from the demo
vendors' generators with a seed of their own) and one buyer with an API token. It then starts
gunicorn with 2 workers (procure/gunicorn_conf.py, access log off) and, from a second process
on loopback, drives it with `wrk`:

  - GET /healthz (one `SELECT 1`: the cost of a request through the stack);
  - GET /api/v1/scores with the buyer's bearer token: one page (the default 100 rows), and the
    whole ranking (page_size=1000) as every request answered before the API paged (default
    query: every scored vendor ranked, with rank stability for the top 5);

in the same run, each after a short warm-up and once the workers are idle again (wrk leaves
requests in flight when its time is up). It prints requests/s and p50/p95/p99 latency for both,
the errors (non-2xx responses included), and the ratios healthz / scores for throughput and
scores / healthz for median latency. The database is dropped at the end, also on failure.
wrk and gunicorn share the machine's cores, so the numbers are for comparison, not capacity.

Needs `wrk` (Debian: apt-get install wrk) and a PostgreSQL server whose user may create
databases. Run from the repository root:

    python bench/bench_load.py [--duration S] [--connections C] [--threads T] [--no-recycle]
                               [--server URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORKERS = 2
SEED = 20251231

# wrk runs this in every thread; `done` gets the merged summary and reads each thread's count
# of non-2xx responses (wrk itself counts only status >= 400 as errors).
WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non2xx = 0
  for _, thread in ipairs(threads) do
    non2xx = non2xx + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d "
    .. "non2xx=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d\\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    non2xx, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class LoadResult:
    endpoint: str
    values: dict[str, int]

    @property
    def requests_per_second(self) -> float:
        return self.values["requests"] / (self.values["duration_us"] / 1e6)

    def ms(self, percentile: int) -> float:
        return self.values[f"p{percentile}_us"] / 1e3

    @property
    def errors(self) -> int:
        socket_errors = sum(self.values[key] for key in ("connect", "read", "write", "timeout"))
        return socket_errors + self.values["non2xx"]

    def error_text(self) -> str:
        parts = [
            f"{key} {self.values[key]}"
            for key in ("connect", "read", "write", "timeout", "non2xx")
            if self.values[key]
        ]
        return ", ".join(parts) or "0"


# ---- database ---------------------------------------------------------------------------


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new, empty database on `server`; yields its URL and drops it afterwards."""
    name = f"procure_bench_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(server)._replace(path="/" + name))
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def migrate_and_load(url: str, instance: Path, vendors: int) -> str:
    """Build the schema with the migrations, load the vendors and a buyer; return the buyer's
    token."""
    from flask_migrate import upgrade

    from procure import create_app
    from procure.extensions import db

    app = create_app({"database_url": url, "secret_key": "bench"}, instance_path=str(instance))
    with app.app_context():
        start = time.perf_counter()
        upgrade()
        print(f"migrations: {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        token = load_vendors_and_buyer(vendors)
        print(f"loading {vendors:,} vendors and a buyer: {time.perf_counter() - start:.1f} s")
        db.engine.dispose()
    return token


def load_vendors_and_buyer(count: int) -> str:
    """`count` vendors, each a variant of a demo vendor (its own seed, so its own figures) with
    its offers and one submitted disclosure for 2025, through the services (validation and audit
    events included), one commit per vendor as if each submitted on its own. Each submit queues a
    re-scoring job; they are left queued (the scores API computes live). Vendor users share one
    password hash: hashing 1,000 passwords with scrypt would take minutes and is not measured."""
    import secrets

    from werkzeug.security import generate_password_hash

    from procure.accounts.models import User
    from procure.accounts.services import create_organization, create_user, issue_token
    from procure.audit.services import SYSTEM
    from procure.demo_vendors import VENDORS, WAGE_ZONES, build_documents
    from procure.disclosures.services import create_draft, submit
    from procure.extensions import db
    from procure.vendors.categories import seed_service_categories
    from procure.vendors.services import create_offer, create_vendor

    rng = random.Random(SEED)
    password_hash = generate_password_hash(secrets.token_urlsafe(16))
    for index in range(count):
        base = VENDORS[index % len(VENDORS)]
        spec = replace(
            base,
            name=f"{base.name} {index + 1:04d}",
            slug=f"{base.slug}-{index + 1:04d}",
            email=None,
        )
        organization = create_organization(spec.name, "vendor", actor=SYSTEM)
        user = User(
            organization=organization,
            email=spec.user_email,
            name=spec.contact,
            role="vendor",
            password_hash=password_hash,
        )
        db.session.add(user)
        vendor = create_vendor(
            organization,
            {
                "name": spec.name,
                "country": spec.country,
                "description": spec.description,
                "service_categories": [offer.category for offer in spec.offers],
                "sites": [
                    {"name": site.name, "city": site.city, "country": WAGE_ZONES[site.zone].country}
                    for site in spec.sites
                ],
            },
            user,
        )
        for offer in spec.offers:
            create_offer(
                vendor,
                {
                    "service_category": offer.category,
                    "unit": seed_service_categories()[offer.category].unit,
                    "price": Decimal(offer.price) * Decimal(f"{rng.uniform(0.8, 1.2):.3f}"),
                    "currency": offer.currency,
                    "capacity_per_period": float(rng.randrange(2_000, 60_000, 500)),
                    "hours_per_unit": offer.hours_per_unit,  # items and tasks only
                    "quality": round(min(0.99, offer.quality + rng.uniform(-0.04, 0.03)), 3),
                    "active": True,
                },
                user,
            )
        disclosure = create_draft(vendor, build_documents(spec, (2025,))[2025], user)
        submit(disclosure, user)
        db.session.commit()
    buyers = create_organization("Bench Buyer Group", "buyer", actor=SYSTEM)
    buyer = create_user(
        buyers,
        "buyer@bench.example",
        "Bench Buyer",
        "buyer",
        secrets.token_urlsafe(16),
        actor=SYSTEM,
    )
    db.session.flush()
    _, token = issue_token(buyer, "load benchmark")
    db.session.commit()
    return token


# ---- server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}"} if token else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass(frozen=True)
class Server:
    base: str
    pid: int
    log: Path

    def worker_boots(self) -> int:
        """Workers started so far (gunicorn recycles one after max_requests requests)."""
        return self.log.read_text(errors="replace").count("Booting worker")


@contextmanager
def gunicorn(url: str, instance: Path, log: Path, recycle: bool) -> Iterator[Server]:
    """gunicorn with WORKERS workers on a free loopback port; without `recycle`, workers are
    never replaced (max_requests 0)."""
    bind = f"127.0.0.1:{free_port()}"
    flags = "--access-logfile /dev/null" + ("" if recycle else " --max-requests 0")
    environment = os.environ | {
        "PROCURE_DATABASE_URL": url,
        "PROCURE_SECRET_KEY": "bench",
        "PROCURE_INSTANCE_PATH": str(instance),
        "WEB_CONCURRENCY": str(WORKERS),
        "PROCURE_BIND": bind,
        "PROCURE_LOG_LEVEL": "INFO",
        "GUNICORN_CMD_ARGS": flags,
    }
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:procure.gunicorn_conf",
                "procure:create_app()",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://{bind}"
        wait_until_healthy(base, server, log)
        yield Server(base, server.pid, log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_healthy(base: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {server.returncode}:\n{log.read_text()}")
        try:
            if get(base + "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(
        f"gunicorn did not answer /healthz with 200 within {seconds:.0f} s:\n{log.read_text()}"
    )


def cpu_seconds(pid: int) -> float:
    """CPU time used by process `pid` and its live children (gunicorn's master and workers)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process has just exited
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, interval: float = 0.5, seconds: float = 300) -> None:
    """Wait until gunicorn stops using CPU: wrk stops at the end of its duration and drops the
    requests still in flight, which the workers go on computing. Without this wait a slow
    endpoint's leftovers would run during the next measurement."""
    deadline = time.monotonic() + seconds
    used = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(interval)
        now = cpu_seconds(pid)
        if now - used < 0.05 * interval:
            return
        used = now
    raise SystemExit(f"gunicorn still busy {seconds:.0f} s after the load stopped")


# ---- load -------------------------------------------------------------------------------


def run_wrk(
    url: str,
    script: Path,
    *,
    threads: int,
    connections: int,
    seconds: float,
    timeout: float,
    headers: list[str],
) -> dict[str, int]:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={timeout:g}s",
        "-s",
        str(script),
    ]
    for header in headers:
        command += ["-H", header]
    finished = subprocess.run([*command, url], capture_output=True, text=True, check=False)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("RESULT ")]
    if finished.returncode != 0 or not lines:
        raise SystemExit(
            f"wrk failed (exit {finished.returncode}):\n{finished.stdout}{finished.stderr}"
        )
    return {key: int(value) for key, value in (pair.split("=") for pair in lines[-1].split()[1:])}


# the ranking as one page of the API (its default page size), and whole: the largest page
SCORES_PAGE = "/api/v1/scores"
SCORES_WHOLE = "/api/v1/scores?page_size=1000"


def check_scores(base: str, token: str, expected: int) -> None:
    """The whole ranking in one request: it must succeed and hold every vendor (up to 1,000,
    the largest page)."""
    started = time.perf_counter()
    status, body = get(base + SCORES_WHOLE, token)
    seconds = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"GET /api/v1/scores answered {status}: {body[:500]!r}")
    rows = json.loads(body)
    print(
        f"GET {SCORES_WHOLE}: {len(rows):,} vendors, {len(body) / 1e3:,.0f} kB, "
        f"first request {seconds * 1e3:,.0f} ms"
    )
    expected = min(expected, 1000)
    if len(rows) != expected:
        raise SystemExit(f"expected {expected:,} scored vendors, the API returned {len(rows):,}")


def measure(
    server: Server, script: Path, token: str, arguments: argparse.Namespace
) -> list[tuple[LoadResult, int]]:
    """wrk on /healthz, then on one page of /api/v1/scores and on the whole ranking: (result,
    workers recycled meanwhile) for each."""
    print(
        f"wrk: {arguments.connections} connections, {arguments.threads} threads, "
        f"{arguments.warmup:g} s warm-up + {arguments.duration:g} s per endpoint"
    )
    measured = []
    for path, headers in {
        "/healthz": [],
        SCORES_PAGE: [f"Authorization: Bearer {token}"],
        SCORES_WHOLE: [f"Authorization: Bearer {token}"],
    }.items():
        options = dict(
            threads=arguments.threads,
            connections=arguments.connections,
            timeout=arguments.timeout,
            headers=headers,
        )
        run_wrk(server.base + path, script, seconds=arguments.warmup, **options)
        wait_until_idle(server.pid)
        boots = server.worker_boots()
        result = LoadResult(
            path, run_wrk(server.base + path, script, seconds=arguments.duration, **options)
        )
        measured.append((result, server.worker_boots() - boots))
        wait_until_idle(server.pid)
    return measured


def report(measured: list[tuple[LoadResult, int]], connections: int) -> None:
    print()
    print(
        f"{'endpoint':<30} {'requests':>9} {'req/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} "
        f"{'restarts':>9}  errors"
    )
    for result, restarts in measured:
        print(
            f"{result.endpoint:<30} {result.values['requests']:>9,} "
            f"{result.requests_per_second:>9.1f} "
            f"{result.ms(50):>9.1f} {result.ms(95):>9.1f} {result.ms(99):>9.1f} {restarts:>9}  "
            f"{result.error_text()}"
        )
    print("(restarts: workers gunicorn recycled (max_requests) during the measurement)")
    (health, _), *others = measured
    print()
    for scores, _ in others:
        print(
            f"{scores.endpoint}: throughput healthz / it = "
            f"{health.requests_per_second / scores.requests_per_second:,.1f}x, "
            f"p50 latency it / healthz = {scores.ms(50) / health.ms(50):,.1f}x, "
            f"p95 latency it / healthz = {scores.ms(95) / health.ms(95):,.1f}x"
        )
    for result, _ in measured:
        if result.values["requests"] < 10 * connections:
            print(
                f"note: {result.endpoint} completed fewer than 10 requests per connection; "
                "wrk drops the requests in flight when the time is up, so req/s is underestimated "
                "and the percentiles rest on few samples: use a longer --duration "
                "(or fewer --connections)"
            )
    failed = [result.endpoint for result, _ in measured if result.errors]
    if failed:
        raise SystemExit(f"FAIL: errors or non-2xx responses on {', '.join(failed)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=float, default=20, help="seconds of load per endpoint (default 20)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3, help="seconds of warm-up per endpoint (default 3)"
    )
    parser.add_argument("--connections", type=int, default=8, help="open connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=30,
        help="seconds before wrk counts a request as timed out (default 30)",
    )
    parser.add_argument(
        "--no-recycle",
        dest="recycle",
        action="store_false",
        help="never replace workers (gunicorn_conf recycles one every ~20,000 requests)",
    )
    parser.add_argument("--vendors", type=int, default=1000)
    parser.add_argument(
        "--server",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server (any database on it) to create the benchmark database on",
    )
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not installed: install it with `apt-get install wrk` (Debian/Ubuntu), "
            "then rerun."
        )

    print(
        f"machine: {os.cpu_count()} CPUs, {len(os.sched_getaffinity(0))} usable by this process; "
        f"wrk ({arguments.threads} threads) and gunicorn ({WORKERS} workers) share them"
    )
    with (
        tempfile.TemporaryDirectory(prefix="procure-bench-") as folder,
        fresh_database(arguments.server) as url,
    ):
        instance = Path(folder) / "instance"
        token = migrate_and_load(url, instance, arguments.vendors)
        with psycopg.connect(url, autocommit=True) as connection:  # not autovacuum mid-measurement
            connection.execute("VACUUM ANALYZE")
        script = Path(folder) / "report.lua"
        script.write_text(WRK_SCRIPT)
        with gunicorn(url, instance, Path(folder) / "gunicorn.log", arguments.recycle) as server:
            check_scores(server.base, token, arguments.vendors)
            measured = measure(server, script, token, arguments)
    report(measured, arguments.connections)


if __name__ == "__main__":
    main()
