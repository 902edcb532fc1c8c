"""The board PDF and the XLSX pack of a scenario, through the API."""

import io

import pandas as pd
from openpyxl import load_workbook
from pypdf import PdfReader

from procure.docs import XLSX
from procure.extensions import db
from procure.scenarios.models import Scenario
from procure.states import ScenarioStatus
from tests.conftest import NEED, csrf_token_from


def _board_pdf(client, headers, scenario_id):
    """Render the board report through its job; returns the job document and the download."""
    started = client.post(f"/api/v1/scenarios/{scenario_id}/report", headers=headers)
    assert started.status_code == 202, started.json
    job = client.get(f"/api/v1/jobs/{started.json['id']}", headers=headers).json
    return job, client.get(job["file_url"], headers=headers) if job["file_url"] else None


def test_board_pdf_carries_the_scenarios_figures(client, world, make_scenario):
    scenario = make_scenario("Plan A")
    make_scenario("Plan B")
    job, response = _board_pdf(client, world["headers"], scenario["id"])
    assert (
        job["status"] == "succeeded"
        and job["kind"] == "report.board_pdf"
        and job["progress"] == 100
    )
    assert job["result"]["bytes"] == len(response.data)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="scenario-{scenario["id"]}-board-report.pdf"'
    )
    assert response.data.startswith(b"%PDF")
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split()
    )
    result = client.get(
        f"/api/v1/scenarios/{scenario['id']}/result.json", headers=world["headers"]
    ).json
    assert "Plan A" in text and "Plan B" in text
    assert f"{result['totals']['cost']:,.0f}" in text  # 6,400
    assert "Alpha Annotation" in text and "Beta BPO" in text
    assert "Impact workers as a share of headcount" in text  # the method appendix


def test_xlsx_pack_round_trips(client, world, make_scenario):
    scenario = make_scenario("Plan A")
    response = client.get(
        f"/api/v1/scenarios/{scenario['id']}/export.xlsx", headers=world["headers"]
    )
    assert response.status_code == 200
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None)
    assert {"Allocations", "Scores", "Comparison", "Assumptions"} <= set(sheets)
    allocations = sheets["Allocations"]
    assert (
        abs(allocations.select_dtypes("number").filter(like="ost").iloc[:, 0].sum() - 6400) < 1e-6
    )


def _pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def _impossible(make_scenario, **targets) -> dict:
    """An infeasible scenario: the cheapest plan costs 6,400 (Beta 6 and Alpha 8 USD per hour),
    and the budget is 5,000; its problem leaves a vendor out, as the page lists it under
    "Vendors left out"."""
    impossible = make_scenario("Impossible", budget=5000, **targets)
    assert impossible["status"] == "infeasible"
    scenario = db.session.get(Scenario, impossible["id"])
    left_out = {"vendor": 999, "name": "Gamma Works", "reason": "no submitted disclosure"}
    meta = {**scenario.problem["meta"], "excluded": [left_out]}
    scenario.problem = {**scenario.problem, "meta": meta}
    db.session.commit()
    return impossible


def test_an_infeasible_scenarios_board_pdf_says_why_it_has_no_plan(client, world, make_scenario):
    impossible = _impossible(make_scenario)
    job, response = _board_pdf(client, world["headers"], impossible["id"])
    assert job["status"] == "succeeded", job
    text = _pdf_text(response.data)
    assert (
        "Vendors left out Not in the problem, so their capacity and prices were not available "
        "to a plan: Gamma Works: no submitted disclosure" in text
    )
    assert "Impossible No plan meets every target No plan to approve" in text  # the cover
    assert (
        "No plan meets every target. Even at the cheapest eligible prices the work costs at "
        "least $6,400, above the budget of $5,000 (short by $1,400)." in text
    )
    # the conflicting target in words, one figure for each limit
    assert "Budget (USD) $5,000 $6,400 makes a plan possible" in text
    # the fix in the table's figures; the explanation's own sentence for it is the row above
    assert "Suggested fixes Set “Budget (USD)” to $6,400 (asked: $5,000). A buyer applies" in text
    assert "the least budget that meets all other targets" not in text
    # no allocation, comparison or impact tables: there is no plan
    for absent in ("Allocation by vendor", "Scenarios compared", "Impact on workers", "Method"):
        assert absent not in text, absent
    assert "Alpha Annotation" not in text and "Beta BPO" not in text
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 2  # the cover, then one page


