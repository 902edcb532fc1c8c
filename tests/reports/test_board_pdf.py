"""The board PDF: content, order, layout, escaping, and a URL fetcher that reaches only our
assets."""

from __future__ import annotations

import base64
import io
import re
import socket
import statistics
from xml.etree import ElementTree

import pypdfium2
import pytest
from jinja2.exceptions import UndefinedError
from pypdf import PdfReader

from procure import charts
from procure.formatting import format_value
from procure.reports import board_pdf
from procure.reports.board_pdf import (
    STATIC_ROOT,
    RefusedURL,
    StaticOnlyFetcher,
    html_to_pdf,
    render_board_html,
    render_board_pdf,
    report_view,
)
from tests.reports.sample_context import sample_context

SCRIPT_VENDOR = "<script>alert(1)</script> & Co"
FORMULA_VENDOR = '=HYPERLINK("x")'
IMG_TAG = '<img src="http://example.com/x.png">'
LONG_VENDOR = (
    "Supercalifragilistic_Data_Annotation_Services_International_Holdings_Limited_"
    "Partnership_Nairobi"
)
MM = 72 / 25.4  # PDF points per millimetre
SVG = "{http://www.w3.org/2000/svg}"


def pages_text(pdf: bytes) -> list[str]:
    """Text of each page with runs of whitespace made single spaces (wrapped lines rejoin)."""
    return [
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def layout_text(pdf: bytes) -> list[str]:
    """Text of each page in drawing order (pdfium), lines kept: for things pypdf reorders."""
    document = pypdfium2.PdfDocument(pdf)
    return [
        document[index].get_textpage().get_text_range().replace("\r\n", "\n")
        for index in range(len(document))
    ]


def squash(text: str) -> str:
    """Text without any whitespace: a URL wrapped at a slash still matches."""
    return "".join(text.split())


def hostile_context(n_vendors: int = 12, n_needs: int = 3) -> dict:
    context = sample_context(n_vendors, n_needs)
    context["allocations"][0]["vendor"] = SCRIPT_VENDOR
    context["allocations"][1]["vendor"] = FORMULA_VENDOR
    context["allocations"][2]["vendor"] = LONG_VENDOR
    context["impact"]["by_vendor"][0]["vendor"] = f"{IMG_TAG} file:///etc/passwd"
    context["scenario"]["decision_comment"] = '<link rel="stylesheet" href="file:///etc/passwd"> ok'
    context["summary"].append("Vendors named <b>bold</b> stay & plain.")
    return context


@pytest.fixture(scope="module")
def sample():
    return sample_context()


@pytest.fixture(scope="module")
def sample_pdf(sample):
    return render_board_pdf(sample)


@pytest.fixture(scope="module")
def sample_text(sample_pdf):
    return pages_text(sample_pdf)


# ---------------------------------------------------------------------------------------------
# What the report says


def test_the_report_is_a_pdf_of_at_least_four_a4_pages(sample_pdf):
    assert sample_pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(sample_pdf))
    assert len(reader.pages) >= 4
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / MM), round(height / MM)) == (210, 297)


def test_cover_names_organization_scenario_status_approver_and_date(sample, sample_text):
    cover = sample_text[0]
    assert "NORTHWIND RETAIL GROUP" in cover  # set in capitals by the stylesheet
    assert sample["scenario"]["name"] in cover
    assert "Approved by Jonas Lindqvist on 2026-11-22" in cover
    assert "Generated 2026-11-22 07:45 UTC" in cover


def test_summary_sentences_and_kpis_are_printed_as_formatted(sample, sample_text):
    text = " ".join(sample_text)
    for sentence in sample["summary"]:
        assert sentence in text
    total_cost = next(k for k in sample["kpis"] if k["label"] == "Total cost")
    assert format_value(total_cost["value"], "money") in sample_text[1]  # on the summary page
    assert f"{format_value(total_cost['value'], 'money')} Total cost" in sample_text[1]


