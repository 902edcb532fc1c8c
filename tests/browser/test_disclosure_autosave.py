"""A vendor's draft saves as it types: a pause saves the figures (the page says when), and a
button pressed while a save is on its way waits for it rather than meeting its own conflict."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from procure.audit.models import AuditEvent
from procure.extensions import db
from tests.conftest import TEST_PASSWORD


def test_a_pause_in_typing_saves_the_draft_and_a_save_during_it_still_lands(journey, make_vendor):
    vendor, user = make_vendor("Autosave Works")
    page = journey.page
    disclosure_id = journey.start_draft(user.email, TEST_PASSWORD)
    status = page.locator("[data-autosave-status]")
    assert "save by themselves" in status.inner_text()

    page.locator("#workforce-headcount_end").fill("40")
    assert status.inner_text() == "Unsaved changes…"
    expect(status).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d\.$"))
    journey.shot("autosaved")
    page.locator(".sticky-actions").screenshot(path=str(journey.folder / "autosave-status.png"))
    saved = journey.api(f"/api/v1/disclosures/{disclosure_id}")
    assert saved["workforce"]["headcount_end"] == 40 and saved["state"] == "draft"
    assert page.locator("#workforce-headcount_end").input_value() == "40"

    # a refused figure: the page says why, keeps what was typed, and saves nothing
    page.locator("#workforce-impact_workers_end").fill("500")  # more than the 40 employees
    expect(status).to_have_text(re.compile(r"^Not saved yet: "))
    assert status.inner_text() == (
        "Not saved yet: Impact workers at period end (500) cannot exceed employees at period end "
        "(40)."
    )
    kept = journey.api(f"/api/v1/disclosures/{disclosure_id}")["workforce"]
    assert kept["headcount_end"] == 40 and kept.get("impact_workers_end") is None
    assert page.locator("#workforce-impact_workers_end").input_value() == "500"
    page.locator("#workforce-impact_workers_end").fill("")

    # typed, then "Save draft" pressed just as the pause's save goes out: both land, no conflict
    page.locator("#workforce-headcount_end").fill("41")
    page.wait_for_timeout(1990)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_selector("text=Draft saved.")
    assert "changed since you loaded it" not in page.content()
    assert journey.api(f"/api/v1/disclosures/{disclosure_id}")["workforce"]["headcount_end"] == 41


def test_a_colleagues_change_stops_the_autosave_and_names_them(
    journey, make_vendor, make_user, client, bearer
):
    """Two users of one vendor: the page is open when a colleague saves the draft. The next
    pause saves nothing over it: the page names the colleague and the time, and keeps what was
    typed."""
    vendor, user = make_vendor("Two Desks Ltd")
    colleague = make_user("vendor", organization=user.organization)
    colleague.name = "Amara Osei"
    db.session.commit()
    page = journey.page
    disclosure_id = journey.start_draft(user.email, TEST_PASSWORD)
    draft = journey.api(f"/api/v1/disclosures/{disclosure_id}")

    theirs = client.patch(
        f"/api/v1/disclosures/{disclosure_id}",
        headers=bearer(colleague),
        json={"workforce": {"headcount_end": 75}, "edit_version": draft["edit_version"]},
    )
    assert theirs.status_code == 200, theirs.json
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Disclosure", AuditEvent.target_id == str(disclosure_id))
        .order_by(AuditEvent.id.desc())
    ).first()
    at = f"{event.created_at:%Y-%m-%d %H:%M} UTC"

    status = page.locator("[data-autosave-status]")
    page.locator("#workforce-headcount_end").fill("40")
    expect(status).to_have_text(re.compile(r"^Amara Osei changed this draft"))
    assert status.inner_text() == (
        f"Amara Osei changed this draft at {at} (since you opened the page), so what you typed "
        "was not saved. Autosave has stopped; what you typed is still here. Press Save draft to "
        "check it before saving it over the other changes, or reload the page to see them (what "
        "you typed is then lost)."
    )
    journey.shot("colleague-changed")
    page.locator(".sticky-actions").screenshot(path=str(journey.folder / "colleague-notice.png"))
    assert page.locator("#workforce-headcount_end").input_value() == "40"
    assert journey.api(f"/api/v1/disclosures/{disclosure_id}")["workforce"]["headcount_end"] == 75
