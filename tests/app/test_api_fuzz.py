"""schemathesis against the API's own OpenAPI document, in process: every operation, with
generated parameters and bodies, sent as a buyer, a vendor, an executive and an admin, and
without credentials (which may open nothing but the token request), first with valid input, then
with input that breaks the documented schemas (which must get a documented 4xx). Each case
goes out as generated (its ids mostly name no record) and, when it names records, once more aimed
at records that exist (a scenario, a need, a profile, a disclosure with evidence, ...). Before
any generated case, each operation that generated input never carries through gets its normal
flow once: a well-formed body, aimed at a record in the state it needs (a draft to edit or submit,
a queued job to cancel, a locked user to unlock, ...). Every operation must then have answered a
2xx at least once, so its success answers are checked too. No answer may be a server error, and
every answer must be documented: its status code, its content type and its body's schema.

Its first run (against the demo) found ids past the database's integer range answering 500 and
an organization name equal but for non-ASCII case reaching the unique index (see test_errors.py).
Checking the answers against the document then found a scorecard's rank stability sent as null
where integers and numbers were documented, and 404s and 403s that five operations answered but
did not document (every operation used to document a catch-all `default`: see procure.docs).
Reaching every normal flow found the evidence upload documenting its file but not its section and
level (flask-smorest documents one of its two arguments), which hid the 409 it answers for a
version that is no longer a draft.
"""

import contextvars
import io
import re
from collections import defaultdict
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from procure.db import utcnow
from procure.docs import XLSX
from procure.extensions import db
from procure.jobs.models import Job
from procure.scoring.services import default_profile
from tests.app.test_event_bid_sheets import _sheet as bid_sheet
from tests.conftest import NEED, PDF, TEST_PASSWORD, metric_body, valid_document

EXAMPLES_PER_OPERATION = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SENT: list[str] = []  # the path of every request the fuzzer sent


@pytest.fixture
def api_schema(app):
    def isolated(environ, start_response):  # each request in its own contexts, as under a server
        SENT.append(environ["PATH_INFO"])
        return contextvars.Context().run(app, environ, start_response)

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated)


