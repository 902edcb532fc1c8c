"""Scenarios: the adapter's problem document, solving, infeasibility explained, exports that
re-solve identically, edits and copies, access."""

from sqlalchemy import select

import optimizer
from procure.extensions import db
from procure.scenarios.models import Scenario
from tests.conftest import NEED, csrf_token_from


def test_problem_document_from_the_database(client, world):
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Plan A", "need_ids": [world["need"]["id"]]},
    )
    assert created.status_code == 201, created.json
    problem = client.get(
        f"/api/v1/scenarios/{created.json['id']}/problem.json", headers=world["headers"]
    ).json
    need_id = f"N{world['need']['id']}"
    assert problem["version"] == 2
    assert problem["needs"] == [
        {
            "id": need_id,
            "title": "Annotation 2026",
            "unit": "hour",
            "volume": 1000.0,
            "min_quality": 0.9,
            "max_vendor_share": 0.8,
            "period": {"start": "2026-01", "months": 12},  # the need runs through 2026
            "min_avg_impact": None,
            "min_impact_spend_share": None,
        }
    ]
    offers = {o["vendor"]: o for o in problem["offers"]}
    alpha, beta = f"V{world['alpha'].id}", f"V{world['beta'].id}"
    assert offers[alpha]["price"] == 8.0 and offers[beta]["price"] == 6.0
    # USD offers: the original amount, at rate 1, on the day the problem was built
    assert offers[alpha]["original_price"] == 8.0 and offers[alpha]["currency"] == "USD"
    assert (
        offers[alpha]["rate"] == 1.0 and offers[alpha]["rate_date"] == problem["meta"]["rate_date"]
    )
    # an offer's own cap is units per month (10,000 a month); the optimizer spreads the
    # need evenly over its 12 months
    assert offers[alpha]["capacity"] == 10000
    assert offers[alpha]["hours_per_unit"] == 1.0 and offers[alpha]["unit"] == "hour"
    assert problem["targets"]["budget"] == 20000 and problem["objective"] == "min_cost"
    assert problem["settings"] == {"hours_per_fte_year": 2080}
    vendors = {v["id"]: v for v in problem["vendors"]}
    assert vendors[alpha]["impact_worker_share"] == round(55 / 115, 6)
    assert vendors[alpha]["impact_score"] > vendors[beta]["impact_score"]


def test_least_cost_plan_and_an_impact_target_that_binds(client, world):
    cheap = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Cheapest", "need_ids": [world["need"]["id"]]},
    ).json
    assert cheap["status"] == "solved"
    # max share 0.8: Beta (6 USD) takes 800 hours, Alpha (8 USD) the other 200
    # = 4,800 + 1,600 = 6,400 USD
    assert abs(cheap["totals"]["cost"] - 6400) < 1e-6
    problem = client.get(
        f"/api/v1/scenarios/{cheap['id']}/problem.json", headers=world["headers"]
    ).json
    scores = {v["id"]: v["impact_score"] for v in problem["vendors"]}
    alpha, beta = scores[f"V{world['alpha'].id}"], scores[f"V{world['beta'].id}"]
    target = 0.5 * alpha + 0.5 * beta  # reachable only by moving volume to Alpha
    greener = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={
            "name": "Greener",
            "need_ids": [world["need"]["id"]],
            "targets": {"min_avg_impact": target},
        },
    ).json
    assert greener["status"] == "solved"
    # half each: 500 x 8 + 500 x 6 = 7,000 USD
    assert abs(greener["totals"]["cost"] - 7000) < 1e-4
    result = client.get(
        f"/api/v1/scenarios/{greener['id']}/result.json", headers=world["headers"]
    ).json
    impact_row = next(c for c in result["constraints"] if c["kind"] == "min_avg_impact")
    assert impact_row["binding"] is True and impact_row["shadow_price"] < 0


