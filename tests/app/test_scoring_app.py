"""Scores in the app: the API agrees with `procure score` on an export; scorecards add up;
profiles are versioned and validated; vendors see only their own scorecard."""

import html
import io
import re
from datetime import date

import pandas as pd
from click.testing import CliRunner

from procure.cli import main
from scoring.fields import COLUMN_FIELDS
from tests.conftest import csrf_token_from, valid_document


def _submitted(client, headers, vendor, document=None):
    created = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": vendor.id, **(document or valid_document())},
    ).json
    client.post(f"/api/v1/disclosures/{created['id']}/submit", headers=headers)
    return created["id"]


def _two_vendors(client, make_vendor, bearer):
    a, user_a = make_vendor("Alpha Annotation")
    b, user_b = make_vendor("Beta BPO")
    _submitted(client, bearer(user_a), a)
    weaker = valid_document()
    weaker["workforce"]["impact_workers_end"] = 10
    weaker["workforce"]["impact_worker_hires"] = 3
    weaker["workforce"]["impact_worker_departures"] = 1
    weaker["workforce"]["categories"] = {
        k: min(v, 10) for k, v in weaker["workforce"]["categories"].items()
    }
    weaker["training"]["training_hours_impact_workers"] = 400.0
    _submitted(client, bearer(user_b), b, weaker)
    return (a, user_a), (b, user_b)


def test_api_scores_agree_with_procure_score_on_the_export(
    client, make_vendor, make_user, bearer, tmp_path
):
    (a, _), (b, _) = _two_vendors(client, make_vendor, bearer)
    buyer = bearer(make_user("buyer"))
    api_rows = client.get("/api/v1/scores", headers=buyer).json
    assert [r["vendor_name"] for r in api_rows] == ["Alpha Annotation", "Beta BPO"]
    export = tmp_path / "export.csv"
    export.write_bytes(
        client.get("/api/v1/disclosures/export?latest_period=true", headers=buyer).data
    )
    printed = CliRunner().invoke(main, ["score", str(export)], catch_exceptions=False)
    cli = pd.read_csv(io.StringIO(printed.output)).set_index("vendor_id")
    assert sorted(r["topsis_rank"] for r in api_rows) == [1, 2]  # TOPSIS ranks the same vendors
    for row in api_rows:
        assert abs(cli.loc[row["vendor_id"], "total"] - row["total"]) < 1e-9
        assert cli.loc[row["vendor_id"], "rank"] == row["rank"]
        assert abs(sum(row["points"].values()) - row["total"]) < 1e-9


def test_scorecard_explains_every_point(client, make_vendor, bearer):
    (a, user_a), _ = _two_vendors(client, make_vendor, bearer)
    card = client.get(f"/api/v1/vendors/{a.id}/scorecard", headers=bearer(user_a)).json
    assert abs(sum(line["points"] for line in card["explanation"]) - card["score"]["total"]) < 1e-9
    share = next(line for line in card["explanation"] if line["metric"] == "impact_worker_share")
    # 55 impact workers / 115 employees = 0.4783; goalposts 0 -> 0.5 give 0.9565;
    # the workforce section claims self_reported_documented but has no file, so it scores
    # self_reported (issue #18: a claim never scores): evidence 0.5 x weight 0.25 x impact
    # pillar 0.45 x 100 x 0.9565 = 5.3804 points (7.5326 when the claim counted, at 0.7)
    assert abs(share["raw_value"] - 55 / 115) < 1e-12
    assert abs(share["normalised"] - (55 / 115) / 0.5) < 1e-12
    assert share["evidence_level"] == "self_reported" and share["evidence_factor"] == 0.5
    assert abs(share["points"] - 100 * 0.45 * 0.25 * 0.5 * (55 / 115) / 0.5) < 1e-9


