"""Bid sheets: an event's lots as an XLSX workbook to fill in, and a filled one uploaded back.

The sheet has one row per lot (every invited vendor is invited to every lot) under one header
row: a hidden, locked `lot id` column that matches the row to its lot on upload, the lot's need,
unit, volume and period (locked), then the bid's figures to fill in (price, currency, hours per
unit, capacity, valid until, comment). The buyer side's sheet is always blank, so no bid leaves
through it; a vendor's sheet carries its own current bids and nobody else's.

An upload is all or nothing: the header must be the downloaded one, each row with figures must
name a lot of the event once, and its figures are read by the API's schema (BidCreateSchema)
and checked by the bid service's own rules (`services.bid_errors`). One bad cell and nothing is
saved; ValidationFailed keys each message `row N, column NAME` (N as a spreadsheet numbers it:
the header is row 1). Then each row places a bid or amends the vendor's current one through
`place_bid` and `amend_bid`, with their audit events. A row left without figures changes
nothing (its bid, if any, stays).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from procure.accounts.models import User
from procure.errors import ValidationFailed
from procure.events.models import Bid, EventLot, SourcingEvent
from procure.events.schemas import BidCreateSchema
from procure.events.services import (
    MAX_LOTS,
    amend_bid,
    bid_errors,
    bid_figures,
    check_open,
    place_bid,
    vendor_of,
)
from procure.extensions import db
from procure.forms import field_errors

SHEET_NAME = "Bids"
LOT_COLUMNS = ("lot id", "need", "unit", "volume", "period")
BID_COLUMNS = ("price", "currency", "hours per unit", "capacity", "valid until", "comment")
HEADER = LOT_COLUMNS + BID_COLUMNS
# the bid's fields as the API names them, by the sheet's column
FIELD_OF_COLUMN = {
    "lot id": "lot_id",
    "unit": "unit",
    "price": "price",
    "currency": "currency",
    "hours per unit": "hours_per_unit",
    "capacity": "capacity",
    "valid until": "valid_until",
    "comment": "comment",
}
COLUMN_OF_FIELD = {field: column for column, field in FIELD_OF_COLUMN.items()}
NUMBER_COLUMNS = ("price", "hours per unit", "capacity")
HOW_TO_FILL = (
    "Fill in one row per lot you bid on: price per unit, currency (an ISO code such as USD), "
    "hours per unit (the labour hours one unit takes; 1 for a lot bought per hour), capacity "
    "(the units you can deliver in the lot's period), valid until (YYYY-MM-DD, the deadline's "
    "day or later) and, if you like, a comment.",
    "Leave a row's figures empty to keep your current bid on that lot as it is (or not bid).",
    "Keep the header row and the lots as they are: a changed header or a lot that is not in the "
    "event refuses the whole sheet, and nothing is saved.",
    "Upload the sheet on the event's page before the deadline. You may upload it again to amend "
    "your bids until then.",
)
REFUSED = "Nothing was saved: fix the cells listed and upload the sheet again."


def _period(lot: EventLot) -> str:
    return f"{lot.period_start.isoformat()} to {lot.period_end.isoformat()}"


def _bid_cells(bid: Bid | None) -> dict[str, Any]:
    if bid is None:
        return {}
    return {
        "price": float(bid.price),
        "currency": bid.currency,
        "hours per unit": bid.hours_per_unit,
        "capacity": bid.capacity,
        "valid until": bid.valid_until.isoformat(),
        "comment": bid.comment,
    }


def bid_sheet(event: SourcingEvent, bids: Mapping[int, Bid]) -> bytes:
    """The event's bid sheet as XLSX bytes, with `bids` (by lot id) filled in: pass a vendor's
    own bids only, or none (the buyer side's blank sheet). The lot columns are locked and the
    lot id hidden; the figures' cells are open to fill in (the sheet is protected without a
    password: protection guards against slips, the upload's checks against the rest)."""
    # here: writing a workbook loads pandas and openpyxl, which the app's start otherwise skips
    from openpyxl import load_workbook
    from openpyxl.styles import Protection

    from procure.spreadsheets import write_table

    rows = [
        {
            "lot id": lot.id,
            "need": lot.title,
            "unit": lot.unit,
            "volume": lot.volume,
            "period": _period(lot),
            **_bid_cells(bids.get(lot.id)),
        }
        for lot in event.lots
    ]
    workbook = load_workbook(io.BytesIO(write_table(rows, list(HEADER), "xlsx", HOW_TO_FILL)))
    sheet = workbook.worksheets[0]
    sheet.title = SHEET_NAME
    sheet.column_dimensions["A"].hidden = True
    widths = {"B": 36, "E": 26, "K": 40}  # need, period, comment
    for column in "CDFGHIJ":
        sheet.column_dimensions[column].width = 15
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    first_bid_column = len(LOT_COLUMNS) + 1
    for row in sheet.iter_rows(min_row=2, min_col=first_bid_column, max_col=len(HEADER)):
        for cell in row:
            cell.protection = Protection(locked=False)
    sheet.protection.sheet = True
    sheet.freeze_panes = "B2"
    workbook.worksheets[1].title = "How to fill"
    workbook.worksheets[1].column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_for(event: SourcingEvent, user: User, buyer_side: bool) -> bytes:
    """The sheet `user` downloads: blank for the buyer side, its vendor's own bids filled in for
    a vendor."""
    if buyer_side:
        return bid_sheet(event, {})
    vendor = vendor_of(user)
    mine = (
        db.session.scalars(
            select(Bid).where(Bid.event_id == event.id, Bid.vendor_id == vendor.id)
        ).all()
        if vendor is not None
        else []
    )
    return bid_sheet(event, {bid.lot_id: bid for bid in mine})


# ---------------------------------------------------------------- upload


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _header_problems(columns: list[str]) -> dict[str, list[str]]:
    """What differs from the downloaded header, by column (row 1)."""
    problems: dict[str, list[str]] = {}
    for index in range(max(len(columns), len(HEADER))):
        expected = HEADER[index] if index < len(HEADER) else None
        found = columns[index] if index < len(columns) else None
        if found is not None and found.startswith("Unnamed: "):
            found = ""  # pandas' name for a blank header cell
        if found is not None and expected is not None and found.lower() == expected:
            continue
        letter = _column_letter(index)
        if expected is None:
            problems[f"row 1, column {letter}"] = [
                f"{found!r} is not a column of the bid sheet: remove column {letter}."
            ]
        elif found is None:
            problems[f"row 1, column {expected}"] = [
                f"The column {expected!r} is missing: download the sheet again."
            ]
        else:
            problems[f"row 1, column {expected}"] = [
                f"The header reads {found!r} in column {letter}, where the bid sheet has "
                f"{expected!r}: keep the header as downloaded."
            ]
    return problems


def _cell(column: str, value: Any, errors: dict[str, list[str]]) -> Any:
    """A cell as the schema reads it, or None with the error when it cannot be one."""
    if value is None:
        return None
    if column in NUMBER_COLUMNS or column == "lot id":
        if isinstance(value, str):
            try:
                value = float(value.replace(",", ""))
            except ValueError:
                errors[column] = [f"{value!r} is not a number: write a number above 0."]
                return None
        if column == "lot id":
            return int(value) if float(value).is_integer() else str(value)
        return value
    if column == "valid until" and isinstance(value, datetime | date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    return str(value)


def _plain(messages: list[str]) -> list[str]:
    return [
        "Empty: fill it in." if m == "Missing data for required field." else m for m in messages
    ]


@dataclass
class SheetRow:
    number: int
    lot: EventLot
    fields: dict[str, Any]


def read_bid_sheet(event: SourcingEvent, rows: list[dict[str, Any]], today: date) -> list[SheetRow]:
    """Every row of an uploaded sheet (`procure.spreadsheets.read_table`) with figures, read and
    checked as a bid on its lot, or ValidationFailed keyed `row N, column NAME` for every bad
    cell (nothing is read then)."""
    if not rows:
        raise ValidationFailed({"file": ["The sheet has no lots: download it again."]})
    problems = _header_problems(list(rows[0]))
    if problems:
        raise ValidationFailed(problems, REFUSED)
    lots = {lot.id: lot for lot in event.lots}
    schema = BidCreateSchema()
    first_row: dict[int, int] = {}
    read: list[SheetRow] = []
    for number, raw in enumerate(rows, start=2):
        row = dict(zip(HEADER, raw.values(), strict=True))
        if all(row[column] is None for column in BID_COLUMNS):
            continue  # no figures: this lot's bid (if any) stays as it is
        errors: dict[str, list[str]] = {}
        cells = {column: _cell(column, row[column], errors) for column in FIELD_OF_COLUMN}
        lot = lots.get(cells["lot id"]) if isinstance(cells["lot id"], int) else None
        if lot is None and "lot id" not in errors:
            named = f"lot {row['lot id']}" if row["lot id"] is not None else "lot id"
            errors["lot id"] = [f"No {named} in this event: copy the rows of a downloaded sheet."]
        elif lot is not None and lot.id in first_row:
            errors["lot id"] = [f"The lot {lot.title!r} is on row {first_row[lot.id]} already."]
        elif lot is not None:
            first_row[lot.id] = number
        body = {
            FIELD_OF_COLUMN[column]: value
            for column, value in cells.items()
            if value is not None and column not in errors
        }
        fields: dict[str, Any] | None = None
        try:
            fields = schema.load({**body, "lot_id": lot.id if lot else 1})
        except ValidationError as refused:
            for field, messages in field_errors(refused.messages).items():
                column = COLUMN_OF_FIELD.get(field, field)
                errors.setdefault(column, _plain(messages))
        if fields is not None and lot is not None:
            for field, messages in bid_errors(event, lot, fields, today).items():
                errors.setdefault(COLUMN_OF_FIELD.get(field, field), messages)
        for column, messages in errors.items():
            problems[f"row {number}, column {column}"] = messages
        if not errors and lot is not None and fields is not None:
            read.append(SheetRow(number, lot, fields))
    if problems:
        raise ValidationFailed(problems, REFUSED)
    return read


def upload_bid_sheet(
    event: SourcingEvent, user: User, rows: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """The user's vendor bids with a filled sheet, all or nothing: refused whole after the
    deadline (ConflictError) or for any bad cell (ValidationFailed by row and column). A lot
    without a bid gets one (`place_bid`); a bid whose figures changed is amended (`amend_bid`);
    equal figures change nothing. Returns how many bids were placed, amended and unchanged."""
    vendor = vendor_of(user)
    check_open(event, vendor, now)
    assert vendor is not None
    read = read_bid_sheet(event, rows, now.date())
    current = {
        bid.lot_id: bid
        for bid in db.session.scalars(
            select(Bid).where(Bid.event_id == event.id, Bid.vendor_id == vendor.id)
        )
    }
    counts = {"placed": 0, "amended": 0, "unchanged": 0}
    bid_ids = []
    for row in read:
        bid = current.get(row.lot.id)
        if bid is None:
            bid = place_bid(event, user, row.fields, now)
            counts["placed"] += 1
        elif all(getattr(bid, k) == v for k, v in bid_figures(row.lot, row.fields).items()):
            counts["unchanged"] += 1
        else:
            amend_bid(bid, user, row.fields, bid.version, now)
            counts["amended"] += 1
        bid_ids.append(bid.id)
    return {**counts, "bid_ids": bid_ids}


def read_upload(upload) -> list[dict[str, Any]]:
    """The rows of an uploaded bid sheet, or ValidationFailed naming `file`."""
    # here: reading a table loads pandas and openpyxl, which the app's start otherwise skips
    from procure import spreadsheets

    return spreadsheets.read_upload(
        upload,
        MAX_LOTS,
        missing="Choose the filled bid sheet (.xlsx).",
        not_xlsx="Upload the bid sheet as .xlsx, as downloaded.",
    )
