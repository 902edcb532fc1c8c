"""Before submitting, the vendor sees what the submission would do to its score: the draft's
page loads the effect (its total and rank now, and with the draft's figures), and after the
submission the vendor's own scorecard shows exactly the total and rank it announced. Only the
vendor's own drafts; a submitted version, another vendor and buyers get nothing."""

import re

from procure.extensions import db
from tests.app.test_scoring_app import _two_vendors
from tests.conftest import valid_document

PERIOD_2026 = {"period_start": "2026-01-01", "period_end": "2026-12-31"}


def _draft_2026(client, headers, vendor, **workforce):
    document = valid_document(**PERIOD_2026)
    document["workforce"].update(workforce)
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
    )
    assert created.status_code == 201, created.json
    return created.json


def _effect(client, user, sign_in, draft_id):
    pages = client.application.test_client()
    sign_in(pages, user)
    return pages.get(f"/disclosures/{draft_id}/score-effect")


def test_the_effect_shown_before_submitting_is_the_score_after(
    client, make_vendor, bearer, sign_in
):
    (a, _user_a), (b, user_b) = _two_vendors(client, make_vendor, bearer)
    headers = bearer(user_b)
    card = client.get(f"/api/v1/vendors/{b.id}/scorecard", headers=headers).json
    before = card["score"]
    # the weaker vendor's next period: 60 impact workers instead of 10 (as vendor A has)
    draft = _draft_2026(client, headers, b)
    page = _effect(client, user_b, sign_in, draft["id"])
    assert page.status_code == 200
    text = " ".join(page.text.split())
    found = re.search(
        r"your total would move from ([\d.]+) to ([\d.]+), rank (\d+) to (\d+)\.", text
    )
    assert found, text
    total_before, total_after = float(found[1]), float(found[2])
    rank_before, rank_after = int(found[3]), int(found[4])
    assert total_before == round(before["total"], 1) and rank_before == before["rank"] == 2
    assert total_after > total_before  # 60 impact workers, not 10
    assert "Impact workers" in text or "impact workers" in text  # the moves name the metrics

    submitted = client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    after = client.get(f"/api/v1/vendors/{b.id}/scorecard", headers=headers).json["score"]
    assert round(after["total"], 1) == total_after and after["rank"] == rank_after


def test_an_unchanged_draft_an_earlier_period_and_a_first_disclosure_say_so(
    client, make_vendor, bearer, sign_in
):
    (_a, _), (b, user_b) = _two_vendors(client, make_vendor, bearer)
    headers = bearer(user_b)
    weaker = client.get(f"/api/v1/vendors/{b.id}/scorecard", headers=headers).json
    assert weaker["score"]["rank"] == 2
    same = valid_document(**PERIOD_2026)
    same["workforce"] = {**same["workforce"], "impact_workers_end": 10, "impact_worker_hires": 3}
    same["workforce"]["impact_worker_departures"] = 1
    same["workforce"]["categories"] = {
        k: min(v, 10) for k, v in same["workforce"]["categories"].items()
    }
    same["training"]["training_hours_impact_workers"] = 400.0
    created = client.post("/api/v1/disclosures", headers=headers, json={"vendor_id": b.id, **same})
    assert created.status_code == 201, created.json
    text = " ".join(_effect(client, user_b, sign_in, created.json["id"]).text.split())
    assert "your score would not change" in text, text

    earlier = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={
            "vendor_id": b.id,
            **valid_document(period_start="2024-01-01", period_end="2024-12-31"),
        },
    )
    assert earlier.status_code == 201, earlier.json
    text = " ".join(_effect(client, user_b, sign_in, earlier.json["id"]).text.split())
    assert "Your score reads a later period (ending 2025-12-31)" in text, text

    newcomer, user_new = make_vendor("Newcomer")
    first = _draft_2026(client, bearer(user_new), newcomer)
    text = " ".join(_effect(client, user_new, sign_in, first["id"]).text.split())
    assert "You have no score yet" in text and "No submitted disclosure" in text, text


def test_only_the_vendors_own_draft_shows_its_effect(
    client, make_vendor, make_user, bearer, sign_in
):
    (a, user_a), (b, user_b) = _two_vendors(client, make_vendor, bearer)
    draft = _draft_2026(client, bearer(user_b), b)
    assert _effect(client, user_a, sign_in, draft["id"]).status_code == 404  # another vendor
    for role in ("buyer", "executive", "admin"):
        assert _effect(client, make_user(role), sign_in, draft["id"]).status_code == 403
    submitted = client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=bearer(user_b))
    assert submitted.status_code == 200
    done = _effect(client, user_b, sign_in, draft["id"])  # no draft any more: says where to look
    assert done.status_code == 200 and "is submitted: your" in " ".join(done.text.split())
    db.session.rollback()


def test_the_draft_page_loads_the_effect_for_its_vendor(client, make_vendor, bearer, sign_in):
    (_a, _), (b, user_b) = _two_vendors(client, make_vendor, bearer)
    draft = _draft_2026(client, bearer(user_b), b)
    pages = client.application.test_client()
    sign_in(pages, user_b)
    page = pages.get(f"/disclosures/{draft['id']}").text
    assert f'data-fragment-url="/disclosures/{draft["id"]}/score-effect"' in page
    assert "Effect on your score" in page


def test_a_draft_that_changes_figures_no_score_reads_is_checked_with_its_own(
    client, make_vendor, bearer, sign_in
):
    """More employees: the headcount (scored) and the full-time count (not scored) move
    together in the draft; checked with the scored version's full-time count, the headcount
    alone would break the disclosure's rule (full-time + part-time = headcount)."""
    (_a, _), (b, user_b) = _two_vendors(client, make_vendor, bearer)
    headers = bearer(user_b)
    draft = _draft_2026(client, headers, b, headcount_end=130, full_time_end=115)
    text = " ".join(_effect(client, user_b, sign_in, draft["id"]).text.split())
    found = re.search(r"your total would move from ([\d.]+) to ([\d.]+), rank (\d+) to (\d+)", text)
    assert found, text
    submitted = client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    after = client.get(f"/api/v1/vendors/{b.id}/scorecard", headers=headers).json["score"]
    assert round(after["total"], 1) == float(found[2]) and after["rank"] == int(found[4])