def test_vendors_see_only_their_own_scorecard_and_no_ranking(
    client, make_vendor, make_user, bearer
):
    (a, user_a), (b, user_b) = _two_vendors(client, make_vendor, bearer)
    headers_b = bearer(user_b)
    assert client.get(f"/api/v1/vendors/{a.id}/scorecard", headers=headers_b).status_code == 404
    assert client.get("/api/v1/scores", headers=headers_b).status_code == 403
    assert (
        client.post(
            f"/api/v1/vendors/{a.id}/what-if",
            headers=headers_b,
            json={"changes": {"impact_workers_end": 1}},
        ).status_code
        == 404
    )
    assert client.get("/api/v1/scoring-profiles", headers=headers_b).status_code == 403
    assert client.get("/api/v1/scores").status_code == 401


def test_what_if_changes_nothing_and_says_the_new_rank(client, make_vendor, bearer):
    (a, user_a), (b, user_b) = _two_vendors(client, make_vendor, bearer)
    headers = bearer(user_b)
    alpha = client.get(f"/api/v1/vendors/{a.id}/scorecard", headers=bearer(user_a)).json["score"]
    before = client.get(f"/api/v1/vendors/{b.id}/scorecard", headers=headers).json["score"]
    answer = client.post(
        f"/api/v1/vendors/{b.id}/what-if",
        headers=headers,
        json={
            "changes": {
                "impact_workers_end": 55,
                "impact_worker_hires": 20,
                "training_hours_impact_workers": 2400,
            }
        },
    )
    assert answer.status_code == 200
    # with Alpha's figures Beta ties Alpha exactly; the tie goes to the lower vendor id (Alpha)
    assert abs(answer.json["total_after"] - alpha["total"]) < 1e-9
    assert answer.json["rank_before"] == 2 and answer.json["rank_after"] == 2
    assert answer.json["total_after"] > answer.json["total_before"] == before["total"]
    assert answer.json["sentence"].startswith(f"The total would move from {before['total']:.1f}")
    again = client.get(f"/api/v1/vendors/{b.id}/scorecard", headers=headers).json["score"]
    assert again["total"] == before["total"]
    bad = client.post(
        f"/api/v1/vendors/{b.id}/what-if", headers=headers, json={"changes": {"salary": 5}}
    )
    assert bad.status_code == 422 and bad.json["errors"] == {
        "changes.salary": ["Not a figure you can change here."]
    }


def test_profiles_are_validated_versioned_and_private(client, make_vendor, make_user, bearer):
    _two_vendors(client, make_vendor, bearer)
    buyer = make_user("buyer")
    headers = bearer(buyer)
    default = client.get("/api/v1/scores", headers=headers).json
    settings = {
        "pillar_weights": {"impact": 0.8, "cost": 0.1, "quality": 0.1},
        "metric_weights": {"impact_worker_share": 1.0},
        "evidence_factors": {
            "none": 0,
            "self_reported": 0.5,
            "self_reported_documented": 0.7,
            "buyer_verified": 0.85,
            "third_party_limited": 0.9,
            "third_party_reasonable": 1.0,
        },
        "knockout_below_minimum_wage": True,
        "quality_goalposts": [0.8, 1.0],
        "goalposts": {},
    }
    bad = client.post(
        "/api/v1/scoring-profiles",
        headers=headers,
        json={
            "name": "Impact first",
            "settings": {
                **settings,
                "pillar_weights": {"impact": 0.8, "cost": 0.3, "quality": 0.1},
            },
        },
    )
    assert bad.status_code == 422
    assert any(key.startswith("settings.pillar_weights") for key in bad.json["errors"])
    created = client.post(
        "/api/v1/scoring-profiles",
        headers=headers,
        json={"name": "Impact first", "settings": settings},
    )
    assert created.status_code == 201 and created.json["number"] == 1
    ranked = client.get(f"/api/v1/scores?profile={created.json['id']}", headers=headers).json
    alpha = next(r for r in ranked if r["vendor_name"] == "Alpha Annotation")
    alpha_default = next(r for r in default if r["vendor_name"] == "Alpha Annotation")
    assert alpha["points"]["impact"] > alpha_default["points"]["impact"]
    revised = client.patch(
        f"/api/v1/scoring-profiles/{created.json['id']}",
        headers=headers,
        json={"settings": {**settings, "knockout_below_minimum_wage": False}},
    )
    assert revised.status_code == 201 and revised.json["number"] == 2
    stale = client.patch(
        f"/api/v1/scoring-profiles/{created.json['id']}",
        headers=headers,
        json={"settings": settings},
    )
    assert stale.status_code == 409
    versions = client.get(
        f"/api/v1/scoring-profiles/{revised.json['id']}/versions", headers=headers
    ).json
    assert [v["number"] for v in versions] == [1, 2] and versions[0]["settings"][
        "knockout_below_minimum_wage"
    ] is True
    other_buyer = bearer(make_user("buyer"))
    assert (
        client.get(
            f"/api/v1/scoring-profiles/{created.json['id']}", headers=other_buyer
        ).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/scores?profile={created.json['id']}", headers=other_buyer).status_code
        == 404
    )
    assert client.get("/api/v1/scoring-profiles", headers=other_buyer).json == []


