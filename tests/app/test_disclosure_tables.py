"""Import and export of the flat disclosure table: all or nothing, round trips, escaping."""

import io

import pandas as pd
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.disclosures.models import Disclosure
from procure.disclosures.tables import FLAT_COLUMNS
from procure.extensions import db
from tests.conftest import valid_document


def _submitted(client, headers, vendor, document=None):
    created = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": vendor.id, **(document or valid_document())},
    )
    client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    return created.json["id"]


def _import(client, headers, content: bytes, name: str):
    return client.post(
        "/api/v1/disclosures/import",
        headers=headers,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_export_has_the_contract_columns_and_hand_checked_values(
    client, make_vendor, make_user, bearer
):
    vendor, user = make_vendor()
    first = _submitted(client, bearer(user), vendor)
    amended = client.post(f"/api/v1/disclosures/{first}/amend", headers=bearer(user))
    assert amended.status_code == 201, amended.json
    submitted = client.post(
        f"/api/v1/disclosures/{amended.json['id']}/submit", headers=bearer(user)
    )
    assert submitted.status_code == 200, submitted.json
    response = client.get(
        "/api/v1/disclosures/export?format=csv&latest_period=true",
        headers=bearer(make_user("buyer")),
    )
    assert response.status_code == 200
    frame = pd.read_csv(io.BytesIO(response.data))
    assert list(frame.columns) == FLAT_COLUMNS
    [row] = [row for _, row in frame.iterrows()]
    # the row names its source: the amendment, version 2 of the period
    assert (row["disclosure_id"], row["disclosure_version"]) == (amended.json["id"], 2)
    assert row["vendor_id"] == vendor.id and row["category"] == "data_annotation"
    assert row["price"] == 8.0 and row["quality"] == 0.95
    assert row["impact_workers_end"] == 55 and row["pay_period"] == "month"
    # a buyer's export carries the level that scores for it, not the claim: the workforce
    # section claims self_reported_documented with no file attached, so self_reported
    assert row["entry_level_wage"] == 32000.0 and row["evidence_workforce"] == "self_reported"
    # KES 1,500,000 at the config/fx.toml rate dated on or before 2025-12-31
    from procure.reference import reference

    expected = round(
        1_500_000
        * reference().fx.rate_on("KES", pd.Timestamp("2025-12-31").date())[0].usd_per_unit,
        2,
    )
    assert row["training_spend_usd"] == expected


def test_csv_and_xlsx_round_trip(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    _submitted(client, headers, vendor)
    for fmt in ("csv", "xlsx"):
        first = client.get(f"/api/v1/disclosures/export?format={fmt}", headers=headers).data
        result = _import(client, headers, first, f"disclosures.{fmt}")
        assert result.status_code == 200, result.json
        assert result.json == {"imported": 0, "unchanged": 1, "disclosure_ids": []}
        second = client.get(f"/api/v1/disclosures/export?format={fmt}", headers=headers).data
        if fmt == "csv":
            assert second == first
        else:
            assert pd.read_excel(io.BytesIO(second)).equals(pd.read_excel(io.BytesIO(first)))


def test_import_changes_become_a_draft_amendment_keeping_other_fields(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    first_id = _submitted(client, headers, vendor)
    frame = pd.read_csv(io.BytesIO(client.get("/api/v1/disclosures/export", headers=headers).data))
    frame.loc[0, "impact_workers_end"] = 50
    result = _import(client, headers, frame.to_csv(index=False).encode(), "changed.csv")
    assert result.status_code == 200 and result.json["imported"] == 1
    amendment = db.session.get(Disclosure, result.json["disclosure_ids"][0])
    assert (amendment.number, amendment.state) == (2, "draft")
    assert amendment.figures["workforce"]["impact_workers_end"] == 50
    assert amendment.figures["workforce"]["full_time_end"] == 100  # not in the table: kept
    assert (
        amendment.figures["wages"][0]["minimum_wage_source"]
        == "Kenya Regulation of Wages Order 2024"
    )
    assert db.session.get(Disclosure, first_id).figures["workforce"]["impact_workers_end"] == 55


def test_one_bad_row_imports_nothing_and_names_row_and_column(client, make_vendor, bearer):
    vendor, user = make_vendor()
    other_vendor, _ = make_vendor("Someone else")
    headers = bearer(user)
    rows = []
    for year in (2023, 2024):
        row = {c: "" for c in FLAT_COLUMNS}
        row.update(
            vendor_id=vendor.id,
            period_start=f"{year}-01-01",
            period_end=f"{year}-12-31",
            headcount_start=10,
            headcount_end=10,
            impact_workers_end=4,
            total_hires=2,
            impact_worker_hires=1,
            evidence_workforce="self_reported",
        )
        rows.append(row)
    rows[1]["impact_worker_hires"] = 5  # more than total hires
    bad_number = dict(
        rows[0], period_start="2022-01-01", period_end="2022-12-31", headcount_end="ten"
    )
    foreign = dict(rows[0], vendor_id=other_vendor.id)
    content = pd.DataFrame(rows + [bad_number, foreign]).to_csv(index=False).encode()
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = _import(client, headers, content, "batch.csv")
    assert response.status_code == 422
    assert response.json["errors"] == {
        "row 4": ["headcount_end: 'ten' is not a number."],
        "row 5": [f"vendor_id: no vendor '{other_vendor.id}' that you may import for."],
    }
    assert db.session.scalar(select(func.count()).select_from(Disclosure)) == 0
    content = pd.DataFrame(rows).to_csv(index=False).encode()
    response = _import(client, headers, content, "batch.csv")
    assert response.status_code == 422
    assert response.json["errors"] == {
        "row 3": [
            "workforce.impact_worker_hires: Impact workers hired (5) cannot exceed hires in the "
            "period (2)."
        ]
    }
    assert (
        db.session.scalar(select(func.count()).select_from(Disclosure)) == 0
    )  # row 2 was valid, yet not saved
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    rows[1]["impact_worker_hires"] = 1
    response = _import(
        client, headers, pd.DataFrame(rows).to_csv(index=False).encode(), "batch.csv"
    )
    assert response.status_code == 200 and response.json["imported"] == 2


def test_unreadable_files_and_missing_columns_are_named(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    assert (
        "Upload a .csv or .xlsx file."
        in _import(client, headers, b"x", "data.txt").json["errors"]["file"][0]
    )
    response = _import(client, headers, b"vendor_id,period_start\n1,2025-01-01\n", "short.csv")
    assert response.status_code == 422 and response.json["errors"]["file"][0].startswith(
        "Missing columns: period_end"
    )
    assert _import(client, bearer(vendor and user), b"", "empty.csv").status_code == 422


def test_export_escapes_formula_cells(client, make_vendor, bearer):
    from procure.spreadsheets import escape_cell, write_table

    assert escape_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert (
        escape_cell("@SUM(A1)") == "'@SUM(A1)"
        and escape_cell("+1") == "'+1"
        and escape_cell(-5) == -5
    )
    content = write_table([{"a": "=1+1", "b": "-2", "c": 3}], ["a", "b", "c"], "csv").decode()
    assert content.splitlines()[1] == "'=1+1,'-2,3"


def test_import_is_refused_to_buyers(client, make_user, bearer):
    assert _import(client, bearer(make_user("buyer")), b"a,b\n1,2\n", "x.csv").status_code == 403


def test_latest_period_export_is_a_valid_procure_score_input(
    client, make_vendor, make_user, bearer, tmp_path
):
    from click.testing import CliRunner

    from procure.cli import main

    vendor, user = make_vendor()
    headers = bearer(user)
    _submitted(client, headers, vendor, valid_document("2024-01-01", "2024-12-31"))
    _submitted(client, headers, vendor)
    other, other_user = make_vendor("Second vendor")
    _submitted(client, bearer(other_user), other)
    buyer = bearer(make_user("buyer"))
    everything = pd.read_csv(
        io.BytesIO(client.get("/api/v1/disclosures/export", headers=buyer).data)
    )
    assert len(everything) == 3
    latest = client.get("/api/v1/disclosures/export?latest_period=true", headers=buyer).data
    frame = pd.read_csv(io.BytesIO(latest))
    assert sorted(frame["vendor_id"]) == sorted([vendor.id, other.id])
    assert set(frame["period_end"]) == {"2025-12-31"}
    path = tmp_path / "vendors.csv"
    path.write_bytes(latest)
    result = CliRunner().invoke(main, ["score", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(io.StringIO(result.output))
    assert len(scores) == 2 and scores["total"].between(0, 100).all()


def test_a_bulk_import_checks_every_row_before_writing_and_audits_each_version(
    client, make_vendor, bearer
):
    """300 rows: a changed draft (updated in place), a changed submitted version with a file
    (amended: a new draft version keeping the file) and 298 new periods. A refused last row
    writes nothing; once fixed, each version gets the audit events of one edit at a time."""
    from datetime import date, timedelta

    from procure.disclosures.models import Evidence
    from tests.conftest import PDF

    vendor, user = make_vendor()
    headers = bearer(user)
    draft_id = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": vendor.id, **valid_document("2024-01-01", "2024-12-31")},
    ).json["id"]
    submitted = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **valid_document()}
    ).json["id"]
    uploaded = client.post(
        f"/api/v1/disclosures/{submitted}/evidence",
        headers=headers,
        data={
            "section": "wages",
            "level": "self_reported_documented",
            "file": (io.BytesIO(PDF), "payroll.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.json
    assert (
        client.post(f"/api/v1/disclosures/{submitted}/submit", headers=headers).status_code == 200
    )
    exported = pd.read_csv(
        io.BytesIO(client.get("/api/v1/disclosures/export", headers=headers).data)
    )
    assert list(exported["disclosure_id"]) == [draft_id, submitted]
    exported["training_hours_impact_workers"] = 2300.0  # was 2,400: both versions change
    new_rows = []
    for day in range(298):  # 2001 has no 29 February: each period ends a year less a day on
        start = date(2001, 1, 1) + timedelta(days=day)
        row = {c: None for c in FLAT_COLUMNS}
        row.update(
            vendor_id=vendor.id,
            period_start=start.isoformat(),
            period_end=(start.replace(year=2002) - timedelta(days=1)).isoformat(),
            headcount_start=10,
            headcount_end=10,
            total_hires=2,
            impact_worker_hires=1,
            evidence_workforce="self_reported",
        )
        new_rows.append(row)
    new_rows[-1]["impact_worker_hires"] = 5  # more than total hires: row 301 is refused
    table = pd.concat([exported, pd.DataFrame(new_rows)], ignore_index=True)

    def counts():
        return [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Disclosure, Evidence, AuditEvent)
        ]

    before = counts()
    draft_version = db.session.get(Disclosure, draft_id).edit_version
    response = _import(client, headers, table.to_csv(index=False).encode(), "bulk.csv")
    assert response.status_code == 422
    assert response.json["errors"] == {
        "row 301": [
            "workforce.impact_worker_hires: Impact workers hired (5) cannot exceed hires in the "
            "period (2)."
        ]
    }
    db.session.expire_all()
    assert counts() == before  # 299 good rows, none written, no event
    draft = db.session.get(Disclosure, draft_id)
    assert draft.edit_version == draft_version
    assert draft.figures["training"]["training_hours_impact_workers"] == 2400.0

    table.loc[len(table) - 1, "impact_worker_hires"] = 1
    response = _import(client, headers, table.to_csv(index=False).encode(), "bulk.csv")
    assert response.status_code == 200, response.json
    assert (response.json["imported"], response.json["unchanged"]) == (300, 0)
    ids = response.json["disclosure_ids"]  # in the file's order
    db.session.expire_all()
    draft = db.session.get(Disclosure, draft_id)
    assert ids[0] == draft_id and draft.edit_version == draft_version + 1
    assert draft.figures["training"]["training_hours_impact_workers"] == 2300.0
    amendment = db.session.get(Disclosure, ids[1])
    assert (amendment.number, amendment.state, amendment.edit_version) == (2, "draft", 2)
    assert amendment.figures["training"]["training_hours_impact_workers"] == 2300.0
    assert [(e.section, e.filename) for e in amendment.evidence] == [("wages", "payroll.pdf")]
    assert (
        db.session.get(Disclosure, submitted).figures["training"]["training_hours_impact_workers"]
        == 2400.0
    )
    created = [db.session.get(Disclosure, i) for i in ids[2:]]
    assert [(d.number, d.state, d.period_start) for d in created[:2]] == [
        (1, "draft", date(2001, 1, 1)),
        (1, "draft", date(2001, 1, 2)),
    ]
    assert counts() == [before[0] + 299, before[1] + 1, before[2] + 301]
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.target_id, AuditEvent.changes)
        .order_by(AuditEvent.id)
        .offset(before[2])
    ).all()
    assert events[:3] == [
        ("disclosure.update", str(draft_id), {"after": {"edit_version": draft_version + 1}}),
        ("disclosure.amend", str(ids[1]), {"after": {"number": 2, "amends": submitted}}),
        ("disclosure.update", str(ids[1]), {"after": {"edit_version": 2}}),
    ]
    assert events[3] == (
        "disclosure.create",
        str(ids[2]),
        {"after": {"period_start": "2001-01-01", "period_end": "2001-12-31", "number": 1}},
    )
    assert [target for _, target, _ in events[3:]] == [str(i) for i in ids[2:]]


def test_an_import_reads_only_the_newest_version_of_each_period(make_vendor):
    """Three versions of one period and one of another: the import's read (and the evidence it
    loads) is the newest of each, chosen in SQL (#23: it once read every version ever filed)."""
    from datetime import date

    from procure.disclosures.tables import newest_of_periods

    vendor, _ = make_vendor()
    other, _ = make_vendor(name="Other Works")
    rows = [(vendor.id, date(2025, 1, 1), date(2025, 12, 31), number) for number in (1, 2, 3)] + [
        (vendor.id, date(2024, 1, 1), date(2024, 12, 31), 1)
    ]
    rows.append((other.id, date(2025, 1, 1), date(2025, 12, 31), 1))  # not asked for
    for vendor_id, start, end, number in rows:
        db.session.add(
            Disclosure(
                vendor_id=vendor_id,
                period_start=start,
                period_end=end,
                number=number,
                state="submitted",
            )
        )
    db.session.flush()
    read = db.session.scalars(newest_of_periods({vendor.id})).all()
    assert sorted((d.period_start.year, d.number) for d in read) == [(2024, 1), (2025, 3)]