@pytest.fixture
def fuzzed(client, world, make_org, make_user, make_vendor, bearer, monkeypatch):
    """The headers of each role, the records a case's ids can be aimed at (by parameter name), and
    the request of each operation's normal flow that generated cases would not make."""
    # drawing and laying out the board report takes seconds and is tested in tests/reports:
    # stand-ins here
    monkeypatch.setattr(
        "procure.reports.board_pdf.render_board_html", lambda *args, **kwargs: "<p>Board report</p>"
    )
    monkeypatch.setattr("procure.reports.board_pdf.html_to_pdf", lambda *args, **kwargs: PDF)
    buyer = world["headers"]
    vendor, vendor_user = make_vendor("Fuzzed vendor")
    vendor_headers = bearer(vendor_user)
    disclosure = client.post(
        "/api/v1/disclosures",
        headers=vendor_headers,
        json={"vendor_id": vendor.id, **valid_document()},
    ).json
    evidence = client.post(
        f"/api/v1/disclosures/{disclosure['id']}/evidence",
        headers=vendor_headers,
        data={
            "section": "wages",
            "level": "self_reported_documented",
            "file": (io.BytesIO(PDF), "payroll.pdf"),
        },
        content_type="multipart/form-data",
    ).json
    client.post(f"/api/v1/disclosures/{disclosure['id']}/submit", headers=vendor_headers)
    # the submitted version shared with an assurance provider, whose assurer attested its wages;
    # a second grant for the revoke's normal flow (another provider), a third provider to share
    # with in the grant's normal flow
    assurance = [make_org("assurance", f"Fuzzed Assurance {n}") for n in range(3)]
    assurer = make_user("assurer", organization=assurance[0])
    assurer_headers = bearer(assurer)
    grants = [
        client.post(
            "/api/v1/assurance-grants",
            headers=vendor_headers,
            json={"disclosure_id": disclosure["id"], "provider_id": provider.id},
        ).json
        for provider in assurance[:2]
    ]
    attestation = client.post(
        "/api/v1/attestations",
        headers=assurer_headers,
        data=_attestation_fields(disclosure["id"], "wages"),
        content_type="multipart/form-data",
    ).json
    # the vendor's own table, moved to a period it has not disclosed: importing it adds a draft
    table = client.get("/api/v1/disclosures/export?format=csv", headers=vendor_headers).data
    assert table.count(b"2025-01-01,2025-12-31") == 1, table
    table = table.replace(b"2025-01-01,2025-12-31", b"2021-01-01,2021-12-31")
    profile = client.post(
        "/api/v1/scoring-profiles",
        headers=buyer,
        json={"name": "Fuzzed", "settings": default_profile().to_dict()},
    ).json
    metric = client.post("/api/v1/metrics", headers=buyer, json=metric_body("fuzzed_metric")).json
    scenarios = [
        client.post(
            "/api/v1/scenarios",
            headers=buyer,
            json={"name": name, "need_ids": [world["need"]["id"]], "profile_id": profile["id"]},
        ).json
        for name in ("Plan", "Other plan", "Plan to edit")
    ]
    report = client.post(
        f"/api/v1/scenarios/{scenarios[0]['id']}/report", headers=buyer
    ).json  # a job with a file
    spare = bearer(world["buyer"])  # a token the fuzzer may revoke
    token_id = max(t["id"] for t in client.get("/api/v1/auth/tokens", headers=spare).json)
    # the buyer was told of the vendor's submitted disclosure: a notification to mark read
    notification_id = client.get("/api/v1/notifications", headers=buyer).json["items"][0]["id"]
    # pending invitations: one for generated cases, one for the revoke's normal flow
    invitations = [
        client.post(
            "/api/v1/invitations", headers=buyer, json={"email": f"{n}@vendor.example"}
        ).json
        for n in ("fuzzed", "revoked")
    ]
    # a campaign asking the vendor (the generated cases read it, remind and export it)
    campaign = client.post(
        "/api/v1/campaigns",
        headers=buyer,
        json={"year": 2026, "deadline": "2999-12-31", "vendor_ids": [vendor.id]},
    ).json
    executive = bearer(make_user("executive", organization=world["buyer"].organization))
    events = _sourcing_events(
        client, buyer, executive, vendor_headers, world["need"]["id"], vendor.id
    )
    deliveries = _deliveries(client, buyer, executive, world["need"]["id"])
    coalitions = _coalitions(client, make_org, make_user, bearer, world["buyer"].organization)
    # corrective action plans of the buyer on the vendor: one for generated cases, one to close
    plans = [
        client.post(
            "/api/v1/corrective-plans",
            headers=buyer,
            json={**CORRECTIVE_PLAN, "vendor_id": vendor.id},
        ).json["id"]
        for _ in range(2)
    ]
    known = {
        "coalition_id": coalitions["known"],
        "target_id": coalitions["target"],
        "event_id": events["known"]["id"],
        "bid_id": events["bid"],
        "vendor_id": vendor.id,
        "offer_id": vendor.offers[0].id,
        "disclosure_id": disclosure["id"],
        "section": "wages",  # the disclosure's section with a file: a buyer may verify it
        "evidence_id": evidence["id"],
        "profile_id": profile["id"],
        "profile": profile["id"],
        "metric_id": metric["id"],
        "need_id": world["need"]["id"],
        "scenario_id": scenarios[0]["id"],
        "ids": [s["id"] for s in scenarios[:2]],
        "job_id": report["id"],
        "token_id": token_id,
        "invitation_id": invitations[0]["id"],
        "campaign_id": campaign["id"],
        "notification_id": notification_id,
        "organization_id": world["buyer"].organization_id,
        # a colleague no role signs in as: cases may reset its password (which revokes its tokens)
        "user_id": make_user("buyer", organization=world["buyer"].organization).id,
        "rate_id": _seeded_rate_ids()[0],
        "category_id": _seo_category_id(),
        "grant_id": grants[0]["id"],
        "attestation_id": attestation["id"],
        "delivery_id": deliveries["correct"],
        "plan_id": plans[0],
    }
    assert all(value for value in known.values()), known
    organization = world["buyer"].organization
    roles = {
        "anonymous": {},
        "buyer": buyer,
        "vendor": vendor_headers,
        "executive": bearer(make_user("executive", organization=organization)),
        "admin": bearer(make_user("admin", organization=organization)),
        "operator": bearer(make_user("operator")),
        "assurer": assurer_headers,
        "coordinator": coalitions["headers"],
    }
    # records in the state one operation's normal flow needs, each its own: that flow uses them up
    # (a submit, a cancel, an unlock) or changes them (an edit makes a solved scenario a draft
    # again)
    drafts = {
        year: client.post(
            "/api/v1/disclosures",
            headers=vendor_headers,
            json={"vendor_id": vendor.id, **valid_document(f"{year}-01-01", f"{year}-12-31")},
        ).json
        for year in (2022, 2023, 2024)
    }
    locked = make_user(
        "buyer", organization=organization
    )  # as ten wrong passwords in a row leave it
    locked.failed_sign_ins, locked.locked_at = 10, utcnow()
    jobs = {
        status: Job(
            kind="report.board_pdf",
            organization_id=organization.id,
            created_by_id=world["buyer"].id,
            subject_type="Scenario",
            subject_id=scenarios[0]["id"],
            status=status,
        )
        for status in ("queued", "failed")
    }
    db.session.add_all(jobs.values())
    db.session.commit()
    own = {
        "PATCH /api/v1/disclosures/{disclosure_id}": {"disclosure_id": drafts[2022]["id"]},
        "POST /api/v1/disclosures/{disclosure_id}/submit": {"disclosure_id": drafts[2023]["id"]},
        "POST /api/v1/disclosures/{disclosure_id}/evidence": {"disclosure_id": drafts[2024]["id"]},
        "PATCH /api/v1/scenarios/{scenario_id}": {"scenario_id": scenarios[2]["id"]},
        "POST /api/v1/jobs/{job_id}/cancel": {"job_id": jobs["queued"].id},
        "POST /api/v1/jobs/{job_id}/retry": {"job_id": jobs["failed"].id},
        "POST /api/v1/users/{user_id}/unlock": {"user_id": locked.id},
        "POST /api/v1/invitations/{invitation_id}/revoke": {"invitation_id": invitations[1]["id"]},
        "DELETE /api/v1/exchange-rates/{rate_id}": {"rate_id": _seeded_rate_ids()[1]},
        # before any generated DELETE may remove the rate the cases are aimed at
        "GET /api/v1/exchange-rates/{rate_id}": {"rate_id": known["rate_id"]},
        "POST /api/v1/assurance-grants/{grant_id}/revoke": {"grant_id": grants[1]["id"]},
        # before any generated revoke may end the assurer's reading of the known grant
        "GET /api/v1/assurance-grants/{grant_id}": {"grant_id": known["grant_id"]},
        "GET /api/v1/assurance-grants/{grant_id}/version": {"grant_id": known["grant_id"]},
        "GET /api/v1/assurance-grants/{grant_id}/evidence/{evidence_id}": {
            "grant_id": known["grant_id"],
            "evidence_id": known["evidence_id"],
        },
        "POST /api/v1/events/{event_id}/publish": {"event_id": events["draft"]["id"]},
        "POST /api/v1/events/{event_id}/extend": {"event_id": events["extend"]["id"]},
        "POST /api/v1/events/{event_id}/close": {"event_id": events["unsealed"]["id"]},
        "POST /api/v1/events/{event_id}/cancel": {"event_id": events["cancel"]["id"]},
        "POST /api/v1/events/{event_id}/bids": {"event_id": events["bid_on"]["id"]},
        "PUT /api/v1/bids/{bid_id}": {"bid_id": events["amend"]},
        "POST /api/v1/bids/{bid_id}/withdraw": {"bid_id": events["withdraw"]},
        "POST /api/v1/events/{event_id}/bid-sheet": {"event_id": events["sheet"]["id"]},
        # the known event is not awarded (its award workbook: 409)
        "GET /api/v1/events/{event_id}/award.xlsx": {"event_id": events["awarded"]},
        # coalitions: one each that invited the buyer's organization to accept, to decline, one
        # it joined to leave, one to edit, one that invited nobody yet
        **{
            f"POST /api/v1/coalitions/{{coalition_id}}/membership/{verb}": {
                "coalition_id": coalitions[verb]
            }
            for verb in ("accept", "decline", "leave")
        },
        "PATCH /api/v1/coalitions/{coalition_id}": {"coalition_id": coalitions["edit"]},
        "POST /api/v1/coalitions/{coalition_id}/members": {"coalition_id": coalitions["empty"]},
        **{
            f"{method} /api/v1/coalitions/{{coalition_id}}/metrics/{{metric_id}}": {
                "coalition_id": coalitions["known"],
                "metric_id": coalitions[name],
            }
            for method, name in (("PUT", "metric"), ("DELETE", "metric_gone"))
        },
        # the deliveries of an approved plan (the known scenario is only solved: 409)
        "GET /api/v1/scenarios/{scenario_id}/deliveries": {"scenario_id": deliveries["scenario"]},
        "POST /api/v1/scenarios/{scenario_id}/deliveries": {"scenario_id": deliveries["scenario"]},
        "POST /api/v1/scenarios/{scenario_id}/deliveries/import": {
            "scenario_id": deliveries["scenario"]
        },
        "GET /api/v1/scenarios/{scenario_id}/actuals": {"scenario_id": deliveries["scenario"]},
        "PUT /api/v1/scenarios/{scenario_id}/deliveries/{delivery_id}": {
            "scenario_id": deliveries["scenario"],
            "delivery_id": deliveries["correct"],
        },
        "DELETE /api/v1/scenarios/{scenario_id}/deliveries/{delivery_id}": {
            "scenario_id": deliveries["scenario"],
            "delivery_id": deliveries["remove"],
        },
        "POST /api/v1/corrective-plans/{plan_id}/close": {"plan_id": plans[1]},
    }
    versions = {
        name: client.get(path, headers=buyer).json["version"]
        for name, path in (
            ("vendor", f"/api/v1/vendors/{vendor.id}"),
            ("offer", f"/api/v1/offers/{known['offer_id']}"),
            ("need", f"/api/v1/needs/{known['need_id']}"),
            ("scenario", f"/api/v1/scenarios/{scenarios[2]['id']}"),
            ("rate", f"/api/v1/exchange-rates/{known['rate_id']}"),
            ("category", f"/api/v1/service-categories/{known['category_id']}"),
            ("campaign", f"/api/v1/campaigns/{known['campaign_id']}"),
        )
    }
    versions["draft"] = drafts[2022]["edit_version"]
    flows = _normal_flows(known, own, versions, table, world["buyer"])
    flows["POST /api/v1/assurance-grants"] = {
        "body": {"disclosure_id": disclosure["id"], "provider_id": assurance[2].id},
        "media_type": "application/json",
    }
    flows["POST /api/v1/attestations"] = _multipart(
        _attestation_fields(disclosure["id"], "training")
        | {"file": FileStorage(io.BytesIO(PDF), "statement.pdf", content_type="application/pdf")}
    )
    flows["POST /api/v1/attestations/{attestation_id}/withdraw"] = {
        "body": {"reason": "Issued in error."},
        "media_type": "application/json",
        "path_parameters": known,
    }
    bid = {"price": 8, "currency": "USD", "unit": "hour", "capacity": 500}
    bid["valid_until"] = "2999-06-30"
    flows.update(
        {
            label: {"body": body, "media_type": "application/json"}
            | {"path_parameters": own.get(label, known)}
            for label, body in {
                "POST /api/v1/events": {
                    "title": "Well formed",
                    "need_ids": [known["need_id"]],
                    "vendor_ids": [vendor.id],
                    "deadline": "2999-01-01T00:00:00Z",
                },
                "POST /api/v1/events/{event_id}/publish": {"version": 1},
                "POST /api/v1/events/{event_id}/extend": {
                    "version": 2,
                    "deadline": "2999-06-01T00:00:00Z",
                },
                "POST /api/v1/events/{event_id}/close": {"version": 2},
                "POST /api/v1/events/{event_id}/cancel": {"version": 2},
                "POST /api/v1/events/{event_id}/bids": {
                    **bid,
                    "lot_id": events["bid_on"]["lots"][0]["id"],
                },
                "PUT /api/v1/bids/{bid_id}": {**bid, "version": 1},
                "POST /api/v1/bids/{bid_id}/withdraw": {"version": 1},
                "POST /api/v1/events/{event_id}/invitations": {
                    "email": "fuzz.invited@example.test",
                    "company_name": "Fuzz Co",
                },
                "POST /api/v1/coalitions": COALITION,
                "PATCH /api/v1/coalitions/{coalition_id}": {**COALITION, "version": 1},
                "POST /api/v1/coalitions/{coalition_id}/members": {
                    "organization_id": world["buyer"].organization_id
                },
                "POST /api/v1/coalitions/{coalition_id}/targets": COALITION_TARGET,
                "PATCH /api/v1/coalitions/{coalition_id}/targets/{target_id}": {
                    **COALITION_TARGET,
                    "version": 1,
                },
                "POST /api/v1/coalitions/{coalition_id}/posts": {"text": "Well formed"},
                "PUT /api/v1/coalitions/{coalition_id}/membership/sharing": {
                    "shares_contribution": True
                },
                "POST /api/v1/coalitions/{coalition_id}/metrics": metric_body("fuzz_added"),
                "PUT /api/v1/coalitions/{coalition_id}/metrics/{metric_id}": metric_body(
                    "fuzz_coalition_metric", label="Changed"
                ),
                "PUT /api/v1/coalitions/{coalition_id}/profile": {
                    "settings": default_profile().to_dict()
                },
                "PUT /api/v1/coalitions/{coalition_id}/membership/profile": {"uses_profile": True},
                "POST /api/v1/scenarios/{scenario_id}/deliveries": {
                    "vendor_id": deliveries["vendor_id"],
                    "month": "2026-03",
                    "delivered_volume": 10,
                    "invoiced_amount": 80,
                },
                "PUT /api/v1/scenarios/{scenario_id}/deliveries/{delivery_id}": {
                    "delivered_volume": 11,
                    "invoiced_amount": 88,
                    "version": 1,
                },
                "POST /api/v1/corrective-plans": {**CORRECTIVE_PLAN, "vendor_id": vendor.id},
                "POST /api/v1/corrective-plans/{plan_id}/answers": {
                    "actions": [{"text": "Well formed", "on": "2999-01-01"}]
                },
                "POST /api/v1/corrective-plans/{plan_id}/close": {"version": 1, "outcome": "met"},
            }.items()
        }
    )
    erp = "vendor_id,month,delivered_volume,invoiced_amount\n"
    erp += f"{deliveries['vendor_id']},2026-04,9,72\n"
    flows["POST /api/v1/scenarios/{scenario_id}/deliveries/import"] = _multipart(
        {"file": FileStorage(io.BytesIO(erp.encode()), "erp.csv", content_type="text/csv")}
    ) | {"path_parameters": own["POST /api/v1/scenarios/{scenario_id}/deliveries/import"]}
    # the vendor's bid sheet of its event, downloaded and filled in as a vendor would
    sheet = bid_sheet(client, vendor_headers, events["sheet"]["id"])
    for column, value in zip("FGHIJ", (8, "USD", 1, 500, "2999-06-30"), strict=True):
        sheet["Bids"][f"{column}2"] = value
    filled = io.BytesIO()
    sheet.save(filled)
    flows["POST /api/v1/events/{event_id}/bid-sheet"] = _multipart(
        {"file": FileStorage(io.BytesIO(filled.getvalue()), "bids.xlsx", content_type=XLSX)}
    ) | {"path_parameters": own["POST /api/v1/events/{event_id}/bid-sheet"]}
    # creating a profile takes a vendor organization that has none: sent as one more role
    flows["POST /api/v1/vendors"]["also_as"] = {
        "vendor without a profile": bearer(make_user("vendor"))
    }
    return roles, known, flows


