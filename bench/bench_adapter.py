"""Benchmark: the database adapter that feeds every score (procure.scoring.adapter.scoring_input),
against the scoring it feeds, in the same run.

Builds a SQLite database of N vendors with three submitted yearly disclosures each, a third of
them verified by one buyer organization, then times, as that buyer reads them:
- adapter: scoring_input(buyer) — the query of every submitted version, the organization's
  reviews, and the vendor table (what /scores, scorecards and the profile preview start with);
- scoring: scoring.score_table on the table the adapter made (default catalog and profile).
The ratio adapter / scoring is the figure to watch: the adapter should not cost many times the
scoring itself.

Run from the repository root:  python bench/bench_adapter.py [--vendors N] [--repeat R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from procure import create_app  # noqa: E402
from procure.extensions import db  # noqa: E402

YEARS = (2023, 2024, 2025)


def _document(year: int) -> dict:
    """A valid disclosure document for one year (the test suite's own example)."""
    from tests.conftest import valid_document

    return valid_document(f"{year}-01-01", f"{year}-12-31")


def build(vendors: int) -> int:
    """Fill the database; returns the reviewing buyer organization's id."""
    from procure.accounts.models import Organization
    from procure.disclosures.models import Disclosure, DisclosureReview
    from procure.disclosures.services import _checked, _split
    from procure.vendors.models import Offer, Vendor

    buyer = Organization(name="Reviewing buyer", kind="buyer")
    db.session.add(buyer)
    db.session.flush()
    figures = {}
    for year in YEARS:
        clean, warnings = _checked(_document(year), for_submit=True)
        figures[year] = (_split(clean)[2], warnings)
    for number in range(vendors):
        organization = Organization(name=f"Vendor {number}", kind="vendor")
        db.session.add(organization)
        db.session.flush()
        vendor = Vendor(
            organization_id=organization.id,
            name=organization.name,
            country="KE",
            description="",
            service_categories=["data_annotation"],
            sites=[],
        )
        db.session.add(vendor)
        db.session.flush()
        db.session.add(
            Offer(
                vendor_id=vendor.id,
                service_category="data_annotation",
                unit="hour",
                price=8 + number % 5,
                currency="USD",
                capacity_per_period=1000,
                quality=0.95,
            )
        )
        for year in YEARS:
            disclosure = Disclosure(
                vendor_id=vendor.id,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                number=1,
                state="submitted",
                figures=figures[year][0],
                warnings=figures[year][1],
            )
            db.session.add(disclosure)
            db.session.flush()
            if number % 3 == 0:
                db.session.add(
                    DisclosureReview(
                        disclosure_id=disclosure.id, organization_id=buyer.id, decision="verified"
                    )
                )
    db.session.commit()
    return buyer.id


@contextmanager
def scratch_database(vendors: int) -> Iterator[tuple[Flask, int]]:
    """The app on a new SQLite database filled by `build`, inside its app context: the app and
    the reviewing buyer organization's id."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"database_url": f"sqlite:///{folder}/bench.sqlite3", "secret_key": "bench"},
            instance_path=folder,
        )
        with app.app_context():
            upgrade()
            try:
                yield app, build(vendors)
            finally:
                db.engine.dispose()


def median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        db.session.expire_all()
        db.session.close()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()

    import scoring
    from procure.scoring.adapter import scoring_input
    from procure.scoring.services import catalog, default_profile

    with scratch_database(arguments.vendors) as (_app, buyer_id):
        table = scoring_input(buyer_id).table
        adapter = median_seconds(lambda: scoring_input(buyer_id), arguments.repeat)
        scored = median_seconds(
            lambda: scoring.score_table(table, catalog(), default_profile()), arguments.repeat
        )
    print(
        f"{arguments.vendors:,} vendors x {len(YEARS)} submitted versions, "
        "a third verified by the buyer; "
        f"median of {arguments.repeat}"
    )
    print(f"adapter (scoring_input)  {adapter:.3f} s")
    print(f"scoring (score_table)    {scored:.3f} s")
    print(f"ratio adapter / scoring  {adapter / scored:.2f}x")


if __name__ == "__main__":
    main()
