"""A buyer traces a scenario's frontier by impact-worker hours from the scenario page's frontier
form; the chart's axis and the sentence under the heading follow, and the page stays accessible."""

import os

from tests.conftest import TEST_PASSWORD


def test_the_buyer_traces_the_frontier_by_impact_worker_hours(
    journey, world, make_scenario, axe_check
):
    page = journey.page
    scenario_id = make_scenario("Plan")["id"]
    journey.sign_in(world["buyer"].email, TEST_PASSWORD)
    journey.go(f"/scenarios/{scenario_id}")
    frontier = page.locator("#frontier")
    assert frontier.get_by_role("heading").inner_text() == "Cost against impact"
    assert frontier.get_by_label("Trace the frontier by").input_value() == "impact"

    frontier.get_by_label("Trace the frontier by").select_option("hours")
    frontier.get_by_role("button", name="Trace again").click()
    page.wait_for_selector("#frontier h2:text-is('Cost against impact-worker hours')")
    journey.shot("frontier-by-hours")
    if os.environ.get("PROCURE_FRONTIER_PNG"):  # a picture of the section to look at by hand
        frontier.screenshot(path=os.environ["PROCURE_FRONTIER_PNG"])
    assert "Least cost for each number of impact-worker hours" in frontier.inner_text()
    assert "Impact-worker hours" in frontier.locator("svg").text_content()
    assert frontier.get_by_label("Trace the frontier by").input_value() == "hours"
    stored = journey.api(f"/api/v1/scenarios/{scenario_id}/frontier")
    assert stored["measure"] == "hours"
    assert axe_check(page) == []
