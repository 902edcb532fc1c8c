"""The board PDF and the XLSX pack of a scenario, through the API."""

import io

import pandas as pd
from pypdf import PdfReader

from tests.conftest import NEED


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


def test_reports_need_a_solved_scenario_and_stay_private(
    client, world, make_user, bearer, make_scenario
):
    impossible = make_scenario("Impossible", budget=5000)
    refused = client.post(f"/api/v1/scenarios/{impossible['id']}/report", headers=world["headers"])
    assert refused.status_code == 409 and "solved" in refused.json["message"]
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
