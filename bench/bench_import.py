"""Benchmark: a disclosure import of N rows (an XLSX flat table) through the API, against
`pandas.read_excel` of the same file, in the same run.

Builds a new database (SQLite in a temporary instance folder, or `--database-url` for
PostgreSQL, whose tables it expects empty), one vendor organization with its vendor and user,
and an XLSX of N rows of the flat disclosure table (procure.disclosures.tables.FLAT_COLUMNS):
the test suite's valid document for N different periods of that vendor (the one vendor an
organization has). With `--existing F`, a share F of those periods already holds a submitted
version, so the import stages amendments for them. Then times:
- pandas: `pandas.read_excel` of the file's bytes (its default engine, every column);
- import: `POST /api/v1/disclosures/import` with the file, through the Flask test client
  in-process (reading, validation, writes and the commit; no network).
The ratio import / pandas is the figure to watch (issue 23: under 3x at 50,000 rows). Checks
that the database then holds the versions the import says it created.

Each of `--repeat` rounds reads the file with pandas, then imports it (and deletes what the
import wrote); the medians are compared, so that other load on the machine weighs on both.

Run from the repository root:  python bench/bench_import.py [--rows N] [--existing F]
[--repeat R] [--database-url URL] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402

from procure import create_app  # noqa: E402
from procure.extensions import db  # noqa: E402

# 9,000 start days from 2000-01-01, each with up to six ends a day apart (within the period
# length's tolerance): distinct periods, all of them twelve months long or nearly.
START_DAYS = 9_000
FIRST_START = dt.date(2000, 1, 1)


def periods(count: int) -> list[tuple[dt.date, dt.date]]:
    found = []
    for index in range(count):
        start = FIRST_START + dt.timedelta(days=index % START_DAYS)
        if start.month == 2 and start.day == 29:  # no 29 February a year on
            end = dt.date(start.year + 1, 2, 28)
        else:
            end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
        found.append((start, end + dt.timedelta(days=index // START_DAYS)))
    return found


def setup(rows: int, existing: float) -> tuple[str, int, bytes]:
    """The vendor's user's token, the vendor's id and the XLSX of `rows` rows; a share
    `existing` of the periods gets a submitted version first."""
    from procure.accounts.models import User
    from procure.accounts.services import create_organization, issue_token
    from procure.audit.services import SYSTEM
    from procure.disclosures.models import Disclosure
    from procure.disclosures.services import _checked, _split
    from procure.disclosures.tables import FLAT_COLUMNS, flat_row
    from procure.spreadsheets import write_table
    from procure.vendors.services import create_vendor
    from tests.conftest import valid_document

    organization = create_organization("Bench Vendor", "vendor", actor=SYSTEM)
    user = User(
        organization=organization,
        email="vendor@bench.example",
        name="Bench Vendor",
        role="vendor",
        password_hash="unused",
    )
    db.session.add(user)
    vendor = create_vendor(
        organization,
        {
            "name": "Bench Vendor",
            "country": "KE",
            "description": "",
            "service_categories": ["data_annotation"],
            "sites": [{"name": "Nairobi CBD", "city": "Nairobi", "country": "KE"}],
        },
        user,
    )
    db.session.flush()
    figures, warnings = _checked(valid_document(), for_submit=True)
    figures = _split(figures)[2]
    every = max(1, round(1 / existing)) if existing > 0 else 0
    table = []
    for index, (start, end) in enumerate(periods(rows)):
        disclosure = Disclosure(
            vendor_id=vendor.id,
            period_start=start,
            period_end=end,
            number=1,
            state="submitted",
            figures=figures,
            warnings=warnings,
            created_by_id=user.id,
        )
        row = flat_row(disclosure)
        # the file changes a figure, so a period with a submitted version gets an amendment
        row["training_hours_impact_workers"] = 2400.0 - 10 * (index % 6 + 1)
        table.append(row)
        if every and index % every == 0:
            db.session.add(disclosure)
    _, token = issue_token(user, "import benchmark")
    db.session.commit()
    return token, vendor.id, write_table(table, FLAT_COLUMNS, "xlsx")


def import_once(
    app, token: str, vendor_id: int, content: bytes, rows: int, profile: str | None
) -> float:
    """Seconds of one import of `content` through the API; checks the drafts it stored, then
    deletes them and their audit events so that the next repeat starts from the same data."""
    from procure.audit.models import AuditEvent
    from procure.disclosures.models import Disclosure

    last_event = db.session.scalar(select(func.max(AuditEvent.id)))
    db.session.remove()
    client = app.test_client()
    profiler = cProfile.Profile() if profile is not None else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    response = client.post(
        "/api/v1/disclosures/import",
        headers={"Authorization": f"Bearer {token}"},
        data={"file": (io.BytesIO(content), "disclosures.xlsx")},
        content_type="multipart/form-data",
    )
    if profiler is not None and profile is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        print(response.status_code, str(response.json)[:2000])
        raise SystemExit(1)
    imported = response.json["imported"]
    drafts = (Disclosure.vendor_id == vendor_id) & (Disclosure.state == "draft")
    stored = db.session.scalar(select(func.count()).select_from(Disclosure).where(drafts))
    assert stored == imported == rows, f"{rows:,} rows, {imported:,} imported, {stored:,} stored"
    db.session.execute(delete(Disclosure).where(drafts))
    db.session.execute(delete(AuditEvent).where(AuditEvent.id > last_event))
    db.session.commit()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--existing", type=float, default=0.0, help="share of periods with a submitted version"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="pandas then the import, this many times; medians"
    )
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--profile", help="write a cProfile of the (last) import to this file")
    arguments = parser.parse_args()

    from procure.disclosures.models import Disclosure

    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app({"database_url": url, "secret_key": "bench"}, instance_path=folder)
        with app.app_context():
            logging.disable(logging.INFO)  # the migrations' progress lines
            upgrade()
            logging.disable(logging.NOTSET)
            started = time.perf_counter()
            token, vendor_id, content = setup(arguments.rows, arguments.existing)
            before = db.session.scalar(select(func.count()).select_from(Disclosure))
            print(
                f"setup: {time.perf_counter() - started:.1f} s; XLSX of {arguments.rows:,} rows, "
                f"{len(content) / 1_048_576:.1f} MB; {before:,} submitted versions before"
            )
            pandas_times, import_times = [], []
            for _ in range(arguments.repeat):
                started = time.perf_counter()
                frame = pd.read_excel(io.BytesIO(content))
                pandas_times.append(time.perf_counter() - started)
                assert len(frame) == arguments.rows
                import_times.append(
                    import_once(app, token, vendor_id, content, arguments.rows, arguments.profile)
                )
                print(
                    f"  pandas {pandas_times[-1]:7.2f} s  import {import_times[-1]:7.2f} s  "
                    f"ratio {import_times[-1] / pandas_times[-1]:.2f}x"
                )
            db.engine.dispose()
    pandas_seconds = statistics.median(pandas_times)
    import_seconds = statistics.median(import_times)
    print(f"medians of {arguments.repeat}, {arguments.rows:,} rows, all imported and stored:")
    print(f"pandas.read_excel   {pandas_seconds:8.2f} s")
    print(f"import via the API  {import_seconds:8.2f} s")
    print(f"ratio import / pandas  {import_seconds / pandas_seconds:.2f}x")


if __name__ == "__main__":
    main()
