"""The access matrix: every route of the URL map, pages and API, for every actor.

Each route lists the outcome for: anonymous, the owning vendor A, another vendor B, a buyer,
an executive and an admin. `ok` means the access layer let the request through (the handler
may still answer 2xx, 3xx, 409 or 422 for the empty body sent); `404` means the record is
hidden; `403` the role is refused; `anon` that sign-in is required (401 on the API, a redirect
to the sign-in page for pages). A route missing from the table fails the test.
"""

import io

import pytest

from procure.access import route_rules
from tests.conftest import valid_document

PDF = b"%PDF-1.4\n%%EOF\n"
ACTORS = ("anonymous", "vendor_a", "vendor_b", "buyer", "executive", "admin")


def row(anonymous, vendor_a, vendor_b, buyer, executive, admin):
    return dict(zip(ACTORS, (anonymous, vendor_a, vendor_b, buyer, executive, admin)))


# path (with {vendor}, {offer}, {draft}, {submitted}, {evidence}), method -> outcome per actor
MATRIX = {
    ("/api/v1/vendors", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/vendors", "POST"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/api/v1/vendors/{vendor}", "GET"): row("anon", "ok", "404", "ok", "ok", "ok"),
    ("/api/v1/vendors/{vendor}", "PATCH"): row("anon", "ok", "404", "403", "403", "403"),
    ("/api/v1/vendors/{vendor}/offers", "GET"): row("anon", "ok", "404", "ok", "ok", "ok"),
    ("/api/v1/vendors/{vendor}/offers", "POST"): row("anon", "ok", "404", "403", "403", "403"),
    ("/api/v1/offers/{offer}", "GET"): row("anon", "ok", "404", "ok", "ok", "ok"),
    ("/api/v1/offers/{offer}", "PATCH"): row("anon", "ok", "404", "403", "403", "403"),
    ("/api/v1/disclosures", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/disclosures", "POST"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/api/v1/disclosures/{draft}", "GET"): row("anon", "ok", "404", "404", "404", "ok"),
    ("/api/v1/disclosures/{submitted}", "GET"): row("anon", "ok", "404", "ok", "ok", "ok"),
    ("/api/v1/disclosures/{draft}", "PATCH"): row("anon", "ok", "404", "403", "403", "403"),
    ("/api/v1/disclosures/{draft}/submit", "POST"): row("anon", "ok", "404", "403", "403", "403"),
    ("/api/v1/disclosures/{submitted}/review", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/disclosures/{submitted}/amend", "POST"): row("anon", "ok", "404", "403", "403", "403"),
    ("/api/v1/disclosures/{submitted}/versions", "GET"): row("anon", "ok", "404", "ok", "ok", "ok"),
    ("/api/v1/disclosures/{draft}/evidence", "GET"): row("anon", "ok", "404", "404", "403", "403"),
    ("/api/v1/disclosures/{draft}/evidence", "POST"): row("anon", "ok", "404", "403", "403", "403"),
    ("/api/v1/evidence/{evidence}", "GET"): row("anon", "ok", "404", "ok", "403", "403"),
    ("/api/v1/evidence/{evidence}/download", "GET"): row("anon", "ok", "404", "ok", "403", "403"),
    ("/api/v1/disclosures/export", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/disclosures/import", "POST"): row("anon", "ok", "ok", "403", "403", "ok"),
    ("/vendor/profile", "GET"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/vendor/profile", "POST"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/vendor/offers", "GET"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/vendor/offers", "POST"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/vendor/offers/{offer}", "POST"): row("anon", "ok", "404", "403", "403", "403"),
    ("/vendors", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/vendors/{vendor}", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/vendor/disclosures", "GET"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/vendor/disclosures", "POST"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/disclosures/{draft}", "GET"): row("anon", "ok", "404", "404", "404", "ok"),
    ("/disclosures/{submitted}", "GET"): row("anon", "ok", "404", "ok", "ok", "ok"),
    ("/disclosures/{draft}", "POST"): row("anon", "ok", "404", "404", "404", "403"),
    ("/disclosures/{submitted}/amend", "POST"): row("anon", "ok", "404", "403", "403", "403"),
    ("/disclosures/{submitted}/review", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/disclosures/{draft}/evidence", "POST"): row("anon", "ok", "404", "403", "403", "403"),
    ("/reviews", "GET"): row("anon", "403", "403", "ok", "403", "403"),
    ("/disclosures/table", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/disclosures/table", "POST"): row("anon", "ok", "ok", "403", "403", "ok"),
    ("/disclosures/table/export.{fmt}", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    # scoring: the profile belongs to the buyer's organization (the executive and admin are of others)
    ("/api/v1/scoring-profiles", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/api/v1/scoring-profiles", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/scoring-profiles/{profile}", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/api/v1/scoring-profiles/{profile}", "PATCH"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/scoring-profiles/{profile}/versions", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/api/v1/scores", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/api/v1/vendors/{vendor}/scorecard", "GET"): row("anon", "ok", "404", "ok", "ok", "ok"),
    ("/api/v1/vendors/{vendor}/what-if", "POST"): row("anon", "ok", "404", "ok", "ok", "ok"),
    ("/scores", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/scorecard", "GET"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/scorecard", "POST"): row("anon", "ok", "ok", "403", "403", "403"),
    ("/vendors/{vendor}/scorecard", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/vendors/{vendor}/scorecard", "POST"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/profiles", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/profiles", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/profiles/preview", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    # custom metrics: the buyer organization's own (admins of another organization see none)
    ("/api/v1/metrics", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/api/v1/metrics", "POST"): row("anon", "403", "403", "ok", "403", "ok"),
    ("/api/v1/metrics/{metric}", "DELETE"): row("anon", "403", "403", "ok", "403", "404"),
    ("/metrics", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/metrics", "POST"): row("anon", "403", "403", "ok", "403", "ok"),
    ("/metrics/{metric}/delete", "POST"): row("anon", "403", "403", "ok", "403", "404"),
    ("/profiles/{profile}", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/profiles/{profile}", "POST"): row("anon", "403", "403", "ok", "404", "404"),
    # needs belong to the buyer's organization (the executive and admin are of others)
    ("/api/v1/needs", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/api/v1/needs", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/needs/{need}", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/api/v1/needs/{need}", "PATCH"): row("anon", "403", "403", "ok", "403", "403"),
    ("/needs", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/needs", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/needs/{need}", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/needs/{need}", "POST"): row("anon", "403", "403", "ok", "404", "404"),
    # scenarios belong to the buyer's organization; vendors never see one
    ("/api/v1/scenarios", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/api/v1/scenarios", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/scenarios/{scenario}", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/api/v1/scenarios/{scenario}", "PATCH"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/scenarios/{scenario}/solve", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/scenarios/{scenario}/copy", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/scenarios/{scenario}/problem.json", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/api/v1/scenarios/{scenario}/result.json", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/api/v1/scenarios/{scenario}/frontier", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/scenarios", "GET"): row("anon", "403", "403", "ok", "ok", "ok"),
    ("/scenarios", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/scenarios/{scenario}", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/scenarios/{scenario}/solve", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/scenarios/{scenario}/copy", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/scenarios/{scenario}/edit", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/scenarios/{scenario}/submit", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/api/v1/scenarios/{scenario}/decision", "POST"): row("anon", "403", "403", "403", "404", "403"),
    ("/api/v1/scenarios/{scenario}/check", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/api/v1/scenarios/{scenario}/impact", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/api/v1/scenarios/compare", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/scenarios/{scenario}/submit", "POST"): row("anon", "403", "403", "ok", "403", "403"),
    ("/scenarios/{scenario}/decision", "POST"): row("anon", "403", "403", "403", "404", "403"),
    ("/scenarios/{scenario}/check", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/scenarios/compare", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    ("/api/v1/scenarios/{scenario}/report", "POST"): row("anon", "403", "403", "ok", "404", "404"),
    ("/scenarios/{scenario}/report", "POST"): row("anon", "403", "403", "ok", "404", "404"),
    # jobs belong to the organization they were started in; cancel and retry to their starter
    ("/api/v1/jobs", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/jobs/{job}", "GET"): row("anon", "404", "404", "ok", "404", "404"),
    ("/api/v1/jobs/{job}/file", "GET"): row("anon", "404", "404", "ok", "404", "404"),
    ("/api/v1/jobs/{job}/cancel", "POST"): row("anon", "404", "404", "ok", "404", "404"),
    ("/api/v1/jobs/{job}/retry", "POST"): row("anon", "404", "404", "ok", "404", "404"),
    ("/jobs/{job}/cancel", "POST"): row("anon", "404", "404", "ok", "404", "404"),
    ("/jobs/{job}/retry", "POST"): row("anon", "404", "404", "ok", "404", "404"),
    ("/api/v1/scenarios/{scenario}/export.xlsx", "GET"): row("anon", "403", "403", "ok", "404", "404"),
    # public files, documents and health
    ("/static/css/app.css", "GET"): row("ok", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/openapi.json", "GET"): row("ok", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/docs", "GET"): row("ok", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/docs/assets/swagger-ui-bundle.js", "GET"): row("ok", "ok", "ok", "ok", "ok", "ok"),
    ("/healthz", "GET"): row("ok", "ok", "ok", "ok", "ok", "ok"),
    # accounts: tokens are their owner's; admins see every organization and user, others their own
    ("/api/v1/auth/tokens", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/auth/tokens", "POST"): row("ok", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/auth/tokens/{token}", "DELETE"): row("anon", "ok", "404", "404", "404", "404"),
    ("/api/v1/me", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/organizations", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/organizations", "POST"): row("anon", "403", "403", "403", "403", "ok"),
    ("/api/v1/organizations/{organization}", "GET"): row("anon", "ok", "404", "404", "404", "ok"),
    ("/api/v1/users", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/api/v1/users", "POST"): row("anon", "403", "403", "403", "403", "ok"),
    ("/api/v1/users/{user}", "GET"): row("anon", "ok", "404", "404", "404", "ok"),
    ("/", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/account", "GET"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/account", "POST"): row("anon", "ok", "ok", "ok", "ok", "ok"),
    ("/account/tokens/{page_token}/revoke", "POST"): row("anon", "ok", "404", "404", "404", "404"),
    ("/admin/users", "GET"): row("anon", "403", "403", "403", "403", "ok"),
    ("/admin/users", "POST"): row("anon", "403", "403", "403", "403", "ok"),
    ("/sign-in", "GET"): row("ok", "ok", "ok", "ok", "ok", "ok"),
    ("/sign-in", "POST"): row("ok", "ok", "ok", "ok", "ok", "ok"),
    ("/sign-out", "POST"): row("anon", "ok", "ok", "ok", "ok", "ok"),  # last: it ends the session
}
# Query strings for routes that need one.
QUERIES = {("/api/v1/scenarios/compare", "GET"): "?ids={scenario}&ids={scenario}",
           ("/scenarios/compare", "GET"): "?ids={scenario}&ids={scenario}"}

# Bodies that pass the schema, so that the record's visibility is what decides (a schema error
# answers 422 before any record is looked up, the same for every id: it reveals nothing).
OFFER = {"service_category": "seo", "unit": "hour", "price": 1, "currency": "USD", "capacity_per_period": 1,
         "quality": 0.9}
JSON_BODIES = {
    ("/api/v1/vendors/{vendor}", "PATCH"): {"description": "x", "version": 1},
    ("/api/v1/vendors/{vendor}/offers", "POST"): OFFER,
    ("/api/v1/offers/{offer}", "PATCH"): {"price": 2, "version": 1},
    ("/api/v1/disclosures/{draft}", "PATCH"): {"edit_version": 1},
    ("/api/v1/disclosures/{submitted}/review", "POST"): {"decision": "verified"},
    ("/api/v1/scoring-profiles", "POST"): {"name": "x", "settings": {}},
    ("/api/v1/scoring-profiles/{profile}", "PATCH"): {"settings": {}},
    ("/api/v1/vendors/{vendor}/what-if", "POST"): {"changes": {}},
    ("/api/v1/needs/{need}", "PATCH"): {"volume": 10, "version": 1},
    ("/api/v1/scenarios", "POST"): {"name": "x", "need_ids": []},
    ("/api/v1/scenarios/{scenario}", "PATCH"): {"name": "y", "version": 1},
    ("/api/v1/scenarios/{scenario}/decision", "POST"): {"decision": "approved"},
}
MULTIPART = {("/api/v1/disclosures/{draft}/evidence", "POST"),
             ("/api/v1/disclosures/import", "POST")}

TEMPLATES = {
    "/api/v1/vendors/<int:vendor_id>": "/api/v1/vendors/{vendor}",
    "/api/v1/vendors/<int:vendor_id>/offers": "/api/v1/vendors/{vendor}/offers",
    "/api/v1/offers/<int:offer_id>": "/api/v1/offers/{offer}",
    "/api/v1/evidence/<int:evidence_id>": "/api/v1/evidence/{evidence}",
    "/api/v1/evidence/<int:evidence_id>/download": "/api/v1/evidence/{evidence}/download",
    "/vendor/offers/<int:offer_id>": "/vendor/offers/{offer}",
    "/vendors/<int:vendor_id>": "/vendors/{vendor}",
    "/disclosures/table/export.<fmt>": "/disclosures/table/export.{fmt}",
    "/api/v1/scoring-profiles/<int:profile_id>": "/api/v1/scoring-profiles/{profile}",
    "/api/v1/scoring-profiles/<int:profile_id>/versions": "/api/v1/scoring-profiles/{profile}/versions",
    "/api/v1/vendors/<int:vendor_id>/scorecard": "/api/v1/vendors/{vendor}/scorecard",
    "/api/v1/vendors/<int:vendor_id>/what-if": "/api/v1/vendors/{vendor}/what-if",
    "/vendors/<int:vendor_id>/scorecard": "/vendors/{vendor}/scorecard",
    "/profiles/<int:profile_id>": "/profiles/{profile}",
    "/api/v1/metrics/<int:metric_id>": "/api/v1/metrics/{metric}",
    "/metrics/<int:metric_id>/delete": "/metrics/{metric}/delete",
    "/api/v1/needs/<int:need_id>": "/api/v1/needs/{need}",
    "/needs/<int:need_id>": "/needs/{need}",
    "/api/v1/scenarios/<int:scenario_id>": "/api/v1/scenarios/{scenario}",
    "/api/v1/scenarios/<int:scenario_id>/solve": "/api/v1/scenarios/{scenario}/solve",
    "/api/v1/scenarios/<int:scenario_id>/copy": "/api/v1/scenarios/{scenario}/copy",
    "/api/v1/scenarios/<int:scenario_id>/problem.json": "/api/v1/scenarios/{scenario}/problem.json",
    "/api/v1/scenarios/<int:scenario_id>/result.json": "/api/v1/scenarios/{scenario}/result.json",
    "/api/v1/scenarios/<int:scenario_id>/frontier": "/api/v1/scenarios/{scenario}/frontier",
    "/scenarios/<int:scenario_id>": "/scenarios/{scenario}",
    "/scenarios/<int:scenario_id>/solve": "/scenarios/{scenario}/solve",
    "/scenarios/<int:scenario_id>/copy": "/scenarios/{scenario}/copy",
    "/scenarios/<int:scenario_id>/edit": "/scenarios/{scenario}/edit",
    "/api/v1/scenarios/<int:scenario_id>/submit": "/api/v1/scenarios/{scenario}/submit",
    "/api/v1/scenarios/<int:scenario_id>/decision": "/api/v1/scenarios/{scenario}/decision",
    "/api/v1/scenarios/<int:scenario_id>/check": "/api/v1/scenarios/{scenario}/check",
    "/api/v1/scenarios/<int:scenario_id>/impact": "/api/v1/scenarios/{scenario}/impact",
    "/scenarios/<int:scenario_id>/submit": "/scenarios/{scenario}/submit",
    "/scenarios/<int:scenario_id>/decision": "/scenarios/{scenario}/decision",
    "/scenarios/<int:scenario_id>/check": "/scenarios/{scenario}/check",
    "/api/v1/scenarios/<int:scenario_id>/report": "/api/v1/scenarios/{scenario}/report",
    "/scenarios/<int:scenario_id>/report": "/scenarios/{scenario}/report",
    "/api/v1/jobs/<int:job_id>": "/api/v1/jobs/{job}",
    "/api/v1/jobs/<int:job_id>/file": "/api/v1/jobs/{job}/file",
    "/api/v1/jobs/<int:job_id>/cancel": "/api/v1/jobs/{job}/cancel",
    "/api/v1/jobs/<int:job_id>/retry": "/api/v1/jobs/{job}/retry",
    "/jobs/<int:job_id>/cancel": "/jobs/{job}/cancel",
    "/jobs/<int:job_id>/retry": "/jobs/{job}/retry",
    "/api/v1/scenarios/<int:scenario_id>/export.xlsx": "/api/v1/scenarios/{scenario}/export.xlsx",
    "/static/<path:filename>": "/static/css/app.css",
    "/api/v1/docs/assets/<path:filename>": "/api/v1/docs/assets/swagger-ui-bundle.js",
    "/api/v1/auth/tokens/<int:token_id>": "/api/v1/auth/tokens/{token}",
    "/api/v1/organizations/<int:organization_id>": "/api/v1/organizations/{organization}",
    "/api/v1/users/<int:user_id>": "/api/v1/users/{user}",
    "/account/tokens/<int:token_id>/revoke": "/account/tokens/{page_token}/revoke",
}


def _covered_paths():
    covered = set()
    for path, method in MATRIX:
        generic = path.replace("{draft}", "<int:disclosure_id>").replace("{submitted}", "<int:disclosure_id>")
        for rule, template in TEMPLATES.items():
            if template == path:
                generic = rule
        covered.add((generic, method))
    return covered


def test_every_route_is_in_the_matrix(app):
    routes = {(path, method) for path, method, _, _ in route_rules(app)}
    assert routes - _covered_paths() == set()


@pytest.fixture
def world(app, client, make_vendor, make_user, bearer):
    vendor_a, user_a = make_vendor("Vendor A")
    _, user_b = make_vendor("Vendor B")
    headers_a = bearer(user_a)
    submitted = client.post("/api/v1/disclosures", headers=headers_a,
                            json={"vendor_id": vendor_a.id, **valid_document("2024-01-01", "2024-12-31")}).json
    evidence = client.post(f"/api/v1/disclosures/{submitted['id']}/evidence", headers=headers_a,
                           data={"section": "wages", "level": "self_reported_documented",
                                 "file": (io.BytesIO(PDF), "payroll.pdf")}, content_type="multipart/form-data").json
    client.post(f"/api/v1/disclosures/{submitted['id']}/submit", headers=headers_a)
    draft = client.post("/api/v1/disclosures", headers=headers_a,
                        json={"vendor_id": vendor_a.id, **valid_document()}).json
    users = {"vendor_a": user_a, "vendor_b": user_b, "buyer": make_user("buyer"),
             "executive": make_user("executive"), "admin": make_user("admin")}
    from procure.scoring.services import create_profile, default_profile
    from procure.extensions import db
    from procure.scoring.services import add_custom_metric
    metric = add_custom_metric(users["buyer"].organization_id, {
        "key": "matrix_metric", "label": "Matrix metric", "formula": "impact_workers_end / headcount_end",
        "unit": "ratio", "direction": "higher", "goalposts": [0, 1], "section": "workforce", "source": "test"},
        users["buyer"])
    settings = default_profile().to_dict()
    settings["goalposts"] = {"matrix_metric": [0, 0.5]}  # in use: a DELETE answers 409 and keeps it
    profile = create_profile(users["buyer"].organization_id, "Matrix", settings, users["buyer"])
    from datetime import date
    from procure.needs.services import create_need
    need = create_need(users["buyer"].organization_id, {
        "title": "Matrix need", "service_category": "data_annotation", "volume": 100, "unit": "hour",
        "period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31)}, users["buyer"])
    from procure.scenarios.services import create_scenario, solve_scenario
    scenario = create_scenario(users["buyer"].organization_id, {"name": "Matrix plan", "need_ids": [need.id]},
                               users["buyer"])
    solve_scenario(scenario, users["buyer"])
    db.session.commit()
    from procure.jobs.models import Job
    from procure.jobs.services import start_committed
    start_committed()
    job = Job(kind="report.board_pdf", organization_id=scenario.organization_id, created_by_id=users["buyer"].id,
              subject_type="Scenario", subject_id=scenario.id, status="succeeded", progress=100, output=PDF,
              output_name="report.pdf", output_type="application/pdf")  # a finished job with a file
    db.session.add(job)
    db.session.commit()
    ids = {"vendor": vendor_a.id, "offer": vendor_a.offers[0].id, "draft": draft["id"],
           "submitted": submitted["id"], "evidence": evidence["id"], "fmt": "csv", "profile": profile.id,
           "need": need.id, "scenario": scenario.id, "job": job.id,
           "metric": metric.id, "organization": user_a.organization_id, "user": user_a.id}
    from sqlalchemy import select
    from procure.accounts.models import ApiToken
    bearer(user_a)  # a second token, for the page that revokes one
    ids["token"], ids["page_token"] = db.session.scalars(select(ApiToken.id).where(ApiToken.user_id == user_a.id)
                                                         .order_by(ApiToken.id)).all()[:2]
    return users, ids


def _outcome(response, is_api):
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (not is_api and response.status_code == 302
                                       and "/sign-in?next=" in location):  # signing out goes to /sign-in too
        return "anon"
    if response.status_code in (403, 404):
        return str(response.status_code)
    return "ok"


@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix(app, world, sign_in, actor):
    users, ids = world
    client = app.test_client()
    if actor != "anonymous":
        sign_in(client, users[actor])
    from tests.conftest import csrf_token_from
    token = csrf_token_from(client.get("/sign-in" if actor == "anonymous" else "/account").text)
    failures = []
    for (path, method), expected in MATRIX.items():
        url = (path + QUERIES.get((path, method), "")).format(**ids)
        is_api = url.startswith("/api/")
        headers = {"X-CSRFToken": token}
        if method == "GET":
            response = client.get(url)
        elif (path, method) in MULTIPART:
            response = client.open(url, method=method, headers=headers, content_type="multipart/form-data",
                                   data={"section": "wages", "level": "self_reported",
                                         "file": (io.BytesIO(PDF), "x.pdf")})
        elif is_api:
            response = client.open(url, method=method, json=JSON_BODIES.get((path, method), {}), headers=headers)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        got = _outcome(response, is_api)
        if got != expected[actor]:
            failures.append(f"{method} {url}: expected {expected[actor]}, got {response.status_code}")
    assert failures == [], "\n".join(failures)
