"""Approved scenarios and submitted disclosures are never altered in place.

For each, every route that could alter it (API and page forms) is tried, and the stored record
is compared byte for byte before and after: its row (JSON documents as their stored text), the
scoring profile version it was solved with, its evidence rows and files, and what the API
serves from it (problem, result, frontier, projected impact, the re-solve check). A route must
either refuse (409, 403, 404; a page says why) or do its work on another record (a copy, a new
version, a new profile version) and leave this one alone.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import JSON, Text, cast, func, select

from procure.access import route_rules
from procure.assurance.models import Attestation
from procure.disclosures.models import Disclosure, Evidence
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios.models import Scenario
from procure.scoring.models import ScoringProfile
from tests.app.walking import NEED, World, default_settings
from tests.conftest import PDF, disclosure_form_fields, metric_body, valid_document

REFUSED_PAGE = "alert alert-error"


def stored_row(model, record_id: int) -> dict[str, Any]:
    """The row as stored: every column, JSON documents as the database's own text."""
    db.session.commit()  # a fresh read
    table = model.__table__
    columns = [
        cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in table.columns
    ]
    row = db.session.execute(select(*columns).where(table.c.id == record_id)).one()
    return dict(row._mapping)


@dataclass(frozen=True)
class Attempt:
    """One try at changing the record: who, which route, with what.

    `refused`: the statuses that count as a refusal (for a page, a redirect to a page that says
    why counts too); empty when the route is allowed to work on another record. `check` looks
    at the response (e.g. that a copy is a new record) and returns a problem or None.
    """

    actor: str
    method: str
    path: str
    body: Callable[[World, dict], dict] | dict | None = None
    refused: tuple[int, ...] = (409,)
    check: Callable[[Any, dict], str | None] | None = None

    def label(self) -> str:
        return f"{self.actor}: {self.method} {self.path}"


def refusal_problem(w: World, attempt: Attempt, response) -> str | None:
    if not attempt.refused:
        return (
            None
            if response.status_code < 400
            else f"failed with {response.status_code}: {response.text[:200]}"
        )
    if response.status_code in attempt.refused:
        return None
    if not attempt.path.startswith("/api/") and response.status_code == 302:
        client, _ = w.page_client(attempt.actor)
        shown = client.get(response.headers["Location"])
        if REFUSED_PAGE in shown.text:
            return None
    return f"not refused: {response.status_code} | {response.text[:200]}"


def run_attempts(
    w: World, ids: dict, attempts: list[Attempt], snapshot: Callable[[], dict]
) -> list[str]:
    """Try each attempt; the problems: a change to the snapshot, a missing refusal, a failed
    check."""
    problems = []
    for attempt in attempts:
        before = snapshot()
        body = attempt.body(w, ids) if callable(attempt.body) else attempt.body
        response = w.call(attempt.actor, attempt.method, attempt.path.format(**ids), body)
        problem = refusal_problem(w, attempt, response)
        if problem is None and attempt.check is not None:
            problem = attempt.check(response, ids)
        if problem:
            problems.append(f"{attempt.label()}: {problem}")
        after = snapshot()
        changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
        if changed:
            problems.append(f"{attempt.label()}: ALTERED {sorted(changed)}")
    return problems


# ---------------------------------------------------------------------------- approved scenario


def _new_scenario(response, ids) -> str | None:
    """A copy is a new scenario that names the original."""
    if response.status_code == 302:
        new_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    else:
        new_id = response.json["id"]
    copy = db.session.get(Scenario, new_id, populate_existing=True)
    if new_id == ids["scenario"] or copy is None or copy.copied_from_id != ids["scenario"]:
        return f"the copy is not a new scenario naming the original (got {new_id})"
    return None


def _new_profile_version(response, ids) -> str | None:
    location = response.headers.get("Location", "")
    new_id = (
        response.json["id"] if response.is_json else int(location.rstrip("/").rsplit("/", 1)[-1])
    )
    return None if new_id != ids["profile"] else "the profile version itself was changed"


def _scenario_form(w, ids) -> dict:
    return {
        "name": "Changed",
        "objective": "max_impact",
        "targets.budget": "1",
        "version": str(ids["version"]),
    }