def test_sections_come_in_the_agreed_order(sample_text):
    text = " ".join(sample_text[1:])  # after the cover and its list of contents
    headings = [
        "Executive summary",
        "Scenarios compared",
        "Cost against impact",
        "Allocation by vendor",
        "Each need",
        "Impact on workers",
        "Targets and what they cost",
        "Method",
        "Pillar weights",
        "Impact metrics",
        "Evidence factors",
        "Sources",
        "Audit trail",
    ]
    positions = [text.find(heading) for heading in headings]
    assert -1 not in positions, dict(zip(headings, positions, strict=True))
    assert positions == sorted(positions)


def test_the_largest_vendors_and_every_metric_label_are_in_the_text(sample, sample_text):
    text = " ".join(sample_text)
    cost_by_vendor: dict[str, float] = {}
    for allocation in sample["allocations"]:
        cost_by_vendor[allocation["vendor"]] = (
            cost_by_vendor.get(allocation["vendor"], 0) + allocation["cost"]
        )
    for vendor in sorted(cost_by_vendor, key=cost_by_vendor.get, reverse=True)[:3]:
        assert vendor in text
    method_text = text[text.find("Method Vendors were scored") :]
    for metric in sample["method"]["metrics"]:
        assert metric["label"] in method_text
    assert "IRIS+ OI8869" in method_text and "third party reasonable 1.00" in method_text


def test_contents_and_running_footer_give_page_numbers(sample, sample_pdf, sample_text):
    pages = len(sample_text)
    footer = f"{sample['organization']} · {sample['scenario']['name']}"
    for number, text in enumerate(sample_text[1:], start=2):
        assert f"{footer} · page {number} of {pages}" in text
        assert "Board report · confidential" in text  # the running header
    assert "page 1 of" not in sample_text[0]  # the cover has no footer
    assert "confidential" not in sample_text[0]
    method_page = next(
        i for i, t in enumerate(sample_text, start=1) if "Method Vendors were scored" in t
    )
    audit_page = next(i for i, t in enumerate(sample_text, start=1) if i > 1 and "Audit trail" in t)
    contents = dict(
        re.findall(r"^(\w[\w ,]*?) ?\.{3,} ?(\d+)$", layout_text(sample_pdf)[0], re.MULTILINE)
    )
    assert contents["Method"] == str(method_page) and contents["Audit trail"] == str(audit_page)
    assert list(contents) == [
        "Executive summary",
        "Scenarios compared, cost against impact",
        "Allocation by vendor",
        "Impact on workers",
        "Targets and what they cost",
        "Method",
        "Audit trail",
    ]


def test_comparison_marks_the_chosen_scenario(sample, sample_pdf):
    page = next(t for t in layout_text(sample_pdf)[1:] if "Scenarios compared" in t)
    chosen_name = sample["comparison"]["scenarios"][sample["comparison"]["chosen"]]
    assert f"{chosen_name}\nthis scenario" in page
    assert page.count("this scenario") == 1
    html = render_board_html(sample, include_charts=False)
    assert len(re.findall(r'<td class="num chosen">', html)) == len(sample["comparison"]["rows"])


def test_binding_targets_show_shadow_prices_in_their_business_units(sample, sample_text):
    text = " ".join(sample_text)
    binding = sample["constraints"][0]
    assert binding["binding"] is True
    assert (
        f"{binding['label']} binding 0.00 "
        f"{format_value(binding['shadow_price'], 'signed')} {binding['unit']}" in text
    )
    # and in plain terms, what one more point costs
    assert f"{binding['meaning']} ({binding['label']})." in text


def test_page_one_is_not_blank_and_a_blank_page_is_told_apart():
    def pixel_spread(pdf: bytes) -> float:
        page = pypdfium2.PdfDocument(pdf)[0]
        image = page.render(scale=0.5).to_pil().convert("L")
        return statistics.pstdev(image.resize((120, 170)).tobytes())

    blank = html_to_pdf("<!doctype html><html><body></body></html>")
    assert pixel_spread(blank) < 1
    assert pixel_spread(render_board_pdf(sample_context(4, 2))) > 10


def test_charts_are_embedded_svg(sample):
    html = render_board_html(sample)
    assert html.count('src="data:image/svg+xml;base64,') == 2
    for encoded in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html):
        root = ElementTree.fromstring(base64.b64decode(encoded))  # a well-formed SVG document
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.find(SVG + "text") is not None


