"""Every chart of the app, drawn as SVG in this one module: the pages put the `<svg>` inline, the
board PDF embeds the same markup as an image (`svg_data_uri`).

No scripts, no external assets, no ids: a chart is safe to embed anywhere, and several on one
page cannot collide. The chart colours are defined here and nowhere else: the pages' legends
draw their swatches with `pillar_legend`, the report's weight bars read `PILLAR_COLOURS`.

Charts are sized in SVG user units for the report's text column (7 in = 504 pt, so one unit
prints as one point); pages scale them to their width (app.css). Text stays `<text>`, set in
DejaVu Sans, the report's font; its width is estimated from DejaVu Sans' advance widths, so
labels are cut and placed without measuring a font (pages may use a narrower one: the estimate
errs on the roomy side).

Output is deterministic, the same input giving the same bytes: numbers are printed with fixed
decimals, and nothing depends on time or on ids. User text (vendor and scenario names, metric
labels) is XML-escaped and freed of the control characters XML cannot carry.
"""

from __future__ import annotations

import base64
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from optimizer import Status
from procure.states import CampaignVendorState

# ---------------------------------------------------------------------------------------------
# Colours: the one definition.

IMPACT = "#0f766e"
COST = "#2563eb"
QUALITY = "#b45309"
KNOCK_OUT = "#b42318"
INK = "#1c2430"  # text
MUTED = "#5b6472"  # axes, secondary text
GRID = "#dde2e8"
TRACK = "#eef0f3"  # the part of a bar not earned
OTHERS = "#94a3b8"  # the bar that sums the vendors not named
PILLAR_COLOURS = {"impact": IMPACT, "cost": COST, "quality": QUALITY, "knock_out": KNOCK_OUT}
PILLARS = ("impact", "cost", "quality")
# A campaign's response bar: answered in strong colours, still awaited in pale ones.
CAMPAIGN_STATE_COLOURS = {
    CampaignVendorState.REVIEWED: IMPACT,
    CampaignVendorState.SUBMITTED: "#5eb3a9",
    CampaignVendorState.DRAFT_STARTED: "#f2c572",
    CampaignVendorState.REGISTERED: "#cbd2da",
    CampaignVendorState.INVITED: TRACK,
}

FONT_FAMILY = "DejaVu Sans, Helvetica Neue, Arial, sans-serif"
CHART_WIDTH = 504.0  # the report's text column: 210 mm − 2 × 16 mm margins ≈ 7 in = 504 pt
LABEL_CHARACTERS = 34  # a bar's label is cut after this many characters, whatever its width
TICK_STEPS = (1, 2, 5, 10)  # ticks at $6.5k, $7.0k, ... never $6.75k shown as "$6.8k"
TICK_SIZE, AXIS_LABEL_SIZE = 8.5, 9.0
MINUS = "−"

# DejaVu Sans advance widths of " " to "~", in thousandths of an em (the font's hmtx table).
_ADVANCES = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
    1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
    500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)  # fmt: skip
_BOLD = 1.1  # DejaVu Sans Bold is about a tenth wider
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_OTHERS_LABEL = re.compile(r"Others \(\d+ vendors\)")


# ---------------------------------------------------------------------------------------------
# Text


