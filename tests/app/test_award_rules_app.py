"""Award rules through procure (issue 21): vendor groups, incumbent rules and bid adjustments in
a scenario's targets, named by vendor and need ids, through the API, the problem document, the
solve, the scenario page and the board report.

The golden cases use the closed event of `test_award_scenarios.awarding`: lot 1 "Labelling",
1,000 hours: vendor A bids 10 USD an hour for at most 600 hours, vendor B 12 USD; lot 2
"Invoices", 2,000 items: B's 50 KES = 0.387 USD an item beats A's 0.50 USD. Without rules:
600 x 10 + 400 x 12 + 2,000 x 0.387 = 11,574 USD. Here vendor A is based in Kenya ("KE") and
B in Uganda ("UG").
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from procure.extensions import db
from procure.reports.board_pdf import render_report_html, report_view
from procure.scenarios.models import Scenario
from procure.scenarios.report_context import board_context
from tests.app.test_award_scenarios import (
    _documents,
    _scenario,
    awarding,  # noqa: F401 (a fixture, through world)
)
from tests.conftest import csrf_token_from


@pytest.fixture
def world(request):
    """The closed event of `test_award_scenarios.awarding`, vendor B moved to Uganda."""
    s = request.getfixturevalue("awarding")
    s.vendors["b"].country = "UG"
    db.session.commit()
    return s


def _rules(s, **changes) -> dict:
    """A group cap by country on lot 1, an incumbent rule on lot 2 and a 10 % adjustment on B."""
    n1, n2 = s.need_ids
    return {
        "vendor_groups": [
            {
                "id": "kenya",
                "label": "Kenya",
                "country": "KE",
                "measure": "hours",
                "max_share": 0.3,
                "need": n1,
            }
        ],
        "incumbents": [{"need": n2, "vendors": [s.vendors["a"].id], "min_share": 0.25}],
        "adjustments": [{"vendors": [s.vendors["b"].id], "percent": 10}],
        **changes,
    }


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Scenario))


def test_the_rules_round_trip_and_solve_to_the_hand_checked_plan(client, world):
    """Lot 1: the Kenya group (A alone) keeps at most 30 % of the lot's 1,000 hours, so A takes
    300 hours at 10 USD and B the other 700 at 12: 3,000 + 8,400 = 11,400 USD.
    Lot 2: A keeps at least 25 % of 2,000 items = 500 at 0.50 USD = 250 USD, B the other 1,500
    at 0.387 = 580.5 USD; B's 10 % adjustment (0.4257) still beats A's 0.50 for the rest.
    Real spend 11,400 + 250 + 580.5 = 12,230.5 USD. Adjusted: A's 3,000 + 250 = 3,250 as
    they are, B's 8,400 + 580.5 = 8,980.5 x 1.1 = 9,878.55; 3,250 + 9,878.55 = 13,128.55."""
    s = world
    a, b = (f"V{s.vendors[v].id}" for v in "ab")
    n1, n2 = (f"N{need_id}" for need_id in s.need_ids)
    created = _scenario(client, s, targets=_rules(s))
    assert created.status_code == 201, created.json
    assert created.json["status"] == "solved"
    read = client.get(f"/api/v1/scenarios/{created.json['id']}", headers=s.headers["buyer_x"])
    assert read.json["targets"]["incumbents"] == _rules(s)["incumbents"]  # as the buyer sent
    problem, result = _documents(client, s, created.json["id"])
    # the document names the vendors by its keys; the country became its member list
    targets = problem["targets"]
    assert targets["vendor_groups"] == [
        {
            "id": "kenya",
            "label": "Kenya",
            "measure": "hours",
            "max_share": 0.3,
            "vendors": [a],
            "need": n1,
        }
    ]
    assert targets["incumbents"] == [{"need": n2, "vendors": [a], "min_share": 0.25}]
    assert targets["adjustments"] == [{"vendors": [b], "percent": 10}]

    placed = {(x["vendor"], x["need"]): x["volume"] for x in result["allocations"]}
    assert placed == pytest.approx(
        {(a, n1): 300.0, (b, n1): 700.0, (a, n2): 500.0, (b, n2): 1500.0}
    )
    assert result["totals"]["cost"] == pytest.approx(12230.5, abs=1e-6)
    assert result["totals"]["adjusted_cost"] == pytest.approx(13128.55, abs=1e-6)
    b1 = next(x for x in result["allocations"] if (x["vendor"], x["need"]) == (b, n1))
    assert b1["adjusted_price"] == pytest.approx(13.2)  # 12 x 1.1
    binding = {row["kind"] for row in result["constraints"] if row["binding"]}
    assert {"vendor_group_max_share", "incumbent"} <= binding


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"vendor_groups": [{"id": "g", "vendors": [1], "measure": "hours", "max_share": 2}]},
            "targets.vendor_groups[0].max_share",
        ),
        (
            {
                "vendor_groups": [
                    {"id": "g", "vendors": [999999], "measure": "hours", "max_share": 0.5}
                ]
            },
            "targets.vendor_groups[0].vendors[0]",
        ),
        (
            {
                "vendor_groups": [
                    {"id": "g", "vendors": ["V1"], "measure": "hours", "max_share": 0.5}
                ]
            },
            "targets.vendor_groups[0].vendors[0]",
        ),
        (
            {
                "vendor_groups": [
                    {"id": "g", "country": "Kenya", "measure": "spend", "max_share": 0.5}
                ]
            },
            "targets.vendor_groups[0].country",
        ),
        (
            {
                "vendor_groups": [
                    {"id": "g", "country": "KE", "measure": "volume", "max_share": 0.5}
                ]
            },
            "targets.vendor_groups[0].measure",
        ),
        (
            {"incumbents": [{"need": 999999, "vendors": [1], "min_share": 0.5}]},
            "targets.incumbents[0].need",
        ),
        (
            {"incumbents": [{"need": "N1", "vendors": [1], "min_share": 0.5}]},
            "targets.incumbents[0].need",
        ),
        (
            {"incumbents": [{"need": None, "vendors": [1], "min_share": 1.5}]},
            "targets.incumbents[0].min_share",
        ),
        ({"adjustments": [{"vendors": [1], "percent": -150}]}, "targets.adjustments[0].percent"),
        ({"adjustments": [{"group": "nowhere", "percent": 5}]}, "targets.adjustments[0].group"),
        ({"adjustments": "cheaper"}, "targets.adjustments"),
        # only a vendor group is named by country
        (
            {"incumbents": [{"need": None, "country": "KE", "vendors": [1], "min_share": 0.5}]},
            "targets.incumbents[0].country",
        ),
    ],
)
def test_bad_rules_are_refused_naming_the_field_and_nothing_is_saved(client, world, change, field):
    s = world
    for record in (change.get("vendor_groups") or []) + (change.get("incumbents") or []):
        if record.get("vendors") == [1]:
            record["vendors"] = [s.vendors["a"].id]
    created = _scenario(client, s, targets=change)
    assert created.status_code == 422, created.json
    assert field in created.json["errors"], created.json["errors"]
    assert _count() == 0
    # the same through a change of a saved scenario: refused, the scenario as it was
    saved = _scenario(client, s).json
    changed = client.patch(
        f"/api/v1/scenarios/{saved['id']}",
        headers=s.headers["buyer_x"],
        json={"targets": change, "version": saved["version"]},
    )
    assert changed.status_code == 422 and field in changed.json["errors"]
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}


