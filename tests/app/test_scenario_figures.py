"""Every figure of a scenario adds up the same way on the page, in the board PDF, in the Excel
pack and in the API, in labour hours (issue 17), read through procure.scenarios.figures; and a
scenario solved before (a version 1 document) keeps the figures it was shown with."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from procure.accounts.models import User
from procure.db import utcnow
from procure.extensions import db
from procure.formatting import format_value
from procure.scenarios.models import Scenario
from procure.scenarios.report_context import board_context
from procure.states import ScenarioStatus
from procure.vendors.models import Offer
from tests.conftest import NEED, csrf_token_from

ITEM_OFFER = {
    "service_category": "digitisation_data_entry",
    "unit": "item",
    "price": 0.06,
    "currency": "USD",
    "hours_per_unit": 0.04,
    "capacity_per_period": 200000,
    "quality": 0.95,
}
ITEM_NEED = {
    **NEED,
    "title": "Invoice digitisation 2026",
    "service_category": "digitisation_data_entry",
    "unit": "item",
    "volume": 100000,
    "budget_usd": 30000,
}
# the world's disclosures: Alpha 55 of 115 impact workers, Beta 10 of 115 (6 decimals, as the
# problem document keeps them)
ALPHA_SHARE, BETA_SHARE = round(55 / 115, 6), round(10 / 115, 6)


def _vendor_headers(bearer, vendor) -> dict[str, str]:
    user = db.session.scalars(
        select(User).where(User.organization_id == vendor.organization_id)
    ).first()
    return bearer(user)


@pytest.fixture
def mixed(client, world, bearer):
    """The world plus item offers: Alpha 6.5 KES an item (0.03 h each), Beta $0.06 an item
    (0.04 h each); returns the ids of the two item offers."""
    alpha = client.post(
        f"/api/v1/vendors/{world['alpha'].id}/offers",
        headers=_vendor_headers(bearer, world["alpha"]),
        json={**ITEM_OFFER, "currency": "KES", "price": 6.5, "hours_per_unit": 0.03},
    )
    beta = client.post(
        f"/api/v1/vendors/{world['beta'].id}/offers",
        headers=_vendor_headers(bearer, world["beta"]),
        json=ITEM_OFFER,
    )
    assert alpha.status_code == beta.status_code == 201, (alpha.json, beta.json)
    return {"alpha_items": alpha.json["id"], "beta_items": beta.json["id"]}


def _solve_mixed(client, world, item_volume: float = 100000, **body) -> dict:
    item_need = client.post(
        "/api/v1/needs", headers=world["headers"], json={**ITEM_NEED, "volume": item_volume}
    ).json
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Mixed", "need_ids": [world["need"]["id"], item_need["id"]], **body},
    )
    assert created.status_code == 201 and created.json["status"] == "solved", created.json
    return created.json


def _get(client, world, scenario_id: int, what: str = "") -> dict:
    response = client.get(f"/api/v1/scenarios/{scenario_id}{what}", headers=world["headers"])
    assert response.status_code == 200, response.json
    return response.json


def _compare(client, world, *ids: int) -> dict:
    query = "&".join(f"ids={i}" for i in ids)
    response = client.get(f"/api/v1/scenarios/compare?{query}", headers=world["headers"])
    assert response.status_code == 200, response.json
    return response.json


def _kpi(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]+)<', html)
    assert match, element_id
    return match.group(1)


def _pdf_text(client, headers, scenario_id: int) -> str:
    started = client.post(f"/api/v1/scenarios/{scenario_id}/report", headers=headers)
    job = client.get(f"/api/v1/jobs/{started.json['id']}", headers=headers).json
    assert job["status"] == "succeeded", job
    pdf = client.get(job["file_url"], headers=headers).data
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def _xlsx(client, headers, scenario_id: int) -> dict[str, pd.DataFrame]:
    response = client.get(f"/api/v1/scenarios/{scenario_id}/export.xlsx", headers=headers)
    assert response.status_code == 200
    return pd.read_excel(io.BytesIO(response.data), sheet_name=None)


def _by_hand(problem: dict, result: dict) -> float:
    """Impact-worker hours from the documents' parts: Σ volume × the offer's hours per unit ×
    the vendor's impact-worker share (not from any total)."""
    offers = {o["id"]: o for o in problem["offers"]}
    shares = {v["id"]: v["impact_worker_share"] for v in problem["vendors"]}
    return sum(
        a["volume"] * offers[a["offer"]]["hours_per_unit"] * shares[a["vendor"]]
        for a in result["allocations"]
    )


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    alpha_hours=st.floats(0.01, 2.0),
    beta_hours=st.floats(0.01, 2.0),
    item_volume=st.integers(1000, 200000),
)
def test_impact_worker_hours_are_one_figure_in_the_api_page_pdf_and_excel(
    client, world, mixed, sign_in, make_user, bearer, alpha_hours, beta_hours, item_volume
):
    """A scenario over an hourly need and an item need priced per item: the issue's 341,093
    (API) against 28,564 (page, PDF) cannot happen, whatever the items' hours per unit."""
    for offer_id, hours in ((mixed["alpha_items"], alpha_hours), (mixed["beta_items"], beta_hours)):
        db.session.get(Offer, offer_id).hours_per_unit = hours
    db.session.commit()
    created = _solve_mixed(client, world, item_volume)
    sid, headers = created["id"], world["headers"]
    problem, result = (
        _get(client, world, sid, "/problem.json"),
        _get(client, world, sid, "/result.json"),
    )
    hours = result["totals"]["impact_worker_hours"]
    assert problem["version"] == 2 and "volume" not in result["totals"]
    assert abs(hours - _by_hand(problem, result)) < 1e-6
    # the items count: more than the hourly need's hours alone could give (1,000 h at most)
    hourly = sum(
        a["hours"] for a in result["allocations"] if a["need"] == f"N{world['need']['id']}"
    )
    assert hourly == 1000.0 and result["totals"]["labour_hours"] > hourly

    # the API: the scenario's totals and /impact
    assert created["totals"]["impact_worker_hours"] == hours
    impact = _get(client, world, sid, "/impact")
    assert impact["impact_worker_hours"] == hours
    assert abs(impact["fte_jobs"] - result["totals"]["impact_worker_jobs"]) <= 5e-7
    assert impact["labour_hours"] == result["totals"]["labour_hours"]
    # each vendor's figure is rounded to 6 decimals: their sum may be off by half a millionth
    # per vendor
    rounding = 5e-7 * len(impact["by_vendor"]) + 1e-9
    assert abs(sum(v["impact_worker_hours"] for v in impact["by_vendor"]) - hours) <= rounding
    assert abs(sum(v["hours"] for v in impact["by_vendor"]) - impact["labour_hours"]) <= rounding
    for vendor in impact["by_vendor"]:  # each vendor has hours and items: no volume adds them
        assert vendor["volume"] is None and set(vendor["volumes"]) == {"hour", "item"}

    # the page
    page_client = client.application.test_client()
    sign_in(page_client, world["buyer"])
    page = page_client.get(f"/scenarios/{sid}").text
    assert _kpi(page, "impact-worker-hours") == f"{hours:,.0f}"
    assert _kpi(page, "impact-worker-jobs") == f"{impact['fte_jobs']:.1f}"

    # the board PDF: its context and its text
    context = board_context(db.session.get(Scenario, sid))
    kpis = {k["label"]: k["value"] for k in context["kpis"]}
    assert kpis["Impact-worker hours"] == hours == context["impact"]["impact_worker_hours"]
    assert kpis["Labour hours"] == result["totals"]["labour_hours"]
    text = _pdf_text(client, headers, sid)
    assert f"{format_value(hours, 'integer')} Impact-worker hours" in text

    # the Excel pack
    sheets = _xlsx(client, headers, sid)
    assumptions = sheets["Assumptions"]
    row = assumptions[
        (assumptions["Section"] == "Impact") & (assumptions["Item"] == "Impact-worker hours")
    ]
    assert row["Value"].tolist() == [hours]
    scores, lines = sheets["Scores"], sheets["Allocations"]
    assert abs(scores["Impact-worker hours"].sum() - hours) <= 5e-7 * len(scores) + 1e-9
    labour = result["totals"]["labour_hours"]
    assert abs(lines["Labour hours"].sum() - labour) <= 5e-7 * len(lines) + 1e-9


