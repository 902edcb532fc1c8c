"""A vendor follows the top suggestion of its "How to raise your score" panel (issue #22), in the
browser: it reads the first action listed (an independent assurance statement on its workforce
section, which the panel says moves it from third to second of three), shares the version scored
with an assurance provider from the action's link, the provider's assurer attests the section as
the panel assumed (unqualified, limited assurance, issued today), and the vendor's scorecard then
shows the total and the rank the panel promised, to the figure; the panel passes axe."""

from __future__ import annotations

import re
from datetime import date, timedelta

from procure.extensions import db
from procure.scoring import raising
from procure.scoring_defaults import default_profile
from tests.browser.conftest import Journey
from tests.conftest import TEST_PASSWORD, valid_document

STATEMENT = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
EFFECT = re.compile(
    r"^\+(?P<points>\d+\.\d) points, rank (?P<rank_before>\d+) → (?P<rank_after>\d+) of "
    r"(?P<peers>\d+) \(total (?P<total_before>\d+\.\d) → (?P<total_after>\d+\.\d)\)$"
)


def _submit(client, headers, vendor, document) -> None:
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
    )
    assert created.status_code == 201, created.json
    submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json


def _headline(page) -> tuple[str, str, str]:
    """The scorecard's total, rank and peer group as the page shows them."""
    kpis = page.locator(".kpi")
    total = kpis.nth(0).locator(".kpi-value").inner_text()
    rank = kpis.nth(1).locator(".kpi-value").inner_text()
    peers = re.match(r"of (\d+)", kpis.nth(1).locator(".kpi-sub").inner_text())
    assert peers, kpis.nth(1).inner_text()
    return total, rank, peers.group(1)


def test_a_vendor_follows_the_top_suggestion_and_reaches_the_score_and_rank_it_said(
    journey, browser, client, make_vendor, make_org, make_user, bearer, axe_check
):
    alpha, alpha_user = make_vendor("Alpha Annotation")
    _submit(client, bearer(alpha_user), alpha, valid_document())
    beta, beta_user = make_vendor("Beta BPO")
    below = valid_document()  # a median of KES 30,000 a month against a living wage of 35,000
    below["wages"][0].update(entry_level_wage=28000.0, impact_worker_median_wage=30000.0)
    _submit(client, bearer(beta_user), beta, below)
    # Gamma trains more, pays more and sells cheaper: first, and still ahead once Beta is assured
    gamma, gamma_user = make_vendor("Gamma Group")
    strong = valid_document()
    strong["training"].update(training_hours_impact_workers=3400.0, training_hours_all=4450.0)
    strong["wages"][0].update(impact_worker_median_wage=40000.0)
    _submit(client, bearer(gamma_user), gamma, strong)
    gamma.offers[0].price = 6  # USD per hour, against 8 for the others
    db.session.commit()
    provider = make_org("assurance", "Meridian Test Assurance")
    assurer = make_user("assurer", organization=provider)

    page = journey.page
    journey.sign_in(beta_user.email, TEST_PASSWORD)
    journey.go("/scorecard")
    total_before, rank_before, peers = _headline(page)
    top = page.locator("#raise-your-score ol.raise-actions > li").first
    title = top.locator(".raise-action-title").inner_text()
    said = EFFECT.match(top.locator(".raise-action-effect").inner_text())
    assert said, top.locator(".raise-action-effect").inner_text()
    # the panel starts from the headline, and this step moves the rank (else rank is not tested)
    assert (said["total_before"], said["rank_before"], said["peers"]) == (
        total_before,
        rank_before,
        peers,
    )
    assert int(said["rank_after"]) < int(said["rank_before"])
    assert (said["rank_before"], said["rank_after"], said["peers"]) == ("3", "2", "3")
    assert title == (
        "Get an independent assurance statement on the workforce section (limited assurance)"
    )
    # the exact figure behind the rounded one the page shows: the panel's own scoring
    [exact] = [
        a
        for a in raising.score_actions(
            beta.id, default_profile(), organization_id=beta.organization_id
        )
        if a["title"] == title
    ]
    assert f"{exact['total_after']:.1f}" == said["total_after"]
    journey.shot("panel")
    assert axe_check(page) == []

    # follow it: the step's link opens the version scored at its assurance card; share it
    top.get_by_role("link", name="Open the version scored").click()
    page.wait_for_selector("#assurance")
    assert page.url.endswith("#assurance")
    page.locator("#assurance").get_by_label("Assurance provider").select_option(
        label="Meridian Test Assurance"
    )
    page.locator("#assurance").get_by_role("button", name="Share version 1").click()
    page.wait_for_selector("text=Meridian Test Assurance can now read version 1")
    journey.shot("shared")

    # the provider's assurer attests the workforce section as the panel assumed
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = Journey(context.new_page(), journey.base, journey.folder)
    other.step = 50
    other.sign_in(assurer.email, TEST_PASSWORD)
    other.go("/assurance")
    other.page.get_by_role("link", name="Beta BPO").click()
    form = other.page.locator("#attest")
    form.get_by_label("Section").select_option("workforce")
    form.get_by_label("Level of assurance").select_option("limited")
    form.get_by_label("Opinion").select_option("unqualified")
    form.get_by_label("Date of the statement").fill(date.today().isoformat())
    form.get_by_label("Expires on").fill((date.today() + timedelta(days=365)).isoformat())
    form.locator("#file").set_input_files(
        {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": STATEMENT}
    )
    other.page.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="Issue the attestation").click()
    other.page.wait_for_selector("text=The workforce section is attested")
    other.shot("attested")
    context.close()
    assert other.errors == [], f"JavaScript errors: {other.errors}"

    # the vendor's scorecard now shows what the panel said, to the figure it printed
    journey.go("/scorecard")
    journey.shot("after")
    assert _headline(page) == (said["total_after"], said["rank_after"], peers)
    after = journey.api(f"/api/v1/vendors/{beta.id}/scorecard")["score"]
    assert abs(after["total"] - exact["total_after"]) < 1e-9
    assert after["rank"] == exact["rank_after"] == int(said["rank_after"])
    # the step is taken: the panel no longer lists it
    assert title not in page.locator("main").inner_text()