def test_compare_and_scorecard_pages(client, make_vendor, make_user, sign_in):
    vendor, user = make_vendor("Alpha Annotation")
    sign_in(client, user)
    assert "No score yet" in client.get("/scorecard").text
    from flask import current_app  # noqa: F401

    headers_client = client.application.test_client()
    token = headers_client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": "correct-horse-battery"}
    ).json["token"]
    _submitted(headers_client, {"Authorization": f"Bearer {token}"}, vendor)
    page = client.get("/scorecard")
    assert "Where the points come from" in page.text and "<svg" in page.text
    answer = client.post(
        "/scorecard", data={"csrf_token": csrf_token_from(page.text), "impact_workers_end": "abc"}
    )
    assert answer.status_code == 422 and "&#39;abc&#39; is not a number." in answer.text
    buyer_client = client.application.test_client()
    sign_in(buyer_client, make_user("buyer"))
    compare = buyer_client.get("/scores")
    assert "Alpha Annotation" in compare.text and "Stays in top 5" in compare.text
    assert buyer_client.get(f"/vendors/{vendor.id}/scorecard").status_code == 200


def test_profile_editor_previews_derives_ahp_weights_and_saves_versions(
    client, make_vendor, make_user, bearer, sign_in
):
    _two_vendors(client, make_vendor, bearer)
    buyer = make_user("buyer")
    sign_in(client, buyer)
    page = client.get("/profiles")
    token = csrf_token_from(page.text)
    preview = client.post(
        "/profiles",
        data={
            "csrf_token": token,
            "name": "Impact first",
            "action": "preview",
            "pillar_weights.impact": "0.8",
            "pillar_weights.cost": "0.1",
            "pillar_weights.quality": "0.1",
            "knockout_below_minimum_wage": "on",
        },
    )
    assert preview.status_code == 200 and "Ranking with these settings (not saved)" in preview.text
    bad = client.post(
        "/profiles",
        data={"csrf_token": token, "name": "Bad", "action": "save", "pillar_weights.impact": "0.9"},
    )
    assert bad.status_code == 422 and "pillar_weights" in bad.text
    # impact 3x cost, 5x quality; cost 2x quality: consistent enough (CR about 0.004)
    ahp = client.post(
        "/profiles",
        data={
            "csrf_token": token,
            "name": "AHP",
            "action": "ahp",
            "ahp.impact.cost": "3",
            "ahp.impact.quality": "5",
            "ahp.cost.quality": "2",
        },
    )
    assert ahp.status_code == 200 and "Consistency ratio 0.00" in ahp.text
    inconsistent = client.post(
        "/profiles",
        data={
            "csrf_token": token,
            "name": "AHP",
            "action": "ahp",
            "ahp.impact.cost": "9",
            "ahp.impact.quality": "0.111",
            "ahp.cost.quality": "9",
        },
    )
    assert inconsistent.status_code == 422 and "consistency ratio" in inconsistent.text.lower()
    saved = client.post(
        "/profiles",
        data={
            "csrf_token": token,
            "name": "Impact first",
            "action": "save",
            "pillar_weights.impact": "0.8",
            "pillar_weights.cost": "0.1",
            "pillar_weights.quality": "0.1",
            "knockout_below_minimum_wage": "on",
        },
    )
    assert saved.status_code == 302
    from sqlalchemy import select

    from procure.extensions import db
    from procure.scoring.models import ScoringProfile

    record = db.session.scalars(select(ScoringProfile)).one()
    assert record.settings["pillar_weights"] == {"impact": 0.8, "cost": 0.1, "quality": 0.1}
    again = client.post(
        f"/profiles/{record.id}",
        data={
            "csrf_token": token,
            "action": "save",
            "pillar_weights.impact": "0.7",
            "pillar_weights.cost": "0.2",
            "pillar_weights.quality": "0.1",
        },
    )
    assert again.status_code == 302
    versions = db.session.scalars(select(ScoringProfile).order_by(ScoringProfile.number)).all()
    assert [(v.number, v.settings["pillar_weights"]["impact"]) for v in versions] == [
        (1, 0.8),
        (2, 0.7),
    ]
    assert versions[1].settings["knockout_below_minimum_wage"] is False  # the box was not ticked