def _failed_solve_job(w: World, scenario_id: int, user_id: int) -> int:
    """A failed solve of the scenario, newer than the one it was approved on: retrying it would
    store a new solution, if anything let it."""
    from procure.jobs.models import Job

    job = Job(
        kind="scenario.solve",
        organization_id=w.users["buyer"].organization_id,
        created_by_id=user_id,
        subject_type="Scenario",
        subject_id=scenario_id,
        status="failed",
        error="lost",
    )
    db.session.add(job)
    db.session.commit()
    return job.id


SCENARIO_ATTEMPTS = [
    # the scenario itself, through the API
    Attempt(
        "buyer",
        "PATCH",
        "/api/v1/scenarios/{scenario}",
        lambda w, i: {"name": "Changed", "version": i["version"]},
    ),
    Attempt(
        "buyer",
        "PATCH",
        "/api/v1/scenarios/{scenario}",
        lambda w, i: {"targets": {"budget": 1}, "objective": "max_impact", "version": i["version"]},
    ),
    Attempt(
        "buyer",
        "PATCH",
        "/api/v1/scenarios/{scenario}",
        lambda w, i: {"name": "Stale", "version": 1},
    ),
    Attempt(
        "executive",
        "PATCH",
        "/api/v1/scenarios/{scenario}",
        lambda w, i: {"name": "Changed", "version": i["version"]},
        refused=(403,),
    ),
    Attempt("buyer", "POST", "/api/v1/scenarios/{scenario}/solve"),
    Attempt("buyer", "POST", "/api/v1/scenarios/{scenario}/submit"),
    Attempt("executive", "POST", "/api/v1/scenarios/{scenario}/decision", {"decision": "approved"}),
    Attempt(
        "executive",
        "POST",
        "/api/v1/scenarios/{scenario}/decision",
        {"decision": "rejected", "comment": "No"},
    ),
    Attempt(
        "buyer",
        "POST",
        "/api/v1/scenarios/{scenario}/decision",
        {"decision": "rejected", "comment": "No"},
        refused=(403,),
    ),
    Attempt("buyer", "POST", "/api/v1/scenarios/{scenario}/copy", refused=(), check=_new_scenario),
    Attempt("buyer", "POST", "/api/v1/scenarios/{scenario}/report", refused=()),
    Attempt("buyer", "POST", "/api/v1/jobs/{failed_job}/retry"),
    Attempt("buyer", "POST", "/api/v1/jobs/{solve_job}/retry"),
    Attempt("buyer", "POST", "/api/v1/jobs/{solve_job}/cancel"),
    Attempt(
        "other_buyer",
        "PATCH",
        "/api/v1/scenarios/{scenario}",
        lambda w, i: {"name": "Changed", "version": i["version"]},
        refused=(404,),
    ),
    # what it was solved from: its profile version, the custom metric that profile weighs, its
    # need, the vendor's offer and figures
    Attempt(
        "buyer",
        "PATCH",
        "/api/v1/scoring-profiles/{profile}",
        lambda w, i: {"settings": {**default_settings(), "knockout_below_minimum_wage": False}},
        refused=(),
        check=_new_profile_version,
    ),
    Attempt("buyer", "DELETE", "/api/v1/metrics/{metric}"),
    Attempt(
        "buyer",
        "POST",
        "/api/v1/metrics",
        lambda w, i: metric_body(
            "late_metric", formula="promotions_impact_workers / headcount_end"
        ),
        refused=(),
    ),
    Attempt(
        "buyer",
        "PATCH",
        "/api/v1/needs/{need}",
        lambda w, i: {"volume": 10, "min_quality": 0.99, "version": i["need_version"]},
        refused=(),
    ),
    Attempt(
        "vendor",
        "PATCH",
        "/api/v1/offers/{offer}",
        lambda w, i: {"price": 99, "version": i["offer_version"]},
        refused=(),
    ),
    Attempt("vendor", "POST", "/api/v1/disclosures/{vendor_draft}/submit", refused=()),
    # the same through the pages
    Attempt("buyer", "POST", "/scenarios/{scenario}/edit", _scenario_form),
    Attempt("buyer", "POST", "/scenarios/{scenario}/solve"),
    Attempt("buyer", "POST", "/scenarios/{scenario}/submit"),
    # the award rule forms, each with a rule the scenario's checks would take
    Attempt(
        "buyer",
        "POST",
        "/scenarios/{scenario}/incumbent-rule",
        lambda w, i: {
            "incumbent.need": str(i["need"]),
            "incumbent.vendors": str(w.vendor.id),
            "incumbent.min_share": "50",
            "version": str(i["version"]),
        },
    ),
    Attempt(
        "buyer",
        "POST",
        "/scenarios/{scenario}/bid-adjustment",
        lambda w, i: {
            "adjustment.vendors": str(w.vendor.id),
            "adjustment.percent": "20",
            "version": str(i["version"]),
        },
    ),
    Attempt(
        "buyer",
        "POST",
        "/scenarios/{scenario}/vendor-list-group",
        lambda w, i: {
            "group.label": "Chosen",
            "group.vendors": str(w.vendor.id),
            "group.measure": "spend",
            "group.max_share": "10",
            "version": str(i["version"]),
        },
    ),
    Attempt(
        "buyer",
        "POST",
        "/scenarios/{scenario}/region-group",
        lambda w, i: {
            "region.label": "East Africa",
            "region.countries": "KE, UG",
            "region.measure": "spend",
            "region.max_share": "10",
            "version": str(i["version"]),
        },
    ),
    Attempt(
        "executive",
        "POST",
        "/scenarios/{scenario}/decision",
        {"decision": "rejected", "comment": "No"},
    ),
    Attempt("executive", "POST", "/scenarios/{scenario}/decision", {"decision": "approved"}),
    Attempt("buyer", "POST", "/scenarios/{scenario}/copy", refused=(), check=_new_scenario),
    Attempt("buyer", "POST", "/scenarios/{scenario}/report", refused=()),
    Attempt("buyer", "POST", "/jobs/{failed_job}/retry"),
    Attempt("buyer", "POST", "/jobs/{solve_job}/cancel"),
    Attempt(
        "buyer",
        "POST",
        "/profiles/{profile}",
        {
            "action": "save",
            "pillar_weights.impact": "0.9",
            "pillar_weights.cost": "0.05",
            "pillar_weights.quality": "0.05",
        },
        refused=(),
        check=_new_profile_version,
    ),
    Attempt("buyer", "POST", "/metrics/{metric}/delete"),
    Attempt(
        "buyer",
        "POST",
        "/needs/{need}",
        lambda w, i: {
            **{k: str(v) for k, v in NEED.items()},
            "volume": "5",
            # the page's form holds the need's current version (the PATCH above made a new one;
            # an older one is refused with 409 and changes nothing)
            "version": str(db.session.get(Need, i["need"], populate_existing=True).version),
        },
        refused=(),
    ),
]


