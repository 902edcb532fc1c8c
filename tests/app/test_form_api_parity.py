"""One way to read input: a page form is loaded by the API's own schema and checked by the same
services, so every error a page shows names the same field as the API's error for the same input.

Each case posts the same bad input once through the page (form text, as a browser sends it) and
once through the API (JSON), and compares the sets of field names refused. The API nests a
schema's messages (`{"sites": {"0": {"name": [...]}}}`) and a page shows them dotted
(`sites.0.name`), as the services name their own: both are compared dotted."""

from __future__ import annotations

import html
import re

import pytest

from procure.forms import field_errors
from tests.conftest import NEED, csrf_token_from

LEAVE_OUT = object()  # the field is not sent at all

# --------------------------------------------------------------------------- reading errors


def summary_fields(page: str) -> set[str]:
    """The fields named in a page's error summary (templates/_forms.html error_summary)."""
    summary = re.search(r'id="error-summary">(.*?)</div>', page, re.S)
    assert summary, "the page shows no error summary"
    return set(re.findall(r'<li><a href="#[^"]*">([^<]+)</a>:', summary.group(1)))


def flashed_fields(page: str, opening: str) -> set[str]:
    """The fields named in a flashed "Nothing was changed. field: messages; field: ..." line."""
    flashed = re.search(r'class="alert alert-error" role="status">(.*?)</div>', page, re.S)
    assert flashed, "the page flashes no error"
    text = html.unescape(flashed.group(1)).strip()
    assert text.startswith(opening), text
    return {part.split(": ", 1)[0] for part in text.removeprefix(opening).strip().split("; ")}


def api_fields(response) -> set[str]:
    assert response.status_code == 422, (response.status_code, response.json)
    return set(field_errors(response.json["errors"]))


def changed(base: dict, overrides: dict) -> dict:
    merged = {**base, **overrides}
    return {key: value for key, value in merged.items() if value is not LEAVE_OUT}


def cases(table: dict[str, tuple[dict, dict]]):
    return pytest.mark.parametrize("page_input, api_input", list(table.values()), ids=list(table))


def compare(client, page: str, form: dict, api: str, body: dict, headers, **how) -> None:
    """Post `form` to the page's form on `page` (to `how["post"]`, if it posts elsewhere), send
    `body` to `api` (with `how["method"]`, POST by default), and compare the fields refused. A
    page that answers with a redirect and a flash names its opening words in `how["flashed"]`."""
    token = csrf_token_from(client.get(page).text)
    flashed = how.get("flashed")
    shown = client.post(
        how.get("post", page), data=form | {"csrf_token": token}, follow_redirects=bool(flashed)
    )
    if flashed:
        page_fields = flashed_fields(shown.text, flashed)
    else:
        assert shown.status_code == 422
        page_fields = summary_fields(shown.text)
    answer = client.open(api, method=how.get("method", "POST"), headers=headers, json=body)
    assert page_fields, "the case refuses nothing: it cannot compare anything"
    assert page_fields == api_fields(answer)


BAD_VERSION = {"a version that is no number": ({"version": "abc"}, {"version": "abc"})}


# --------------------------------------------------------------------------- needs

NEED_FORM = {key: str(value) for key, value in NEED.items()}

NEED_CASES = {
    "text for a number": ({"volume": "lots"}, {"volume": "lots"}),
    "a negative volume": ({"volume": "-5"}, {"volume": -5}),
    "a blank volume": ({"volume": ""}, {"volume": None}),
    "infinity": ({"budget_usd": "inf"}, {"budget_usd": "inf"}),
    "a blank title": ({"title": ""}, {"title": ""}),
    "no date": ({"period_start": "2026-02-30"}, {"period_start": "2026-02-30"}),
    "a period that ends first": ({"period_end": "2025-01-01"}, {"period_end": "2025-01-01"}),
    "an unknown category": ({"service_category": "astrology"}, {"service_category": "astrology"}),
    "an unknown unit": ({"unit": "fortnight"}, {"unit": "fortnight"}),
    "shares out of range, thousands separators": (
        {"volume": "1,200", "min_quality": "1.5", "max_vendor_share": "0", "title": ""},
        {"volume": 1200, "min_quality": 1.5, "max_vendor_share": 0, "title": ""},
    ),
}
LEFT_OUT_UNIT = {"a missing required field": ({"unit": LEAVE_OUT}, {"unit": LEAVE_OUT})}


