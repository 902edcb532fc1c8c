"""Small server-side SVG charts (no scripts, no external assets): safe to embed in pages and PDFs."""

from __future__ import annotations

from markupsafe import Markup, escape

PILLAR_COLOURS = {
    "impact": "#0f766e",
    "cost": "#2563eb",
    "quality": "#b45309",
    "knock_out": "#b42318",
}


def stacked_bar(
    points: dict[str, float], total_width: float = 100.0, width: int = 220, height: int = 14
) -> Markup:
    """One horizontal bar: each pillar's points of a 0-100 total, in pillar colours."""
    x = 0.0
    parts = []
    for pillar in ("impact", "cost", "quality"):
        value = max(0.0, points.get(pillar, 0.0))
        w = width * value / total_width
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" fill="{PILLAR_COLOURS[pillar]}">'
            f"<title>{pillar}: {value:.1f} points</title></rect>"
        )
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
            f"{earned:.1f} / {possible:.1f}</text>"
        )
    height = row_height * len(lines)
    return Markup(
        f'<svg class="chart" role="img" aria-label="Points earned per metric against the most possible" '
        f'width="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">{"".join(rows)}</svg>'
    )


def frontier_chart(
    points: list[dict], chosen: dict | None = None, width: int = 640, height: int = 300
) -> Markup:
    """Least cost ($) against average impact (points), with the scenario's plan marked."""
    solved = [p for p in points if p.get("status") == "optimal"]
    if not solved:
        return Markup('<p class="empty">No point of the frontier could be solved.</p>')
    left, right, top, bottom = 80, 20, 20, 45
    xs = [p["avg_impact"] for p in solved] + ([chosen["avg_impact"]] if chosen else [])
    ys = [p["cost"] for p in solved] + ([chosen["cost"]] if chosen else [])
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1

    def sx(x):
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def sy(y):
        return height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom)

    path = " ".join(
        f"{'M' if i == 0 else 'L'}{sx(p['avg_impact']):.1f},{sy(p['cost']):.1f}"
        for i, p in enumerate(solved)
    )
    dots = "".join(
        f'<circle cx="{sx(p["avg_impact"]):.1f}" cy="{sy(p["cost"]):.1f}" r="3.5" fill="#0f766e">'
        f"<title>impact {p['avg_impact']:.1f}: ${p['cost']:,.0f}</title></circle>"
        for p in solved
    )
    mark = ""
    if chosen:
        mark = (
            f'<circle cx="{sx(chosen["avg_impact"]):.1f}" cy="{sy(chosen["cost"]):.1f}" r="7" fill="none" '
            f'stroke="#b45309" stroke-width="3"><title>this scenario</title></circle>'
        )
    axes = (
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#5b6472"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#5b6472"/>'
        f'<text x="{(left + width - right) / 2:.0f}" y="{height - 8}" font-size="13" text-anchor="middle" '
        f'fill="#1c2430">Average impact score</text>'
        f'<text x="14" y="{(top + height - bottom) / 2:.0f}" font-size="13" text-anchor="middle" fill="#1c2430" '
        f'transform="rotate(-90 14 {(top + height - bottom) / 2:.0f})">Least cost ($)</text>'
        f'<text x="{left - 6}" y="{sy(y0) + 4:.0f}" font-size="11" text-anchor="end" fill="#5b6472">{y0:,.0f}</text>'
        f'<text x="{left - 6}" y="{sy(y1) + 4:.0f}" font-size="11" text-anchor="end" fill="#5b6472">{y1:,.0f}</text>'
        f'<text x="{sx(x0):.0f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" fill="#5b6472">{x0:.1f}</text>'
        f'<text x="{sx(x1):.0f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" fill="#5b6472">{x1:.1f}</text>'
    )
    return Markup(
        f'<svg class="chart" role="img" aria-label="Cost against average impact: {len(solved)} points" width="100%" '
        f'viewBox="0 0 {width} {height}">{axes}<path d="{path}" fill="none" stroke="#0f766e" stroke-width="2"/>'
        f"{dots}{mark}</svg>"
    )
