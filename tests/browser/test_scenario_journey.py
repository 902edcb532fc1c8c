"""Journey 3 (DESIGN §1): a buyer builds a scenario whose targets cannot hold, reads why, fixes
the target on the page and gets a plan, then prepares the board PDF; the page's figures equal
the API's for the same scenario."""

from tests.conftest import TEST_PASSWORD


def test_an_impossible_scenario_is_explained_then_fixed(journey, world):
    page = journey.page
    journey.sign_in(world["buyer"].email, TEST_PASSWORD)
    journey.go("/scenarios")
    page.get_by_label("Name", exact=True).fill("Tight budget")
    page.get_by_label("Annotation 2026").check()
    page.get_by_label("Budget (USD)").fill("5000")  # the cheapest cover costs 6,400
    journey.shot("scenario-form")
    page.get_by_role("button", name="Build and solve").click()
    page.wait_for_selector("text=The targets cannot all hold.")
    journey.shot("infeasible-explained")
    scenario_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    api = journey.api(f"/api/v1/scenarios/{scenario_id}")
    assert api["status"] == "infeasible" and api["job"]["status"] == "succeeded"
    explanation = journey.api(f"/api/v1/scenarios/{scenario_id}/result.json")["explanation"]
    budget = explanation["targets"]["budget"]["achievable"]
    assert round(budget) == 6400
    assert "6,400" in page.locator("section.alert-error").inner_text()

    page.locator("#targets-budget").fill("7000")
    page.get_by_role("button", name="Save and solve").click()
    page.wait_for_selector(".kpis")
    journey.shot("solved")
    api = journey.api(f"/api/v1/scenarios/{scenario_id}")
    assert api["status"] == "solved" and api["totals"]["cost"] == 6400.0
    assert page.locator(".kpi-value").first.inner_text() == f"${api['totals']['cost']:,.0f}"
    rows = page.locator("section.card table").first.locator("tbody tr")
    result = journey.api(f"/api/v1/scenarios/{scenario_id}/result.json")
    assert rows.count() == len(result["allocations"])

    page.get_by_role("button", name="Prepare the board report (PDF)").click()
    download_link = page.locator("#report a.button-primary")
    download_link.wait_for()
    journey.shot("board-report-ready")
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == f"scenario-{scenario_id}-board-report.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
