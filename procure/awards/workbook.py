"""An event's award as an XLSX workbook to send out: one sheet per vendor awarded volume, named
after the vendor, with its lines (need, volume, unit, price as it bid it, currency, period and
the line's total at that price) and a total per currency. Nothing of the buyer's plan (no US
dollar cost, no other vendor's figure) is on a vendor's sheet, so each sheet can be sent as is.
A last sheet, for the buyer alone, lists every vendor the event invited: whether it bid, on how
many lots, and on how many it was awarded volume (0 for those that won nothing).
For the buyer side only: `procure.awards.routes` refuses the vendors."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from procure.awards.models import AwardLine
from procure.awards.services import InvitedStanding, total_by_currency
from procure.reports.xlsx_pack import write_sheet_table

AWARD_COLUMNS = [
    ("Need", None),
    ("Volume", "number"),
    ("Unit", None),
    ("Price per unit", "ratio4"),
    ("Currency", None),
    ("Period", None),
    ("Total", "signed"),
]
INVITED_SHEET = "Invited vendors"
INVITED_COLUMNS = [
    ("Vendor", None),
    ("Bid", None),
    ("Lots bid on", "number"),
    ("Lots awarded", "number"),
]
# characters a sheet's name cannot hold, and its longest name
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31


def _sheet_name(vendor_name: str, taken: set[str]) -> str:
    """The vendor's name as a sheet's name: without the characters a sheet name cannot hold, at
    most 31 characters, and unique in the workbook (a number added where two vendors would
    share one)."""
    base = _NOT_IN_SHEET_NAME.sub(" ", vendor_name).strip().strip("'") or "Vendor"
    name, number = base[:MAX_SHEET_NAME], 1
    while name.lower() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _vendor_rows(lines: Sequence[AwardLine]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            line.lot.title,
            line.shown_volume,
            line.unit,
            float(line.price),
            line.currency,
            f"{line.period_start.isoformat()} to {line.period_end.isoformat()}",
            float(line.amount),
        ]
        for line in lines
    ]
    rows += [
        ["Total", None, None, None, currency, None, float(total)]
        for currency, total in total_by_currency(lines).items()
    ]
    return rows


def _invited_rows(invited: Sequence[InvitedStanding]) -> list[list[Any]]:
    return [
        [row.name, "yes" if row.lots_bid else "no", row.lots_bid, row.lots_awarded]
        for row in invited
    ]


def award_workbook(
    title: str, lines: Sequence[AwardLine], invited: Sequence[InvitedStanding] = ()
) -> bytes:
    """The award's `lines` (every vendor's) as XLSX bytes: one sheet per vendor, by name, then
    the sheet of every vendor `invited` (awards.services.invited_standings)."""
    from openpyxl import Workbook

    by_vendor: dict[int, list[AwardLine]] = {}
    for line in lines:
        by_vendor.setdefault(line.vendor_id, []).append(line)
    workbook = Workbook()
    workbook.properties.creator = "impact-procure"
    workbook.properties.title = title[:200]
    taken: set[str] = {INVITED_SHEET.lower()}
    ordered = sorted(by_vendor.values(), key=lambda own: (own[0].vendor.name_key, own[0].vendor_id))
    for index, own in enumerate(ordered):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = _sheet_name(own[0].vendor.name, taken)
        write_sheet_table(sheet, AWARD_COLUMNS, _vendor_rows(own))
    sheet = workbook.create_sheet() if ordered else workbook.active
    assert sheet is not None
    sheet.title = INVITED_SHEET
    write_sheet_table(sheet, INVITED_COLUMNS, _invited_rows(invited))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
