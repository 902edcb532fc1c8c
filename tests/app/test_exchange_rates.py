"""Exchange rates as data the platform operator keeps (API and pages), every change audited; a
currency without a rate refused where an amount is entered (issue 19: CAD, BTN); the rates read
by conversions refreshed after a change, in every process."""

from datetime import date

import pytest
from sqlalchemy import func, select

from procure import create_app
from procure.audit.models import AuditEvent
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.rates.models import ExchangeRate
from procure.reference import exchange_rates, seed_reference
from tests.conftest import csrf_token_from, disclosure_form_fields, valid_document

CAD = {
    "currency": "CAD",
    "effective_date": "2025-06-30",
    "usd_per_unit": 0.7321,
    "source": "Bank of Canada, 30 Jun 2025 close",
}
OFFER = {
    "service_category": "data_annotation",
    "unit": "hour",
    "price": 11,
    "capacity_per_period": 800,
    "quality": 0.9,
}


@pytest.fixture
def operator(make_user):
    return make_user("operator")


@pytest.fixture
def operator_headers(operator, bearer):
    return bearer(operator)


def _rate_count() -> int:
    db.session.commit()  # a fresh snapshot: requests commit in their own sessions
    return db.session.scalar(select(func.count(ExchangeRate.id))) or 0


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _kes_rate_id(on: str) -> int:
    return db.session.scalars(
        select(ExchangeRate.id).where(
            ExchangeRate.currency == "KES", ExchangeRate.effective_date == date.fromisoformat(on)
        )
    ).one()


# ---------------------------------------------------------------- reading


def test_every_signed_in_user_reads_the_seeded_rates_filtered_by_currency(
    client, make_user, make_vendor, bearer, operator_headers
):
    seeded = len(seed_reference().fx.rates())
    assert _rate_count() == seeded == 84  # 21 currencies x 4 period ends in config/fx.toml
    for headers in (
        bearer(make_user("buyer")),
        bearer(make_vendor()[1]),
        bearer(make_user("admin")),
        operator_headers,
    ):
        listing = client.get("/api/v1/exchange-rates?currency=kes", headers=headers)
        assert listing.status_code == 200, listing.json
        assert listing.json["total"] == 4
        assert [(r["effective_date"], r["usd_per_unit"]) for r in listing.json["items"]] == [
            ("2025-12-31", 0.00774),
            ("2025-06-30", 0.00774),
            ("2024-12-31", 0.007734),
            ("2024-06-30", 0.00774),
        ]  # config/fx.toml's KES rates, newest first
        assert listing.json["items"][0]["created_by_id"] is None  # seeded
        assert "KES" in listing.json["convertible"] and "USD" in listing.json["convertible"]
        assert "CAD" not in listing.json["convertible"]
    page = client.get("/api/v1/exchange-rates?per_page=10&page=2", headers=operator_headers).json
    assert page["total"] == seeded and len(page["items"]) == 10
    assert client.get("/api/v1/exchange-rates").status_code == 401


# ---------------------------------------------------------------- writing (the operator only)