# the vendor's impact-worker share is 55 / 115 (0.478): a target of 0.99 is not met yet
CORRECTIVE_PLAN = {"metric": "impact_worker_share", "target": 0.99, "due_on": "2999-01-01"}
COALITION = {
    "name": "Fuzzed coalition",
    "charter": "Together.",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
}
COALITION_TARGET = {
    "measure": "impact_worker_jobs",
    "value": 10,
    "label": "Fuzzed target",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
}


def _coalitions(client, make_org, make_user, bearer, organization) -> dict:
    """A backbone's coordinator (its headers) and its coalitions: one the buyer's organization
    joined, with a target (the known ones); one each inviting it, to accept and to decline; one
    it joined, to leave; one to edit; one that invited nobody."""
    headers = bearer(make_user("coordinator", organization=make_org("backbone", "Fuzz Backbone")))
    executive = bearer(make_user("executive", organization=organization))

    def coalition(invite=False, join=False) -> int:
        made = client.post("/api/v1/coalitions", headers=headers, json=COALITION).json["id"]
        if invite:
            client.post(
                f"/api/v1/coalitions/{made}/members",
                headers=headers,
                json={"organization_id": organization.id},
            )
        if join:
            client.post(f"/api/v1/coalitions/{made}/membership/accept", headers=executive)
        return made

    found = {"headers": headers, "known": coalition(invite=True, join=True)}
    found["target"] = client.post(
        f"/api/v1/coalitions/{found['known']}/targets", headers=headers, json=COALITION_TARGET
    ).json["id"]
    found |= {"accept": coalition(invite=True), "decline": coalition(invite=True)}
    found |= {"leave": coalition(invite=True, join=True), "edit": coalition()}
    found["empty"] = coalition()
    # the known coalition's metrics: one to change, one to remove
    found |= {
        name: client.post(
            f"/api/v1/coalitions/{found['known']}/metrics",
            headers=headers,
            json=metric_body(f"fuzz_coalition_{name}"),
        ).json["id"]
        for name in ("metric", "metric_gone")
    }
    return found