def test_an_approved_scenario_is_never_altered(app, walk_world, make_user, bearer):
    w = walk_world
    w.users["other_buyer"] = make_user("buyer")
    w.headers["other_buyer"] = bearer(w.users["other_buyer"])
    metric = w.metric()
    settings = default_settings()
    settings["metric_weights"] = {**settings["metric_weights"], metric["key"]: 0.05}
    settings["metric_weights"]["impact_worker_share"] -= 0.05  # the weights still add up to 1
    profile = w.api(
        "buyer", "POST", "/api/v1/scoring-profiles", json={"name": "Frozen", "settings": settings}
    )
    created = w.api(
        "buyer",
        "POST",
        "/api/v1/scenarios",
        json={"name": "Approved plan", "need_ids": [w.need["id"]], "profile_id": profile["id"]},
    )
    w.api("buyer", "POST", f"/api/v1/scenarios/{created['id']}/submit")
    approved = w.api(
        "executive",
        "POST",
        f"/api/v1/scenarios/{created['id']}/decision",
        json={"decision": "approved"},
    )
    assert approved["status"] == "approved"
    from procure.jobs.models import Job

    solve_job = db.session.scalars(
        select(Job.id).where(Job.subject_id == created["id"], Job.kind == "scenario.solve")
    ).one()
    offer = w.vendor.offers[0]
    ids = {
        "scenario": created["id"],
        "version": approved["version"],
        "profile": profile["id"],
        "metric": metric["id"],
        "need": w.need["id"],
        "need_version": w.need["version"],
        "offer": offer.id,
        "offer_version": offer.version,
        "solve_job": solve_job,
        "failed_job": _failed_solve_job(w, created["id"], w.users["buyer"].id),
        "vendor_draft": w.draft(2026)["id"],
    }  # a newer period: it changes today's scores

    def snapshot() -> dict:
        reads = {
            path: w.call("buyer", "GET", f"/api/v1/scenarios/{created['id']}{path}").text
            for path in ("/problem.json", "/result.json", "/frontier", "/impact", "/check")
        }
        return {
            "scenario": stored_row(Scenario, created["id"]),
            "profile": stored_row(ScoringProfile, profile["id"]),
            **reads,
        }

    first = snapshot()
    assert first["profile"]["locked"] is True and '"identical":true' in first["/check"].replace(
        " ", ""
    )
    problems = run_attempts(w, ids, SCENARIO_ATTEMPTS, snapshot)
    assert problems == [], (
        f"{len(problems)} problems in {len(SCENARIO_ATTEMPTS)} attempts:\n" + "\n".join(problems)
    )
    assert snapshot() == first
    # the attempts that were allowed did their work elsewhere
    copies = db.session.scalars(
        select(Scenario).where(Scenario.copied_from_id == created["id"])
    ).all()
    assert len(copies) == 2 and all(c.status in ("solved", "infeasible") for c in copies)
    versions = db.session.scalars(
        select(ScoringProfile.number)
        .where(ScoringProfile.name == "Frozen")
        .order_by(ScoringProfile.number)
    ).all()
    assert versions == [1, 2, 3]


