"""The audit walker's world (`walk_world` in tests/app/conftest.py): users of every role with
their tokens and signed-in page clients, and factories for records in each state, made through
the API as a user would. The walker, the immutability and the input-limit tests act in it."""

from __future__ import annotations

import itertools
import re
from typing import Any

from sqlalchemy import select

from procure.extensions import db
from tests.conftest import csrf_token_from, metric_body, valid_document

# The need of the walk world's buyer (not the scenario world's tests.conftest.NEED).
NEED = {
    "title": "Walk need",
    "service_category": "data_annotation",
    "volume": 1000,
    "unit": "hour",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "min_quality": 0.9,
    "max_vendor_share": 1.0,
}


def default_settings() -> dict:
    from procure.scoring.services import default_profile

    return default_profile().to_dict()


def fill(rule: str, ids: dict[str, Any]) -> str:
    """A URL rule with its converters replaced by the given ids: /x/<int:need_id> -> /x/12."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)


class World:
    """Users of one buyer organization (buyer, executive) and one vendor with a scored
    disclosure, an admin, their API tokens and signed-in page clients, and factories for
    records in each state. Factories go through the API, as a user would."""

    def __init__(self, app, make_user, make_vendor, bearer, sign_in):
        self.app, self._bearer, self._sign_in, self._make_user = app, bearer, sign_in, make_user
        self.counter = itertools.count(1)
        self.years = itertools.count(1901)  # reporting periods no other record uses
        self.vendor, vendor_user = make_vendor("Walk Vendor")
        buyer = make_user("buyer")
        self.users = {
            "vendor": vendor_user,
            "buyer": buyer,
            "executive": make_user("executive", organization=buyer.organization),
            "admin": make_user("admin", organization=buyer.organization),
            "operator": make_user("operator"),
            "new_vendor": make_user("vendor"),  # a vendor organization with no profile yet
            "member": make_user("buyer"),
        }  # changes their password
        self.headers = {name: bearer(user) for name, user in self.users.items()}
        self.api_client = app.test_client()
        self._pages: dict[str, tuple] = {}
        self.submitted_disclosure(year=2025)  # scored: what-if and scenarios need it
        self.need = self.api("buyer", "POST", "/api/v1/needs", json=NEED)

    # ---------------------------------------------------------------- calling

    def api(self, actor: str, method: str, path: str, **kwargs) -> dict:
        response = self.api_client.open(path, method=method, headers=self.headers[actor], **kwargs)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json

    def call(
        self,
        actor: str | None,
        method: str,
        url: str,
        body: dict | None = None,
        *,
        own_session: bool = False,
    ):
        """One request as `actor` (None: anonymous): the API with a bearer token and a JSON body,
        pages through a signed-in session with the form and its CSRF token. A (file, name) value
        in the body makes it multipart. `own_session`: a page client of its own (signing out)."""
        body = body or {}
        multipart = any(isinstance(value, tuple) for value in body.values())
        if url.startswith("/api/"):
            headers = self.headers[actor] if actor else {}
            if multipart:
                return self.api_client.open(
                    url,
                    method=method,
                    headers=headers,
                    data=body,
                    content_type="multipart/form-data",
                )
            return self.api_client.open(url, method=method, headers=headers, json=body)
        if actor is None:
            client = self.app.test_client()
            token = csrf_token_from(client.get("/sign-in").text)
        elif own_session:
            client = self.app.test_client()
            self._sign_in(client, self.users[actor])
            token = csrf_token_from(client.get("/account").text)
        else:
            client, token = self.page_client(actor)
        return client.open(
            url,
            method=method,
            data={**body, "csrf_token": token},
            content_type="multipart/form-data" if multipart else None,
        )

    def page_client(self, actor: str):
        """A client signed in through the sign-in form, with its CSRF token."""
        if actor not in self._pages:
            client = self.app.test_client()
            self._sign_in(client, self.users[actor])
            self._pages[actor] = (client, csrf_token_from(client.get("/account").text))
        return self._pages[actor]

    # ---------------------------------------------------------------- records

    def unique(self, prefix: str) -> str:
        return f"{prefix} {next(self.counter)}"

    def draft(self, year: int | None = None) -> dict:
        year = year or next(self.years)
        return self.api(
            "vendor",
            "POST",
            "/api/v1/disclosures",
            json={"vendor_id": self.vendor.id, **valid_document(f"{year}-01-01", f"{year}-12-31")},
        )

    def submitted_disclosure(self, year: int | None = None) -> dict:
        draft = self.draft(year)
        return self.api("vendor", "POST", f"/api/v1/disclosures/{draft['id']}/submit")

    def flat_csv(self) -> bytes:
        """A one-row disclosure table for a period the vendor has not disclosed yet."""
        from procure.disclosures.models import Disclosure
        from procure.disclosures.tables import FLAT_COLUMNS, flat_row
        from procure.spreadsheets import write_table

        row = flat_row(db.session.get(Disclosure, self.draft()["id"]))
        year = next(self.years)
        row.update(period_start=f"{year}-01-01", period_end=f"{year}-12-31")
        return write_table([row], FLAT_COLUMNS, "csv")

    def scenario(self, status: str = "solved") -> dict:
        scenario = self.api(
            "buyer",
            "POST",
            "/api/v1/scenarios",
            json={"name": self.unique("Walk plan"), "need_ids": [self.need["id"]]},
        )
        assert scenario["status"] == "solved", scenario
        if status in ("submitted", "approved"):
            scenario = self.api("buyer", "POST", f"/api/v1/scenarios/{scenario['id']}/submit")
        if status == "approved":
            scenario = self.api(
                "executive",
                "POST",
                f"/api/v1/scenarios/{scenario['id']}/decision",
                json={"decision": "approved"},
            )
        return scenario

    def profile(self) -> dict:
        return self.api(
            "buyer",
            "POST",
            "/api/v1/scoring-profiles",
            json={"name": self.unique("Walk profile"), "settings": default_settings()},
        )

    def metric(self) -> dict:
        key = f"walk_metric_{next(self.counter)}"
        return self.api("buyer", "POST", "/api/v1/metrics", json=metric_body(key, source="walk"))

    def token_id(self, actor: str) -> int:
        from procure.accounts.models import ApiToken

        self._bearer(self.users[actor])
        db.session.commit()
        return db.session.scalars(
            select(ApiToken.id)
            .where(ApiToken.user_id == self.users[actor].id)
            .order_by(ApiToken.id.desc())
        ).first()

    def locked_user(self) -> int:
        from procure.db import utcnow

        user = self._make_user("buyer", organization=self.users["buyer"].organization)
        user.locked_at, user.failed_sign_ins = utcnow(), 10
        db.session.commit()
        return user.id

    def job(self, status: str, *, kind: str = "scores.refresh", params: dict | None = None) -> int:
        """A job of the buyer's organization, started by the buyer, in `status`: a re-scoring
        unless `kind` says another (with its `params`)."""
        from procure.jobs.models import Job

        job = Job(
            kind=kind,
            organization_id=self.users["buyer"].organization_id,
            created_by_id=self.users["buyer"].id,
            params={"period_end": "2025-12-31"} if params is None else params,
            status=status,
            error="Failed in the walk" if status == "failed" else None,
        )
        db.session.add(job)
        db.session.commit()
        return job.id
