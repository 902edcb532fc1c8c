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
    # two letters of no country are refused as a region's are, not kept as a group of no one
    refused = browser.post(
        f"{url}/vendor-group",
        data={**form, "country": "ZZ", "max_share": "30", "version": saved["version"]},
    )
    assert refused.status_code == 422
    assert "Unknown country code &#39;ZZ&#39;" in refused.text
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


# ---------------------------------------------------------------- the page's award rule forms


def _page_client(client, s, sign_in, actor="buyer_x"):
    browser = client.application.test_client()
    sign_in(browser, s.users[actor])
    return browser


def _api_equivalent(client, s, targets) -> tuple[dict, dict, dict]:
    """A scenario of the same needs changed through the API's PATCH to `targets`: its stored
    targets, problem document and result, to compare with what the page's form made."""
    saved = _scenario(client, s).json
    changed = client.patch(
        f"/api/v1/scenarios/{saved['id']}",
        headers=s.headers["buyer_x"],
        json={"targets": targets, "version": saved["version"]},
    )
    assert changed.status_code == 200, changed.json
    solved = client.post(
        f"/api/v1/scenarios/{saved['id']}/solve", headers=s.headers["buyer_x"], json={}
    )
    assert solved.status_code in (200, 202), solved.json
    problem, result = _documents(client, s, saved["id"])
    db.session.expire_all()
    return db.session.get(Scenario, saved["id"]).targets, problem, result


def _same_as_the_api(client, s, scenario_id: int, targets: dict) -> dict:
    """The page-made scenario's targets equal `targets` (what the API stores for the same
    rule), and its problem document's targets and plan equal the API-made scenario's."""
    db.session.expire_all()
    scenario = db.session.get(Scenario, scenario_id)
    assert scenario.targets == targets
    api_targets, api_problem, api_result = _api_equivalent(client, s, targets)
    assert api_targets == targets
    problem, result = _documents(client, s, scenario_id)
    assert problem["targets"] == api_problem["targets"]
    assert result["allocations"] == api_result["allocations"]
    assert result["totals"] == api_result["totals"]
    return result


def _refused(browser, url, data, field, message, kept):
    """A bad post: 422, the page again naming the field by its label beside the field, what was
    typed still in the form."""
    refused = browser.post(url, data=data)
    assert refused.status_code == 422, refused.text[:400]
    assert f'data-field="{field}">' in refused.text
    assert message in refused.text, refused.text.split('id="error-summary"')[-1][:600]
    fid = field.replace(".", "-")
    assert f'<p class="error" id="{fid}-error">' in refused.text
    for snippet in kept:
        assert snippet in refused.text, snippet
    return refused


def test_an_incumbent_rule_added_on_the_page_is_the_apis(client, world, sign_in):
    """Vendor A keeps at least 25 % of lot 2 ("Invoices", 2,000 items): the golden case's
    incumbent rule alone. Lot 1 as without rules: A 600 hours at 10 and B 400 at 12 = 10,800;
    lot 2: A 500 items at 0.50 = 250, B 1,500 at 0.387 = 580.5; 11,630.5 USD."""
    s = world
    n1, n2 = s.need_ids
    a = s.vendors["a"].id
    saved = _scenario(client, s).json
    browser = _page_client(client, s, sign_in)
    url = f"/scenarios/{saved['id']}"
    page = browser.get(url).text
    assert "Keep a share with the incumbents" in page
    assert f'name="incumbent.vendors" value="{a}"' in page
    token = csrf_token_from(page)
    form = {
        "csrf_token": token,
        "version": str(saved["version"]),
        "incumbent.need": str(n2),
        "incumbent.vendors": [str(a)],
    }
    post = f"{url}/incumbent-rule"
    _refused(
        browser,
        post,
        {**form, "incumbent.min_share": "lots"},
        "incumbent.min_share",
        "They keep at least (%)</a>: Give a share from 0 to 100 %.",
        ['name="incumbent.min_share" type="number" value="lots"', f'value="{a}" checked'],
    )
    # a need not of the scenario (a tampered post): refused by the scenario's own checks, as
    # the API refuses it, beside the form's field
    _refused(
        browser,
        post,
        {**form, "incumbent.need": "999999", "incumbent.min_volume": "500"},
        "incumbent.need",
        "Need</a>: Choose one of the scenario&#39;s needs",
        ['name="incumbent.min_volume" type="number" value="500"', f'value="{a}" checked'],
    )
    _refused(
        browser,
        post,
        {**form, "incumbent.vendors": [], "incumbent.min_share": "25"},
        "incumbent.vendors",
        "Tick at least one incumbent vendor.",
        ['name="incumbent.min_share" type="number" value="25"'],
    )
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}

    done = browser.post(post, data={**form, "incumbent.min_share": "25"})
    assert done.status_code == 302, done.text[:400]
    result = _same_as_the_api(
        client, s, saved["id"], {"incumbents": [{"need": n2, "vendors": [a], "min_share": 0.25}]}
    )
    assert result["totals"]["cost"] == pytest.approx(11630.5, abs=1e-6)
    shown = browser.get(url).text
    assert "On “Invoices”, at least 25 % stays with the incumbents (Vendor A)." in shown
    # the audit trail says which rule the change added, not only "Changed"
    assert (
        "<td>Changed: added an incumbent rule: On “Invoices”, at least 25 % stays with the "
        "incumbents (Vendor A).</td>"
    ) in shown
    audit = board_context(db.session.get(Scenario, saved["id"]))["audit"]  # the board PDF's
    assert (
        "Changed: added an incumbent rule: On “Invoices”, at least 25 % stays with the "
        "incumbents (Vendor A)."
    ) in [row["action"] for row in audit]
    assert n1  # lot 1 has no rule


