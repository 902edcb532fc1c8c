"""Charts for the board PDF, drawn with matplotlib and returned as SVG text.

Each chart is a `matplotlib.figure.Figure` with its own Agg canvas: no pyplot, no backend
switch, no change to matplotlib's global settings, so rendering a report leaves the process as
it found it. User-supplied names are never parsed as mathtext.

Text stays text in the SVG rather than glyph outlines: WeasyPrint draws such an SVG about four
times faster, and the report already depends on DejaVu Sans being installed. matplotlib takes
that choice only from its global rcParams (`svg.fonttype`), and even a temporary `rc_context`
resolves the global backend (importing pyplot), so `_TextSVGRenderer` makes the choice for its
own output instead. Figures use the constrained layout, so labels fit without `bbox_inches`.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Iterable, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

# The app's pillar colours (procure/charts.py, app.css).
IMPACT = "#0f766e"
COST = "#2563eb"
QUALITY = "#b45309"
INK = "#1c2430"
MUTED = "#5b6472"
GRID = "#dde2e8"
OTHERS = "#94a3b8"

CHART_WIDTH_IN = 7.0  # the A4 text column (210 mm − 2 × 16 mm margins ≈ 7 in)
LABEL_CHARACTERS = 34
SVG_DPI = 72  # SVG user units are points
TICK_STEPS = [1, 2, 5, 10]  # ticks at $6.5k, $7.0k, ... never $6.75k shown as "$6.8k"


class _TextSVGRenderer(RendererSVG):
    """matplotlib's SVG renderer writing text as <text> elements whatever `svg.fonttype` says.

    `_draw_text_as_path` is private to matplotlib (pinned < 4); were it renamed, this override
    would do nothing and text would be drawn as paths again: slower, never wrong.
    """

    _draw_text_as_path = RendererSVG._draw_text_as_text


def svg_data_uri(svg: str) -> str:
    """A `data:` URI for an SVG document, for an `<img src>` (keeps SVG ids of charts apart)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


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


