"""Benchmark: the buyer's pages and the ranked scores API under load, next to /healthz, on
gunicorn and PostgreSQL.

Creates a fresh PostgreSQL database, builds its schema with the migrations and loads 1,000
(`--vendors`, e.g. 10,000) scored vendors (each with its offers and a submitted disclosure,
figures drawn from the demo vendors' generators with a seed of their own) and one buyer with an
API token. It then starts
gunicorn with 2 workers (procure/gunicorn_conf.py, access log off) and, from a second process
on loopback, drives it with `wrk`:

  - GET /healthz (one `SELECT 1`: the cost of a request through the stack);
  - GET /api/v1/scores with the buyer's bearer token: one page (the default 100 rows), and the
    largest page (page_size=1000) (default query: every scored vendor ranked, with rank
    stability for the top 5);
  - the buyer's pages, signed in through the sign-in form (its CSRF token included) and sent
    with the session cookie: the `/scores` comparison (its first page), one vendor's scorecard
    page (`/vendors/<id>/scorecard`, the vendor ranked first) and the same scorecard through the
    API, and the review queue `GET /api/v1/disclosures?state=submitted` (one page);

in the same run, each after a short warm-up and once the workers are idle again (wrk leaves
requests in flight when its time is up). Each is first asked once and must answer 200 (the
first reader of a ranking computes and stores it; that time is printed). It prints requests/s
and p50/p95/p99 latency for each, the errors (non-2xx responses included), then a table of p50,
p95 and p95 / healthz p95 per request. The database is dropped at the end, also on failure
(kept with `--keep`, to profile against it; its URL and the buyer's credentials are printed).
wrk and gunicorn share the machine's cores, so the numbers are for comparison, not capacity.

Needs `wrk` (Debian: apt-get install wrk) and a PostgreSQL server whose user may create
databases. Run from the repository root:

    python bench/bench_load.py [--vendors N] [--duration S] [--connections C] [--threads T]
                               [--no-recycle] [--server URL] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORKERS = 2
SEED = 20251231
# the issue's goal for every page at 10,000 vendors (#23)
GOAL_P50_MS = 100
GOAL_P95_RATIO = 5

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


@dataclass(frozen=True)
class Buyer:
    """The benchmark's buyer: an API token, and the email and password it signs in with."""

    token: str
    email: str
    password: str


@contextmanager
def fresh_database(server: str, keep: bool = False) -> Iterator[str]:
    """A new, empty database on `server`; yields its URL and drops it afterwards (unless
    `keep`)."""
    name = f"procure_bench_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlunsplit(urlsplit(server)._replace(path="/" + name))
    try:
        yield url
    finally:
        if keep:
            print(f"database kept: {url}")
        else:
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@contextmanager
def bench_database(arguments: argparse.Namespace) -> Iterator[tuple[str, Path]]:
    """The database to measure (the `--reuse` one, else a fresh one, kept with `--keep`) and an
    instance folder for the app, removed at the end."""
    with (
        tempfile.TemporaryDirectory(prefix="procure-bench-") as folder,
        (
            nullcontext(arguments.reuse)
            if arguments.reuse
            else fresh_database(arguments.server, arguments.keep)
        ) as url,
    ):
        yield url, Path(folder) / "instance"