def test_a_price_adjustment_added_on_the_page_is_the_apis(client, world, sign_in):
    """B's prices count 10 % more: lot 1 as without rules (A's 10 beats B's 13.2 for its 600
    hours, B the other 400); lot 2 B's 0.4257 still beats A's 0.50. Real spend 11,574 USD as
    without rules; adjusted: 6,000 + 4,800 x 1.1 + 774 x 1.1 = 6,000 + 5,280 + 851.4 =
    12,131.4."""
    s = world
    b = s.vendors["b"].id
    saved = _scenario(client, s).json
    browser = _page_client(client, s, sign_in)
    url = f"/scenarios/{saved['id']}"
    token = csrf_token_from(browser.get(url).text)
    form = {"csrf_token": token, "version": str(saved["version"])}
    post = f"{url}/bid-adjustment"
    _refused(
        browser,
        post,
        {**form, "adjustment.percent": "10"},
        "adjustment.vendors",
        "Vendors</a>: Tick the vendors, or choose a vendor group.",
        ['name="adjustment.percent" type="number" value="10"'],
    )
    # below -100 %: the scenario's own check, named as the form labels it
    _refused(
        browser,
        post,
        {**form, "adjustment.vendors": [str(b)], "adjustment.percent": "-150"},
        "adjustment.percent",
        "Percent added to their prices (negative: taken off)</a>: must be",
        ['name="adjustment.percent" type="number" value="-150"', f'value="{b}" checked'],
    )
    _refused(
        browser,
        post,
        {**form, "adjustment.vendors": [str(b)], "adjustment.per_unit": "two"},
        "adjustment.per_unit",
        "Give a number.",
        ['name="adjustment.per_unit" type="number" value="two"'],
    )
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}

    done = browser.post(
        post, data={**form, "adjustment.vendors": [str(b)], "adjustment.percent": "10"}
    )
    assert done.status_code == 302
    result = _same_as_the_api(
        client, s, saved["id"], {"adjustments": [{"vendors": [b], "percent": 10.0}]}
    )
    assert result["totals"]["cost"] == pytest.approx(11574.0, abs=1e-6)
    assert result["totals"]["adjusted_cost"] == pytest.approx(12131.4, abs=1e-6)


def test_a_group_of_chosen_vendors_added_on_the_page_is_the_apis(client, world, sign_in):
    """The buyer's own list "Preferred" (vendor A) gets at most 30 % of lot 1's hours: A 300 at
    10 and B 700 at 12 = 11,400; lot 2 B's alone, 774: 12,174 USD. Its id is made from its
    name; an adjustment may then name it, from the form's list of groups."""
    s = world
    n1 = s.need_ids[0]
    a = s.vendors["a"].id
    saved = _scenario(client, s).json
    browser = _page_client(client, s, sign_in)
    url = f"/scenarios/{saved['id']}"
    token = csrf_token_from(browser.get(url).text)
    form = {
        "csrf_token": token,
        "version": str(saved["version"]),
        "group.label": "Preferred",
        "group.vendors": [str(a)],
        "group.measure": "hours",
        "group.need": str(n1),
    }
    post = f"{url}/vendor-list-group"
    _refused(
        browser,
        post,
        {**form, "group.max_share": "200"},
        "group.max_share",
        "At most (%)</a>: Give a share from 0 to 100 %.",
        [
            'name="group.max_share" type="number" value="200"',
            'name="group.label" type="text" value="Preferred"',
        ],
    )
    # the least above the most: said in the form's percentages
    _refused(
        browser,
        post,
        {**form, "group.min_share": "60", "group.max_share": "30"},
        "group.max_share",
        "At most (%)</a>: Give at least the smallest share (60 %).",
        ['name="group.min_share" type="number" value="60"', f'<option selected value="{n1}">'],
    )
    # a vendor id that is no vendor (a tampered post): the scenario's own check, as the API's
    _refused(
        browser,
        post,
        {**form, "group.vendors": [str(a), "999999"], "group.max_share": "30"},
        "group.vendors",
        "Vendors in the group</a>: No vendor with id 999999.",
        ['name="group.max_share" type="number" value="30"', f'value="{a}" checked'],
    )
    _refused(
        browser,
        post,
        {**form, "group.label": "", "group.max_share": "30"},
        "group.label",
        "Name of the group</a>: Name the group",
        ['name="group.max_share" type="number" value="30"'],
    )
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}

    done = browser.post(post, data={**form, "group.max_share": "30"})
    assert done.status_code == 302
    group = {
        "id": "preferred",
        "label": "Preferred",
        "vendors": [a],
        "measure": "hours",
        "max_share": 0.3,
        "need": n1,
    }
    result = _same_as_the_api(client, s, saved["id"], {"vendor_groups": [group]})
    assert result["totals"]["cost"] == pytest.approx(12174.0, abs=1e-6)
    page = browser.get(url).text
    assert "Vendor group “Preferred” (Vendor A) gets at most 30 %" in page
    assert '<option value="preferred">Preferred</option>' in page  # the adjustment form's list


