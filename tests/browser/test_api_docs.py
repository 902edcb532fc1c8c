"""The interactive API docs page in Chromium: Swagger UI from the app's own files lists the
operations under the app's Content-Security-Policy, without a JavaScript error."""


def test_the_docs_page_lists_the_operations(journey):
    hosts = set()
    journey.page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    response = journey.page.goto(journey.base + "/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    operations = journey.page.locator(".opblock")
    operations.first.wait_for()
    assert operations.count() > 50  # every operation of every area, listed when the page opens
    assert journey.page.get_by_text("/api/v1/auth/tokens").first.is_visible()
    operations.first.locator(".opblock-summary").click()  # open one: its responses render
    journey.page.get_by_text("Responses").first.wait_for()
    journey.shot("docs")
    assert hosts == {journey.base.split("/")[2]}  # nothing from a CDN