def _sheet(workbook, name: str) -> list[tuple]:
    return list(workbook[name].iter_rows(values_only=True))


def test_an_infeasible_scenarios_excel_pack_says_why_it_has_no_plan(
    client, world, make_scenario, make_user, bearer
):
    """The pack of an infeasible scenario (it answered 409): no allocation, but why. The budget
    of 5,000 is below the cheapest plan (6,400); the impact minimum of 10 is no cause (relaxing
    it alone is not enough, and it is not among the rules that cannot all hold together)."""
    impossible = _impossible(make_scenario, min_avg_impact=10)
    url = f"/api/v1/scenarios/{impossible['id']}/export.xlsx"
    response = client.get(url, headers=world["headers"])
    assert response.status_code == 200 and response.mimetype == XLSX
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [
        "No plan",
        "Targets",
        "Conflict",
        "Needs",
        "Vendors left out",
        "Assumptions",
    ]
    cheapest = (
        "Even at the cheapest eligible prices the work costs at least $6,400, above the budget "
        "of $5,000 (short by $1,400)."
    )
    assert _sheet(workbook, "No plan") == [
        ("Section", "Text"),
        ("Scenario", "Impossible"),
        (
            "Outcome",
            "No plan meets every target. This pack therefore holds no allocation: no vendor is "
            "given work until the targets are changed and the scenario is solved again.",
        ),
        ("Why", cheapest),
        ("Cannot all hold together", "“Annotation 2026” must get its 1,000 hours"),
        ("Cannot all hold together", "Total cost at most $5,000 (budget)"),
        (
            "Cannot all hold together",
            "Beta BPO may take at most 80% of “Annotation 2026” (800 hours)",
        ),
        (
            "Target",
            "Budget (USD): asked $5,000, the best the others allow $6,400; relaxing it alone "
            "makes a plan possible",
        ),
        (
            "Target",
            "Minimum average impact (0–100): asked 10, the best the others allow —; relaxing it "
            "alone is not enough",
        ),
        ("Suggested fix", "Set “Budget (USD)” to $6,400 (asked: $5,000)."),
        (
            "Vendors left out",
            "1 not in the problem, so their capacity and prices were not available to a plan "
            "(the Vendors left out sheet)",
        ),
    ]
    # the change needed: 6,400 − 5,000 = 1,400 more, in dollars, written as numbers
    assert _sheet(workbook, "Targets") == [
        (
            "Target",
            "Asked",
            "Best the others allow",
            "Change needed",
            "Relaxing it alone",
            "In the conflicting set",
            "The explanation says",
            "Target key",
        ),
        (
            "Budget (USD)",
            5000,
            6400,
            1400,
            "makes a plan possible",
            "yes",
            "Budget short by $1,400: the least budget that meets all other targets is $6,400.",
            "budget",
        ),
        (
            "Minimum average impact (0–100)",
            10,
            None,
            None,
            "is not enough",
            "no",
            None,
            "min_avg_impact",
        ),
    ]
    assert workbook["Targets"]["B2"].number_format == '"$"#,##0.00'
    assert _sheet(workbook, "Conflict")[1:] == [
        ("“Annotation 2026” must get its 1,000 hours", "demand"),
        ("Total cost at most $5,000 (budget)", "budget"),
        ("Beta BPO may take at most 80% of “Annotation 2026” (800 hours)", "max_vendor_share"),
    ]
    assert _sheet(workbook, "Needs") == [
        (
            "Need",
            "Need id",
            "Unit",
            "Volume needed",
            "Minimum offer quality: target",
            "Largest vendor share: target",
        ),
        ("Annotation 2026", "N1", "hour", 1000, 0.9, 0.8),
    ]
    assert _sheet(workbook, "Vendors left out") == [
        ("Vendor", "Vendor id", "Reason"),
        ("Gamma Works", 999, "no submitted disclosure"),
    ]
    assumptions = _sheet(workbook, "Assumptions")
    assert ("Scenario", "Status", "infeasible", None) in assumptions
    # no plan, so no figures of one
    assert not {row[0] for row in assumptions} & {"KPI", "Impact", "Comparison", "Target"}
    # another organization's buyer is not given it
    assert client.get(url, headers=bearer(make_user("buyer"))).status_code == 404


