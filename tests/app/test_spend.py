"""The impact spend report (issue 20): spend with impact vendors and other spend by category,
country and beneficiary group, per quarter and year, planned and actual, for a buyer
organization and for a coalition, with its arithmetic done by hand; the CSV and XLSX hold what
the JSON holds; bad parameters are refused by name; another organization sees none of it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from procure.coalitions import services as coalitions
from procure.coalitions.progress import group_shares
from procure.deliveries.services import record_delivery
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios.models import Scenario
from procure.spend.report import OVERLAP_NOTE, SpendLine, contributions, spend_report
from procure.spend.services import EXPORT_COLUMNS

# ------------------------------------------------------------------ the pure arithmetic


def _line(month, vendor, category, country, score, spend, groups=None, member=1):
    return SpendLine(member, month, vendor, category, country, score, spend, groups or {})


ALPHA_GROUPS = {"refugee_or_displaced": 50 / 200, "youth_neet": 80 / 200}
BETA_GROUPS = {"refugee_or_displaced": 10 / 100}
# the module docstring's worked example: Alpha (KE, score 70) 30,000 in data annotation, Beta
# (IN, score 40) 12,000 in customer support, both in 2026-Q1
EXAMPLE = [
    *(
        _line(date(2026, m, 1), 1, "data_annotation", "KE", 70, 10_000, ALPHA_GROUPS)
        for m in (1, 2, 3)
    ),
    *(
        _line(date(2026, m, 1), 2, "customer_support", "IN", 40, 4_000, BETA_GROUPS)
        for m in (1, 2, 3)
    ),
]


def _table(report):
    return {(r["period"], r["key"]): (r["impact_spend"], r["other_spend"]) for r in report["rows"]}


def test_the_worked_example_by_category_country_and_group():
    by_category = spend_report(EXAMPLE, by="category", period="quarter", impact_vendor_min_score=50)
    assert _table(by_category) == {
        ("2026-Q1", "data_annotation"): (30_000, 0),
        ("2026-Q1", "customer_support"): (0, 12_000),
    }
    # 30,000 of 42,000 = 0.714...
    assert by_category["total"]["impact_share"] == pytest.approx(30_000 / 42_000)
    by_country = spend_report(EXAMPLE, by="country", period="year", impact_vendor_min_score=50)
    assert _table(by_country) == {("2026", "KE"): (30_000, 0), ("2026", "IN"): (0, 12_000)}
    by_group = spend_report(EXAMPLE, by="group", period="quarter", impact_vendor_min_score=50)
    table = {key: pytest.approx(value) for key, value in _table(by_group).items()}
    # refugees: 30,000 × 50/200 = 7,500 with impact vendors, 12,000 × 10/100 = 1,200 other;
    # youth: 30,000 × 80/200 = 12,000
    assert table == {
        ("2026-Q1", "refugee_or_displaced"): (7_500, 1_200),
        ("2026-Q1", "youth_neet"): (12_000, 0),
    }
    # groups overlap: the total stays the spend, 42,000, not a sum of the groups
    assert by_group["totals"] == [
        {
            "period": "2026-Q1",
            "impact_spend": 30_000,
            "other_spend": 12_000,
            "spend": 42_000,
            "impact_share": pytest.approx(30_000 / 42_000),
        }
    ]
    assert by_group["groups_overlap"] is True and by_group["unattributed_spend"] == 0


def test_the_threshold_moves_a_vendor_between_impact_and_other():
    # at 40 Beta (score 40) is an impact vendor: all 42,000 with impact vendors
    report = spend_report(EXAMPLE, by="country", period="quarter", impact_vendor_min_score=40)
    assert report["total"]["impact_spend"] == 42_000 and report["total"]["other_spend"] == 0
    # a vendor without a score is never one, and without groups its spend reaches no group
    unscored = [_line(date(2026, 1, 1), 3, "x", "KE", None, 500)]
    report = spend_report(unscored, by="group", period="quarter", impact_vendor_min_score=0)
    assert report["rows"] == [] and report["unattributed_spend"] == 500
    assert report["total"]["other_spend"] == 500


def test_group_shares_and_contributions():
    # 50 refugees of 200 at the end; a group not stated is left out; no headcount: no groups
    workforce = {
        "headcount_end": 200,
        "categories": {"refugee_or_displaced": 50, "disability": None},
    }
    assert group_shares(workforce) == {"refugee_or_displaced": 0.25}
    assert group_shares({"categories": {"refugee_or_displaced": 5}}) == {}
    lines = [
        _line(date(2026, 1, 1), 1, "c", "KE", 70, 300, member=10),
        _line(date(2026, 1, 1), 2, "c", "KE", 30, 100, member=10),
        _line(date(2026, 1, 1), 1, "c", "KE", 70, 600, member=20),
    ]
    # of 1,000 in all: member 10 (named) 300 with impact vendors, the others 600
    assert contributions(lines, [10, 20], {10: "Member A"}, 50) == [
        {"member": "Member A", "impact_share": 0.3},
        {"member": "Other members", "impact_share": 0.6},
    ]


# ------------------------------------------------------------------ a buyer organization


def _need(organization, title, category, start, end) -> Need:
    need = Need(
        organization_id=organization.id,
        title=title,
        service_category=category,
        volume=1000,
        unit="hour",
        period_start=start,
        period_end=end,
        budget_usd=999_999.0,
    )
    db.session.add(need)
    db.session.flush()
    return need


def _disclosure(vendor, start, end, headcount, categories) -> Disclosure:
    disclosure = Disclosure(
        vendor_id=vendor.id,
        period_start=start,
        period_end=end,
        state="submitted",
        submitted_at=datetime(2026, 1, 1, tzinfo=UTC),
        figures={"workforce": {"headcount_end": headcount, "categories": categories}},
    )
    db.session.add(disclosure)
    db.session.flush()
    return disclosure


def _approved(organization, lines, vendors, needs, scored) -> Scenario:
    """A version 2 approved plan: `lines` (vendor key, need key, hours, cost)."""
    problem = {
        "version": 2,
        "needs": [
            {"id": key, "title": title, "unit": "hour", "period": period}
            for key, (title, period) in needs.items()
        ],
        "vendors": [
            {"id": key, "name": key, "impact_score": score, "impact_worker_share": 0.3}
            for key, score in vendors.items()
        ],
        "offers": [],
        "targets": {},
        "settings": {"hours_per_fte_year": 2000},
        "meta": {"scored_disclosures": scored},
    }
    result = {
        "status": "optimal",
        "allocations": [
            {"vendor": v, "need": n, "offer": "O1", "volume": h, "hours": h, "cost": c}
            for v, n, h, c in lines
        ],
    }
    scenario = Scenario(
        organization_id=organization.id,
        name="Spend plan",
        need_ids=[],
        targets={},
        status="approved",
        problem=problem,
        result=result,
    )
    db.session.add(scenario)
    db.session.commit()
    return scenario


@pytest.fixture
def spend_world(app, make_org, make_user, make_vendor):
    """Organization X's approved plan for the first half of 2026:

    - Alpha (KE, impact score 70): 6,000 h of data annotation over 2026-01..06 for 60,000 USD
      (10,000 a month);
    - Beta (IN, impact score 40): 600 h of the same need for 6,000 USD (1,000 a month) and
      3,000 h of customer support over 2026-01..03 for 15,000 USD (5,000 a month).

    The plan scored Alpha's 2025 disclosure (200 people at the end: 50 refugees, 80 young people
    not in employment or education) and Beta's (100 people: 10 refugees). Alpha disclosed 2026
    too (250 people: 100 refugees, 50 young). Deliveries: Alpha's annotation 9,000 USD in
    2026-02 and 11,000 in 2026-04, Beta's support 4,000 in 2026-02."""
    x, y = make_org("buyer", "Organization X"), make_org("buyer", "Organization Y")
    users = {
        "buyer_x": make_user("buyer", organization=x),
        "executive_x": make_user("executive", organization=x),
        "buyer_y": make_user("buyer", organization=y),
    }
    alpha, _ = make_vendor("Alpha Annotation", country="KE")
    beta, _ = make_vendor("Beta BPO", country="IN")
    annotation = _need(
        x, "Secret annotation need", "data_annotation", date(2026, 1, 1), date(2026, 6, 30)
    )
    support = _need(
        x, "Secret support need", "customer_support", date(2026, 1, 1), date(2026, 3, 31)
    )
    alpha_2025 = _disclosure(
        alpha,
        date(2025, 1, 1),
        date(2025, 12, 31),
        200,
        {"refugee_or_displaced": 50, "youth_neet": 80},
    )
    _disclosure(
        alpha,
        date(2026, 1, 1),
        date(2026, 12, 31),
        250,
        {"refugee_or_displaced": 100, "youth_neet": 50},
    )
    beta_2025 = _disclosure(
        beta, date(2025, 1, 1), date(2025, 12, 31), 100, {"refugee_or_displaced": 10}
    )
    a, b = f"V{alpha.id}", f"V{beta.id}"
    n_ann, n_sup = f"N{annotation.id}", f"N{support.id}"
    scenario = _approved(
        x,
        [(a, n_ann, 6000, 60_000), (b, n_ann, 600, 6_000), (b, n_sup, 3000, 15_000)],
        {a: 70.0, b: 40.0},
        {
            n_ann: ("Secret annotation need", {"start": "2026-01", "months": 6}),
            n_sup: ("Secret support need", {"start": "2026-01", "months": 3}),
        },
        {a: alpha_2025.id, b: beta_2025.id},
    )
    for vendor, need, month, amount in (
        (alpha, annotation, 2, 9_000),
        (beta, support, 2, 4_000),
        (alpha, annotation, 4, 11_000),
    ):
        fields = {
            "vendor_id": vendor.id,
            "need_id": need.id,
            "month": date(2026, month, 1),
            "delivered_volume": 100,
            "invoiced_amount": amount,
        }
        record_delivery(scenario, users["buyer_x"], fields)
    db.session.commit()
    return {"users": users, "x": x, "y": y, "scenario": scenario, "alpha": alpha, "beta": beta}


