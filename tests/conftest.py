"""Fixtures: one migrated database per session, emptied after every test; factories.

With PROCURE_TEST_DATABASE_URL set (CI sets it to a fresh PostgreSQL database), the whole
suite runs on it; otherwise on a SQLite file in a temporary folder.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import re

import pytest
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings

from procure import create_app
from procure.extensions import db

TEST_PASSWORD = "correct-horse-battery"
# A cheap hash keeps sign-ins fast in tests; production uses werkzeug's default (scrypt).
_TEST_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000")
_counter = itertools.count(1)

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

    app = create_app({"database_url": database_url, "secret_key": "test"},
                     instance_path=str(tmp_path_factory.mktemp("instance")))
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
    db.session.commit()


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
        {"database_url": migrated, "secret_key": "test-secret", "TESTING": True},
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

    def make(role: str = "buyer", organization=None, email: str | None = None, active: bool = True) -> User:
        if organization is None:
            organization = make_org("vendor" if role == "vendor" else "buyer")
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


@pytest.fixture
def sign_in(app):
    """Sign a test client in through the real sign-in form."""

    def do(client, user, password: str = TEST_PASSWORD):
        page = client.get("/sign-in")
        response = client.post(
            "/sign-in",
            data={"email": user.email, "password": password, "csrf_token": csrf_token_from(page.text)},
        )
        assert response.status_code == 302, response.text
        return client

    return do


@pytest.fixture
def bearer(app, client):
    """Headers with a fresh API token for a user, issued through the API."""

    def do(user, password: str = TEST_PASSWORD) -> dict[str, str]:
        response = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": password})
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
            "headcount_start": 100, "headcount_end": 115, "full_time_end": 100, "part_time_end": 15,
            "fte_avg": 110.0, "total_hires": 30, "impact_worker_hires": 20, "departures_voluntary": 10,
            "departures_involuntary": 5, "impact_worker_departures": 5, "impact_workers_start": 40,
            "impact_workers_end": 55,
            "categories": {"long_term_unemployed": 20, "below_poverty_line": 30, "refugee_or_displaced": 10,
                           "disability": 2, "youth_neet": 15, "women_low_participation": 0, "other": 0},
            "other_category_label": None,
            "retention_cohort_hired": 18, "retention_cohort_retained_12m": 14,
            "promotions_all": 9, "promotions_impact_workers": 5,
        },
        "wages": [{
            "site": "Nairobi CBD", "country": "KE", "currency": "KES", "pay_period": "month",
            "standard_weekly_hours": 45.0, "entry_level_wage": 32000.0, "impact_worker_median_wage": 36000.0,
            "local_minimum_wage": 15201.0, "minimum_wage_source": "Kenya Regulation of Wages Order 2024",
            "minimum_wage_date": "2024-11-01", "living_wage_benchmark": 35000.0,
            "living_wage_source": "Anker benchmark, urban Kenya", "living_wage_date": "2025-06-01",
        }],
        "training": {"training_hours_all": 3450.0, "training_hours_impact_workers": 2400.0,
                     "training_spend": 1500000.0, "training_currency": "KES", "employees_trained": 95},
        "evidence": {"workforce": "self_reported_documented", "wages": "self_reported", "training": "self_reported"},
    }


@pytest.fixture
def make_vendor(app, make_user):
    """A vendor user with a vendor profile and one offer."""
    from procure.vendors.models import Offer, Vendor

    def make(name: str | None = None, country: str = "KE"):
        user = make_user("vendor")
        vendor = Vendor(organization_id=user.organization_id, name=name or user.organization.name, country=country,
                        description="", service_categories=["data_annotation"],
                        sites=[{"name": "Nairobi CBD", "city": "Nairobi", "country": country}])
        db.session.add(vendor)
        db.session.flush()
        db.session.add(Offer(vendor_id=vendor.id, service_category="data_annotation", unit="hour", price=8,
                             currency="USD", capacity_per_period=10000, quality=0.95))
        db.session.commit()
        return vendor, user

    return make