def clean_text(text: Any) -> str:
    """`text` as one line: runs of whitespace made one space, characters XML forbids dropped."""
    return " ".join(_NOT_IN_XML.sub("", str(text)).split())


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` set in DejaVu Sans at `size` (user units), estimated."""
    ems = 0.0
    for char in text:
        code = ord(char)
        if 32 <= code < 127:
            ems += _ADVANCES[code - 32] / 1000
        elif unicodedata.combining(char):
            continue
        else:
            ems += 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.7
    return ems * size * (_BOLD if bold else 1.0)


def fit_text(
    text: Any, size: float, width: float, bold: bool = False, limit: int | None = None
) -> str:
    """`text` cleaned, cut with "…" to at most `limit` characters and `width` user units."""
    text = clean_text(text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if text_width(text, size, bold) <= width:
        return text
    for end in range(len(text) - 1, 0, -1):
        cut = text[:end].rstrip() + "…"
        if text_width(cut, size, bold) <= width:
            return cut
    return "…"


def _number(value: float) -> str:
    """A coordinate as printed in the SVG: at most two decimals, no "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _element(tag: str, body: str = "", **attributes: Any) -> str:
    """One SVG element; `class_` is written `class`, `text_anchor` is `text-anchor`, None is left
    out. `body` must be markup already (escaped)."""
    parts = [tag]
    for name, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = _number(value)
        parts.append(f'{name.rstrip("_").replace("_", "-")}="{escape(value)}"')
    opening = " ".join(parts)
    return f"<{opening}>{body}</{tag}>" if body else f"<{opening}/>"


def _title(text: Any) -> str:
    """A tooltip on pages (and the accessible name of an element)."""
    return f"<title>{escape(clean_text(text))}</title>"


def _text(
    x: float,
    y: float,
    content: Any,
    size: float,
    fill: str = INK,
    anchor: str = "start",
    bold: bool = False,
    **attributes: Any,
) -> str:
    return _element(
        "text",
        str(escape(clean_text(content))),
        x=x,
        y=y,
        font_size=size,
        fill=fill,
        text_anchor=None if anchor == "start" else anchor,
        font_weight="bold" if bold else None,
        **attributes,
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, width: float) -> str:
    return _element("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=colour, stroke_width=width)


def _svg(width: float, height: float, label: str, body: str, class_: str = "chart") -> Markup:
    """The root element: a fixed size in user units (pages scale it by CSS), its label read out
    by screen readers."""
    return Markup(
        _element(
            "svg",
            _title(label) + body,
            xmlns="http://www.w3.org/2000/svg",
            class_=class_,
            role="img",
            aria_label=clean_text(label),
            width=width,
            height=height,
            viewBox=f"0 0 {_number(width)} {_number(height)}",
            font_family=FONT_FAMILY,
        )
    )


def svg_data_uri(svg: str) -> str:
    """A `data:` URI for a chart, for an `<img src>` (the board PDF embeds its charts so)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Numbers on axes


def nice_ticks(low: float, high: float, most: int) -> list[float]:
    """Tick values between `low` and `high`: multiples of 1, 2 or 5 × 10^k, at most `most` + 1."""
    if not high > low:
        return [low]
    raw = (high - low) / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in TICK_STEPS if s * magnitude >= raw * (1 - 1e-9))
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _decimals_for(step: float) -> int:
    """Decimals that tell ticks `step` apart."""
    return max(0, math.ceil(-math.log10(step) - 1e-9)) if step > 0 else 0


def money_label(value: float, step: float | None = None) -> str:
    """Dollars, short: "$285k", "$6.5k", "$1.25M", "$950"; with `step` (the distance between
    ticks) enough decimals that neighbouring ticks differ."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        divisor, suffix, decimals = 1_000_000, "M", 2
    elif magnitude >= 10_000:
        divisor, suffix, decimals = 1_000, "k", 0
    elif magnitude >= 1_000:
        divisor, suffix, decimals = 1_000, "k", 1
    else:
        divisor, suffix, decimals = 1, "", 0
    if step:
        decimals = max(decimals, _decimals_for(step / divisor))
    text = f"${magnitude / divisor:,.{decimals}f}{suffix}"
    return (MINUS if value < 0 and text.strip("$0.,kM") else "") + text


def number_label(value: float, step: float | None = None) -> str:
    """A plain number with thousands separators and as many decimals as `step` needs."""
    decimals = _decimals_for(step) if step else 0
    text = f"{abs(value):,.{decimals}f}"
    return (MINUS if value < 0 and text.strip("0.,") else "") + text


def _tick_labels(ticks: Sequence[float], format_value: Callable[..., str]) -> list[str]:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else None
    return [format_value(tick, step) for tick in ticks]


# ---------------------------------------------------------------------------------------------
# Data for the charts


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


FRONTIER_AXES = {
    "impact": (
        "avg_impact",
        "Average impact score of the allocation (0–100)",
        "Least cost at each average impact",
        "Average impact",
    ),
    "hours": (
        "impact_worker_hours",
        "Impact-worker hours of the allocation",
        "Least cost at each number of impact-worker hours",
        "Impact-worker hours",
    ),
}
"""A frontier's measure → (its points' key, the x-axis label, the legend, the point label)."""


def solved_points(
    points: Sequence[Mapping[str, Any]], measure: str = "impact"
) -> list[Mapping[str, Any]]:
    """Frontier points with status "optimal" (the default) and a number for the measure
    (average impact, or impact-worker hours) and cost, by the measure."""
    key = FRONTIER_AXES.get(measure, FRONTIER_AXES["impact"])[0]
    return sorted(
        (
            point
            for point in points
            if point.get("status", Status.OPTIMAL) == Status.OPTIMAL
            and _finite(point.get(key))
            and _finite(point.get("cost"))
        ),
        key=lambda point: point[key],
    )


def top_with_others(
    items: Iterable[tuple[str, float]], limit: int = 15, others_label: str = "Others"
) -> list[tuple[str, float]]:
    """The `limit` largest (label, value) pairs, largest first, and the rest summed as one line.

    "Others (n vendors)" names how many lines were folded in; nothing is folded when at most one
    line would be, because a bar for one vendor is clearer than an "Others" bar for it.
    """
    ranked = sorted(items, key=lambda item: (-item[1], item[0]))
    if len(ranked) <= limit + 1:
        return ranked
    rest = ranked[limit:]
    return ranked[:limit] + [
        (f"{others_label} ({len(rest)} vendors)", sum(value for _, value in rest))
    ]


# ---------------------------------------------------------------------------------------------
# Cost against impact (the scenario page and the board report)

_Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(box: _Box, other: _Box) -> bool:
    return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]


LEGEND_SIZE = 8.0


def _legend_size(
    entries: Sequence[tuple[str, str]], size: float = LEGEND_SIZE
) -> tuple[float, float]:
    """Width and height of a legend of these rows."""
    width = 22 + 6 + max(text_width(text, size) for _, text in entries) + 4
    return width, size * 1.6 * len(entries) + 4


def _legend(
    entries: Sequence[tuple[str, str]], x: float, y: float, size: float = LEGEND_SIZE
) -> str:
    """A legend of (marker kind, text) rows at (x, y), on white so grid lines stay behind it."""
    row, sample = size * 1.6, 22.0
    width, height = _legend_size(entries, size)
    parts = [_element("rect", x=x, y=y, width=width, height=height, fill="#ffffff")]
    for index, (kind, text) in enumerate(entries):
        middle = y + 2 + row * (index + 0.5)
        if kind == "frontier":
            parts.append(_line(x + 2, middle, x + sample - 2, middle, IMPACT, 2))
            parts.append(_element("circle", cx=x + sample / 2, cy=middle, r=2.4, fill=IMPACT))
        else:
            parts.append(_chosen_ring(x + sample / 2, middle, small=True))
        parts.append(_text(x + sample + 6, middle + size * 0.35, text, size))
    return "".join(parts)


def _chosen_ring(x: float, y: float, small: bool = False) -> str:
    radius = 4.6 if small else 6.1
    return _element(
        "circle", cx=x, cy=y, r=radius, fill="#ffffff", stroke=QUALITY, stroke_width=2.5
    ) + ("" if small else _element("circle", cx=x, cy=y, r=2.1, fill=QUALITY))


@dataclass
class _Frame:
    """Axes for cost (y, $) against a measure (x): the plot area, its scales, and the drawn grid
    and axes."""

    width: float
    height: float
    x0: float
    x1: float
    y0: float
    y1: float
    sx: Callable[[float], float]
    sy: Callable[[float], float]
    grid: list[str]
    axes: list[str]


def _cost_frame(
    all_x: Sequence[float],
    all_y: Sequence[float],
    axis_label: str,
    y_label: str = "Least total cost",
) -> _Frame:
    """The frame of a cost chart holding these points, with room under the lowest for a label."""
    width, height = CHART_WIDTH, 202.0
    low, high = min(all_y), max(all_y)
    pad = (high - low) * 0.12 or max(abs(high) * 0.02, 1.0)
    y_low, y_high = low - pad * 2, high + pad  # room under the lowest point for the label
    span_x = (max(all_x) - min(all_x)) or max(abs(max(all_x)) * 0.1, 1.0)
    x_low, x_high = min(all_x) - span_x * 0.04, max(all_x) + span_x * 0.04
    y_ticks, x_ticks = nice_ticks(y_low, y_high, 6), nice_ticks(x_low, x_high, 8)
    y_labels, x_labels = _tick_labels(y_ticks, money_label), _tick_labels(x_ticks, number_label)

    left = 4 + AXIS_LABEL_SIZE * 1.2 + 6 + max(text_width(t, TICK_SIZE) for t in y_labels) + 7
    right = 4 + text_width(x_labels[-1], TICK_SIZE) / 2
    bottom = 7 + TICK_SIZE * 1.2 + 5 + AXIS_LABEL_SIZE * 1.2 + 2
    x0, x1, y0, y1 = left, width - right, 8.0, height - bottom

    def sx(value: float) -> float:
        return x0 + (value - x_low) / (x_high - x_low) * (x1 - x0)

    def sy(value: float) -> float:
        return y1 - (value - y_low) / (y_high - y_low) * (y1 - y0)

    grid = [_line(x0, sy(tick), x1, sy(tick), GRID, 0.6) for tick in y_ticks]
    axes = [_line(x0, y1, x1, y1, MUTED, 0.8), _line(x0, y0, x0, y1, MUTED, 0.8)]
    for tick, label in zip(y_ticks, y_labels, strict=True):
        axes.append(_line(x0 - 3, sy(tick), x0, sy(tick), MUTED, 0.8))
        axes.append(_text(x0 - 6.5, sy(tick) + TICK_SIZE * 0.35, label, TICK_SIZE, anchor="end"))
    for tick, label in zip(x_ticks, x_labels, strict=True):
        axes.append(_line(sx(tick), y1, sx(tick), y1 + 3, MUTED, 0.8))
        axes.append(_text(sx(tick), y1 + 6.5 + TICK_SIZE * 0.8, label, TICK_SIZE, anchor="middle"))
    axes.append(_text((x0 + x1) / 2, height - 4, axis_label, AXIS_LABEL_SIZE, anchor="middle"))
    label_x, label_y = 4 + AXIS_LABEL_SIZE * 0.8, (y0 + y1) / 2
    axes.append(
        _text(
            label_x,
            label_y,
            y_label,
            AXIS_LABEL_SIZE,
            anchor="middle",
            transform=f"rotate(-90 {_number(label_x)} {_number(label_y)})",
        )
    )
    return _Frame(width, height, x0, x1, y0, y1, sx, sy, grid, axes)


def frontier_chart(
    points: Sequence[Mapping[str, Any]],
    chosen: Mapping[str, Any] | None = None,
    chosen_label: str = "This scenario",
    measure: str = "impact",
) -> Markup | None:
    """Least cost ($) against average impact (0–100 points), or against impact-worker hours
    for `measure` "hours", the chosen plan ringed and named `chosen_label`.

    Only points with status "optimal" (and numbers for both) are drawn; None when there is none.

    An award scenario with price adjustments (bid adjustments) minimises the adjusted cost, not
    the spend: its frontier is the least adjusted cost at each level, and the spend of those
    plans may even fall as the level rises. The chart then draws the adjusted cost, says so on
    its axis and legend, and rings the scenario at its adjusted cost.
    """
    key, axis_label, legend_text, point_label = FRONTIER_AXES.get(measure, FRONTIER_AXES["impact"])
    solved = solved_points(points, measure)
    if not solved:
        return None
    cost, y_label, cost_word = "cost", "Least total cost", "cost"
    if all(_finite(p.get("adjusted_cost")) for p in solved):
        cost, y_label = "adjusted_cost", "Least cost with price adjustments"
        cost_word = "cost with price adjustments"
        legend_text += ", with the price adjustments"
    if chosen and not (_finite(chosen.get(key)) and _finite(chosen.get(cost))):
        chosen = None
    all_x = [p[key] for p in solved] + ([chosen[key]] if chosen else [])
    all_y = [p[cost] for p in solved] + ([chosen[cost]] if chosen else [])
    frame = _cost_frame(all_x, all_y, axis_label, y_label)
    x0, x1, y0, y1, sx, sy = frame.x0, frame.x1, frame.y0, frame.y1, frame.sx, frame.sy
    width, height, grid, axes = frame.width, frame.height, frame.grid, frame.axes

    path = " ".join(
        f"{'M' if index == 0 else 'L'}{_number(sx(p[key]))},{_number(sy(p[cost]))}"
        for index, p in enumerate(solved)
    )
    data = [
        _element(
            "path",
            d=path,
            fill="none",
            stroke=IMPACT,
            stroke_width=2,
            stroke_linejoin="round",
            stroke_linecap="round",
        )
    ]
    data += [
        _element(
            "circle",
            _title(
                f"{point_label} {p[key]:,.{0 if measure == 'hours' else 1}f}: "
                f"{money_label(p[cost])}" + ("" if cost == "cost" else f" {cost_word}")
            ),
            cx=sx(p[key]),
            cy=sy(p[cost]),
            r=2.4,
            fill=IMPACT,
        )
        for p in solved
    ]
    taken: list[_Box] = [  # what the legend must not cover: the line, then the ring and its label
        (x - 3, y - 3, x + 3, y + 3) for x, y in _along([(sx(p[key]), sy(p[cost])) for p in solved])
    ]
    entries = [("frontier", legend_text)]
    if chosen:
        entries.append(("chosen", "This scenario"))
        cx, cy = sx(chosen[key]), sy(chosen[cost])
        data.append(_chosen_ring(cx, cy))
        # A frontier rises to the right, so no line runs up-left or down-right of a point on it:
        # the label goes up-left, or down-right when the point is in the left third of the chart.
        size = 8.5
        text = fit_text(chosen_label, size, (x1 - x0) * 0.55, bold=True, limit=40)
        text_w = text_width(text, size, bold=True)
        if cx - sx(min(all_x)) < (sx(max(all_x)) - sx(min(all_x))) / 3:
            tx, baseline = min(cx + 10, x1 - 2 - text_w), cy + 10 + size * 0.75
        else:
            tx, baseline = max(cx - 10 - text_w, x0 + 2), cy - 9 - size * 0.25
        data.append(_text(tx, baseline, text, size, fill=QUALITY, bold=True))
        taken += [
            (cx - 7, cy - 7, cx + 7, cy + 7),
            (tx, baseline - size * 0.8, tx + text_w, baseline + size * 0.25),
        ]
    # The legend goes in the first corner where it covers neither the line nor the ring.
    legend_w, legend_h = _legend_size(entries)
    corners = [
        (x0 + 6, y0 + 2),  # upper left
        (x1 - 6 - legend_w, y1 - 4 - legend_h),  # lower right
        (x1 - 6 - legend_w, y0 + 2),  # upper right
        (x0 + 6, y1 - 4 - legend_h),  # lower left
    ]
    legend_x, legend_y = next(
        (
            (lx, ly)
            for lx, ly in corners
            if not any(_overlaps((lx, ly, lx + legend_w, ly + legend_h), box) for box in taken)
        ),
        corners[0],
    )
    legend = _legend(entries, legend_x, legend_y)
    at = (
        f"{chosen[key]:,.0f} impact-worker hours"
        if chosen and measure == "hours"
        else f"impact {chosen[key]:.1f}"
        if chosen
        else ""
    )
    summary = f"Least cost against {point_label.lower()}: {len(solved)} points" + (
        f", {clean_text(chosen_label)} at {at} and {cost_word} {money_label(chosen[cost])}"
        if chosen
        else ""
    )
    return _svg(width, height, summary, "".join(grid + axes) + legend + "".join(data))


PLAN_AXES = {
    "hours": ("Impact-worker hours of the plan", "impact-worker hours"),
    "impact": ("Average impact score of the plan (0–100)", "average impact"),
}


def plans_chart(
    plans: Sequence[tuple[str, Any, Any]],
    budgets: Sequence[tuple[float, str]] = (),
    measure: str = "hours",
) -> Markup | None:
    """The plans of a decision side by side: each (name, measure, cost) a ringed point named
    beside it, total cost against impact-worker hours (or average impact), and each (budget,
    whose) as a dashed line, so a plan above its budget is plain to see. None with fewer than
    two solved plans."""
    axis_label, said = PLAN_AXES.get(measure, PLAN_AXES["hours"])
    solved = [(name, float(x), float(y)) for name, x, y in plans if _finite(x) and _finite(y)]
    if len(solved) < 2:
        return None
    lines = [(float(value), whose) for value, whose in budgets if _finite(value)]
    all_y = [y for _, _, y in solved] + [value for value, _ in lines]
    frame = _cost_frame([x for _, x, _ in solved], all_y, axis_label, "Total cost")
    sx, sy = frame.sx, frame.sy
    data: list[str] = []
    rings = [(sx(x), sy(y)) for _, x, y in solved]  # two plans may share a name
    taken: list[_Box] = [(cx - 7, cy - 7, cx + 7, cy + 7) for cx, cy in rings]
    for budget, _ in lines:
        y = sy(budget)
        data.append(
            _element(
                "line",
                x1=frame.x0,
                y1=y,
                x2=frame.x1,
                y2=y,
                stroke=KNOCK_OUT,
                stroke_width=1.2,
                stroke_dasharray="5 3",
            )
        )
        text = f"Budget {money_label(budget)}"
        text_w = text_width(text, 8.0)
        spots = [  # above the line at the right end, the left end, then below it
            (frame.x1 - 2 - text_w, y - 4),
            (frame.x0 + 4, y - 4),
            (frame.x1 - 2 - text_w, y + 11),
            (frame.x0 + 4, y + 11),
        ]
        tx, baseline = next(
            (
                (tx, b)
                for tx, b in spots
                if not any(_overlaps((tx, b - 8, tx + text_w, b + 2), box) for box in taken)
            ),
            spots[0],
        )
        data.append(_text(tx, baseline, text, 8.0, fill=KNOCK_OUT))
        taken += [(tx, baseline - 8, tx + text_w, baseline + 2), (frame.x0, y - 1, frame.x1, y + 1)]
    size = 8.5
    for index in sorted(range(len(solved)), key=lambda i: solved[i][2]):
        (name, _, y), (cx, cy) = solved[index], rings[index]
        data.append(_element("g", _title(f"{name}: {money_label(y)}") + _chosen_ring(cx, cy)))
        text = fit_text(name, size, (frame.x1 - frame.x0) * 0.4, bold=True, limit=40)
        text_w = text_width(text, size, bold=True)
        tx = cx + 10 if cx + 10 + text_w <= frame.x1 else cx - 10 - text_w
        baseline = cy + size * 0.35
        for shift in (0.0, -1.3, 1.3, -2.6, 2.6):  # beside the point, else a line up or down
            box = (tx, baseline + shift * size - size * 0.8, tx + text_w, baseline + shift * size)
            if not any(_overlaps(box, other) for other in taken):
                baseline += shift * size
                break
        data.append(_text(tx, baseline, text, size, fill=QUALITY, bold=True))
        taken.append((tx, baseline - size * 0.8, tx + text_w, baseline + size * 0.25))
    summary = (
        "Total cost against "
        + said
        + ": "
        + "; ".join(
            f"{clean_text(name)} {number_label(x)} at {money_label(y)}" for name, x, y in solved
        )
    )
    summary += "".join(f"; budget of {whose} {money_label(value)}" for value, whose in lines)
    return _svg(frame.width, frame.height, summary, "".join(frame.grid + frame.axes + data))


def _along(points: Sequence[tuple[float, float]], step: float = 4.0) -> list[tuple[float, float]]:
    """Points every `step` user units along a polyline (to keep labels off the line)."""
    samples = list(points[:1])
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        count = max(1, math.ceil(math.hypot(bx - ax, by - ay) / step))
        samples += [
            (ax + (bx - ax) * k / count, ay + (by - ay) * k / count) for k in range(1, count + 1)
        ]
    return samples


# ---------------------------------------------------------------------------------------------
# Bars


def horizontal_bar_chart(
    items: Sequence[tuple[str, float]],
    colour: str = COST,
    value_label: str = "Cost",
    money: bool = True,
) -> Markup | None:
    """One bar per (label, value), the first at the top, its value printed after it; a final
    "Others (n vendors)" bar (see `top_with_others`) in grey. None when there is no item.

    The scale follows the named lines; an "Others" bar longer than that is cut at the edge (its
    value printed inside), so a long tail of small vendors does not flatten every bar.
    """
    if not items:
        return None
    width, row, label_size, value_size = CHART_WIDTH, 17.28, 8.5, 7.5
    labels = [
        fit_text(label, label_size, width * 0.4, limit=LABEL_CHARACTERS) for label, _ in items
    ]
    values = [float(value) if _finite(value) else 0.0 for _, value in items]
    is_others = [
        index == len(items) - 1 and bool(_OTHERS_LABEL.fullmatch(clean_text(label)))
        for index, (label, _) in enumerate(items)
    ]
    named = [value for value, others in zip(values, is_others, strict=True) if not others] or values
    top = max(max(named), 0.0) or 1.0
    limit = top * 1.18
    format_value: Callable[..., str] = money_label if money else number_label
    ticks = nice_ticks(0.0, limit, 5)
    tick_labels = _tick_labels(ticks, format_value)

    x0 = 4 + max(text_width(label, label_size) for label in labels) + 5
    x1 = width - 4 - text_width(tick_labels[-1], TICK_SIZE) / 2
    y0, y1 = 4.0, 4.0 + row * (len(items) + 0.2)
    height = y1 + 7 + TICK_SIZE * 1.2 + 5 + AXIS_LABEL_SIZE * 1.2 + 2

    def sx(value: float) -> float:
        return x0 + min(max(value, 0.0), limit) / limit * (x1 - x0)

    parts = [_line(sx(tick), y0, sx(tick), y1, GRID, 0.6) for tick in ticks]
    for index, (label, value, others) in enumerate(zip(labels, values, is_others, strict=True)):
        middle = y0 + row * (index + 0.4)
        parts.append(
            _element(
                "rect",
                _title(f"{clean_text(items[index][0])}: {format_value(value)}"),
                x=x0,
                y=middle - row * 0.34,
                width=sx(value) - x0,
                height=row * 0.68,
                fill=OTHERS if others else colour,
            )
        )
        parts.append(_text(x0 - 4, middle + label_size * 0.35, label, label_size, anchor="end"))
        baseline = middle + value_size * 0.35
        if value > limit:
            text = f"{format_value(value)} (bar cut) ›"
            parts.append(_text(sx(limit) - 4, baseline, text, value_size, bold=True, anchor="end"))
        else:
            text = format_value(value)
            if sx(value) + 3 + text_width(text, value_size) <= width - 2:
                parts.append(_text(sx(value) + 3, baseline, text, value_size, fill=MUTED))
            else:  # no room after the bar: inside its end
                parts.append(
                    _text(sx(value) - 3, baseline, text, value_size, fill="#ffffff", anchor="end")
                )
    parts.append(_line(x0, y1, x1, y1, MUTED, 0.8))
    for tick, label in zip(ticks, tick_labels, strict=True):
        parts.append(_line(sx(tick), y1, sx(tick), y1 + 3, MUTED, 0.8))
        parts.append(_text(sx(tick), y1 + 6.5 + TICK_SIZE * 0.8, label, TICK_SIZE, anchor="middle"))
    parts.append(_text((x0 + x1) / 2, height - 4, value_label, AXIS_LABEL_SIZE, anchor="middle"))
    summary = f"{value_label}: " + "; ".join(
        f"{clean_text(label)} {format_value(value)}"
        for (label, _), value in zip(items, values, strict=True)
    )
    return _svg(width, height, summary, "".join(parts))


def _bar_parts(segments: list[tuple[float, str, str]], width: float, height: float) -> str:
    """A track and, left to right, one rect per (share of the width, title, colour)."""
    x = 0.0
    parts = [_element("rect", width=width, height=height, fill=TRACK)]
    for share, title, colour in segments:
        bar = width * share
        parts.append(
            _element("rect", _title(title), x=x, y=0, width=bar, height=height, fill=colour)
        )
        x += bar
    return "".join(parts)


def stacked_bar(
    points: Mapping[str, float], total_width: float = 100.0, width: int = 220, height: int = 14
) -> Markup:
    """One horizontal bar: each pillar's points of a 0–100 total, in pillar colours.

    The markup `_svg` and `_bar_parts` would write, written straight: the comparison draws one
    per row (50 a page), and element by element a bar took 0.16 ms (#23). Its text is pillar
    names and numbers (digits, ".", "-", "nan", "inf"): nothing to clean or escape."""
    values = {pillar: max(0.0, float(points.get(pillar, 0.0))) for pillar in PILLARS}
    label = "Points by pillar: " + ", ".join(
        f"{p} {float(points.get(p, 0.0)):.1f}" for p in PILLARS
    )
    w, h = _number(width), _number(height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar" role="img" aria-label="{label}" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}">'
        f'<title>{label}</title><rect width="{w}" height="{h}" fill="{TRACK}"/>'
    ]
    x = 0.0
    for pillar, value in values.items():
        bar = width * (value / total_width)
        parts.append(
            f'<rect x="{_number(x)}" y="0" width="{_number(bar)}" height="{h}" '
            f'fill="{PILLAR_COLOURS[pillar]}"><title>{pillar}: {value:.1f} points</title></rect>'
        )
        x += bar
    parts.append("</svg>")
    return Markup("".join(parts))


def response_bar(
    counts: Mapping[CampaignVendorState, int], width: int = 560, height: int = 18
) -> Markup:
    """A campaign's vendors as one horizontal bar, a part per state in CAMPAIGN_STATE_COLOURS
    (reviewed first, then submitted: the answered share reads from the left)."""
    total = sum(counts.values())
    states = list(reversed(CampaignVendorState))
    segments = [
        (
            counts.get(state, 0) / total,
            f"{state.value.replace('_', ' ')}: {counts.get(state, 0)}",
            CAMPAIGN_STATE_COLOURS[state],
        )
        for state in states
        if total and counts.get(state, 0)
    ]
    label = ", ".join(f"{state.value.replace('_', ' ')} {counts.get(state, 0)}" for state in states)
    return _svg(
        width,
        height,
        f"Vendors by state: {label}",
        _bar_parts(segments, width, height),
        class_="bar campaign-bar",
    )


def swatch(colour: str) -> Markup:
    """A small square of `colour`, for a legend line (hidden from screen readers)."""
    return Markup(
        _element(
            "svg",
            _element("rect", width=12, height=12, rx=2, fill=colour, stroke=GRID),
            xmlns="http://www.w3.org/2000/svg",
            class_="swatch",
            width=12,
            height=12,
            viewBox="0 0 12 12",
            aria_hidden="true",
        )
    )


def pillar_legend() -> Markup:
    """The pillars' colour swatches, each followed by its name (for a legend line)."""
    return Markup(" ").join(
        Markup(
            _element(
                "svg",
                _element("rect", width=12, height=12, rx=2, fill=PILLAR_COLOURS[pillar]),
                xmlns="http://www.w3.org/2000/svg",
                class_="swatch",
                width=12,
                height=12,
                viewBox="0 0 12 12",
                aria_hidden="true",
            )
        )
        + f" {pillar}"
        for pillar in PILLARS
    )


def metric_bars(lines: Sequence[Mapping[str, Any]]) -> Markup:
    """The scorecard chart: per line, the points earned (in the pillar's colour) against the most
    that line could give (grey), with "earned / possible" after the bar.

    A list, not one drawing: its words are page text, so they stay legible at any width (a
    drawing scaled to a phone shrank them to 5 px), and on a narrow screen each label sits above
    its bar. Each bar alone is a small drawing stretched to its cell; bars share one scale, the
    line that could give the most points filling its cell."""
    if not lines:
        return Markup("")
    most = max(max(float(line["possible"]), 0.0) for line in lines) or 1.0
    items = []
    for line in lines:
        possible = max(0.0, float(line["possible"]))
        earned = max(0.0, float(line["points"]))
        said = f"{clean_text(line['label'])}: {earned:.1f} of {possible:.1f} points"
        bar = _element(
            "svg",
            _element("rect", width=possible / most * 100, height=10, fill=TRACK)
            + _element(
                "rect",
                width=min(earned, most) / most * 100,
                height=10,
                fill=PILLAR_COLOURS.get(line["pillar"], IMPACT),
            ),
            xmlns="http://www.w3.org/2000/svg",
            class_="metric-bar",
            viewBox="0 0 100 10",
            preserveAspectRatio="none",
            aria_hidden="true",
            focusable="false",
        )
        items.append(
            f'<li title="{escape(said)}"><span class="metric-bar-label">'
            f"{escape(clean_text(line['label']))}</span>{bar}"
            f'<span class="metric-bar-points">{earned:.1f} / {possible:.1f}</span></li>'
        )
    return Markup(
        '<ul class="metric-bars" aria-label="Points earned per metric against the most '
        f'possible">{"".join(items)}</ul>'
    )


# ---------------------------------------------------------------------------------------------
# A coalition's progress toward a joint target (procure.coalitions)

PROJECTED = "#5eb3a9"  # projected progress: the plans' figures, paler than what was delivered
ACTUAL = IMPACT  # actual progress: delivered work


def target_bar(
    projected_share: float | None,
    actual_share: float | None,
    label: str,
    width: int = 560,
    height: int = 18,
) -> Markup:
    """Progress toward a target as one bar: the projected share of the target (pale), the actual
    share over it (strong, thinner); a share above 1 fills the bar."""
    parts = [_element("rect", width=width, height=height, fill=TRACK)]
    for share, colour, inset, name in (
        (projected_share, PROJECTED, 0.0, "projected"),
        (actual_share, ACTUAL, height * 0.25, "actual"),
    ):
        if share is None or not _finite(share):
            continue
        parts.append(
            _element(
                "rect",
                _title(f"{name}: {float(share):.0%} of the target"),
                x=0,
                y=inset,
                width=width * min(max(float(share), 0.0), 1.0),
                height=height - 2 * inset,
                fill=colour,
            )
        )
    return _svg(width, height, label, "".join(parts), class_="bar target-bar")


def cumulative_chart(
    months: Sequence[Any],
    projected: Sequence[float | None],
    actual: Sequence[float | None],
    target: float,
    measure_label: str,
    share: bool = False,
) -> Markup | None:
    """The cumulative value reached by the end of each month (`months`: dates of first days),
    projected and (where known) actual, against the target as a dashed line. None without a
    month. `share`: the values are shares 0–1, printed as percentages. A series' line ends at
    its last month with a value: the months after it (None: not known yet, e.g. after the last
    delivery recorded) are left blank, never drawn as a flat line."""
    if not months:
        return None
    width, height = CHART_WIDTH, 220.0
    values = [v for v in (*projected, *actual, target) if v is not None and _finite(v)]
    top = max(max(values, default=0.0), 0.0) * 1.1 or 1.0
    ticks = nice_ticks(0.0, top, 5)
    top = max(top, ticks[-1])

    def format_value(value: float, step: float | None = None) -> str:
        return f"{value:.0%}" if share else number_label(value, step)

    tick_labels = _tick_labels(ticks, format_value)
    x0 = 6 + max(text_width(label, TICK_SIZE) for label in tick_labels) + 4
    x1, y0, y1 = width - 8, 8.0, height - 8 - TICK_SIZE * 1.2 - 6 - AXIS_LABEL_SIZE * 1.2
    count = len(months)

    def sx(index: int) -> float:
        return x0 + (index + 0.5) / count * (x1 - x0)

    def sy(value: float) -> float:
        return y1 - min(max(value, 0.0), top) / top * (y1 - y0)

    parts = []
    for tick, label in zip(ticks, tick_labels, strict=True):
        parts.append(_line(x0, sy(tick), x1, sy(tick), GRID, 0.6))
        parts.append(_text(x0 - 4, sy(tick) + TICK_SIZE * 0.35, label, TICK_SIZE, anchor="end"))
    parts.append(_line(x0, y1, x1, y1, MUTED, 0.8))
    every = max(1, math.ceil(count / 8))
    for index, month in enumerate(months):
        if index % every == 0:
            parts.append(
                _text(sx(index), y1 + 4 + TICK_SIZE, f"{month:%Y-%m}", TICK_SIZE, anchor="middle")
            )
    parts.append(
        _element(
            "line",
            _title(f"Target: {format_value(target)}"),
            x1=x0,
            y1=sy(target),
            x2=x1,
            y2=sy(target),
            stroke=KNOCK_OUT,
            stroke_width=1.2,
            stroke_dasharray="5 3",
        )
    )
    summary = [f"Target {format_value(target)}"]
    for series, colour, name in ((projected, PROJECTED, "Projected"), (actual, ACTUAL, "Actual")):
        points = [
            (sx(index), sy(float(value)))
            for index, value in enumerate(series)
            if value is not None and _finite(value)
        ]
        if not points:
            continue
        parts.append(
            _element(
                "polyline",
                _title(f"{name}, cumulative"),
                points=" ".join(f"{_number(x)},{_number(y)}" for x, y in points),
                fill="none",
                stroke=colour,
                stroke_width=2,
            )
        )
        last = next(v for v in reversed(series) if v is not None and _finite(v))
        summary.append(f"{name.lower()} by the end {format_value(float(last))}")
    parts.append(
        _text(
            (x0 + x1) / 2,
            height - 4,
            f"Cumulative {measure_label}",
            AXIS_LABEL_SIZE,
            anchor="middle",
        )
    )
    return _svg(width, height, f"{measure_label}: " + "; ".join(summary), "".join(parts))


# ---------------------------------------------------------------------------------------------
# The impact spend report (procure.spend)


def stacked_columns(
    columns: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    value_label: str,
) -> Markup | None:
    """One column per label of `columns` (periods), stacked bottom up by `series` (name, colour,
    a dollar value per column), a legend of the series above. None without a column."""
    if not columns or not series:
        return None
    width, height, legend_row = CHART_WIDTH, 230.0, LEGEND_SIZE * 1.8
    totals = [
        sum(max(float(values[index]), 0.0) for _, _, values in series if _finite(values[index]))
        for index in range(len(columns))
    ]
    limit = max(max(totals), 0.0) * 1.05 or 1.0
    ticks = nice_ticks(0.0, limit, 5)  # the ticks stop at or below the limit
    top = max(ticks[-1], limit)  # the tallest column fits
    tick_labels = _tick_labels(ticks, money_label)
    x0 = 6 + max(text_width(label, TICK_SIZE) for label in tick_labels) + 4
    x1 = width - 8
    y0 = 6 + legend_row * len(series)
    y1 = height - 8 - TICK_SIZE * 1.2 - 6 - AXIS_LABEL_SIZE * 1.2
    slot = (x1 - x0) / len(columns)

    def sy(value: float) -> float:
        return y1 - min(max(value, 0.0), top) / top * (y1 - y0)

    parts = []
    for index, (name, colour, _) in enumerate(series):
        middle = 6 + legend_row * (index + 0.5)
        parts.append(_element("rect", x=x0, y=middle - 4.5, width=9, height=9, fill=colour))
        parts.append(_text(x0 + 14, middle + LEGEND_SIZE * 0.35, name, LEGEND_SIZE))
    for tick, label in zip(ticks, tick_labels, strict=True):
        parts.append(_line(x0, sy(tick), x1, sy(tick), GRID, 0.6))
        parts.append(_text(x0 - 4, sy(tick) + TICK_SIZE * 0.35, label, TICK_SIZE, anchor="end"))
    every = max(1, math.ceil(len(columns) / 12))
    for index, column in enumerate(columns):
        left, base = x0 + slot * (index + 0.15), 0.0
        for name, colour, values in series:
            value = float(values[index]) if _finite(values[index]) else 0.0
            if value <= 0:
                continue
            parts.append(
                _element(
                    "rect",
                    _title(f"{clean_text(column)}, {clean_text(name)}: {money_label(value)}"),
                    x=left,
                    y=sy(base + value),
                    width=slot * 0.7,
                    height=sy(base) - sy(base + value),
                    fill=colour,
                )
            )
            base += value
        if index % every == 0:
            parts.append(
                _text(
                    x0 + slot * (index + 0.5),
                    y1 + 4 + TICK_SIZE,
                    column,
                    TICK_SIZE,
                    anchor="middle",
                )
            )
    parts.append(_line(x0, y1, x1, y1, MUTED, 0.8))
    parts.append(_text((x0 + x1) / 2, height - 4, value_label, AXIS_LABEL_SIZE, anchor="middle"))
    summary = "; ".join(
        f"{clean_text(column)}: "
        + ", ".join(
            f"{clean_text(name)} {money_label(float(values[index]))}" for name, _, values in series
        )
        for index, column in enumerate(columns)
    )
    return _svg(width, height, f"{value_label}: {summary}", "".join(parts))