def test_the_operator_adds_corrects_and_removes_rates_each_audited(
    client, operator, operator_headers
):
    added = client.post("/api/v1/exchange-rates", headers=operator_headers, json=CAD)
    assert added.status_code == 201, added.json
    rate = added.json
    assert (rate["currency"], rate["effective_date"], rate["usd_per_unit"], rate["version"]) == (
        "CAD",
        "2025-06-30",
        0.7321,
        1,
    )
    assert rate["created_by_id"] == operator.id
    (event,) = _events("exchange_rate.add")
    assert (event.actor_id, event.organization_id, event.target_id) == (
        operator.id,
        operator.organization_id,
        str(rate["id"]),
    )
    assert event.changes["after"] == {**CAD, "effective_date": "2025-06-30"}

    corrected = client.patch(
        f"/api/v1/exchange-rates/{rate['id']}",
        headers=operator_headers,
        json={"usd_per_unit": 0.7335, "version": 1},
    )
    assert corrected.status_code == 200, corrected.json
    assert (corrected.json["usd_per_unit"], corrected.json["version"]) == (0.7335, 2)
    (event,) = _events("exchange_rate.correct")
    assert event.actor_id == operator.id
    assert event.changes["before"]["usd_per_unit"] == 0.7321
    assert event.changes["after"]["usd_per_unit"] == 0.7335
    stale = client.patch(
        f"/api/v1/exchange-rates/{rate['id']}",
        headers=operator_headers,
        json={"usd_per_unit": 0.9, "version": 1},
    )
    assert stale.status_code == 409 and "version" in stale.json["errors"]

    # CAD's only rate cannot go: an amount entered in CAD would no longer convert
    last = client.delete(f"/api/v1/exchange-rates/{rate['id']}", headers=operator_headers)
    assert last.status_code == 409 and "only rate of CAD" in last.json["message"]
    later = client.post(
        "/api/v1/exchange-rates",
        headers=operator_headers,
        json={**CAD, "effective_date": "2025-12-31", "usd_per_unit": 0.7299},
    ).json
    removed = client.delete(f"/api/v1/exchange-rates/{rate['id']}", headers=operator_headers)
    assert removed.status_code == 204
    assert (
        client.get(f"/api/v1/exchange-rates/{rate['id']}", headers=operator_headers).status_code
        == 404
    )
    (event,) = _events("exchange_rate.remove")
    assert event.actor_id == operator.id and event.changes["before"]["usd_per_unit"] == 0.7335
    assert [
        r["id"]
        for r in client.get("/api/v1/exchange-rates?currency=CAD", headers=operator_headers).json[
            "items"
        ]
    ] == [later["id"]]


@pytest.mark.parametrize("role", ["buyer", "executive", "admin", "vendor", "vendor_admin"])
def test_no_tenant_role_writes_a_rate(client, make_user, make_vendor, bearer, role):
    if role == "vendor":
        user = make_vendor()[1]
    elif role == "vendor_admin":
        user = make_user("admin", organization=make_vendor()[1].organization)
    else:
        user = make_user(role)
    headers = bearer(user)
    before, kes = _rate_count(), _kes_rate_id("2025-12-31")
    assert client.post("/api/v1/exchange-rates", headers=headers, json=CAD).status_code == 403
    assert (
        client.patch(
            f"/api/v1/exchange-rates/{kes}",
            headers=headers,
            json={"usd_per_unit": 1.0, "version": 1},
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/exchange-rates/{kes}", headers=headers).status_code == 403
    assert _rate_count() == before
    assert db.session.get(ExchangeRate, kes).usd_per_unit == 0.00774
    assert _events("exchange_rate.add") == _events("exchange_rate.correct") == []


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"currency": "CA"}, "currency", "ISO 4217"),
        ({"currency": "QQQ"}, "currency", "Unknown currency 'QQQ'"),
        ({"currency": "XAU"}, "currency", "not a currency that payments are made in"),
        ({"currency": "USD"}, "currency", "US dollars convert at 1"),
        ({"usd_per_unit": 0}, "usd_per_unit", "above 0"),
        ({"usd_per_unit": -0.5}, "usd_per_unit", "above 0"),
        ({"usd_per_unit": "abc"}, "usd_per_unit", "not a number"),
        ({"usd_per_unit": 5_000_000}, "usd_per_unit", "at most 1,000,000"),
        ({"effective_date": "2025-13-01"}, "effective_date", "YYYY-MM-DD"),
        ({"effective_date": "1066-10-14"}, "effective_date", "from 1970-01-01"),
        ({"source": ""}, "source", "Name the source"),
        # KES has a rate in force from 2025-12-31 already (config/fx.toml)
        (
            {"currency": "KES", "effective_date": "2025-12-31"},
            "effective_date",
            "KES has a rate in force from 2025-12-31 already",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    client, operator_headers, change, field, message
):
    before = _rate_count()
    refused = client.post(
        "/api/v1/exchange-rates", headers=operator_headers, json={**CAD, **change}
    )
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == [field]
    assert message in " ".join(refused.json["errors"][field])
    assert _rate_count() == before
    assert _events("exchange_rate.add") == []


