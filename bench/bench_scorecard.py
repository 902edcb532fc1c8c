"""Benchmark: a vendor's scorecard (`GET /api/v1/vendors/<id>/scorecard`) read from the stored
ranking (procure.scoring.rankings.scorecard_row) against the same request computed live as
before (every vendor's row ranked in the request), in the same run, with the SQL statements
each request sends.

Builds the SQLite database of bench_adapter.py (N vendors, three submitted yearly disclosures
each, a third verified by one buyer organization) and a buyer of that organization, then times
the scorecard of vendors spread over the ranking:
- live: the scorecard with no stored ranking (`scorecard_key` answering None: the table scored
  for the breakdown and peer percentiles, one ranking per earlier period for the trend);
- stored: the whole card read from the current stored ranking (its row and its stored card:
  breakdown lines, percentiles, trend, computed once with the ranking).
The two alternate request by request, and each pair is checked to show the same figures.
It also times the refresh job's work (`store_ranking`) for the scorecard's key, which stores
every vendor's card, against a key of another top k, which stores the ranking's rows only (the
refresh before cards were stored). The figures to watch are the ratio live / stored and the
refresh's cost of the cards.

Run from the repository root:  python bench/bench_scorecard.py [--vendors N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_adapter import scratch_database  # noqa: E402
from sqlalchemy import event  # noqa: E402

from procure.extensions import db  # noqa: E402

PASSWORD = "bench-password-long-enough"


def _buyer_headers(client, organization_id: int) -> dict[str, str]:
    from werkzeug.security import generate_password_hash

    from procure.accounts.models import User

    user = User(
        organization_id=organization_id,
        email="buyer@bench.example",
        name="Bench Buyer",
        role="buyer",
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        active=True,
    )
    db.session.add(user)
    db.session.commit()
    answer = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json['token']}"}


def _timed(client, headers, vendor_ids: list[int], repeat: int) -> dict[str, tuple[float, float]]:
    """Per path ("stored", "live"): the median seconds and SQL statements of one scorecard
    request. The two paths alternate request by request, so other load on the machine weighs
    on both alike."""
    from procure.scoring import rankings

    real_key = rankings.scorecard_key
    paths = {"stored": real_key, "live": lambda *args: None}  # live: no stored row, as before
    times: dict[str, list[float]] = {path: [] for path in paths}
    statements: dict[str, list[int]] = {path: [] for path in paths}
    counted: list[str] = []
    scores: dict[str, dict] = {}

    def count(*args) -> None:
        counted.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(repeat):
            for vendor_id in vendor_ids:
                for path, key in paths.items():
                    rankings.scorecard_key = key
                    counted.clear()
                    started = time.perf_counter()
                    answer = client.get(f"/api/v1/vendors/{vendor_id}/scorecard", headers=headers)
                    times[path].append(time.perf_counter() - started)
                    statements[path].append(len(counted))
                    assert answer.status_code == 200, answer.text
                    scores[path] = answer.json
                for name in ("total", "rank", "impact_score", "topsis_rank"):  # the same figures
                    assert scores["stored"]["score"][name] == scores["live"]["score"][name], name
                for part in ("explanation", "trend", "scored_figures", "offer"):
                    assert scores["stored"][part] == scores["live"][part], part
    finally:
        rankings.scorecard_key = real_key
        event.remove(db.engine, "before_cursor_execute", count)
    return {
        path: (statistics.median(times[path]), statistics.median(statements[path]))
        for path in paths
    }


def _refresh_seconds(organization_id: int, top_k: int) -> float:
    """The refresh job's work for one key: store its ranking (and, for the scorecard's top k,
    every vendor's card), committed."""
    from procure.scoring import rankings

    started = time.perf_counter()
    rankings.store_ranking(rankings.RankingKey(organization_id, None, "", top_k))
    db.session.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    from procure.vendors.models import Vendor

    with scratch_database(arguments.vendors) as (app, buyer_id):
        client = app.test_client()
        headers = _buyer_headers(client, buyer_id)
        ids = db.session.scalars(db.select(Vendor.id).order_by(Vendor.id)).all()
        sample = [ids[0], ids[len(ids) // 2], ids[-1]]  # spread over the ranking

        started = time.perf_counter()
        first = client.get(f"/api/v1/vendors/{sample[0]}/scorecard", headers=headers)
        storing = time.perf_counter() - started  # the first reader stores the ranking
        assert first.status_code == 200, first.text
        medians = _timed(client, headers, sample, arguments.repeat)
        from procure.scoring.rankings import TOP_K

        refreshes: dict[str, list[float]] = {"cards": [], "rows": []}
        for _ in range(arguments.repeat):  # alternating, as the requests
            refreshes["cards"].append(_refresh_seconds(buyer_id, TOP_K))
            refreshes["rows"].append(_refresh_seconds(buyer_id, TOP_K + 1))
        with_cards = statistics.median(refreshes["cards"])
        rows_only = statistics.median(refreshes["rows"])
        (stored, stored_sql), (live, live_sql) = medians["stored"], medians["live"]
    print(
        f"{arguments.vendors:,} vendors x 3 submitted versions, a third verified by the buyer; "
        f"GET /api/v1/vendors/<id>/scorecard of {len(sample)} vendors, median of "
        f"{len(sample) * arguments.repeat} requests"
    )
    print(f"first read (stores the ranking)  {storing:.3f} s")
    print(f"live   (every row ranked)        {live:.3f} s  {live_sql:.0f} SQL statements")
    print(f"stored (the vendor's card)       {stored:.3f} s  {stored_sql:.0f} SQL statements")
    print(f"ratio live / stored              {live / stored:.2f}x")
    print(f"refresh, ranking rows only       {rows_only:.3f} s  (as before cards; median)")
    ratio = with_cards / rows_only
    print(f"refresh, rows and every card     {with_cards:.3f} s  ({ratio:.2f}x; median)")


if __name__ == "__main__":
    main()
