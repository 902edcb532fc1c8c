"""The interactive API docs page in Chromium: Swagger UI from the app's own files lists the
operations under the app's Content-Security-Policy, without a JavaScript error.

The page lists every area closed (procure/static/js/swagger-init.js); opening an area lists its
operations. The test opens each and counts every operation of the OpenAPI document."""


def test_the_docs_page_lists_the_operations(journey):
    hosts = set()
    journey.page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    response = journey.page.goto(journey.base + "/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    spec = journey.page.request.get(journey.base + "/api/v1/openapi.json").json()
    by_area: dict[str, int] = {}
    for methods in spec["paths"].values():
        for method, operation in methods.items():
            if method in ("get", "put", "post", "patch", "delete"):
                for tag in operation["tags"]:
                    by_area[tag] = by_area.get(tag, 0) + 1
    assert sum(by_area.values()) > 100
    page = journey.page
    page.locator(".opblock-tag-section").first.wait_for()
    assert page.locator(".opblock-tag-section").count() == len(by_area)  # every area, at once
    for area, operations in by_area.items():
        page.locator(f"#operations-tag-{area}").click()  # open it: its operations are listed
        listed = page.locator(".opblock-tag-section.is-open .opblock")
        listed.first.wait_for()
        assert listed.count() == operations, area
        page.locator(f"#operations-tag-{area}").click()  # and closed again
    page.locator("#operations-tag-accounts_api").click()
    assert page.get_by_text("/api/v1/auth/tokens").first.is_visible()
    page.locator(".opblock .opblock-summary").first.click()  # open one: its responses render
    page.get_by_text("Responses").first.wait_for()
    journey.shot("docs")
    assert hosts == {journey.base.split("/")[2]}  # nothing from a CDN
