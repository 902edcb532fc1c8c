"""axe-core (from the npm package, injected by the test, never a CDN) on every page each role
reaches, with records of every kind: no serious or critical violation allowed.

axe comes from PROCURE_AXE_JS or node_modules/axe-core/axe.min.js at the repository root
(`npm install axe-core`); .ci/run installs it. Without it the test skips with the reason, except
when PROCURE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from procure.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.conftest import TEST_PASSWORD, valid_document

ROOT = Path(__file__).resolve().parents[2]
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} at ${
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
}"""


def _kes_rate_id() -> int:
    from sqlalchemy import select

    from procure.rates.models import ExchangeRate

    return db.session.scalars(
        select(ExchangeRate.id).where(ExchangeRate.currency == "KES").limit(1)
    ).one()


def _category_id(key: str) -> int:
    from sqlalchemy import select

    from procure.vendors.categories import ServiceCategory

    return db.session.scalars(select(ServiceCategory.id).where(ServiceCategory.key == key)).one()


@pytest.fixture
def records(client, world, make_user, make_org, make_vendor, bearer, make_scenario):
    """One of everything a page can show: scenarios (solved, infeasible), a disclosure, people."""
    headers = world["headers"]
    organization = world["buyer"].organization
    solved = make_scenario("Plan A")
    infeasible = make_scenario("Too tight", budget=5000)
    client.post(f"/api/v1/scenarios/{solved['id']}/report", headers=headers)
    from procure.scoring.services import default_profile

    profile = client.post(
        "/api/v1/scoring-profiles",
        headers=headers,
        json={"name": "Impact first", "settings": default_profile().to_dict()},
    ).json
    vendor, vendor_user = make_vendor("Gamma Data")
    disclosure = client.post(
        "/api/v1/disclosures",
        headers=bearer(vendor_user),
        json={"vendor_id": vendor.id, **valid_document()},
    ).json
    client.post(f"/api/v1/disclosures/{disclosure['id']}/submit", headers=bearer(vendor_user))
    # notifications, read and unread: the buyer is told of two submitted disclosures (verifying
    # the earlier one marks that notice read), the vendor of the verification
    earlier = client.post(
        "/api/v1/disclosures",
        headers=bearer(vendor_user),
        json={"vendor_id": vendor.id, **valid_document("2024-01-01", "2024-12-31")},
    ).json
    client.post(f"/api/v1/disclosures/{earlier['id']}/submit", headers=bearer(vendor_user))
    client.post(
        f"/api/v1/disclosures/{earlier['id']}/review",
        headers=headers,
        json={"decision": "verified"},
    )
    # an approved plan with a delivery: its page's "Deliveries" section and its deliveries page
    approved = make_scenario("Plan B")["id"]
    client.post(f"/api/v1/scenarios/{approved}/submit", headers=headers)
    client.post(
        f"/api/v1/scenarios/{approved}/decision",
        headers=bearer(make_user("executive", organization=organization)),
        json={"decision": "approved"},
    )
    client.post(
        f"/api/v1/scenarios/{approved}/deliveries",
        headers=headers,
        json={
            "vendor_id": world["beta"].id,
            "month": "2026-01",
            "delivered_volume": 70,
            "invoiced_amount": 420,
        },
    )
    db.session.commit()
    ids = {
        "approved": approved,
        "alpha": world["alpha"].id,
        "need": world["need"]["id"],
        "solved": solved["id"],
        "infeasible": infeasible["id"],
        "disclosure": disclosure["id"],
        "profile": profile["id"],
        "rate": _kes_rate_id(),
        "category": _category_id("data_annotation"),  # in use: its unit is fixed
    }
    buyer_pages = [
        "/",
        "/account",
        "/vendors",
        "/vendors/{alpha}",
        "/vendors/{alpha}/scorecard",
        "/reviews",
        "/disclosures/table",
        "/disclosures/{disclosure}",
        "/scores",
        "/profiles",
        "/profiles/{profile}",
        "/metrics",
        "/needs",
        "/needs/{need}",
        "/scenarios",
        "/scenarios/{solved}",
        "/scenarios/{infeasible}",
        "/scenarios/compare?ids={solved}&ids={infeasible}",
        "/scenarios/{approved}",
        "/scenarios/{approved}/deliveries",
        "/notifications",
        "/exchange-rates",
    ]
    return {
        "buyer": (world["buyer"], buyer_pages),
        "executive": (
            make_user("executive", organization=organization),
            [
                "/",
                "/scenarios",
                "/scenarios/{solved}",
                "/scenarios/compare?ids={solved}&ids={infeasible}",
                "/scenarios/{approved}/deliveries",
            ],
        ),
        "admin": (make_user("admin", organization=organization), ["/", "/admin/users", "/account"]),
        "operator": (
            make_user("operator", organization=make_org("operator")),
            [
                "/",
                "/admin/organizations",
                "/account",
                "/exchange-rates",
                "/exchange-rates/{rate}",
                "/service-categories",
                "/service-categories/{category}",
            ],
        ),
        "vendor": (
            vendor_user,
            [
                "/",
                "/vendor/profile",
                "/vendor/offers",
                "/vendor/disclosures",
                "/disclosures/{disclosure}",
                "/scorecard",
                "/disclosures/table",
                "/notifications",
            ],
        ),
    }, ids


def test_no_serious_or_critical_violation_on_any_page(browser, live_server, axe_source, records):
    pages, ids = records
    folder = ARTIFACTS / "accessibility"
    folder.mkdir(parents=True, exist_ok=True)
    problems, checked = [], 0
    for actor, (user, paths) in [("anonymous", (None, ["/sign-in"])), *pages.items()]:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, bypass_csp=True
        )  # to inject axe
        page = context.new_page()
        if user is not None:
            page.goto(live_server + "/sign-in")
            page.get_by_label("Email").fill(user.email)
            page.get_by_label("Password").fill(TEST_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(live_server + "/")
        for path in paths:
            url = path.format(**ids)
            response = page.goto(live_server + url)
            assert response.status == 200, (actor, url, response.status)
            page.evaluate(axe_source)
            found = page.evaluate(RUN_AXE)
            problems += [f"{actor} {url}: {violation}" for violation in found]
            page.screenshot(
                path=str(folder / f"{actor}{url.replace('/', '_').replace('?', '_')}.png"[:200]),
                full_page=True,
            )
            checked += 1
        context.close()
    # 33, the operator's home, Organizations and account pages, the buyer's and vendor's
    # notifications, the exchange rates (the buyer's list, the operator's list and form) and the
    # service categories (the operator's list and edit page), an approved plan's page and its
    # deliveries page (the buyer) and the deliveries page (the executive)
    assert checked == 46
    assert problems == [], "\n".join(problems)
