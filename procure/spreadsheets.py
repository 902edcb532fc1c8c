"""Reading and writing CSV and XLSX tables, with spreadsheet-formula escaping on export.

Uploaded tables are sized up before they are parsed, so a file that is small on the wire but
huge once read (a million short rows, a row of a million cells, a ZIP that unpacks to
gigabytes) is refused with the limit it breaks, in bounded memory and time.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any, cast

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMNS = 200  # the flat disclosure table has 27; 100,000 columns took pandas 11 s and 300 MB
# A 50,000-row flat table exported by this service unpacks to 56 MB of sheet XML.
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
# openpyxl holds a workbook's whole shared-text table in memory (5 million short texts, 13 MB
# zipped: 780 MB and 73 s); a flat table's texts (dates, categories, levels) repeat and are few.
MAX_XLSX_SHARED_TEXT_BYTES = 16 * 1024 * 1024
# a row or cell tag of a worksheet, with or without a namespace prefix (<row r="2">, <x:c r="B2">)
_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?(row|c)[\s/>]")
_TAG_OVERLAP = 64  # bytes kept between chunks, so a tag cut by a chunk boundary is seen whole
# one CSV field (quoted or not) and what ends it: a comma, a line end or the end of the file;
# possessive, so a quoted field of 19 MB is matched in constant memory (backtracking took 2 GB)
_CSV_FIELD = re.compile(rb'(?:"[^"]*+(?:""[^"]*+)*+"|[^,"\r\n]*+)(,|\r\n|\n|\r|$)')


class TableReadError(ValueError):
    """The upload is not a readable CSV or XLSX table."""


def escape_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    if value.startswith("'") and value[1:2] in FORMULA_PREFIXES and value[1:2]:
        return value[1:]
    return value


def write_table(
    rows: Iterable[dict[str, Any]], columns: list[str], fmt: str, notes: Sequence[str] = ()
) -> bytes:
    """The rows as CSV or XLSX. `notes` (sentences a reader needs, e.g. that figures overlap):
    in a CSV, rows of one quoted cell ("# ...") before the header; in an XLSX, a second sheet
    "Notes"."""
    frame = pd.DataFrame(
        [{c: escape_cell(row.get(c)) for c in columns} for row in rows], columns=columns
    )
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False)
            if notes:
                pd.DataFrame({"note": [escape_cell(n) for n in notes]}).to_excel(
                    writer, sheet_name="Notes", index=False
                )
        return buffer.getvalue()
    # each note one quoted cell: a comma in it would split it into two columns otherwise
    comments = io.StringIO()
    lines = csv.writer(comments, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for note in notes:
        lines.writerow([f"# {' '.join(note.split())}"])
    return (comments.getvalue() + frame.to_csv(index=False, lineterminator="\n")).encode("utf-8")


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = unescape_cell(value.strip())
        return value or None
    return value


def _refuse_wide_csv(content: bytes) -> None:
    """Refuse a CSV whose header row has more than MAX_COLUMNS cells, counting at most that many
    (a header of a million cells is not read whole)."""
    position = 0
    for _ in range(MAX_COLUMNS):
        field = _CSV_FIELD.match(content, position)
        if field is None or field.group(1) != b",":
            return  # the header ends (or is malformed, which pandas will say)
        position = field.end()
    raise TableReadError(
        f"The file has more than {MAX_COLUMNS} columns; a table here has at most {MAX_COLUMNS}."
    )


def _refuse_large_sheet(stream: IO[bytes], max_rows: int) -> None:
    """Count a worksheet's rows and the cells of each row from its XML, a chunk at a time (no
    parsing, constant memory); refuse past `max_rows` data rows or MAX_COLUMNS cells in a row."""
    rows = cells = 0
    pending = b""
    while True:
        chunk = stream.read(1 << 20)
        buffer = pending + chunk
        scan_end = len(buffer) - _TAG_OVERLAP if chunk else len(buffer)
        for match in _SHEET_TAG.finditer(buffer):
            if match.start() >= scan_end:
                break
            if match.group(1) == b"row":
                rows, cells = rows + 1, 0
                if rows > max_rows + 1:  # the header is a row too
                    raise TableReadError(
                        f"The file has more than {max_rows:,} rows; split it into smaller files."
                    )
            else:
                cells += 1
                if cells > MAX_COLUMNS:
                    raise TableReadError(
                        f"A row of the file has more than {MAX_COLUMNS} cells; a table here has "
                        f"at most {MAX_COLUMNS} columns."
                    )
        if not chunk:
            return
        pending = buffer[max(scan_end, 0) :]


def _first_worksheet(content: bytes) -> str | None:
    """The archive member of the worksheet that read_table reads (pandas' sheet 0): the first
    sheet the workbook lists that is a worksheet present in the file. Found by openpyxl's own
    reader (the workbook part and its relations only, no sheet), as load_workbook finds it, so
    the sheet sized up is the one read whatever its member is called."""
    # imported here: `procure score` uses this module's escape_cell and reads no workbook
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(io.BytesIO(content), read_only=True, keep_links=False)
    with reader.archive:
        reader.read_manifest()
        reader.read_workbook()
        for _, relation in reader.parser.find_sheets():
            if relation.target in reader.valid_files and "chartsheet" not in relation.Type:
                return relation.target
    return None


def _refuse_large_workbook(content: bytes, max_rows: int) -> None:
    """Size up an XLSX from its ZIP directory and the XML of the sheet that is read, before
    openpyxl reads it. Other sheets (a long lookup list beside a small table) are not read, so
    their rows do not count; they are bounded by the unpacked size like every member.

    The sizes the directory declares bound what unpacking produces (zipfile stops there, and a
    file that lies fails its checksum), so a ZIP bomb is refused before it is unpacked.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise TableReadError(
            "The file could not be read as a table: it is not an XLSX workbook."
        ) from None
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise TableReadError(
                f"The workbook unpacks to {unpacked / 1_048_576:,.0f} MB; the limit is "
                f"{MAX_XLSX_UNPACKED_BYTES / 1_048_576:.0f} MB. Save it as CSV or split it."
            )
        for member in members:
            name = member.filename.lower()
            if name.endswith("sharedstrings.xml") and member.file_size > MAX_XLSX_SHARED_TEXT_BYTES:
                raise TableReadError(
                    f"The workbook's text unpacks to {member.file_size / 1_048_576:,.0f} MB; the "
                    f"limit is {MAX_XLSX_SHARED_TEXT_BYTES / 1_048_576:.0f} MB. Save it as CSV."
                )
        sheet = _first_worksheet(content)
        if sheet is not None:  # a workbook without one is refused by pandas, with its reason
            with archive.open(sheet) as stream:
                _refuse_large_sheet(stream, max_rows)


def read_upload(
    upload: Any,
    max_rows: int,
    *,
    missing: str = "Choose a .csv or .xlsx file.",
    not_xlsx: str | None = None,
) -> list[dict[str, Any]]:
    """The rows of an uploaded table (a form's or request's file, `read_table`), or
    ValidationFailed naming `file`: `missing` when no file was chosen, `not_xlsx` for a file
    that is not .xlsx where only a workbook will do (None: CSV too), or what the reading
    refused."""
    # here: procure.errors loads Flask, which `procure score` reads its tables without
    from procure.errors import ValidationFailed

    if upload is None or not upload.filename:
        raise ValidationFailed({"file": [missing]})
    if not_xlsx is not None and not upload.filename.lower().endswith(".xlsx"):
        raise ValidationFailed({"file": [not_xlsx]})
    try:
        return read_table(upload.read(), upload.filename, max_rows)
    except TableReadError as unreadable:
        raise ValidationFailed({"file": [str(unreadable)]}) from None


def read_table(content: bytes, filename: str, max_rows: int) -> list[dict[str, Any]]:
    """Rows of an uploaded CSV or XLSX as dicts of raw cell values (None for empty).

    Raises TableReadError, saying which limit the file breaks, for more than `max_rows` data
    rows, more than MAX_COLUMNS columns, or a workbook that unpacks too large.
    """
    name = (filename or "").lower()
    try:
        if name.endswith(".xlsx"):
            _refuse_large_workbook(content, max_rows)
            frame = pd.read_excel(
                io.BytesIO(content), dtype=object, engine="openpyxl", nrows=max_rows + 1
            )
        elif name.endswith(".csv"):
            _refuse_wide_csv(content)
            frame = pd.read_csv(
                io.BytesIO(content),
                dtype=str,
                keep_default_na=False,
                nrows=max_rows + 1,
                encoding="utf-8-sig",
            )
        else:
            raise TableReadError("Upload a .csv or .xlsx file.")
    except TableReadError:
        raise
    except Exception as error:  # pandas raises many kinds for unreadable files
        raise TableReadError(f"The file could not be read as a table: {error}") from None
    if len(frame) > max_rows:
        raise TableReadError(
            f"The file has more than {max_rows:,} rows; split it into smaller files."
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    records = cast(list[dict[str, Any]], frame.to_dict("records"))  # the columns are str, above
    return [{k: _cell(v) for k, v in record.items()} for record in records]