def _sourcing_events(client, buyer, executive, vendor_headers, need_id, vendor_id) -> dict:
    """Events of the buyer inviting the vendor (deadline 1 January 2999): a draft, published
    ones (one for generated cases, with the vendor's bid; one each to extend, cancel, bid on and
    upload a bid sheet to; an unsealed one to close), bids of the vendor's to amend and to
    withdraw, and the id
    of an awarded one (unsealed, closed early on the vendor's bid for all of a need of its own, its
    award scenario approved)."""

    def event(publish=True, **changes):
        body = {
            "title": "Fuzzed event",
            "need_ids": [need_id],
            "vendor_ids": [vendor_id],
            "deadline": "2999-01-01T00:00:00Z",
            **changes,
        }
        made = client.post("/api/v1/events", headers=buyer, json=body).json
        if publish:
            path = f"/api/v1/events/{made['id']}/publish"
            made = client.post(path, headers=buyer, json={"version": 1}).json
        return made

    def bid_on(made, capacity=100):
        body = {
            "lot_id": made["lots"][0]["id"],
            "price": 9,
            "currency": "USD",
            "unit": "hour",
            "capacity": capacity,
            "valid_until": "2999-06-30",
        }
        path = f"/api/v1/events/{made['id']}/bids"
        return client.post(path, headers=vendor_headers, json=body).json["id"]

    found = {"draft": event(publish=False), "known": event(), "unsealed": event(sealed=False)}
    names = ("extend", "cancel", "bid_on", "to_amend", "to_withdraw", "sheet")
    found |= {name: event() for name in names}
    found["bid"] = bid_on(found["known"])
    found["amend"] = bid_on(found["to_amend"])
    found["withdraw"] = bid_on(found["to_withdraw"])
    # of a need the vendor may take whole (the world's need gives no vendor more than 80%)
    whole = {key: value for key, value in NEED.items() if key != "max_vendor_share"}
    whole_id = client.post("/api/v1/needs", headers=buyer, json=whole).json["id"]
    awarded = event(sealed=False, need_ids=[whole_id])
    bid_on(awarded, capacity=1000)
    path = f"/api/v1/events/{awarded['id']}/close"
    closed = client.post(path, headers=buyer, json={"version": awarded["version"]})
    assert closed.status_code == 200, closed.json
    body = {"name": "Award", "need_ids": [whole_id], "event_id": awarded["id"]}
    _approved_scenario(client, buyer, executive, body)
    found["awarded"] = awarded["id"]
    return found


