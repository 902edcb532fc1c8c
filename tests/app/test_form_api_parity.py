"""One way to read input: a page form is loaded by the API's own schema and checked by the same
services, so every error a page shows names the same field as the API's error for the same input.

Each case posts the same bad input once through the page (form text, as a browser sends it) and
once through the API (JSON), and compares the sets of field names refused. The API nests a
schema's messages (`{"sites": {"0": {"name": [...]}}}`) and a page shows them dotted
(`sites.0.name`), as the services name their own: both are compared dotted. Pages that show each
refusal at its input (accounts, invitations) are read there, and say the API's words too."""

from __future__ import annotations

import html
import re

import pytest

from procure.formatting import field_words
from procure.forms import field_errors
from procure.invitations.services import MAX_MESSAGE_LENGTH
from procure.scoring.services import default_profile
from tests.conftest import NEED, TEST_PASSWORD, csrf_token_from

LEAVE_OUT = object()  # the field is not sent at all

# --------------------------------------------------------------------------- reading errors


def summary_fields(page: str) -> set[str]:
    """The fields named in a page's error summary (templates/_forms.html error_summary)."""
    summary = re.search(r'id="error-summary">(.*?)</div>', page, re.S)
    assert summary, "the page shows no error summary"
    return set(
        re.findall(r'<li><a href="#[^"]*" data-field="([^"]+)">[^<]+</a>:', summary.group(1))
    )


