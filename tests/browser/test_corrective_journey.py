"""Journey: corrective action plans in two browsers. A buyer opens a plan on Beta's weak metric
from Beta's scorecard (refused first for a past due date, the form keeping what was typed); Beta's
vendor user follows the notification to the plan, is told what is missing from a first answer and
answers with two actions; the buyer follows the "answered" notification and sees the actions.
Beta then submits its next period from the page, with more impact workers: the buyer's plan page
shows the value moving toward the target, not met yet; Beta amends that period with more still:
the page shows the target met, and the buyer closes the plan as met (confirming), and the vendor's
scorecard shows it closed. axe-core checks each page.

Figures (tests/conftest.py `world`): Beta discloses 10 impact workers of a headcount of 115 for
2025, an impact-worker share of 10 / 115 = 0.08696 (four significant figures), below the target
of 0.3. Its first half of 2026 (carried over from 2025, headcount 115) has 25 impact workers:
25 / 115 = 0.2174, 0.08261 short of the target; amended to 40: 40 / 115 = 0.3478, 0.04783 above.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from procure.accounts.models import User
from procure.corrective.models import CorrectivePlan
from procure.extensions import db
from tests.browser.conftest import Journey
from tests.conftest import TEST_PASSWORD

DUE = (date.today() + timedelta(days=60)).isoformat()
BASELINE = "0.08696"  # 10 / 115, as the page shows it
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


def _progress(page) -> tuple[str, str, str, str]:
    """The plan page's baseline, latest value, where the latest comes from, and "target met?"."""
    kpis = page.locator('[aria-label="Progress against the target"] .kpi')
    return (
        kpis.nth(0).locator(".kpi-value").inner_text(),
        page.inner_text("#plan-latest"),
        kpis.nth(1).locator(".kpi-sub").inner_text(),
        page.inner_text("#plan-met"),
    )


def _submit_impact_workers(vendor: Journey, start: int, hires: int, end: int) -> None:
    """On the disclosure form open in the vendor's browser: the impact workers of the period
    (departures none), every other figure as it stands, saved and submitted (confirming)."""
    page = vendor.page
    for field, value in (
        ("impact_workers_start", start),
        ("impact_worker_hires", hires),
        ("impact_worker_departures", 0),
        ("impact_workers_end", end),
    ):
        page.locator(f'[name="workforce.{field}"]').fill(str(value))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Save and submit").click()
    page.wait_for_selector("text=Amend: start version")


def test_a_buyer_opens_a_corrective_plan_sees_progress_and_closes_it_met(
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

    assert _progress(page) == (BASELINE, BASELINE, "no newer disclosure yet", "Not yet")

    # Beta submits its next period from the page, the 2025 figures carried over, with more
    # impact workers: the plan's page shows the value moving toward the target, not there yet
    vendor.go("/vendor/disclosures")
    vendor.page.get_by_label("First day of the period").fill("2026-01-01")
    vendor.page.get_by_label("Last day of the period").fill("2026-06-30")
    vendor.page.get_by_role("button", name="Start draft").click()
    vendor.page.wait_for_selector("#disclosure-form")
    _submit_impact_workers(vendor, start=10, hires=15, end=25)
    vendor.shot("next-period")
    page.reload()
    assert _progress(page) == (
        BASELINE,
        "0.2174",
        "from the disclosure for the period ending 2026-06-30",
        "Not yet",
    )
    # toward the target: above the baseline, below the target, the gap said with its sign
    target = float(page.locator(".kpi").nth(2).locator(".kpi-value").inner_text())
    assert float(BASELINE) < float(page.inner_text("#plan-latest")) < target == 0.3
    assert re.fullmatch(
        r"[-−]0\.08261 against the target",
        page.locator(".kpi").nth(3).locator(".kpi-sub").inner_text(),
    )
    journey.shot("progress")
    problems += axe_check(page)

    # Beta amends that period with more impact workers still: the target is met
    vendor.page.get_by_role("button", name="Amend: start version 2").click()
    vendor.page.wait_for_selector("#disclosure-form")
    _submit_impact_workers(vendor, start=10, hires=30, end=40)
    page.reload()
    assert _progress(page) == (
        BASELINE,
        "0.3478",
        "from the disclosure for the period ending 2026-06-30",
        "Yes",
    )
    assert float(page.inner_text("#plan-latest")) >= target
    assert page.locator(".kpi").nth(3).locator(".kpi-sub").inner_text() == (
        "+0.04783 against the target"
    )
    journey.shot("met")

    # the buyer closes it as met, confirming; the vendor's scorecard shows it closed
    assert page.get_by_label("Target met", exact=True).is_checked()  # the figure's word
    page.get_by_label("Target met", exact=True).check()
    page.get_by_label("Comment").fill("40 impact workers of 115 by mid-2026: well done.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close the plan").click()
    page.wait_for_selector("text=The plan is closed: the vendor is told.")
    assert page.inner_text("#plan-state") == "met"
    vendor.go("/scorecard")
    row = vendor.page.locator("#corrective-plans tbody tr")
    assert row.count() == 1 and "met" in row.inner_text() and "not met" not in row.inner_text()
    vendor.shot("vendor-scorecard")
    problems += axe_check(vendor.page)
    vendor.page.context.close()
    assert vendor.errors == [], f"JavaScript errors: {vendor.errors}"
    assert problems == [], "\n".join(problems)
