"""Journey 5 (DESIGN §1, issue 16): a buyer starts a disclosure campaign that invites a vendor not
on the platform; with no mail server the campaign page shows the invitation's link once. The
vendor opens it in a browser of its own, registers (its first user is its organization's admin,
who acts as the vendor), finds the request on its home page, fills in its profile, starts the
disclosure the campaign asks for, fills and submits it. The buyer's campaign page then shows the
vendor submitted (1 of the 2 asked), and the buyer has notifications of the acceptance and the
submission. axe-core checks the campaign pages and the vendor's home (PROCURE_AXE_JS or
node_modules, as in test_accessibility.py)."""

from __future__ import annotations

import re
from datetime import timedelta

from procure.campaigns.progress import today_utc
from tests.browser.conftest import Journey
from tests.conftest import TEST_PASSWORD, disclosure_form_fields, valid_document

PASSWORD = "Quiet lanterns over Kakuma 2026"
INVITEE = "amani@kakumadigital.example"


def _type(page, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        field = page.locator(f'#disclosure-form [name="{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def test_a_buyer_asks_a_new_vendor_which_registers_and_submits(
    journey, browser, make_user, make_vendor, axe_check
):
    make_vendor("Lumen BPO")  # on the platform, asked too: it stays registered
    buyer = make_user("buyer")
    page = journey.page
    problems: list[str] = []
    journey.sign_in(buyer.email, TEST_PASSWORD)
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Start a campaign").click()
    page.get_by_label("Year").fill("2025")
    deadline = today_utc() + timedelta(days=21)
    page.get_by_label("Deadline").fill(deadline.isoformat())
    page.get_by_label("Message (optional)").fill("Our board reviews impact sourcing in spring.")
    page.get_by_label("Lumen BPO").check()
    page.get_by_label("Vendors to invite (emails)").fill(INVITEE)
    journey.shot("campaign-form")
    problems += axe_check(page)
    page.get_by_role("button", name="Start the campaign").click()
    box = page.get_by_label(f"Invitation link for {INVITEE}")
    box.wait_for()
    link = box.input_value()
    assert re.fullmatch(re.escape(journey.base) + r"/invitations/[\w-]{40,}", link), link
    campaign_url = page.url
    assert "0 of 2" in page.inner_text("#response-title + p")
    journey.shot("campaign-started")
    problems += axe_check(page)

    # the vendor, in a browser of its own
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        vendor = Journey(context.new_page(), journey.base, journey.folder / "vendor")
        vpage = vendor.page
        vpage.goto(link)
        assert "asks for your impact disclosure for 2025" in vpage.inner_text("blockquote")
        vpage.get_by_label("Your organization's name").fill("Kakuma Digital Works")
        vpage.get_by_label("Your full name").fill("Amani Lokiru")
        vpage.get_by_label("Choose a password").fill(PASSWORD)
        vpage.get_by_label("The password again").fill(PASSWORD)
        vpage.get_by_role("button", name="Register and sign in").click()
        vpage.wait_for_url(journey.base + "/")
        requests = vpage.locator("section[aria-labelledby='campaign-requests-title']")
        assert buyer.organization.name in requests.inner_text()
        assert deadline.isoformat() in requests.inner_text()
        vendor.shot("home-with-request")
        problems += axe_check(vpage)
        # no profile yet: starting the disclosure asks for it first
        vpage.get_by_role("button", name="Start your 2025 disclosure").click()
        vpage.get_by_role("heading", name="Create your vendor profile").wait_for()
        vpage.get_by_label("Head office country").select_option("KE")
        vpage.locator("input[name='service_categories']").first.check()
        vpage.get_by_role("button", name="Save profile").click()
        vpage.wait_for_selector("text=Your profile is saved.")
        vpage.goto(journey.base + "/")
        vpage.get_by_role("button", name="Start your 2025 disclosure").click()
        vpage.wait_for_selector("#disclosure-form")
        _type(vpage, disclosure_form_fields(valid_document(), new_site_row=False))
        vendor.shot("disclosure-filled")
        vpage.once("dialog", lambda dialog: dialog.accept())
        vpage.get_by_role("button", name="Save and submit").click()
        vpage.wait_for_selector("text=Amend: start version 2")
        vendor.shot("submitted")
        vpage.goto(journey.base + "/")
        assert "submitted" in vpage.locator(".campaign-request").inner_text()
        assert vendor.errors == [], f"JavaScript errors: {vendor.errors}"
    finally:
        context.close()

    page.goto(campaign_url)
    rows = {
        row.locator("td").first.inner_text().split("\n")[0]: row.locator("td")
        .nth(1)
        .inner_text()
        .lower()  # the badges' case is the stylesheet's
        for row in page.locator("table.table tbody tr").all()
    }
    assert rows == {"Kakuma Digital Works": "submitted", "Lumen BPO": "registered"}, rows
    assert "1 of 2" in page.inner_text("#response-title + p")
    assert page.get_by_label(f"Invitation link for {INVITEE}").count() == 0  # shown once
    journey.shot("campaign-shows-submitted")
    problems += axe_check(page)
    # the buyer is told the invitee joined, and that its disclosure waits for review
    assert re.search(r"Notifications \(2\s+unread", page.get_by_role("navigation").inner_text())
    page.get_by_role("link", name=re.compile("Notifications")).click()
    inbox = page.inner_text("main")
    assert f"Kakuma Digital Works accepted your invitation to {INVITEE}" in inbox
    assert "Kakuma Digital Works submitted its disclosure for 2025" in inbox
    journey.shot("buyer-notification")
    assert problems == [], problems
