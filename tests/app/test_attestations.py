"""Assurance providers (issue #18): a vendor shares a submitted version with an assurance
provider, whose assurer reads that version and its evidence and nothing else, and attests its
sections; every buyer and the vendor see the attestations, and while valid they set the
section's effective evidence level for all of them (procure.disclosures.evidence_levels).

Dates are relative to today, so that nothing here expires or ages as the calendar moves: the
disclosures are of last year (an evidence level ages 24 months after the period's end, a year
from now at the earliest), and a statement is dated today.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from procure.assurance.models import AssuranceGrant, Attestation
from procure.audit.models import AuditEvent
from procure.disclosures.evidence_levels import (
    SectionEvidence,
    Statement,
    effective_level,
    months_after,
)
from procure.disclosures.pricing import pricing_day
from procure.extensions import db
from procure.jobs.models import Job
from procure.notifications.models import Notification
from procure.scoring.versions import GLOBAL, data_versions
from procure.states import ReviewDecision
from tests.app.test_rankings import _assert_stored_is_fresh
from tests.conftest import PDF, csrf_token_from, valid_document

TODAY = pricing_day()
YEAR = TODAY.year - 1  # last year's period: ended, and not aged before a year from now
PERIOD_END = date(YEAR, 12, 31)
STATEMENT = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


# ----------------------------------------------------------------------------- pure rules


def _statement(opinion="unqualified", level="reasonable", issued=date(2026, 3, 1), **kw):
    fields = {
        "id": 1,
        "provider": "Meridian",
        "standard": "ISAE 3000",
        "assurance": level,
        "opinion": opinion,
        "issued_on": issued,
        "expires_on": date(2027, 3, 1),
    } | kw
    return Statement(**fields)


def _level(evidence: SectionEvidence, on=date(2026, 6, 1), age_months=24) -> str:
    return effective_level(evidence, date(2025, 12, 31), age_months=age_months, on=on).level


@pytest.mark.parametrize(
    ("level", "opinion", "expected"),
    [
        ("limited", "unqualified", "third_party_limited"),
        ("reasonable", "unqualified", "third_party_reasonable"),
        # a qualified opinion counts one level lower than an unqualified one
        ("limited", "qualified", "buyer_verified"),
        ("reasonable", "qualified", "third_party_limited"),
        # an adverse opinion lowers the section to self_reported, its file notwithstanding
        ("limited", "adverse", "self_reported"),
        ("reasonable", "adverse", "self_reported"),
    ],
)
def test_a_valid_statement_sets_the_level_it_says(level, opinion, expected):
    evidence = SectionEvidence(files=1, statements=(_statement(opinion, level),))
    assert _level(evidence) == expected


def test_a_statement_counts_from_its_date_until_the_day_before_its_expiry():
    evidence = SectionEvidence(files=1, statements=(_statement(),))
    assert _level(evidence, on=date(2026, 2, 28)) == "self_reported_documented"  # not yet
    assert _level(evidence, on=date(2026, 3, 1)) == "third_party_reasonable"  # its date
    assert _level(evidence, on=date(2027, 2, 28)) == "third_party_reasonable"  # the last day
    assert _level(evidence, on=date(2027, 3, 1)) == "self_reported_documented"  # its expiry
    # no file in the section: the statement is the evidence, and expired it leaves none
    bare = SectionEvidence(statements=(_statement(),))
    assert _level(bare) == "third_party_reasonable"
    assert _level(bare, on=date(2027, 3, 1)) == "self_reported"


def test_a_statement_ages_as_a_verification_does_from_the_end_of_the_period():
    evidence = SectionEvidence(files=1, statements=(_statement(expires_on=date(2029, 1, 1)),))
    # 24 months after 2025-12-31
    found = effective_level(evidence, date(2025, 12, 31), age_months=24, on=date(2027, 12, 30))
    assert (found.level, found.counts_lower_from, found.aged) == (
        "third_party_reasonable",
        date(2027, 12, 31),
        False,
    )
    found = effective_level(evidence, date(2025, 12, 31), age_months=24, on=date(2027, 12, 31))
    assert (found.level, found.aged) == ("third_party_limited", True)
    assert "counts one level lower since 2027-12-31" in found.basis
    assert _level(evidence, on=date(2026, 6, 1), age_months=3) == "third_party_limited"


def test_a_buyers_rejection_wins_for_it_and_an_adverse_opinion_wins_over_its_verification():
    lifted = (_statement(),)
    rejected = SectionEvidence(1, ReviewDecision.REJECTED, date(2026, 4, 1), lifted)
    found = effective_level(rejected, date(2025, 12, 31), age_months=24, on=date(2026, 6, 1))
    assert found.level == "self_reported" and "whatever a statement says" in found.basis
    verified = SectionEvidence(1, ReviewDecision.VERIFIED, date(2026, 4, 1), lifted)
    assert _level(verified) == "third_party_reasonable"  # the higher of the two
    qualified_limited = (_statement("qualified", "limited"),)
    both = SectionEvidence(1, ReviewDecision.VERIFIED, date(2026, 4, 1), qualified_limited)
    assert _level(both) == "buyer_verified"
    adverse = SectionEvidence(
        1, ReviewDecision.VERIFIED, date(2026, 4, 1), (_statement("adverse"),)
    )
    found = effective_level(adverse, date(2025, 12, 31), age_months=24, on=date(2026, 6, 1))
    assert found.level == "self_reported" and found.basis.startswith("adverse opinion by Meridian")


def test_of_two_providers_statements_the_most_cautious_counts():
    reasonable = _statement(id=1)
    limited = _statement(id=2, level="limited", provider="Other")
    assert _level(SectionEvidence(1, statements=(reasonable, limited))) == "third_party_limited"
    adverse = _statement(id=3, opinion="adverse", provider="Third")
    assert _level(SectionEvidence(1, statements=(reasonable, adverse))) == "self_reported"
    expired_adverse = _statement(id=4, opinion="adverse", expires_on=date(2026, 4, 1))
    assert _level(SectionEvidence(1, statements=(reasonable, expired_adverse))) == (
        "third_party_reasonable"
    )


# ------------------------------------------------------------------------ through the app


class Assured:
    """Vendors A and B with a submitted version of last year (A: a wages file and an older
    draft-free history; B: its own), two buyer organizations, and two assurance providers."""

    def __init__(self, app, client, make_org, make_user, make_vendor, bearer):
        self.client = client
        self.vendor_a, self.user_a = make_vendor("Alpha Annotation")
        self.vendor_b, self.user_b = make_vendor("Beta BPO")
        self.provider = make_org("assurance", "Meridian Test Assurance")
        self.other_provider = make_org("assurance", "Other Test Assurance")
        self.users = {
            "vendor_a": self.user_a,
            "vendor_b": self.user_b,
            "buyer_x": make_user("buyer", organization=make_org("buyer", "Buyer X")),
            "buyer_y": make_user("buyer", organization=make_org("buyer", "Buyer Y")),
            "assurer": make_user("assurer", organization=self.provider),
            "assurance_admin": make_user("admin", organization=self.provider),
            "other_assurer": make_user("assurer", organization=self.other_provider),
            "operator": make_user("operator"),
        }
        self.headers = {name: bearer(user) for name, user in self.users.items()}
        self.older = self.submitted("vendor_a", YEAR - 1)
        self.version = self.submitted("vendor_a", YEAR, wages_file=True)
        self.version_b = self.submitted("vendor_b", YEAR, wages_file=True)

    def call(self, actor, method, path, **kw):
        return self.client.open(path, method=method, headers=self.headers[actor], **kw)

    def api(self, actor, method, path, status=200, **kw):
        response = self.call(actor, method, path, **kw)
        assert response.status_code == status, response.text
        return response.json

    def submitted(self, actor, year, wages_file=False) -> dict:
        vendor = self.vendor_a if actor == "vendor_a" else self.vendor_b
        document = valid_document(f"{year}-01-01", f"{year}-12-31")
        draft = self.api(
            actor, "POST", "/api/v1/disclosures", 201, json={"vendor_id": vendor.id, **document}
        )
        if wages_file:
            self.api(
                actor,
                "POST",
                f"/api/v1/disclosures/{draft['id']}/evidence",
                201,
                data={
                    "section": "wages",
                    "level": "self_reported_documented",
                    "file": (io.BytesIO(PDF), "payroll.pdf"),
                },
                content_type="multipart/form-data",
            )
        return self.api(actor, "POST", f"/api/v1/disclosures/{draft['id']}/submit")

    def grant(self, version=None, provider=None, actor="vendor_a") -> dict:
        return self.api(
            actor,
            "POST",
            "/api/v1/assurance-grants",
            201,
            json={
                "disclosure_id": (version or self.version)["id"],
                "provider_id": (provider or self.provider).id,
            },
        )

    def attest(self, actor="assurer", version=None, file=True, **fields):
        data = {
            "disclosure_id": str((version or self.version)["id"]),
            "section": "wages",
            "standard": "ISAE 3000 (Revised)",
            "level": "reasonable",
            "opinion": "unqualified",
            "issued_on": TODAY.isoformat(),
            "expires_on": (TODAY + timedelta(days=730)).isoformat(),
        } | {key: str(value) for key, value in fields.items()}
        data = {key: value for key, value in data.items() if value != "None"}
        if file:
            data["file"] = (io.BytesIO(STATEMENT), "statement.pdf")
        return self.call(
            actor, "POST", "/api/v1/attestations", data=data, content_type="multipart/form-data"
        )

    def wages(self, actor, version=None) -> dict:
        sections = self.api(
            actor, "GET", f"/api/v1/disclosures/{(version or self.version)['id']}/sections"
        )
        return next(s for s in sections if s["section"] == "wages")

    def score(self, actor) -> float:
        rows = self.api(actor, "GET", "/api/v1/scores")
        return next(r["total"] for r in rows if r["vendor_id"] == self.vendor_a.id)

    def own_scorecard(self) -> dict:
        return self.api("vendor_a", "GET", f"/api/v1/vendors/{self.vendor_a.id}/scorecard")


@pytest.fixture
def assured(app, client, make_org, make_user, make_vendor, bearer):
    return Assured(app, client, make_org, make_user, make_vendor, bearer)


def _count(model) -> int:
    db.session.commit()  # a fresh read: the requests commit on their own
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_attestation_lifts_the_section_for_every_buyer_and_the_vendor(assured):
    a = assured
    before = {
        actor: a.wages(actor)["effective_level"] for actor in ("buyer_x", "buyer_y", "vendor_a")
    }
    assert set(before.values()) == {"self_reported_documented"}  # the wages file
    totals = {actor: a.score(actor) for actor in ("buyer_x", "buyer_y")}
    own = a.own_scorecard()
    refreshes = _count(Job)

    grant = a.grant()
    assert grant["state"] == "active" and grant["provider_name"] == "Meridian Test Assurance"
    response = a.attest()
    assert response.status_code == 201, response.text
    attestation = response.json
    assert (attestation["sets_level"], attestation["state"]) == ("third_party_reasonable", "valid")

    for actor in ("buyer_x", "buyer_y", "vendor_a"):
        wages = a.wages(actor)
        assert wages["effective_level"] == "third_party_reasonable", actor
        assert wages["attestation"]["id"] == attestation["id"]
        assert wages["basis"].startswith(
            "unqualified reasonable assurance by Meridian Test Assurance "
            f"(ISAE 3000 (Revised)) on {TODAY}"
        )
        assert [s["id"] for s in wages["attestations"]] == [attestation["id"]]
    # wages weigh in the impact pillar: the factor goes from 0.7 to 1.0 for both buyers alike
    after = {actor: a.score(actor) for actor in ("buyer_x", "buyer_y")}
    assert all(after[actor] > totals[actor] for actor in totals), (totals, after)
    assert after["buyer_x"] == pytest.approx(after["buyer_y"])
    card = a.own_scorecard()
    assert card["score"]["total"] > own["score"]["total"]
    levels = {e["section"]: e["effective_level"] for e in card["evidence"]}
    assert levels["wages"] == "third_party_reasonable"
    # the period's snapshots were refreshed, as after a submission: the trend agrees
    assert _count(Job) > refreshes
    (point,) = [p for p in card["trend"] if p["period_end"] == PERIOD_END.isoformat()]
    assert point["total"] == pytest.approx(card["score"]["total"])
    # the export a buyer scores with carries the lifted level
    exported = a.call("buyer_x", "GET", "/api/v1/disclosures/export").text
    (row,) = [
        line
        for line in exported.splitlines()
        if line.startswith(f"{a.vendor_a.id},") and str(PERIOD_END) in line
    ]
    assert "third_party_reasonable" in row
    # the statement is served to every buyer and the vendor, as issued
    for actor in ("buyer_x", "buyer_y", "vendor_a", "assurer"):
        served = a.call(actor, "GET", f"/api/v1/attestations/{attestation['id']}/statement")
        assert (served.status_code, served.data) == (200, STATEMENT), actor


def test_an_adverse_opinion_lowers_the_section_even_for_a_buyer_that_verified_it(assured):
    a = assured
    a.api(
        "buyer_x",
        "POST",
        f"/api/v1/disclosures/{a.version['id']}/sections/wages/review",
        json={"decision": "verified"},
    )
    assert a.wages("buyer_x")["effective_level"] == "buyer_verified"
    a.grant()
    assert a.attest(opinion="adverse", level="limited").status_code == 201
    for actor in ("buyer_x", "buyer_y", "vendor_a"):
        wages = a.wages(actor)
        assert wages["effective_level"] == "self_reported", actor
        assert "adverse opinion by Meridian Test Assurance" in wages["basis"]


def test_a_buyers_rejection_still_wins_for_that_buyer_alone(assured):
    a = assured
    a.api(
        "buyer_x",
        "POST",
        f"/api/v1/disclosures/{a.version['id']}/sections/wages/review",
        json={"decision": "rejected", "comment": "The payroll does not match the sites."},
    )
    a.grant()
    assert a.attest(level="limited").status_code == 201
    assert a.wages("buyer_x")["effective_level"] == "self_reported"
    assert a.wages("buyer_y")["effective_level"] == "third_party_limited"
    assert a.wages("vendor_a")["effective_level"] == "third_party_limited"


def test_an_expired_attestation_no_longer_counts(assured):
    a = assured
    old_end = date(YEAR - 1, 12, 31)  # the older version's period
    a.grant(version=a.older)
    issued = old_end + timedelta(days=1)
    response = a.attest(
        version=a.older,
        section="workforce",
        issued_on=issued,
        expires_on=issued + timedelta(days=1),
    )
    assert response.status_code == 201, response.text
    assert response.json["state"] == "expired"
    sections = a.api("buyer_x", "GET", f"/api/v1/disclosures/{a.older['id']}/sections")
    workforce = next(s for s in sections if s["section"] == "workforce")
    assert workforce["effective_level"] == "self_reported"  # no file; the statement lapsed
    assert workforce["attestation"] is None
    assert [s["state"] for s in workforce["attestations"]] == ["expired"]


def test_the_assurer_reads_what_it_was_granted_and_nothing_else(assured):
    a = assured
    grant = a.grant()
    a.grant(version=a.version_b, provider=a.other_provider, actor="vendor_b")
    shared = a.api("assurer", "GET", f"/api/v1/assurance-grants/{grant['id']}/version")
    assert shared["id"] == a.version["id"] and shared["vendor_name"] == "Alpha Annotation"
    assert "reviews" not in shared and shared["wages"] == a.version["wages"]
    (evidence,) = shared["evidence_files"]
    downloaded = a.call(
        "assurer", "GET", f"/api/v1/assurance-grants/{grant['id']}/evidence/{evidence['id']}"
    )
    assert (downloaded.status_code, downloaded.data) == (200, PDF)
    # nothing else: not through the tenant routes, not another version, not another vendor
    b_evidence = a.api("vendor_b", "GET", f"/api/v1/disclosures/{a.version_b['id']}/evidence")
    for path, status in (
        (f"/api/v1/disclosures/{a.version['id']}", 404),
        (f"/api/v1/disclosures/{a.older['id']}", 404),
        (f"/api/v1/disclosures/{a.version['id']}/sections", 404),
        (f"/api/v1/disclosures/{a.version['id']}/versions", 404),
        (f"/api/v1/disclosures/{a.version['id']}/evidence", 403),
        (f"/api/v1/evidence/{evidence['id']}/download", 403),
        (f"/api/v1/assurance-grants/{grant['id']}/evidence/{b_evidence[0]['id']}", 404),
        (f"/api/v1/vendors/{a.vendor_a.id}", 404),
        (f"/api/v1/vendors/{a.vendor_a.id}/offers", 404),
        (f"/api/v1/offers/{a.vendor_a.offers[0].id}", 404),
        (f"/api/v1/vendors/{a.vendor_a.id}/scorecard", 403),
        ("/api/v1/scores", 403),
        ("/api/v1/needs", 403),
        (f"/disclosures/{a.version['id']}", 404),
        ("/vendors", 403),
    ):
        assert a.call("assurer", "GET", path).status_code == status, path
    for path in ("/api/v1/vendors", "/api/v1/disclosures"):
        assert a.api("assurer", "GET", path) == [], path
    export = a.call("assurer", "GET", "/api/v1/disclosures/export").text.strip().splitlines()
    assert len(export) == 1  # the header only
    assert [g["id"] for g in a.api("assurer", "GET", "/api/v1/assurance-grants")] == [grant["id"]]
    # the organization's admin acts as its assurer: it reads the same, and attests
    assert a.api("assurance_admin", "GET", f"/api/v1/assurance-grants/{grant['id']}/version")
    assert a.attest("assurance_admin", section="training").status_code == 201
    # pages: the list, the version with its files and the form
    page = a.client
    from tests.conftest import TEST_PASSWORD, post_sign_in

    post_sign_in(page, a.users["assurer"].email, TEST_PASSWORD)
    listing = page.get("/assurance")
    assert listing.status_code == 200 and "Alpha Annotation" in listing.text
    assert "Beta BPO" not in listing.text
    shown = page.get(f"/assurance/grants/{grant['id']}")
    assert shown.status_code == 200 and "payroll.pdf" in shown.text
    assert "Attest a section" in shown.text


def test_a_version_not_granted_is_refused_with_the_field_named_and_nothing_saved(assured):
    a = assured
    a.grant()
    a.grant(version=a.version_b, provider=a.other_provider, actor="vendor_b")
    for version in (a.version_b, a.older):  # another vendor's; another version of A's
        response = a.attest(version=version)
        assert response.status_code == 404, response.text
        assert "disclosure_id" in response.json["errors"]
    assert a.attest(version={"id": 2_000_000}).status_code == 404
    assert _count(Attestation) == 0


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"file": False}, "file"),
        ({"expires_on": (TODAY - timedelta(days=1)).isoformat()}, "expires_on"),
        ({"expires_on": TODAY.isoformat()}, "expires_on"),  # expiring the day it is made
        ({"section": "canteen"}, "section"),
        ({"level": "moderate"}, "level"),
        ({"opinion": "favourable"}, "opinion"),
        ({"standard": ""}, "standard"),
        ({"issued_on": None}, "issued_on"),
        ({"issued_on": "2024-02-30"}, "issued_on"),
        ({"issued_on": (TODAY + timedelta(days=1)).isoformat()}, "issued_on"),  # not yet
        ({"issued_on": PERIOD_END.isoformat()}, "issued_on"),  # not after the period
        ({"file": "png"}, "file"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(assured, fields, named):
    a = assured
    a.grant()
    events = _count(AuditEvent)
    fields = dict(fields)
    file = fields.pop("file", True)
    if file == "png":
        response = a.call(
            "assurer",
            "POST",
            "/api/v1/attestations",
            data={
                "disclosure_id": str(a.version["id"]),
                "section": "wages",
                "standard": "ISAE 3000",
                "level": "limited",
                "opinion": "unqualified",
                "issued_on": TODAY.isoformat(),
                "expires_on": (TODAY + timedelta(days=30)).isoformat(),
                "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 32), "statement.png"),
            },
            content_type="multipart/form-data",
        )
    else:
        response = a.attest(file=file, **fields)
    assert response.status_code == 422, response.text
    assert named in response.json["errors"], response.json
    assert _count(Attestation) == 0 and _count(AuditEvent) == events
    assert a.wages("buyer_x")["effective_level"] == "self_reported_documented"


def test_one_statement_per_section_at_a_time_and_only_submitted_versions_are_shared(assured):
    a = assured
    a.grant()
    assert a.attest().status_code == 201
    again = a.attest(opinion="adverse")
    assert again.status_code == 409 and "stands until it expires" in again.json["message"]
    draft = a.api(
        "vendor_a",
        "POST",
        "/api/v1/disclosures",
        201,
        json={
            "vendor_id": a.vendor_a.id,
            **valid_document(f"{YEAR - 2}-01-01", f"{YEAR - 2}-12-31"),
        },
    )
    refused = a.call(
        "vendor_a",
        "POST",
        "/api/v1/assurance-grants",
        json={"disclosure_id": draft["id"], "provider_id": a.provider.id},
    )
    assert refused.status_code == 409
    not_a_provider = a.call(
        "vendor_a",
        "POST",
        "/api/v1/assurance-grants",
        json={"disclosure_id": a.version["id"], "provider_id": a.users["buyer_x"].organization_id},
    )
    assert not_a_provider.status_code == 422 and "provider_id" in not_a_provider.json["errors"]
    twice = a.call(
        "vendor_a",
        "POST",
        "/api/v1/assurance-grants",
        json={"disclosure_id": a.version["id"], "provider_id": a.provider.id},
    )
    assert twice.status_code == 409
    assert _count(AssuranceGrant) == 1


def test_revoking_stops_the_reading_and_the_attestations_stay(assured):
    a = assured
    grant = a.grant()
    attestation = a.attest().json
    revoked = a.api("vendor_a", "POST", f"/api/v1/assurance-grants/{grant['id']}/revoke")
    assert revoked["state"] == "revoked" and revoked["revoked_at"]
    again = a.call("vendor_a", "POST", f"/api/v1/assurance-grants/{grant['id']}/revoke")
    assert again.status_code == 409
    for path in (
        f"/api/v1/assurance-grants/{grant['id']}",
        f"/api/v1/assurance-grants/{grant['id']}/version",
        f"/assurance/grants/{grant['id']}",
    ):
        assert a.call("assurer", "GET", path).status_code == 404, path
    assert a.api("assurer", "GET", "/api/v1/assurance-grants") == []
    refused = a.attest(section="training")
    assert refused.status_code == 404 and "disclosure_id" in refused.json["errors"]
    # what it issued stays: it still lifts the section for everyone, and its issuer reads it
    assert a.wages("buyer_y")["effective_level"] == "third_party_reasonable"
    assert a.api("assurer", "GET", f"/api/v1/attestations/{attestation['id']}")["id"]
    # the vendor may share the version again: a new grant
    again = a.grant()
    assert again["id"] != grant["id"] and again["state"] == "active"


def test_grants_attestations_and_revocations_are_audited_and_notified(assured):
    a = assured
    grant = a.grant()
    attestation = a.attest().json
    a.api("vendor_a", "POST", f"/api/v1/assurance-grants/{grant['id']}/revoke")
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(("assurance.grant", "attestation.issue", "assurance.revoke")))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id, e.target_id) for e in events] == [
        ("assurance.grant", a.user_a.id, str(grant["id"])),
        ("attestation.issue", a.users["assurer"].id, str(attestation["id"])),
        ("assurance.revoke", a.user_a.id, str(grant["id"])),
    ]
    issued = events[1].changes["after"]
    assert (issued["section"], issued["opinion"], issued["sets_level"]) == (
        "wages",
        "unqualified",
        "third_party_reasonable",
    )
    assert issued["sha256"] == attestation["statement_sha256"]
    told = {
        (n.user_id, n.kind)
        for n in db.session.scalars(select(Notification)).all()
        if n.kind in ("assurance_shared", "attestation_issued")
    }
    assert told == {
        (a.users["assurer"].id, "assurance_shared"),
        (a.users["assurance_admin"].id, "assurance_shared"),
        (a.user_a.id, "attestation_issued"),
    }


def test_no_tenant_reads_or_changes_what_is_not_its_own(assured):
    """The hostile second tenant: another assurance provider, another vendor, a buyer and the
    operator try every attestation and grant route on A's records."""
    a = assured
    grant = a.grant()
    attestation = a.attest().json
    paths = {
        "grant": f"/api/v1/assurance-grants/{grant['id']}",
        "version": f"/api/v1/assurance-grants/{grant['id']}/version",
        "attestation": f"/api/v1/attestations/{attestation['id']}",
        "statement": f"/api/v1/attestations/{attestation['id']}/statement",
    }
    expected = {
        "other_assurer": {"grant": 404, "version": 404, "attestation": 404, "statement": 404},
        "vendor_b": {"grant": 404, "version": 403, "attestation": 404, "statement": 404},
        "buyer_x": {"grant": 403, "version": 403, "attestation": 200, "statement": 200},
        "operator": {"grant": 403, "version": 403, "attestation": 403, "statement": 403},
    }
    for actor, outcomes in expected.items():
        got = {name: a.call(actor, "GET", path).status_code for name, path in paths.items()}
        assert got == outcomes, actor
        listed = a.call(actor, "GET", "/api/v1/attestations")
        if actor in ("other_assurer", "vendor_b"):
            assert listed.json == [], actor
    # writes: none of them attests A's version, revokes A's grant or shares A's version
    assert a.attest("other_assurer").status_code == 404
    assert a.attest("buyer_x").status_code == 403
    assert a.attest("vendor_a").status_code == 403
    for actor, status in (("vendor_b", 404), ("buyer_x", 403), ("other_assurer", 403)):
        revoke = a.call(actor, "POST", f"/api/v1/assurance-grants/{grant['id']}/revoke")
        assert revoke.status_code == status, actor
        share = a.call(
            actor,
            "POST",
            "/api/v1/assurance-grants",
            json={"disclosure_id": a.version["id"], "provider_id": a.other_provider.id},
        )
        assert share.status_code == status, actor
    db.session.commit()
    assert db.session.get(AssuranceGrant, grant["id"]).revoked_at is None
    assert _count(Attestation) == 1 and _count(AssuranceGrant) == 1
    # an attestation has no route that changes or deletes it, but its issuer's withdrawal
    changing = {
        (rule.rule, method)
        for rule in a.client.application.url_map.iter_rules()
        if "attestation" in rule.rule
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}
    }
    assert changing == {
        ("/api/v1/attestations", "POST"),
        ("/api/v1/attestations/<int:attestation_id>/withdraw", "POST"),
        ("/assurance/attestations/<int:attestation_id>/withdraw", "POST"),
    }