def test_the_infeasible_scenarios_page_offers_its_board_pdf(
    client, world, make_scenario, sign_in, make_user
):
    impossible = make_scenario("Impossible", budget=5000)
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{impossible['id']}").text
    assert "Prepare the board report (PDF)" in page
    # and its Excel pack (why there is no plan)
    assert f'href="/api/v1/scenarios/{impossible["id"]}/export.xlsx">Excel pack</a>' in page
    # the page, as the PDF, says the budget's fix once, in its row: not also the explanation's
    # own sentence (which holds the limit unrounded)
    assert "the least budget that meets all other targets" not in page
    token = csrf_token_from(page)
    started = client.post(f"/scenarios/{impossible['id']}/report", data={"csrf_token": token})
    assert started.status_code == 302 and started.location.endswith("#report")
    page = client.get(f"/scenarios/{impossible['id']}").text
    assert "Board report (PDF)" in page and "board-report.pdf" in page
    # another organization's buyer is not shown the scenario, nor may start its report
    other = client.application.test_client()
    sign_in(other, make_user("buyer"))
    assert other.get(f"/scenarios/{impossible['id']}").status_code == 404
    token = csrf_token_from(other.get("/scenarios").text)
    refused = other.post(f"/scenarios/{impossible['id']}/report", data={"csrf_token": token})
    assert refused.status_code == 404


def test_reports_need_a_solved_scenario_and_stay_private(
    client, world, make_user, bearer, make_scenario
):
    impossible = make_scenario("Impossible", budget=5000)
    scenario = db.session.get(Scenario, impossible["id"])
    scenario.status, scenario.result = ScenarioStatus.DRAFT, None  # as after a failed solve
    db.session.commit()
    refused = client.post(f"/api/v1/scenarios/{impossible['id']}/report", headers=world["headers"])
    assert refused.status_code == 409 and refused.json["message"] == (
        "Only a solved scenario, or one that was solved and has no possible plan, has a board "
        "report."
    )
    unsolved = client.get(
        f"/api/v1/scenarios/{impossible['id']}/export.xlsx", headers=world["headers"]
    )
    assert unsolved.status_code == 409 and unsolved.json["message"] == (
        "Only a solved scenario, or one that was solved and has no possible plan, can be exported."
    )
    scenario = make_scenario("Plan A")
    other = bearer(make_user("buyer"))
    assert (
        client.post(f"/api/v1/scenarios/{scenario['id']}/report", headers=other).status_code == 404
    )
    job, _ = _board_pdf(client, world["headers"], scenario["id"])
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/jobs/{job['id']}/file", headers=other).status_code == 404
    assert (
        client.get(f"/api/v1/scenarios/{scenario['id']}/export.xlsx", headers=other).status_code
        == 404
    )


def test_reports_keep_needs_of_one_title_apart_and_name_them_as_solved(client, world):
    second = client.post(
        "/api/v1/needs", headers=world["headers"], json=NEED
    ).json  # the same title
    first = world["need"]
    scenario = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Both", "need_ids": [first["id"], second["id"]]},
    ).json
    assert scenario["status"] == "solved", scenario
    renamed = client.patch(
        f"/api/v1/needs/{first['id']}",
        headers=world["headers"],
        json={"title": "Renamed after the solve", "version": first["version"]},
    )
    assert renamed.status_code == 200, renamed.json
    sheets = pd.read_excel(
        io.BytesIO(
            client.get(
                f"/api/v1/scenarios/{scenario['id']}/export.xlsx", headers=world["headers"]
            ).data
        ),
        sheet_name=None,
    )
    allocations = sheets["Allocations"]
    assert set(allocations["Need"]) == {
        f"Annotation 2026 (need #{first['id']})",
        f"Annotation 2026 (need #{second['id']})",
    }
    assert set(allocations["Need id"]) == {f"N{first['id']}", f"N{second['id']}"}
    scores = sheets["Scores"].set_index("Vendor")
    assert (scores["Needs served"] == 2).all()  # each vendor serves both needs: they are not merged
    _, response = _board_pdf(client, world["headers"], scenario["id"])
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split()
    )
    assert (
        f"Annotation 2026 (need #{second['id']})" in text and "Renamed after the solve" not in text
    )
