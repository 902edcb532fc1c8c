"""Journey: with mail set up, a vendor opens its mail settings from the notifications page, is
offered the three kinds a vendor receives (not a buyer's or an executive's), unticks the campaign
request and saves; the platform operator, whose role receives none, is told so and offered no box
(a buyer organization's admin receives the coalition kinds since it answers a coalition's
invitation). axe-core checks both pages."""

from __future__ import annotations

from procure.extensions import db
from procure.notifications.models import MailSettings
from tests.browser.conftest import Journey
from tests.conftest import TEST_PASSWORD


def test_a_vendor_chooses_among_the_vendor_kinds_only(
    journey, browser, make_org, make_user, smtp_sink, axe_check
):
    vendor, admin = make_user("vendor"), make_user("operator")
    page = journey.page
    journey.sign_in(vendor.email, TEST_PASSWORD)
    journey.go("/notifications")
    page.get_by_role("link", name="Choose which ones you get by email").click()
    boxes = page.get_by_role("checkbox")
    assert [boxes.nth(i).get_attribute("value") for i in range(boxes.count())] == [
        "review_decided",
        "campaign_request",
        "campaign_reminder",
        "attestation_issued",
        "attestation_withdrawn",
        "event_published",
        "event_closed",
        "event_awarded",
        "corrective_opened",
        "corrective_closed",
    ]
    # the default: every kind of its role
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.get_by_label("Disclosure requested").uncheck()
    journey.shot("vendor-choice")
    vendor_problems = axe_check(page)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your mail settings are saved.").wait_for()
    assert not page.get_by_label("Disclosure requested").is_checked()
    assert page.get_by_label("Disclosure reminder").is_checked()
    journey.shot("vendor-saved")
    db.session.expire_all()
    assert db.session.get(MailSettings, vendor.id).muted_kinds == ["campaign_request"]

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other = Journey(context.new_page(), journey.base, journey.folder / "admin")
        other.sign_in(admin.email, TEST_PASSWORD)
        other.go("/notifications/settings")
        other.page.get_by_text("Your role receives no notifications").wait_for()
        assert other.page.get_by_role("checkbox").count() == 0
        other.shot("admin-nothing-to-choose")
        admin_problems = axe_check(other.page)
    finally:
        context.close()
    assert (vendor_problems, admin_problems) == ([], [])