def _deliveries(client, buyer, executive, need_id) -> dict:
    """An approved plan of the buyer's need with two deliveries of its first vendor (January and
    February 2026): one to correct, one to remove."""
    plan = _approved_scenario(
        client, buyer, executive, {"name": "Approved plan", "need_ids": [need_id]}
    )
    result = client.get(f"/api/v1/scenarios/{plan['id']}/result.json", headers=buyer).json
    vendor_id = int(result["allocations"][0]["vendor"][1:])
    rows = [
        client.post(
            f"/api/v1/scenarios/{plan['id']}/deliveries",
            headers=buyer,
            json={
                "vendor_id": vendor_id,
                "month": month,
                "delivered_volume": 10,
                "invoiced_amount": 80,
            },
        ).json
        for month in ("2026-01", "2026-02")
    ]
    return {
        "scenario": plan["id"],
        "vendor_id": vendor_id,
        "correct": rows[0]["id"],
        "remove": rows[1]["id"],
    }


def _approved_scenario(client, buyer, executive, body) -> dict:
    """A scenario the buyer made (`body`) and submitted, approved by the executive."""
    plan = client.post("/api/v1/scenarios", headers=buyer, json=body).json
    client.post(f"/api/v1/scenarios/{plan['id']}/submit", headers=buyer)
    decided = client.post(
        f"/api/v1/scenarios/{plan['id']}/decision",
        headers=executive,
        json={"decision": "approved"},
    )
    assert decided.json["status"] == "approved", decided.json
    return plan