def test_the_page_shows_labour_hours_per_need_and_the_price_as_offered(
    client, world, mixed, sign_in
):
    sid = _solve_mixed(client, world)["id"]
    problem = _get(client, world, sid, "/problem.json")
    kes = next(o for o in problem["offers"] if o["currency"] == "KES")
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{sid}").text
    assert "Each need" in page and "100,000 items" in page and "1,000 hours" in page
    # Alpha's 6.5 KES an item, at the rate it was converted with and that rate's date
    assert (
        f'KES 6.5000 <span class="muted">at {kes["rate"]:.6g} USD per KES on {kes["rate_date"]}'
        in page
    )
    assert "weighted by labour hours" in page
    # no total that adds items to hours: the cost's note counts labour hours
    assert re.search(r'kpi-sub">[\d,]+ labour hours<', page)
    assert not re.search(r'kpi-sub">[\d,]+ units<', page)


def test_hours_per_fte_year_is_frozen_in_the_document(client, world, make_scenario, sign_in):
    """Restarting with another PROCURE_HOURS_PER_FTE_YEAR moved an approved plan's jobs from
    13.7 to 15.9 (issue 17): a version 2 document keeps the setting it was solved with."""
    sid = make_scenario("Plan")["id"]
    before = _get(client, world, sid, "/impact")
    assert before["hours_per_fte_year"] == 2080
    assert before["fte_jobs"] == before["impact_worker_hours"] / 2080
    sign_in(client, world["buyer"])
    page_before = client.get(f"/scenarios/{sid}").text
    context_before = board_context(db.session.get(Scenario, sid))

    client.application.config["HOURS_PER_FTE_YEAR"] = 1800
    after = _get(client, world, sid, "/impact")
    assert after["fte_jobs"] == before["fte_jobs"] and after["hours_per_fte_year"] == 2080
    page = client.get(f"/scenarios/{sid}").text
    assert _kpi(page, "impact-worker-jobs") == _kpi(page_before, "impact-worker-jobs")
    assert "2,080 h a year, as solved" in page
    context = board_context(db.session.get(Scenario, sid))
    assert context["impact"]["fte_jobs"] == context_before["impact"]["fte_jobs"]
    assert any("2,080 hours per full-time year" in s for s in context["method"]["sources"])
    # a new solve takes the new setting
    again = make_scenario("Plan again")["id"]
    assert _get(client, world, again, "/impact")["hours_per_fte_year"] == 1800


