"""Journey: a buyer invites a vendor on the Invitations page and, with no mail server set up, is
shown the link to send; the vendor opens it in a browser of its own, is told what is wrong with
its first try, registers its organization and lands signed in on its home; the buyer's list then
shows the invitation accepted by that organization. axe-core checks the three invitation pages
(from PROCURE_AXE_JS or node_modules, as in test_accessibility.py)."""

from __future__ import annotations

import re

from sqlalchemy import select

from procure.extensions import db
from procure.invitations.models import Invitation
from procure.invitations.services import create_invitation
from tests.browser.conftest import Journey
from tests.conftest import TEST_PASSWORD

PASSWORD = "Quiet lanterns over Kakuma 2026"


def test_a_buyer_invites_and_the_vendor_registers_through_the_link(
    journey, browser, make_user, axe_check
):
    buyer = make_user("buyer")
    page = journey.page
    journey.sign_in(buyer.email, TEST_PASSWORD)
    page.get_by_role("link", name="Invitations").click()
    page.get_by_label("The vendor's email").fill("amani@kakumadigital.example")
    page.get_by_label("Message (optional)").fill(
        "We would like to send you annotation work from next quarter.\nWelcome aboard!"
    )
    journey.shot("invite-form")
    page.get_by_role("button", name="Create invitation").click()
    box = page.get_by_label("Invitation link for amani@kakumadigital.example")
    box.wait_for()
    link = box.input_value()
    assert re.fullmatch(re.escape(journey.base) + r"/invitations/[\w-]{40,}", link), link
    page.get_by_role("button", name="Copy the link").click()
    status = page.locator("[data-copy-status='invitation-link']")
    # the clipboard answers asynchronously: wait for the message, then check it
    status.filter(has_text=re.compile(r"\S")).wait_for(timeout=10_000)
    assert status.inner_text() in ("Copied.", "Selected: press Ctrl+C (or ⌘C) to copy.")
    assert "pending" in page.locator("table.table tbody tr").first.inner_text()
    journey.shot("link-shown")
    buyer_problems = axe_check(page)

    # the vendor, in a browser of its own (no cookie of the buyer's)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        vendor = Journey(context.new_page(), journey.base, journey.folder / "vendor")
        vendor.page.goto(link)
        vendor.page.get_by_role("heading", name=f"{buyer.organization.name} invites you").wait_for()
        assert "Welcome aboard!" in vendor.page.inner_text("blockquote")
        assert vendor.page.get_by_label("Your email").input_value() == (
            "amani@kakumadigital.example"
        )
        vendor.shot("invitation")
        vendor.page.get_by_label("Your organization's name").fill("Kakuma Digital Works")
        vendor.page.get_by_label("Your full name").fill("Amani Lokiru")
        vendor.page.get_by_label("Choose a password").fill("password123!")
        vendor.page.get_by_label("The password again").fill("password123!")
        vendor.page.get_by_role("button", name="Register and sign in").click()
        error = vendor.page.locator("#password-error")
        error.wait_for()
        assert "commonly used" in error.inner_text()
        vendor.shot("weak-password-refused")
        form_problems = axe_check(vendor.page)
        vendor.page.get_by_label("Choose a password").fill(PASSWORD)
        vendor.page.get_by_label("The password again").fill(PASSWORD)
        vendor.page.get_by_role("button", name="Register and sign in").click()
        vendor.page.wait_for_url(journey.base + "/")
        vendor.page.get_by_role("heading", name="Welcome, Amani").wait_for()
        assert vendor.page.locator(".org-name").text_content() == "Kakuma Digital Works"
        assert "is registered" in vendor.page.inner_text("[role=status]")
        vendor.shot("signed-in-home")
        used = vendor.page.goto(link)  # the link works once
        assert used.status == 410
        vendor.page.get_by_role("heading", name="This invitation was already used").wait_for()
        vendor.shot("link-used")
        assert vendor.errors == [], f"JavaScript errors: {vendor.errors}"
    finally:
        context.close()

    page.reload()
    accepted = page.locator("table.table tbody tr").first.inner_text()
    assert "accepted" in accepted and "Kakuma Digital Works" in accepted
    journey.shot("accepted")
    db.session.commit()
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.accepted_organization.name == "Kakuma Digital Works"
    assert buyer_problems == [] and form_problems == [], buyer_problems + form_problems


def test_a_signed_in_vendor_accepts_for_its_organization(journey, make_vendor, make_user):
    """A vendor user who is on impact-procure already opens the link signed in and accepts for
    its organization: nothing to fill in."""
    buyer = make_user("buyer")
    _, vendor_user = make_vendor("Lumen BPO")
    invitation, secret = create_invitation(buyer, vendor_user.email, "Glad to work with you.")
    db.session.commit()
    page = journey.page
    journey.sign_in(vendor_user.email, TEST_PASSWORD)
    journey.go(f"/invitations/{secret}")
    organization = vendor_user.organization.name
    page.get_by_role("button", name=f"Accept for {organization}").wait_for()
    journey.shot("accept-for-organization")
    page.get_by_role("button", name=f"Accept for {organization}").click()
    page.wait_for_url(journey.base + "/")
    assert f"{organization} accepted the invitation" in page.inner_text("[role=status]")
    journey.shot("accepted")
    db.session.commit()
    db.session.refresh(invitation)
    assert invitation.accepted_organization_id == vendor_user.organization_id
