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


def _approved_plan(buyer_id: int) -> None:
    """The reviewing buyer's approved plan, which it lets vendors see: one need of 100,000 hours
    over every vendor's offer (its price), impact scores spread from 30 to 79 by vendor, at an
    average impact of at least 55 (so a higher impact score moves hours)."""
    from datetime import UTC, datetime

    import optimizer
    from procure.accounts.models import Organization
    from procure.scenarios.models import Scenario
    from procure.scoring_defaults import default_profile
    from procure.vendors.models import Offer

    offers = db.session.scalars(select(Offer).order_by(Offer.vendor_id)).all()
    problem = {
        "needs": [{"id": "N1", "volume": 100000, "max_vendor_share": 0.2}],
        "vendors": [
            {"id": f"V{o.vendor_id}", "quality": 0.95, "impact_score": 30.0 + o.vendor_id % 50}
            for o in offers
        ],
        "offers": [
            {"vendor": f"V{o.vendor_id}", "need": "N1", "price": float(o.price)} for o in offers
        ],
        "targets": {"min_avg_impact": 55},
        "objective": "min_cost",
        "options": {"solver": "highs", "time_limit": 60},
    }
    result = optimizer.solve(problem)
    assert result["status"] == "optimal", result["status"]
    db.session.add(
        Scenario(
            organization_id=buyer_id,
            name="Bench plan",
            need_ids=[],
            status="approved",
            problem=problem,
            result=result,
            profile_settings=default_profile().to_dict(),
            decided_at=datetime.now(UTC),
        )
    )
    db.session.get(Organization, buyer_id).vendors_see_plan_share = True
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    from flask_login import login_user

    from procure.disclosures.models import Disclosure, DisclosureReview
    from procure.scenarios import plan_share
    from procure.scoring import draft_effect, raising, rankings, views
    from procure.vendors.models import Vendor

    with scratch_database(arguments.vendors) as (app, buyer_id):
        _approved_plan(buyer_id)
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
            # the extra work in the buyer's approved plan: a first visit (nothing kept, each
            # step's plan solved, at most MAX_WORK rankings, what-ifs and solves), a later one
            # (the answers kept, and the steps left over worked out), and none
            shares = plan_share.with_plan_shares
            work: dict[str, list[float]] = {"_plan_ranking": [], "what_if": [], "_solve_with": []}
            left_over: list[int] = []

            def timed(name, function):
                def run(*args, **kwargs):
                    started = time.perf_counter()
                    try:
                        return function(*args, **kwargs)
                    finally:
                        work[name].append(time.perf_counter() - started)

                return run

            def first_visit(*args):
                plan_share.clear_cache()
                owners = {"_plan_ranking": plan_share, "_solve_with": plan_share}
                owners["what_if"] = plan_share.services
                real_work = {name: getattr(owner, name) for name, owner in owners.items()}
                for name, owner in owners.items():
                    setattr(owner, name, timed(name, real_work[name]))
                try:
                    answer = shares(*args)
                finally:
                    for name, owner in owners.items():
                        setattr(owner, name, real_work[name])
                left_over.append(
                    sum(line["hours_after"] is None for a in answer for line in a["plans"])
                )
                return answer

            share_variants = {
                "first": first_visit,
                "kept": shares,
                "none": lambda _vendor_id, actions, _disclosure_id: [
                    a | {"plans": []} for a in actions
                ],
            }
            share_times: dict[str, list[float]] = {name: [] for name in share_variants}
            for _ in range(arguments.repeat):
                for name, function in share_variants.items():
                    plan_share.with_plan_shares = function
                    started = time.perf_counter()
                    page = views._render_scorecard(vendor)
                    share_times[name].append(time.perf_counter() - started)
                    if name == "kept":
                        assert "approved plan" in str(page), "the plan's line is missing"
            plan_share.with_plan_shares = shares
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
        first, kept, none = (statistics.median(share_times[n]) for n in ("first", "kept", "none"))
        print(f"own scorecard, plan shares, first: {first * 1000:8.1f} ms")
        print(f"own scorecard, plan shares, kept:  {kept * 1000:8.1f} ms")
        print(f"own scorecard, without plan shares:{none * 1000:8.1f} ms")
        print(f"ratio first visit / without:       {first / none:8.2f}")
        print(f"ratio later visit / without:       {kept / none:8.2f}")
        for name, label in (
            ("_plan_ranking", "plan rankings"),
            ("what_if", "what-ifs"),
            ("_solve_with", "solves"),
        ):
            each = work[name]
            print(
                f"first visit, {label + ':':14}{len(each) / arguments.repeat:5.1f} per page, "
                f"{statistics.median(each) * 1000 if each else 0.0:8.1f} ms each"
            )
        print(f"first visit, steps left over:     {statistics.median(left_over):5.1f}")
        print(f"draft effect ({answers['stored']['kind']}), stored before: {stored * 1000:8.1f} ms")
        print(f"draft effect, ranked live:         {live * 1000:8.1f} ms")
        print(f"ratio live / stored:               {live / stored:8.2f}")


if __name__ == "__main__":
    main()