# ---------------------------------------------------------------------------- submitted disclosure


def _changed_table(w: World, ids) -> dict:
    """The flat table row of the disclosure's vendor and period, with one figure changed."""
    from procure.disclosures.tables import FLAT_COLUMNS, flat_row
    from procure.spreadsheets import write_table

    row = flat_row(db.session.get(Disclosure, ids["disclosure"], populate_existing=True))
    row["promotions_impact_workers"] = (
        (row["promotions_impact_workers"] or 0) + ids.setdefault("bump", 0) + 1
    )
    ids["bump"] += 1
    return {"file": (io.BytesIO(write_table([row], FLAT_COLUMNS, "csv")), "disclosures.csv")}


def _same_table(w: World, ids) -> dict:
    from procure.disclosures.tables import FLAT_COLUMNS, flat_row
    from procure.spreadsheets import write_table

    row = flat_row(db.session.get(Disclosure, ids["disclosure"], populate_existing=True))
    return {"file": (io.BytesIO(write_table([row], FLAT_COLUMNS, "csv")), "disclosures.csv")}


def _imported_elsewhere(response, ids) -> str | None:
    """The import wrote a newer version, never the submitted one."""
    created = response.json["disclosure_ids"]
    return None if created and ids["disclosure"] not in created else f"the import wrote {created}"


def _not_into_it(response, ids) -> str | None:
    """An import of the same figures writes nothing, or (once a newer version differs) that one."""
    return (
        None
        if ids["disclosure"] not in response.json["disclosure_ids"]
        else f"imported {response.json}"
    )


def _new_version(response, ids) -> str | None:
    new_id = (
        response.json["id"]
        if response.is_json
        else int(response.headers["Location"].rsplit("/", 1)[-1])
    )
    return None if new_id != ids["disclosure"] else "the amendment is the submitted version itself"


def _page_document(w, ids) -> dict:
    document = valid_document()
    document["workforce"]["promotions_all"] = 1
    return {**disclosure_form_fields(document), "edit_version": str(ids["edit_version"])}


def _evidence(w, ids) -> dict:
    return {
        "section": "training",
        "level": "third_party_limited",
        "file": (io.BytesIO(PDF), "audit.pdf"),
    }


