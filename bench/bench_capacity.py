"""Benchmark: reading monthly capacity for many vendors (procure.vendors.capacity), as the
optimizer adapter does, against loading the vendors it reads, in the same run.

Builds a SQLite database of N vendors with two offers each; a third of the vendors have two
capacity changes and a third of the offers one cap change. Then times:
- load: select(Vendor).options(*capacity_loading()), every vendor, its changes, its offers and
  theirs (the statements are counted: one per relationship and 500 parents, selectinload's
  batch, never one per vendor);
- read: vendor_hours_by_month for every vendor and offer_units_by_month for every offer, over
  36 months.
The ratio read / load is the figure to watch: reading must stay a small part of loading.

Run from the repository root:  python bench/bench_capacity.py [--vendors N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert, select  # noqa: E402

from procure import create_app  # noqa: E402
from procure.extensions import db  # noqa: E402


def build(vendors: int) -> None:
    from procure.accounts.models import Organization
    from procure.db import utcnow
    from procure.vendors.models import Offer, OfferCapacityChange, Vendor, VendorCapacityChange

    now = utcnow()
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    db.session.execute(
        insert(Organization),
        [
            {"id": n + 1, "name": f"Vendor {n}", "name_key": f"vendor {n}", "kind": "vendor"}
            | {"created_at": now, "updated_at": now}
            for n in range(vendors)
        ],
    )
    db.session.execute(
        insert(Vendor),
        [
            {
                "id": n + 1,
                "organization_id": n + 1,
                "name": f"Vendor {n}",
                "country": "KE",
                "description": "",
                "service_categories": ["data_annotation"],
                "sites": [],
                "capacity_hours_per_month": None if n % 5 == 0 else 8_800.0 + n,
            }
            | stamps
            for n in range(vendors)
        ],
    )
    db.session.execute(
        insert(VendorCapacityChange),
        [
            {"vendor_id": n + 1, "from_month": month, "hours_per_month": hours + n}
            for n in range(0, vendors, 3)
            for month, hours in ((date(2026, 7, 1), 20_000.0), (date(2027, 1, 1), 40_000.0))
        ],
    )
    offers = [
        {
            "id": 2 * n + k + 1,
            "vendor_id": n + 1,
            "service_category": "data_annotation" if k == 0 else "digitisation_data_entry",
            "unit": "hour" if k == 0 else "item",
            "price": 8 if k == 0 else 0.05,
            "currency": "USD",
            "hours_per_unit": 1.0 if k == 0 else 0.03,
            "capacity_per_period": None if k == 0 else 100_000.0,
            "quality": 0.95,
            "active": True,
        }
        | stamps
        for n in range(vendors)
        for k in (0, 1)
    ]
    db.session.execute(insert(Offer), offers)
    db.session.execute(
        insert(OfferCapacityChange),
        [
            {"offer_id": offer["id"], "from_month": date(2026, 9, 1), "units_per_month": 150_000.0}
            for offer in offers[::3]
        ],
    )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    from procure.vendors.capacity import (
        calendar_months,
        capacity_loading,
        offer_units_by_month,
        vendor_hours_by_month,
    )
    from procure.vendors.models import Vendor

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"database_url": f"sqlite:///{folder}/bench.sqlite3", "secret_key": "bench"},
            instance_path=folder,
        )
        with app.app_context():
            upgrade()
            build(options.vendors)
            months = calendar_months(date(2026, 1, 1), date(2028, 12, 31))
            statements: list[str] = []
            event.listen(
                db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
            )
            loads, reads = [], []
            for _ in range(options.repeat):
                db.session.expunge_all()
                statements.clear()
                start = time.perf_counter()
                vendors = db.session.scalars(select(Vendor).options(*capacity_loading())).all()
                loads.append(time.perf_counter() - start)
                loaded = len(statements)
                start = time.perf_counter()
                hours = [vendor_hours_by_month(vendor, months) for vendor in vendors]
                units = [
                    offer_units_by_month(offer, months)
                    for vendor in vendors
                    for offer in vendor.offers
                ]
                reads.append(time.perf_counter() - start)
                assert len(statements) == loaded, "a read function queried the database"
            load, read = statistics.median(loads), statistics.median(reads)
            print(
                f"{len(vendors):,} vendors, {len(units):,} offers, {len(months)} months: "
                f"{loaded} statements to load"
            )
            print(f"load  {load * 1000:8.1f} ms (median of {options.repeat})")
            print(f"read  {read * 1000:8.1f} ms ({len(hours) + len(units):,} series)")
            print(f"read / load = {read / load:.2f}")
            db.engine.dispose()


if __name__ == "__main__":
    main()
