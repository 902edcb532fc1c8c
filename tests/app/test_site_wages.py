"""A vendor with several sites: the scorecard shows every site's wages per hour and which site
scored, the knock-out names the site, the export names it, and the what-if asks for the scored
site's wages in the unit the score reads them (issue #18, Sites)."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from procure.disclosures.tables import FLAT_COLUMNS
from tests.conftest import csrf_token_from, valid_document

KISUMU = {
    "site": "Kisumu",
    "country": "KE",
    "currency": "KES",
    "pay_period": "hour",
    "standard_weekly_hours": 40.0,
    "entry_level_wage": 60.0,  # below the minimum: 60 / 70 = 0.857
    "impact_worker_median_wage": 80.0,
    "local_minimum_wage": 70.0,
    "minimum_wage_source": "Kenya Regulation of Wages Order 2024",
    "minimum_wage_date": "2024-11-01",
    "living_wage_benchmark": 100.0,
    "living_wage_source": "Anker benchmark, Kisumu",
    "living_wage_date": "2025-06-01",
}


@pytest.fixture
def two_sites(client, make_vendor, make_user, bearer):
    vendor, user = make_vendor("Two Sites Ltd")
    document = valid_document()
    document["wages"] = [*document["wages"], KISUMU]
    headers = bearer(user)
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
    )
    assert created.status_code == 201, created.json
    submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    buyer = make_user("buyer")
    return {"vendor": vendor, "vendor_user": user, "buyer": buyer, "headers": bearer(buyer)}


def test_the_scorecard_shows_each_site_and_the_one_scored(client, two_sites):
    card = client.get(
        f"/api/v1/vendors/{two_sites['vendor'].id}/scorecard", headers=two_sites["headers"]
    ).json
    nairobi, kisumu = card["sites"]
    assert (nairobi["site"], nairobi["scored"]) == ("Nairobi CBD", False)
    assert (kisumu["site"], kisumu["scored"]) == ("Kisumu", True)
    # Nairobi pays per month at 45 h a week: 32,000 / (45 × 52/12 = 195 h) = 164.1026 per hour
    assert nairobi["hourly"]["entry_level_wage"] == pytest.approx(32000 / 195, abs=1e-9)
    assert nairobi["wages"]["entry_level_wage"] == 32000.0
    # 32,000 / 15,201 = 2.1051; Kisumu 60 / 70 = 0.8571 is the lowest, so Kisumu scores
    assert nairobi["entry_to_minimum"] == pytest.approx(32000 / 15201, abs=1e-12)
    assert kisumu["entry_to_minimum"] == pytest.approx(60 / 70, abs=1e-12)
    assert kisumu["median_to_living"] == pytest.approx(0.8, abs=1e-12)
    assert kisumu["hourly"]["entry_level_wage"] == 60.0
    assert card["score"]["knocked_out"] is True
    # in the site's currency, to the cent
    assert card["score"]["knockout_reason"] == (
        "entry-level wage KES 60.00 per hour is below the local minimum wage KES 70.00 per hour "
        "at the site Kisumu"
    )


def test_the_export_names_the_site_its_wages_come_from(client, two_sites):
    exported = client.get(
        "/api/v1/disclosures/export?format=csv&latest_period=true", headers=two_sites["headers"]
    )
    row = pd.read_csv(io.BytesIO(exported.data)).iloc[0]
    assert row["wage_site"] == "Kisumu" and row["pay_period"] == "hour"
    assert row["wage_currency"] == "KES"
    assert row["entry_level_wage"] == 60.0


def test_an_import_names_a_new_site_after_the_column(client, make_vendor, bearer):
    vendor, user = make_vendor("Imported Ltd")
    headers = bearer(user)
    row = {column: "" for column in FLAT_COLUMNS}
    row.update(
        vendor_id=vendor.id,
        period_start="2025-01-01",
        period_end="2025-12-31",
        headcount_start=10,
        headcount_end=10,
        impact_workers_end=4,
        total_hires=2,
        impact_worker_hires=1,
        evidence_workforce="self_reported",
        wage_site="Mombasa Road",
        pay_period="hour",
        standard_weekly_hours=40,
        entry_level_wage=90,
        local_minimum_wage=70,
    )
    content = pd.DataFrame([row]).to_csv(index=False).encode()
    imported = client.post(
        "/api/v1/disclosures/import",
        headers=headers,
        data={"file": (io.BytesIO(content), "one.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200, imported.json
    [disclosure_id] = imported.json["disclosure_ids"]
    draft = client.get(f"/api/v1/disclosures/{disclosure_id}", headers=headers).json
    assert [site["site"] for site in draft["wages"]] == ["Mombasa Road"]


def test_the_page_shows_the_sites_and_asks_each_sites_wages_in_its_own_unit(
    app, two_sites, sign_in
):
    pages = sign_in(app.test_client(), two_sites["buyer"])
    page = pages.get(f"/vendors/{two_sites['vendor'].id}/scorecard")
    assert page.status_code == 200
    assert "Wages by site" in page.text and "164.1 per hour" in page.text
    assert "is scored on the site whose entry-level wage is lowest" in page.text
    # each site's wages as disclosed, in its own currency and pay period
    assert re.search(r'name="wages\[0\]\.entry_level_wage"[^>]*value="32000"', page.text)
    assert re.search(r'name="wages\[1\]\.entry_level_wage"[^>]*value="60"', page.text)
    assert "Unit: KES per month</p>" in page.text
    assert "Unit: KES per hour, the site scored</p>" in page.text
    token = csrf_token_from(page.text)
    # Kisumu's entry wage from 60 to 75 per hour: above its minimum of 70, no knock-out
    outcome = pages.post(
        f"/vendors/{two_sites['vendor'].id}/scorecard",
        data={"csrf_token": token, "wages[1].entry_level_wage": "75"},
    )
    assert outcome.status_code == 200 and "The total would move from 0.0 to" in outcome.text


def test_a_site_wage_what_if_chooses_the_scored_site_again(client, two_sites):
    url = f"/api/v1/vendors/{two_sites['vendor'].id}/what-if"
    # Kisumu at 200 per hour: 200 / 70 = 2.857 > Nairobi's 32,000 / 15,201 = 2.105, so Nairobi
    # (per hour: 32,000 / 195 = 164.10) becomes the site scored, and nothing is knocked out
    outcome = client.post(
        url, headers=two_sites["headers"], json={"changes": {"wages[1].entry_level_wage": 200}}
    )
    assert outcome.status_code == 200, outcome.json
    assert outcome.json["total_before"] == 0.0 and outcome.json["total_after"] > 0
    assert outcome.json["site_note"] == (
        "The wages scored would be Nairobi CBD's instead of Kisumu's: the site whose "
        "entry-level wage is lowest against its minimum."
    )
    moves = {move["metric"]: move for move in outcome.json["moves"]}
    assert moves["knock_out"]["points_after"] == 0.0
    entry = next(
        m for m in outcome.json["moves"] if m["value_after"] == pytest.approx(32000 / 15201)
    )
    assert entry["value_before"] == pytest.approx(60 / 70)
    # a site the version does not have, or a figure that is no wage: refused, naming the key
    refused = client.post(
        url, headers=two_sites["headers"], json={"changes": {"wages[5].entry_level_wage": 90}}
    )
    assert refused.status_code == 422
    assert (
        "the version has 2 site(s)"
        in refused.json["errors"]["changes.wages[5].entry_level_wage"][0]
    )
    negative = client.post(
        url, headers=two_sites["headers"], json={"changes": {"wages[0].entry_level_wage": -5}}
    )
    assert negative.status_code == 422
    assert "changes.wages[0].entry_level_wage" in negative.json["errors"]


def test_a_one_site_vendor_reads_wages_in_its_own_pay_period(app, world, sign_in):
    pages = sign_in(app.test_client(), world["buyer"])
    page = pages.get(f"/vendors/{world['alpha'].id}/scorecard")
    assert "Unit: KES per month, the site scored</p>" in page.text
    assert "The scoring table and the export hold the scored site" not in page.text


# ---------------------------------------------------------------- the what-if


@pytest.fixture
def one_vendor(client, make_vendor, make_user, bearer):
    vendor, user = make_vendor("Alpha Annotation")
    headers = bearer(user)
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **valid_document()}
    )
    client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    return {"vendor": vendor, "user": user, "headers": headers}


def test_the_what_if_refuses_what_the_disclosure_rules_refuse(client, one_vendor):
    # 400 impact workers against a headcount of 115 at the period's end
    refused = client.post(
        f"/api/v1/vendors/{one_vendor['vendor'].id}/what-if",
        headers=one_vendor["headers"],
        json={"changes": {"impact_workers_end": 400}},
    )
    assert refused.status_code == 422, refused.json
    [message] = refused.json["errors"]["changes.impact_workers_end"]
    assert "cannot exceed" in message and "115" in message
    # a headcount that still holds them is fine, and so is the pair changed together
    fine = client.post(
        f"/api/v1/vendors/{one_vendor['vendor'].id}/what-if",
        headers=one_vendor["headers"],
        json={"changes": {"impact_workers_end": 100, "headcount_end": 115}},
    )
    assert fine.status_code == 200, fine.json


def test_the_what_if_explains_every_move(client, one_vendor):
    # 55 -> 110 impact workers with the same 2,400 training hours: the share of headcount
    # rises (55/115 -> 110/115) while training hours per impact worker halve (2400/55 = 43.6
    # -> 2400/110 = 21.8): the fall is shown, not left unexplained
    outcome = client.post(
        f"/api/v1/vendors/{one_vendor['vendor'].id}/what-if",
        headers=one_vendor["headers"],
        json={"changes": {"impact_workers_end": 110}},
    ).json
    moves = {move["metric"]: move for move in outcome["moves"]}
    share = moves["impact_worker_share"]
    assert (share["value_before"], share["value_after"]) == (
        pytest.approx(55 / 115),
        pytest.approx(110 / 115),
    )
    assert share["points_delta"] > 0
    training = next(m for m in outcome["moves"] if m["value_before"] == pytest.approx(2400 / 55))
    assert training["value_after"] == pytest.approx(2400 / 110)
    assert training["points_delta"] < 0
    # the moves add up to the change of the total
    assert sum(m["points_delta"] for m in outcome["moves"]) == pytest.approx(
        outcome["total_after"] - outcome["total_before"], abs=1e-9
    )


def test_the_box_starts_from_the_figures_scored_and_lists_the_moves(app, one_vendor, sign_in):
    pages = sign_in(app.test_client(), one_vendor["user"])
    page = pages.get("/scorecard")
    assert 'name="impact_workers_end"' in page.text
    assert re.search(r'name="impact_workers_end"[^>]*value="55"', page.text)
    assert re.search(r'name="training_hours_impact_workers"[^>]*value="2400"', page.text)
    token = csrf_token_from(page.text)
    untouched = {
        "csrf_token": token,
        "impact_workers_end": "55",
        "impact_worker_hires": "20",
        "training_hours_impact_workers": "2400",
        "wages[0].entry_level_wage": "32000",
        "wages[0].impact_worker_median_wage": "36000",
    }
    same = pages.post("/scorecard", data=untouched)
    assert same.status_code == 200 and "The total would move" not in same.text
    moved = pages.post("/scorecard", data={**untouched, "impact_workers_end": "110"})
    assert moved.status_code == 200 and "The total would move" in moved.text
    assert (
        'class="what-if-moves"' in moved.text
        and "Impact workers as a share of headcount" in moved.text
    )
    refused = pages.post("/scorecard", data={**untouched, "impact_workers_end": "400"})
    assert refused.status_code == 422 and "cannot exceed" in refused.text