def test_a_buyers_what_if_follows_the_chosen_profile(
    client, make_vendor, make_user, bearer, sign_in
):
    (a, user_a), (b, user_b) = _two_vendors(client, make_vendor, bearer)
    buyer = make_user("buyer")
    headers = bearer(buyer)
    from procure.scoring.services import default_profile

    settings = default_profile().to_dict()
    settings["pillar_weights"] = {"impact": 1.0, "cost": 0.0, "quality": 0.0}
    profile = client.post(
        "/api/v1/scoring-profiles",
        headers=headers,
        json={"name": "Impact only", "settings": settings},
    ).json
    changes = {"changes": {"impact_workers_end": 55}}
    default = client.post(f"/api/v1/vendors/{b.id}/what-if", headers=headers, json=changes).json
    chosen = client.post(
        f"/api/v1/vendors/{b.id}/what-if",
        headers=headers,
        json={**changes, "profile": profile["id"]},
    ).json
    card = client.get(
        f"/api/v1/vendors/{b.id}/scorecard?profile={profile['id']}", headers=headers
    ).json
    assert chosen["total_before"] == card["score"]["total"] != default["total_before"]
    assert (
        abs(chosen["total_before"] - card["score"]["impact_score"]) < 1e-9
    )  # impact only: total = impact score
    assert (
        client.post(
            f"/api/v1/vendors/{b.id}/what-if",
            headers=bearer(user_b),
            json={**changes, "profile": profile["id"]},
        ).status_code
        == 404
    )  # vendors: default only
    sign_in(client, buyer)
    page = client.get(f"/vendors/{b.id}/scorecard?profile={profile['id']}")
    assert "under the profile Impact only (v1)" in page.text
    answer = client.post(
        f"/vendors/{b.id}/scorecard?profile={profile['id']}",
        data={"csrf_token": csrf_token_from(page.text), "impact_workers_end": "55"},
    )
    assert (
        f"The total would move from {chosen['total_before']:.1f} to {chosen['total_after']:.1f}"
        in answer.text
    )