def _get(client, bearer, user, url):
    response = client.get(url, headers=bearer(user))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def _figures(report):
    return {
        (r["period"], r["key"]): (pytest.approx(r["impact_spend"]), pytest.approx(r["other_spend"]))
        for r in report["rows"]
    }


def test_planned_spend_of_a_buyer_by_category_country_and_year(client, bearer, spend_world):
    buyer = spend_world["users"]["buyer_x"]
    report = _get(client, bearer, buyer, "/api/v1/spend").json
    assert (report["basis"], report["by"], report["period"]) == ("planned", "category", "quarter")
    # Q1: annotation Alpha 3 × 10,000 = 30,000 impact, Beta 3 × 1,000 = 3,000 other; support
    # Beta 3 × 5,000 = 15,000 other. Q2: annotation 30,000 impact, 3,000 other
    assert _figures(report) == {
        ("2026-Q1", "data_annotation"): (30_000, 3_000),
        ("2026-Q1", "customer_support"): (0, 15_000),
        ("2026-Q2", "data_annotation"): (30_000, 3_000),
    }
    labels = {r["key"]: r["label"] for r in report["rows"]}
    assert labels == {"data_annotation": "Data annotation", "customer_support": "Customer support"}
    # Q1 30,000 of 48,000 = 0.625; Q2 30,000 of 33,000
    assert [(t["period"], t["spend"], t["impact_share"]) for t in report["totals"]] == [
        ("2026-Q1", 48_000, 0.625),
        ("2026-Q2", 33_000, pytest.approx(30_000 / 33_000)),
    ]
    by_country = _get(client, bearer, buyer, "/api/v1/spend?by=country&period=year").json
    # 2026: KE (Alpha) 60,000 impact; IN (Beta) 6,000 + 15,000 = 21,000 other
    assert _figures(by_country) == {("2026", "KE"): (60_000, 0), ("2026", "IN"): (0, 21_000)}
    assert {r["label"] for r in by_country["rows"]} == {"Kenya", "India"}
    # at a threshold of 40 Beta counts as an impact vendor: all 81,000
    low = _get(client, bearer, buyer, "/api/v1/spend?impact_vendor_min_score=40&period=year").json
    assert low["total"] == {
        "impact_spend": 81_000,
        "other_spend": 0,
        "spend": 81_000,
        "impact_share": 1,
    }


