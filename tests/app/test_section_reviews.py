"""Claimed and effective evidence (issue #18): a vendor's claimed level never scores; files make a
section documented; each buyer organization verifies or rejects each section for itself; a
verification ages; old whole-version verifications become section verifications."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from click.testing import CliRunner
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from procure import create_app
from procure.audit.models import AuditEvent
from procure.cli import main
from procure.disclosures.models import DisclosureSectionReview
from procure.extensions import db
from procure.notifications.models import Notification
from procure.scoring.adapter import scoring_input
from procure.scoring_defaults import default_profile
from tests.conftest import PDF, csrf_token_from, disclosure_form_fields, valid_document

SECTIONS = ("workforce", "wages", "training")
JUNK_CSV = b"name,statement\nnobody,trust me\n"  # Lakeside's own "audit", two lines

# The wages section of valid_document, by hand: living wage ratio 36,000 / 35,000 = 1.028571,
# normalised (1.028571 - 0.75) / (1.25 - 0.75) = 0.557143 at weight 0.20; entry wage 32,000 /
# minimum 15,201 = 2.105, clipped to 1 at weight 0.10. Impact pillar 0.45, 100 points: the
# section gives 100 x 0.45 x (0.20 x 0.557143 + 0.10 x 1) = 9.514286 points x evidence factor.
WAGES_POINTS_AT_FACTOR_1 = 100 * 0.45 * (0.20 * (36000 / 35000 - 0.75) / 0.5 + 0.10 * 1.0)


def claims(workforce, wages, training) -> dict:
    return {"workforce": workforce, "wages": wages, "training": training}


def upload(client, headers, disclosure_id, section, content=PDF, name="records.pdf", level=None):
    response = client.post(
        f"/api/v1/disclosures/{disclosure_id}/evidence",
        headers=headers,
        data={
            "section": section,
            "level": level or "self_reported_documented",
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    return response


def submitted(client, headers, vendor, evidence: dict, files=()) -> int:
    """A submitted version of valid_document claiming `evidence`, with a PDF in each section of
    `files`."""
    document = valid_document()
    document["evidence"] = evidence
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
    )
    assert created.status_code == 201, created.json
    for section in files:
        upload(client, headers, created.json["id"], section)
    done = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert done.status_code == 200, done.json
    return created.json["id"]


def card(client, headers, vendor_id, query=""):
    response = client.get(f"/api/v1/vendors/{vendor_id}/scorecard{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def section_points(scorecard, section) -> float:
    return sum(line["points"] for line in scorecard["explanation"] if line["section"] == section)


def levels(scorecard) -> dict:
    return {e["section"]: e["effective_level"] for e in scorecard["evidence"]}


def review_section(client, headers, disclosure_id, section, decision, comment=""):
    return client.post(
        f"/api/v1/disclosures/{disclosure_id}/sections/{section}/review",
        headers=headers,
        json={"decision": decision, "comment": comment},
    )


@pytest.fixture
def peers(make_vendor, client, bearer):
    """A second vendor, so that every ranking has two."""
    vendor, user = make_vendor("Peer Annotation")
    submitted(
        client, bearer(user), vendor, claims("self_reported", "self_reported", "self_reported")
    )
    return vendor


# ------------------------------------------------------------------ a claim alone never scores


def test_lakeside_claims_third_party_reasonable_with_a_junk_csv_and_gets_documented_at_most(
    client, make_vendor, make_user, bearer, peers
):
    lakeside, user = make_vendor("Lakeside Annotation Collective")
    vendor = bearer(user)
    first = submitted(client, vendor, lakeside, claims(*["self_reported"] * 3))
    buyer = bearer(make_user("buyer"))  # never reviews anything
    before = card(client, buyer, lakeside.id)
    assert levels(before) == dict.fromkeys(SECTIONS, "self_reported")

    # version 2: the same figures, every section claimed third_party_reasonable, a CSV it wrote
    amended = client.post(f"/api/v1/disclosures/{first}/amend", headers=vendor).json
    edited = client.patch(
        f"/api/v1/disclosures/{amended['id']}",
        headers=vendor,
        json={
            "edit_version": amended["edit_version"],
            "evidence": claims(*["third_party_reasonable"] * 3),
        },
    )
    assert edited.status_code == 200, edited.json
    upload(client, vendor, amended["id"], "wages", JUNK_CSV, "audit.csv", "third_party_reasonable")
    assert (
        client.post(f"/api/v1/disclosures/{amended['id']}/submit", headers=vendor).status_code
        == 200
    )

    after = card(client, buyer, lakeside.id)
    assert after["score"]["disclosure_id"] == amended["id"]
    assert levels(after) == claims("self_reported", "self_reported_documented", "self_reported")
    # Only the wages section rises, from 0.5 to 0.7 (a file, whatever it says):
    # 9.514286 x (0.7 - 0.5) = 1.902857 points. Counted as claimed (1.0 everywhere), every impact
    # point would have doubled.
    rise = WAGES_POINTS_AT_FACTOR_1 * (0.7 - 0.5)
    assert rise == pytest.approx(1.902857, abs=1e-6)
    assert after["score"]["total"] == pytest.approx(before["score"]["total"] + rise, abs=1e-9)
    assert section_points(after, "wages") == pytest.approx(
        section_points(before, "wages") * 0.7 / 0.5, abs=1e-9
    )
    as_claimed = before["score"]["total"] + sum(
        line["points"] for line in before["explanation"] if line["pillar"] == "impact"
    )
    assert after["score"]["total"] < as_claimed - 5
    sections = client.get(f"/api/v1/disclosures/{amended['id']}/sections", headers=buyer).json
    assert [s["claim_note"] for s in sections] == [
        "claimed third-party reasonable; the evidence supports self-reported",
        "claimed third-party reasonable; the evidence supports self-reported documented",
        "claimed third-party reasonable; the evidence supports self-reported",
    ]


def test_a_claim_with_no_file_at_all_moves_nothing(client, make_vendor, make_user, bearer, peers):
    vendor_record, user = make_vendor()
    vendor = bearer(user)
    first = submitted(client, vendor, vendor_record, claims(*["self_reported"] * 3))
    buyer = bearer(make_user("buyer"))
    before = card(client, buyer, vendor_record.id)["score"]
    amended = client.post(f"/api/v1/disclosures/{first}/amend", headers=vendor).json
    edited = client.patch(
        f"/api/v1/disclosures/{amended['id']}",
        headers=vendor,
        json={
            "edit_version": amended["edit_version"],
            "evidence": claims(*["third_party_reasonable"] * 3),
        },
    )
    assert edited.json["evidence"] == claims(*["third_party_reasonable"] * 3)
    client.post(f"/api/v1/disclosures/{amended['id']}/submit", headers=vendor)
    after = card(client, buyer, vendor_record.id)["score"]
    assert after["disclosure_id"] == amended["id"]
    assert (after["total"], after["rank"], after["impact_score"]) == (
        before["total"],
        before["rank"],
        before["impact_score"],
    )


def test_a_vendor_cannot_make_itself_buyer_verified_or_third_party(
    client, make_vendor, make_user, bearer, sign_in, peers
):
    """The claim is stored as a claim (the choice in procure/disclosures/evidence_levels.py) and
    shown; it scores as the files say, through the API and the page alike."""
    vendor_record, user = make_vendor()
    vendor = bearer(user)
    claimed = claims("buyer_verified", "third_party_reasonable", "third_party_limited")
    by_api = submitted(client, vendor, vendor_record, claimed)
    assert client.get(f"/api/v1/disclosures/{by_api}", headers=vendor).json["evidence"] == claimed
    own = card(client, vendor, vendor_record.id)
    assert levels(own) == dict.fromkeys(SECTIONS, "self_reported")
    assert {
        line["evidence_factor"] for line in own["explanation"] if line["pillar"] == "impact"
    } == {0.5}
    buyer = bearer(make_user("buyer"))
    assert levels(card(client, buyer, vendor_record.id)) == dict.fromkeys(SECTIONS, "self_reported")
    # nor can it review its own sections, by the API or the page
    assert review_section(client, vendor, by_api, "wages", "verified").status_code == 403
    sign_in(client, user)
    page = client.post(
        f"/disclosures/{by_api}/sections/wages/review",
        data={
            "decision": "verified",
            "csrf_token": csrf_token_from(client.get(f"/disclosures/{by_api}").text),
        },
    )
    assert page.status_code == 403
    assert db.session.scalar(select(DisclosureSectionReview.id)) is None

    # the page: a draft for another year claims buyer_verified for wages and is submitted
    document = valid_document("2024-01-01", "2024-12-31")
    document["evidence"] = claims("self_reported", "buyer_verified", "self_reported")
    draft = client.post(
        "/api/v1/disclosures", headers=vendor, json={"vendor_id": vendor_record.id, **document}
    ).json
    form = disclosure_form_fields(document) | {
        "edit_version": str(draft["edit_version"]),
        "action": "submit",
        "csrf_token": csrf_token_from(client.get(f"/disclosures/{draft['id']}").text),
    }
    assert client.post(f"/disclosures/{draft['id']}", data=form).status_code == 302
    shown = client.get(f"/disclosures/{draft['id']}").text
    assert "Claimed buyer-verified; the evidence supports self-reported." in shown
    sections = client.get(f"/api/v1/disclosures/{draft['id']}/sections", headers=vendor).json
    assert [(s["claimed_level"], s["effective_level"]) for s in sections] == [
        ("self_reported", "self_reported"),
        ("buyer_verified", "self_reported"),
        ("self_reported", "self_reported"),
    ]


# ------------------------------------------------------------------ reviews per section


@pytest.fixture
def documented(client, make_vendor, make_user, bearer, peers):
    """A vendor whose version has a file in workforce and wages (none in training), and two buyer
    organizations, X and Y."""
    vendor_record, user = make_vendor("Documented Data")
    vendor = bearer(user)
    disclosure_id = submitted(
        client,
        vendor,
        vendor_record,
        claims(*["self_reported_documented"] * 3),
        ("workforce", "wages"),
    )
    buyer_x, buyer_y = make_user("buyer"), make_user("buyer")
    return {
        "vendor": vendor_record,
        "vendor_user": user,
        "vendor_headers": vendor,
        "disclosure_id": disclosure_id,
        "x": bearer(buyer_x),
        "y": bearer(buyer_y),
        "buyer_x": buyer_x,
        "buyer_y": buyer_y,
    }


def test_a_section_verification_lifts_that_section_for_that_buyer_only(client, documented):
    d, vendor_id = documented, documented["vendor"].id
    before = {who: card(client, d[who], vendor_id) for who in ("x", "y", "vendor_headers")}
    for scorecard in before.values():
        assert levels(scorecard) == claims(
            "self_reported_documented", "self_reported_documented", "self_reported"
        )
    verified = review_section(
        client, d["x"], d["disclosure_id"], "wages", "verified", "Payroll matches"
    )
    assert verified.status_code == 200, verified.json
    assert verified.json["effective_level"] == "buyer_verified"
    assert verified.json["basis"].endswith("counts one level lower from 2027-12-31")

    after = {who: card(client, d[who], vendor_id) for who in ("x", "y", "vendor_headers")}
    assert levels(after["x"]) == claims(
        "self_reported_documented", "buyer_verified", "self_reported"
    )
    # X's wages points rise from 0.7 to 0.85: 9.514286 x 0.15 = 1.427143 points; nothing else moves
    rise = WAGES_POINTS_AT_FACTOR_1 * (0.85 - 0.7)
    assert rise == pytest.approx(1.427143, abs=1e-6)
    assert after["x"]["score"]["total"] == pytest.approx(
        before["x"]["score"]["total"] + rise, abs=1e-9
    )
    for line_before, line_after in zip(
        before["x"]["explanation"], after["x"]["explanation"], strict=True
    ):
        if line_before["section"] != "wages":
            assert line_after["points"] == line_before["points"]
    # buyer Y and the vendor itself see no change at all
    for who in ("y", "vendor_headers"):
        assert after[who]["score"] == before[who]["score"] and levels(after[who]) == levels(
            before[who]
        )


def test_a_section_without_a_file_cannot_be_verified_and_a_version_verify_skips_it(
    client, documented
):
    d = documented
    refused = review_section(client, d["x"], d["disclosure_id"], "training", "verified")
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["decision"]
    assert "no evidence file" in refused.json["errors"]["decision"][0]
    # rejecting it needs a comment, naming the field
    silent = review_section(client, d["x"], d["disclosure_id"], "training", "rejected")
    assert silent.status_code == 422 and list(silent.json["errors"]) == ["comment"]
    # X rejects wages, then verifies the whole version: workforce (a file, undecided) is verified;
    # training (no file) is not lifted; wages stays rejected
    assert (
        review_section(
            client, d["x"], d["disclosure_id"], "wages", "rejected", "Unsigned"
        ).status_code
        == 200
    )
    whole = client.post(
        f"/api/v1/disclosures/{d['disclosure_id']}/review",
        headers=d["x"],
        json={"decision": "verified"},
    )
    assert whole.status_code == 200 and whole.json["state"] == "verified"
    assert levels(card(client, d["x"], d["vendor"].id)) == claims(
        "buyer_verified", "self_reported", "self_reported"
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "disclosure.verify"))
    assert event.changes["after"]["sections_verified"] == ["workforce"]
    # a decided section is decided once; an unknown section is no resource
    again = review_section(client, d["x"], d["disclosure_id"], "workforce", "rejected", "x")
    assert again.status_code == 409
    assert (
        review_section(client, d["x"], d["disclosure_id"], "payroll", "verified").status_code == 404
    )


def test_a_rejected_version_takes_no_section_decisions(client, documented):
    d = documented
    client.post(
        f"/api/v1/disclosures/{d['disclosure_id']}/review",
        headers=d["y"],
        json={"decision": "rejected", "comment": "Figures do not add up"},
    )
    refused = review_section(client, d["y"], d["disclosure_id"], "wages", "verified")
    assert refused.status_code == 409 and "rejected version 1" in refused.json["message"]


def test_section_reviews_are_audited_and_the_vendor_is_told(client, documented):
    d = documented
    review_section(client, d["x"], d["disclosure_id"], "wages", "rejected", "Payroll unsigned")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "disclosure.section_reject")
    )
    assert event.actor_id == d["buyer_x"].id and event.target_id == str(d["disclosure_id"])
    assert event.changes["after"] == {
        "section": "wages",
        "decision": "rejected",
        "comment": "Payroll unsigned",
    }
    told = db.session.scalars(
        select(Notification.title).where(
            Notification.user_id == d["vendor_user"].id, Notification.kind == "review_decided"
        )
    ).all()
    buyer = d["buyer_x"].organization.name
    assert told == [f"{buyer} rejected the wages section of your disclosure for 2025 (version 1)."]


def test_another_buyer_cannot_see_or_change_a_buyers_section_reviews(
    client, documented, make_vendor, bearer, sign_in
):
    d = documented
    review_section(client, d["x"], d["disclosure_id"], "wages", "verified", "X checked the payroll")
    seen_by_y = client.get(
        f"/api/v1/disclosures/{d['disclosure_id']}/sections", headers=d["y"]
    ).json
    assert [s["reviews"] for s in seen_by_y] == [[], [], []]
    assert (
        seen_by_y[1]["effective_level"] == "self_reported_documented"
        and seen_by_y[1]["decision"] is None
    )
    sign_in(client, d["buyer_y"])
    assert "X checked the payroll" not in client.get(f"/disclosures/{d['disclosure_id']}").text
    # Y's own decision is Y's: X's stays as it was
    assert (
        review_section(
            client, d["y"], d["disclosure_id"], "wages", "rejected", "Y disagrees"
        ).status_code
        == 200
    )
    mine = db.session.scalars(
        select(DisclosureSectionReview).order_by(DisclosureSectionReview.id)
    ).all()
    assert [(r.organization_id, r.decision) for r in mine] == [
        (d["buyer_x"].organization_id, "verified"),
        (d["buyer_y"].organization_id, "rejected"),
    ]
    assert levels(card(client, d["x"], d["vendor"].id))["wages"] == "buyer_verified"
    # the vendor sees both organizations' reviews; another vendor sees nothing of the version
    seen_by_vendor = client.get(
        f"/api/v1/disclosures/{d['disclosure_id']}/sections", headers=d["vendor_headers"]
    ).json
    assert [(r["organization_id"], r["comment"]) for r in seen_by_vendor[1]["reviews"]] == [
        (d["buyer_x"].organization_id, "X checked the payroll"),
        (d["buyer_y"].organization_id, "Y disagrees"),
    ]
    _, other = make_vendor("Other Vendor")
    assert (
        client.get(
            f"/api/v1/disclosures/{d['disclosure_id']}/sections", headers=bearer(other)
        ).status_code
        == 404
    )


def test_the_page_reviews_one_section_and_shows_claim_against_evidence(client, documented, sign_in):
    d = documented
    sign_in(client, d["buyer_x"])
    page = client.get(f"/disclosures/{d['disclosure_id']}").text
    assert "Verify wages" in page and "Verify training" not in page and "Reject training" in page
    token = csrf_token_from(page)
    refused = client.post(
        f"/disclosures/{d['disclosure_id']}/sections/training/review",
        data={"decision": "rejected", "comment": "", "csrf_token": token},
    )
    assert refused.status_code == 422 and 'id="sections-training-comment-error"' in refused.text
    done = client.post(
        f"/disclosures/{d['disclosure_id']}/sections/wages/review",
        data={"decision": "verified", "comment": "Payroll matches", "csrf_token": token},
    )
    assert done.status_code == 302
    shown = client.get(f"/disclosures/{d['disclosure_id']}").text
    assert "Verify wages" not in shown and "Your organization verified it on" in shown
    assert (
        "Claimed self-reported documented; the evidence supports self-reported." in shown
    )  # training
    scorecard = client.get(f"/vendors/{d['vendor'].id}/scorecard").text
    assert "counts one level lower from 2027-12-31" in scorecard


# ------------------------------------------------------------------ evidence ages


def test_a_verification_counts_one_level_lower_from_the_boundary_day(client, documented):
    d = documented
    review_section(client, d["x"], d["disclosure_id"], "wages", "verified")
    organization = d["buyer_x"].organization_id
    vendor_id = d["vendor"].id
    # period end 2025-12-31 + 24 months (the default profile) = 2027-12-31
    on_the_eve = scoring_input(organization, priced_on=date(2027, 12, 30)).evidence[vendor_id]
    on_the_day = scoring_input(organization, priced_on=date(2027, 12, 31)).evidence[vendor_id]
    assert on_the_eve["wages"].level == "buyer_verified"
    assert on_the_day["wages"].level == "self_reported_documented" and on_the_day["wages"].aged
    assert on_the_day["workforce"].level == "self_reported_documented"  # a file does not age
    # a profile of 1 month: 2025-12-31 + 1 month = 2026-01-31, long past today
    settings = default_profile().to_dict() | {"evidence_age_months": 1}
    profile = client.post(
        "/api/v1/scoring-profiles", headers=d["x"], json={"name": "Fresh", "settings": settings}
    )
    assert profile.status_code == 201, profile.json
    aged = card(client, d["x"], vendor_id, f"?profile={profile.json['id']}")
    wages = next(e for e in aged["evidence"] if e["section"] == "wages")
    assert wages["effective_level"] == "self_reported_documented"
    assert wages["basis"].endswith("counts one level lower since 2026-01-31")
    fresh = card(client, d["x"], vendor_id)
    assert levels(fresh)["wages"] == "buyer_verified"
    # 9.514286 x (0.85 - 0.7) = 1.427143 points apart
    assert fresh["score"]["total"] - aged["score"]["total"] == pytest.approx(
        WAGES_POINTS_AT_FACTOR_1 * 0.15, abs=1e-9
    )
    bad = client.post(
        "/api/v1/scoring-profiles",
        headers=d["x"],
        json={"name": "Never", "settings": settings | {"evidence_age_months": 0}},
    )
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["settings.evidence_age_months"]


# ------------------------------------------------------------------ migration 0022


def test_old_version_verifications_become_verifications_of_the_sections_with_files(tmp_path):
    """0022: a verified version's sections that had a file are verified for the same
    organization (its comment and time kept); a section without a file, and a rejected
    version, get nothing. The downgrade drops the section reviews only. The records are made at
    0021 through the models of the tables 0022 does not touch (the organizations as rows of
    0021: the model has columns of later migrations)."""
    from procure.disclosures.models import Disclosure, DisclosureReview, Evidence
    from procure.vendors.models import Vendor
    from tests.app.test_coalition_measurement_migration import insert_organizations

    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'sections.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    reviewed_at = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="0021_campaign_changes")
        x, y, owner = 1, 2, 3
        insert_organizations(
            db.session.connection(), (x, "X", "buyer"), (y, "Y", "buyer"), (owner, "V", "vendor")
        )
        vendor = Vendor(
            organization_id=owner, name="V", country="KE", service_categories=[], sites=[]
        )
        versions = [
            Disclosure(
                vendor=vendor,
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                state="submitted",
            )
            for year in (2024, 2025)
        ]
        db.session.add_all([vendor, *versions])
        db.session.flush()
        for version, section in ((0, "wages"), (0, "wages"), (0, "training"), (1, "wages")):
            db.session.add(
                Evidence(
                    disclosure=versions[version],
                    section=section,
                    level="self_reported_documented",
                    filename="f.pdf",
                    stored_name="f.pdf",
                    content_type="application/pdf",
                    size=1,
                    sha256="0" * 64,
                )
            )
        for version, organization, decision, comment in (
            (0, x, "verified", "Checked"),
            (0, y, "rejected", "No"),
            (1, y, "verified", None),
        ):
            db.session.add(
                DisclosureReview(
                    disclosure=versions[version],
                    organization_id=organization,
                    decision=decision,
                    comment=comment,
                    reviewed_at=reviewed_at,
                )
            )
        db.session.commit()
        ids = {"x": x, "y": y, "first": versions[0].id, "second": versions[1].id}
        db.session.remove()

        upgrade(revision="0022_section_reviews")
        migrated = db.session.scalars(
            select(DisclosureSectionReview).order_by(
                DisclosureSectionReview.disclosure_id,
                DisclosureSectionReview.organization_id,
                DisclosureSectionReview.section,
            )
        ).all()
        assert [
            (r.disclosure_id, r.organization_id, r.section, r.decision, r.comment, r.reviewed_at)
            for r in migrated
        ] == [
            (ids["first"], ids["x"], "training", "verified", "Checked", reviewed_at),
            (ids["first"], ids["x"], "wages", "verified", "Checked", reviewed_at),
            (ids["second"], ids["y"], "wages", "verified", None, reviewed_at),
        ]  # no workforce section had a file; Y's rejection of the first version stays one
        db.session.remove()

        downgrade(revision="0021_campaign_changes")
        with db.engine.connect() as connection:
            tables = set(connection.execute(text("SELECT name FROM sqlite_master")).scalars())
            kept = connection.execute(text("SELECT count(*) FROM disclosure_review")).scalar()
        assert "disclosure_section_review" not in tables and kept == 3
        db.engine.dispose()


def test_scoring_reads_files_and_section_reviews_in_the_same_queries_for_any_number(
    client, make_vendor, make_user, bearer
):
    """No query per vendor (issue #23): the statements scoring_input sends for a buyer are as many
    with six documented, reviewed vendors as with two."""
    from sqlalchemy import event

    buyer = make_user("buyer")
    headers = bearer(buyer)

    def add_vendors(count):
        for _ in range(count):
            vendor, user = make_vendor()
            version = submitted(
                client, bearer(user), vendor, claims(*["self_reported_documented"] * 3), ("wages",)
            )
            review_section(client, headers, version, "wages", "verified")

    def statements():
        sent = []

        def count(*_args):
            sent.append(1)

        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            inputs = scoring_input(buyer.organization_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert {v["wages"].level for v in inputs.evidence.values()} == {"buyer_verified"}
        return len(sent)

    add_vendors(2)
    statements()  # reference data read once per process (exchange rates, categories)
    two = statements()
    add_vendors(4)
    assert statements() == two


def test_the_profile_editor_sets_the_evidence_age(client, make_user, sign_in):
    from procure.scoring.models import ScoringProfile

    buyer = make_user("buyer")
    sign_in(client, buyer)
    page = client.get("/profiles").text
    assert 'name="evidence_age_months"' in page and 'value="24"' in page
    form = {"name": "Strict on age", "action": "save", "csrf_token": csrf_token_from(page)}
    refused = client.post("/profiles", data=form | {"evidence_age_months": "0"})
    assert refused.status_code == 422 and 'id="evidence_age_months-error"' in refused.text
    assert client.post("/profiles", data=form | {"evidence_age_months": "12"}).status_code == 302
    saved = db.session.scalar(select(ScoringProfile).where(ScoringProfile.name == "Strict on age"))
    assert saved.settings["evidence_age_months"] == 12


# ------------------------------------------------------------------ the export scores as /scores


def _scored_by_cli(client, headers, tmp_path) -> pd.DataFrame:
    """The buyer's export (the latest period of each vendor) through `procure score`."""
    export = client.get("/api/v1/disclosures/export?latest_period=true", headers=headers)
    assert export.status_code == 200
    path = tmp_path / "export.csv"
    path.write_bytes(export.data)
    printed = CliRunner().invoke(main, ["score", str(path)], catch_exceptions=False)
    return pd.read_csv(io.StringIO(printed.output)).set_index("vendor_id")


def test_a_buyers_export_leaves_out_the_versions_it_rejected_and_scores_as_its_scores(
    client, documented, tmp_path
):
    """Version 2 of Documented Data has a file in every section and its buyer-verified
    workforce; X then rejects version 2. X's /scores falls back to version 1, and so must X's
    export (before, it carried the rejected version 2 with its buyer-verified workforce, and
    `procure score` on it ranked the vendor above what /scores said). Once X rejects version 1
    too, neither lists the vendor."""
    d = documented
    amended = client.post(
        f"/api/v1/disclosures/{d['disclosure_id']}/amend", headers=d["vendor_headers"]
    ).json
    upload(client, d["vendor_headers"], amended["id"], "training")
    submit = client.post(f"/api/v1/disclosures/{amended['id']}/submit", headers=d["vendor_headers"])
    assert submit.status_code == 200, submit.json
    assert review_section(client, d["x"], amended["id"], "workforce", "verified").status_code == 200
    rejected = client.post(
        f"/api/v1/disclosures/{amended['id']}/review",
        headers=d["x"],
        json={"decision": "rejected", "comment": "The training file is someone else's."},
    )
    assert rejected.status_code == 200, rejected.json

    def scores() -> dict[int, dict]:
        return {row["vendor_id"]: row for row in client.get("/api/v1/scores", headers=d["x"]).json}

    api = scores()
    assert card(client, d["x"], d["vendor"].id)["score"]["disclosure_id"] == d["disclosure_id"]
    cli = _scored_by_cli(client, d["x"], tmp_path)
    assert sorted(cli.index) == sorted(api)
    for vendor_id, row in api.items():
        assert cli.loc[vendor_id, "total"] == pytest.approx(row["total"], abs=1e-9)
        assert cli.loc[vendor_id, "rank"] == row["rank"]
    # version 1's files are workforce and wages: documented, not the rejected version's levels
    exported = pd.read_csv(
        io.BytesIO(client.get("/api/v1/disclosures/export?latest_period=true", headers=d["x"]).data)
    ).set_index("vendor_id")
    assert exported.loc[d["vendor"].id, "evidence_workforce"] == "self_reported_documented"
    assert exported.loc[d["vendor"].id, "evidence_training"] == "self_reported"

    client.post(
        f"/api/v1/disclosures/{d['disclosure_id']}/review",
        headers=d["x"],
        json={"decision": "rejected", "comment": "Superseded figures."},
    )
    api = scores()
    assert d["vendor"].id not in api
    assert sorted(_scored_by_cli(client, d["x"], tmp_path).index) == sorted(api)
    # Y rejected nothing: its export still carries version 2
    exported_y = pd.read_csv(
        io.BytesIO(client.get("/api/v1/disclosures/export?latest_period=true", headers=d["y"]).data)
    ).set_index("vendor_id")
    assert exported_y.loc[d["vendor"].id, "evidence_training"] == "self_reported_documented"