@cases(NEED_CASES | LEFT_OUT_UNIT)
def test_registering_a_need(client, make_user, sign_in, bearer, page_input, api_input):
    buyer = make_user("buyer")
    headers = bearer(buyer)
    sign_in(client, buyer)
    form, body = changed(NEED_FORM, page_input), changed(NEED, api_input)
    compare(client, "/needs", form, "/api/v1/needs", body, headers)


@cases(NEED_CASES | BAD_VERSION)
def test_editing_a_need(client, world, sign_in, page_input, api_input):
    need = world["need"]
    sign_in(client, world["buyer"])
    form = NEED_FORM | {"version": str(need["version"]), "action": "save"}
    body = NEED | {"version": need["version"]}
    compare(
        client,
        f"/needs/{need['id']}",
        changed(form, page_input),
        f"/api/v1/needs/{need['id']}",
        changed(body, api_input),
        world["headers"],
        method="PATCH",
    )


# --------------------------------------------------------------------------- scenarios

SCENARIO_CASES = {
    "text for a target": (
        {"targets.min_avg_impact": "abc"},
        {"targets": {"min_avg_impact": "abc"}},
    ),
    "targets out of range, thousands separators": (
        {"targets.min_avg_impact": "120", "targets.budget": "-1,000"},
        {"targets": {"min_avg_impact": 120, "budget": -1000}},
    ),
    "an unknown profile": ({"profile_id": "999999"}, {"profile_id": 999999}),
    "an unknown objective": ({"objective": "max_fun"}, {"objective": "max_fun"}),
}
NEEDS_AND_NAME_CASES = {
    "an unknown need id": ({"need_ids": ["999999"]}, {"need_ids": [999999]}),
    "a need id that is no number": ({"need_ids": ["x"]}, {"need_ids": ["x"]}),
    "an empty list of needs": ({"need_ids": []}, {"need_ids": []}),
    "a blank name": ({"name": ""}, {"name": ""}),
    "a missing name": ({"name": LEAVE_OUT}, {"name": LEAVE_OUT}),
}


@cases(SCENARIO_CASES | NEEDS_AND_NAME_CASES)
def test_building_a_scenario(client, world, sign_in, page_input, api_input):
    need_id = world["need"]["id"]
    sign_in(client, world["buyer"])
    form = {"name": "Plan", "need_ids": [str(need_id)], "objective": "min_cost", "profile_id": ""}
    body = {"name": "Plan", "need_ids": [need_id]}
    compare(
        client,
        "/scenarios",
        changed(form, page_input),
        "/api/v1/scenarios",
        changed(body, api_input),
        world["headers"],
    )


@cases(SCENARIO_CASES | BAD_VERSION)
def test_changing_a_scenario(client, world, sign_in, make_scenario, page_input, api_input):
    scenario = make_scenario()
    sign_in(client, world["buyer"])
    form = {
        "version": str(scenario["version"]),
        "name": "Plan",
        "objective": "min_cost",
        "profile_id": "",
        "targets.budget": "",
    }
    compare(
        client,
        f"/scenarios/{scenario['id']}",
        changed(form, page_input),
        f"/api/v1/scenarios/{scenario['id']}",
        changed({"version": scenario["version"]}, api_input),
        world["headers"],
        method="PATCH",
        post=f"/scenarios/{scenario['id']}/edit",
        flashed="Nothing was changed.",
    )


# --------------------------------------------------------------------------- vendor profile

