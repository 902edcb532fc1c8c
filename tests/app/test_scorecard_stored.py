"""A vendor's scorecard reads its row and its card of the stored ranking
(procure.scoring.rankings): the headline (score, pillars, rank, rank range, TOPSIS) is the
`/scores` row, equal to a fresh computation, for every demo vendor; the breakdown lines, peer
percentiles and trend stored with the ranking equal a fresh computation after each kind of
change, for two buyers with different profiles; the request ranks no one's row but the
vendor's; a stale ranking (a refresh on a worker) serves its whole stored card with its as-of,
never a stored headline with a fresh breakdown; the "raise your score" panel and the what-if
read their "before" from the same row; another organization reads its own ranking, never this
one."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, update

from procure.extensions import db
from procure.jobs import runner
from procure.reference import forget_exchange_rates
from procure.scoring import rankings, services
from procure.scoring.models import ScoringProfile, StoredRanking, StoredRankingRow
from procure.scoring.schemas import ScorecardSchema
from tests.app.test_rankings import (
    COMPARED,
    FAKE_BROKER,
    FIGURES,
    _fresh,
    _patch_offer,
    _refresh_jobs,
    _revise_profile,
    _submit,
    sent,  # noqa: F401  (a fixture)
    two_buyers,  # noqa: F401  (a fixture)
)
from tests.conftest import valid_document

STABILITY = ("p_top_k", "rank_p05", "rank_p95")


def _card(client, headers, vendor_id: int):
    return client.get(f"/api/v1/vendors/{vendor_id}/scorecard", headers=headers)


def _assert_same_row(got: dict, want: dict, names=(*COMPARED, *FIGURES)) -> None:
    for name in names:
        assert got[name] == pytest.approx(want[name], abs=1e-12), name
    assert got["points"] == pytest.approx(want["points"], abs=1e-12)


def _live_card(vendor_id: int, organization_id: int) -> dict | None:
    """The scorecard as it was computed before it read the stored ranking (every vendor's row
    scored in the request, no rank stability)."""
    db.session.commit()
    forget_exchange_rates()
    return services.scorecard(
        vendor_id,
        services.default_profile(),
        None,
        organization_id=organization_id,
        metrics=services.catalog_for(organization_id),
    )


def _stored_row(organization_id: int, vendor_id: int) -> StoredRankingRow:
    db.session.commit()
    return db.session.scalars(
        select(StoredRankingRow)
        .join(StoredRanking, StoredRanking.id == StoredRankingRow.ranking_id)
        .where(
            StoredRanking.organization_id == organization_id,
            StoredRankingRow.vendor_id == vendor_id,
        )
    ).one()


def _set_stored_total(organization_id: int, vendor_id: int, total: float) -> None:
    """Change a stored figure behind the ranking's back (no data version moves): what the
    scorecard then shows can only come from the stored row."""
    row = _stored_row(organization_id, vendor_id)
    db.session.execute(
        update(StoredRankingRow)
        .where(
            StoredRankingRow.ranking_id == row.ranking_id,
            StoredRankingRow.position == row.position,
        )
        .values(total=total)
    )
    db.session.commit()


def test_every_demo_vendor_s_scorecard_is_its_scores_row_and_the_live_one(client, demo, bearer):
    """For every demo vendor under the reviewing buyer (its reviews apply): the scorecard's
    headline equals its row of `GET /api/v1/scores` (all fields, rank range included) and a
    fresh computation; its breakdown, peers and offer equal the scorecard as computed live."""
    headers = bearer(demo, "demo-purchasing-pass")
    organization_id = demo.organization_id
    scores = client.get("/api/v1/scores?page_size=100", headers=headers)
    assert scores.status_code == 200 and scores.headers["X-Ranking-Stale"] == "false"
    served = {row["vendor_id"]: row for row in scores.json}
    fresh = {row["vendor_id"]: row for row in _fresh(organization_id, None)}
    assert served.keys() == fresh.keys() and len(served) >= 25
    for vendor_id, row in served.items():
        response = _card(client, headers, vendor_id)
        assert response.status_code == 200, response.json
        card = response.json
        assert card["score"] == row  # the stored row, as /scores serves it
        _assert_same_row(card["score"], fresh[vendor_id])
        assert card["score"]["period_end"] == fresh[vendor_id]["period_end"].isoformat()
        assert card["score"]["rank_p05"] is not None  # the rank range is shown now
        live = _live_card(vendor_id, organization_id)
        assert live is not None
        # the live scorecard had no rank stability; everything else is the same
        _assert_same_row(card["score"], live["score"], names=COMPARED[:7] + FIGURES[:5])
        assert [live["score"][name] for name in STABILITY] == [None, None, None]
        assert card["peers"] == live["peers"] == len(served)
        assert len(card["explanation"]) == len(live["explanation"]) > 0
        for got, want in zip(card["explanation"], live["explanation"], strict=True):
            assert {k: got[k] for k in ("pillar", "metric", "evidence_level")} == {
                k: want[k] for k in ("pillar", "metric", "evidence_level")
            }
            for name in ("raw_value", "normalised", "weight", "points", "peer_percentile"):
                assert got[name] == pytest.approx(want[name], abs=1e-12), (vendor_id, name)
        assert card["offer"]["offer_id"] == live["offer"]["offer_id"]
        assert card["trend"][-1]["total"] == pytest.approx(row["total"], abs=1e-12)


def test_the_scorecard_reads_the_stored_row_and_scores_no_one_else_s_row(
    client, world, monkeypatch
):
    headers = world["headers"]
    beta = world["beta"]
    organization_id = world["buyer"].organization_id
    first = _card(client, headers, beta.id)  # the first reader stores the ranking
    assert first.status_code == 200
    _set_stored_total(organization_id, beta.id, 42.0)
    calls = []
    monkeypatch.setattr(services, "score_rows", lambda ranking: calls.append("score_rows") or [])
    monkeypatch.setattr(rankings, "store_ranking", lambda key: calls.append("store_ranking"))
    second = _card(client, headers, beta.id)
    assert second.status_code == 200
    assert second.json["score"]["total"] == 42.0  # from the stored row, nothing else has it
    assert second.json["score"]["rank"] == first.json["score"]["rank"]
    assert second.json["explanation"] == first.json["explanation"]
    assert calls == []  # no vendor's row ranked, no ranking stored


def test_the_first_scorecard_read_stores_the_ranking_as_scores_does(client, world):
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StoredRanking)) == 0
    card = _card(client, world["headers"], world["alpha"].id)
    assert card.status_code == 200
    db.session.commit()
    stored = db.session.scalars(select(StoredRanking)).one()
    assert (stored.organization_id, stored.profile_id, stored.category, stored.top_k) == (
        world["buyer"].organization_id,
        None,
        "",
        rankings.TOP_K,
    )
    served = client.get("/api/v1/scores", headers=world["headers"]).json
    assert card.json["score"] == next(r for r in served if r["vendor_id"] == world["alpha"].id)


def test_a_stale_ranking_serves_its_whole_stored_card_with_its_as_of(
    app,
    client,
    world,
    make_user,
    bearer,
    sign_in,
    sent,  # noqa: F811
):
    """With a worker, a scorecard read after a change queues the refresh (once, as /scores)
    and serves the stored card whole, as of when it was computed: the headline, the breakdown,
    the percentiles and the trend of the data before the change, never the headline of one
    and the breakdown of the other. Once refreshed it is the fresh card."""
    headers = world["headers"]
    alpha = world["alpha"]
    organization_id = world["buyer"].organization_id
    before = _card(client, headers, alpha.id)
    assert before.headers["X-Ranking-Stale"] == "false"
    assert before.json["score"]["p_top_k"] is not None
    app.config["BROKER_URL"] = FAKE_BROKER
    alpha_user = bearer(make_user("vendor", organization=alpha.organization))
    _patch_offer(client, alpha_user, alpha.offers[0].id, price=4)  # cheapest now
    stale = _card(client, headers, alpha.id)
    assert stale.status_code == 200
    assert stale.headers["X-Ranking-Stale"] == "true"
    assert stale.headers["X-Ranking-As-Of"] == before.headers["X-Ranking-As-Of"]
    live = _live_card(alpha.id, organization_id)
    assert live["score"]["total"] != pytest.approx(before.json["score"]["total"])  # it moved
    for part in ("score", "explanation", "trend", "offer", "scored_figures", "evidence"):
        assert stale.json[part] == before.json[part], part  # all of it as of before
    sign_in(client, world["buyer"])
    page = client.get(f"/vendors/{alpha.id}/scorecard")
    assert page.status_code == 200
    assert "a newer score is being computed" in page.text
    assert f"{before.json['score']['total']:.1f}</span>" in page.text
    _card(client, headers, alpha.id)
    jobs = _refresh_jobs()
    assert len(jobs) == 1 and jobs[0].status == "queued"  # coalesced, as /scores
    runner.run_job(jobs[0].id)
    current = _card(client, headers, alpha.id)
    assert current.headers["X-Ranking-Stale"] == "false"
    fresh = {row["vendor_id"]: row for row in _fresh(organization_id, None)}
    _assert_same_row(current.json["score"], fresh[alpha.id])
    _assert_close(current.json, _as_served(_live_card(alpha.id, organization_id)), skip="score")
    assert current.json["profile"] == {
        "kind": "default",
        "name": "Default profile",
        "version": None,
        "label": "Default profile",
    }
    assert (
        "a newer score is being computed" not in client.get(f"/vendors/{alpha.id}/scorecard").text
    )


def _as_served(card: dict) -> dict:
    """A scorecard as the API serves it (dates as ISO text, the schema's fields)."""
    return json.loads(json.dumps(ScorecardSchema().dump(card)))


def _assert_close(got, want, path: str = "card", skip: str | None = None) -> None:
    """`got` equals `want` part by part, numbers to 1e-9 (absolute and relative). A served
    card's `profile` (which profile scored it) is the route's, not the card's: checked apart."""
    if isinstance(want, dict):
        if path == "card":
            got = {name: part for name, part in got.items() if name != "profile"}
        assert isinstance(got, dict) and got.keys() == want.keys(), path
        for name in want:
            if name != skip:
                _assert_close(got[name], want[name], f"{path}.{name}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for index, (one, other) in enumerate(zip(got, want, strict=True)):
            _assert_close(one, other, f"{path}[{index}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9), path
    else:
        assert got == want, path


def _assert_cards_fresh(client, readers) -> int:
    """For each reader (headers, organization, profile) and every vendor it ranks: the
    scorecard served is the stored card (the stored ranking's as-of sent, current), its
    headline the reader's /scores row, and everything else (the breakdown lines with their
    peer percentiles, the trend, sites, figures, evidence, offer) the card computed afresh.
    Returns how many trend points were compared."""
    compared = 0
    for headers, organization_id, profile_id in readers:
        query = f"?profile={profile_id}" if profile_id else ""
        served = client.get(
            f"/api/v1/scores?page_size=100{query.replace('?', '&')}", headers=headers
        )
        assert served.status_code == 200 and served.headers["X-Ranking-Stale"] == "false"
        record = db.session.get(ScoringProfile, profile_id) if profile_id else None
        for row in served.json:
            response = client.get(
                f"/api/v1/vendors/{row['vendor_id']}/scorecard{query}", headers=headers
            )
            assert response.status_code == 200, response.json
            assert response.headers["X-Ranking-Stale"] == "false"  # the stored card, current
            assert response.json["score"] == row
            db.session.commit()
            forget_exchange_rates()
            live = services.scorecard(
                row["vendor_id"],
                services.profile_of(record),
                None,
                organization_id=organization_id,
                metrics=services.catalog_for(organization_id),
            )
            assert live is not None
            _assert_close(response.json, _as_served(live), skip="score")
            assert response.json["trend"][-1]["total"] == row["total"]
            compared += len(response.json["trend"])
            # the what-if's "before" is the card's headline
            what_if = client.post(
                f"/api/v1/vendors/{row['vendor_id']}/what-if",
                headers=headers,
                json={"changes": {"training_spend_usd": 1000}}
                | ({"profile": profile_id} if profile_id else {}),
            )
            assert what_if.status_code == 200, what_if.json
            assert (what_if.json["total_before"], what_if.json["rank_before"]) == (
                row["total"],
                row["rank"],
            )
    return compared


def _assert_page_shows(client, vendor_id: int, card: dict, query: str = "") -> None:
    """The scorecard page shows the card's figures: the total, each line's points and peer
    percentile, each trend period's total and rank."""
    page = client.get(f"/vendors/{vendor_id}/scorecard{query}")
    assert page.status_code == 200
    assert f'<span class="kpi-value">{card["score"]["total"]:.1f}</span>' in page.text
    for line in card["explanation"]:
        assert f"<strong>{line['points']:.2f}</strong>" in page.text
        if line["peer_percentile"] is not None:
            assert f'<td class="num">{line["peer_percentile"]:.0f}</td>' in page.text
    for point in card["trend"]:
        assert f'{point["period_end"]}</a></td><td class="num">{point["total"]:.1f}' in page.text
        assert f"{point['rank']} of {point['peers']}" in page.text


def test_the_stored_card_is_a_fresh_one_after_every_kind_of_change(
    app,
    client,
    world,
    two_buyers,  # noqa: F811
    make_vendor,
    make_user,
    bearer,
    sign_in,
):
    """Two buyers, X with a profile of its own: after a submission (an earlier period too, so
    the trend has two points), a review, an offer change and a profile revision, every stored
    card equals a fresh computation."""
    readers = two_buyers["readers"]
    x_headers = readers[0][0]
    alpha = world["alpha"]
    alpha_user = bearer(make_user("vendor", organization=alpha.organization))
    _assert_cards_fresh(client, readers)

    # submissions: Alpha's earlier period, and a third vendor
    earlier = _submit(client, alpha_user, alpha, valid_document("2024-01-01", "2024-12-31"))
    gamma, gamma_user = make_vendor("Gamma Data")
    _submit(client, bearer(gamma_user), gamma)
    points = _assert_cards_fresh(client, readers)
    assert points == 3 * 3 + 3  # three readers, three vendors, Alpha's two periods
    trend = _card(client, x_headers, alpha.id).json["trend"]
    assert [point["period_end"] for point in trend] == ["2024-12-31", "2025-12-31"]
    assert trend[0]["peers"] == 1  # only Alpha disclosed 2024
    assert trend[0]["peer_group"] == "1 vendor that disclosed the period ending 2024-12-31"

    # a review in X: its rejection of Alpha's 2024 version leaves X's trend one point
    rejected = client.post(
        f"/api/v1/disclosures/{earlier}/review",
        headers=x_headers,
        json={"decision": "rejected", "comment": "Headcount does not add up"},
    )
    assert rejected.status_code in (200, 201), rejected.json
    assert _assert_cards_fresh(client, readers) == 3 * 3 + 1  # Y still sees both periods
    assert len(_card(client, x_headers, alpha.id).json["trend"]) == 1
    y_headers = readers[2][0]
    y_card = _card(client, y_headers, alpha.id).json
    assert len(y_card["trend"]) == 2
    sign_in(client, two_buyers["y"])
    _assert_page_shows(client, alpha.id, y_card)

    # an offer's price: Alpha at 5 USD an hour becomes the cheapest
    _patch_offer(client, alpha_user, alpha.offers[0].id, price=5)
    _assert_cards_fresh(client, readers)

    # a profile revision: a new version, hence a new key, its cards stored from scratch
    revised = _revise_profile(client, x_headers, readers[0][2], two_buyers["settings"])
    x_revised = (x_headers, two_buyers["x"].organization_id, revised.json["id"])
    _assert_cards_fresh(client, [x_revised, *readers])
    query = f"?profile={revised.json['id']}"
    x_card = client.get(f"/api/v1/vendors/{alpha.id}/scorecard{query}", headers=x_headers).json
    _assert_page_shows(sign_in(app.test_client(), two_buyers["x"]), alpha.id, x_card, query)


def test_the_panel_and_the_what_if_take_their_before_from_the_stored_row(
    client, world, make_user, bearer, sign_in
):
    beta = world["beta"]
    beta_user = make_user("vendor", organization=beta.organization)
    sign_in(client, beta_user)
    page = client.get("/scorecard")
    assert page.status_code == 200 and "How to raise your score" in page.text
    assert "(total 42.0 →" not in page.text
    _set_stored_total(beta.organization_id, beta.id, 42.0)  # the vendor's own ranking
    page = client.get("/scorecard").text
    assert "(total 42.0 →" in page  # the panel's "before"
    answer = client.post(
        f"/api/v1/vendors/{beta.id}/what-if",
        headers=bearer(beta_user),
        json={"changes": {"training_spend_usd": 1000}},
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["total_before"] == 42.0


def test_another_organization_reads_its_own_ranking(client, world, make_user, bearer):
    """The stored row read is the reader's organization's: a change to buyer X's stored row
    is never seen by buyer Y, and a vendor cannot read another vendor's scorecard."""
    beta = world["beta"]
    x_headers = world["headers"]
    y_headers = bearer(make_user("buyer"))
    assert _card(client, x_headers, beta.id).status_code == 200
    assert _card(client, y_headers, beta.id).status_code == 200  # Y's own ranking stored
    _set_stored_total(world["buyer"].organization_id, beta.id, 42.0)
    assert _card(client, x_headers, beta.id).json["score"]["total"] == 42.0
    assert _card(client, y_headers, beta.id).json["score"]["total"] != 42.0
    alpha_user = bearer(make_user("vendor", organization=world["alpha"].organization))
    assert _card(client, alpha_user, beta.id).status_code == 404


def test_the_page_shows_the_stored_rank_range_and_topsis_rank(client, world, sign_in):
    beta = world["beta"]
    row = _card(client, world["headers"], beta.id).json["score"]
    sign_in(client, world["buyer"])
    page = client.get(f"/vendors/{beta.id}/scorecard")
    assert page.status_code == 200
    # two vendors: Beta ranks 1 or 2 in the weight draws, and TOPSIS ranks it too
    assert f"; ranks {row['rank_p05']}–{row['rank_p95']} in 90 % of weightings" in page.text
    assert f"; TOPSIS rank {row['topsis_rank']}</span>" in page.text
    # each explained in words a tap or a key reaches (a <details>), with the stored figures
    low, high = row["rank_p05"], row["rank_p95"]
    assert f"<strong>Ranks {low}–{high} in 90 % of weightings:</strong>" in page.text
    assert f"this vendor ranks between {low} and {high}" in page.text
    assert f"<strong>TOPSIS rank {row['topsis_rank']}:</strong>" in page.text
    assert 1 <= row["rank_p05"] <= row["rank_p95"] <= 2


def test_an_unknown_category_stores_no_ranking(client, world, sign_in):
    sign_in(client, world["buyer"])
    page = client.get(f"/vendors/{world['beta'].id}/scorecard?category=no_such_category")
    assert page.status_code == 422 and "<code>category</code>" in page.text
    assert "Unknown service category &#39;no_such_category&#39;." in page.text
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StoredRanking)) == 0
