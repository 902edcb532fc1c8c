"""Journey: corrective action plans in two browsers. A buyer opens a plan on Beta's weak metric
from Beta's scorecard (refused first for a past due date, the form keeping what was typed); Beta's
vendor user follows the notification to the plan, is told what is missing from a first answer and
answers with two actions; the buyer follows the "answered" notification and sees the actions,
then closes the plan (confirming), and the vendor's scorecard shows it closed. axe-core checks
each page.

Figures (tests/conftest.py `world`): Beta discloses 10 impact workers of a headcount of 115, an
impact-worker share of 10 / 115 = 0.08696 (four significant figures), below the target of 0.3.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from procure.accounts.models import User
from procure.corrective.models import CorrectivePlan
from procure.extensions import db
from tests.browser.conftest import Journey
from tests.conftest import TEST_PASSWORD

DUE = (date.today() + timedelta(days=60)).isoformat()
ACTIONS = (
    ("Partner with the Kakuma digital-work programme", (date.today() + timedelta(days=14))),
    ("Two intake cohorts of 20", (date.today() + timedelta(days=45))),
)


def _other_browser(browser, journey: Journey, email: str) -> Journey:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = Journey(context.new_page(), journey.base, journey.folder)
    other.step = 50  # its screenshots after the buyer's in the folder
    other.sign_in(email, TEST_PASSWORD)
    return other


def test_a_buyer_asks_for_a_corrective_plan_and_sees_the_vendors_answer(
    journey, browser, world, axe_check
):
    beta = world["beta"]
    vendor_user = db.session.scalars(
        select(User).where(User.organization_id == beta.organization_id)
    ).one()
    page, problems = journey.page, []

    # the buyer opens a plan from Beta's scorecard; a past due date is refused, nothing saved
    journey.sign_in(world["buyer"].email, TEST_PASSWORD)
    journey.go(f"/vendors/{beta.id}/scorecard")
    card = page.locator("#corrective-plans")
    assert "Your organization has no plan on Beta BPO." in card.inner_text()
    card.get_by_label("Metric").select_option("impact_worker_share")
    assert "now 0.08696" in card.get_by_label("Metric").locator("option:checked").inner_text()
    card.get_by_label("Target").fill("0.3")
    card.get_by_label("Due date").fill((date.today() - timedelta(days=1)).isoformat())
    card.get_by_label("Note to the vendor").fill("Hire from the refugee programme.")
    problems += axe_check(page)
    card.get_by_role("button", name="Open the plan").click()
    page.wait_for_selector("#error-summary")
    # the summary names the field by its label, without the "*" that marks it required
    assert page.locator("#error-summary a").all_inner_texts() == ["Due date"]
    journey.shot("refused")
    problems += axe_check(page)
    assert page.get_by_label("Target").input_value() == "0.3"  # what was typed is kept
    assert (
        page.get_by_label("Note to the vendor").input_value() == "Hire from the refugee programme."
    )
    assert db.session.scalar(select(db.func.count()).select_from(CorrectivePlan)) == 0
    page.get_by_label("Due date").fill(DUE)
    page.get_by_role("button", name="Open the plan").click()
    page.wait_for_selector("text=The plan is open: Beta BPO is told and may answer.")
    journey.shot("opened")
    problems += axe_check(page)
    plan_url = page.url
    assert page.inner_text("#plan-state") == "open"
    assert "No answer yet." in page.inner_text("main")
    assert "impact_worker_share" not in page.inner_text("main")  # the metric in words only

    # the vendor follows the notification to the plan and answers
    vendor = _other_browser(browser, journey, vendor_user.email)
    vendor.go("/notifications")
    vendor.page.get_by_role(
        "link", name=f"{world['buyer'].organization.name} asks you to bring impact workers"
    ).click()
    vendor.page.wait_for_selector("text=Answer with actions")
    assert vendor.page.url == plan_url
    assert vendor.page.inner_text("#plan-latest") == "0.08696"
    problems += axe_check(vendor.page)
    # a day without its action is refused by name, and what was typed stays
    vendor.page.get_by_label("Done by").first.fill(ACTIONS[0][1].isoformat())
    vendor.page.get_by_role("button", name="Send the answer").click()
    vendor.page.wait_for_selector("#error-summary")
    vendor.shot("answer-refused")
    assert "Action 1: Describe the action." in vendor.page.inner_text("#error-summary")
    assert vendor.page.get_by_label("Done by").first.input_value() == ACTIONS[0][1].isoformat()
    problems += axe_check(vendor.page)
    for number, (text, on) in enumerate(ACTIONS, start=1):
        vendor.page.get_by_label(f"Action {number}", exact=True).fill(text)
        vendor.page.get_by_label("Done by").nth(number - 1).fill(on.isoformat())
    vendor.page.get_by_role("button", name="Send the answer").click()
    vendor.page.wait_for_selector("text=Your answer is sent: the buyer is told.")
    vendor.shot("answered")

    # the buyer follows the "answered" notification and sees both actions
    journey.go("/notifications")
    page.get_by_role("link", name="Beta BPO answered your corrective action plan").click()
    page.wait_for_url(plan_url)
    answers = page.locator(".plan-answers").inner_text()
    for text, on in ACTIONS:
        assert f"{text} by {on.isoformat()}" in answers
    journey.shot("answer-seen")
    problems += axe_check(page)
    plan = db.session.scalars(select(CorrectivePlan)).one()
    db.session.refresh(plan)
    assert [a["text"] for a in plan.answers[0].actions] == [text for text, _ in ACTIONS]

    # the buyer closes it, confirming; the vendor's scorecard shows it closed
    page.get_by_label("Target not met").check()
    page.get_by_label("Comment").fill("No newer disclosure yet: we ask again next quarter.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close the plan").click()
    page.wait_for_selector("text=The plan is closed: the vendor is told.")
    assert page.inner_text("#plan-state") == "not met"
    vendor.go("/scorecard")
    row = vendor.page.locator("#corrective-plans tbody tr")
    assert row.count() == 1 and "not met" in row.inner_text()
    vendor.shot("vendor-scorecard")
    problems += axe_check(vendor.page)
    vendor.page.context.close()
    assert vendor.errors == [], f"JavaScript errors: {vendor.errors}"
    assert problems == [], "\n".join(problems)
