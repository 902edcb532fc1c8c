"""Evidence uploads: type by content, size limit, generated names, SHA-256, who may download."""

import hashlib
import io
from pathlib import Path

from sqlalchemy import func, select

from procure.disclosures.evidence_store import evidence_store
from procure.disclosures.models import Evidence, EvidenceBlob
from procure.extensions import db
from tests.conftest import PDF, valid_document

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _draft(client, headers, vendor):
    response = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **valid_document()}
    )
    assert response.status_code == 201
    return response.json["id"]


def _upload(
    client, headers, disclosure_id, name, content, section="wages", level="self_reported_documented"
):
    return client.post(
        f"/api/v1/disclosures/{disclosure_id}/evidence",
        headers=headers,
        data={"section": section, "level": level, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_upload_records_hash_and_stores_under_a_generated_name(app, client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    response = _upload(client, headers, disclosure_id, "../../etc/payroll summary.pdf", PDF)
    assert response.status_code == 201, response.json
    assert response.json["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert response.json["filename"] == "etc_payroll_summary.pdf"  # nothing of the path survives
    evidence = db.session.get(Evidence, response.json["id"])
    assert evidence.stored_name.endswith(".pdf") and "/" not in evidence.stored_name
    assert evidence_store().get(evidence.stored_name) == PDF
    assert not (Path(app.instance_path) / "evidence").exists()  # in the store, not on a disk
    download = client.get(f"/api/v1/evidence/{evidence.id}/download", headers=headers)
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]


def test_wrong_content_type_and_oversize_are_refused(app, client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    disguised = _upload(client, headers, disclosure_id, "payroll.pdf", b"MZ\x90\x00 an executable")
    assert disguised.status_code == 422
    assert disguised.json["errors"]["file"] == [
        "The file is named .pdf but its content is not a type we accept."
    ]
    mismatch = _upload(client, headers, disclosure_id, "payroll.pdf", PNG)
    assert mismatch.json["errors"]["file"] == [
        "The file is named .pdf but its content is a PNG file."
    ]
    script = _upload(client, headers, disclosure_id, "run.sh", b"#!/bin/sh\nrm -rf /\n")
    assert script.status_code == 422 and "are not accepted" in script.json["message"]
    app.config["MAX_UPLOAD_MB"] = 0.001  # about 1 KB
    big = _upload(client, headers, disclosure_id, "big.pdf", PDF + b"0" * 2000)
    assert big.status_code == 413 and "the limit is" in big.json["message"]
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert db.session.scalar(select(func.count()).select_from(EvidenceBlob)) == 0


def test_evidence_is_visible_to_the_owner_and_buyers_only(client, make_vendor, make_user, bearer):
    vendor_a, user_a = make_vendor("A")
    vendor_b, user_b = make_vendor("B")
    headers_a = bearer(user_a)
    disclosure_id = _draft(client, headers_a, vendor_a)
    evidence_id = _upload(client, headers_a, disclosure_id, "audit.pdf", PDF).json["id"]
    other_vendor, buyer, executive = (
        bearer(user_b),
        bearer(make_user("buyer")),
        bearer(make_user("executive")),
    )
    url = f"/api/v1/evidence/{evidence_id}/download"
    assert client.get(url, headers=other_vendor).status_code == 404
    assert (
        client.get(url, headers=buyer).status_code == 404
    )  # still a draft: buyers see nothing yet
    client.post(f"/api/v1/disclosures/{disclosure_id}/submit", headers=headers_a)
    assert client.get(url, headers=buyer).status_code == 200
    assert client.get(url, headers=other_vendor).status_code == 404
    assert client.get(url, headers=executive).status_code == 403
    assert client.get(url).status_code == 401
    # a submitted version takes no more evidence
    assert _upload(client, headers_a, disclosure_id, "late.pdf", PDF).status_code == 409


def test_amendment_carries_the_evidence_over(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    _upload(client, headers, disclosure_id, "audit.pdf", PDF)
    client.post(f"/api/v1/disclosures/{disclosure_id}/submit", headers=headers)
    amendment = client.post(f"/api/v1/disclosures/{disclosure_id}/amend", headers=headers).json
    files = client.get(f"/api/v1/disclosures/{amendment['id']}/evidence", headers=headers).json
    assert [(f["filename"], f["sha256"]) for f in files] == [
        ("audit.pdf", hashlib.sha256(PDF).hexdigest())
    ]
    assert client.get(f"/api/v1/evidence/{files[0]['id']}/download", headers=headers).data == PDF


def test_a_documented_level_without_a_file_is_flagged_for_reviewers(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    unbacked = _draft(client, headers, vendor)  # claims self_reported_documented for workforce
    submitted = client.post(f"/api/v1/disclosures/{unbacked}/submit", headers=headers).json
    assert submitted["warnings"] == [
        {
            "field": "evidence.workforce",
            "message": (
                "The workforce section claims 'self reported documented' evidence "
                "but no file is attached to it; "
                "reviewers should ask for the documents."
            ),
        }
    ]
    document = valid_document("2024-01-01", "2024-12-31")
    backed = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
    ).json["id"]
    _upload(client, headers, backed, "headcount.pdf", PDF, section="workforce")
    assert (
        client.post(f"/api/v1/disclosures/{backed}/submit", headers=headers).json["warnings"] == []
    )


def test_pages_upload_evidence_and_amend(client, make_vendor, sign_in):
    from sqlalchemy import select as select_

    from procure.disclosures.models import Disclosure
    from tests.conftest import csrf_token_from

    vendor, user = make_vendor()
    sign_in(client, user)
    api = client.application.test_client()
    token = api.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": "correct-horse-battery"}
    ).json
    disclosure_id = _draft(api, {"Authorization": f"Bearer {token['token']}"}, vendor)
    page = client.get(f"/disclosures/{disclosure_id}")
    refused = client.post(
        f"/disclosures/{disclosure_id}/evidence",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_token_from(page.text),
            "section": "workforce",
            "level": "self_reported_documented",
            "file": (io.BytesIO(b"not a pdf at all"), "headcount.pdf"),
        },
    )
    assert refused.status_code == 422 and "its content is not a type we accept" in refused.text
    stored = client.post(
        f"/disclosures/{disclosure_id}/evidence",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_token_from(page.text),
            "section": "workforce",
            "level": "self_reported_documented",
            "file": (io.BytesIO(PDF), "headcount.pdf"),
        },
    )
    assert stored.status_code == 302
    assert "headcount.pdf" in client.get(f"/disclosures/{disclosure_id}").text
    api.post(
        f"/api/v1/disclosures/{disclosure_id}/submit",
        headers={"Authorization": f"Bearer {token['token']}"},
    )
    shown = client.get(f"/disclosures/{disclosure_id}")
    assert "Amend: start version 2" in shown.text
    amended = client.post(
        f"/disclosures/{disclosure_id}/amend", data={"csrf_token": csrf_token_from(shown.text)}
    )
    assert amended.status_code == 302
    versions = db.session.scalars(select_(Disclosure).order_by(Disclosure.number)).all()
    assert [(d.number, d.state) for d in versions] == [(1, "submitted"), (2, "draft")]
    assert [e.filename for e in versions[1].evidence] == ["headcount.pdf"]