def test_goalposts_are_edited_and_the_preview_follows_the_unsaved_values(
    client, make_vendor, make_user, bearer, sign_in
):
    from sqlalchemy import select

    from procure.extensions import db
    from procure.scoring.models import ScoringProfile
    from procure.scoring.services import default_profile

    _two_vendors(client, make_vendor, bearer)
    sign_in(client, make_user("buyer"))
    page = client.get("/profiles")
    assert 'name="goalposts.living_wage_ratio.low" type="number" value="0.75"' in page.text
    token = csrf_token_from(page.text)
    weights = {
        "pillar_weights.impact": "1",
        "pillar_weights.cost": "0",
        "pillar_weights.quality": "0",
    }
    live = client.post("/profiles/preview", data={"csrf_token": token, **weights})
    assert live.status_code == 200 and "Ranking with these settings (not saved)" in live.text
    assert "<html" not in live.text  # a fragment for the editor to put in place
    same = client.post(
        "/profiles/preview",
        data={
            "csrf_token": token,
            **weights,
            "goalposts.living_wage_ratio.low": "1",
            "goalposts.living_wage_ratio.high": "1",
        },
    )
    assert same.status_code == 422 and "goalposts.living_wage_ratio.low" in same.text
    assert "L and U must differ, both are 1" in same.text
    assert client.post("/profiles/preview", data=weights).status_code == 400  # no CSRF token
    saved = client.post(
        "/profiles",
        data={
            "csrf_token": token,
            "name": "Strict wages",
            "action": "save",
            **weights,
            "knockout_below_minimum_wage": "on",
            "goalposts.living_wage_ratio.low": "1.0",
            "goalposts.living_wage_ratio.high": "1.5",
            "goalposts.impact_worker_share.low": "0",
            "goalposts.impact_worker_share.high": "0.5",
        },
    )
    assert saved.status_code == 302
    record = db.session.scalars(select(ScoringProfile)).one()
    assert record.settings["goalposts"] == {
        "living_wage_ratio": [1.0, 1.5]
    }  # the catalog's own is not kept
    page = client.get(f"/profiles/{record.id}")
    assert 'name="goalposts.living_wage_ratio.high" type="number" value="1.5"' in page.text
    assert "catalog: 0.75 → 1.25" in page.text
    assert default_profile().goalposts == {}
    outsider = client.application.test_client()
    sign_in(outsider, make_user("buyer"))
    token = csrf_token_from(outsider.get("/profiles").text)
    assert (
        outsider.post(
            "/profiles/preview", data={"csrf_token": token, "profile_id": str(record.id)}
        ).status_code
        == 404
    )


def test_snapshots_per_period_make_a_trend(client, make_vendor, make_user, bearer):
    from sqlalchemy import select

    from procure.extensions import db
    from procure.scoring.models import ScoreSnapshot

    vendor, user = make_vendor("Alpha Annotation")
    headers = bearer(user)
    first = _submitted(client, headers, vendor, valid_document("2024-01-01", "2024-12-31"))
    second = _submitted(client, headers, vendor)
    snapshots = db.session.scalars(select(ScoreSnapshot).order_by(ScoreSnapshot.period_end)).all()
    assert [(s.disclosure_id, s.rank, s.peers) for s in snapshots] == [
        (first, 1, 1),
        (second, 1, 1),
    ]
    card = client.get(f"/api/v1/vendors/{vendor.id}/scorecard", headers=headers).json
    assert [t["period_end"] for t in card["trend"]] == ["2024-12-31", "2025-12-31"]
    assert abs(card["trend"][-1]["total"] - card["score"]["total"]) < 1e-9
    # a rejection takes the version out of that buyer organization's scores and trend, and out of
    # nobody else's: the snapshots score the figures as disclosed
    buyer, other_buyer = bearer(make_user("buyer")), bearer(make_user("buyer"))
    client.post(
        f"/api/v1/disclosures/{second}/review",
        headers=buyer,
        json={"decision": "rejected", "comment": "No."},
    )
    db.session.expire_all()
    assert [s.period_end.year for s in db.session.scalars(select(ScoreSnapshot))] == [2024, 2025]
    rejecter = client.get(f"/api/v1/vendors/{vendor.id}/scorecard", headers=buyer).json
    assert rejecter["score"]["disclosure_id"] == first
    assert [t["period_end"] for t in rejecter["trend"]] == ["2024-12-31"]
    for viewer in (headers, other_buyer):
        unmoved = client.get(f"/api/v1/vendors/{vendor.id}/scorecard", headers=viewer).json
        assert unmoved["score"]["disclosure_id"] == second
        assert [t["period_end"] for t in unmoved["trend"]] == ["2024-12-31", "2025-12-31"]


