"""Benchmark: another tenant's page during a sign-in flood, against the same page at rest.

An outsider floods the token endpoint (POST /api/v1/auth/tokens) from one address with wrong
passwords for a known email, from several threads, while a buyer of another organization reads
its needs (GET /api/v1/needs with its bearer token). Every password check runs scrypt, so
without a limit the flood takes the server's CPU from everyone. The per-address limit
(`sign_in_per_address_per_minute`) answers 429 before any hashing.

Each run starts the app (SQLite, a fresh instance folder, werkzeug's threaded server, as the
embedded `procure demo` serves) in its own process, then measures in the same run:

  1. the buyer's page at rest;
  2. the same page during the flood, with the limit on (the default, 20 a minute);
  3. the same page during the flood, with the limit off (0), for comparison.

It prints p50/p95 latency of the page in each phase, the ratios against rest, how many flood
requests were answered and with which status, and how many passwords the server hashed.

Run from the repository root:  python bench/bench_signin_flood.py [--seconds S] [--threads T]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The server process: creates the schema, a victim user and a buyer with a need and a token,
# prints the token, then serves. It counts password checks in a file when it exits.
SERVER = r"""
import json, sys, threading
from werkzeug.serving import make_server
from flask_migrate import upgrade
from procure import create_app
from procure.accounts import services
from procure.audit.services import SYSTEM
from procure.extensions import db

port, limit = int(sys.argv[1]), int(sys.argv[2])
app = create_app({"sign_in_per_address_per_minute": limit, "login_max_failures": 1000000,
                  "lockout_failures": 0, "log_level": "ERROR"})
checks = {"n": 0}
original = services.check_password_hash
def counted(*args, **kwargs):
    checks["n"] += 1
    return original(*args, **kwargs)
services.check_password_hash = counted
with app.app_context():
    upgrade()
    victim_org = services.create_organization("Victim Buyers", "buyer", actor=SYSTEM)
    services.create_user(victim_org, "victim@victim.example", "Victim", "buyer",
                         "correct-horse-battery", actor=SYSTEM)
    other_org = services.create_organization("Other Buyers", "buyer", actor=SYSTEM)
    buyer = services.create_user(other_org, "buyer@other.example", "Other Buyer", "buyer",
                                 "correct-horse-battery", actor=SYSTEM)
    db.session.flush()
    _, token = services.issue_token(buyer, "bench")
    db.session.commit()
server = make_server("127.0.0.1", port, app, threaded=True)
print(json.dumps({"token": token}), flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()  # until the benchmark closes our stdin
print(json.dumps({"password_checks": checks["n"]}), flush=True)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url: str, *, token: str | None = None, body: dict | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, headers=headers), timeout=60
        ) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def page_latencies(base: str, token: str, seconds: float) -> list[float]:
    """The buyer's page, one request after the other, for `seconds`: each latency in ms."""
    latencies = []
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        started = time.perf_counter()
        status = request(f"{base}/api/v1/needs", token=token)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"the buyer's page answered {status}")
    return latencies


def flood(base: str, stop: threading.Event, statuses: Counter) -> None:
    body = {"email": "victim@victim.example", "password": "wrong-password-guess", "name": "x"}
    while not stop.is_set():
        statuses[request(f"{base}/api/v1/auth/tokens", body=body)] += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def phase(limit: int, seconds: float, threads: int, flooding: bool) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "PROCURE_INSTANCE_PATH": instance}
        env.pop("PROCURE_DATABASE_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port), str(limit)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None and server.stdin is not None
            token = json.loads(server.stdout.readline())["token"]
            base = f"http://127.0.0.1:{port}"
            page_latencies(base, token, 1.0)  # warm up
            statuses: Counter = Counter()
            stop = threading.Event()
            workers = [
                threading.Thread(target=flood, args=(base, stop, statuses), daemon=True)
                for _ in range(threads if flooding else 0)
            ]
            for worker in workers:
                worker.start()
            latencies = page_latencies(base, token, seconds)
            stop.set()
            for worker in workers:
                worker.join(timeout=60)
            server.stdin.close()
            checks = json.loads(server.stdout.readline())["password_checks"]
        finally:
            server.kill()
            server.wait()
    return {
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "requests": len(latencies),
        "flood": dict(statuses),
        "password_checks": checks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each phase")
    parser.add_argument("--threads", type=int, default=8, help="flooding threads")
    args = parser.parse_args()
    rest = phase(20, args.seconds, args.threads, flooding=False)
    limited = phase(20, args.seconds, args.threads, flooding=True)
    unlimited = phase(0, args.seconds, args.threads, flooding=True)
    print(
        f"another tenant's page (GET /api/v1/needs), {args.seconds:.0f} s per phase, "
        f"{args.threads} flooding threads from one address"
    )
    print(
        f"{'phase':<34} {'p50 ms':>8} {'p95 ms':>8} {'p95/rest':>9} {'pages':>6}  "
        "flood answers               password checks"
    )
    for name, result in (
        ("at rest", rest),
        ("flood, limit 20/min (default)", limited),
        ("flood, limit off", unlimited),
    ):
        answers = ", ".join(f"{code}: {count}" for code, count in sorted(result["flood"].items()))
        print(
            f"{name:<34} {result['p50']:8.1f} {result['p95']:8.1f} "
            f"{result['p95'] / rest['p95']:8.2f}x {result['requests']:6d}  "
            f"{answers or '-':<27} {result['password_checks']}"
        )


if __name__ == "__main__":
    main()