def _attestation_fields(disclosure_id: int, section: str) -> dict:
    """A well-formed attestation of one section (with its statement as a test client sends it)."""
    return {
        "disclosure_id": str(disclosure_id),
        "section": section,
        "standard": "ISAE 3000 (Revised)",
        "level": "reasonable",
        "opinion": "unqualified",
        "issued_on": date.today().isoformat(),
        "expires_on": "2999-01-01",
        "file": (io.BytesIO(PDF), "statement.pdf"),
    }


def _seeded_rate_ids() -> list[int]:
    """Ids of seeded exchange rates (KES has four): one to aim at, one to remove."""
    from procure.rates.models import ExchangeRate

    return db.session.scalars(
        select(ExchangeRate.id)
        .where(ExchangeRate.currency == "KES")
        .order_by(ExchangeRate.effective_date)
    ).all()


def _seo_category_id() -> int:
    """A seeded service category no offer or need of the fuzzed world uses."""
    from procure.vendors.categories import ServiceCategory

    return db.session.scalars(select(ServiceCategory.id).where(ServiceCategory.key == "seo")).one()


def _multipart(fields: dict) -> dict:
    """Case arguments for a multipart body whose files keep their names (schemathesis would name a
    file after its field, and an import is read by its extension)."""
    boundary, body = encode_multipart(fields)
    return {
        "body": body,
        "media_type": "multipart/form-data",
        "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    }


def _normal_flows(known, own, versions, table, buyer) -> dict[str, dict]:
    """For each operation whose generated cases never reach its normal flow, the request that does
    (by operation), as Case arguments: a well-formed body (edits send the `versions` of the records
    they edit), aimed at the operation's `own` records, else at the `known` ones."""
    bodies = {
        "POST /api/v1/auth/tokens": {"email": buyer.email, "password": TEST_PASSWORD},
        "POST /api/v1/users/{user_id}/password": {"password": "a new unusual passphrase 43"},
        "POST /api/v1/users": {
            "organization_id": buyer.organization_id,
            "email": "new.buyer@example.test",
            "name": "New Buyer",
            "role": "buyer",
            "password": "a long unusual passphrase 42",
        },
        "POST /api/v1/vendors": {
            "name": "Profiled later",
            "country": "KE",
            "service_categories": ["data_annotation"],
            "sites": [{"name": "Kisumu", "city": "Kisumu", "country": "KE"}],
        },
        "PATCH /api/v1/vendors/{vendor_id}": {
            "description": "Annotation with impact hiring",
            "version": versions["vendor"],
        },
        "POST /api/v1/vendors/{vendor_id}/offers": {
            "service_category": "data_annotation",
            "unit": "hour",
            "price": 9,
            "currency": "USD",
            "capacity_per_period": 500,
            "quality": 0.9,
        },
        "PATCH /api/v1/offers/{offer_id}": {"price": 8.5, "version": versions["offer"]},
        "POST /api/v1/disclosures": {
            "vendor_id": known["vendor_id"],
            **valid_document("2026-01-01", "2026-12-31"),
        },
        "PATCH /api/v1/disclosures/{disclosure_id}": {
            "training": {**valid_document()["training"], "employees_trained": 96},
            "edit_version": versions["draft"],
        },
        "POST /api/v1/disclosures/{disclosure_id}/sections/{section}/review": {
            "decision": "verified",
            "comment": "Payroll checked",
        },
        "POST /api/v1/scoring-profiles": {
            "name": "Well formed",
            "settings": default_profile().to_dict(),
        },
        "PATCH /api/v1/scoring-profiles/{profile_id}": {"settings": default_profile().to_dict()},
        "POST /api/v1/metrics": {
            "key": "well_formed",
            "label": "Well formed",
            "formula": "promotions_impact_workers / impact_workers_end",
            "unit": "ratio",
            "direction": "higher",
            "goalposts": [0, 1],
            "section": "workforce",
            "source": "test",
        },
        "POST /api/v1/organizations": {
            "name": "Well Formed BPO",
            "kind": "vendor",
            "admin_email": "first.admin@example.test",
            "admin_name": "First Admin",
            "admin_password": "a long unusual passphrase 44",
        },
        "POST /api/v1/invitations": {"email": "invitee@vendor.example", "message": "Welcome"},
        "POST /api/v1/campaigns": {
            "year": 2026,
            "deadline": "2999-12-31",
            "vendor_ids": [known["vendor_id"]],
            "emails": ["asked@vendor.example"],
        },
        "PATCH /api/v1/campaigns/{campaign_id}": {
            "message": "Well formed",
            "version": versions["campaign"],
        },
        "POST /api/v1/campaigns/{campaign_id}/vendors": {"emails": ["more@vendor.example"]},
        "POST /api/v1/exchange-rates": {
            "currency": "CAD",
            "effective_date": "2026-01-01",
            "usd_per_unit": 0.73,
            "source": "Bank of Canada",
        },
        "PATCH /api/v1/exchange-rates/{rate_id}": {
            "usd_per_unit": 0.0078,
            "version": versions["rate"],
        },
        "POST /api/v1/service-categories": {
            "key": "well_formed_work",
            "label": "Well formed work",
            "unit": "task",
        },
        "PATCH /api/v1/service-categories/{category_id}": {
            "label": "Search engine optimisation",
            "version": versions["category"],
        },
        "POST /api/v1/needs": NEED,
        "PATCH /api/v1/needs/{need_id}": {"budget_usd": 25000, "version": versions["need"]},
        "POST /api/v1/scenarios": {"name": "Well formed", "need_ids": [known["need_id"]]},
        "PATCH /api/v1/scenarios/{scenario_id}": {
            "name": "Plan, edited",
            "version": versions["scenario"],
        },
    }
    flows = {
        label: {"body": body, "media_type": "application/json"} for label, body in bodies.items()
    }
    flows["POST /api/v1/disclosures/{disclosure_id}/evidence"] = _multipart(
        {
            "section": "wages",
            "level": "self_reported_documented",
            "file": FileStorage(io.BytesIO(PDF), "payslips.pdf", content_type="application/pdf"),
        }
    )
    flows["POST /api/v1/disclosures/import"] = _multipart(
        {"file": FileStorage(io.BytesIO(table), "disclosures.csv", content_type="text/csv")}
    )
    for label in own:  # the rest need no body, only a record in the right state
        flows.setdefault(label, {})
    for label, flow in flows.items():
        flow["path_parameters"] = {
            name: own.get(label, known)[name] for name in re.findall(r"{(\w+)}", label)
        }
    return flows


DEEP_JSON = b"[" * 5000 + b"]" * 5000  # past the guard's depth limit and Python's recursion


def _with_nul(value):
    """`value` with a NUL at the end of every key and text."""
    if isinstance(value, str):
        return value + "\x00"
    if isinstance(value, dict):
        return {_with_nul(key): _with_nul(nested) for key, nested in value.items()}
    if isinstance(value, list):
        return [_with_nul(nested) for nested in value]
    return value


def _hostile_cases(operation, flow, known) -> list[dict]:
    """Case arguments no documented schema generates: a NUL in every query parameter, in every
    text of a JSON body (the normal flow's, else a small one), JSON nested 5,000 deep, and an
    object in place of each value of the normal flow's body."""
    path = {name: known.get(name, 1) for name in re.findall(r"{(\w+)}", operation.label)}
    cases = []
    names = [parameter.name for parameter in operation.query]
    if names:
        cases.append({"path_parameters": path, "query": {name: "a\x00" for name in names}})
    if any(body.media_type == "application/json" for body in operation.body):
        sent = (flow or {}).get("body")
        body = (
            sent
            if isinstance(sent, dict) and flow.get("media_type") == "application/json"
            else None
        )
        json_cases = [_with_nul(body or {"name": "a"}), DEEP_JSON]
        if body:
            json_cases.append({key: {"an": {"object": 1}} for key in body})
        cases += [
            {"path_parameters": path, "body": case, "media_type": "application/json"}
            for case in json_cases
        ]
    return cases


def _aimed_at_records(case, known) -> bool:
    """Point the case's path and query ids at existing records; False when it names none."""
    aimed = False
    for location in ("path_parameters", "query"):
        values = getattr(case, location)
        if values and set(values) & set(known):
            setattr(
                case,
                location,
                {**values, **{name: known[name] for name in values if name in known}},
            )
            aimed = True
    return aimed


def test_every_answer_is_documented_and_none_is_a_server_error(api_schema, fuzzed, record_property):
    # driven by hand: schemathesis' pytest decorator does not run under pytest 9
    roles, known, flows = fuzzed
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 60
    assert set(flows) <= {operation.label for operation in operations}, set(flows)
    failures: dict[str, set[str]] = defaultdict(set)  # "operation as role" -> what failed
    answered: dict[str, set[int]] = defaultdict(set)  # operation -> the statuses it answered
    anonymous_got: set[str] = set()  # operations that answered a 2xx without credentials

    def send(case, also_as=None) -> set[int]:
        statuses = set()
        for role, headers in {**roles, **(also_as or {})}.items():
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            answered[case.operation.label].add(response.status_code)
            if role == "anonymous" and 200 <= response.status_code < 300:
                anonymous_got.add(case.operation.label)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    failures[f"{case.operation.label} as {role}"].add(
                        f"{failure.title}: {failure.message}"
                    )
        return statuses

    SENT.clear()
    # first the normal flows, each on records no generated case has changed yet
    for operation in operations:
        if operation.label in flows:
            flow = dict(flows[operation.label])
            also_as = flow.pop("also_as", None)
            send(operation.Case(**flow), also_as)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):  # valid input, then invalid

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def fuzz(case):
                send(case)
                if _aimed_at_records(case, known):
                    send(case)

            fuzz()
    # then what no schema describes (issue #19): a NUL, deep JSON, an object for a value; each a
    # documented 4xx for every role, never a success
    hostile: dict[str, set[int]] = defaultdict(set)
    for operation in operations:
        for arguments in _hostile_cases(operation, flows.get(operation.label), known):
            hostile[operation.label] |= send(operation.Case(**arguments))
    assert len(hostile) >= 40, sorted(hostile)
    assert all(400 <= s < 500 for statuses in hostile.values() for s in statuses), {
        label: sorted(statuses) for label, statuses in hostile.items()
    }
    record_property("requests", len(SENT))  # the run's size, in the junit report (--junitxml)
    assert len(SENT) >= 5 * len(
        operations
    )  # every operation, as every role and without credentials
    assert anonymous_got <= {"POST /api/v1/auth/tokens"}, (
        anonymous_got
    )  # signing in is the only open door
    succeeded = {
        label for label, statuses in answered.items() if any(200 <= s < 300 for s in statuses)
    }
    # every operation answered its normal flow at least once, so its success documents were checked
    # too
    assert succeeded == {operation.label for operation in operations}, {
        label: sorted(statuses) for label, statuses in answered.items() if label not in succeeded
    }
    assert not failures, "\n\n".join(
        f"{where}:\n" + "\n".join(sorted(what)) for where, what in sorted(failures.items())
    )