def test_another_organizations_buyer_can_neither_read_nor_change_the_rules(client, world, sign_in):
    s = world
    saved = _scenario(client, s, targets=_rules(s)).json
    base = f"/api/v1/scenarios/{saved['id']}"
    other = s.headers["buyer_y"]
    assert client.get(base, headers=other).status_code == 404
    assert client.get(f"{base}/problem.json", headers=other).status_code == 404
    changed = client.patch(
        base, headers=other, json={"targets": {"incumbents": []}, "version": saved["version"]}
    )
    assert changed.status_code == 404
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == _rules(s)
    browser = client.application.test_client()
    sign_in(browser, s.users["buyer_y"])
    assert browser.get(f"/scenarios/{saved['id']}").status_code == 404


def test_the_page_and_the_board_report_say_the_rules_and_both_costs(client, world, sign_in):
    s = world
    saved = _scenario(client, s, targets=_rules(s)).json
    browser = client.application.test_client()
    sign_in(browser, s.users["buyer_x"])
    page = browser.get(f"/scenarios/{saved['id']}").text
    group = "Vendor group “Kenya” (Vendor A) gets at most 30 % of the labour hours on “Labelling”."
    incumbent = "On “Invoices”, at least 25 % stays with the incumbents (Vendor A)."
    adjustment = "Prices of Vendor B count with 10 % more when choosing the plan"
    costs = "Optimised on $13,128.55 with adjustments; the real spend is $12,230.50."
    for text in (group, incumbent, adjustment, costs):
        assert text in page, text
    report = board_context(db.session.get(Scenario, saved["id"]))["award_rules"]
    assert report["rules"][:2] == [group, incumbent]
    assert report["costs"] == costs
    pdf_html = render_report_html(
        "reports/board.html",
        report_view(board_context(db.session.get(Scenario, saved["id"])), include_charts=False),
    )
    assert "<h3>Award rules</h3>" in pdf_html and f"<p>{costs}</p>" in pdf_html
    assert f"<li>{group}</li>" in pdf_html and f"<li>{adjustment}" in pdf_html


