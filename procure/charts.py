"""Small server-side SVG charts (no scripts, no external assets): safe to embed in pages and PDFs."""

from __future__ import annotations

from markupsafe import Markup, escape

PILLAR_COLOURS = {"impact": "#0f766e", "cost": "#2563eb", "quality": "#b45309", "knock_out": "#b42318"}


def stacked_bar(points: dict[str, float], total_width: float = 100.0, width: int = 220, height: int = 14) -> Markup:
    """One horizontal bar: each pillar's points of a 0-100 total, in pillar colours."""
    x = 0.0
    parts = []
    for pillar in ("impact", "cost", "quality"):
        value = max(0.0, points.get(pillar, 0.0))
        w = width * value / total_width
        parts.append(f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" fill="{PILLAR_COLOURS[pillar]}">'
                     f"<title>{pillar}: {value:.1f} points</title></rect>")
        x += w
    label = ", ".join(f"{p} {points.get(p, 0.0):.1f}" for p in ("impact", "cost", "quality"))
    return Markup(
        f'<svg class="bar" role="img" aria-label="Points by pillar: {escape(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="{width}" height="{height}" fill="#eef0f3"/>{"".join(parts)}</svg>'
    )


def metric_bars(lines: list[dict], width: int = 760) -> Markup:
    """The scorecard chart: per line, points earned against the most that line could give."""
    row_height, label_width, bar_width = 26, 300, width - 300 - 110
    rows = []
    for index, line in enumerate(lines):
        y = index * row_height
        possible = line["possible"]
        earned = max(0.0, line["points"])
        scale = bar_width / max(l["possible"] for l in lines) if lines else 0
        rows.append(
            f'<text x="0" y="{y + 17}" font-size="13" fill="#1c2430">{escape(line["label"])}</text>'
            f'<rect x="{label_width}" y="{y + 5}" width="{possible * scale:.2f}" height="14" fill="#eef0f3"/>'
            f'<rect x="{label_width}" y="{y + 5}" width="{earned * scale:.2f}" height="14" '
            f'fill="{PILLAR_COLOURS.get(line["pillar"], "#0f766e")}"/>'
            f'<text x="{label_width + bar_width + 8}" y="{y + 17}" font-size="13" fill="#1c2430">'
            f'{earned:.1f} / {possible:.1f}</text>'
        )
    height = row_height * len(lines)
    return Markup(
        f'<svg class="chart" role="img" aria-label="Points earned per metric against the most possible" '
        f'width="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">{"".join(rows)}</svg>'
    )