def test_a_correction_with_a_bad_value_is_refused(client, operator_headers):
    kes = _kes_rate_id("2025-12-31")
    for body in (
        {"usd_per_unit": 0, "version": 1},
        {"usd_per_unit": "nan", "version": 1},
        {"version": 1},  # nothing to correct
    ):
        refused = client.patch(f"/api/v1/exchange-rates/{kes}", headers=operator_headers, json=body)
        assert refused.status_code == 422 and list(refused.json["errors"]) == ["usd_per_unit"]
    assert db.session.get(ExchangeRate, kes).usd_per_unit == 0.00774


# ---------------------------------------------------------------- refused where entered (issue 19)


@pytest.mark.parametrize("currency", ["CAD", "BTN"])
def test_a_training_spend_in_a_currency_without_a_rate_is_refused_until_it_has_one(
    client, make_vendor, bearer, operator_headers, currency
):
    """Issue 19: a disclosure's training spend in CAD or BTN (valid ISO codes, no rate) was stored
    and then made /scores and every scorecard answer 500 for every buyer. Now it is refused where
    it is entered, naming the field and the currencies that have a rate."""
    vendor, user = make_vendor()
    headers = bearer(user)
    document = valid_document()
    document["training"]["training_currency"] = currency
    refused = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
    )
    assert refused.status_code == 422
    (message,) = refused.json["errors"]["training.training_currency"]
    assert f'"{currency}"' in message and "no exchange rate to US dollars" in message
    assert "KES" in message and "USD" in message  # the currencies that have rates
    assert list(refused.json["errors"]) == ["training.training_currency"]
    added = client.post(
        "/api/v1/exchange-rates",
        headers=operator_headers,
        json={**CAD, "currency": currency, "usd_per_unit": 0.012},
    )
    assert added.status_code == 201
    accepted = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
    )
    assert accepted.status_code == 201, accepted.json


