"""A phone's screen (390 px wide): every role of the demo opens its main pages without the page
itself scrolling sideways. A table wider than the screen scrolls inside its own box (and can be
focused to scroll it with the keys); the navigation folds behind a Menu button.

The pages are the links of the role's navigation on its home page, so the list follows the
navigation, and the first record of each kind those pages link to (a scorecard, a scenario, an
event, a coalition ...)."""

from __future__ import annotations

import re

import pytest

from procure.demo import DEMO_LOGINS
from tests.browser.conftest import ARTIFACTS, Journey

PHONE = {"width": 390, "height": 844}
ROLES = ("buyer", "executive", "admin", "vendor", "assurer", "operator", "coordinator")
# one record of each kind, taken from the links of the navigation's pages
RECORDS = (
    re.compile(r"^/vendors/\d+/scorecard"),
    re.compile(r"^/vendors/\d+$"),
    re.compile(r"^/scenarios/\d+$"),
    re.compile(r"^/scenarios/compare\?"),
    re.compile(r"^/needs/\d+$"),
    re.compile(r"^/disclosures/\d+$"),
    re.compile(r"^/events/\d+$"),
    re.compile(r"^/coalitions/\d+$"),
    re.compile(r"^/campaigns/\d+$"),
    re.compile(r"^/assurance/\d+"),
)
NAV_LINKS = "els => els.map(e => e.getAttribute('href'))"
PAGE_WIDTH = "() => document.documentElement.scrollWidth"
# tables wider than their box: [scrollWidth, clientWidth, tabindex] each
SCROLLING_TABLES = """() => Array.from(document.querySelectorAll('table.table'))
  .filter(t => t.scrollWidth > t.clientWidth + 1)
  .map(t => [t.scrollWidth, t.clientWidth, t.getAttribute('tabindex')])"""


def _login(role: str):
    return next(login for login in DEMO_LOGINS if login.role == role)


def _pages(journey: Journey) -> list[str]:
    """Home, the navigation's links, then the first record of each kind they link to."""
    page = journey.page
    paths = ["/"]
    for href in page.eval_on_selector_all("nav[aria-label=Main] a[href]", NAV_LINKS):
        if href.startswith("/") and href not in paths:
            paths.append(href)
    records: list[str] = []
    for path in list(paths):
        journey.go(path)
        for href in page.eval_on_selector_all("main a[href]", NAV_LINKS):
            for kind in RECORDS:
                if kind.search(href) and not any(kind.search(r) for r in records):
                    records.append(href)
    return paths + records


@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_fits_a_phone_screen(browser, live_server, demo, role):
    login = _login(role)
    context = browser.new_context(viewport=PHONE)
    journey = Journey(context.new_page(), live_server, ARTIFACTS / f"narrow-{role}")
    page = journey.page
    try:
        journey.sign_in(login.email, login.password)
        # the navigation is folded: one Menu button, the links hidden until it is pressed
        toggle = page.locator(".nav-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("nav[aria-label=Main]").is_visible()
        paths = _pages(journey)
        assert len(paths) >= 3, paths  # home, at least two links, whatever the role
        too_wide, scrolling = [], 0
        for path in paths:
            response = page.goto(live_server + path)
            assert response.status == 200, (role, path, response.status)
            width = page.evaluate(PAGE_WIDTH)
            if width > PHONE["width"]:
                too_wide.append(f"{path}: {width} px")
                journey.shot(re.sub(r"\W+", "-", path).strip("-") or "home")
            tables = page.evaluate(SCROLLING_TABLES)
            scrolling += len(tables)
            # a table that scrolls can be reached with Tab, to scroll it with the arrow keys
            assert all(tabindex == "0" for _, _, tabindex in tables), (path, tables)
        assert too_wide == [], f"{role}: pages wider than {PHONE['width']} px: {too_wide}"
        if role in ("buyer", "vendor", "operator"):
            assert scrolling > 0  # the demo has tables wider than a phone: they scroll inside

        # the menu opens with the keyboard, shows the links and the user menu, and still fits
        journey.go("/")
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("nav[aria-label=Main]").is_visible()
        assert page.get_by_role("button", name="Sign out").is_visible()
        assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]
        journey.shot("menu-open")
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("nav[aria-label=Main]").is_visible()
    finally:
        context.close()
    assert journey.errors == [], f"JavaScript errors: {journey.errors}"


def test_a_wide_screen_shows_the_navigation_without_a_menu_button(browser, live_server, demo):
    login = _login("buyer")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    journey = Journey(context.new_page(), live_server, ARTIFACTS / "narrow-wide-buyer")
    try:
        journey.sign_in(login.email, login.password)
        page = journey.page
        assert not page.locator(".nav-toggle").is_visible()
        assert page.locator("nav[aria-label=Main]").is_visible()
        journey.go("/scores")
        assert page.evaluate(PAGE_WIDTH) == 1280
        assert page.evaluate(SCROLLING_TABLES) == []  # no table scrolls, none joins the Tab order
    finally:
        context.close()
    assert journey.errors == [], f"JavaScript errors: {journey.errors}"


def test_a_tablet_scrolls_a_wide_card_inside_the_page(browser, live_server, demo):
    """At 800 px the vendor's scorecard tables are wider than their cards (854 px before the
    cards scrolled): the cards scroll, the page does not, and the navigation is not folded."""
    login = _login("vendor")
    context = browser.new_context(viewport={"width": 800, "height": 900})
    journey = Journey(context.new_page(), live_server, ARTIFACTS / "narrow-tablet-vendor")
    try:
        journey.sign_in(login.email, login.password)
        page = journey.page
        assert not page.locator(".nav-toggle").is_visible()
        journey.go("/scorecard")
        assert page.evaluate(PAGE_WIDTH) == 800
        cards = page.evaluate(
            """() => Array.from(document.querySelectorAll('.card'))
              .filter(c => c.scrollWidth > c.clientWidth + 1)
              .map(c => c.getAttribute('tabindex'))"""
        )
        assert cards and set(cards) == {"0"}, cards
    finally:
        context.close()
    assert journey.errors == [], f"JavaScript errors: {journey.errors}"