# --------------------------------------------------------------------------- version 1


def _version_1_scenario(world) -> Scenario:
    """A scenario stored before labour hours were counted: a version 1 problem and result (no
    `version`; totals with volume), over the world's hourly need and an item need."""
    need = f"N{world['need']['id']}"
    alpha, beta = f"V{world['alpha'].id}", f"V{world['beta'].id}"
    problem = {
        "needs": [
            {"id": need, "title": "Annotation 2026", "unit": "hour", "volume": 1000.0},
            {"id": "N999", "title": "Old invoices", "unit": "item", "volume": 50000.0},
        ],
        "vendors": [
            {
                "id": alpha,
                "name": "Alpha Annotation",
                "capacity": None,
                "quality": 0.95,
                "impact_score": 60.0,
                "impact_worker_share": 0.5,
            },
            {
                "id": beta,
                "name": "Beta BPO",
                "capacity": None,
                "quality": 0.9,
                "impact_score": 30.0,
                "impact_worker_share": 0.1,
            },
        ],
        "offers": [
            {"vendor": alpha, "need": need, "price": 8.0, "capacity": None},
            {"vendor": beta, "need": need, "price": 6.0, "capacity": None},
            {"vendor": alpha, "need": "N999", "price": 0.05, "capacity": None},
        ],
        "targets": {"budget": 20000.0},
        "objective": "min_cost",
        "meta": {"excluded": [], "currency": "USD", "scored_disclosures": {}},
    }
    allocations = [
        {"need": need, "vendor": alpha, "volume": 600.0, "price": 8.0, "cost": 4800.0},
        {"need": need, "vendor": beta, "volume": 400.0, "price": 6.0, "cost": 2400.0},
        {"need": "N999", "vendor": alpha, "volume": 50000.0, "price": 0.05, "cost": 2500.0},
    ]
    result = {
        "status": "optimal",
        "objective": {"name": "min_cost", "value": 9700.0, "unit": "$"},
        "allocations": allocations,
        # version 1 totals: volume adds hours and items (51,000 "units"), impact-worker hours
        # count every unit (600 × 0.5 + 400 × 0.1 + 50,000 × 0.5 = 25,340)
        "totals": {
            "cost": 9700.0,
            "volume": 51000.0,
            "avg_impact": (600 * 60 + 400 * 30 + 50000 * 60) / 51000,
            "avg_quality": (600 * 0.95 + 400 * 0.9 + 50000 * 0.95) / 51000,
            "impact_spend_share": None,
            "impact_worker_hours": 25340.0,
            "impact_worker_hours_coverage": 1.0,
        },
        "constraints": [
            {
                "name": "budget",
                "kind": "budget",
                "label": "Total cost at most $20,000 (budget)",
                "binding": False,
                "slack": 10300.0,
                "shadow_price": 0.0,
                "unit": "$ per extra $",
            },
        ],
        "errors": [],
    }
    scenario = Scenario(
        organization_id=world["buyer"].organization_id,
        name="Approved in 2025",
        need_ids=[world["need"]["id"]],
        objective="min_cost",
        targets={},
        status=ScenarioStatus.APPROVED,
        submitted_at=utcnow(),
        decided_at=utcnow(),
        problem=problem,
        result=result,
        frontier={"status": "optimal", "points": [{"avg_impact": 59.0, "cost": 9700.0}]},
        profile_settings={},
    )
    db.session.add(scenario)
    db.session.commit()
    return scenario


