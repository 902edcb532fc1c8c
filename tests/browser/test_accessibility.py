"""axe-core (from the npm package, injected by the test, never a CDN) on every page each role
reaches, with records of every kind: no serious or critical violation allowed.

axe comes from PROCURE_AXE_JS or node_modules/axe-core/axe.min.js at the repository root
(`npm install axe-core`); .ci/run installs it. Without it the test skips with the reason, except
when PROCURE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from procure.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.conftest import NEED, TEST_PASSWORD, valid_document

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
    # award rules: a solved plan with an incumbent rule and a bid adjustment (its "Award rules"
    # card), one whose cap on Kenya cannot hold (both vendors are Kenyan: its "Apply this fix"),
    # and a need with most vendors and a minimum award
    need_id, alpha_id, beta_id = world["need"]["id"], world["alpha"].id, world["beta"].id
    ruled = make_scenario(
        "Rules",
        incumbents=[{"need": need_id, "vendors": [alpha_id], "min_share": 0.3}],
        adjustments=[{"vendors": [beta_id], "percent": 10}],
    )
    clash = make_scenario(
        "Rules clash",
        vendor_groups=[
            {"id": "kenya", "label": "Kenya", "country": "KE", "measure": "hours", "max_share": 0.3}
        ],
    )
    assert (ruled["status"], clash["status"]) == ("solved", "infeasible")
    limited = client.post(
        "/api/v1/needs",
        headers=headers,
        json={**NEED, "title": "Annotation in few hands", "max_vendors": 1, "min_award": 200},
    )
    assert limited.status_code == 201, limited.json
    db.session.commit()
    ids = {
        "ruled": ruled["id"],
        "clash": clash["id"],
        "limited": limited.json["id"],
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
        "/scenarios/{ruled}",
        "/scenarios/{clash}",
        "/needs/{limited}",
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
    # deliveries page (the buyer) and the deliveries page (the executive), the plans with award
    # rules (solved and infeasible) and the need with most vendors and a minimum award
    assert checked == 49
    assert problems == [], "\n".join(problems)


def _demo_ids() -> dict[str, int]:
    """The demo's coalition and its first target, its corrective plan and the plan's vendor."""
    from sqlalchemy import select

    from procure.coalitions.models import Coalition, CoalitionTarget
    from procure.corrective.models import CorrectivePlan
    from procure.demo_coalition import COALITION

    coalition = db.session.scalars(select(Coalition).where(Coalition.name == COALITION)).one()
    plan = db.session.scalars(select(CorrectivePlan)).one()
    target = db.session.scalars(
        select(CoalitionTarget.id)
        .where(CoalitionTarget.coalition_id == coalition.id)
        .order_by(CoalitionTarget.id)
        .limit(1)
    ).one()
    return {
        "coalition": coalition.id,
        "target": target,
        "plan": plan.id,
        "vendor": plan.vendor_id,
    }


# the newest pages, with the demo's records: the coalition as its coordinator and as members
# (the buyer and executive of Northwind, which shares its figures by name), the spend pages, the
# corrective plan as the buyer who opened it and as the vendor who answered it (issue #22)
NEWEST_PAGES = {
    "coordinator@compact.example": [
        "/coalitions",
        "/coalitions/new",
        "/coalitions/{coalition}",
        "/coalitions/{coalition}/edit",
        "/coalitions/{coalition}/targets/new",
        "/coalitions/{coalition}/targets/{target}/edit",
        "/coalitions/{coalition}/spend",
    ],
    "buyer@northwind.example": [
        "/coalitions",
        "/coalitions/{coalition}",
        "/coalitions/{coalition}/spend",
        "/spend",
        "/corrective-plans",
        "/corrective-plans/{plan}",
        "/vendors/{vendor}/corrective-plans",
        "/vendors/{vendor}/scorecard",
    ],
    "exec@northwind.example": [
        "/coalitions/{coalition}",
        "/spend",
        "/corrective-plans",
        "/corrective-plans/{plan}",
    ],
    "vendor@kazidata.example": ["/corrective-plans", "/corrective-plans/{plan}", "/scorecard"],
    # two more members, a buyer (Harbor) and an executive (Lakeshore), both sharing by name
    "buyer@harborfoods.example": ["/coalitions/{coalition}", "/spend"],
    "exec@lakeshore.example": ["/coalitions/{coalition}", "/coalitions/{coalition}/spend"],
}


def _signed_in(browser, live_server, email, password):
    """A new browser context (axe may be injected) signed in as `email`, and its page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    return context, page


def _axe_pages(browser, live_server, axe_source, email, password, paths, ids) -> list[str]:
    """Sign in, open each path, run axe: its serious or critical violations, by page."""
    folder = ARTIFACTS / "accessibility"
    folder.mkdir(parents=True, exist_ok=True)
    context, page = _signed_in(browser, live_server, email, password)
    problems = []
    for path in paths:
        url = path.format(**ids)
        response = page.goto(live_server + url)
        assert response.status == 200, (email, url, response.status)
        page.evaluate(axe_source)
        problems += [f"{email} {url}: {v}" for v in page.evaluate(RUN_AXE)]
        name = f"{email.split('.')[0]}{url.replace('/', '_').replace('?', '_')}.png"
        page.screenshot(path=str(folder / name[:200]), full_page=True)
    context.close()
    return problems