def test_an_impossible_rule_is_explained_and_its_fix_applied(client, world, sign_in):
    """Lot 1: Kenya (A) at most 30 % of its hours, but A as incumbent keeps at least 50 %:
    both cannot hold. With the cap gone A can keep up to 600 hours (its cap), 60 %, so the
    most the incumbents can keep under the cap is 30 %, and the cap must be at least 50 %."""
    s = world
    n1 = s.need_ids[0]
    rules = _rules(s, incumbents=[{"need": n1, "vendors": [s.vendors["a"].id], "min_share": 0.5}])
    saved = _scenario(client, s, targets=rules).json
    assert saved["status"] == "infeasible"
    _, result = _documents(client, s, saved["id"])
    fields = {entry["field"] for entry in result["explanation"]["rules"]}
    assert "targets.vendor_groups[0].max_share" in fields
    browser = client.application.test_client()
    sign_in(browser, s.users["buyer_x"])
    page = browser.get(f"/scenarios/{saved['id']}").text
    assert "The group cap for Kenya must be at least 50 %" in page.replace("50%", "50 %")
    assert "Apply this fix" in page
    # another organization's buyer cannot apply it
    other = client.application.test_client()
    sign_in(other, s.users["buyer_y"])
    token = csrf_token_from(other.get("/scenarios").text)
    refused = other.post(
        f"/scenarios/{saved['id']}/rule-fix",
        data={"csrf_token": token, "field": "targets.vendor_groups[0].max_share", "version": 1},
    )
    assert refused.status_code == 404
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == rules
    # the buyer applies it: the cap becomes 50 % (the figure found, not one sent), and the plan
    # keeps 500 of lot 1's 1,000 hours with A (both rules at their limit): 500 x 10 + 500 x 12
    # = 11,000 USD; lot 2 has no incumbent rule here, so B takes it for 774 USD: 11,774 USD
    token = csrf_token_from(browser.get(f"/scenarios/{saved['id']}").text)
    version = db.session.get(Scenario, saved["id"]).version
    applied = browser.post(
        f"/scenarios/{saved['id']}/rule-fix",
        data={
            "csrf_token": token,
            "field": "targets.vendor_groups[0].max_share",
            "version": version,
        },
    )
    assert applied.status_code == 302
    db.session.expire_all()
    fixed = db.session.get(Scenario, saved["id"])
    assert fixed.targets["vendor_groups"][0]["max_share"] == 0.5
    assert fixed.targets["incumbents"] == rules["incumbents"]
    assert fixed.status == "solved", fixed.result.get("status")
    assert fixed.result["totals"]["cost"] == pytest.approx(11774.0, abs=1e-6)