# Tried on the submitted version, and again once it is verified.
FROZEN_DISCLOSURE_ATTEMPTS = [
    Attempt(
        "vendor",
        "PATCH",
        "/api/v1/disclosures/{disclosure}",
        lambda w, i: {"edit_version": i["edit_version"], "workforce": {"headcount_end": 1}},
    ),
    Attempt(
        "vendor",
        "PATCH",
        "/api/v1/disclosures/{disclosure}",
        lambda w, i: {
            "edit_version": i["edit_version"],
            "evidence": {"wages": "third_party_reasonable"},
        },
    ),
    Attempt(
        "vendor",
        "PATCH",
        "/api/v1/disclosures/{disclosure}",
        lambda w, i: {"edit_version": 1, "wages": []},
    ),
    Attempt(
        "buyer",
        "PATCH",
        "/api/v1/disclosures/{disclosure}",
        lambda w, i: {"edit_version": i["edit_version"], "wages": []},
        refused=(403,),
    ),
    Attempt(
        "new_vendor",
        "PATCH",
        "/api/v1/disclosures/{disclosure}",
        lambda w, i: {"edit_version": i["edit_version"], "wages": []},
        refused=(404,),
    ),
    Attempt("vendor", "POST", "/api/v1/disclosures/{disclosure}/submit"),
    Attempt("vendor", "POST", "/api/v1/disclosures/{disclosure}/evidence", _evidence),
    Attempt(
        "vendor",
        "POST",
        "/api/v1/disclosures",
        lambda w, i: {"vendor_id": w.vendor.id, **valid_document("2024-01-01", "2024-12-31")},
    ),
    Attempt("vendor", "POST", "/disclosures/{disclosure}", _page_document),
    Attempt(
        "vendor",
        "POST",
        "/disclosures/{disclosure}",
        lambda w, i: {**_page_document(w, i), "action": "submit"},
    ),
    Attempt("buyer", "POST", "/disclosures/{disclosure}", _page_document, refused=(403,)),
    Attempt("vendor", "POST", "/disclosures/{disclosure}/evidence", _evidence),
    Attempt(
        "vendor",
        "POST",
        "/vendor/disclosures",
        {"period_start": "2024-01-01", "period_end": "2024-12-31"},
    ),
    Attempt(
        "vendor", "POST", "/api/v1/disclosures/import", _same_table, refused=(), check=_not_into_it
    ),
    Attempt(
        "vendor",
        "PATCH",
        "/api/v1/vendors/{vendor}",
        lambda w, i: {
            "name": w.unique("Renamed Vendor"),
            "version": w.api("vendor", "GET", f"/api/v1/vendors/{i['vendor']}")["version"],
        },
        refused=(),
    ),
]
# Tried while the submitted version is the newest: each leaves a newer version behind.
NEW_VERSION_ATTEMPTS = [
    Attempt(
        "vendor",
        "POST",
        "/api/v1/disclosures/import",
        _changed_table,
        refused=(),
        check=_imported_elsewhere,
    ),
    Attempt("vendor", "POST", "/api/v1/disclosures/{disclosure}/amend"),  # a draft exists now
    Attempt("vendor", "POST", "/disclosures/{disclosure}/amend"),
    Attempt("vendor", "POST", "/disclosures/table", _changed_table, refused=()),  # into that draft
]