def test_the_vendor_shares_and_revokes_from_its_disclosure_page(assured, app, sign_in):
    a = assured
    from tests.conftest import csrf_token_from

    page = sign_in(app.test_client(), a.user_a)
    shown = page.get(f"/disclosures/{a.version['id']}")
    assert shown.status_code == 200 and "Independent assurance" in shown.text
    assert "Meridian Test Assurance" in shown.text
    token = csrf_token_from(shown.text)
    response = page.post(
        f"/disclosures/{a.version['id']}/assurance",
        data={"provider_id": str(a.provider.id), "csrf_token": token},
    )
    assert response.status_code == 302
    db.session.commit()
    grant = db.session.scalars(select(AssuranceGrant)).one()
    assert grant.provider_id == a.provider.id and grant.revoked_at is None
    shown = page.get(f"/disclosures/{a.version['id']}")
    assert "Revoke" in shown.text
    response = page.post(f"/assurance-grants/{grant.id}/revoke", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.commit()
    db.session.refresh(grant)
    assert grant.revoked_at is not None
    # a buyer's page shows the attestations, never the sharing form
    buyer = sign_in(app.test_client(), a.users["buyer_x"])
    assert "Independent assurance" in buyer.get(f"/disclosures/{a.version['id']}").text
    assert (
        f"/disclosures/{a.version['id']}/assurance"
        not in buyer.get(f"/disclosures/{a.version['id']}").text
    )


def test_the_assurer_attests_through_its_page_and_bad_input_is_named(assured, app, sign_in):
    a = assured
    from tests.conftest import csrf_token_from

    grant = a.grant()
    page = sign_in(app.test_client(), a.users["assurer"])
    token = csrf_token_from(page.get(f"/assurance/grants/{grant['id']}").text)
    form = {
        "csrf_token": token,
        "section": "workforce",
        "standard": "ISAE 3000",
        "level": "limited",
        "opinion": "qualified",
        "issued_on": TODAY.isoformat(),
        "expires_on": TODAY.isoformat(),
    }
    refused = page.post(f"/assurance/grants/{grant['id']}", data=form)
    assert refused.status_code == 422
    assert 'id="expires_on-error"' in refused.text and 'id="file-error"' in refused.text
    assert _count(Attestation) == 0
    form["expires_on"] = (TODAY + timedelta(days=365)).isoformat()
    form["file"] = (io.BytesIO(STATEMENT), "statement.pdf")
    done = page.post(
        f"/assurance/grants/{grant['id']}", data=form, content_type="multipart/form-data"
    )
    assert done.status_code == 302, done.text
    assert a.wages("buyer_x")["effective_level"] == "self_reported_documented"  # wages untouched
    sections = a.api("buyer_x", "GET", f"/api/v1/disclosures/{a.version['id']}/sections")
    workforce = next(s for s in sections if s["section"] == "workforce")
    assert workforce["effective_level"] == "buyer_verified"  # qualified limited: one lower
    assert workforce["counts_lower_from"] == months_after(PERIOD_END, 24).isoformat()


def test_the_operator_creates_an_assurance_provider_whose_admin_adds_assurers(
    app, client, make_user, bearer, sign_in
):
    """As it creates the others: the organization with its first admin, who adds assurers."""
    operator = bearer(make_user("operator"))
    created = client.post(
        "/api/v1/organizations",
        headers=operator,
        json={
            "name": "Kilimo Social Audit",
            "kind": "assurance",
            "admin_email": "first@kilimo-audit.example",
            "admin_name": "Achieng Otieno",
            "admin_password": "a long unusual passphrase 91",
        },
    )
    assert created.status_code == 201, created.text
    assert (created.json["kind"], created.json["admin"]["role"]) == ("assurance", "admin")
    token = client.post(
        "/api/v1/auth/tokens",
        json={"email": "first@kilimo-audit.example", "password": "a long unusual passphrase 91"},
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "organization_id": created.json["id"],
        "email": "assurer@kilimo-audit.example",
        "name": "Baraka Mwangi",
        "password": "another unusual passphrase 92",
    }
    wrong = client.post("/api/v1/users", headers=headers, json=body | {"role": "buyer"})
    assert wrong.status_code == 422 and "role" in wrong.json["errors"]
    added = client.post("/api/v1/users", headers=headers, json=body | {"role": "assurer"})
    assert added.status_code == 201, added.text
    # each signs in to its home page; the navigation offers the assurance pages
    from procure.accounts.models import User

    for email in ("first@kilimo-audit.example", "assurer@kilimo-audit.example"):
        user = db.session.scalars(select(User).where(User.email == email)).one()
        page = app.test_client()
        password = body["password"] if user.role == "assurer" else "a long unusual passphrase 91"
        sign_in(page, user, password)
        home = page.get("/")
        assert home.status_code == 200, email
        assert 'href="/assurance"' in home.text, email


def test_the_demo_provider_has_attested_two_vendors_for_every_buyer(app, client, monkeypatch):
    from werkzeug.security import generate_password_hash

    import procure.accounts.services as account_services
    from procure.demo import DEMO_ATTESTATIONS, load_demo
    from procure.disclosures.models import Disclosure

    monkeypatch.setattr(  # a cheap hash: the demo makes dozens of users
        account_services,
        "generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )
    load_demo()
    db.session.commit()
    attested = db.session.scalars(select(Attestation).order_by(Attestation.id)).all()
    assert len({a.disclosure_id for a in attested}) == len(DEMO_ATTESTATIONS) == 2
    tokens = {
        email: client.post("/api/v1/auth/tokens", json={"email": email, "password": password})
        for email, password in (
            ("buyer@northwind.example", "demo-purchasing-pass"),
            ("assurer@meridian.example", "demo-assurance-pass"),
        )
    }
    assert all(response.status_code == 201 for response in tokens.values())
    buyer = {"Authorization": f"Bearer {tokens['buyer@northwind.example'].json['token']}"}
    for disclosure_id in {a.disclosure_id for a in attested}:
        sections = client.get(f"/api/v1/disclosures/{disclosure_id}/sections", headers=buyer).json
        levels = {s["section"]: s["effective_level"] for s in sections}
        assert levels["wages"] == "third_party_reasonable", levels
        version = db.session.get(Disclosure, disclosure_id)
        assert version.period_end < TODAY
    assurer = {"Authorization": f"Bearer {tokens['assurer@meridian.example'].json['token']}"}
    grants = client.get("/api/v1/assurance-grants", headers=assurer).json
    assert sorted(g["vendor_name"] for g in grants) == [
        "Lakeside Annotation Collective",
        "Mwangaza Trust & Safety",
    ]
    assert load_demo() and _count(Attestation) == len(attested)  # loading twice adds nothing


# ------------------------------------------------------------------------------ withdrawal


def _withdraw(a, attestation_id, actor="assurer", reason="Issued on the wrong version."):
    body = {} if reason is None else {"reason": reason}
    return a.call(actor, "POST", f"/api/v1/attestations/{attestation_id}/withdraw", json=body)


def _wages_points(card) -> tuple[float, list[float]]:
    """The points of the wages metrics on a scorecard, and their evidence factors."""
    lines = [line for line in card["explanation"] if line["section"] == "wages"]
    assert lines, card["explanation"]
    return sum(line["points"] for line in lines), [line["evidence_factor"] for line in lines]


def test_a_withdrawal_lowers_the_level_back_for_every_buyer_and_the_vendor(assured):
    a = assured
    readers = ("buyer_x", "buyer_y", "vendor_a")
    scorecard = f"/api/v1/vendors/{a.vendor_a.id}/scorecard"
    unattested = {actor: a.score(actor) for actor in ("buyer_x", "buyer_y")}
    a.grant()
    attestation = a.attest().json
    attested = {actor: a.api(actor, "GET", scorecard) for actor in ("buyer_x", "buyer_y")}
    for actor in readers:
        assert a.wages(actor)["effective_level"] == "third_party_reasonable", actor

    withdrawn = _withdraw(a, attestation["id"])
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json["state"], withdrawn.json["withdrawal_reason"]) == (
        "withdrawn",
        "Issued on the wrong version.",
    )
    assert withdrawn.json["withdrawn_at"]
    # the wages file alone backs the section again, for every reader; the statement stays listed
    for actor in readers:
        wages = a.wages(actor)
        assert wages["effective_level"] == "self_reported_documented", actor
        assert wages["attestation"] is None and wages["basis"] == "1 evidence file"
        assert [s["state"] for s in wages["attestations"]] == ["withdrawn"], actor
        listed = wages["attestations"][0]
        assert listed["withdrawal_reason"] == "Issued on the wrong version.", actor
        assert listed["withdrawn_on"] == withdrawn.json["withdrawn_at"][:10], actor
    # the total by hand: the default profile's factors are 1.0 for third_party_reasonable and
    # 0.7 for self_reported_documented, and the factor multiplies the normalised value
    # (n_adj = f x n), so each wages metric keeps 0.7 of its points and nothing else moves:
    # total after = total attested - 0.3 x (the wages points attested)
    for actor in ("buyer_x", "buyer_y"):
        before = attested[actor]
        wages_points, factors = _wages_points(before)
        assert set(factors) == {1.0} and wages_points > 0
        after = a.api(actor, "GET", scorecard)
        after_points, after_factors = _wages_points(after)
        assert set(after_factors) == {0.7}
        assert after_points == pytest.approx(0.7 * wages_points, abs=1e-9)
        assert after["score"]["total"] == pytest.approx(
            before["score"]["total"] - 0.3 * wages_points, abs=1e-9
        )
        # which is the total before the attestation was issued
        assert after["score"]["total"] == pytest.approx(unattested[actor], abs=1e-9)
    # withdrawn, the provider may issue the corrected statement on the same section at once
    corrected = a.attest(level="limited")
    assert corrected.status_code == 201, corrected.text
    for actor in readers:
        assert a.wages(actor)["effective_level"] == "third_party_limited", actor


def test_an_adverse_opinion_withdrawn_no_longer_lowers_the_section(assured):
    a = assured
    a.grant()
    adverse = a.attest(opinion="adverse", level="limited").json
    assert a.wages("buyer_x")["effective_level"] == "self_reported"
    withdrawn = _withdraw(a, adverse["id"], reason="The adverse finding was another vendor's.")
    assert withdrawn.status_code == 200, withdrawn.text
    for actor in ("buyer_x", "buyer_y", "vendor_a"):
        assert a.wages(actor)["effective_level"] == "self_reported_documented", actor


def test_a_withdrawal_needs_a_reason_and_happens_once(assured):
    a = assured
    a.grant()
    attestation = a.attest().json
    events = _count(AuditEvent)
    for reason in (None, "", "   ", "x" * 2001):
        refused = _withdraw(a, attestation["id"], reason=reason)
        assert refused.status_code == 422, (reason, refused.text)
        assert "reason" in refused.json["errors"], refused.json
    db.session.commit()
    assert db.session.get(Attestation, attestation["id"]).withdrawn_at is None
    assert _count(AuditEvent) == events
    assert a.wages("buyer_x")["effective_level"] == "third_party_reasonable"
    assert _withdraw(a, attestation["id"]).status_code == 200
    again = _withdraw(a, attestation["id"], reason="Another reason.")
    assert again.status_code == 409 and "withdrawn on" in again.json["message"]
    db.session.commit()
    stored = db.session.get(Attestation, attestation["id"])
    assert stored.withdrawal_reason == "Issued on the wrong version."  # the first stands
    assert stored.withdrawn_by_id == a.users["assurer"].id


def test_only_the_issuing_provider_withdraws(assured):
    a = assured
    a.grant()
    attestation = a.attest().json
    for actor, status in (
        ("other_assurer", 404),  # another provider's attestation is not visible to it
        ("vendor_a", 403),  # the one assessed may not unsay it
        ("vendor_b", 403),
        ("buyer_x", 403),
        ("operator", 403),
    ):
        assert _withdraw(a, attestation["id"], actor).status_code == status, actor
    db.session.commit()
    assert db.session.get(Attestation, attestation["id"]).withdrawn_at is None
    assert a.wages("buyer_y")["effective_level"] == "third_party_reasonable"
    # the provider's admin acts as its assurer; a missing id is not told apart
    assert _withdraw(a, 2_000_000).status_code == 404
    assert _withdraw(a, attestation["id"], "assurance_admin").status_code == 200


def test_a_withdrawal_is_audited_and_told_to_the_vendor_and_every_buyer(assured):
    a = assured
    a.grant()
    attestation = a.attest().json
    assert _withdraw(a, attestation["id"]).status_code == 200
    db.session.commit()
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attestation.withdraw")
    ).all()
    assert (event.actor_id, event.target_type, event.target_id) == (
        a.users["assurer"].id,
        "Attestation",
        str(attestation["id"]),
    )
    assert event.organization_id == a.provider.id
    assert event.changes == {
        "before": {"state": "valid", "sets_level": "third_party_reasonable"},
        "after": {"state": "withdrawn", "reason": "Issued on the wrong version."},
    }
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "attestation_withdrawn")
    ).all()
    assert {n.user_id for n in told} == {
        a.user_a.id,
        a.users["buyer_x"].id,
        a.users["buyer_y"].id,
    }
    assert all(n.subject_id == attestation["id"] for n in told)
    assert "Why: Issued on the wrong version." in told[0].title
    assert told[0].link == f"/disclosures/{a.version['id']}"