def test_a_country_cap_added_on_the_page_and_kept_by_the_targets_form(client, world, sign_in):
    """The page's form caps Kenya (vendor A) at 30 % of lot 1's hours: the same plan on lot 1
    as the golden case, A 300 hours and B 700 (3,000 + 8,400 = 11,400 USD), lot 2 B's alone
    (774 USD): 12,174 USD. Changing a number target afterwards keeps the cap."""
    s = world
    saved = _scenario(client, s).json
    browser = client.application.test_client()
    sign_in(browser, s.users["buyer_x"])
    url = f"/scenarios/{saved['id']}"
    page = browser.get(url).text
    assert "Cap the share of one country" in page
    form = {"csrf_token": csrf_token_from(page), "country": "ke", "measure": "hours"}
    # a share that is not a number: refused, naming it as the form labels it, beside the
    # field, with what was typed still in the form (422: the page again), nothing saved
    refused = browser.post(
        f"{url}/vendor-group", data={**form, "max_share": "lots", "version": saved["version"]}
    )
    assert refused.status_code == 422
    assert 'data-field="max_share">At most (%)</a>: Give a share from 0 to 100 %.' in refused.text
    assert '<p class="error" id="max_share-error">Give a share from 0 to 100 %.</p>' in refused.text
    assert 'name="max_share" type="number" value="lots"' in refused.text
    assert 'name="country" type="text" value="ke"' in refused.text
    assert "Max share" not in refused.text
    # a percentage above 100 is refused in the form's own terms, never as "2.0" of a 0-1 share
    refused = browser.post(
        f"{url}/vendor-group",
        data={**form, "measure": "spend", "max_share": "200", "version": saved["version"]},
    )
    assert refused.status_code == 422
    assert "At most (%)</a>: Give a share from 0 to 100 %." in refused.text
    assert "between 0 and 1" not in refused.text and "got 2.0" not in refused.text
    assert 'name="max_share" type="number" value="200"' in refused.text
    assert '<option selected value="spend">Spend</option>' in refused.text
    refused = browser.post(
        f"{url}/vendor-group",
        data={**form, "country": "Kenya", "max_share": "30", "version": saved["version"]},
    )
    assert refused.status_code == 422
    assert "Country (two letters, such as KE)</a>: Give a country as two letters" in refused.text
    assert 'name="country" type="text" value="Kenya"' in refused.text
    assert 'name="max_share" type="number" value="30"' in refused.text
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}
    # another organization's buyer: 404, nothing saved
    other = client.application.test_client()
    sign_in(other, s.users["buyer_y"])
    body = {**form, "max_share": "30", "need": str(s.need_ids[0]), "version": saved["version"]}
    body["csrf_token"] = csrf_token_from(other.get("/scenarios").text)
    assert other.post(f"{url}/vendor-group", data=body).status_code == 404
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}

    body["csrf_token"] = form["csrf_token"]
    assert browser.post(f"{url}/vendor-group", data=body).status_code == 302
    db.session.expire_all()
    scenario = db.session.get(Scenario, saved["id"])
    group = {
        "id": "country-ke",
        "label": "vendors in KE",
        "country": "KE",
        "measure": "hours",
        "max_share": 0.3,
        "need": s.need_ids[0],
    }
    assert scenario.targets == {"vendor_groups": [group]}
    assert scenario.result["totals"]["cost"] == pytest.approx(12174.0, abs=1e-6)
    # the number targets' form keeps the award rules
    page = browser.get(url).text
    assert "Vendor group “vendors in KE” (Vendor A) gets at most 30 %" in page
    edited = browser.post(
        f"{url}/edit",
        data={
            "csrf_token": csrf_token_from(page),
            "version": scenario.version,
            "objective": "min_cost",
            "targets.min_avg_quality": "0.5",
        },
    )
    assert edited.status_code == 302
    db.session.expire_all()
    targets = db.session.get(Scenario, saved["id"]).targets
    assert targets["vendor_groups"] == [group] and targets["min_avg_quality"] == 0.5


def test_a_rule_without_a_vendor_in_the_plan_is_left_out_and_said():
    """Vendor 7 is not in the document (no bid, or left out) and nobody is based in Tanzania:
    the incumbent rule and the group go, and so does the adjustment to the group; vendor 1's
    own adjustment stays, named by its document key."""
    from procure.scenarios.award_rules import document_rules

    targets = {
        "vendor_groups": [{"id": "tz", "country": "TZ", "measure": "spend", "max_share": 0.5}],
        "incumbents": [{"need": 3, "vendors": [7], "min_share": 0.5}],
        "adjustments": [
            {"group": "tz", "percent": 5},
            {"vendors": [1, 7], "per_unit": 2},
            {"vendors": [7], "percent": 10},  # vendor 7 alone: it goes too, and is said
        ],
    }
    rules, notes = document_rules(targets, {1: "V1"}, {1: "KE"})
    assert rules == {"adjustments": [{"vendors": ["V1"], "per_unit": 2}]}
    assert notes == [
        "The vendor group tz has no vendor in this plan, so its limits are not applied.",
        "The incumbent rule for need N3 is not applied: none of its incumbents has a bid or "
        "offer in this plan.",
        "Price adjustment 1 (for the group tz) is not applied: the group has no vendor in "
        "this plan.",
        "Price adjustment 3 is not applied: none of its vendors has a bid or offer in this plan.",
    ]