def test_scored_versions_pick_the_newest_version_of_the_latest_period_not_rejected(
    client, make_vendor, make_user, bearer
):
    """One version per vendor: the latest period's newest version; an amendment replaces the
    version it amends; the organization's own rejections are skipped, to the version before."""
    from procure.disclosures.models import DisclosureReview
    from procure.extensions import db
    from procure.scoring.adapter import scored_versions

    vendor, user = make_vendor()
    other, other_user = make_vendor()
    headers = bearer(user)
    older = _submitted(client, headers, vendor, valid_document("2024-01-01", "2024-12-31"))
    first = _submitted(client, headers, vendor)
    amended = client.post(f"/api/v1/disclosures/{first}/amend", headers=headers).json["id"]
    client.post(f"/api/v1/disclosures/{amended}/submit", headers=headers)
    others = _submitted(client, bearer(other_user), other)
    client.post(
        "/api/v1/disclosures",
        headers=headers,  # a draft of a later period is never scored
        json={"vendor_id": vendor.id, **valid_document("2026-01-01", "2026-12-31")},
    )
    buyer = make_user("buyer")
    db.session.add(
        DisclosureReview(
            disclosure_id=amended,
            organization_id=buyer.organization_id,
            decision="rejected",
            comment="No.",
        )
    )
    db.session.commit()

    def chosen(organization_id, period_end=None):
        return {
            vendor_id: d.id for vendor_id, d in scored_versions(organization_id, period_end).items()
        }

    assert chosen(None) == {vendor.id: amended, other.id: others}
    assert chosen(make_user("buyer").organization_id) == {vendor.id: amended, other.id: others}
    assert chosen(buyer.organization_id) == {vendor.id: first, other.id: others}
    assert chosen(buyer.organization_id, date(2024, 12, 31)) == {vendor.id: older}


def test_the_what_if_box_labels_each_figure_as_the_field_table_does(
    client, make_vendor, bearer, sign_in
):
    vendor, user = make_vendor("Alpha Annotation")
    _submitted(client, bearer(user), vendor)
    sign_in(client, user)
    page = client.get("/scorecard").text
    shown = {
        input_id: html.unescape(text)
        for input_id, text in re.findall(r'<label for="([^"]+)">([^<]*)<', page)
        if input_id in COLUMN_FIELDS
    }
    assert shown == {
        "impact_workers_end": COLUMN_FIELDS["impact_workers_end"].label,
        "impact_worker_hires": COLUMN_FIELDS["impact_worker_hires"].label,
        "training_hours_impact_workers": COLUMN_FIELDS["training_hours_impact_workers"].label,
        "training_spend_usd": COLUMN_FIELDS["training_spend_usd"].label,
    }
    # then each site's own wages, labelled with the site, in its currency per its pay period
    sites = dict(re.findall(r'<label for="(wages-[^"]+)">([^<]*)<', page))
    assert sites == {
        "wages-0-entry_level_wage": COLUMN_FIELDS["entry_level_wage"].label + ", Nairobi CBD",
        "wages-0-impact_worker_median_wage": COLUMN_FIELDS["impact_worker_median_wage"].label
        + ", Nairobi CBD",
    }
    assert "Unit: KES per month, the site scored" in page and "Unit: US dollars" in page