def test_a_version_1_scenario_keeps_the_figures_it_was_shown_with(
    client, world, sign_in, make_user, bearer
):
    scenario = _version_1_scenario(world)
    sid = scenario.id
    # as always shown: hourly work only, 600 h × 0.5 + 400 h × 0.1 = 340 impact-worker hours
    # (the 50,000 items had no hours), / the app's 2,080 hours per full-time job
    impact = _get(client, world, sid, "/impact")
    assert impact["impact_worker_hours"] == 340.0
    assert impact["fte_jobs"] == 340.0 / 2080 and impact["labour_hours"] is None
    alpha = next(v for v in impact["by_vendor"] if v["vendor"] == "Alpha Annotation")
    assert alpha["volume"] == 50600.0 and alpha["hours"] == 600.0  # volume added as it was
    # volume-weighted, as shown then: (600 + 50,000) × 60 + 400 × 30 over 51,000 units
    figures = board_context(db.session.get(Scenario, sid))
    assert [k["label"] for k in figures["kpis"]] == [
        "Total cost",
        "Average impact",
        "Average quality",
        "Jobs for impact workers",
        "Impact-worker hours",
        "Vendors",
    ]
    assert figures["kpis"][4]["value"] == 340.0
    assert all(a["hours"] is None for a in figures["allocations"])
    assert (
        # the board reads no config path (#22): a plan solved before rates were data
        "Exchange rates: the platform's approximate period-end rates"
        in (figures["method"]["sources"])
    )
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{sid}").text
    assert "51,000 units" in page and "volume-weighted, 0–100" in page
    assert _kpi(page, "impact-worker-hours") == "340"
    assert "full-time jobs (hourly work)" in page and "Each need" not in page
    # the comparison of two version 1 plans has no labour-hours row and counts volume
    other = _version_1_scenario(world)
    comparison = _compare(client, world, sid, other.id)
    assert "labour_hours" not in {row["key"] for row in comparison["rows"]}
    assert comparison["vendor_measure"] == "volume"
    assert {r["vendor"]: r["values"] for r in comparison["vendor_rows"]}["Alpha Annotation"] == [
        50600.0,
        50600.0,
    ]
    sheets = _xlsx(client, world["headers"], sid)
    assert sheets["Allocations"]["Labour hours"].isna().all()
    # version 1 froze no setting: its jobs follow the app's
    client.application.config["HOURS_PER_FTE_YEAR"] = 1700
    assert _get(client, world, sid, "/impact")["fte_jobs"] == 340.0 / 1700
    # another organization reads none of it
    other_buyer = bearer(make_user("buyer"))
    assert client.get(f"/api/v1/scenarios/{sid}/impact", headers=other_buyer).status_code == 404


# --------------------------------------------------------------------------- the measure set