def test_the_rule_forms_are_the_buyers_of_the_scenarios_organization(client, world, sign_in):
    """An executive and a vendor: 403; another organization's buyer: 404; nothing saved. Each
    form's post is a good one, which the scenario's buyer then saves (302)."""
    s = world
    n2 = s.need_ids[1]
    a = str(s.vendors["a"].id)
    saved = _scenario(client, s).json
    url = f"/scenarios/{saved['id']}"
    posts = {
        "incumbent-rule": {
            "incumbent.need": str(n2),
            "incumbent.vendors": [a],
            "incumbent.min_share": "25",
        },
        "bid-adjustment": {"adjustment.vendors": [a], "adjustment.per_unit": "1"},
        "vendor-list-group": {
            "group.label": "Mine",
            "group.vendors": [a],
            "group.measure": "spend",
            "group.max_share": "90",
        },
    }
    for actor, status in (("executive_x", 403), ("vendor_a", 403), ("buyer_y", 404)):
        browser = _page_client(client, s, sign_in, actor)
        token = csrf_token_from(browser.get("/account").text)
        for path, fields in posts.items():
            sent = {"csrf_token": token, "version": str(saved["version"]), **fields}
            assert browser.post(f"{url}/{path}", data=sent).status_code == status, (actor, path)
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}
    browser = _page_client(client, s, sign_in)
    for path, fields in posts.items():
        version = db.session.get(Scenario, saved["id"]).version
        token = csrf_token_from(browser.get(url).text)
        sent = {"csrf_token": token, "version": str(version), **fields}
        assert browser.post(f"{url}/{path}", data=sent).status_code == 302, path
        db.session.expire_all()
    targets = db.session.get(Scenario, saved["id"]).targets
    added = [len(targets[key]) for key in ("incumbents", "adjustments", "vendor_groups")]
    assert added == [1, 1, 1]


def test_a_price_adjustment_a_unit_reads_in_cents():
    from procure.scenarios.award_rules import rule_sentences

    def said(per_unit: float) -> str:
        (sentence,) = rule_sentences(
            {"targets": {"adjustments": [{"vendors": ["V1"], "per_unit": per_unit}]}}
        )
        return sentence

    assert said(0.4).startswith("Prices of vendor V1 count with $0.40 a unit added")
    assert "$1,250.00 a unit taken off" in said(-1250)
    assert "$0.0035 a unit added" in said(0.0035)  # less than a cent: as given


def test_the_audit_trail_says_which_rule_a_change_edited_removed_or_set():
    """`trail.change_words` on a scenario's before and after (ids as the API names them); the
    page then names the vendors and needs (`review.plain_words`)."""
    from procure.scenarios.trail import change_words

    kenya = {"id": "kenya", "label": "Kenya", "vendors": [1], "measure": "spend", "max_share": 0.3}
    before = {
        "targets": {
            "budget": 12000,
            "vendor_groups": [kenya],
            "adjustments": [{"vendors": [2], "percent": 10}],
            "incumbents": [{"need": 3, "vendors": [1], "min_share": 0.25}],
            "priorities": {"budget": 10},
        }
    }
    after = {
        "targets": {
            "budget": 15000,
            "min_avg_impact": 60,
            "vendor_groups": [kenya],
            "adjustments": [{"group": "kenya", "percent": -5}],
            "priorities": {"budget": 20, "needs.3.min_avg_impact": 5},
        },
        "name": "Award B",
    }
    assert change_words({**before, "name": "Award A"}, after, [{"id": "N3", "unit": "item"}]) == [
        "Budget (USD) 12,000 → 15,000",
        "Minimum average impact (0–100) set to 60",
        "removed an incumbent rule: On need N3, at least 25 % stays with the incumbents "
        "(vendor V1).",
        "changed a bid adjustment: Prices of vendor V2 count with 10 % more when choosing the "
        "plan; the spend shown is at the real prices. → Prices of the vendor group “Kenya” "
        "count with 5 % less when choosing the plan; the spend shown is at the real prices.",
        "priority of the budget 10 → 20",
        "priority of need N3: the minimum average impact set to 5",
        "the name “Award A” → “Award B”",
    ]
