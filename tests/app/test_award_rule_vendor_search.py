"""The award rule forms of a large plan (issue 23): above RULE_VENDOR_CHECKBOXES_MAX vendors the
page lists only the vendors ticked and fields to add a vendor by name, which the server resolves
to the plan's vendors; a name no vendor of the plan has is refused beside its field (422),
nothing saved, what was typed kept. The threshold is lowered so that the two-vendor case of
`test_award_rules_app` (vendor A, vendor B) takes that path."""

from __future__ import annotations

import pytest

from procure.extensions import db
from procure.scenarios import views
from procure.scenarios.models import Scenario
from tests.app.test_award_rules_app import (
    _page_client,
    _refused,
    _same_as_the_api,
    world,  # noqa: F401 (a fixture, through two_vendors)
)
from tests.app.test_award_scenarios import (
    _scenario,
    awarding,  # noqa: F401 (a fixture, through world)
)
from tests.conftest import csrf_token_from


@pytest.fixture
def two_vendors(request):
    """`test_award_rules_app.world`: vendor A in Kenya, vendor B in Uganda, both bidding."""
    return request.getfixturevalue("world")


@pytest.fixture
def large_plan(monkeypatch):
    monkeypatch.setattr(views, "RULE_VENDOR_CHECKBOXES_MAX", 1)


def _open(client, s, sign_in):
    saved = _scenario(client, s).json
    browser = _page_client(client, s, sign_in)
    url = f"/scenarios/{saved['id']}"
    return saved, browser, url, browser.get(url).text


def test_a_small_plan_lists_every_vendor_to_tick_and_no_name_field(client, two_vendors, sign_in):
    s = two_vendors
    _, _, _, page = _open(client, s, sign_in)
    for prefix in ("incumbent", "adjustment", "group"):
        for v in "ab":
            assert f'name="{prefix}.vendors" value="{s.vendors[v].id}"' in page
    assert "vendor_names" not in page and "rule-vendor-names" not in page


def test_a_large_plan_lists_no_vendor_to_tick_but_a_field_to_name_one(
    client, two_vendors, sign_in, large_plan
):
    s = two_vendors
    _, _, _, page = _open(client, s, sign_in)
    for prefix in ("incumbent", "adjustment", "group"):
        assert f'name="{prefix}.vendors" value=' not in page
        assert f'<input id="{prefix}-vendor_names" name="{prefix}.vendor_names" type="text"' in (
            page
        )
    # one list of suggestions, at most RULE_VENDOR_CHECKBOXES_MAX names: the vendors with volume
    assert page.count('<datalist id="rule-vendor-names">') == 1
    suggestions = page.split('<datalist id="rule-vendor-names">')[1].split("</datalist>")[0]
    assert suggestions.count("<option ") == 1
    assert 'list="rule-vendor-names"' in page


def test_an_incumbent_named_on_a_large_plans_form_is_the_apis_rule(
    client, two_vendors, sign_in, large_plan
):
    """Vendor A typed by name, in another case, keeps at least 25 % of lot 2: the same rule,
    and the same plan (11,630.5 USD, `test_award_rules_app`), as ticking it."""
    s = two_vendors
    n2 = s.need_ids[1]
    a = s.vendors["a"].id
    saved, browser, url, page = _open(client, s, sign_in)
    form = {
        "csrf_token": csrf_token_from(page),
        "version": str(saved["version"]),
        "incumbent.need": str(n2),
        "incumbent.min_share": "25",
    }
    post = f"{url}/incumbent-rule"
    _refused(
        browser,
        post,
        {**form, "incumbent.vendor_names": ["Vendor Z"]},
        "incumbent.vendor_names",
        "Add an incumbent vendor by name</a>: No vendor in this plan is named “Vendor Z”",
        ['value="Vendor Z"', 'name="incumbent.min_share" type="number" value="25"'],
    )
    # nothing named at all: the rule's own refusal, beside the vendors
    _refused(
        browser,
        post,
        {**form, "incumbent.vendor_names": ["  "]},
        "incumbent.vendors",
        "Tick at least one incumbent vendor.",
        ['name="incumbent.min_share" type="number" value="25"'],
    )
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}

    done = browser.post(post, data={**form, "incumbent.vendor_names": [" vendor a "]})
    assert done.status_code == 302, done.text[:400]
    result = _same_as_the_api(
        client, s, saved["id"], {"incumbents": [{"need": n2, "vendors": [a], "min_share": 0.25}]}
    )
    assert result["totals"]["cost"] == pytest.approx(11630.5, abs=1e-6)


def test_an_unknown_name_beside_a_ticked_vendor_is_refused_and_both_kept(
    client, two_vendors, sign_in, large_plan
):
    """A group with vendor B ticked and two names typed, one of them no vendor: refused naming
    the unknown one only; B stays ticked (the only box listed) and both names stay typed."""
    s = two_vendors
    b = s.vendors["b"].id
    saved, browser, url, page = _open(client, s, sign_in)
    form = {
        "csrf_token": csrf_token_from(page),
        "version": str(saved["version"]),
        "group.label": "Preferred",
        "group.vendors": [str(b)],
        "group.vendor_names": ["Vendor A", "Nobody Ltd"],
        "group.measure": "hours",
        "group.max_share": "30",
    }
    refused = _refused(
        browser,
        f"{url}/vendor-list-group",
        form,
        "group.vendor_names",
        "No vendor in this plan is named “Nobody Ltd”: type the name as the plan lists it.",
        [f'value="{b}" checked', 'value="Vendor A"', 'value="Nobody Ltd"'],
    )
    assert f'name="group.vendors" value="{s.vendors["a"].id}"' not in refused.text
    assert "Vendor A”" not in refused.text.split('id="error-summary"')[1].split("</div>")[0]
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}