def test_a_submitted_disclosure_is_never_altered(app, walk_world):
    w = walk_world
    draft = w.draft(2024)
    w.api(
        "vendor",
        "POST",
        f"/api/v1/disclosures/{draft['id']}/evidence",
        data=_evidence(w, {}),
        content_type="multipart/form-data",
    )
    submitted = w.api("vendor", "POST", f"/api/v1/disclosures/{draft['id']}/submit")
    ids = {
        "disclosure": submitted["id"],
        "edit_version": submitted["edit_version"],
        "vendor": w.vendor.id,
    }

    def snapshot() -> dict:
        evidence = db.session.scalars(
            select(Evidence.id)
            .where(Evidence.disclosure_id == submitted["id"])
            .order_by(Evidence.id)
        ).all()
        rows = [stored_row(Evidence, evidence_id) for evidence_id in evidence]
        from procure.disclosures.evidence_store import evidence_store

        stored = {row["stored_name"]: evidence_store().get(row["stored_name"]) for row in rows}
        assert None not in stored.values()  # every record's file is in the store
        files = {name: hashlib.sha256(content).hexdigest() for name, content in stored.items()}
        served = w.call("vendor", "GET", f"/api/v1/disclosures/{submitted['id']}").json
        served.pop("vendor_name")  # the vendor's, not the disclosure's
        return {
            "disclosure": stored_row(Disclosure, submitted["id"]),
            "evidence": rows,
            "files": files,
            "served": served,
        }

    first = snapshot()
    assert len(first["evidence"]) == 1 and first["disclosure"]["state"] == "submitted"
    problems = run_attempts(w, ids, FROZEN_DISCLOSURE_ATTEMPTS + NEW_VERSION_ATTEMPTS, snapshot)

    # the newer draft is submitted; an amendment now copies that newest version into a third
    versions = w.api("vendor", "GET", f"/api/v1/disclosures/{submitted['id']}/versions")
    assert [(v["number"], v["state"]) for v in versions] == [(1, "submitted"), (2, "draft")]
    w.api("vendor", "POST", f"/api/v1/disclosures/{versions[1]['id']}/submit")
    problems += run_attempts(
        w,
        ids,
        [
            Attempt(
                "vendor",
                "POST",
                "/api/v1/disclosures/{disclosure}/amend",
                refused=(),
                check=_new_version,
            ),
        ],
        snapshot,
    )

    # review: a buyer organization's decision is a record of its own; the version is not touched
    before = snapshot()
    reviewed = w.call(
        "buyer", "POST", f"/api/v1/disclosures/{submitted['id']}/review", {"decision": "verified"}
    )
    assert reviewed.status_code == 200 and reviewed.json["state"] == "verified"
    after = snapshot()
    assert after["disclosure"] == before["disclosure"]
    assert (after["evidence"], after["files"]) == (before["evidence"], before["files"])
    assert [r["decision"] for r in after["served"].pop("reviews")] == [
        "verified"
    ]  # the vendor sees it
    assert before["served"].pop("reviews") == [] and after["served"] == before["served"]
    ids["edit_version"] = reviewed.json["edit_version"]
    problems += run_attempts(
        w,
        ids,
        [
            Attempt(
                "buyer",
                "POST",
                "/api/v1/disclosures/{disclosure}/review",
                {"decision": "rejected", "comment": "x"},
            ),
            Attempt(
                "buyer",
                "POST",
                "/disclosures/{disclosure}/review",
                {"decision": "rejected", "comment": "x"},
            ),
            *FROZEN_DISCLOSURE_ATTEMPTS,
        ],
        snapshot,
    )
    tried = len(FROZEN_DISCLOSURE_ATTEMPTS) * 2 + len(NEW_VERSION_ATTEMPTS) + 3
    assert problems == [], f"{len(problems)} problems in {tried} attempts:\n" + "\n".join(problems)
    final = w.api("buyer", "GET", f"/api/v1/disclosures/{submitted['id']}/versions")
    assert [(v["number"], v["state"]) for v in final] == [(1, "verified"), (2, "submitted")]
    final = w.api("vendor", "GET", f"/api/v1/disclosures/{submitted['id']}/versions")
    assert [(v["number"], v["state"], [r["decision"] for r in v["reviews"]]) for v in final] == [
        (1, "submitted", ["verified"]),
        (2, "submitted", []),
        (3, "draft", []),
    ]


# ---------------------------------------------------------------------------- attestation


def _attestation_form(section="wages", opinion="adverse", disclosure=None):
    """An attestation's multipart body: by default one the issued attestation already covers."""

    def body(w, ids) -> dict:
        return {
            "disclosure_id": str(disclosure or ids["disclosure"]),
            "section": section,
            "standard": "Changed standard",
            "level": "limited",
            "opinion": opinion,
            "issued_on": date.today().isoformat(),
            "expires_on": "2998-01-01",
            "file": (io.BytesIO(PDF), "other.pdf"),
        }

    return body


