"""Fixtures: one migrated database per session, emptied after every test; factories; the
scenario `world` (two scored vendors, a buyer's need); Celery workers on Redis. Helpers shared
by the test modules live here too, so that no test module imports another.

With PROCURE_TEST_DATABASE_URL set (CI sets it to a fresh PostgreSQL database), the whole
suite runs on it; otherwise on a SQLite file in a temporary folder.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

from procure import create_app
from procure.extensions import db
from tests.worker_process import BROKER_URL, JOB_QUEUE, WORKER_REQUIRED, Worker, redis_reachable

TEST_PASSWORD = "correct-horse-battery"
# A cheap hash keeps sign-ins fast in tests; production uses werkzeug's default (scrypt).
_TEST_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000")
_counter = itertools.count(1)
# A minimal PDF file: the evidence upload knows a PDF by its %PDF- header alone.
PDF = b"%PDF-1.4\n%%EOF\n"
# The need of the `world` fixture's buyer.
NEED = {
    "title": "Annotation 2026",
    "service_category": "data_annotation",
    "volume": 1000,
    "unit": "hour",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "budget_usd": 20000,
    "min_quality": 0.9,
    "max_vendor_share": 0.8,
}

# CI runs the property tests with a fixed seed, so a run is repeatable; locally they explore.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if os.environ.get('PROCURE_TEST_DATABASE_URL') else 'SQLite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("PROCURE_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def migrated(database_url, tmp_path_factory):
    """Upgrade the test database once, through the migrations (the only way the schema is made)."""
    from flask_migrate import upgrade

    app = create_app(
        {"database_url": database_url, "secret_key": "test"},
        instance_path=str(tmp_path_factory.mktemp("instance")),
    )
    with app.app_context():
        if database_url.startswith("postgres"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_tables():
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    _seed_exchange_rates()
    _seed_service_categories()
    db.session.commit()


def _seed_exchange_rates():
    """The rates migration 0016 seeds from config/fx.toml, back after the tables are emptied."""
    from procure.db import utcnow
    from procure.rates.models import ExchangeRate
    from procure.reference import seed_reference

    now = utcnow()
    db.session.execute(
        insert(ExchangeRate),
        [
            {
                "currency": rate.currency,
                "effective_date": rate.date,
                "usd_per_unit": rate.usd_per_unit,
                "source": rate.source,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for rate in seed_reference().fx.rates()
        ],
    )


def _seed_service_categories():
    """The categories migration 0020 seeds (config/service_categories.toml), back after the
    tables are emptied."""
    from procure.db import utcnow
    from procure.vendors.categories import ServiceCategory, seed_service_categories

    now = utcnow()
    db.session.execute(
        insert(ServiceCategory),
        [
            {
                "key": entry.key,
                "label": entry.label,
                "unit": entry.unit,
                "description": entry.description,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for entry in seed_service_categories().values()
        ],
    )


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's app context, as a real server would.

    Flask reuses an already pushed app context for a request, which would share `g` (and the
    database session) between the test and every request it makes.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)

    def session_transaction(self, *args, **kwargs):
        return _IsolatedContextManager(super().session_transaction, args, kwargs)


class _IsolatedContextManager:
    def __init__(self, factory, args, kwargs):
        self._context = contextvars.Context()
        self._manager = self._context.run(factory, *args, **kwargs)

    def __enter__(self):
        return self._context.run(self._manager.__enter__)

    def __exit__(self, *exc):
        return self._context.run(self._manager.__exit__, *exc)


@pytest.fixture
def app(migrated, tmp_path):
    app = create_app(
        {
            "database_url": migrated,
            "secret_key": "test-secret",
            "TESTING": True,
            "job_queue": JOB_QUEUE,
            # tests sign in hundreds of times from one address (127.0.0.1); the tests of the
            # per-address limit (tests/app/test_tenancy_limits.py) set it low again
            "sign_in_per_address_per_minute": 100_000,
        },
        instance_path=str(tmp_path / "instance"),
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.rollback()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


# ---------------------------------------------------------------- factories


@pytest.fixture
def make_org(app):
    from procure.accounts.models import Organization

    def make(kind: str = "buyer", name: str | None = None) -> Organization:
        organization = Organization(name=name or f"{kind.title()} Org {next(_counter)}", kind=kind)
        db.session.add(organization)
        db.session.commit()
        return organization

    return make


@pytest.fixture
def make_user(app, make_org):
    from procure.accounts.models import User

    def make(
        role: str = "buyer", organization=None, email: str | None = None, active: bool = True
    ) -> User:
        if organization is None:
            organization = make_org(role if role in ("vendor", "operator") else "buyer")
        user = User(
            organization=organization,
            email=email or f"{role}{next(_counter)}@example.test",
            name=f"{role.title()} Person",
            role=role,
            password_hash=_TEST_PASSWORD_HASH,
            active=active,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form":
            self.forms.append({"action": named.get("action"), "fields": {}, "text": ""})
        elif tag == "input" and self.forms and named.get("name"):
            self.forms[-1]["fields"][named["name"]] = named.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self.forms:
            self.forms[-1]["text"] += data


def page_form(html: str, words: str) -> dict:
    """The one form of a page whose text holds `words`: its `action` and the `fields` its inputs
    post (hidden ones included), as a browser would send them untouched."""
    parser = _Forms()
    parser.feed(html)
    [form] = [form for form in parser.forms if words in " ".join(form["text"].split())]
    return form


def request_token(client, email: str, password: str):
    """Ask the API for a bearer token with these credentials; the response, whatever it is."""
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password})


def metric_body(key: str, **overrides) -> dict:
    """A custom metric that passes validation (the impact-worker share under another key)."""
    return {
        "key": key,
        "label": key.replace("_", " "),
        "formula": "impact_workers_end / headcount_end",
        "unit": "ratio",
        "direction": "higher",
        "goalposts": [0, 1],
        "section": "workforce",
        "source": "test",
        **overrides,
    }


def post_sign_in(client, email: str, password: str):
    """Post the sign-in form as its page does (with the page's CSRF token); the response, whatever
    it is."""
    token = csrf_token_from(client.get("/sign-in").text)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def sign_in(app):
    """Sign a test client in through the real sign-in form."""

    def do(client, user, password: str = TEST_PASSWORD):
        response = post_sign_in(client, user.email, password)
        assert response.status_code == 302, response.text
        return client

    return do


@pytest.fixture
def bearer(app, client):
    """Headers with a fresh API token for a user, issued through the API."""

    def do(user, password: str = TEST_PASSWORD) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/tokens", json={"email": user.email, "password": password}
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json['token']}"}

    return do


def valid_document(period_start: str = "2025-01-01", period_end: str = "2025-12-31") -> dict:
    """A complete disclosure that passes every rule with no warnings (figures checked by hand):

    headcount 100 + hires 30 - departures (10 + 5) = 115 = headcount_end;
    impact workers 40 + impact hires 20 - impact departures 5 = 55 = impact_workers_end;
    full-time 100 + part-time 15 = 115; training 3,450 h / 110 FTE = 31.4 h per FTE.
    """
    return {
        "period_start": period_start,
        "period_end": period_end,
        "workforce": {
            "headcount_start": 100,
            "headcount_end": 115,
            "full_time_end": 100,
            "part_time_end": 15,
            "fte_avg": 110.0,
            "total_hires": 30,
            "impact_worker_hires": 20,
            "departures_voluntary": 10,
            "departures_involuntary": 5,
            "impact_worker_departures": 5,
            "impact_workers_start": 40,
            "impact_workers_end": 55,
            "categories": {
                "long_term_unemployed": 20,
                "below_poverty_line": 30,
                "refugee_or_displaced": 10,
                "disability": 2,
                "youth_neet": 15,
                "women_low_participation": 0,
                "other": 0,
            },
            "other_category_label": None,
            "retention_cohort_hired": 18,
            "retention_cohort_retained_12m": 14,
            "promotions_all": 9,
            "promotions_impact_workers": 5,
        },
        "wages": [
            {
                "site": "Nairobi CBD",
                "country": "KE",
                "currency": "KES",
                "pay_period": "month",
                "standard_weekly_hours": 45.0,
                "entry_level_wage": 32000.0,
                "impact_worker_median_wage": 36000.0,
                "local_minimum_wage": 15201.0,
                "minimum_wage_source": "Kenya Regulation of Wages Order 2024",
                "minimum_wage_date": "2024-11-01",
                "living_wage_benchmark": 35000.0,
                "living_wage_source": "Anker benchmark, urban Kenya",
                "living_wage_date": "2025-06-01",
            }
        ],
        "training": {
            "training_hours_all": 3450.0,
            "training_hours_impact_workers": 2400.0,
            "training_spend": 1500000.0,
            "training_currency": "KES",
            "employees_trained": 95,
        },
        "evidence": {
            "workforce": "self_reported_documented",
            "wages": "self_reported",
            "training": "self_reported",
        },
    }


def disclosure_form_fields(document: dict, new_site_row: bool = True) -> dict[str, str]:
    """A disclosure document as the disclosure page's form fields: named as the form names them,
    values as text, missing figures left out; with `new_site_row`, also the empty row for one more
    site that the page shows after the document's sites (as a browser posts the form)."""
    fields = {}
    for key, value in document["workforce"].items():
        if key == "categories":
            fields.update({f"workforce.categories.{k}": v for k, v in value.items()})
        else:
            fields[f"workforce.{key}"] = value
    for index, site in enumerate(document["wages"]):
        fields.update({f"wages[{index}].{k}": v for k, v in site.items()})
    if new_site_row:
        fields[f"wages[{len(document['wages'])}].site"] = ""
    fields.update({f"training.{k}": v for k, v in document["training"].items()})
    fields.update({f"evidence.{k}": v for k, v in document["evidence"].items()})
    return {name: str(value) for name, value in fields.items() if value is not None}


@pytest.fixture
def make_vendor(app, make_user):
    """A vendor user with a vendor profile and one offer."""
    from procure.vendors.models import Offer, Vendor

    def make(name: str | None = None, country: str = "KE"):
        user = make_user("vendor")
        vendor = Vendor(
            organization_id=user.organization_id,
            name=name or user.organization.name,
            country=country,
            description="",
            service_categories=["data_annotation"],
            sites=[{"name": "Nairobi CBD", "city": "Nairobi", "country": country}],
        )
        db.session.add(vendor)
        db.session.flush()
        db.session.add(
            Offer(
                vendor_id=vendor.id,
                service_category="data_annotation",
                unit="hour",
                price=8,
                currency="USD",
                capacity_per_period=10000,
                quality=0.95,
            )
        )
        db.session.commit()
        return vendor, user

    return make


@pytest.fixture
def demo(app, monkeypatch):
    """The full demo loaded into the test database and committed (the API's requests read it on
    their own connections); returns the buyer who reviews (buyer@northwind.example)."""
    import procure.accounts.services as account_services
    from procure.accounts.models import User
    from procure.demo import load_demo

    # scrypt costs ~0.1 s per user and the demo makes 36 of them; a cheap hash keeps this fast.
    monkeypatch.setattr(
        account_services,
        "generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )
    load_demo()
    db.session.commit()
    return db.session.scalars(db.select(User).where(User.email == "buyer@northwind.example")).one()


@pytest.fixture
def world(client, make_vendor, make_user, bearer):
    """Two scored vendors offering data annotation, and a buyer with one need (NEED)."""
    (a, user_a), (b, user_b) = make_vendor("Alpha Annotation"), make_vendor("Beta BPO")
    weaker = valid_document()
    weaker["workforce"].update(
        impact_workers_end=10, impact_worker_hires=3, impact_worker_departures=1
    )
    weaker["workforce"]["categories"] = {
        k: min(v, 10) for k, v in weaker["workforce"]["categories"].items()
    }
    for (vendor, user), document in (((a, user_a), valid_document()), ((b, user_b), weaker)):
        headers = bearer(user)
        created = client.post(
            "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
        )
        client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    b.offers[0].price = 6  # Beta is cheaper (Alpha sells at 8 USD per hour)
    db.session.commit()
    buyer = make_user("buyer")
    headers = bearer(buyer)
    need = client.post("/api/v1/needs", headers=headers, json=NEED).json
    return {"buyer": buyer, "headers": headers, "need": need, "alpha": a, "beta": b}


@pytest.fixture
def make_scenario(client, world):
    """A scenario for the world's need, created through the API by the world's buyer (which
    starts its solve); `targets` as the API takes them, e.g. budget=5000. Returns its JSON."""

    def make(name: str = "Plan", **targets) -> dict:
        response = client.post(
            "/api/v1/scenarios",
            headers=world["headers"],
            json={"name": name, "need_ids": [world["need"]["id"]], "targets": targets},
        )
        assert response.status_code == 201, response.json
        return response.json

    return make


# ---------------------------------------------------------------- commands and workers


def run_cli(
    args: list[str],
    tmp_path,
    monkeypatch,
    database_url: str | None = None,
    input: str | None = None,
):
    """Run `procure ARGS` in-process with its instance folder under tmp_path (and the given
    database)."""
    from click.testing import CliRunner

    from procure.cli import main as procure_command

    monkeypatch.setenv("PROCURE_INSTANCE_PATH", str(tmp_path / "instance"))
    if database_url:
        monkeypatch.setenv("PROCURE_DATABASE_URL", database_url)
    return CliRunner().invoke(procure_command, args, input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def broker():
    """The Redis URL the test workers use, emptied; skips (or, when required, fails) without
    Redis."""
    if not redis_reachable():
        if WORKER_REQUIRED:
            pytest.fail(f"PROCURE_REQUIRE_WORKER=1 but Redis is not reachable at {BROKER_URL}")
        pytest.skip(
            f"Redis not reachable at {BROKER_URL}: "
            "set PROCURE_TEST_BROKER_URL to run the worker tests"
        )
    import redis

    redis.Redis.from_url(BROKER_URL).delete(
        JOB_QUEUE
    )  # no message left over from an earlier module
    return BROKER_URL


@pytest.fixture
def start_worker(app, broker, migrated, tmp_path):
    """Starts `procure worker` processes on the test database; kills them after the test."""
    app.config.update(BROKER_URL=broker, JOB_STALE_SECONDS=3.0)  # as the workers are told
    workers: list[Worker] = []

    def start(step_delay: float = 0.0) -> Worker:
        worker = Worker(
            migrated,
            str(tmp_path / "worker-instance"),
            str(tmp_path / f"worker-{len(workers)}.log"),
            step_delay,
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()


# ---------------------------------------------------------------- mail

# the address the smtp_sink fixture gives the app (setting public_url): every mailed link starts so
PUBLIC_URL = "https://procure.example.org"


@pytest.fixture
def smtp_sink(app):
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1; the app's smtp_url points at
    it. Yields the list of (recipients, email.message.EmailMessage) it received. (The invitation
    tests keep a module fixture of the same name and shape.)"""
    import socket
    from email import message_from_bytes
    from email.policy import default as default_policy

    from aiosmtpd.controller import Controller

    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            message = message_from_bytes(envelope.content, policy=default_policy)
            received.append((envelope.rcpt_tos, message))
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    # with smtp_url, public_url is required (procure.mail.check_mail_settings): mail links use it
    app.config.update(
        SMTP_URL=f"smtp://127.0.0.1:{port}",
        SMTP_FROM="Procure <mail@procure.test>",
        PUBLIC_URL=PUBLIC_URL,
    )
    try:
        yield received
    finally:
        controller.stop()
        app.config.update(SMTP_URL="", SMTP_FROM="", PUBLIC_URL="")