def test_frontier_chart_rings_the_chosen_plan_and_skips_unsolved_points(sample):
    svg = charts.frontier_chart(
        sample["frontier"]["points"], sample["frontier"]["chosen"], "Plan <B> & $x$"
    )
    assert svg.lstrip().startswith("<svg")  # an element: inline on pages, an image in the PDF
    assert ">This scenario</text>" in svg  # text stays text
    assert "Plan &lt;B&gt; &amp; $x$" in svg  # escaped, and `$` is no markup here
    assert charts.frontier_chart([{"avg_impact": 60, "cost": None, "status": "infeasible"}]) is None


def test_vendor_chart_folds_the_tail_into_others():
    items = [(f"Vendor {i:02d}", float(100 - i)) for i in range(17)]
    folded = charts.top_with_others(items, 15)
    assert [label for label, _ in folded][:2] == ["Vendor 00", "Vendor 01"]
    assert len(folded) == 16
    assert folded[-1] == (
        "Others (2 vendors)",
        85.0 + 84.0,
    )  # Vendor 15 (100 − 15) and Vendor 16 (100 − 16)
    assert (
        len(charts.top_with_others(items[:16], 15)) == 16
    )  # one extra vendor is shown, not folded


def test_large_scenario_folds_vendor_table_and_repeats_table_headers():
    context = sample_context(50, 10)
    pdf = render_board_pdf(context)
    text = pages_text(pdf)
    assert "Others (35 vendors)" in " ".join(text)
    # the impact table (one row per vendor) runs over pages: its header is on each of them
    assert sum("LIVING-WAGE" in page for page in text) >= 2
    for row in context["impact"]["by_vendor"]:
        assert row["vendor"] in " ".join(text)


def test_the_impact_table_names_the_vendors_with_most_impact_worker_hours_and_sums_the_rest():
    context = sample_context(80, 10)  # 80 vendors get work
    rows = context["impact"]["by_vendor"]
    view = report_view(context, include_charts=False)
    listed, rest = view["impact"]["by_vendor"], view["impact"]["rest"]
    assert len(listed) == board_pdf.IMPACT_TABLE_VENDORS == 50 and rest["vendors"] == 30
    names = {r["vendor"] for r in listed}
    assert min(r["impact_worker_hours"] for r in listed) >= max(
        r["impact_worker_hours"] for r in rows if r["vendor"] not in names
    )
    # nothing is lost: the listed rows and the summed line add up to every vendor's figures
    for key in ("impact_worker_hours", "volume", "share_of_volume"):
        assert sum(r[key] for r in listed) + rest[key] == pytest.approx(sum(r[key] for r in rows))
    text = " ".join(pages_text(render_board_pdf(context)))
    assert "30 more vendors (each in the Excel pack" in text
    assert all(r["vendor"] in text for r in listed)


def test_the_targets_table_lists_the_costliest_capacities_and_counts_the_rest():
    context = sample_context()
    context["constraints"] = [
        {
            "label": f"Capacity of vendor {i}",
            "binding": True,
            "slack": 0.0,
            "shadow_price": -i,
            "unit": "$ per hour",
            "meaning": None,
            "kind": "vendor_capacity",
        }
        for i in range(1, 26)
    ]
    view = report_view(context, include_charts=False)
    assert view["constraints_left_out"] == 5
    assert [c["label"] for c in view["constraints"]][:2] == [
        "Capacity of vendor 6",
        "Capacity of vendor 7",
    ]  # the 20 largest prices in size (25 … 6), in their order
    assert "5 more binding capacities of vendors or offers" in render_board_html(context, False)