def test_a_withdrawal_refreshes_the_stored_rankings(assured):
    a = assured
    readers = [
        (a.headers[actor], a.users[actor].organization_id, None) for actor in ("buyer_x", "buyer_y")
    ]
    a.grant()
    attestation = a.attest().json
    _assert_stored_is_fresh(a.client, readers)  # stored, with the attestation counted
    lifted = a.score("buyer_x")
    db.session.commit()
    version, refreshes = data_versions(a.users["buyer_x"].organization_id)[0], _count(Job)
    assert _withdraw(a, attestation["id"]).status_code == 200
    db.session.commit()
    # one change of what every buyer's ranking reads; the period's snapshots queued again
    assert data_versions(a.users["buyer_x"].organization_id)[0] == version + 1
    assert GLOBAL == 0 and _count(Job) > refreshes
    _assert_stored_is_fresh(a.client, readers)  # served current: recomputed without it
    assert a.score("buyer_x") < lifted


def test_the_assurer_withdraws_from_its_page_and_every_page_shows_it(assured, app, sign_in):
    a = assured
    grant = a.grant()
    attestation = a.attest().json
    page = sign_in(app.test_client(), a.users["assurer"])
    shown = page.get(f"/assurance/grants/{grant['id']}")
    action = f"/assurance/attestations/{attestation['id']}/withdraw"
    assert f'action="{action}"' in shown.text and 'data-confirm="Withdraw the wages' in shown.text
    token = csrf_token_from(shown.text)
    # no reason, or too long: the same page again, 422, the error at the field, nothing withdrawn
    for reason, message in (
        ("  ", "Say why it is withdrawn"),
        ("y" * 2001, "Longer than maximum length 2000."),
    ):
        refused = page.post(
            action, data={"csrf_token": token, "grant_id": str(grant["id"]), "reason": reason}
        )
        assert refused.status_code == 422
        error_id = f"withdraw-{attestation['id']}-reason-error"
        assert f'<p class="error" id="{error_id}">{message}' in refused.text, reason[:3]
        assert "Nothing was withdrawn" in refused.text and "Attest a section" in refused.text
    assert "y" * 2001 in refused.text  # what was typed is kept
    db.session.commit()
    assert db.session.get(Attestation, attestation["id"]).withdrawn_at is None
    # from the list, a refusal comes back to the list
    listed = page.post(action, data={"csrf_token": token, "reason": ""})
    assert listed.status_code == 422 and "Attestations you issued" in listed.text
    done = page.post(
        action,
        data={"csrf_token": token, "grant_id": str(grant["id"]), "reason": "Wrong payroll file."},
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/assurance/grants/{grant['id']}#issued")
    day = TODAY.isoformat()
    for path in (f"/assurance/grants/{grant['id']}", "/assurance"):
        text = page.get(path).text
        assert f"Withdrawn on {day}" in text and "Wrong payroll file." in text, path
        assert action not in text, path  # no second withdrawal offered
    again = page.post(action, data={"csrf_token": token, "reason": "Again."})
    assert again.status_code == 302
    assert "withdrawn on" in page.get(again.headers["Location"]).text
    # the vendor's and a buyer's scorecard and disclosure pages show it withdrawn, with why
    for actor, scorecard in (
        ("vendor_a", "/scorecard"),
        ("buyer_x", f"/vendors/{a.vendor_a.id}/scorecard"),
    ):
        reader = sign_in(app.test_client(), a.users[actor])
        for path in (scorecard, f"/disclosures/{a.version['id']}"):
            text = reader.get(path).text
            assert f"withdrawn</span> on {day}" in text, (actor, path)
            assert "Why: Wrong payroll file." in text, (actor, path)


def test_a_refused_grant_is_shown_at_its_field_and_nothing_is_stored(assured, app, sign_in):
    a = assured
    page = sign_in(app.test_client(), a.user_a)
    shown = page.get(f"/disclosures/{a.version['id']}")
    token = csrf_token_from(shown.text)
    events = _count(AuditEvent)
    for chosen in ("", "abc", str(a.users["buyer_x"].organization_id)):
        refused = page.post(
            f"/disclosures/{a.version['id']}/assurance",
            data={"provider_id": chosen, "csrf_token": token},
        )
        assert refused.status_code == 422, chosen
        assert 'id="provider_id-error"' in refused.text, chosen
        assert "Choose one of the assurance providers." in refused.text
        assert 'aria-invalid="true"' in refused.text and "Independent assurance" in refused.text
    assert _count(AssuranceGrant) == 0 and _count(AuditEvent) == events