def test_impossible_target_is_explained_with_the_numbers(client, world, sign_in):
    response = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Impossible", "need_ids": [world["need"]["id"]], "targets": {"budget": 5000}},
    )
    assert response.json["status"] == "infeasible"
    result = client.get(
        f"/api/v1/scenarios/{response.json['id']}/result.json", headers=world["headers"]
    ).json
    # the least cost is 6,400 USD (see above), so the budget is short by 1,400
    assert abs(result["explanation"]["targets"]["budget"]["achievable"] - 6400) < 1e-4
    assert "6,400" in result["explanation"]["summary"]
    page_client = client.application.test_client()
    sign_in(page_client, world["buyer"])
    page = page_client.get(f"/scenarios/{response.json['id']}")
    assert "The targets cannot all hold." in page.text and "6,400" in page.text


def test_exported_problem_resolves_to_the_identical_allocation(client, world):
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Plan", "need_ids": [world["need"]["id"]], "targets": {"min_avg_impact": 40}},
    ).json
    problem = client.get(
        f"/api/v1/scenarios/{created['id']}/problem.json", headers=world["headers"]
    ).json
    stored = client.get(
        f"/api/v1/scenarios/{created['id']}/result.json", headers=world["headers"]
    ).json
    again = optimizer.solve(problem)
    assert again["allocations"] == stored["allocations"]
    assert again["totals"] == stored["totals"]


def test_edit_resolves_copy_keeps_the_original_and_stale_edits_get_409(client, world):
    headers = world["headers"]
    created = client.post(
        "/api/v1/scenarios",
        headers=headers,
        json={"name": "Plan", "need_ids": [world["need"]["id"]]},
    ).json
    edited = client.patch(
        f"/api/v1/scenarios/{created['id']}",
        headers=headers,
        json={"targets": {"budget": 5000}, "version": created["version"]},
    )
    assert edited.status_code == 200 and edited.json["status"] == "infeasible"
    stale = client.patch(
        f"/api/v1/scenarios/{created['id']}",
        headers=headers,
        json={"targets": {}, "version": created["version"]},
    )
    assert stale.status_code == 409
    copy = client.post(f"/api/v1/scenarios/{created['id']}/copy", headers=headers).json
    assert copy["name"] == "Plan (copy)" and copy["copied_from_id"] == created["id"]
    bad = client.patch(
        f"/api/v1/scenarios/{copy['id']}",
        headers=headers,
        json={"targets": {"budgett": 1, "min_avg_impact": "high"}, "version": copy["version"]},
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"targets.budgett", "targets.min_avg_impact"}
    submitted = db.session.get(Scenario, copy["id"])
    submitted.status = "submitted"
    db.session.commit()
    frozen = client.patch(
        f"/api/v1/scenarios/{copy['id']}",
        headers=headers,
        json={"name": "x", "version": submitted.version},
    )
    assert frozen.status_code == 409 and "copy it instead" in frozen.json["message"]


def test_scenarios_are_private_and_invisible_to_vendors(
    client, world, make_user, bearer, make_vendor
):
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Plan", "need_ids": [world["need"]["id"]]},
    ).json
    other = bearer(make_user("buyer"))
    for path in ("", "/problem.json", "/result.json", "/frontier"):
        assert (
            client.get(f"/api/v1/scenarios/{created['id']}{path}", headers=other).status_code == 404
        )
    assert (
        client.post(
            "/api/v1/scenarios",
            headers=other,
            json={"name": "x", "need_ids": [world["need"]["id"]]},
        ).status_code
        == 422
    )
    _, vendor_user = make_vendor("Curious vendor")
    assert client.get("/api/v1/scenarios", headers=bearer(vendor_user)).status_code == 403
    assert (
        client.get(f"/api/v1/scenarios/{created['id']}", headers=bearer(vendor_user)).status_code
        == 403
    )


