"""A solve run by a real Celery worker: the scenario page shows the job's progress as it moves
(app.js polls the jobs API) and shows the plan by itself when the job ends."""

import time

from playwright.sync_api import Error as PlaywrightError

from tests.conftest import TEST_PASSWORD


def test_the_page_follows_a_solve_on_a_worker(journey, world, start_worker):
    start_worker(step_delay=0.6)  # slow steps, so the progress can be watched
    page = journey.page
    journey.sign_in(world["buyer"].email, TEST_PASSWORD)
    journey.go("/scenarios")
    page.get_by_label("Name", exact=True).fill("Watched")
    page.get_by_label("Annotation 2026").check()
    page.get_by_role("button", name="Build and solve").click()
    bar = page.locator("progress.job-progress")
    bar.wait_for()
    assert page.locator("h1 .badge").inner_text() == "solving"
    seen = set()
    ends = time.monotonic() + 60
    while time.monotonic() < ends and page.locator(".kpis").count() == 0:
        try:
            value = page.evaluate(
                "() => document.querySelector('progress.job-progress')?.value ?? null"
            )
        except PlaywrightError as error:  # the page reloaded itself mid-read as the job ended
            if "Execution context was destroyed" not in str(error):
                raise
            value = None
        if value is not None:  # one read: the page may reload between two
            before = len(seen)
            seen.add(int(value))
            if before == 2 and len(seen) == 3:
                journey.shot("solving")
        time.sleep(0.3)
    assert len(seen) >= 3, f"the bar should move while the worker reports: saw {sorted(seen)}"
    page.locator(".kpis").first.wait_for()  # the page reloaded itself when the job ended
    journey.shot("solved")
    scenario_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    api = journey.api(f"/api/v1/scenarios/{scenario_id}")
    assert (
        api["status"] == "solved"
        and api["job"]["status"] == "succeeded"
        and api["job"]["progress"] == 100
    )
    assert page.locator(".kpi-value").first.inner_text() == f"${api['totals']['cost']:,.0f}"
    assert page.locator("h1 .badge").inner_text() == "solved"