def test_the_disclosure_page_refuses_a_training_currency_without_a_rate(
    client, make_vendor, sign_in
):
    vendor, user = make_vendor()
    sign_in(client, user)
    index = client.get("/vendor/disclosures")
    started = client.post(
        "/vendor/disclosures",
        data={
            "csrf_token": csrf_token_from(index.text),
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
    )
    assert started.status_code == 302
    disclosure = db.session.scalars(select(Disclosure)).one()
    document = valid_document()
    document["training"]["training_currency"] = "BTN"
    form = disclosure_form_fields(document)
    page = client.get(f"/disclosures/{disclosure.id}")
    form.update({"csrf_token": csrf_token_from(page.text), "edit_version": "1"})
    refused = client.post(f"/disclosures/{disclosure.id}", data=form)
    assert refused.status_code == 422
    assert "(Ngultrum) has no exchange rate to US dollars" in refused.text
    assert "or ask the platform operator to add a rate for BTN" in refused.text
    db.session.refresh(disclosure)
    assert disclosure.figures.get("training", {}).get("training_currency") != "BTN"


@pytest.mark.parametrize("currency", ["CAD", "BTN"])
def test_an_offer_in_a_currency_without_a_rate_is_refused_until_it_has_one(
    client, make_vendor, bearer, operator_headers, currency
):
    vendor, user = make_vendor()
    headers = bearer(user)
    offers = f"/api/v1/vendors/{vendor.id}/offers"
    refused = client.post(offers, headers=headers, json={**OFFER, "currency": currency})
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["currency"]
    (message,) = refused.json["errors"]["currency"]
    assert f"No exchange rate to US dollars for '{currency}'" in message and "KES" in message
    assert len(vendor.offers) == 1
    changed = client.patch(
        f"/api/v1/offers/{vendor.offers[0].id}",
        headers=headers,
        json={"currency": currency, "version": 1},
    )
    assert changed.status_code == 422 and list(changed.json["errors"]) == ["currency"]
    client.post(
        "/api/v1/exchange-rates", headers=operator_headers, json={**CAD, "currency": currency}
    )
    accepted = client.post(offers, headers=headers, json={**OFFER, "currency": currency})
    assert accepted.status_code == 201, accepted.json


def test_the_rate_card_page_refuses_a_currency_without_a_rate(client, make_vendor, sign_in):
    vendor, user = make_vendor()
    sign_in(client, user)
    token = csrf_token_from(client.get("/vendor/offers").text)
    response = client.post(
        "/vendor/offers",
        data={
            **{key: str(value) for key, value in OFFER.items()},
            "currency": "CAD",
            "active": "on",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "No exchange rate to US dollars for &#39;CAD&#39;" in response.text
    db.session.expire_all()
    assert len(vendor.offers) == 1


# ---------------------------------------------------------------- the conversions see a change


def test_the_rates_are_cached_per_process_and_reloaded_after_each_change(
    app, client, operator_headers
):
    """Conversions read the table once per app context; between contexts the process keeps it
    while the table's signature (count, max id, sum of versions) is unchanged, and reloads it
    after an add, a correction or a removal made by any process."""

    def fresh_table():
        with app.app_context():  # a new request's context
            return exchange_rates()

    first = fresh_table()
    assert fresh_table() is first  # nothing changed: the same table, no reload
    assert first.to_usd(100, "EUR", date(2026, 3, 1)).rate == 1.175  # from 2025-12-31
    added = client.post(
        "/api/v1/exchange-rates",
        headers=operator_headers,
        json={
            "currency": "EUR",
            "effective_date": "2026-01-01",
            "usd_per_unit": 1.2,
            "source": "ECB",
        },
    ).json
    after_add = fresh_table()
    assert after_add is not first
    assert after_add.to_usd(100, "EUR", date(2026, 3, 1)).usd_amount == pytest.approx(120.0)
    client.patch(
        f"/api/v1/exchange-rates/{added['id']}",
        headers=operator_headers,
        json={"usd_per_unit": 1.25, "version": 1},
    )
    after_correction = fresh_table()
    assert after_correction.to_usd(100, "EUR", date(2026, 3, 1)).rate == 1.25
    client.delete(f"/api/v1/exchange-rates/{added['id']}", headers=operator_headers)
    assert fresh_table().to_usd(100, "EUR", date(2026, 3, 1)).rate == 1.175


def test_a_rate_added_through_one_process_is_seen_by_another(
    app, client, operator_headers, tmp_path
):
    """Two app objects keep two process caches, as two gunicorn workers do: the one that did
    not take the write sees it at its next request, by the table's signature."""
    other = create_app(
        {"database_url": app.config["SQLALCHEMY_DATABASE_URI"], "secret_key": "other"},
        instance_path=str(tmp_path / "other"),
    )

    def table_of(an_app):
        with an_app.app_context():
            return exchange_rates()

    cached = table_of(other)
    assert table_of(other) is cached
    assert not cached.has_rate("CAD")
    assert (
        client.post("/api/v1/exchange-rates", headers=operator_headers, json=CAD).status_code == 201
    )
    seen = table_of(other)
    assert seen.has_rate("CAD") and seen.to_usd(10, "CAD", date(2026, 1, 1)).rate == 0.7321
    with other.app_context():
        db.engine.dispose()


def test_a_scenario_solved_after_a_new_rate_uses_it(client, world, operator_headers):
    """The need starts on 2026-01-01: Alpha's EUR price converts at the rate in force then, the
    seeded 1.175 of 2025-12-31 (8 EUR = 9.40 USD); after the operator adds 1.25 from 2026-01-01,
    the next solve prices it at 8 x 1.25 = 10.00 USD."""
    alpha = world["alpha"]
    alpha.offers[0].currency = "EUR"  # 8 EUR per hour
    db.session.commit()
    headers = world["headers"]

    def alpha_price(scenario_id: int) -> float:
        problem = client.get(f"/api/v1/scenarios/{scenario_id}/problem.json", headers=headers)
        assert problem.status_code == 200, problem.json
        (offer,) = [o for o in problem.json["offers"] if o["vendor"] == f"V{alpha.id}"]
        return offer["price"]

    scenario = client.post(
        "/api/v1/scenarios",
        headers=headers,
        json={"name": "Before", "need_ids": [world["need"]["id"]]},
    ).json
    assert alpha_price(scenario["id"]) == pytest.approx(9.4)
    added = client.post(
        "/api/v1/exchange-rates",
        headers=operator_headers,
        json={
            "currency": "EUR",
            "effective_date": "2026-01-01",
            "usd_per_unit": 1.25,
            "source": "ECB reference rate",
        },
    )
    assert added.status_code == 201
    solved = client.post(f"/api/v1/scenarios/{scenario['id']}/solve", headers=headers)
    assert solved.status_code in (200, 202), solved.json
    assert alpha_price(scenario["id"]) == pytest.approx(10.0)


# ---------------------------------------------------------------- pages


def test_the_operator_adds_and_corrects_a_rate_on_the_page(client, operator, sign_in):
    sign_in(client, operator)
    page = client.get("/exchange-rates")
    assert page.status_code == 200 and "Add a rate" in page.text
    token = csrf_token_from(page.text)
    refused = client.post(
        "/exchange-rates",
        data={
            "currency": "cad",
            "effective_date": "2025-06-30",
            "usd_per_unit": "0",
            "source": "Bank of Canada",
            "csrf_token": token,
        },
    )
    assert refused.status_code == 422 and "above 0" in refused.text
    assert _rate_count() == 84
    added = client.post(
        "/exchange-rates",
        data={
            "currency": "cad",
            "effective_date": "2025-06-30",
            "usd_per_unit": "0.7321",
            "source": "Bank of Canada",
            "csrf_token": token,
        },
    )
    assert added.status_code == 302 and "currency=CAD" in added.headers["Location"]
    listing = client.get(added.headers["Location"])
    assert "CAD is 0.7321 US dollars per unit from 2025-06-30" in listing.text
    rate = db.session.scalars(select(ExchangeRate).where(ExchangeRate.currency == "CAD")).one()
    assert rate.created_by_id == operator.id
    correct = client.get(f"/exchange-rates/{rate.id}")
    assert correct.status_code == 200 and 'value="0.7321"' in correct.text
    saved = client.post(
        f"/exchange-rates/{rate.id}",
        data={
            "usd_per_unit": "0.7335",
            "source": "Bank of Canada",
            "version": "1",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert (rate.usd_per_unit, rate.version) == (0.7335, 2)
    stale = client.post(
        f"/exchange-rates/{rate.id}",
        data={"usd_per_unit": "0.9", "source": "x", "version": "1", "csrf_token": token},
    )
    assert stale.status_code == 302
    assert "was changed since you loaded it" in client.get(stale.headers["Location"]).text
    kept = client.post(f"/exchange-rates/{rate.id}/remove", data={"csrf_token": token})
    assert "only rate of CAD" in client.get(kept.headers["Location"]).text
    db.session.expire_all()
    assert db.session.get(ExchangeRate, rate.id) is not None
    assert [e.action for e in _events("exchange_rate.add") + _events("exchange_rate.correct")] == [
        "exchange_rate.add",
        "exchange_rate.correct",
    ]


def test_others_read_the_rates_page_without_its_forms(client, make_user, sign_in):
    buyer = make_user("buyer")
    sign_in(client, buyer)
    page = client.get("/exchange-rates?currency=KES")
    assert page.status_code == 200
    assert "2025-12-31" in page.text and "Add a rate" not in page.text
    assert "/exchange-rates/" not in page.text  # no links to the correction page
    token = csrf_token_from(page.text)
    assert (
        client.post(
            "/exchange-rates", data={**CAD, "usd_per_unit": "0.73", "csrf_token": token}
        ).status_code
        == 403
    )
    assert client.get(f"/exchange-rates/{_kes_rate_id('2025-12-31')}").status_code == 403
    assert _rate_count() == 84


# ---------------------------------------------------------------- stored before the check


def test_a_training_spend_stored_before_the_check_never_fails_the_ranking(
    client, world, make_vendor, bearer
):
    """Issue 19: a disclosure stored in BTN before currencies were checked where they are
    entered (no rate exists for it) must not make /scores answer 500 for every buyer."""
    vendor, user = make_vendor("Thimphu Data")
    created = client.post(
        "/api/v1/disclosures",
        headers=bearer(user),
        json={"vendor_id": vendor.id, **valid_document()},
    ).json
    client.post(f"/api/v1/disclosures/{created['id']}/submit", headers=bearer(user))
    disclosure = db.session.get(Disclosure, created["id"])
    disclosure.figures = {
        **disclosure.figures,
        "training": {**disclosure.figures["training"], "training_currency": "BTN"},
    }  # as stored before the check
    db.session.commit()
    scores = client.get("/api/v1/scores", headers=world["headers"])
    assert scores.status_code == 200, scores.json
    assert (
        client.get(
            f"/api/v1/vendors/{world['alpha'].id}/scorecard", headers=world["headers"]
        ).status_code
        == 200
    )


def test_0016_seeds_the_rates_names_amounts_without_one_and_downgrades(tmp_path, capfd):
    """The upgrade copies config/fx.toml's 84 rates (no author) and warns of amounts stored in a
    currency the seed has no rate for; the downgrade drops the table."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'rates.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0015_campaigns")
        now = "2026-01-01 00:00:00.000000"
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organization (id, name, name_key, kind, created_at, updated_at) "
                    "VALUES (1, 'V', 'v', 'vendor', :t, :t)"
                ),
                {"t": now},
            )
            connection.execute(
                text(
                    "INSERT INTO vendor (id, organization_id, name, country, sites, "
                    "service_categories, description, version, created_at, updated_at) "
                    "VALUES (3, 1, 'V', 'CA', '[]', '[]', '', 1, :t, :t)"
                ),
                {"t": now},
            )
            connection.execute(
                text(
                    "INSERT INTO offer (vendor_id, service_category, unit, price, currency, "
                    "capacity_per_period, quality, active, version, created_at, updated_at) "
                    "VALUES (3, 'data_annotation', 'hour', 9, 'CAD', 10, 0.9, 1, 1, :t, :t)"
                ),
                {"t": now},
            )
            connection.execute(
                text(
                    "INSERT INTO disclosure (vendor_id, period_start, period_end, number, state, "
                    "figures, warnings, edit_version, created_at, updated_at) VALUES "
                    "(3, '2025-01-01', '2025-12-31', 1, 'draft', :f, '[]', 1, :t, :t)"
                ),
                {"t": now, "f": '{"training": {"training_currency": "BTN"}}'},
            )
        capfd.readouterr()
        upgrade(revision="0016_exchange_rates")  # Alembic logs to stderr (migrations/alembic.ini)
        assert "no exchange rate to USD (offer currency CAD, training currency BTN)" in (
            capfd.readouterr().err
        )
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT currency, effective_date, usd_per_unit, created_by_id, version "
                    "FROM exchange_rate WHERE currency = 'KES' ORDER BY effective_date"
                )
            ).all()
            total = connection.execute(text("SELECT count(*) FROM exchange_rate")).scalar()
        assert total == 84
        assert [tuple(r) for r in rows] == [
            ("KES", "2024-06-30", 0.00774, None, 1),
            ("KES", "2024-12-31", 0.007734, None, 1),
            ("KES", "2025-06-30", 0.00774, None, 1),
            ("KES", "2025-12-31", 0.00774, None, 1),
        ]
        downgrade(revision="0015_campaigns")
        with db.engine.connect() as connection:
            assert "exchange_rate" not in inspect(connection).get_table_names()
        db.engine.dispose()


def test_a_tiny_rate_is_written_out_on_the_pages(client, operator, sign_in):
    """1 IDR = 0.0000625 US dollars: "{:g}" wrote 6.25e-05 in the flash and in the correction
    form's box; both now hold every digit, and saving the form unchanged keeps the rate."""
    sign_in(client, operator)
    token = csrf_token_from(client.get("/exchange-rates").text)
    added = client.post(
        "/exchange-rates",
        data={
            "currency": "idr",
            "effective_date": "2025-06-30",
            "usd_per_unit": "0.0000625",
            "source": "Bank Indonesia",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "IDR is 0.0000625 US dollars per unit from 2025-06-30." in added.text
    assert "e-05" not in added.text
    rate = db.session.scalars(select(ExchangeRate).where(ExchangeRate.currency == "IDR")).one()
    form = client.get(f"/exchange-rates/{rate.id}").text
    assert 'value="0.0000625"' in form and "e-05" not in form