def test_the_actuals_table_names_as_many_vendors_as_the_impact_table_and_sums_the_rest():
    def to_date(allocated: float, delivered: float) -> dict:
        return {
            "allocated_hours": allocated,
            "delivered_hours": delivered,
            "delivery_reliability": delivered / allocated,
            "projected_impact_worker_hours": allocated / 2,
            "actual_impact_worker_hours": delivered / 2,
            "volume_effect": (delivered - allocated) / 2,
            "share_effect": 0.0,
        }

    vendors = [{"vendor": f"Vendor {i:02d}", "to_date": to_date(100.0, 90.0)} for i in range(60)]
    context = sample_context()
    context["actuals"] = {
        "through": "2026-03",
        "to_date": dict(
            to_date(6000.0, 5400.0),
            actual_jobs=1.0,
            projected_jobs=1.1,
            invoiced_spend=1.0,
            planned_spend=1.0,
            actual_cost_per_job=1.0,
        ),
        "vendors": vendors,
        "sentences": [],
        "flags": [],
    }
    actuals = report_view(context, include_charts=False)["actuals"]
    assert [row["vendor"] for row in actuals["vendors"]] == [f"Vendor {i:02d}" for i in range(50)]
    # the ten others: 10 × 100 h allocated, 10 × 90 h delivered (90.0 %), 10 × −5 h volume effect
    rest = actuals["rest"]
    assert rest["vendors"] == 10
    assert rest["to_date"]["allocated_hours"] == 1000.0
    assert rest["to_date"]["delivered_hours"] == 900.0
    assert rest["to_date"]["delivery_reliability"] == pytest.approx(0.9)
    assert rest["to_date"]["volume_effect"] == -50.0
    html = render_board_html(context, include_charts=False)
    assert "10 more vendors (each in the Excel pack, sheet “Actuals”)" in html
    assert "Vendor 49" in html and "Vendor 50" not in html
    assert context["actuals"]["vendors"] == vendors  # the context is left as it was


def test_minimal_context_renders_with_empty_sections_explained():
    context = {
        "organization": "Acme",
        "generated_at": "2026-01-01 00:00 UTC",
        "scenario": {"name": "Bare", "status": "solved", "objective": "max_impact"},
    }
    text = " ".join(pages_text(render_board_pdf(context)))
    assert (
        "Solved, not yet submitted" in text
        and "Not approved: the figures may still change." in text
    )
    assert "Most impact within the budget" in text
    assert "The scenario allocates no work." in text
    assert "No cost-against-impact frontier was computed for this scenario." in text


def test_missing_fields_print_as_dashes_never_as_none():
    context = sample_context(4, 2)
    context["allocations"][0].pop("impact_score")
    context["allocations"][0]["price"] = None
    context["kpis"].append({"label": "Projected retention", "value": None})
    context["constraints"].append(
        {"label": "Spend with impact vendors at least 30 %", "binding": False}
    )
    context["audit"].append({"at": "2026-11-22 07:50", "action": "report.download"})
    context["frontier"]["chosen"] = {"avg_impact": None, "cost": None}
    html = render_board_html(context)
    assert "None" not in html
    text = " ".join(pages_text(html_to_pdf(html)))
    assert "– Projected retention" in text
    assert "Spend with impact vendors at least 30 % met with room – –" in text
    assert "2026-11-22 07:50 report.download" in text


# ---------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (285417.68, "money", "$285,418"),  # whole dollars from $1,000 up
        (58.8, "money", "$58.80"),
        (4.9, "price", "$4.90"),
        (0.315, "price", "$0.315"),  # up to four decimals where they are not zero
        (0.42, "price", "$0.42"),
        (12.0, "price", "$12.00"),
        (0.041, "percent", "4.1 %"),
        (0.939, "percent", "93.9 %"),
        (55.0, "number", "55.0"),
        (34109.0, "number", "34,109"),
        (12, "integer", "12"),
        (1.04, "ratio", "1.04"),
        (-170.41, "signed", "−170.41"),
        (-0.0, "signed", "0.00"),  # no "−0.00"
        (None, "money", "–"),
        (float("nan"), "number", "–"),
        (True, "number", "yes"),
        (["Budget", "Average impact at least 55"], "text", "Budget, Average impact at least 55"),
        ([], "text", "none"),  # e.g. no target binds
    ],
)
def test_format_value(value, fmt, expected):
    assert format_value(value, fmt) == expected


# ---------------------------------------------------------------------------------------------
# User data is text: escaped, never markup, never a URL to fetch


