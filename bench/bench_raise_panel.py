"""Benchmark: the vendor's own scorecard page with the "raise your score" panel's rank per
reviewing buyer (procure.scoring.raising.with_buyer_ranks) against the same page without it
(the panel's own ranks only), in the same run, and the draft's score effect with its "before"
read from the current stored ranking against the same effect ranked live.

Builds the SQLite database of bench_adapter.py (N vendors, three submitted yearly disclosures
each, a third verified by one buyer organization), gives a reviewed vendor a user, and renders
its page in a request context, the two variants alternating call by call. The figures to watch:
the ratio with / without per-buyer ranks (their extra cost: one what-if per action and buyer,
the buyer's ranking being shared with "what each buyer sees"), and live / stored for the
draft's effect.

Run from the repository root:  python bench/bench_raise_panel.py [--vendors N] [--repeat R]
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
from sqlalchemy import select  # noqa: E402

from procure.extensions import db  # noqa: E402


def _vendor_user(vendor):
    from procure.accounts.models import User

    user = User(
        organization_id=vendor.organization_id,
        email="vendor@bench.example",
        name="Bench Vendor",
        role="vendor",
        password_hash="x",
        active=True,
    )
    db.session.add(user)
    db.session.commit()
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    from flask_login import login_user

    from procure.disclosures.models import Disclosure, DisclosureReview
    from procure.scoring import draft_effect, raising, rankings, views
    from procure.vendors.models import Vendor

    with scratch_database(arguments.vendors) as (app, _buyer_id):
        reviewed = db.session.scalar(
            select(Disclosure.vendor_id)
            .join(DisclosureReview)
            .order_by(Disclosure.vendor_id)
            .limit(1)
        )
        vendor = db.session.get(Vendor, reviewed)
        user = _vendor_user(vendor)
        real = raising.with_buyer_ranks
        variants = {"with": real, "without": lambda _vendor, actions, *rest: actions}
        times: dict[str, list[float]] = {name: [] for name in variants}
        with app.test_request_context("/scorecard"):
            login_user(user)
            views._render_scorecard(vendor)  # the first reader stores the ranking
            db.session.commit()
            for _ in range(arguments.repeat):
                for name, function in variants.items():
                    raising.with_buyer_ranks = function
                    started = time.perf_counter()
                    views._render_scorecard(vendor)
                    times[name].append(time.perf_counter() - started)
            raising.with_buyer_ranks = real
            latest = db.session.scalars(
                select(Disclosure)
                .where(Disclosure.vendor_id == vendor.id)
                .order_by(Disclosure.period_end.desc())
            ).first()
            real_card = draft_effect._stored_card
            effects = {"stored": real_card, "live": lambda *args: (None, None)}
            effect_times: dict[str, list[float]] = {name: [] for name in effects}
            answers = {}
            for _ in range(arguments.repeat):
                for name, function in effects.items():
                    draft_effect._stored_card = function
                    started = time.perf_counter()
                    answers[name] = draft_effect.draft_effect(latest, user)
                    effect_times[name].append(time.perf_counter() - started)
            draft_effect._stored_card = real_card
            assert answers["stored"] == answers["live"], answers
            assert rankings.newest(
                rankings.RankingKey(vendor.organization_id, None, "", rankings.TOP_K)
            )
        with_ranks, without = (statistics.median(times[n]) for n in ("with", "without"))
        stored, live = (statistics.median(effect_times[n]) for n in ("stored", "live"))
        print(f"vendors: {arguments.vendors}, repeat: {arguments.repeat}")
        print(f"own scorecard, per-buyer ranks:    {with_ranks * 1000:8.1f} ms")
        print(f"own scorecard, without them:       {without * 1000:8.1f} ms")
        print(f"ratio with / without:              {with_ranks / without:8.2f}")
        print(f"draft effect ({answers['stored']['kind']}), stored before: {stored * 1000:8.1f} ms")
        print(f"draft effect, ranked live:         {live * 1000:8.1f} ms")
        print(f"ratio live / stored:               {live / stored:8.2f}")


if __name__ == "__main__":
    main()
