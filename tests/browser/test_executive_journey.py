"""Journey 4 (DESIGN §1): an executive compares three submitted scenarios side by side, approves
one with a comment, and downloads its board PDF; the page's figures equal the API's."""

import io

from flask import current_app
from pypdf import PdfReader

from tests.conftest import TEST_PASSWORD


def test_an_executive_compares_approves_and_downloads_the_pdf(
    journey, world, make_user, make_scenario
):
    headers = world["headers"]
    api = current_app.test_client()
    ids = []
    # Alpha scores about 37.5 and Beta about 24.7 (claims without files count as self-reported);
    # each vendor takes at most 80 % of the need, so averages from about 27.2 to 34.9 are open
    for name, targets in (
        ("Cheapest", {}),
        ("Impact 30", {"min_avg_impact": 30}),
        ("Impact 33", {"min_avg_impact": 33}),
    ):
        created = make_scenario(name, **targets)
        assert created["status"] == "solved", created
        assert (
            api.post(f"/api/v1/scenarios/{created['id']}/submit", headers=headers).status_code
            == 200
        )
        ids.append(created["id"])
    executive = make_user("executive", organization=world["buyer"].organization)
    page = journey.page
    journey.sign_in(executive.email, TEST_PASSWORD)
    journey.go("/scenarios")
    for name in ("Cheapest", "Impact 30", "Impact 33"):
        page.get_by_label(f"Compare {name}").check()
    journey.shot("three-ticked")
    page.get_by_role("button", name="Compare the ticked scenarios (2–5)").click()
    page.wait_for_selector("text=Key figures")
    journey.shot("comparison")
    compared = journey.api(
        "/api/v1/scenarios/compare?" + page.url.split("?", 1)[1]
    )  # the page's order
    costs = next(row for row in compared["rows"] if row["label"].lower().startswith("total cost"))[
        "values"
    ]
    table = page.locator("section.card", has_text="Key figures").locator("tbody tr").first
    cells = table.locator("td").all_inner_texts()
    assert [cell.split("★")[0].strip() for cell in cells] == [f"${c:,.0f}" for c in costs]
    assert min(costs) == 6400.0 and len(set(costs)) == 3  # each impact target costs more
    # the cheapest is marked the row's best, and only it
    assert ["★" in cell for cell in cells] == [c == min(costs) for c in costs]

    page.get_by_role("link", name="Impact 30").first.click()
    page.wait_for_selector("text=Your decision")
    page.get_by_label("Comment (required to reject)").fill(
        "Worth the premium: more jobs for impact workers."
    )
    # the Reject and Approve buttons ask first; dismissing either leaves the scenario submitted
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Reject").click()
    page.wait_for_timeout(300)
    assert asked and asked.pop().startswith("Reject “Impact 30”?"), asked
    assert journey.api(f"/api/v1/scenarios/{ids[1]}")["status"] == "submitted"
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Approve").click()
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("Approve “Impact 30”?"), asked
    assert journey.api(f"/api/v1/scenarios/{ids[1]}")["status"] == "submitted"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector("text=Impact 30 is approved.")
    journey.shot("approved")
    approved = journey.api(f"/api/v1/scenarios/{ids[1]}")
    assert approved["status"] == "approved" and approved["decision_comment"].startswith(
        "Worth the premium"
    )
    assert "Approved" in page.locator("#audit").inner_text()

    # the board PDF, made again with the decision: ready, current, nothing to ask for
    link = page.locator("#report a.button-primary")
    link.wait_for()
    assert "made before the scenario last changed" not in page.locator("#report").inner_text()
    journey.shot("report-ready")
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as pdf:
        content = pdf.read()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert (
        "Impact 30" in text and f"{approved['totals']['cost']:,.0f}" in text and "Approved" in text
    )
