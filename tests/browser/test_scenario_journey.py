"""Journey 3 (DESIGN §1): a buyer builds a scenario whose targets cannot hold, reads why, applies
the suggested fix on the page and gets a plan, then prepares the board PDF; the page's figures equal
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

    # one figure per limit: the table says what the sentence says, and applies it
    fixes = page.locator("section.card", has_text="What each target allows on its own")
    budget_row = fixes.locator("tbody tr", has_text="Budget (USD)")
    cells = [c.strip() for c in budget_row.locator("td").all_inner_texts()]
    assert cells[1:3] == ["$5,000", "$6,400"], cells
    assert "e+" not in fixes.inner_text()  # no scientific notation
    budget_row.get_by_role("button", name="Apply this fix").click()
    page.wait_for_selector(".kpis")
    journey.shot("solved")
    api = journey.api(f"/api/v1/scenarios/{scenario_id}")
    assert api["status"] == "solved" and api["totals"]["cost"] == 6400.0
    assert api["targets"]["budget"] == 6400.0  # the fix, and nothing else changed
    assert api["name"] == "Tight budget"
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
