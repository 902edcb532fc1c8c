"""Browser tests: the real application served on 127.0.0.1 by a real WSGI server (werkzeug's,
threaded) over the test database, driven by Python Playwright in Debian's Chromium.

Never downloads a browser: Chromium comes from `apt-get install chromium` (/usr/bin/chromium, or
PROCURE_CHROMIUM). Without it or without playwright the tests skip with the reason, except when
PROCURE_REQUIRE_BROWSER=1 (CI sets it): then they fail. Screenshots of each step go to
test-artifacts/browser/<test>/ (not committed); JavaScript errors fail the test.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PROCURE_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("PROCURE_REQUIRE_BROWSER") == "1"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CLIENT_ERROR = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed (pip install '.[test]')"
    if not os.path.exists(CHROMIUM):
        return f"no Chromium at {CHROMIUM}: apt-get install chromium (or set PROCURE_CHROMIUM)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"PROCURE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        yield launched
        launched.close()


@pytest.fixture
def live_server(app):
    """The test app on a free port of 127.0.0.1, each request in its own thread and app context."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


class Journey:
    """A browser page with numbered screenshots and a record of JavaScript errors."""

    def __init__(self, page, base: str, folder: Path):
        self.page, self.base, self.folder = page, base, folder
        self.step = 0
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message) -> None:
        # a 4xx answer is the app refusing input on purpose (the live preview's 422); a 5xx is not
        if message.type == "error" and not CLIENT_ERROR.search(message.text):
            self.errors.append(message.text)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        self.step += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)

    def sign_in(self, email: str, password: str) -> None:
        self.go("/sign-in")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r".*/$"))

    def start_draft(self, email: str, password: str) -> int:
        """Sign in as a vendor's user and start its 2025 disclosure from the page; the draft's
        id, its form open."""
        self.sign_in(email, password)
        self.go("/vendor/disclosures")
        self.page.get_by_label("First day of the period").fill("2025-01-01")
        self.page.get_by_label("Last day of the period").fill("2025-12-31")
        self.page.get_by_role("button", name="Start draft").click()
        self.page.wait_for_selector("#disclosure-form")
        return int(self.page.url.rstrip("/").rsplit("/", 1)[1])

    def api(self, path: str) -> dict:
        """The API's answer for the same record, with the page's own session."""
        response = self.page.request.get(self.base + path)
        assert response.ok, (path, response.status)
        return response.json()


@pytest.fixture
def journey(browser, live_server, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    trip = Journey(page, live_server, ARTIFACTS / request.node.name)
    yield trip
    context.close()
    assert trip.errors == [], f"JavaScript errors: {trip.errors}"


def pytest_collection_modifyitems(items):
    """Every browser test carries the `browser` marker (leave them out with -m 'not browser')."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(" "))}`);
}"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, from PROCURE_AXE_JS or node_modules at the repository root."""
    path = Path(
        os.environ.get("PROCURE_AXE_JS") or ROOT / "node_modules" / "axe-core" / "axe.min.js"
    )
    if not path.is_file():
        reason = f"axe-core not found at {path}: npm install axe-core (or set PROCURE_AXE_JS)"
        if REQUIRED:
            pytest.fail(f"PROCURE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return path.read_text(encoding="utf-8")


@pytest.fixture
def axe_check(axe_source):
    """Run axe-core on a page: the list of its serious or critical violations."""

    def check(page) -> list[str]:
        page.evaluate(axe_source)
        return page.evaluate(SERIOUS)

    return check