@pytest.fixture(scope="module")
def hostile():
    return hostile_context()


def test_user_text_is_escaped_in_the_html(hostile):
    html = render_board_html(hostile, include_charts=False)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert IMG_TAG not in html and 'href="file:///etc/passwd"' not in html


def test_user_text_prints_literally_and_nothing_it_names_is_fetched(hostile, monkeypatch):
    asked: list[str] = []
    original_fetch = StaticOnlyFetcher.fetch

    def recording_fetch(self, url, headers=None):
        asked.append(url)
        return original_fetch(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", recording_fetch)
    text = " ".join(pages_text(render_board_pdf(hostile)))
    assert SCRIPT_VENDOR in text
    assert FORMULA_VENDOR in text
    assert squash(f"{IMG_TAG} file:///etc/passwd") in squash(text)
    assert "Vendors named <b>bold</b> stay & plain." in text
    assert asked, "the stylesheet and the charts go through the fetcher"
    assert all(url.startswith(("data:", STATIC_ROOT.as_uri() + "/")) for url in asked), asked


def test_long_unbroken_names_stay_inside_the_page_margins(hostile):
    document = pypdfium2.PdfDocument(render_board_pdf(hostile))
    left_edge, right_edge = 16 * MM - 1, (210 - 16) * MM + 1
    for index in range(len(document)):
        page = document[index]
        text_page = page.get_textpage()
        for char in range(text_page.count_chars()):
            if text_page.get_text_range(char, 1).isspace():
                continue
            x0, _, x1, _ = text_page.get_charbox(char)
            assert left_edge <= x0 and x1 <= right_edge, (
                index + 1,
                text_page.get_text_range(char, 1),
                x0,
                x1,
            )


# ---------------------------------------------------------------------------------------------
# The URL fetcher


def test_fetcher_serves_data_uris_and_static_files():
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"
    response = fetcher.fetch((STATIC_ROOT / "css" / "report.css").as_uri())
    assert response.content_type == "text/css" and b"@page" in response.read()
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/report.css",
        "ftp://example.com/x.png",
        "file:///etc/passwd",
        STATIC_ROOT.as_uri() + "/../__init__.py",  # climbs out of the static folder
        STATIC_ROOT.as_uri() + "/css/../../settings.py",
        STATIC_ROOT.as_uri() + "/css/missing.css",  # inside, but no such file
        "file://intranet-host" + STATIC_ROOT.as_posix() + "/css/report.css",  # a remote file share
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_everything_else(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_a_symlink_that_leads_out_of_the_static_folder(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for reports")
    (static / "inside.txt").write_text("fine")
    (static / "link.txt").symlink_to(secret)
    fetcher = StaticOnlyFetcher(static)
    assert fetcher.fetch((static / "inside.txt").as_uri()).read() == b"fine"
    with pytest.raises(RefusedURL):
        fetcher.fetch((static / "link.txt").as_uri())


def test_weasyprint_never_opens_a_connection_for_markup_that_asks_for_one(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the report tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fetcher = StaticOnlyFetcher()
    html = (
        '<!doctype html><html><head><link rel="stylesheet" href="http://example.com/evil.css">'
        '<link rel="stylesheet" href="file:///etc/passwd"></head><body><p>text</p>'
        '<img src="http://example.com/x.png"><img src="file:///etc/passwd">'
        '<div style="background: url(https://example.com/bg.png)">x</div></body></html>'
    )
    pdf = html_to_pdf(html, url_fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert set(fetcher.refused) == {
        "http://example.com/evil.css",
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/bg.png",
    }


def test_the_environment_autoescapes_and_refuses_undefined_names():
    environment = board_pdf._environment()
    assert environment.autoescape is True
    with pytest.raises(UndefinedError):
        environment.from_string("{{ missing.name }}").render()


def test_needs_and_vendors_of_one_name_stay_apart():
    """Lines are grouped by id: two needs titled alike, or two vendors named alike, are not
    merged."""
    context = sample_context(6, 2)
    first_need, second_need = context["allocations"][0]["need"], context["allocations"][-1]["need"]
    vendors = sorted({a["vendor_id"] for a in context["allocations"]})
    for allocation in context["allocations"]:
        allocation["need"] = "Customer support"  # both needs have one title now
        if allocation["vendor_id"] in vendors[:2]:
            allocation["vendor"] = "Same Name Ltd"
    assert first_need != second_need
    view = report_view(context, include_charts=False)
    assert [row["need"] for row in view["need_rows"]] == ["Customer support", "Customer support"]
    assert sum(row["vendors"] for row in view["need_rows"]) == len(context["allocations"])
    assert sum(row["cost"] for row in view["need_rows"]) == pytest.approx(
        sum(a["cost"] for a in context["allocations"])
    )
    same = [row for row in view["vendors"] if row["vendor"] == "Same Name Ltd"]
    assert len(same) == 2
    assert sum(row["cost"] for row in same) == pytest.approx(
        sum(a["cost"] for a in context["allocations"] if a["vendor_id"] in vendors[:2])
    )


def test_a_comparison_list_is_counted_in_the_table_and_named_beneath_it():
    """Binding targets and vendors below a living wage are lists: in a column they ran a page
    long, a word a line. The table counts them; each plan's list follows, one plan a row."""
    context = sample_context()
    binding = [
        ["Total cost at most $334,000 (budget)", "Average impact at least 55"],
        ["Average impact at least 60"],
        [],
    ]
    context["comparison"]["rows"].append(
        {"label": "Binding targets", "values": binding, "format": "text"}
    )
    html = render_board_html(context, include_charts=False)
    table = html[html.index('<table class="data comparison">') : html.index("</table>")]
    row = table[table.index("Binding targets") :]
    assert [cell.strip() for cell in re.findall(r"<td[^>]*>([^<]*)</td>", row)] == ["2", "1", "0"]
    assert "Average impact at least 55" not in table
    lists = html[html.index("</table>") : html.index('id="frontier"')]
    names = context["comparison"]["scenarios"]
    assert re.findall(r"<dt[^>]*>([^<]+)</dt>", lists) == [
        names[0],
        f"{names[1]} (this scenario)",
        names[2],
    ]
    assert re.findall(r"<dd>([^<]+)</dd>", lists) == [
        "Total cost at most $334,000 (budget); Average impact at least 55",
        "Average impact at least 60",
        "none",
    ]


def test_a_long_unbroken_kpi_label_wraps_inside_its_card_and_the_cards_stay_equal():
    # report.css: overflow-wrap break-word (anywhere made WeasyPrint measure min-content widths
    # letter by letter) with minmax(0, 1fr) tracks, so a long word cannot widen its column
    context = sample_context()
    context["kpis"] = [
        {
            "label": "Impact_worker_hours_sustained_over_the_whole_plan",
            "value": 1,
            "format": "number",
        },
        {"label": "Second", "value": 2, "format": "number"},
        {"label": "Third", "value": 3, "format": "number"},
    ]
    html = render_board_html(context, include_charts=False)
    page = pypdfium2.PdfDocument(html_to_pdf(html))[1]  # the executive summary
    text = page.get_textpage()
    everything = text.get_text_range()
    lefts = []
    for label in ("Impact_worker", "Second", "Third"):
        lefts.append(text.get_charbox(everything.index(label))[0])
    # three equal columns of the 178 mm text column with 3.5 mm gaps: 59.67 mm apart
    assert lefts[1] - lefts[0] == pytest.approx(lefts[2] - lefts[1], abs=0.5)
    assert lefts[1] - lefts[0] == pytest.approx((178 + 3.5) / 3 * MM, abs=0.5)
    # the label breaks inside its card: its last character left of the second card
    end = everything.index("whole_plan") + len("whole_plan") - 1
    assert text.get_charbox(end)[2] < lefts[1]


def test_the_html_leaves_out_the_white_space_between_table_tags(sample):
    # a table never shows it, and WeasyPrint would make a text box of each (~900 at 1k vendors)
    html = render_board_html(sample, include_charts=False)
    assert html.count("<td") > 100
    assert not re.search(r"</?(?:table|colgroup|col|thead|tbody|tr|th|td)\b[^>]*>\n<", html)
    assert "</td><td" in html