def test_frontier_and_pages(client, world, sign_in):
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Plan", "need_ids": [world["need"]["id"]]},
    ).json
    # traced by the solve job, stored with the scenario: the same as the optimizer gives
    frontier = client.get(
        f"/api/v1/scenarios/{created['id']}/frontier", headers=world["headers"]
    ).json
    problem = client.get(
        f"/api/v1/scenarios/{created['id']}/problem.json", headers=world["headers"]
    ).json
    costs = [p["cost"] for p in frontier["points"] if p["status"] == "optimal"]
    assert len(costs) == 11 and costs == sorted(costs)
    assert costs == [p["cost"] for p in optimizer.frontier(problem, 11)["points"]]
    sign_in(client, world["buyer"])
    listing = client.get("/scenarios")
    assert "Plan" in listing.text and "$6,400" in listing.text
    page = client.get(f"/scenarios/{created['id']}")
    assert (
        "Cost against impact" in page.text
        and "<svg" in page.text
        and "Alpha Annotation" in page.text
    )
    built = client.post(
        "/scenarios",
        data={
            "csrf_token": csrf_token_from(listing.text),
            "name": "From the page",
            "need_ids": [str(world["need"]["id"])],
            "objective": "min_cost",
            "targets.min_avg_impact": "abc",
        },
    )
    # the optimizer's rules name it, as they do for the API
    assert built.status_code == 422 and "must be a number, got string" in built.text


def test_targets_are_checked_by_the_optimizers_rules_before_anything_is_saved(client, world):
    # found by probing: a budget of 1e300 was stored and the scenario ended 'failed'
    response = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={
            "name": "Huge",
            "need_ids": [world["need"]["id"]],
            "targets": {"budget": 1e300, "min_avg_impact": 120},
        },
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"targets.budget", "targets.min_avg_impact"}
    assert response.json["errors"]["targets.min_avg_impact"] == [
        "must be between 0 and 100, got 120"
    ]
    assert db.session.scalar(select(Scenario.id)) is None


def test_disclosure_reviews_count_only_for_the_reviewing_organization(
    client, world, make_user, bearer
):
    """Buyer Y rejects Beta and verifies Alpha: Y's scenarios leave Beta out; Alpha's version has
    no evidence file, so Y's verification lifts none of its sections (issue #18); buyer X's
    problem document does not move."""
    from procure.disclosures.models import Disclosure

    def problem(headers, need_id):
        created = client.post(
            "/api/v1/scenarios", headers=headers, json={"name": "Plan", "need_ids": [need_id]}
        )
        assert created.status_code == 201, created.json
        document = client.get(
            f"/api/v1/scenarios/{created.json['id']}/problem.json", headers=headers
        ).json
        return {v["id"]: v["impact_score"] for v in document["vendors"]}

    alpha, beta = f"V{world['alpha'].id}", f"V{world['beta'].id}"
    before = problem(world["headers"], world["need"]["id"])
    y = bearer(make_user("buyer"))
    versions = {d.vendor_id: d.id for d in db.session.scalars(select(Disclosure)).all()}
    assert (
        client.post(
            f"/api/v1/disclosures/{versions[world['beta'].id]}/review",
            headers=y,
            json={"decision": "rejected", "comment": "Hires do not reconcile."},
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/disclosures/{versions[world['alpha'].id]}/review",
            headers=y,
            json={"decision": "verified"},
        ).status_code
        == 200
    )
    assert (
        problem(world["headers"], world["need"]["id"])
        == before
        == {alpha: before[alpha], beta: before[beta]}
    )
    own = problem(y, client.post("/api/v1/needs", headers=y, json=NEED).json["id"])
    assert set(own) == {alpha}  # Beta's only version is rejected by Y
    # a verification lifts only sections with a file, and Alpha has none: its claims of
    # self_reported_documented never counted, verified or not (the lift of a verified section,
    # for the verifying organization only, is tested in tests/app/test_section_reviews.py)
    assert own[alpha] == before[alpha]
