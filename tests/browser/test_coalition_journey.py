"""A backbone runs a coalition in a browser: its coordinator makes the coalition, finds two buyer
organizations by name and invites them, and sets a joint target in jobs; each member's executive
joins; both members have approved plans (written as tests/app/coalition_world.py writes them),
so the page shows projected progress; a member's buyer records a delivery on its plan's
deliveries page, and the coalition's page shows actual progress; the coordinator makes the
coalition report (PDF), downloads it, and its figures are the page's. axe-core checks each
page."""

from __future__ import annotations

import re

from procure.coalitions.report import in_measure
from tests.app.coalition_world import approved_plan, pdf_figures, pdf_text, plan_documents
from tests.conftest import TEST_PASSWORD, valid_document

LABEL = "25 jobs for impact workers in 2027"


def _figures(page) -> tuple[str, str]:
    return page.inner_text("strong.projected"), page.inner_text("strong.actual")


def test_a_backbone_sees_projected_and_actual_progress_and_the_pdf_agrees(
    app, journey, browser, client, bearer, make_org, make_user, make_vendor, axe_check, tmp_path
):
    # the journey, not the small-cell rule: with two members and one delivery every figure
    # would be withheld at the default minimum of 3 (tests/app/test_coalition_access.py)
    app.config["COALITION_MIN_CELL_MEMBERS"] = 1
    backbone = make_org("backbone", "Compact Secretariat")
    coordinator = make_user("coordinator", organization=backbone)
    harbour, kestrel = make_org("buyer", "Harbourside Foods"), make_org("buyer", "Kestrel Retail")
    make_org("buyer", "Harbour Logistics")  # found by the search too, never invited
    executives = {o.name: make_user("executive", organization=o) for o in (harbour, kestrel)}
    harbour_buyer = make_user("buyer", organization=harbour)
    alpha, vendor_user = make_vendor("Alpha Annotation")
    # Alpha's disclosure of 2027: 55 impact workers of 115 (share 55/115)
    vendor = bearer(vendor_user)
    created = client.post(
        "/api/v1/disclosures",
        headers=vendor,
        json={"vendor_id": alpha.id, **valid_document("2027-01-01", "2027-12-31")},
    )
    assert created.status_code == 201, created.json
    assert (
        client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=vendor).status_code
        == 200
    )
    vendors = {f"V{alpha.id}": {"impact_score": 70.0, "share": 0.5}}
    plans = {}
    for organization, hours in ((harbour, 24000), (kestrel, 12000)):
        line = [{"vendor": f"V{alpha.id}", "hours": hours, "cost": hours * 10}]
        plans[organization.name] = approved_plan(
            organization.id,
            f"{organization.name} plan 2027",
            *plan_documents("Annotation", "2027-01", line, vendors, 2000, 1e6),
        )
    page, problems = journey.page, []

    # the backbone makes the coalition
    journey.sign_in(coordinator.email, TEST_PASSWORD)
    journey.go("/coalitions/new")
    page.get_by_label("Name").fill("Impact Sourcing Compact 2027")
    page.get_by_label("Charter", exact=True).fill("Buy from impact vendors together.")
    page.get_by_label("Period from").fill("2027-01-01")
    page.get_by_label("Period until").fill("2027-12-31")
    problems += axe_check(page)
    page.get_by_role("button", name="Make the coalition").click()
    page.wait_for_selector("h1:has-text('Impact Sourcing Compact 2027')")
    coalition_url = page.url
    coalition_id = int(coalition_url.rstrip("/").split("/")[-1])

    # finds the two buyer organizations by name and invites them
    for query, name in (("harbour", "Harbourside Foods"), ("kestrel", "Kestrel Retail")):
        page.get_by_label("Organization name (or part of it)").fill(query)
        page.get_by_role("button", name="Search").click()
        page.wait_for_selector("#candidates-status")
        journey.shot(f"search-{query}")
        problems += axe_check(page)
        page.get_by_role("button", name=f"Invite {name}").click()
        page.wait_for_selector("text=Invited: the organization's executives and admin are told.")
    # a joint target in jobs
    page.get_by_role("link", name="New target").click()
    page.get_by_label("Target in words").fill(LABEL)
    page.get_by_label("Measure").select_option("impact_worker_jobs")
    page.get_by_label("Value").fill("25")
    problems += axe_check(page)
    page.get_by_role("button", name="Set the target").click()
    page.wait_for_selector(f"h3:has-text('{LABEL}')")

    # each member's executive joins
    for executive in executives.values():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        other = context.new_page()
        member = type(journey)(other, journey.base, journey.folder)
        member.sign_in(executive.email, TEST_PASSWORD)
        member.go(f"/coalitions/{coalition_id}")
        problems += axe_check(other)
        other.get_by_role("button", name="Join the coalition").click()
        other.wait_for_selector("text=Your organization joined the coalition.")
        context.close()

    # projected, from the two approved plans: (24,000 + 12,000) × 0.5 / 2,000 = 9.0 jobs
    journey.go(f"/coalitions/{coalition_id}")
    progress = journey.api(f"/api/v1/coalitions/{coalition_id}/progress")
    assert progress["targets"][0]["projected"] == 9.0
    assert _figures(page) == ("9.0", "–")
    journey.shot("projected")
    problems += axe_check(page)

    # Harbourside's buyer records a delivery on its plan's deliveries page
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = context.new_page()
    buyer = type(journey)(other, journey.base, journey.folder)
    buyer.sign_in(harbour_buyer.email, TEST_PASSWORD)
    buyer.go(f"/scenarios/{plans['Harbourside Foods'].id}/deliveries")
    other.get_by_label("Vendor").select_option(str(alpha.id))
    other.locator("#month").fill("2027-02")
    other.get_by_label("Delivered volume").fill("4000")
    other.get_by_label("Invoiced amount").fill("40000")
    problems += axe_check(other)
    other.get_by_role("button", name="Record").click()
    other.wait_for_load_state()
    context.close()

    # actual: 4,000 h × 55/115 / 2,000 = 0.9565 jobs, printed 1.0
    journey.go(f"/coalitions/{coalition_id}")
    progress = journey.api(f"/api/v1/coalitions/{coalition_id}/progress")
    target = progress["targets"][0]
    assert abs(target["actual"] - 4000 * 55 / 115 / 2000) < 1e-9
    on_page = _figures(page)
    assert (
        on_page
        == (
            in_measure(target["projected"], target["measure"]),
            in_measure(target["actual"], target["measure"]),
        )
        == ("9.0", "1.0")
    )
    journey.shot("actual")
    problems += axe_check(page)

    # the coalition report: made, downloaded, and the same figures as the page
    page.get_by_role("button", name="Prepare the coalition report (PDF)").click()
    link = page.get_by_role("link", name=re.compile(r"Download coalition-\d+-report\.pdf"))
    link.wait_for()
    journey.shot("report")
    problems += axe_check(page)
    pdf = page.request.get(journey.base + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body(), tmp_path)
    assert pdf_figures(text, [LABEL]) == {LABEL: on_page}
    assert "Harbourside Foods" in text and "Kestrel Retail" in text  # the members
    assert "Harbour Logistics" not in text
    assert problems == [], problems