def test_planned_spend_by_overlapping_group_uses_the_scored_disclosure(client, bearer, spend_world):
    report = _get(
        client, bearer, spend_world["users"]["executive_x"], "/api/v1/spend?by=group"
    ).json
    # the 2025 disclosures the plan scored: Alpha refugees 50/200, youth 80/200; Beta refugees
    # 10/100. Q1 refugees: 30,000 × 0.25 = 7,500 impact; (3,000 + 15,000) × 0.1 = 1,800 other;
    # youth 30,000 × 0.4 = 12,000. Q2 refugees: 7,500 and 3,000 × 0.1 = 300; youth 12,000
    assert _figures(report) == {
        ("2026-Q1", "refugee_or_displaced"): (7_500, 1_800),
        ("2026-Q1", "youth_neet"): (12_000, 0),
        ("2026-Q2", "refugee_or_displaced"): (7_500, 300),
        ("2026-Q2", "youth_neet"): (12_000, 0),
    }
    assert report["groups_overlap"] is True
    assert any("overlap" in note for note in report["notes"])
    assert report["totals"][0]["spend"] == 48_000  # not 7,500 + 1,800 + 12,000


def test_actual_spend_uses_the_disclosure_of_the_delivered_month(client, bearer, spend_world):
    buyer = spend_world["users"]["buyer_x"]
    by_category = _get(client, bearer, buyer, "/api/v1/spend?basis=actual").json
    # invoiced: Q1 Alpha 9,000 (impact), Beta 4,000 (other); Q2 Alpha 11,000
    assert _figures(by_category) == {
        ("2026-Q1", "data_annotation"): (9_000, 0),
        ("2026-Q1", "customer_support"): (0, 4_000),
        ("2026-Q2", "data_annotation"): (11_000, 0),
    }
    by_group = _get(client, bearer, buyer, "/api/v1/spend?basis=actual&by=group").json
    # Alpha's months use its 2026 disclosure (refugees 100/250 = 0.4, youth 50/250 = 0.2); Beta's
    # 2026-02 has none covering it, so its 2025 one (refugees 0.1).
    # Q1 refugees 9,000 × 0.4 = 3,600 impact, 4,000 × 0.1 = 400 other; youth 9,000 × 0.2 = 1,800.
    # Q2 refugees 11,000 × 0.4 = 4,400; youth 11,000 × 0.2 = 2,200
    assert _figures(by_group) == {
        ("2026-Q1", "refugee_or_displaced"): (3_600, 400),
        ("2026-Q1", "youth_neet"): (1_800, 0),
        ("2026-Q2", "refugee_or_displaced"): (4_400, 0),
        ("2026-Q2", "youth_neet"): (2_200, 0),
    }