def test_a_plan_chosen_by_impact_worker_hours_speaks_of_jobs(client, world, make_scenario, sign_in):
    cheapest = make_scenario("Cheapest")
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={
            "name": "Most jobs",
            "need_ids": [world["need"]["id"]],
            "objective": "max_impact_worker_hours",
        },
    )
    assert created.status_code == 201 and created.json["status"] == "solved", created.json
    sid = created.json["id"]
    # Alpha (share 0.478261) takes its 80 % cap, Beta the rest: 800 × 0.478261 + 200 × 0.086957
    hours = 800 * ALPHA_SHARE + 200 * BETA_SHARE
    totals = created.json["totals"]
    assert abs(totals["impact_worker_hours"] - hours) < 1e-3 and totals["cost"] == 7600.0
    frontier = _get(client, world, sid, "/frontier")
    assert frontier["measure"] == "hours"
    points = [p for p in frontier["points"] if p["status"] == "optimal"]
    assert [p["impact_worker_hours"] for p in points] == sorted(
        p["impact_worker_hours"] for p in points
    )
    assert [p["cost"] for p in points] == sorted(p["cost"] for p in points)
    assert _get(client, world, cheapest["id"], "/frontier")["measure"] == "impact"

    comparison = _compare(client, world, cheapest["id"], sid)
    cheap_hours = 800 * BETA_SHARE + 200 * ALPHA_SHARE
    jobs, cheap_jobs = totals["impact_worker_jobs"], cheap_hours / 2080
    assert comparison["summary"][1] == (
        f"Most jobs costs {(7600 / 6400 - 1) * 100:.1f} % more than the cheapest plan (Cheapest) "
        f"and sustains {jobs:,.1f} full-time jobs for impact workers "
        f"({totals['impact_worker_hours']:,.0f} impact-worker hours), "
        f"{jobs - cheap_jobs:,.1f} more than the cheapest."
    )
    assert "average impact score" not in comparison["summary"][1]
    assert "labour_hours" in {row["key"] for row in comparison["rows"]}

    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{sid}").text
    assert (
        "Cost against impact-worker hours" in page
        and "Impact-worker hours of the allocation" in page
    )
    listing = client.get("/scenarios").text
    assert "most impact-worker hours" in listing
    assert (
        'value="max_impact_worker_hours"' in listing
        and "targets.min_impact_worker_hours" in listing
    )
    context = board_context(db.session.get(Scenario, sid))
    assert context["frontier"]["measure"] == "hours"
    assert context["summary"][0].startswith("Most jobs costs")  # the plan's own, in jobs


def test_the_page_form_sets_the_objective_and_an_hours_target(client, world, sign_in):
    sign_in(client, world["buyer"])
    listing = client.get("/scenarios")
    built = client.post(
        "/scenarios",
        data={
            "csrf_token": csrf_token_from(listing.text),
            "name": "At least 300 hours",
            "need_ids": [str(world["need"]["id"])],
            "objective": "min_cost",
            "targets.min_impact_worker_hours": "300",
        },
    )
    assert built.status_code == 302, built.text
    scenario = db.session.scalars(
        select(Scenario).where(Scenario.name == "At least 300 hours")
    ).one()
    result = scenario.result
    assert result["totals"]["impact_worker_hours"] >= 300 - 1e-6
    row = next(c for c in result["constraints"] if c["kind"] == "min_impact_worker_hours")
    assert row["binding"]  # the cheapest plan has 165 h
    assert scenario.frontier["measure"] == "hours"
    page = client.get(f"/scenarios/{scenario.id}").text
    assert "At least 300 impact-worker hours" in page
    bad = client.post(
        "/scenarios",
        data={
            "csrf_token": csrf_token_from(listing.text),
            "name": "Bad",
            "need_ids": [str(world["need"]["id"])],
            "objective": "max_impact_worker_hours",
            "targets.min_impact_worker_hours": "-5",
        },
    )
    assert bad.status_code == 422 and "min_impact_worker_hours" in bad.text
    assert db.session.scalars(select(Scenario).where(Scenario.name == "Bad")).first() is None


def test_a_needs_own_target_is_listed_with_the_need(client, world, sign_in):
    need = client.post(
        "/api/v1/needs",
        headers=world["headers"],
        # 30 lies between Beta's impact score (about 24.7) and Alpha's (about 37.5): it binds
        json={**NEED, "title": "Annotation with a target", "min_avg_impact": 30},
    ).json
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Need target", "need_ids": [need["id"]]},
    ).json
    result = _get(client, world, created["id"], "/result.json")
    row = next(c for c in result["constraints"] if c["kind"] == "need_avg_impact")
    assert row["need"] == f"N{need['id']}" and row["binding"]
    label = "“Annotation with a target”: average impact at least 30"
    sign_in(client, world["buyer"])
    assert label in client.get(f"/scenarios/{created['id']}").text
    context = board_context(db.session.get(Scenario, created["id"]))
    assert label in [c["label"] for c in context["constraints"]]
    comparison = _compare(client, world, created["id"], created["id"])
    binding = next(r for r in comparison["rows"] if r["key"] == "binding_targets")
    assert label in binding["values"][0]