def flashed_fields(page: str, opening: str) -> set[str]:
    """The fields named (in words) in a flashed "Nothing was changed. Field: messages; ..."
    line."""
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
    if flashed:  # a flash names each field in words, as the error summaries' links do
        assert page_fields == {field_words(field) for field in api_fields(answer)}
    else:
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
        post=f"/scenarios/{scenario['id']}/edit",  # the page again (422), with its summary
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
    "a negative capacity": ({"capacity_hours_per_month": "-1"}, {"capacity_hours_per_month": -1}),
    "a capacity month that is no month, another before 2000": (
        {
            "capacity_changes.0.from_month": "2026-13",
            "capacity_changes.0.hours_per_month": "100",
            "capacity_changes.1.from_month": "1999-12",
            "capacity_changes.1.hours_per_month": "100",
        },
        {
            "capacity_changes": [
                {"from_month": "2026-13", "hours_per_month": 100},
                {"from_month": "1999-12", "hours_per_month": 100},
            ]
        },
    ),
    "two capacity changes for one month, one negative": (
        {
            "capacity_changes.0.from_month": "2026-07",
            "capacity_changes.0.hours_per_month": "1,000",
            "capacity_changes.1.from_month": "2026-07",
            "capacity_changes.1.hours_per_month": "-1",
        },
        {
            "capacity_changes": [
                {"from_month": "2026-07", "hours_per_month": 1000},
                {"from_month": "2026-07", "hours_per_month": -1},
            ]
        },
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
    "an item offer without hours per unit": (
        {"unit": "item", "service_category": "digitisation_data_entry"},
        {"unit": "item", "service_category": "digitisation_data_entry"},
    ),
    "hours per unit above 1,000": (
        {"unit": "task", "service_category": "recruitment", "hours_per_unit": "1,000.5"},
        {"unit": "task", "service_category": "recruitment", "hours_per_unit": 1000.5},
    ),
    "an hour that takes two hours": ({"hours_per_unit": "2"}, {"hours_per_unit": 2}),
    "two cap changes for one month": (
        {
            "capacity_changes.0.from_month": "2026-07",
            "capacity_changes.0.units_per_month": "10",
            "capacity_changes.1.from_month": "2026-07",
            "capacity_changes.1.units_per_month": "20",
        },
        {
            "capacity_changes": [
                {"from_month": "2026-07", "units_per_month": 10},
                {"from_month": "2026-07", "units_per_month": 20},
            ]
        },
    ),
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


# ------------------------------------------------------------------ accounts and invitations
# These pages show each refusal at its input (templates/_forms.html), so the page is read there:
# the inputs it marks invalid and the message under each. They say the API's words too.

WEAK_PASSWORDS = {
    "a too-weak password": "password123!",
    "a too-short password": "amber-ledge",
    "a password of one character repeated": "aaaaaaaaaaaaaaa",
}


def at_inputs(page: str) -> dict[str, str]:
    """Each input a page marks refused (aria-invalid) and the message shown under it."""
    marked = re.findall(
        r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*\baria-invalid="true"', page
    )
    shown = {}
    for name in marked:
        under = re.search(rf'<p class="error" id="{re.escape(name)}-error">([^<]*)</p>', page)
        assert under, f"{name} is marked refused with no message under it"
        shown[name] = html.unescape(under.group(1))
    return shown


def api_messages(response) -> dict[str, str]:
    assert response.status_code == 422, (response.status_code, response.json)
    return {field: " ".join(said) for field, said in field_errors(response.json["errors"]).items()}


def compare_at_inputs(client, page: str, form: dict, api: str, body: dict, headers=None, **how):
    """Post `form` to the page (to `how["post"]`, if it posts elsewhere) and `body` to the API
    (with `how["method"]`, POST by default): the page refuses the same fields, in the same words,
    at their inputs."""
    token = csrf_token_from(client.get(page).text)
    shown = client.post(how.get("post", page), data=form | {"csrf_token": token})
    assert shown.status_code == 422, shown.status_code
    answer = client.open(api, method=how.get("method", "POST"), headers=headers, json=body)
    page_messages = at_inputs(shown.text)
    assert page_messages, "the case refuses nothing: it cannot compare anything"
    assert page_messages == api_messages(answer)


NEW_USER = {
    "name": "Amina Odhiambo",
    "email": "amina@lumen.test",
    "role": "buyer",
    "password": "copper-lantern-meadow-9",
}
USER_CASES = {
    "an email already taken": ({"email": "{taken}"}, {"email": "{taken}"}),
    "an email taken in other letters": ({"email": " {TAKEN} "}, {"email": " {TAKEN} "}),
    "an email that is no address": ({"email": "amina.lumen.test"}, {"email": "amina.lumen.test"}),
    "a password that holds the email": (
        {"password": "amina-copper-lantern"},
        {"password": "amina-copper-lantern"},
    ),
    "a blank name": ({"name": ""}, {"name": ""}),
    "a name of spaces and a blank email": ({"name": "   ", "email": ""}, {"name": "", "email": ""}),
    "a role of another kind of organization": ({"role": "vendor"}, {"role": "vendor"}),
    "an unknown role": ({"role": "pilot"}, {"role": "pilot"}),
    "a left-out password": ({"password": LEAVE_OUT}, {"password": LEAVE_OUT}),
} | {name: ({"password": weak}, {"password": weak}) for name, weak in WEAK_PASSWORDS.items()}


def _filled(values: dict, email: str) -> dict:
    return {
        key: value.format(taken=email, TAKEN=email.upper()) if isinstance(value, str) else value
        for key, value in values.items()
    }


@cases(USER_CASES)
def test_adding_a_user(client, make_user, sign_in, bearer, page_input, api_input):
    admin = make_user("admin")
    headers = bearer(admin)
    sign_in(client, admin)
    body = NEW_USER | {"organization_id": admin.organization_id}
    compare_at_inputs(
        client,
        "/admin/users",
        changed(NEW_USER, _filled(page_input, admin.email)),
        "/api/v1/users",
        changed(body, _filled(api_input, admin.email)),
        headers,
    )


NEW_ORGANIZATION = {
    "name": "Lumen Data Works",
    "kind": "vendor",
    "admin_name": "Amina Odhiambo",
    "admin_email": "amina@lumen.test",
    "admin_password": "copper-lantern-meadow-9",
}
ORGANIZATION_CASES = {
    "an organization name taken": ({"name": "Kazi Data"}, {"name": "Kazi Data"}),
    "a name taken in other letters and spacing": (
        {"name": "  KAZI   data "},
        {"name": "  KAZI   data "},
    ),
    "a name with an invisible character": (
        {"name": "Lumen\u200bData"},
        {"name": "Lumen\u200bData"},
    ),
    "a blank name": ({"name": ""}, {"name": ""}),
    "the operator's own kind": ({"kind": "operator"}, {"kind": "operator"}),
    "its admin's email taken": (
        {"admin_email": "taken@kazi.test"},
        {"admin_email": "taken@kazi.test"},
    ),
    "a blank admin name and a too-weak password": (
        {"admin_name": "", "admin_password": "password123!"},
        {"admin_name": "", "admin_password": "password123!"},
    ),
} | {
    name: ({"admin_password": weak}, {"admin_password": weak})
    for name, weak in WEAK_PASSWORDS.items()
}


@cases(ORGANIZATION_CASES)
def test_adding_an_organization(
    client, make_user, make_org, sign_in, bearer, page_input, api_input
):
    make_user("vendor", organization=make_org("vendor", "Kazi Data"), email="taken@kazi.test")
    operator = make_user("operator")
    headers = bearer(operator)
    sign_in(client, operator)
    compare_at_inputs(
        client,
        "/admin/organizations",
        changed(NEW_ORGANIZATION, page_input),
        "/api/v1/organizations",
        changed(NEW_ORGANIZATION, api_input),
        headers,
    )


@pytest.mark.parametrize("weak", list(WEAK_PASSWORDS.values()), ids=list(WEAK_PASSWORDS))
def test_setting_a_new_password_for_a_user(client, make_user, sign_in, bearer, weak):
    admin = make_user("admin")
    forgetful = make_user("buyer", organization=admin.organization)
    headers = bearer(admin)
    sign_in(client, admin)
    page = f"/admin/users/{forgetful.id}/password"
    compare_at_inputs(
        client,
        page,
        {"password": weak, "confirm_password": weak},
        f"/api/v1/users/{forgetful.id}/password",
        {"password": weak},
        headers,
    )


SIGN_IN_CASES = {
    "a blank email": ({"email": ""}, {"email": ""}),
    "a left-out password": ({"password": LEAVE_OUT}, {"password": LEAVE_OUT}),
    "an email too short to be one": ({"email": "a@"}, {"email": "a@"}),
}


@cases(SIGN_IN_CASES)
def test_signing_in(client, make_user, page_input, api_input):
    user = make_user("buyer")
    credentials = {"email": user.email, "password": TEST_PASSWORD}
    compare_at_inputs(
        client,
        "/sign-in",
        changed(credentials, page_input),
        "/api/v1/auth/tokens",
        changed(credentials, api_input),
    )


def test_naming_a_new_token(client, make_user, sign_in):
    user = make_user("buyer")
    sign_in(client, user)
    credentials = {"email": user.email, "password": TEST_PASSWORD}
    compare_at_inputs(
        client, "/account", {"name": ""}, "/api/v1/auth/tokens", credentials | {"name": ""}
    )


INVITATION_CASES = {
    "an email that is no address": ({"email": "ops.vendor.test"}, {"email": "ops.vendor.test"}),
    "a blank email": ({"email": ""}, {"email": ""}),
    "a message too long": (
        {"message": "m" * (MAX_MESSAGE_LENGTH + 1)},
        {"message": "m" * (MAX_MESSAGE_LENGTH + 1)},
    ),
}


@cases(INVITATION_CASES)
def test_inviting_a_vendor(client, make_user, sign_in, bearer, page_input, api_input):
    buyer = make_user("buyer")
    headers = bearer(buyer)
    sign_in(client, buyer)
    invitation = {"email": "ops@vendor.test", "message": "Annotation work for you."}
    compare_at_inputs(
        client,
        "/invitations",
        changed(invitation, page_input),
        "/api/v1/invitations",
        changed(invitation, api_input),
        headers,
    )


# --------------------------------------------------------------------------- scoring profiles
# The editor edits a profile's settings: each input is named by the setting's path inside the
# API's `settings` (the API's `settings.pillar_weights.impact` is the editor's
# `pillar_weights.impact`); the profile's name is `name` in both.


def as_in_the_api(field: str) -> str:
    return field if field == "name" else f"settings.{field}"


PROFILE_EDITOR_CASES = {
    "a pillar weight below 0": (
        {"pillar_weights.impact": "-0.5"},
        ("pillar_weights", "impact", -0.5),
    ),
    "pillar weights that do not sum to 1": (
        {"pillar_weights.impact": "0.9"},
        ("pillar_weights", "impact", 0.9),
    ),
    "text for a pillar weight": (
        {"pillar_weights.cost": "lots"},
        ("pillar_weights", "cost", "lots"),
    ),
    "a metric weight below 0": (
        {"metric_weights.living_wage_ratio": "-1"},
        ("metric_weights", "living_wage_ratio", -1),
    ),
    "an evidence factor above 1": (
        {"evidence_factors.self_reported": "1.5"},
        ("evidence_factors", "self_reported", 1.5),
    ),
    "an evidence factor that is infinite": (
        {"evidence_factors.none": "inf"},
        ("evidence_factors", "none", "inf"),
    ),
}


@cases(PROFILE_EDITOR_CASES)
def test_editing_a_scoring_profile(client, world, sign_in, page_input, api_input):
    settings = default_profile().to_dict()
    group, key, value = api_input
    settings[group] = settings[group] | {key: value}
    sign_in(client, world["buyer"])
    form = {"name": "Impact first", "action": "save"} | page_input
    token = csrf_token_from(client.get("/profiles").text)
    shown = client.post("/profiles", data=form | {"csrf_token": token})
    assert shown.status_code == 422
    answer = client.post(
        "/api/v1/scoring-profiles",
        headers=world["headers"],
        json={"name": "Impact first", "settings": settings},
    )
    page_fields = {as_in_the_api(field) for field in summary_fields(shown.text)}
    assert page_fields, "the case refuses nothing: it cannot compare anything"
    assert page_fields == api_fields(answer)


@pytest.mark.parametrize("name", ["", "Taken", "n" * 121], ids=["blank", "taken", "too long"])
def test_naming_a_scoring_profile(client, world, sign_in, name):
    settings = default_profile().to_dict()
    created = client.post(
        "/api/v1/scoring-profiles",
        headers=world["headers"],
        json={"name": "Taken", "settings": settings},
    )
    assert created.status_code == 201
    sign_in(client, world["buyer"])
    compare(
        client,
        "/profiles",
        {"name": name, "action": "save"},
        "/api/v1/scoring-profiles",
        {"name": name, "settings": settings},
        world["headers"],
    )


# --------------------------------------------------------------------------- custom metrics
# The page's goalposts [L, U] are two inputs, goalposts.low and goalposts.high; what is wrong
# with the pair is named `goalposts`, as the API names it.

METRIC = {
    "key": "training_per_worker_copy",
    "label": "Training hours per impact worker (our copy)",
    "formula": "training_hours_impact_workers / impact_workers_end",
    "unit": "hours per impact worker",
    "direction": "higher",
    "goalposts": [0, 80],
    "section": "training",
    "source": "GRI 404-1",
}
METRIC_FORM = {key: value for key, value in METRIC.items() if key != "goalposts"} | {
    "goalposts.low": "0",
    "goalposts.high": "80",
}
METRIC_CASES = {
    "a formula that is no arithmetic": (
        {"formula": "__import__('os').system('true')"},
        {"formula": "__import__('os').system('true')"},
    ),
    "a formula over an unknown field": (
        {"formula": "salary / headcount_end"},
        {"formula": "salary / headcount_end"},
    ),
    "a built-in metric's key": ({"key": "impact_worker_share"}, {"key": "impact_worker_share"}),
    "a key too long": ({"key": "k" * 61}, {"key": "k" * 61}),
    "a label too long": ({"label": "L" * 201}, {"label": "L" * 201}),
    "a direction neither higher nor lower": ({"direction": "sideways"}, {"direction": "sideways"}),
    "an unknown section": ({"section": "canteen"}, {"section": "canteen"}),
    "goalposts that are equal, thousands separators": (
        {"goalposts.low": "1,000", "goalposts.high": "1000"},
        {"goalposts": [1000, 1000]},
    ),
    "a blank unit and a blank source": (
        {"unit": "", "source": ""},
        {"unit": "", "source": ""},
    ),
}


@cases(METRIC_CASES)
def test_adding_a_custom_metric(client, world, sign_in, page_input, api_input):
    sign_in(client, world["buyer"])
    token = csrf_token_from(client.get("/metrics").text)
    shown = client.post("/metrics", data=changed(METRIC_FORM, page_input) | {"csrf_token": token})
    assert shown.status_code == 422
    answer = client.post(
        "/api/v1/metrics", headers=world["headers"], json=changed(METRIC, api_input)
    )
    shown_messages = summary_messages(shown.text)
    assert shown_messages, "the case refuses nothing: it cannot compare anything"
    assert shown_messages == api_messages(answer)


def summary_messages(page: str) -> dict[str, str]:
    """Each field named in a page's error summary and what the summary says of it."""
    summary = re.search(r'id="error-summary">(.*?)</div>', page, re.S)
    assert summary, "the page shows no error summary"
    return {
        field: html.unescape(said)
        for field, said in re.findall(
            r'<li><a href="#[^"]*" data-field="([^"]+)">[^<]+</a>: ([^<]*)</li>', summary.group(1)
        )
    }
