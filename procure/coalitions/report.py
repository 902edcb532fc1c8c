"""The coalition report (PDF) for the members' boards: the charter, each joint target with its
projected and actual progress (the bar and the cumulative chart of the coalition's page), the
contributions, the vendors booked beyond capacity, the members and how the figures are made.

It carries what its reader sees on the coalition's page and nothing more (the same
`progress_view`, `vendor_load_view` and `visible_members`): aggregates only, a member named
only when it shares its contribution, the backbone's vendor load or a member's own flags.
Figures are printed by `in_measure` (`figure_text` for one that may be suppressed), as the page
prints them, so the two read the same: a suppressed figure reads "fewer than 3 members; not
shown" in both.

The context is a plain dict (no ORM objects); templates/reports/coalition.html lays it out with
the board report's stylesheet and fetcher (procure.reports.board_pdf), made by the job of
procure.coalitions.jobs."""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

from procure import charts
from procure.coalitions import services
from procure.coalitions.models import Coalition
from procure.states import TargetMeasure

TEMPLATE = "reports/coalition.html"


def in_measure(value: float | None, measure: str) -> str:
    """A figure as the page and the report print it: a share as a percentage, jobs with one
    decimal, hours as whole numbers."""
    if value is None:
        return "–"
    if measure == TargetMeasure.IMPACT_SPEND_SHARE:
        return f"{value:.1%}"
    if measure == TargetMeasure.IMPACT_WORKER_JOBS:
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def figure_text(row: dict, key: str, measure: str, reason: str | None) -> str:
    """`row[key]` in `measure`, or the words of its suppression when it is withheld."""
    if key in row.get("suppressed_figures", ()):
        return reason or "not shown"
    return in_measure(row[key], measure)


def share_text(share: float | None) -> str:
    """A share of a target, as the page prints it ("35 %")."""
    return "–" if share is None else f"{share * 100:.0f} %"


def progress_charts(progress: dict) -> dict[int, dict[str, Markup | None]]:
    """Per target, its bar (projected and actual against the target) and its cumulative chart
    over the target's months (None without a month)."""
    drawn = {}
    for target in progress["targets"]:
        measure = target["measure"]
        drawn[target["id"]] = {
            "bar": charts.target_bar(
                target["projected_share"],
                target["actual_share"],
                f"{target['label']}: projected {in_measure(target['projected'], measure)} of "
                f"{in_measure(target['value'], measure)}",
            ),
            "chart": charts.cumulative_chart(
                [row["month"] for row in target["months"]],
                [row["projected"] for row in target["months"]],
                [row["actual"] for row in target["months"]],
                target["value"],
                target["measure_words"],
                share=measure == TargetMeasure.IMPACT_SPEND_SHARE,
            ),
        }
    return drawn


def _data_uri(svg: str | None) -> str | None:
    """A drawn chart as a `data:` URI for the PDF; None where nothing was drawn."""
    return charts.svg_data_uri(svg) if svg else None


def _targets(progress: dict) -> list[dict[str, Any]]:
    drawn = progress_charts(progress)
    rows = []
    for target in progress["targets"]:
        measure = target["measure"]
        chart = drawn[target["id"]]["chart"]
        reason = target["suppressed_reason"]
        rows.append(
            {
                "label": target["label"],
                "measure": target["measure_words"],
                "value": in_measure(target["value"], measure),
                "period": f"{target['period_start']:%Y-%m-%d} to {target['period_end']:%Y-%m-%d}",
                "projected": figure_text(target, "projected", measure, reason),
                "projected_share": share_text(target["projected_share"]),
                "actual": figure_text(target, "actual", measure, reason),
                "actual_share": share_text(target["actual_share"]),
                "suppressed_reason": reason,
                "bar": _data_uri(drawn[target["id"]]["bar"]),
                "chart": _data_uri(chart),
                "contributions": [
                    {
                        "member": row["member"],
                        "members": row["members"],
                        "projected": figure_text(row, "projected", measure, reason),
                        "actual": figure_text(row, "actual", measure, reason),
                    }
                    for row in target["contributions"]
                ],
                "folded_reason": target["folded_reason"],
            }
        )
    return rows


def _over_capacity(load: dict, backbone: bool) -> list[dict[str, Any]]:
    """The vendors booked beyond capacity: for the backbone with the members relying on each
    and the months over (hours booked against capacity); for a member its own flagged vendors
    with the months and the load, as its page shows them."""
    if backbone:
        return [
            {
                "vendor": vendor["vendor"],
                "members": vendor["members"],
                "months": [
                    {
                        "month": f"{month['month']:%Y-%m}",
                        "booked": month["suppressed_reason"] or f"{month['booked_hours']:,.0f}",
                        "capacity": f"{month['capacity']:,.0f}",
                        "load": month["suppressed_reason"] or share_text(month["load_ratio"]),
                    }
                    for month in vendor["months"]
                    if month["over"]
                ],
            }
            for vendor in load["vendors"]
            if vendor["over"]
        ]
    return [
        {
            "vendor": flag["vendor"],
            "members": None,
            "months": [
                {
                    "month": f"{month['month']:%Y-%m}",
                    "booked": f"{month['own_hours']:,.0f}",
                    "capacity": None,
                    "load": month["suppressed_reason"] or share_text(month["load_ratio"]),
                }
                for month in flag["months"]
            ],
        }
        for flag in load["flags"]
    ]


def report_context(coalition: Coalition, seen_by: services.Reader, made_for: str) -> dict:
    """What the report shows to `seen_by` (the backbone or an active member; `made_for` names
    its organization), as plain data."""
    loaded = services.figures(coalition)
    progress = services.progress_view(coalition, seen_by, loaded)
    load = services.vendor_load_view(coalition, seen_by, loaded)
    members = services.visible_members(coalition, seen_by)
    return {
        "coalition": {
            "name": coalition.name,
            "backbone": coalition.organization.name,
            "period": f"{coalition.period_start:%Y-%m-%d} to {coalition.period_end:%Y-%m-%d}",
            "charter": coalition.charter,
            "theory_of_change": coalition.theory_of_change,
            "impact_vendor_min_score": f"{coalition.impact_vendor_min_score:.0f}",
        },
        "made_for": made_for,
        "backbone": seen_by.backbone,
        "generated_at": f"{date.today():%Y-%m-%d}",
        "active_members": progress["members"],
        "min_cell_members": progress["min_cell_members"],
        "actual_status": progress["actual_status"],
        "targets": _targets(progress),
        "over_capacity": _over_capacity(load, seen_by.backbone),
        "members": [
            {
                "name": member.organization.name,
                "state": member.state if seen_by.backbone else None,
                "shares": member.shares_contribution,
            }
            for member in members
        ],
    }


def render_pdf(context: dict) -> bytes:
    """The report as PDF bytes (A4)."""
    # here: the board report's module imports weasyprint, slow to import; only the job needs it
    from procure.reports.board_pdf import html_to_pdf, render_report_html

    return html_to_pdf(render_report_html(TEMPLATE, context))
