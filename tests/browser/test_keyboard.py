"""Every page can be used with the keyboard: signing in with keys only, sorting a table and
starting a job from it, and on each main page the Tab key reaches every visible control, in
order, without a trap."""

from tests.conftest import TEST_PASSWORD

FOCUSABLE = """() => Array.from(document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), '
    + 'select:not([disabled]), '
    + 'textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])'))
  .filter(e => e.offsetParent !== null || e.getClientRects().length)
  .filter(e => !e.closest('details:not([open])') || e.tagName === 'SUMMARY')
  .map(e => e.outerHTML.slice(0, 120))"""
ACTIVE = "() => document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ''"


def _tab_to(page, text: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if text in page.evaluate("() => document.activeElement.textContent || ''"):
            return
    raise AssertionError(f"Tab never reached {text!r}")


def test_sign_in_sort_and_start_a_job_with_the_keyboard_only(journey, world):
    page = journey.page
    journey.go("/sign-in")
    page.keyboard.press("Tab")  # the skip link comes first
    assert "Skip to content" in page.evaluate(ACTIVE)
    page.focus("input[name=email]")
    page.keyboard.type(world["buyer"].email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(journey.base + "/")
    journey.go("/scores")
    _tab_to(page, "Total")
    page.keyboard.press("Enter")
    assert page.locator("th", has_text="Total").get_attribute("aria-sort") == "ascending"
    scenario = page.request.post(
        journey.base + "/api/v1/scenarios",
        headers={"X-CSRFToken": _token(page)},
        data={"name": "Keys", "need_ids": [world["need"]["id"]]},
    )
    assert scenario.ok, scenario.text()
    journey.go(f"/scenarios/{scenario.json()['id']}")
    _tab_to(page, "Prepare the board report (PDF)")
    page.keyboard.press("Enter")
    page.locator("#report a.button-primary").wait_for()
    journey.shot("report-started-by-keyboard")


def _token(page) -> str:
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


def test_tab_reaches_every_control_on_the_main_pages(journey, world):
    page = journey.page
    journey.sign_in(world["buyer"].email, TEST_PASSWORD)
    for path in (
        "/",
        "/scenarios",
        "/scores",
        "/vendors",
        "/needs",
        "/profiles",
        "/metrics",
        "/account",
    ):
        journey.go(path)
        controls = page.evaluate(FOCUSABLE)
        reached = []
        for _ in range(3 * len(controls) + 5):  # a date field takes three stops (day, month, year)
            page.keyboard.press("Tab")
            active = page.evaluate(ACTIVE)
            if active not in reached:
                reached.append(active)
        missing = [c for c in controls if c not in reached]
        assert missing == [], f"{path}: Tab never reaches {missing[:5]}"
        order = [reached.index(c) for c in controls]
        assert order == sorted(order), f"{path}: the focus order differs from the page order"