def migrate_and_load(url: str, instance: Path, vendors: int) -> Buyer:
    """Build the schema with the migrations, load the vendors and a buyer; return the buyer."""
    from flask_migrate import upgrade

    from procure import create_app
    from procure.extensions import db

    app = create_app({"database_url": url, "secret_key": "bench"}, instance_path=str(instance))
    with app.app_context():
        start = time.perf_counter()
        upgrade()
        print(f"migrations: {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        buyer = load_vendors_and_buyer(vendors)
        print(f"loading {vendors:,} vendors and a buyer: {time.perf_counter() - start:.1f} s")
        db.engine.dispose()
    return buyer


# vendors loaded through the services (one of each demo vendor) before the rest go in bulk
THROUGH_SERVICES = 50
BATCH = 500  # vendors per flush and commit in bulk


def reuse_buyer(url: str, instance: Path) -> Buyer:
    """The buyer of a database an earlier run kept (`--keep`), with a new password and token
    (the earlier ones are not stored in the clear)."""
    import secrets

    from sqlalchemy import select

    from procure import create_app
    from procure.accounts.models import User
    from procure.accounts.services import issue_token, reset_password
    from procure.audit.services import SYSTEM
    from procure.extensions import db

    app = create_app({"database_url": url, "secret_key": "bench"}, instance_path=str(instance))
    with app.app_context():
        email, password = "buyer@bench.example", secrets.token_urlsafe(16)
        buyer = db.session.scalar(select(User).where(User.email == email))
        if buyer is None:
            raise SystemExit(f"{url} holds no benchmark buyer ({email})")
        reset_password(buyer, password, actor=SYSTEM)
        _, token = issue_token(buyer, "load benchmark")
        db.session.commit()
        db.engine.dispose()
    return Buyer(token, email, password)


def load_vendors_and_buyer(count: int) -> Buyer:
    """`count` vendors, each a variant of a demo vendor (its own seed, so its own figures) with
    its offers and one submitted disclosure for 2025, and a buyer. The first THROUGH_SERVICES go
    through the services (validation and audit events included), one commit per vendor as if
    each submitted on its own. The rest go in bulk (`_bulk_vendors`): the same rows, checked by
    the same validation, inserted BATCH vendors at a time, without the audit events and the
    per-change re-scoring requests (about 30 queries a vendor through the services: 10,000 would
    take over ten minutes on a busy machine). Nothing is scored here: the first read of a
    ranking computes and stores it. Vendor users share one password hash: hashing 10,000
    passwords with scrypt would take minutes and is not measured."""
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
    bulk: list[tuple[Any, dict[str, Any], list[dict[str, Any]], dict[str, Any]]] = []
    for index in range(count):
        base = VENDORS[index % len(VENDORS)]
        spec = replace(
            base,
            name=f"{base.name} {index + 1:04d}",
            slug=f"{base.slug}-{index + 1:04d}",
            email=None,
        )
        profile = {
            "name": spec.name,
            "country": spec.country,
            "description": spec.description,
            "service_categories": [offer.category for offer in spec.offers],
            "sites": [
                {"name": site.name, "city": site.city, "country": WAGE_ZONES[site.zone].country}
                for site in spec.sites
            ],
        }
        offers = [
            {
                "service_category": offer.category,
                "unit": seed_service_categories()[offer.category].unit,
                "price": Decimal(offer.price) * Decimal(f"{rng.uniform(0.8, 1.2):.3f}"),
                "currency": offer.currency,
                "capacity_per_period": float(rng.randrange(2_000, 60_000, 500)),
                "hours_per_unit": offer.hours_per_unit,  # items and tasks only
                "quality": round(min(0.99, offer.quality + rng.uniform(-0.04, 0.03)), 3),
                "active": True,
            }
            for offer in spec.offers
        ]
        document = build_documents(spec, (2025,))[2025]
        if index >= THROUGH_SERVICES:
            bulk.append((spec, profile, offers, document))
            if len(bulk) == BATCH:
                _bulk_vendors(bulk, password_hash)
                bulk = []
            continue
        organization = create_organization(spec.name, "vendor", actor=SYSTEM)
        user = User(
            organization=organization,
            email=spec.user_email,
            name=spec.contact,
            role="vendor",
            password_hash=password_hash,
        )
        db.session.add(user)
        vendor = create_vendor(organization, profile, user)
        for fields in offers:
            create_offer(vendor, fields, user)
        disclosure = create_draft(vendor, document, user)
        submit(disclosure, user)
        db.session.commit()
    if bulk:
        _bulk_vendors(bulk, password_hash)
    buyers = create_organization("Bench Buyer Group", "buyer", actor=SYSTEM)
    email, password = "buyer@bench.example", secrets.token_urlsafe(16)
    buyer = create_user(buyers, email, "Bench Buyer", "buyer", password, actor=SYSTEM)
    db.session.flush()
    _, token = issue_token(buyer, "load benchmark")
    db.session.commit()
    return Buyer(token, email, password)


def _bulk_vendors(
    batch: list[tuple[Any, dict[str, Any], list[dict[str, Any]], dict[str, Any]]],
    password_hash: str,
) -> None:
    """Insert the vendors of `batch` (spec, profile, offers, 2025 document) as the services
    would, in two flushes and one commit: each organization, vendor user, vendor profile and
    offers, then each submitted disclosure with the figures and warnings `first_version` and
    `submit` check it into (draft checks, then the submit's)."""
    from procure.accounts.models import Organization, User
    from procure.db import utcnow
    from procure.disclosures.models import Disclosure
    from procure.disclosures.services import (
        _checked,
        document_of,
        first_version,
        unbacked_evidence_warnings,
    )
    from procure.extensions import db
    from procure.states import DisclosureState
    from procure.vendors.models import Offer, Vendor
    from procure.vendors.services import _offer_values

    loaded = []
    for spec, profile, offers, document in batch:
        organization = Organization(name=spec.name, kind="vendor")
        user = User(
            organization=organization,
            email=spec.user_email,
            name=spec.contact,
            role="vendor",
            password_hash=password_hash,
        )
        vendor = Vendor(organization=organization, **profile)
        db.session.add_all(
            [organization, user, vendor]
            + [Offer(vendor=vendor, **_offer_values(fields, None)) for fields in offers]
        )
        loaded.append((vendor, user, document))
    db.session.flush()
    for vendor, user, document in loaded:
        period_start, period_end, figures, _ = first_version(document)
        disclosure = Disclosure(
            vendor=vendor,
            period_start=period_start,
            period_end=period_end,
            number=1,
            state=DisclosureState.DRAFT,
            figures=figures,
            warnings=[],
            created_by_id=user.id,
        )
        _, warnings = _checked(document_of(disclosure), for_submit=True)
        disclosure.warnings = warnings + unbacked_evidence_warnings(disclosure)
        disclosure.state = DisclosureState.SUBMITTED
        disclosure.submitted_at = utcnow()
        disclosure.submitted_by_id = user.id
        db.session.add(disclosure)
    db.session.commit()


# ---- server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(
    url: str, token: str | None = None, headers: Iterable[str] = (), timeout: float = 60
) -> tuple[int, bytes]:
    """GET `url` with the bearer `token` or the `headers` ("Name: value", as wrk takes them)."""
    sent = dict(header.split(": ", 1) for header in headers)
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *arguments, **keywords):
        return None  # the redirect comes back as an HTTPError, its cookies readable