PROFILE_FORM = {
    "name": "Kazi Ltd",
    "country": "KE",
    "description": "",
    "service_categories": ["data_annotation"],
    "sites.0.name": "HQ",
    "sites.0.city": "Nairobi",
    "sites.0.country": "ke",
    "sites.1.name": "",
    "sites.1.city": "",
    "sites.1.country": "",
}
PROFILE = {
    "name": "Kazi Ltd",
    "country": "KE",
    "description": "",
    "service_categories": ["data_annotation"],
    "sites": [{"name": "HQ", "city": "Nairobi", "country": "ke"}],
}
PROFILE_CASES = {
    "a blank country": ({"country": ""}, {"country": ""}),
    "an unknown country": ({"country": "XX"}, {"country": "XX"}),
    "a blank name": ({"name": ""}, {"name": ""}),
    "an unknown category": (
        {"service_categories": ["astrology", "data_annotation"]},
        {"service_categories": ["astrology", "data_annotation"]},
    ),
    "a site without a name, another without a country": (
        {"sites.0.name": "", "sites.1.name": "Mombasa", "sites.1.country": ""},
        {
            "sites": [
                {"name": "", "city": "Nairobi", "country": "ke"},
                {"name": "Mombasa", "city": "", "country": ""},
            ]
        },
    ),
    "a site listed twice, a site country unknown": (
        {"sites.1.name": "hq", "sites.1.country": "ZZ"},
        {
            "sites": [
                {"name": "HQ", "city": "Nairobi", "country": "KE"},
                {"name": "hq", "city": "", "country": "ZZ"},
            ]
        },
    ),
    "a site row with a left-out name": (
        {"sites.0.name": LEAVE_OUT},
        {"sites": [{"city": "Nairobi", "country": "KE"}]},
    ),
}


@cases(PROFILE_CASES)
def test_creating_a_vendor_profile(client, make_user, sign_in, bearer, page_input, api_input):
    user = make_user("vendor")
    headers = bearer(user)
    sign_in(client, user)
    named = {"name": user.organization.name}
    form, body = changed(PROFILE_FORM | named, page_input), changed(PROFILE | named, api_input)
    compare(client, "/vendor/profile", form, "/api/v1/vendors", body, headers)


@cases(PROFILE_CASES | BAD_VERSION)
def test_editing_a_vendor_profile(client, make_vendor, sign_in, bearer, page_input, api_input):
    vendor, user = make_vendor("Kazi Ltd")
    headers = bearer(user)
    sign_in(client, user)
    compare(
        client,
        "/vendor/profile",
        changed(PROFILE_FORM | {"version": str(vendor.version)}, page_input),
        f"/api/v1/vendors/{vendor.id}",
        changed(PROFILE | {"version": vendor.version}, api_input),
        headers,
        method="PATCH",
    )


# --------------------------------------------------------------------------- rate card

OFFER_FORM = {
    "service_category": "data_annotation",
    "unit": "hour",
    "price": "7.5",
    "currency": "USD",
    "capacity_per_period": "5,000",
    "quality": "0.96",
}
OFFER = {
    "service_category": "data_annotation",
    "unit": "hour",
    "price": 7.5,
    "currency": "USD",
    "capacity_per_period": 5000,
    "quality": 0.96,
}
OFFER_CASES = {
    "text for a price": ({"price": "cheap"}, {"price": "cheap"}),
    "a blank price": ({"price": ""}, {"price": None}),
    "a zero price": ({"price": "0"}, {"price": 0}),
    "a negative capacity": ({"capacity_per_period": "-1"}, {"capacity_per_period": -1}),
    "a quality above 1": ({"quality": "1.5"}, {"quality": 1.5}),
    "an unknown currency": ({"currency": "XYZ"}, {"currency": "XYZ"}),
    "a currency of two letters": ({"currency": "US"}, {"currency": "US"}),
    "an unknown unit": ({"unit": "fortnight"}, {"unit": "fortnight"}),
}


@cases(OFFER_CASES | LEFT_OUT_UNIT)
def test_adding_an_offer(client, make_vendor, sign_in, bearer, page_input, api_input):
    vendor, user = make_vendor()
    headers = bearer(user)
    sign_in(client, user)
    form, body = changed(OFFER_FORM, page_input), changed(OFFER, api_input)
    compare(client, "/vendor/offers", form, f"/api/v1/vendors/{vendor.id}/offers", body, headers)


@cases(OFFER_CASES | BAD_VERSION)
def test_editing_an_offer(client, make_vendor, sign_in, bearer, page_input, api_input):
    vendor, user = make_vendor()
    offer = vendor.offers[0]
    headers = bearer(user)
    sign_in(client, user)
    compare(
        client,
        "/vendor/offers",
        changed(OFFER_FORM | {"version": str(offer.version), "active": "on"}, page_input),
        f"/api/v1/offers/{offer.id}",
        changed(OFFER | {"version": offer.version}, api_input),
        headers,
        method="PATCH",
        post=f"/vendor/offers/{offer.id}",
        flashed="The offer was not changed.",
    )