def _csv_rows(content: str):
    """The notes (rows of one cell "# ...", before the header) and the rows, read as a
    spreadsheet reads the file."""
    cells = list(csv.reader(io.StringIO(content)))
    notes = [row for row in cells if row and row[0].startswith("# ")]
    header, *rows = cells[len(notes) :]
    return notes, [dict(zip(header, row, strict=True)) for row in rows]


def _expected_rows(report):
    totals = [{"key": "", "label": "All spend", **t} for t in report["totals"]]
    return [[row.get(c) for c in EXPORT_COLUMNS] for row in [*report["rows"], *totals]]


def _number(text):
    if text in ("", None):
        return None if text is None else ""
    try:
        return float(text)
    except ValueError:
        return text


def test_csv_and_xlsx_hold_the_json_figures_and_the_notes(client, bearer, spend_world):
    buyer = spend_world["users"]["buyer_x"]
    query = "basis=planned&by=group&period=quarter"
    report = _get(client, bearer, buyer, f"/api/v1/spend?{query}").json
    expected = _expected_rows(report)
    assert len(expected) == 6  # 4 group rows and 2 periods' totals
    exported = _get(client, bearer, buyer, f"/api/v1/spend?{query}&format=csv")
    assert exported.mimetype == "text/csv"
    notes, rows = _csv_rows(exported.get_data(as_text=True))
    # a note with a comma in it ("overlap (a person may be in several), so ...") is one cell
    (overlap,) = [note for note in notes if "overlap" in note[0]]
    assert overlap == ["# " + OVERLAP_NOTE] and ", so the group figures" in OVERLAP_NOTE
    assert all(len(note) == 1 for note in notes)
    got = [[_number(row[c]) for c in EXPORT_COLUMNS] for row in rows]
    assert got == [[_number(str(v)) if v is not None else "" for v in row] for row in expected]
    workbook = load_workbook(
        io.BytesIO(_get(client, bearer, buyer, f"/api/v1/spend?{query}&format=xlsx").data)
    )
    sheet = workbook.worksheets[0]
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[0] == tuple(EXPORT_COLUMNS) or cells[0] == EXPORT_COLUMNS
    assert [[v if v is not None else "" for v in r] for r in cells[1:]] == [
        [v if v is not None else "" for v in row] for row in expected
    ]
    assert any("overlap" in (n[0] or "") for n in workbook["Notes"].iter_rows(values_only=True))