def _set_cookies(headers) -> dict[str, str]:
    return dict(
        header.split(";", 1)[0].split("=", 1) for header in headers.get_all("Set-Cookie") or []
    )


# Flask-Login's session protection ties a session to the browser's User-Agent (and address):
# the session is signed in and then used with this one
USER_AGENT = "procure-bench-load"


def sign_in(base: str, buyer: Buyer) -> list[str]:
    """The headers (`Cookie`, `User-Agent`) of a session of `buyer`, signed in through the
    sign-in form as a browser does: the form's page (its CSRF token and the session that token
    belongs to), then the form sent with both, answered by a redirect that sets the signed-in
    session."""
    opener = urllib.request.build_opener(_NoRedirect)
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(base + "/sign-in", timeout=60) as response:
        cookies = _set_cookies(response.headers)
        page = response.read().decode()
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found is None:
        raise SystemExit("the sign-in page has no csrf_token field")
    form = urlencode(
        {"csrf_token": found.group(1), "email": buyer.email, "password": buyer.password}
    ).encode()
    request = urllib.request.Request(
        base + "/sign-in",
        data=form,
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )
    try:
        with opener.open(request, timeout=60) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        status, headers = error.code, error.headers
    if status != 302:
        raise SystemExit(f"signing in through the form answered {status}, not a redirect (302)")
    cookies |= _set_cookies(headers)
    return [
        "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()),
        f"User-Agent: {USER_AGENT}",
    ]


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


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    headers: list[str]


def check_scores(base: str, token: str, expected: int) -> int:
    """The whole ranking in one request: it must succeed and hold every vendor (up to 1,000,
    the largest page). The first reader stores the ranking, so this request computes it.
    Returns the id of the vendor ranked first."""
    started = time.perf_counter()
    status, body = get(base + SCORES_WHOLE, token, timeout=600)
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
    return rows[0]["vendor_id"]


def endpoints(base: str, buyer: Buyer, vendor_id: int) -> list[Endpoint]:
    """What is measured: /healthz first (the baseline of the ratios), then the API with the
    bearer token and the pages with a session signed in through the form."""
    bearer = [f"Authorization: Bearer {buyer.token}"]
    session = sign_in(base, buyer)
    return [
        Endpoint("/healthz", "/healthz", []),
        Endpoint("API scores, one page", SCORES_PAGE, bearer),
        Endpoint("API scores, 1,000 rows", SCORES_WHOLE, bearer),
        Endpoint("/scores page", "/scores", session),
        Endpoint("scorecard page", f"/vendors/{vendor_id}/scorecard", session),
        Endpoint("API scorecard", f"/api/v1/vendors/{vendor_id}/scorecard", bearer),
        Endpoint("API review queue", "/api/v1/disclosures?state=submitted", bearer),
    ]