REASON = {"reason": "Issued in error."}
# a withdrawal by anyone but the issuing provider's assurers: refused, through the API and the page
WITHDRAWALS_BY_OTHERS = [
    Attempt(actor, "POST", f"{prefix}/attestations/{{attestation}}/withdraw", REASON, (status,))
    for prefix in ("/api/v1", "/assurance")
    for actor, status in (("other_assurer", 404), ("vendor", 403), ("buyer", 403))
]
ATTESTATION_ATTEMPTS = [
    # a second statement on the same section, overlapping: refused, the first stands
    Attempt("assurer", "POST", "/api/v1/attestations", _attestation_form()),
    Attempt("assurer", "POST", "/assurance/grants/{grant}", _attestation_form()),
    # what would change or remove it: no such route
    Attempt("assurer", "PATCH", "/api/v1/attestations/{attestation}", {}, refused=(405,)),
    Attempt("assurer", "PUT", "/api/v1/attestations/{attestation}", {}, refused=(405,)),
    Attempt("assurer", "DELETE", "/api/v1/attestations/{attestation}", {}, refused=(405,)),
    Attempt("vendor", "DELETE", "/api/v1/attestations/{attestation}", {}, refused=(405,)),
    # a withdrawal without a reason, through the API and the page: refused, it stands
    Attempt(
        "assurer",
        "POST",
        "/api/v1/attestations/{attestation}/withdraw",
        {"reason": " "},
        refused=(422,),
    ),
    Attempt(
        "assurer",
        "POST",
        "/assurance/attestations/{attestation}/withdraw",
        {"reason": ""},
        refused=(422,),
    ),
    # others: another provider, the buyer, the vendor itself
    *WITHDRAWALS_BY_OTHERS,
    Attempt("other_assurer", "POST", "/api/v1/attestations", _attestation_form(), refused=(404,)),
    Attempt("buyer", "POST", "/api/v1/attestations", _attestation_form(), refused=(403,)),
    Attempt("vendor", "POST", "/api/v1/attestations", _attestation_form(), refused=(403,)),
    # work elsewhere: another section is a new record; the buyer's review is its own record; an
    # amendment is a new version, which the attestation does not follow
    Attempt(
        "assurer",
        "POST",
        "/api/v1/attestations",
        _attestation_form("training", "unqualified"),
        refused=(),
    ),
    Attempt(
        "buyer",
        "POST",
        "/api/v1/disclosures/{disclosure}/sections/wages/review",
        {"decision": "rejected", "comment": "Not backed"},
        refused=(),
    ),
    Attempt("vendor", "POST", "/api/v1/disclosures/{disclosure}/amend", refused=()),
    # revoking the grant ends the reading, not the statement; the assurer then attests nothing
    Attempt("vendor", "POST", "/api/v1/assurance-grants/{grant}/revoke", refused=()),
    Attempt(
        "assurer", "POST", "/api/v1/attestations", _attestation_form("workforce"), refused=(404,)
    ),
    Attempt("assurer", "POST", "/assurance/grants/{grant}", _attestation_form(), refused=(404,)),
    Attempt("vendor", "POST", "/assurance-grants/{grant}/revoke"),
]