@pytest.mark.parametrize(
    "query, name",
    [
        ("basis=invoiced", "basis"),
        ("by=vendor", "by"),
        ("period=month", "period"),
        ("format=pdf", "format"),
        ("impact_vendor_min_score=101", "impact_vendor_min_score"),
        ("impact_vendor_min_score=lots", "impact_vendor_min_score"),
    ],
)
def test_a_bad_parameter_is_refused_by_name(client, bearer, spend_world, query, name):
    headers = bearer(spend_world["users"]["buyer_x"])
    response = client.get(f"/api/v1/spend?{query}", headers=headers)
    assert response.status_code == 422
    assert name in response.json["errors"], response.json
    page = client.get(f"/spend?{query}", headers=headers)
    assert page.status_code == 422 and f'href="#{name}"' in page.get_data(as_text=True)


def test_another_organization_sees_none_of_it(client, bearer, spend_world):
    report = _get(client, bearer, spend_world["users"]["buyer_y"], "/api/v1/spend").json
    assert report["rows"] == [] and report["totals"] == [] and report["total"]["spend"] == 0
    page = _get(client, bearer, spend_world["users"]["buyer_y"], "/spend")
    assert "No approved plan yet" in page.get_data(as_text=True)


def test_the_page_shows_the_table_the_chart_the_downloads_and_the_overlap(
    client, bearer, spend_world
):
    page = _get(client, bearer, spend_world["users"]["buyer_x"], "/spend?by=group").get_data(
        as_text=True
    )
    assert "<h1>Impact spend</h1>" in page
    assert "<svg" in page and "With impact vendors" in page
    assert "Refugees or displaced people" in page and "7,500" in page
    assert "Groups overlap" in page
    assert "/api/v1/spend?" in page and "format=csv" in page and "format=xlsx" in page
    assert "Secret annotation need" not in page


# ------------------------------------------------------------------ a coalition