def check_endpoints(base: str, measured: list[Endpoint]) -> None:
    """Each request once, before any load: it must answer 200 (a page's first reader may store
    its ranking: that time is printed)."""
    for endpoint in measured:
        started = time.perf_counter()
        status, body = get(base + endpoint.path, headers=endpoint.headers, timeout=600)
        seconds = time.perf_counter() - started
        if status != 200:
            raise SystemExit(f"GET {endpoint.path} answered {status}: {body[:500]!r}")
        print(
            f"GET {endpoint.path}: {len(body) / 1e3:,.0f} kB, first request {seconds * 1e3:,.0f} ms"
        )


def measure(
    server: Server, script: Path, measured: list[Endpoint], arguments: argparse.Namespace
) -> list[tuple[LoadResult, int]]:
    """wrk on each endpoint in turn (/healthz first): (result, workers recycled meanwhile) for
    each."""
    print(
        f"wrk: {arguments.connections} connections, {arguments.threads} threads, "
        f"{arguments.warmup:g} s warm-up + {arguments.duration:g} s per endpoint"
    )
    results = []
    for endpoint in measured:
        options = dict(
            threads=arguments.threads,
            connections=arguments.connections,
            timeout=arguments.timeout,
            headers=endpoint.headers,
        )
        url = server.base + endpoint.path
        run_wrk(url, script, seconds=arguments.warmup, **options)
        wait_until_idle(server.pid)
        boots = server.worker_boots()
        result = LoadResult(
            endpoint.label, run_wrk(url, script, seconds=arguments.duration, **options)
        )
        results.append((result, server.worker_boots() - boots))
        wait_until_idle(server.pid)
    return results


def report(measured: list[tuple[LoadResult, int]], connections: int) -> None:
    print()
    print(
        f"{'endpoint':<24} {'requests':>9} {'req/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} "
        f"{'restarts':>9}  errors"
    )
    for result, restarts in measured:
        print(
            f"{result.endpoint:<24} {result.values['requests']:>9,} "
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
    print()
    print(
        f"{'request':<24} {'p50 ms':>9} {'p95 ms':>9} {'p95/healthz p95':>16}  "
        f"goal (p50 < {GOAL_P50_MS} ms, p95 <= {GOAL_P95_RATIO}x healthz)"
    )
    for result, _ in measured:
        ratio = result.ms(95) / health.ms(95)
        met = result.ms(50) < GOAL_P50_MS and ratio <= GOAL_P95_RATIO
        print(
            f"{result.endpoint:<24} {result.ms(50):>9.1f} {result.ms(95):>9.1f} {ratio:>15.1f}x  "
            f"{'met' if met else 'NOT met'}"
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
    parser.add_argument(
        "--vendors", type=int, default=1000, help="vendors loaded (default 1,000; e.g. 10000)"
    )
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="measure a database an earlier run kept (--keep) instead of loading a new one; "
        "--vendors must say how many it holds",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database afterwards (to profile against it); its URL is printed",
    )
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
    with bench_database(arguments) as (url, instance):
        if arguments.reuse:
            buyer = reuse_buyer(url, instance)
        else:
            buyer = migrate_and_load(url, instance, arguments.vendors)
        if arguments.keep or arguments.reuse:
            print(f"buyer: {buyer.email} / {buyer.password}, token {buyer.token}")
        with psycopg.connect(url, autocommit=True) as connection:  # not autovacuum mid-measurement
            connection.execute("VACUUM ANALYZE")
        script = instance.parent / "report.lua"
        script.write_text(WRK_SCRIPT)
        with gunicorn(url, instance, instance.parent / "gunicorn.log", arguments.recycle) as server:
            first = check_scores(server.base, buyer.token, arguments.vendors)
            measured = endpoints(server.base, buyer, first)
            check_endpoints(server.base, measured)
            results = measure(server, script, measured, arguments)
    report(results, arguments.connections)


if __name__ == "__main__":
    main()
