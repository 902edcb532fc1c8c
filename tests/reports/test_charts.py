"""procure.charts, the one chart module of the pages and the board PDF: what each chart draws,
escaping, determinism and the axis numbers."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from procure import charts

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT_VENDOR = "<script>alert(1)</script> & Co"
ROOT = Path(__file__).resolve().parents[2]

# A hand-made frontier: four optimal points, and two that must not be drawn.
FRONTIER = [
    {"avg_impact": 40.0, "cost": 100_000.0, "status": "optimal"},
    {"avg_impact": 60.0, "cost": 130_000.0, "status": "optimal"},
    {"avg_impact": 50.0, "cost": 110_000.0, "status": "optimal"},
    {"avg_impact": 70.0, "cost": None, "status": "infeasible"},
    {"avg_impact": 45.0, "cost": float("nan"), "status": "optimal"},
    {"avg_impact": 55.0, "cost": 118_000.0},  # no status: optimal, as the frontier API writes
]
CHOSEN = {"avg_impact": 50.0, "cost": 110_000.0}


def parse(svg: str) -> ElementTree.Element:
    """The chart as an XML tree: parsing fails on anything not well-formed."""
    root = ElementTree.fromstring(str(svg))
    assert root.tag == SVG + "svg"
    return root


def texts(root: ElementTree.Element) -> list[str]:
    return [element.text or "" for element in root.iter(SVG + "text")]


def with_title(root: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    """Elements of `tag` carrying a tooltip: the data marks (legend swatches carry none)."""
    return [element for element in root.iter(SVG + tag) if element.find(SVG + "title") is not None]


# ---------------------------------------------------------------------------------------------
# What is drawn


def test_frontier_draws_one_dot_per_solved_point_joined_left_to_right_and_rings_the_plan():
    root = parse(charts.frontier_chart(FRONTIER, CHOSEN, "Plan B"))
    dots = with_title(root, "circle")
    assert len(dots) == 4  # 40, 50, 55 and 60: not the infeasible point, not the NaN cost
    assert [dot.find(SVG + "title").text for dot in dots] == [
        "Average impact 40.0: $100k",
        "Average impact 50.0: $110k",
        "Average impact 55.0: $118k",
        "Average impact 60.0: $130k",
    ]
    xs = [float(dot.get("cx")) for dot in dots]
    ys = [float(dot.get("cy")) for dot in dots]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)  # SVG y grows downwards
    (line,) = root.iter(SVG + "path")
    assert line.get("d").count("M") == 1 and line.get("d").count("L") == 3
    rings = [c for c in root.iter(SVG + "circle") if c.get("stroke") == charts.QUALITY]
    assert len(rings) == 2  # on the plan (50, $110k), which is the second dot, and in the legend
    assert {(c.get("cx"), c.get("cy")) for c in rings} >= {(dots[1].get("cx"), dots[1].get("cy"))}
    labels = texts(root)
    assert "Plan B" in labels and "This scenario" in labels
    assert "Least cost at each average impact" in labels
    assert "Average impact score of the allocation (0–100)" in labels
    assert "Least total cost" in labels


def test_an_award_frontier_with_price_adjustments_draws_the_cost_it_minimised():
    # the demo award's shape: the adjusted cost rises with impact while the spend of the same
    # plans falls (a $0.40-an-hour adjustment on vendors with a higher impact score)
    points = [
        {"avg_impact": 55.0, "cost": 214_823.5, "adjusted_cost": 218_423.5},
        {"avg_impact": 58.0, "cost": 214_622.0, "adjusted_cost": 219_533.9},
        {"avg_impact": 62.5, "cost": 214_050.0, "adjusted_cost": 221_250.0},
    ]
    chosen = {"avg_impact": 55.0, "cost": 214_823.5, "adjusted_cost": 218_423.5}
    root = parse(charts.frontier_chart(points, chosen, "Award"))
    dots = with_title(root, "circle")
    assert [dot.find(SVG + "title").text for dot in dots] == [
        "Average impact 55.0: $218k cost with price adjustments",
        "Average impact 58.0: $220k cost with price adjustments",
        "Average impact 62.5: $221k cost with price adjustments",
    ]
    # the chart's own summary (its title, which the PDF's image carries) names it so too
    assert "and cost with price adjustments $218k" in root.find(SVG + "title").text
    ys = [float(dot.get("cy")) for dot in dots]
    assert ys == sorted(ys, reverse=True)  # rising to the right, as a least-cost frontier does
    rings = {
        (c.get("cx"), c.get("cy"))
        for c in root.iter(SVG + "circle")
        if c.get("stroke") == charts.QUALITY
    }
    assert (dots[0].get("cx"), dots[0].get("cy")) in rings  # the plan at its adjusted cost
    labels = texts(root)
    assert "Least cost with price adjustments" in labels
    assert "Least cost at each average impact, with the price adjustments" in labels
    # without the adjusted cost on every point it stays the spend
    plain = parse(
        charts.frontier_chart([{k: p[k] for k in ("avg_impact", "cost")} for p in points])
    )
    assert "Least total cost" in texts(plain)


def test_frontier_axes_carry_round_ticks_in_dollars_and_points():
    labels = texts(parse(charts.frontier_chart(FRONTIER)))
    # cost 100k–130k, padded by 12 % of the 30k span (twice below): 92.8k–133.6k; at most six
    # intervals: 40.8k / 6 = 6.8k → steps of 10k
    assert [t for t in labels if t.startswith("$")] == ["$100k", "$110k", "$120k", "$130k"]
    # impact 40–60, padded by 4 % of the span: 39.2–60.8 → steps of 5 (at most 8 intervals)
    assert [t for t in labels if t.isdigit()] == ["40", "45", "50", "55", "60"]
    assert "This scenario" not in labels  # no plan given: no ring in the legend either


def test_frontier_legend_moves_off_a_line_that_crosses_the_upper_left():
    falling = [  # not a real frontier, which never falls: the upper left is taken by the line
        {"avg_impact": 40.0, "cost": 130_000.0},
        {"avg_impact": 50.0, "cost": 110_000.0},
        {"avg_impact": 60.0, "cost": 100_000.0},
    ]

    def legend_x(points):
        root = parse(charts.frontier_chart(points))
        (backdrop,) = (r for r in root.iter(SVG + "rect") if r.get("fill") == "#ffffff")
        return float(backdrop.get("x"))

    assert legend_x(falling) > charts.CHART_WIDTH / 2  # lower right
    assert legend_x(FRONTIER) < charts.CHART_WIDTH / 4  # a rising frontier leaves it upper left


def test_frontier_without_a_solved_point_is_none():
    assert charts.frontier_chart([]) is None
    assert charts.frontier_chart(FRONTIER[3:5]) is None


def test_bar_chart_draws_one_bar_per_item_in_proportion():
    root = parse(charts.horizontal_bar_chart([("A", 100.0), ("B", 50.0), ("C", 25.0)]))
    bars = with_title(root, "rect")
    assert [bar.find(SVG + "title").text for bar in bars] == ["A: $100", "B: $50", "C: $25"]
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[1] / widths[0] == pytest.approx(0.5, abs=0.001)  # 50 / 100
    assert widths[2] / widths[0] == pytest.approx(0.25, abs=0.001)  # 25 / 100
    ys = [float(bar.get("y")) for bar in bars]
    assert ys == sorted(ys)  # the first item at the top
    assert {bar.get("fill") for bar in bars} == {charts.COST}
    assert {"A", "B", "C", "$100", "$50", "$25", "Cost"} <= set(texts(root))


def test_an_others_bar_longer_than_the_scale_is_cut_and_says_so():
    items = [("A", 100.0), ("B", 50.0), ("Others (3 vendors)", 400.0)]
    root = parse(charts.horizontal_bar_chart(items, value_label="Cost of the work allocated"))
    a, b, others = with_title(root, "rect")
    # the scale ends at 1.18 × the largest named bar: 118, so the others' 400 is cut there
    assert float(others.get("width")) / float(a.get("width")) == pytest.approx(1.18, abs=0.001)
    assert others.get("fill") == charts.OTHERS and a.get("fill") == charts.COST
    assert "$400 (bar cut) ›" in texts(root)


def test_a_vendor_named_like_the_others_line_is_not_greyed_unless_it_is_the_last_line():
    items = [("Others (3 vendors)", 100.0), ("B", 50.0)]
    bars = with_title(parse(charts.horizontal_bar_chart(items)), "rect")
    assert [bar.get("fill") for bar in bars] == [charts.COST, charts.COST]


def test_bar_chart_of_nothing_is_none():
    assert charts.horizontal_bar_chart([]) is None


def test_stacked_bar_and_metric_bars_draw_a_part_per_pillar_and_a_row_per_line():
    root = parse(charts.stacked_bar({"impact": 30.0, "cost": 20.0, "quality": 10.0}))
    parts = with_title(root, "rect")
    assert [p.get("fill") for p in parts] == [charts.IMPACT, charts.COST, charts.QUALITY]
    assert [float(p.get("width")) for p in parts] == [66.0, 44.0, 22.0]  # 220 × 30 %, 20 %, 10 %
    lines = [
        {"label": "Impact workers", "pillar": "impact", "points": 9.5, "possible": 11.25},
        {"label": "Price", "pillar": "cost", "points": 20.0, "possible": 30.0},
    ]
    root = ElementTree.fromstring(str(charts.metric_bars(lines)))  # well-formed, or it fails
    assert root.tag == "ul"
    rows = root.findall("li")
    # the words are page text (legible at any width), each bar a drawing without words
    assert [" ".join(span.text for span in row.iter("span")) for row in rows] == [
        "Impact workers 9.5 / 11.2",
        "Price 20.0 / 30.0",
    ]
    assert not list(root.iter(SVG + "text"))
    # one scale: Price could give the most (30), so its track fills the cell; Impact workers'
    # track is 11.25 / 30 = 37.5 % of it and its bar 9.5 / 30 = 31.67 %
    widths = [[round(float(r.get("width")), 2) for r in row.iter(SVG + "rect")] for row in rows]
    assert widths == [[37.5, 31.67], [100.0, 66.67]]
    assert rows[0].get("title") == "Impact workers: 9.5 of 11.2 points"
    assert charts.metric_bars([]) == ""


def test_legend_swatches_use_the_pillar_colours():
    legend = str(charts.pillar_legend())
    assert [re.search(r'fill="([^"]+)"', part)[1] for part in legend.split("</svg>")[:3]] == [
        charts.IMPACT,
        charts.COST,
        charts.QUALITY,
    ]
    assert "impact" in legend and "quality" in legend


# ---------------------------------------------------------------------------------------------
# User text is text


def hostile_charts() -> list[str]:
    return [
        str(charts.frontier_chart(FRONTIER, CHOSEN, SCRIPT_VENDOR)),
        str(charts.horizontal_bar_chart([(SCRIPT_VENDOR, 10.0), ("Quote \" ' Ltd", 5.0)])),
        str(
            charts.metric_bars(
                [{"label": SCRIPT_VENDOR, "pillar": "impact", "points": 1.0, "possible": 2.0}]
            )
        ),
    ]


@pytest.mark.parametrize("index", range(3))
def test_user_text_is_escaped_never_markup(index):
    svg = hostile_charts()[index]
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in svg
    root = ElementTree.fromstring(svg)  # well-formed: the quote in a name closed no attribute
    assert not list(root.iter(SVG + "script")) and not list(root.iter("script"))
    shown = texts(root) + [span.text for span in root.iter("span")]  # drawn, or page text
    assert SCRIPT_VENDOR in shown  # shown literally


def test_quotes_in_names_stay_inside_their_attribute():
    root = parse(charts.horizontal_bar_chart([("Quote \" ' Ltd", 5.0)]))
    assert root.get("aria-label") == "Cost: Quote \" ' Ltd $5"
    assert set(root.attrib) == {
        "class",
        "role",
        "aria-label",
        "width",
        "height",
        "viewBox",
        "font-family",
    }


def test_characters_xml_cannot_carry_are_dropped_and_long_names_cut():
    name = "Bad\x00\x01\x1b name\u200b " + "x" * 80
    root = parse(charts.horizontal_bar_chart([(name, 1.0)]))
    (label,) = (t for t in texts(root) if t.startswith("Bad"))
    assert label.endswith("…") and len(label) <= charts.LABEL_CHARACTERS
    assert "\x00" not in label and label.startswith("Bad name")


# ---------------------------------------------------------------------------------------------
# Deterministic


def test_same_input_same_bytes():
    assert hostile_charts() == hostile_charts()
    points = [dict(point) for point in reversed(FRONTIER)]  # another order, copies
    assert charts.frontier_chart(points, dict(CHOSEN), "Plan B") == charts.frontier_chart(
        FRONTIER, CHOSEN, "Plan B"
    )
    for svg in hostile_charts():
        assert not re.search(r'\bid="', svg)  # no generated ids to differ or collide
        assert not re.search(r"\d\.\d{3,}", svg)  # coordinates at two decimals at most


# ---------------------------------------------------------------------------------------------
# Numbers on the axes


@pytest.mark.parametrize(
    ("low", "high", "most", "expected"),
    [
        (0.0, 99.5, 5, [0, 20, 40, 60, 80]),  # 99.5 / 5 = 19.9 → steps of 20
        (0.0, 118.0, 5, [0, 50, 100]),  # 23.6 → 50: 20 would need six intervals
        (92_800.0, 133_600.0, 6, [100_000, 110_000, 120_000, 130_000]),  # 6,800 → 10,000
        (39.2, 60.8, 8, [40, 45, 50, 55, 60]),  # 2.7 → 5
        (0.31, 0.37, 6, [0.31, 0.32, 0.33, 0.34, 0.35, 0.36, 0.37]),  # 0.01: no 0.30999999
        (5.0, 5.0, 6, [5.0]),
    ],
)
def test_nice_ticks(low, high, most, expected):
    """Steps of 1, 2 or 5 × 10^k: the first such step ≥ (high − low) / most."""
    assert charts.nice_ticks(low, high, most) == expected


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (495_000, None, "$495k"),
        (1_800, None, "$1.8k"),
        (950, None, "$950"),
        (1_250_000, None, "$1.25M"),
        (6_500, 500, "$6.5k"),
        (12_500, 500, "$12.5k"),  # ticks $12.0k, $12.5k: not "$12k", "$12k"
        (1_202_000, 2_000, "$1.202M"),
        (-1_500, None, "−$1.5k"),
        (0, 20_000, "$0"),
    ],
)
def test_money_label(value, step, expected):
    assert charts.money_label(value, step) == expected


def test_chart_colours_are_defined_only_in_the_chart_module():
    """Python and templates take the chart colours from procure.charts; the stylesheets keep only
    their theme (the focus ring shares the cost blue, the headings the impact teal)."""
    colours = re.compile("|".join([charts.COST, charts.QUALITY, charts.OTHERS, charts.TRACK]), re.I)
    defined_elsewhere = [
        path.relative_to(ROOT).as_posix()
        for folder in ("procure", "templates")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html"}
        and path != ROOT / "procure" / "charts.py"
        and colours.search(path.read_text(encoding="utf-8"))
    ]
    assert defined_elsewhere == []
    stylesheet = (ROOT / "procure" / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert ".swatch-" not in stylesheet  # the legend's swatches are drawn by the chart module


def test_stacked_columns_fit_the_tallest_column_and_keep_proportions():
    """Totals 71,792, 71,792, 23,931 (the demo's actual spend per quarter): nice ticks stop at
    60,000, below the tallest column; every column must still stand whole, its height in
    proportion to its total."""
    svg = charts.stacked_columns(
        ["Q1", "Q2", "Q3"],
        [
            ("With impact vendors", "#0f766e", [30_039.0, 30_039.0, 10_013.0]),
            ("With other vendors", "#94a3b8", [41_753.0, 41_753.0, 13_918.0]),
        ],
        "Actual spend (USD) per quarter",
    )
    rects = [
        r
        for r in parse(svg).iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None and r.find(f"{SVG}title").text.startswith("Q")
    ]
    heights: dict[str, float] = {}
    for rect in rects:
        column = rect.find(f"{SVG}title").text.split(",")[0]
        heights[column] = heights.get(column, 0.0) + float(rect.get("height"))
        assert float(rect.get("y")) >= 0
    # clipped at the top tick (60,000), the ratio would be 60,000 / 23,931 = 2.51 instead of 3.00
    assert heights["Q1"] / heights["Q3"] == pytest.approx(71_792 / 23_931, rel=1e-3)


def test_plans_chart_rings_each_plan_names_it_and_draws_the_budget():
    plans = [("Cheapest", 44_000.0, 302_000.0), ("Most jobs", 53_000.0, 334_000.0)]
    root = parse(charts.plans_chart([*plans, ("Unsolved", None, None)], [(334_000.0, "Most")]))
    rings = [c for c in root.iter(SVG + "circle") if c.get("stroke") == charts.QUALITY]
    assert len(rings) == 2  # the unsolved plan is not drawn
    shown = texts(root)
    assert "Cheapest" in shown and "Most jobs" in shown and "Budget $334k" in shown
    dashed = [line for line in root.iter(SVG + "line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1 and dashed[0].get("y1") == dashed[0].get("y2")
    # the budget line runs through the plan that spends exactly its budget
    most = max(rings, key=lambda c: float(c.get("cx")))
    assert abs(float(most.get("cy")) - float(dashed[0].get("y1"))) < 1e-6
    assert root.get("aria-label") == (
        "Total cost against impact-worker hours: Cheapest 44,000 at $302k; "
        "Most jobs 53,000 at $334k; budget of Most $334k"
    )
    assert charts.plans_chart(plans[:1]) is None  # one plan is no comparison
