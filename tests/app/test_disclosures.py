"""Disclosures: drafts, validation, submission, immutability, review, amendment, access."""

import copy
import html
import re

from sqlalchemy import select

from procure.audit.models import AuditEvent
from procure.disclosures.models import Disclosure
from procure.extensions import db
from scoring.fields import FIELDS
from tests.conftest import csrf_token_from, disclosure_form_fields, valid_document


def _create(client, headers, vendor, document=None):
    body = {"vendor_id": vendor.id, **(document or valid_document())}
    return client.post("/api/v1/disclosures", headers=headers, json=body)


def test_draft_submit_verify_lifecycle_with_audit(client, make_vendor, make_user, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    created = _create(client, headers, vendor)
    assert created.status_code == 201, created.json
    assert (
        created.json["state"] == "draft"
        and created.json["number"] == 1
        and created.json["warnings"] == []
    )
    disclosure_id = created.json["id"]
    submitted = client.post(f"/api/v1/disclosures/{disclosure_id}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.json["state"] == "submitted"
    buyer_headers = bearer(make_user("buyer"))
    reviewed = client.post(
        f"/api/v1/disclosures/{disclosure_id}/review",
        headers=buyer_headers,
        json={"decision": "verified", "comment": "Payroll summary matches."},
    )
    assert reviewed.status_code == 200 and reviewed.json["state"] == "verified"
    assert reviewed.json["review_comment"] == "Payroll summary matches."
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_type == "Disclosure")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["disclosure.create", "disclosure.submit", "disclosure.verify"]


def test_an_impossible_figure_is_refused_with_its_field_and_nothing_changes(
    client, make_vendor, bearer
):
    vendor, user = make_vendor()
    headers = bearer(user)
    document = valid_document()
    document["workforce"]["impact_worker_hires"] = 45
    response = _create(client, headers, vendor, document)
    assert response.status_code == 422
    assert response.json["errors"] == {
        "workforce.impact_worker_hires": [
            "Impact workers hired (45) cannot exceed hires in the period (30)."
        ]
    }
    assert db.session.scalar(select(Disclosure.id)) is None


def test_submit_requires_the_required_fields(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    draft = _create(
        client,
        headers,
        vendor,
        {
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "workforce": {"headcount_start": 10},
        },
    )
    assert draft.status_code == 201
    response = client.post(f"/api/v1/disclosures/{draft.json['id']}/submit", headers=headers)
    assert response.status_code == 422
    assert "workforce.headcount_end" in response.json["errors"]
    assert "evidence.wages" in response.json["errors"]
    assert db.session.get(Disclosure, draft.json["id"]).state == "draft"


def test_submitted_version_is_immutable_and_stale_edits_get_409(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    created = _create(client, headers, vendor).json
    edit = client.patch(
        f"/api/v1/disclosures/{created['id']}",
        headers=headers,
        json={
            "training": {**valid_document()["training"], "employees_trained": 90},
            "edit_version": created["edit_version"],
        },
    )
    assert edit.status_code == 200 and edit.json["training"]["employees_trained"] == 90
    stale = client.patch(
        f"/api/v1/disclosures/{created['id']}",
        headers=headers,
        json={"training": valid_document()["training"], "edit_version": created["edit_version"]},
    )
    assert stale.status_code == 409
    client.post(f"/api/v1/disclosures/{created['id']}/submit", headers=headers)
    frozen = db.session.get(Disclosure, created["id"])
    figures_before = copy.deepcopy(frozen.figures)
    locked = client.patch(
        f"/api/v1/disclosures/{created['id']}",
        headers=headers,
        json={"training": valid_document()["training"], "edit_version": frozen.edit_version},
    )
    assert locked.status_code == 409 and "can no longer be changed" in locked.json["message"]
    again = client.post(f"/api/v1/disclosures/{created['id']}/submit", headers=headers)
    assert again.status_code == 409
    db.session.refresh(frozen)
    assert frozen.figures == figures_before


def test_rejection_needs_a_comment_then_amendment_makes_a_new_version(
    client, make_vendor, make_user, bearer
):
    vendor, user = make_vendor()
    headers = bearer(user)
    first = _create(client, headers, vendor).json
    client.post(f"/api/v1/disclosures/{first['id']}/submit", headers=headers)
    buyer_headers = bearer(make_user("buyer"))
    no_comment = client.post(
        f"/api/v1/disclosures/{first['id']}/review",
        headers=buyer_headers,
        json={"decision": "rejected"},
    )
    assert no_comment.status_code == 422 and "comment" in no_comment.json["errors"]
    rejected = client.post(
        f"/api/v1/disclosures/{first['id']}/review",
        headers=buyer_headers,
        json={"decision": "rejected", "comment": "Living wage source is missing a date."},
    )
    assert rejected.json["state"] == "rejected"
    duplicate = _create(client, headers, vendor)
    assert duplicate.status_code == 409 and "Edit the draft or amend" in duplicate.json["message"]
    amended = client.post(f"/api/v1/disclosures/{first['id']}/amend", headers=headers)
    assert amended.status_code == 201
    assert amended.json["number"] == 2 and amended.json["state"] == "draft"
    assert amended.json["workforce"] == rejected.json["workforce"]
    assert (
        client.post(f"/api/v1/disclosures/{first['id']}/amend", headers=headers).status_code == 409
    )
    versions = client.get(
        f"/api/v1/disclosures/{amended.json['id']}/versions", headers=headers
    ).json
    # the vendor sees the buyer organization's review; the version itself stays submitted
    assert [(v["number"], v["state"]) for v in versions] == [(1, "submitted"), (2, "draft")]
    assert [(r["decision"], r["comment"]) for r in versions[0]["reviews"]] == [
        ("rejected", "Living wage source is missing a date.")
    ]
    assert versions[0]["review_comment"] is None  # the vendor's organization did not review it
    # buyers never see drafts
    buyer_versions = client.get(
        f"/api/v1/disclosures/{first['id']}/versions", headers=buyer_headers
    ).json
    assert [(v["number"], v["state"]) for v in buyer_versions] == [(1, "rejected")]
    assert (
        client.get(f"/api/v1/disclosures/{amended.json['id']}", headers=buyer_headers).status_code
        == 404
    )


def test_disclosure_access_matrix(client, make_vendor, make_user, bearer):
    vendor_a, user_a = make_vendor("Vendor A")
    vendor_b, user_b = make_vendor("Vendor B")
    headers_a, headers_b = bearer(user_a), bearer(user_b)
    draft = _create(client, headers_a, vendor_a).json
    buyer_headers, exec_headers = bearer(make_user("buyer")), bearer(make_user("executive"))
    # another vendor can neither see nor change nor start one for vendor A
    assert client.get(f"/api/v1/disclosures/{draft['id']}", headers=headers_b).status_code == 404
    assert (
        client.patch(
            f"/api/v1/disclosures/{draft['id']}", headers=headers_b, json={"edit_version": 1}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=headers_b).status_code
        == 404
    )
    assert _create(client, headers_b, vendor_a).status_code == 404
    # buyers and executives do not see drafts; only buyers review; only vendors write
    assert (
        client.get(f"/api/v1/disclosures/{draft['id']}", headers=buyer_headers).status_code == 404
    )
    assert (
        client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=buyer_headers).status_code
        == 403
    )
    client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=headers_a)
    assert client.get(f"/api/v1/disclosures/{draft['id']}", headers=exec_headers).status_code == 200
    assert (
        client.post(
            f"/api/v1/disclosures/{draft['id']}/review",
            headers=exec_headers,
            json={"decision": "verified"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/disclosures/{draft['id']}/review",
            headers=headers_a,
            json={"decision": "verified"},
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/disclosures/{draft['id']}").status_code == 401
    assert db.session.get(Disclosure, draft["id"]).state == "submitted"


def test_vendor_fills_the_form_sees_an_inline_error_submits_and_buyer_verifies(
    client, make_vendor, make_user, sign_in
):
    vendor, user = make_vendor()
    sign_in(client, user)
    index = client.get("/vendor/disclosures")
    assert "No disclosures yet" in index.text
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
    figures_before = copy.deepcopy(disclosure.figures)
    page = client.get(f"/disclosures/{disclosure.id}")
    form = disclosure_form_fields(valid_document())
    form.update(
        {
            "csrf_token": csrf_token_from(page.text),
            "edit_version": "1",
            "workforce.impact_workers_end": "500",
            "action": "submit",
        }
    )
    refused = client.post(f"/disclosures/{disclosure.id}", data=form)
    assert refused.status_code == 422
    assert (
        "Impact workers at period end (500) cannot exceed employees at period end (115)."
        in refused.text
    )
    assert (
        ">Impact workers at period end</a>" in refused.text
    )  # the summary names the field by its label
    assert 'value="500"' in refused.text  # what the vendor typed is kept on the page
    db.session.refresh(disclosure)
    assert disclosure.state == "draft" and disclosure.figures == figures_before  # nothing was saved
    form["workforce.impact_workers_end"] = "55"
    done = client.post(f"/disclosures/{disclosure.id}", data=form)
    assert done.status_code == 302
    db.session.refresh(disclosure)
    assert disclosure.state == "submitted"
    assert disclosure.figures["wages"][0]["currency"] == "KES"
    buyer_client, other_client = client.application.test_client(), client.application.test_client()
    buyer = make_user("buyer")
    sign_in(buyer_client, buyer)
    sign_in(other_client, make_user("buyer"))
    queue = buyer_client.get("/reviews")
    assert vendor.name in queue.text
    shown = buyer_client.get(f"/disclosures/{disclosure.id}")
    verified = buyer_client.post(
        f"/disclosures/{disclosure.id}/review",
        data={"csrf_token": csrf_token_from(shown.text), "decision": "verified", "comment": ""},
    )
    assert verified.status_code == 302
    db.session.refresh(disclosure)
    assert (
        disclosure.state == "submitted"
        and disclosure.state_for(buyer.organization_id) == "verified"
    )
    assert (
        "Your organization verified it on" in buyer_client.get(f"/disclosures/{disclosure.id}").text
    )
    assert "Waiting for review (0)" in buyer_client.get("/reviews").text
    # another buyer organization still has it to review, and sees nothing of this one's decision
    assert "Waiting for review (1)" in other_client.get("/reviews").text
    other_page = other_client.get(f"/disclosures/{disclosure.id}").text
    assert (
        "verified" not in other_page.split("<h1>")[1].split("</h1>")[0]
        and 'id="review"' in other_page
    )
    assert (
        f"verified by {buyer.organization.name}" in client.get("/vendor/disclosures").text
    )  # the vendor sees it


def test_each_buyer_organization_reviews_for_itself(client, make_vendor, make_user, bearer):
    """Two buyer organizations review one version differently: each sees its own decision and
    comment, neither sees the other's, the vendor sees both, and an organization reviews once."""
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _create(client, headers, vendor).json["id"]
    submitted = client.post(f"/api/v1/disclosures/{disclosure_id}/submit", headers=headers).json
    x_user, y_user, z_user = make_user("buyer"), make_user("buyer"), make_user("buyer")
    x, y, z = bearer(x_user), bearer(y_user), bearer(z_user)
    colleague = bearer(make_user("buyer", organization=x_user.organization))
    url = f"/api/v1/disclosures/{disclosure_id}"
    assert (
        client.post(
            f"{url}/review", headers=x, json={"decision": "verified", "comment": "Payroll checked."}
        ).json["state"]
        == "verified"
    )
    assert (
        client.post(
            f"{url}/review", headers=y, json={"decision": "rejected", "comment": "No wage source."}
        ).json["state"]
        == "rejected"
    )
    again = client.post(
        f"{url}/review", headers=colleague, json={"decision": "rejected", "comment": "Hm."}
    )
    assert again.status_code == 409 and "already marked version 1 verified" in again.json["message"]
    seen = {
        name: client.get(url, headers=h).json
        for name, h in (("x", x), ("colleague", colleague), ("y", y), ("z", z), ("vendor", headers))
    }
    assert {name: s["state"] for name, s in seen.items()} == {
        "x": "verified",
        "colleague": "verified",
        "y": "rejected",
        "z": "submitted",
        "vendor": "submitted",
    }
    assert (
        seen["x"]["review_comment"] == "Payroll checked."
        and seen["y"]["review_comment"] == "No wage source."
    )
    assert (
        seen["z"]["review_comment"] is None
        and seen["z"]["reviews"] == []
        and seen["z"]["reviewed_at"] is None
    )
    assert [r["comment"] for r in seen["x"]["reviews"]] == ["Payroll checked."]
    assert sorted(
        (r["organization_name"], r["decision"]) for r in seen["vendor"]["reviews"]
    ) == sorted([(x_user.organization.name, "verified"), (y_user.organization.name, "rejected")])
    by_state = {
        state: [d["id"] for d in client.get(f"/api/v1/disclosures?state={state}", headers=y).json]
        for state in ("submitted", "verified", "rejected")
    }
    assert by_state == {"submitted": [], "verified": [], "rejected": [disclosure_id]}
    assert [d["id"] for d in client.get("/api/v1/disclosures?state=submitted", headers=z).json] == [
        disclosure_id
    ]
    # the version itself never changed
    assert {k: v for k, v in seen["vendor"].items() if k != "reviews"} == {
        k: v for k, v in submitted.items() if k != "reviews"
    }


def _input_labels(page: str) -> dict[str, str]:
    """The text of each <label>, by the id of the input it labels."""
    return {
        input_id: html.unescape(text)
        for input_id, text in re.findall(r'<label for="([^"]+)">([^<]*)<', page)
    }


def test_the_disclosure_pages_label_every_input_as_the_field_table_does(
    client, make_vendor, bearer, sign_in
):
    vendor, user = make_vendor()
    created = _create(client, bearer(user), vendor)  # one site: the page adds an empty second
    sign_in(client, user)
    shown = _input_labels(client.get("/vendor/disclosures").text)
    shown |= _input_labels(client.get(f"/disclosures/{created.json['id']}").text)
    prefix = {
        "period": [""],
        "workforce": ["workforce-"],
        "categories": ["workforce-categories-"],
        "wages": ["wages-0-", "wages-1-"],
        "training": ["training-"],
        "evidence": ["evidence-"],
    }
    expected = {start + f.key: f.label for f in FIELDS if f.entered for start in prefix[f.section]}
    field_inputs = {
        input_id: text
        for input_id, text in shown.items()
        if input_id.startswith(("period_", "workforce-", "wages-", "training-", "evidence-"))
    }
    assert field_inputs == expected
