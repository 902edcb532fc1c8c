"""A buyer with 2,000 vendors on the platform starts a campaign in a browser: the form lists 50 of
them, the search box lists the matches as the buyer types (campaign-vendors.js, from the API's
vendor search), a ticked vendor stays chosen through the next search, and a pasted name is asked
too. On the campaign's page the buyer edits the deadline, asks one more vendor and closes the
campaign, which then says who closed it. axe-core checks the form and the page."""

from __future__ import annotations

from datetime import timedelta

from procure.campaigns.progress import today_utc
from tests.app.test_campaign_changes import _many_vendors
from tests.conftest import TEST_PASSWORD

VENDOR_ROWS = "#vendor-matches input[name='vendor_ids']"


def test_a_buyer_finds_vendors_by_typing_and_runs_the_campaign_to_its_close(
    journey, make_user, make_vendor, axe_check
):
    _many_vendors(2000)
    make_vendor("Kakuma Digital Works")
    make_vendor("Kalobeyei Data")
    make_vendor("Nile Annotation")
    buyer = make_user("buyer")
    page = journey.page
    problems: list[str] = []
    journey.sign_in(buyer.email, TEST_PASSWORD)
    journey.go("/campaigns/new")
    assert page.locator(VENDOR_ROWS).count() == 50
    page.get_by_label("Year").fill("2025")
    page.get_by_label("Deadline").fill((today_utc() + timedelta(days=21)).isoformat())
    journey.shot("form-with-50-of-2003")
    problems += axe_check(page)
    # typing lists the matches in place (no page load)
    page.get_by_label("Search by name").fill("ka")
    page.get_by_label("Kakuma Digital Works").wait_for()
    assert page.locator(VENDOR_ROWS).count() == 2
    assert "2 match “ka”" in page.inner_text("#vendor-matches-status")
    page.get_by_label("Kakuma Digital Works").check()
    page.get_by_label("Search by name").fill("nile")
    page.get_by_label("Nile Annotation").wait_for()
    assert page.get_by_label("Kakuma Digital Works").is_checked()  # still chosen
    page.get_by_label("Nile Annotation").check()
    page.get_by_label("Or paste vendors' names").fill("Directory Vendor 01999\n")
    journey.shot("two-chosen-one-pasted")
    problems += axe_check(page)
    page.get_by_role("button", name="Start the campaign").click()
    page.wait_for_selector("#response-title")
    assert "0 of 3" in page.inner_text("#response-title + p")
    campaign_url = page.url
    # edit the deadline
    page.get_by_role("link", name="Edit the title, message or deadline").click()
    later = (today_utc() + timedelta(days=35)).isoformat()
    page.get_by_label("Deadline").fill(later)
    journey.shot("edit")
    problems += axe_check(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Saved.")
    assert f"due {later}" in page.inner_text("main")
    # ask one more, found by typing
    journey.shot("campaign-page")
    problems += axe_check(page)
    page.get_by_role("link", name="Ask more vendors").click()
    page.get_by_label("Search by name").fill("ka")  # Kakuma is asked already: not listed
    page.get_by_label("Kalobeyei Data").wait_for()
    assert page.locator(VENDOR_ROWS).count() == 1
    page.get_by_label("Kalobeyei Data").check()
    journey.shot("ask-more")
    problems += axe_check(page)
    page.get_by_role("button", name="Ask them").click()
    page.wait_for_selector("text=Asked 1 more")
    assert "0 of 4" in page.inner_text("#response-title + p")
    # close it
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close the campaign").click()
    page.wait_for_selector("#campaign-closed")
    assert f"Closed on {today_utc()} by {buyer.name}." in page.inner_text("#campaign-closed")
    assert page.get_by_role("button", name="Remind the late ones").count() == 0
    assert page.url == campaign_url
    journey.shot("closed")
    problems += axe_check(page)
    assert problems == [], problems