def test_no_serious_or_critical_violation_on_the_newest_pages(
    browser, live_server, axe_source, demo
):
    from tests.app.test_plain_pages import ROLES

    ids = _demo_ids()
    problems, checked = [], 0
    for email, paths in NEWEST_PAGES.items():
        problems += _axe_pages(browser, live_server, axe_source, email, ROLES[email], paths, ids)
        checked += len(paths)
    assert checked == 26
    assert problems == [], "\n".join(problems)


def test_no_serious_or_critical_violation_after_the_award_rule_and_need_forms(
    browser, live_server, axe_source, world, make_scenario
):
    """The states the forms lead to: a country cap refused (its error), "Apply this fix" on a
    cap that cannot hold (the plan solved again), a need refused for its most vendors and
    minimum award (the errors beside the fields)."""
    clash = make_scenario(
        "Rules clash",
        vendor_groups=[
            {"id": "kenya", "label": "Kenya", "country": "KE", "measure": "hours", "max_share": 0.3}
        ],
    )
    context, page = _signed_in(browser, live_server, world["buyer"].email, TEST_PASSWORD)
    problems = []

    def check(name: str) -> None:
        page.evaluate(axe_source)
        problems.extend(f"{name}: {v}" for v in page.evaluate(RUN_AXE))
        page.screenshot(path=str(ARTIFACTS / "accessibility" / f"forms-{name}.png"), full_page=True)

    (ARTIFACTS / "accessibility").mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server}/scenarios/{clash['id']}")
    cap = page.locator("#add-country-cap")
    cap.get_by_label("Country (two letters, such as KE)").fill("Kenya")
    cap.get_by_label("At most (%)").fill("150")
    cap.get_by_role("button", name="Add the cap and solve").click()
    page.wait_for_selector("text=Nothing was changed.")
    check("country-cap-refused")
    page.locator("#award-rule-fixes").get_by_role(
        "button", name=re.compile("^Apply this fix")
    ).click()
    page.wait_for_selector("text=Saved. A new solve with this rule changed has started.")
    check("rule-fix-applied")
    page.goto(f"{live_server}/needs/{world['need']['id']}")
    page.get_by_label("Most vendors for this need").fill("0")
    page.get_by_label("Minimum award per vendor (in the need's unit)").fill("-5")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("#error-summary")
    summary = page.inner_text("#error-summary")
    assert "Most vendors for this need" in summary and "Minimum award per vendor" in summary
    check("need-refused")
    context.close()
    assert problems == [], "\n".join(problems)


def test_no_serious_or_critical_violation_when_a_form_was_loaded_before_another_save(
    browser, live_server, axe_source, client, world, make_scenario
):
    """A form sent after someone else saved the scenario or the need: the page again (409) with
    the notice, what was typed kept in the form."""
    scenario = make_scenario("Stale plan")
    context, page = _signed_in(browser, live_server, world["buyer"].email, TEST_PASSWORD)
    problems = []

    def check(name: str) -> None:
        page.evaluate(axe_source)
        problems.extend(f"{name}: {v}" for v in page.evaluate(RUN_AXE))
        page.screenshot(path=str(ARTIFACTS / "accessibility" / f"stale-{name}.png"), full_page=True)

    (ARTIFACTS / "accessibility").mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server}/scenarios/{scenario['id']}")
    form = page.locator("#edit")
    form.get_by_label("Name").fill("Typed while a colleague saved")
    changed = client.patch(
        f"/api/v1/scenarios/{scenario['id']}",
        headers=world["headers"],
        json={"targets": {"budget": 19000}, "version": scenario["version"]},
    )
    assert changed.status_code == 200
    form.get_by_role("button", name="Save and solve").click()
    page.wait_for_selector("#conflict-notice")
    assert "review the current values and save again" in page.inner_text("#conflict-notice")
    assert page.locator("#edit").get_by_label("Name").input_value() == (
        "Typed while a colleague saved"
    )
    check("scenario-targets")

    need = world["need"]
    page.goto(f"{live_server}/needs/{need['id']}")
    page.get_by_label("Volume").fill("1234")
    assert (
        client.patch(
            f"/api/v1/needs/{need['id']}",
            headers=world["headers"],
            json={"budget_usd": 19500, "version": need["version"]},
        ).status_code
        == 200
    )
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("#conflict-notice")
    assert "Budget: 19,500 USD" in page.inner_text("#conflict-notice")
    assert page.get_by_label("Volume").input_value() == "1234"
    check("need")
    context.close()
    assert problems == [], "\n".join(problems)
