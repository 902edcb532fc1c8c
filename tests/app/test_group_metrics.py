"""Beneficiary groups in metrics (issue #20): a buyer's custom metric and a coalition's metric
may read the impact workers by group, and the standard group metrics are added by key.

The world (tests/conftest.py `world`): Alpha states 115 employees at the period's end, 15 young
people not in employment, education or training (youth_neet) and 30 below the poverty line;
Beta (the world's weaker copy, each group at most 10) 115 employees, 10 and 10. Both sell data
annotation (Alpha 8, Beta 6 USD an hour). The profiles below weigh only the group metric in the
impact pillar, with every evidence factor 1 and no knockout."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.scoring.services import default_profile
from tests.app.test_coalition_measurement import _adopt, _scores, cm  # noqa: F401 (a fixture)
from tests.conftest import valid_document

YOUTH = {
    "key": "youth_share_ours",
    "label": "Young people NEET as a share of headcount",
    "formula": "youth_neet / headcount_end",
    "unit": "ratio",
    "direction": "higher",
    "goalposts": [0, 0.25],
    "section": "workforce",
    "source": "ours",
}


def _only(metric: str, impact: float = 1.0, cost: float = 0.0) -> dict:
    chosen = default_profile().to_dict()
    chosen["pillar_weights"] = {"impact": impact, "cost": cost, "quality": 0.0}
    chosen["metric_weights"] = {metric: 1.0}
    chosen["evidence_factors"] = {level: 1.0 for level in chosen["evidence_factors"]}
    chosen["knockout_below_minimum_wage"] = False
    return chosen


def test_a_buyers_custom_metric_reads_a_group_and_scores_it(client, world):
    """youth_neet / headcount_end on [0, 0.25]: Alpha 15 / 115 = 0.130435 -> n = 0.521739,
    total 100 x 0.521739 = 52.173913; Beta 10 / 115 = 0.086957 -> n = 0.347826, 34.782609."""
    headers = world["headers"]
    before = client.get("/api/v1/scores", headers=headers).json
    added = client.post("/api/v1/metrics", headers=headers, json=YOUTH)
    assert added.status_code == 201, added.json
    profile = client.post(
        "/api/v1/scoring-profiles",
        headers=headers,
        json={"name": "Youth", "settings": _only(YOUTH["key"])},
    )
    assert profile.status_code == 201, profile.json
    scored = client.get(f"/api/v1/scores?profile={profile.json['id']}", headers=headers).json
    alpha, beta = world["alpha"].id, world["beta"].id
    assert {r["vendor_id"]: round(r["total"], 6) for r in scored} == {
        alpha: 52.173913,
        beta: 34.782609,
    }
    card = client.get(
        f"/api/v1/vendors/{alpha}/scorecard?profile={profile.json['id']}", headers=headers
    ).json
    line = next(line for line in card["explanation"] if line["metric"] == YOUTH["key"])
    assert line["raw_value"] == pytest.approx(15 / 115) and line["missing_reason"] is None
    # the default profile does not weigh it: the default scores are as they were
    assert client.get("/api/v1/scores", headers=headers).json == before


def test_a_standard_group_metric_is_added_by_key_and_a_bad_key_is_refused(client, world):
    headers = world["headers"]
    added = client.post(
        "/api/v1/metrics", headers=headers, json={"standard": "refugee_or_displaced_share"}
    )
    assert added.status_code == 201, added.json
    assert (added.json["key"], added.json["formula"], added.json["goalposts"]) == (
        "refugee_or_displaced_share",
        "refugee_or_displaced / headcount_end",
        [0.0, 0.25],
    )
    refused = client.post("/api/v1/metrics", headers=headers, json={"standard": "refugees"})
    assert refused.status_code == 422
    assert "No standard metric 'refugees'" in str(refused.json)
    keys = [m["key"] for m in client.get("/api/v1/metrics", headers=headers).json]
    assert keys.count("refugee_or_displaced_share") == 1 and "refugees" not in keys


def test_a_coalition_metric_reads_a_group_and_an_adopting_member_ranks_by_it(
    client,
    cm,  # noqa: F811 (the fixture)
):
    """The standard below_poverty_line_share with goalposts [0, 0.5] instead of [0, 0.25]:
    Alpha 30 / 115 = 0.260870 -> n = 0.521739, total 52.173913; Beta 10 / 115 = 0.086957 ->
    n = 0.173913, 17.391304. The backbone also adds refugee_or_displaced / headcount_end as
    its own metric (answered 422 "unknown field" before groups were formula fields)."""
    coordinator = cm["headers"]["coordinator"]
    standard = client.post(
        f"{cm['base']}/metrics",
        headers=coordinator,
        json={"standard": "below_poverty_line_share", "goalposts": [0, 0.5]},
    )
    assert standard.status_code == 201, standard.json
    own = client.post(
        f"{cm['base']}/metrics",
        headers=coordinator,
        json=YOUTH | {"key": "refugees", "formula": "refugee_or_displaced / headcount_end"},
    )
    assert own.status_code == 201, own.json
    profile = client.put(
        f"{cm['base']}/profile",
        headers=coordinator,
        json={"settings": _only("below_poverty_line_share")},
    )
    assert profile.status_code == 200, profile.json
    _adopt(client, cm)
    alpha, beta = cm["alpha"].id, cm["beta"].id
    assert _scores(client, cm["headers"]["buyer_a"]) == {
        alpha: (52.173913, 1),
        beta: (17.391304, 2),
    }


def test_the_export_carries_the_groups_and_an_import_keeps_a_group_it_leaves_out(
    client, make_vendor, bearer
):
    """valid_document: 10 refugees, 15 youth, "other" 0. The export gives the groups; a file
    without the refugee column and with youth 12 amends youth only, refugees and other kept;
    the same file back again is unchanged."""
    vendor, user = make_vendor()
    headers = bearer(user)
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **valid_document()}
    )
    client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    exported = client.get("/api/v1/disclosures/export?format=csv", headers=headers).data
    frame = pd.read_csv(io.BytesIO(exported))
    assert (frame.loc[0, "refugee_or_displaced"], frame.loc[0, "youth_neet"]) == (10, 15)
    assert "other" not in frame.columns
    frame = frame.drop(columns=["refugee_or_displaced"])
    frame.loc[0, "youth_neet"] = 12
    text = frame.to_csv(index=False).encode()
    imported = _import(client, headers, text)
    assert imported.status_code == 200 and imported.json["imported"] == 1, imported.json
    amendment = db.session.get(Disclosure, imported.json["disclosure_ids"][0])
    categories = amendment.figures["workforce"]["categories"]
    assert (categories["youth_neet"], categories["refugee_or_displaced"]) == (12, 10)
    assert categories["other"] == 0 and categories["below_poverty_line"] == 30
    again = _import(client, headers, text)
    assert again.status_code == 200 and again.json["imported"] == 0, again.json


def _import(client, headers, content: bytes):
    return client.post(
        "/api/v1/disclosures/import",
        headers=headers,
        data={"file": (io.BytesIO(content), "groups.csv")},
        content_type="multipart/form-data",
    )


def test_a_page_starts_a_new_metric_from_a_standard_one(client, world, sign_in, cm):  # noqa: F811
    """The buyer's catalog page and the backbone's measurement page offer the standard metrics:
    `?standard=<key>` fills the new metric's form with its definition, which the reader adds as
    it is or changes; an unknown key answers 422 naming `standard`."""
    from procure.scoring.models import CustomMetric
    from tests.conftest import csrf_token_from

    def filled(url: str) -> dict[str, str]:
        text = client.get(url).text
        assert 'name="standard"' in text and "Refugees or displaced people" in text
        text = client.get(f"{url}?standard=refugee_or_displaced_share").text
        value = {
            name: re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', text).group(1)
            for name in ("key", "label", "formula", "goalposts.low", "goalposts.high")
        }
        assert value == {
            "key": "refugee_or_displaced_share",
            "label": "Refugees or displaced people as a share of headcount",
            "formula": "refugee_or_displaced / headcount_end",
            "goalposts.low": "0",
            "goalposts.high": "0.25",
        }
        refused = client.get(f"{url}?standard=nonsense")
        assert refused.status_code == 422 and "standard" in refused.text
        source = re.search(r'name="source"[^>]*value="([^"]*)"', text).group(1)
        assert source.startswith("GIIN/Rockefeller Impact Employment categories")
        return value | {"unit": "ratio", "source": source}

    sign_in(client, world["buyer"])
    form = filled("/metrics")
    form |= {"direction": "higher", "section": "workforce", "goalposts.high": "0.5"}
    form["csrf_token"] = csrf_token_from(client.get("/metrics").text)
    posted = client.post("/metrics", data=form)
    assert posted.status_code == 302
    added = db.session.query(CustomMetric).filter_by(key="refugee_or_displaced_share").one()
    assert added.goalposts == [0.0, 0.5] and added.organization_id == world["buyer"].organization_id
    client.post("/sign-out", data={"csrf_token": form["csrf_token"]})
    sign_in(client, cm["users"]["coordinator"])
    filled(f"/coalitions/{cm['coalition'].id}/measurement")
