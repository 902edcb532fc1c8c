"""Hostile input (issue #19): a vendor or an attacker sending control characters, deep JSON,
values of the wrong type or prices that convert to nothing gets a 4xx naming the field and
changes nothing; a vendor row that still cannot be scored is left out with its reason, and every
other vendor's scores, scorecards and solves keep answering. Database outages answer 503, SQL
parameters stay out of the log, and tenant data is never cached."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import InterfaceError, OperationalError, StatementError

from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.request_guard import MAX_JSON_DEPTH, json_depth
from procure.vendors.models import Offer, Vendor
from tests.conftest import (
    PDF,
    TEST_PASSWORD,
    csrf_token_from,
    disclosure_form_fields,
    valid_document,
)

CONTROL = "Control characters (such as NUL) are not allowed."


@pytest.fixture
def statements(app):
    """The SQL statements sent while the test runs (to prove a request never reached the
    database)."""
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield sent
    event.remove(db.engine, "before_cursor_execute", record)


def _refused(response, field: str, status: int = 422, character: str = "\x00") -> None:
    assert response.status_code == status, response.text
    expected = f"{CONTROL} This holds U+{ord(character):04X}."
    assert response.json["errors"][field] == [expected], response.json


# ---------------------------------------------------------------- control characters


def test_a_nul_in_the_token_request_never_reaches_the_database(client, make_user, statements):
    email = make_user().email
    statements.clear()
    response = client.post(
        "/api/v1/auth/tokens", json={"email": email + "\x00", "password": TEST_PASSWORD}
    )
    _refused(response, "email")
    assert statements == []
    response = client.post("/api/v1/auth/tokens", json={"email": email, "password": "pass\x00word"})
    _refused(response, "password")


def test_a_nul_on_the_sign_in_page_is_refused_naming_the_field(client, make_user, statements):
    email = make_user().email
    token = csrf_token_from(client.get("/sign-in").text)
    statements.clear()
    response = client.post(
        "/sign-in", data={"email": email, "password": "x\x00", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "<code>password</code>" in response.text and CONTROL in response.text
    assert statements == []
    assert client.get("/").status_code == 302  # not signed in


def test_control_characters_in_query_path_header_and_nested_json(client, world, bearer):
    headers, alpha = world["headers"], world["alpha"]
    _refused(
        client.get("/api/v1/scores?category=data%00annotation", headers=headers), "query.category"
    )
    _refused(
        client.get("/api/v1/scores?category=a%1bb", headers=headers),
        "query.category",
        character="\x1b",
    )
    _refused(client.get("/api/v1/vendors/%00", headers=headers), "path")
    _refused(
        client.get("/api/v1/scores", headers={"Authorization": "Bearer a\x01b"}),
        "headers.Authorization",
        character="\x01",
    )
    vendor_headers = bearer(alpha.organization.users[0])
    before = client.get(f"/api/v1/vendors/{alpha.id}", headers=vendor_headers).json
    sites = [{"name": "Kisumu\x00", "city": "Kisumu", "country": "KE"}]
    response = client.patch(
        f"/api/v1/vendors/{alpha.id}",
        headers=vendor_headers,
        json={"sites": sites, "description": "bell\x07", "version": before["version"]},
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"sites.0.name", "description"}
    assert response.json["errors"]["description"] == [f"{CONTROL} This holds U+0007."]
    assert client.get(f"/api/v1/vendors/{alpha.id}", headers=vendor_headers).json == before
    # tab, line feed and carriage return are text in a JSON string
    response = client.patch(
        f"/api/v1/vendors/{alpha.id}",
        headers=vendor_headers,
        json={"description": "Annotation\r\n\tand review", "version": before["version"]},
    )
    assert response.status_code == 200, response.json
    assert response.json["description"] == "Annotation\r\n\tand review"


def test_a_nul_in_a_page_form_is_refused_and_saves_nothing(client, make_vendor, sign_in):
    vendor, user = make_vendor("Gamma Data")
    sign_in(client, user)
    token = csrf_token_from(client.get("/vendor/offers").text)
    response = client.post(
        "/vendor/offers",
        data={
            "service_category": "data_annotation\x00",
            "unit": "hour",
            "price": "7",
            "currency": "USD",
            "capacity_per_period": "100",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "<code>service_category</code>" in response.text
    assert (
        db.session.scalar(select(db.func.count(Offer.id)).where(Offer.vendor_id == vendor.id)) == 1
    )


# ---------------------------------------------------------------- deep JSON


def test_json_nested_5000_deep_answers_400_without_parsing(client, world):
    deep = "[" * 5000 + "]" * 5000
    response = client.post(
        "/api/v1/needs", headers=world["headers"], data=deep, content_type="application/json"
    )
    assert response.status_code == 400
    assert (
        response.json["message"] == f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels."
    )
    # at the limit the body is read (and refused by the schema, as any list would be)
    shallow = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    response = client.post(
        "/api/v1/needs", headers=world["headers"], data=shallow, content_type="application/json"
    )
    assert response.status_code == 422, response.json


def test_json_depth_counts_brackets_outside_strings_only():
    assert json_depth(b'{"a": [1, {"b": []}]}') == 4  # { [ { [
    assert json_depth(b'{"a": "[[[[{{{{\\"]]"}') == 1  # brackets in a string, an escaped quote
    assert json_depth(b"3") == 0


# ---------------------------------------------------------------- wrong types


def test_a_what_if_value_that_is_an_object_is_refused_naming_it(client, world):
    response = client.post(
        f"/api/v1/vendors/{world['alpha'].id}/what-if",
        headers=world["headers"],
        json={"changes": {"headcount_end": {"a": 1}, "price": [1, 2]}},
    )
    assert response.status_code == 422
    assert set(response.json["errors"]["changes"]) == {"headcount_end", "price"}


@pytest.mark.parametrize("vendor_id", ["inf", "nan", "-inf", "1e30"])
def test_an_import_whose_vendor_id_is_not_a_record_id_is_refused(
    client, make_vendor, bearer, vendor_id
):
    vendor, user = make_vendor()
    headers = bearer(user)
    client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **valid_document()}
    )
    table = client.get("/api/v1/disclosures/export?format=csv", headers=headers).data
    line = table.splitlines()[1]
    assert line.startswith(f"{vendor.id},".encode())
    hostile = table.replace(line, vendor_id.encode() + line[len(str(vendor.id)) :])
    response = client.post(
        "/api/v1/disclosures/import",
        headers=headers,
        data={"file": (io.BytesIO(hostile), "disclosures.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.text
    assert response.json["errors"]["row 2"][0].startswith("vendor_id:"), response.json
    assert db.session.scalar(select(db.func.count(Disclosure.id))) == 1


def test_edit_version_that_is_no_number_on_the_disclosure_page(
    client, make_vendor, bearer, sign_in
):
    vendor, user = make_vendor()
    draft = client.post(
        "/api/v1/disclosures",
        headers=bearer(user),
        json={"vendor_id": vendor.id, **valid_document()},
    ).json
    sign_in(client, user)
    page = client.get(f"/disclosures/{draft['id']}").text
    document = valid_document()
    document["training"]["employees_trained"] = 1
    fields = disclosure_form_fields(document)
    response = client.post(
        f"/disclosures/{draft['id']}",
        data={**fields, "edit_version": "abc", "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 422
    assert "Not a valid integer." in response.text  # in the summary, named edit_version
    saved = db.session.get(Disclosure, draft["id"])
    db.session.refresh(saved)
    assert saved.edit_version == draft["edit_version"]


# ---------------------------------------------------------------- prices


def test_prices_below_the_minimum_are_refused_at_entry(client, make_vendor, bearer, sign_in):
    vendor, user = make_vendor()
    headers = bearer(user)
    offer = vendor.offers[0]
    body = {
        "service_category": "data_annotation",
        "unit": "hour",
        "currency": "USD",
        "capacity_per_period": 100,
        "quality": 0.9,
    }
    # 0.00001 USD: below 0.0001 and would be stored as 0.0000 (the column keeps 4 decimals)
    response = client.post(
        f"/api/v1/vendors/{vendor.id}/offers", headers=headers, json={**body, "price": 0.00001}
    )
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["price"]
    # 1 LBP at the seeded rate (about 0.0000112 USD) is below 0.0001 USD after conversion
    response = client.patch(
        f"/api/v1/offers/{offer.id}",
        headers=headers,
        json={"price": 1, "currency": "LBP", "version": offer.version},
    )
    assert response.status_code == 422
    assert "after conversion" in response.json["errors"]["price"][0]
    # the currency alone moves the kept price: 8 LBP is about 0.00009 USD
    response = client.patch(
        f"/api/v1/offers/{offer.id}",
        headers=headers,
        json={"currency": "LBP", "version": offer.version},
    )
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["price"]
    # the smallest price allowed: 0.0001 USD
    response = client.patch(
        f"/api/v1/offers/{offer.id}",
        headers=headers,
        json={"price": 0.0001, "version": offer.version},
    )
    assert response.status_code == 200, response.json
    assert response.json["price"] == 0.0001
    # the page goes through the same rule
    sign_in(client, user)
    token = csrf_token_from(client.get("/vendor/offers").text)
    form = {key: str(value) for key, value in body.items()}
    response = client.post("/vendor/offers", data={**form, "price": "0.00001", "csrf_token": token})
    assert response.status_code == 422
    assert "The price must be at least 0.0001" in response.text
    assert len(db.session.scalars(select(Offer).where(Offer.vendor_id == vendor.id)).all()) == 1


def test_prices_above_the_maximum_are_refused_at_entry(client, make_vendor, bearer):
    """A price the optimizer cannot take (above 1e9 US dollars) failed every solve of its
    category, for every buyer: it is refused where it is entered, naming the price."""
    vendor, user = make_vendor()
    headers = bearer(user)
    offer = vendor.offers[0]
    refusals = {}
    for price, currency in ((5e9, "USD"), (1e11, "USD"), (9e8, "EUR")):
        response = client.patch(
            f"/api/v1/offers/{offer.id}",
            headers=headers,
            json={"price": price, "currency": currency, "version": offer.version},
        )
        assert response.status_code == 422, response.json
        assert list(response.json["errors"]) == ["price"]
        refusals[(price, currency)] = response.json["errors"]["price"][0]
    # 9e8 EUR at the seeded 1.175 USD per EUR is 1,057,500,000 USD
    assert refusals[(9e8, "EUR")] == (
        "The price must be at most 1,000,000,000 US dollars after conversion: "
        "900000000.0 EUR is 1,057,500,000 US dollars."
    )
    assert refusals[(1e11, "USD")] == "The price must be at most 9,999,999,999.9999."
    db.session.expire_all()
    assert (float(db.session.get(Offer, offer.id).price), offer.currency) == (8.0, "USD")


def _everyone_else_still_answers(client, world, unscored: Vendor, reason: str, make_scenario):
    headers = world["headers"]
    scores = client.get("/api/v1/scores", headers=headers)
    assert scores.status_code == 200, scores.json
    assert [row["vendor_id"] for row in scores.json] == [
        v.id for v in (world["alpha"], world["beta"]) if v is not unscored
    ]
    other = world["beta"] if unscored is world["alpha"] else world["alpha"]
    assert client.get(f"/api/v1/vendors/{other.id}/scorecard", headers=headers).status_code == 200
    card = client.get(f"/api/v1/vendors/{unscored.id}/scorecard", headers=headers)
    assert card.status_code == 404 and reason in card.json["message"], card.json
    # the solve runs on the others: one vendor alone may not meet the need's 0.8 share cap
    scenario = make_scenario()
    assert scenario["status"] in ("solved", "infeasible"), scenario
    problem = client.get(f"/api/v1/scenarios/{scenario['id']}/problem.json", headers=headers).json
    assert {v["id"] for v in problem["vendors"]} == {f"V{other.id}"}


@pytest.mark.parametrize(
    ("price", "currency", "reason"),
    [
        (0.00001, "USD", "priced at 0"),  # an old row: stored as 0.0000
        (1, "LBP", "below the minimum of 0.0001"),  # about 0.0000112 USD
        (5e9, "USD", "above the most any price may be"),  # an old row, above optimizer.MAX_PRICE
    ],
)
def test_an_old_price_that_cannot_be_scored_leaves_out_that_vendor_only(
    client, world, make_scenario, price, currency, reason
):
    offer = world["alpha"].offers[0]
    offer.price, offer.currency = price, currency
    db.session.commit()
    _everyone_else_still_answers(client, world, world["alpha"], reason, make_scenario)


def test_a_training_spend_in_a_currency_without_a_rate_scores_as_not_disclosed(client, world):
    for code in ("CAD", "BTN"):
        disclosure = db.session.scalars(
            select(Disclosure).where(Disclosure.vendor_id == world["alpha"].id)
        ).one()
        disclosure.figures = {
            **disclosure.figures,
            "training": {**disclosure.figures["training"], "training_currency": code},
        }
        db.session.commit()
        assert client.get("/api/v1/scores", headers=world["headers"]).status_code == 200
        card = client.get(
            f"/api/v1/vendors/{world['alpha'].id}/scorecard", headers=world["headers"]
        )
        assert card.status_code == 200, card.json
        reasons = [line["missing_reason"] for line in card.json["explanation"]]
        assert any(reason == "Not disclosed: Training spend (USD)" for reason in reasons), reasons
        beta = client.get(f"/api/v1/vendors/{world['beta'].id}/scorecard", headers=world["headers"])
        assert beta.status_code == 200


# ---------------------------------------------------------------- database faults and logs


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_outage_answers_503_with_retry_after(client, world, monkeypatch, error):
    def cut(*args, **kwargs):
        raise error("SELECT 1", {"secret": "hash"}, Exception("server closed the connection"))

    monkeypatch.setattr("procure.scoring.rankings.read_ranking", cut)  # where /scores reads
    response = client.get("/api/v1/scores", headers=world["headers"])
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.json["status"] == "Service Unavailable"
    assert "try again" in response.json["message"]


def test_failed_statements_hide_their_parameters(app):
    with pytest.raises(StatementError) as failed:
        db.session.execute(
            text("SELECT * FROM no_such_table WHERE x = :secret"), {"secret": "pbkdf2$hash"}
        )
    db.session.rollback()
    assert "pbkdf2$hash" not in str(failed.value)
    assert "hidden" in str(failed.value)


# ---------------------------------------------------------------- caching


def test_tenant_data_is_never_cached(client, world, make_vendor, bearer, sign_in):
    vendor, user = make_vendor()
    headers = bearer(user)
    draft = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **valid_document()}
    ).json
    evidence = client.post(
        f"/api/v1/disclosures/{draft['id']}/evidence",
        headers=headers,
        data={
            "section": "wages",
            "level": "self_reported_documented",
            "file": (io.BytesIO(PDF), "pay.pdf"),
        },
        content_type="multipart/form-data",
    ).json
    answers = {
        "API": client.get("/api/v1/scores", headers=world["headers"]),
        "CSV": client.get("/api/v1/disclosures/export?format=csv", headers=headers),
        "XLSX": client.get("/api/v1/disclosures/export?format=xlsx", headers=headers),
        "PDF": client.get(f"/api/v1/evidence/{evidence['id']}/download", headers=headers),
    }
    sign_in(client, user)
    answers["page"] = client.get("/vendor/offers")
    for kind, response in answers.items():
        assert response.status_code == 200, (kind, response.status_code)
        assert response.headers["Cache-Control"] == "no-store", kind
    assert answers["PDF"].mimetype == "application/pdf"
    static = client.get("/static/favicon.svg")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