def _plain(text: str, limit: int = LABEL_CHARACTERS) -> str:
    """A label shown verbatim: `$` escaped so matplotlib never reads it as mathtext, long names cut."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text.replace("$", r"\$")


def _money_axis(value: float, _position=None) -> str:
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        text = f"${magnitude / 1_000_000:,.2f}M"
    elif magnitude >= 10_000:
        text = f"${magnitude / 1_000:,.0f}k"
    elif magnitude >= 1_000:
        text = f"${magnitude / 1_000:,.1f}k"
    else:
        text = f"${magnitude:,.0f}"
    return ("−" if value < 0 else "") + text.replace("$", r"\$")


def _new_figure(height_in: float) -> Figure:
    figure = Figure(figsize=(CHART_WIDTH_IN, height_in), dpi=SVG_DPI, layout="constrained")
    figure.get_layout_engine().set(w_pad=0.02, h_pad=0.02)
    FigureCanvasAgg(figure)  # measures text for the layout; nothing is rasterised
    return figure


def _style_axes(axes) -> None:
    axes.set_facecolor("white")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(MUTED)
        axes.spines[side].set_linewidth(0.8)
    axes.tick_params(colors=MUTED, labelcolor=INK, labelsize=8.5, length=3, width=0.8)


def _to_svg(figure: Figure) -> str:
    """The figure as an SVG document (text as text), then the figure is cleared."""
    buffer = io.StringIO()
    width, height = figure.get_size_inches()
    renderer = _TextSVGRenderer(
        width * SVG_DPI,
        height * SVG_DPI,
        buffer,
        image_dpi=SVG_DPI,
        metadata={"Date": None, "Creator": None},
    )
    figure.draw(renderer)
    renderer.finalize()
    figure.clear()
    return buffer.getvalue()


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def solved_points(points: Sequence[dict]) -> list[dict]:
    """Frontier points with status "optimal" (the default) and a number for impact and cost, by impact."""
    return sorted(
        (
            p
            for p in points
            if p.get("status", "optimal") == "optimal"
            and _finite(p.get("avg_impact"))
            and _finite(p.get("cost"))
        ),
        key=lambda p: p["avg_impact"],
    )


def frontier_chart(
    points: Sequence[dict], chosen: dict | None = None, chosen_label: str = "This scenario"
) -> str | None:
    """Least cost ($) against average impact (0–100 points), the chosen plan ringed.

    Only points with status "optimal" are drawn; None when there is none to draw.
    """
    solved = solved_points(points)
    if not solved:
        return None
    if chosen and not (_finite(chosen.get("avg_impact")) and _finite(chosen.get("cost"))):
        chosen = None
    figure = _new_figure(2.8)
    axes = figure.add_subplot()
    _style_axes(axes)
    xs = [p["avg_impact"] for p in solved]
    ys = [p["cost"] for p in solved]
    axes.plot(
        xs,
        ys,
        color=IMPACT,
        linewidth=2,
        marker="o",
        markersize=4.5,
        zorder=3,
        label="Least cost at each average impact",
    )
    all_y = list(ys)
    if chosen:
        cx, cy = chosen["avg_impact"], chosen["cost"]
        all_y.append(cy)
        axes.scatter(
            [cx],
            [cy],
            s=150,
            facecolors="white",
            edgecolors=QUALITY,
            linewidths=2.5,
            zorder=4,
            label="This scenario",
        )
        axes.scatter([cx], [cy], s=18, color=QUALITY, zorder=5)
        # A frontier rises to the right, so no line runs up-left or down-right of a point on it:
        # the label goes up-left, or down-right when the point is in the left third of the chart.
        low_x, high_x = min(xs + [cx]), max(xs + [cx])
        near_left = cx - low_x < (high_x - low_x) / 3
        axes.annotate(
            _plain(chosen_label, 40),
            (cx, cy),
            xytext=(10, -10) if near_left else (-10, 9),
            textcoords="offset points",
            ha="left" if near_left else "right",
            va="top" if near_left else "bottom",
            fontsize=8.5,
            color=QUALITY,
            fontweight="bold",
        )
    low, high = min(all_y), max(all_y)
    pad = (high - low) * 0.12 or max(abs(high) * 0.02, 1.0)
    axes.set_ylim(low - pad * 2, high + pad)  # room under the lowest point for the label
    span_x = (max(xs + ([chosen["avg_impact"]] if chosen else [])) - min(xs)) or 1.0
    axes.set_xlim(
        min(xs + ([chosen["avg_impact"]] if chosen else [])) - span_x * 0.04,
        max(xs + ([chosen["avg_impact"]] if chosen else [])) + span_x * 0.04,
    )
    axes.yaxis.set_major_formatter(FuncFormatter(_money_axis))
    axes.yaxis.set_major_locator(MaxNLocator(6, steps=TICK_STEPS))
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    axes.set_xlabel("Average impact score of the allocation (0–100)", fontsize=9, color=INK)
    axes.set_ylabel("Least total cost", fontsize=9, color=INK)
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    return _to_svg(figure)


def horizontal_bar_chart(
    items: Sequence[tuple[str, float]],
    colour: str = COST,
    value_label: str = "Cost",
    money: bool = True,
) -> str | None:
    """One bar per (label, value), the first at the top; a trailing "Others" bar in grey."""
    if not items:
        return None
    count = len(items)
    figure = _new_figure(0.55 + 0.24 * count)
    axes = figure.add_subplot()
    _style_axes(axes)
    labels = [_plain(label) for label, _ in items]
    values = [value for _, value in items]
    is_others = [label.startswith("Others (") for label, _ in items]
    positions = list(range(count))[::-1]
    # The scale follows the named vendors; an "Others" bar longer than that is cut at the edge
    # (its value printed inside), so a long tail of small vendors does not flatten every bar.
    named = [value for value, others in zip(values, is_others) if not others] or values
    top = max(max(named), 0.0) or 1.0
    limit = top * 1.18
    drawn = [min(value, limit) for value in values]
    axes.barh(
        positions, drawn, color=[OTHERS if o else colour for o in is_others], height=0.68, zorder=3
    )
    axes.set_yticks(positions, labels=labels)
    axes.tick_params(axis="y", length=0)
    axes.spines["left"].set_visible(False)
    axes.set_ylim(-0.6, count - 0.4)
    axes.set_xlim(0, limit)
    formatter = _money_axis if money else (lambda v, _p=None: f"{v:,.0f}")
    axes.xaxis.set_major_formatter(FuncFormatter(formatter))
    axes.xaxis.set_major_locator(MaxNLocator(5, steps=TICK_STEPS))
    axes.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    for position, value, bar in zip(positions, values, drawn):
        if bar < value:
            axes.text(
                limit * 0.985,
                position,
                f"{formatter(value)} (bar cut) ›",
                va="center",
                ha="right",
                fontsize=7.5,
                color=INK,
                fontweight="bold",
            )
        else:
            axes.text(
                value + top * 0.01,
                position,
                formatter(value),
                va="center",
                ha="left",
                fontsize=7.5,
                color=MUTED,
            )
    axes.set_xlabel(value_label, fontsize=9, color=INK)
    return _to_svg(figure)