def test_an_attestation_is_never_altered(app, walk_world, make_org, make_user, bearer):
    """An attestation is immutable: every route of the URL map that writes and names a grant,
    an attestation or a version is tried on it by each side, and the attempts above besides; its
    row (the statement's bytes included) and what the API serves of it stay as issued. The one
    change allowed is its provider's withdrawal, which sets the three withdrawal columns and
    nothing else, once: then the same attempts, a second withdrawal among them, change nothing."""
    w = walk_world
    for name in ("assurer", "other_assurer"):
        w.users[name] = make_user("assurer", organization=make_org("assurance"))
        w.headers[name] = bearer(w.users[name])
    submitted = w.submitted_disclosure(2024)
    grant = w.api(
        "vendor",
        "POST",
        "/api/v1/assurance-grants",
        json={"disclosure_id": submitted["id"], "provider_id": w.users["assurer"].organization_id},
    )
    issued = w.call(
        "assurer",
        "POST",
        "/api/v1/attestations",
        {**_attestation_form(opinion="unqualified")(w, {"disclosure": submitted["id"]})},
    )
    assert issued.status_code == 201, issued.text
    ids = {"disclosure": submitted["id"], "grant": grant["id"], "attestation": issued.json["id"]}

    def snapshot() -> dict:
        served = w.call("buyer", "GET", f"/api/v1/attestations/{ids['attestation']}").json
        served.pop("state")  # today's reading of its dates, not the record
        statement = w.call("buyer", "GET", f"/api/v1/attestations/{ids['attestation']}/statement")
        return {
            "attestation": stored_row(Attestation, ids["attestation"]),
            "served": served,
            "statement": hashlib.sha256(statement.data).hexdigest(),
        }

    first = snapshot()
    assert first["attestation"]["statement"] == PDF and first["served"]["opinion"] == "unqualified"
    # the URL map's converters, as `ids` names their records
    names = {"grant_id": "grant", "attestation_id": "attestation", "disclosure_id": "disclosure"}
    sweep = [
        Attempt(
            actor,
            method,
            re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + names[m.group(1)] + "}", path),
            {},
            refused=(),
        )
        for path, method, _, _ in route_rules(app)
        if method in ("POST", "PUT", "PATCH", "DELETE")
        and ("assurance" in path or "attestation" in path)
        for actor in ("assurer", "other_assurer", "vendor", "buyer")
    ]
    problems = run_attempts(w, ids, ATTESTATION_ATTEMPTS, snapshot)
    problems += [
        problem
        for problem in run_attempts(w, ids, sweep, snapshot)
        if "ALTERED" in problem  # the sweep may be refused or work elsewhere, never alter it
    ]
    assert len(sweep) >= 4 * 7, sweep  # every writing route of the area, by every side
    assert problems == [], "\n".join(problems)
    assert snapshot() == first

    # the one change allowed: its provider withdraws it, which sets the withdrawal and nothing else
    withdrawn = w.call(
        "assurer", "POST", f"/api/v1/attestations/{ids['attestation']}/withdraw", REASON
    )
    assert withdrawn.status_code == 200, withdrawn.text
    after = snapshot()
    changed_columns = {
        key
        for key in first["attestation"]
        if first["attestation"][key] != after["attestation"][key]
    }
    assert changed_columns == {"withdrawn_at", "withdrawn_by_id", "withdrawal_reason"}
    assert after["attestation"]["withdrawal_reason"] == REASON["reason"]
    assert after["attestation"]["withdrawn_by_id"] == w.users["assurer"].id
    changed_served = {
        key for key in first["served"] if first["served"][key] != after["served"][key]
    }
    assert changed_served == {"withdrawn_at", "withdrawal_reason"}
    assert after["statement"] == first["statement"]
    # withdrawn, it takes no change more: not a second withdrawal, nor anything else
    again = [
        Attempt("assurer", "POST", "/api/v1/attestations/{attestation}/withdraw", REASON),
        Attempt("assurer", "POST", "/assurance/attestations/{attestation}/withdraw", REASON),
        Attempt("assurer", "PATCH", "/api/v1/attestations/{attestation}", {}, refused=(405,)),
        Attempt("assurer", "DELETE", "/api/v1/attestations/{attestation}", {}, refused=(405,)),
        *WITHDRAWALS_BY_OTHERS,
    ]
    problems = run_attempts(w, ids, again, snapshot)
    problems += [p for p in run_attempts(w, ids, sweep, snapshot) if "ALTERED" in p]
    assert problems == [], "\n".join(problems)
    assert snapshot() == after
    # the attempts that were allowed did their work elsewhere
    count = db.session.scalar(select(func.count()).select_from(Attestation))
    assert count == 2  # the training section's, besides this one


def test_the_harness_reports_an_altered_record(app, walk_world, monkeypatch):
    """Negative control: with the freeze rules switched off, the same attempts are reported."""
    w = walk_world
    scenario = w.scenario("approved")
    submitted = w.submitted_disclosure(2024)
    monkeypatch.setattr(Scenario, "editable", property(lambda self: True))
    monkeypatch.setattr("procure.disclosures.services._require_draft", lambda disclosure: None)
    ids = {
        "scenario": scenario["id"],
        "version": scenario["version"],
        "disclosure": submitted["id"],
        "edit_version": submitted["edit_version"],
    }
    problems = run_attempts(
        w,
        ids,
        [SCENARIO_ATTEMPTS[0], FROZEN_DISCLOSURE_ATTEMPTS[0]],
        lambda: {
            "scenario": stored_row(Scenario, scenario["id"]),
            "disclosure": stored_row(Disclosure, submitted["id"]),
        },
    )
    assert [problem.split(" | ")[0] for problem in problems] == [
        "buyer: PATCH /api/v1/scenarios/{scenario}: not refused: 200",
        "buyer: PATCH /api/v1/scenarios/{scenario}: ALTERED ['scenario']",
        "vendor: PATCH /api/v1/disclosures/{disclosure}: not refused: 200",
        "vendor: PATCH /api/v1/disclosures/{disclosure}: ALTERED ['disclosure']",
    ], problems