@pytest.fixture
def coalition_spend(spend_world, make_org, make_user):
    """Organization X and Y are members of a coalition (threshold 50); X shares its
    contribution by name. Y has an approved plan: Alpha 2,000 USD in 2026-01 (1 month)."""
    backbone = make_org("backbone", "Secretariat")
    coordinator = make_user("coordinator", organization=backbone)
    executive_y = make_user("executive", organization=spend_world["y"])
    coalition = coalitions.create_coalition(
        coordinator,
        {
            "name": "Spend coalition",
            "charter": "Together.",
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 12, 31),
            "impact_vendor_min_score": 50.0,
        },
    )
    for organization in (spend_world["x"], spend_world["y"]):
        coalitions.invite_member(coalition, coordinator, organization.id)
    coalitions.accept_invitation(coalition, spend_world["users"]["executive_x"])
    coalitions.accept_invitation(coalition, executive_y)
    admin_x = make_user("admin", organization=spend_world["x"])
    coalitions.set_sharing(coalition, admin_x, True)
    db.session.commit()
    need = _need(
        spend_world["y"], "Y's own secret", "data_annotation", date(2026, 1, 1), date(2026, 1, 31)
    )
    a = f"V{spend_world['alpha'].id}"
    _approved(
        spend_world["y"],
        [(a, f"N{need.id}", 200, 2_000)],
        {a: 70.0},
        {f"N{need.id}": ("Y's own secret", {"start": "2026-01", "months": 1})},
        {},
    )
    outsider = make_user("buyer", organization=make_org("buyer", "Outsider"))
    return {
        "coalition": coalition,
        "coordinator": coordinator,
        "executive_y": executive_y,
        "outsider": outsider,
    }


def test_a_coalition_report_sums_the_members_and_names_only_who_shares(
    client, bearer, spend_world, coalition_spend
):
    url = f"/api/v1/coalitions/{coalition_spend['coalition'].id}/spend"
    # at the default minimum of 3 members, two members' sums are withheld, every cell of them
    withheld = _get(client, bearer, coalition_spend["coordinator"], f"{url}?period=year").json
    assert [row["suppressed"] for row in withheld["rows"]] == [True, True]
    assert {row["spend"] for row in withheld["rows"]} == {None}
    assert withheld["total"]["spend"] is None and withheld["contributions"] == []
    assert withheld["suppressed_reason"] == "fewer than 3 members; not shown"
    # the sums themselves, with the small-cell rule off (a minimum of 1 member)
    client.application.config["COALITION_MIN_CELL_MEMBERS"] = 1
    report = _get(client, bearer, coalition_spend["coordinator"], f"{url}?period=year").json
    # 2026: X's annotation 60,000 impact + 6,000 other, support 15,000 other; Y's annotation
    # 2,000 impact: annotation 62,000 and 6,000, support 0 and 15,000; 62,000 of 83,000
    assert _figures(report) == {
        ("2026", "data_annotation"): (62_000, 6_000),
        ("2026", "customer_support"): (0, 15_000),
    }
    assert report["members"] == 2 and report["impact_vendor_min_score"] == 50
    # X shares: 60,000 / 83,000; Y (not sharing) as "Other members": 2,000 / 83,000
    assert report["contributions"] == [
        {"member": "Organization X", "impact_share": pytest.approx(60_000 / 83_000)},
        {"member": "Other members", "impact_share": pytest.approx(2_000 / 83_000)},
    ]
    client.application.config["COALITION_MIN_CELL_MEMBERS"] = 3
    text = _get(client, bearer, coalition_spend["executive_y"], f"{url}?format=csv").get_data(
        as_text=True
    )
    assert "Organization Y" not in text
    page = _get(
        client,
        bearer,
        coalition_spend["coordinator"],
        f"/coalitions/{coalition_spend['coalition'].id}/spend",
    ).get_data(as_text=True)
    for secret in (
        "Secret annotation need",
        "Secret support need",
        "Y's own secret",
        "999,999",
        "Alpha Annotation",
    ):
        assert secret not in page
    # outside the coalition: 404, pages and API
    outsider = bearer(coalition_spend["outsider"])
    assert client.get(url, headers=outsider).status_code == 404
    assert (
        client.get(
            f"/coalitions/{coalition_spend['coalition'].id}/spend", headers=outsider
        ).status_code
        == 404
    )
