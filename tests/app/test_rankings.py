"""Stored rankings (procure.scoring.rankings): the stored ranking is what a fresh computation
gives after every kind of change, for two buyer organizations with different reviews and
profiles; a review outdates only its organization's rankings; a stale ranking is served with
its as-of while one refresh is queued for many changes; a current one is read without writing
anything; the API pages the stored rows."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.jobs import queue, runner
from procure.jobs.models import Job
from procure.reference import forget_exchange_rates
from procure.scoring import services
from procure.scoring.models import ScoringProfile, StoredRanking
from procure.scoring.rankings import REFRESH_KIND
from tests.app.test_audit_walker import database_rows
from tests.app.walking import default_settings
from tests.conftest import metric_body, valid_document

COMPARED = (
    "vendor_id",
    "vendor_name",
    "category",
    "unit",
    "rank",
    "knocked_out",
    "knockout_reason",
    "rank_p05",
    "rank_p95",
    "topsis_rank",
    "disclosure_id",
)
FIGURES = ("total", "impact", "cost", "quality", "impact_score", "p_top_k", "topsis_closeness")


def _fresh(organization_id: int, profile_id: int | None) -> list[dict]:
    """score_rows(rank_vendors(...)) as /scores computed it live before rankings were stored."""
    db.session.commit()  # a fresh read: the requests commit in their own sessions
    forget_exchange_rates()  # this test's app context keeps the rates it read before
    record = db.session.get(ScoringProfile, profile_id) if profile_id else None
    return services.score_rows(
        services.rank_vendors(
            services.profile_of(record),
            None,
            organization_id=organization_id,
            top_k=5,
            metrics=services.catalog_for(organization_id),
        )
    )


def _served(client, headers, profile_id: int | None = None):
    query = "?page_size=100" + (f"&profile={profile_id}" if profile_id else "")
    response = client.get(f"/api/v1/scores{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response


def _assert_stored_is_fresh(client, readers) -> None:
    for headers, organization_id, profile_id in readers:
        response = _served(client, headers, profile_id)
        assert response.headers["X-Ranking-Stale"] == "false"
        expected = _fresh(organization_id, profile_id)
        assert len(response.json) == len(expected) > 0
        for got, want in zip(response.json, expected, strict=True):
            assert {k: got[k] for k in COMPARED} == {k: want[k] for k in COMPARED}
            for name in FIGURES:
                assert got[name] == pytest.approx(want[name], abs=1e-12), name
            assert got["points"] == pytest.approx(want["points"], abs=1e-12)
            assert got["period_end"] == want["period_end"].isoformat()


def _ranking_ids(organization_id: int) -> set[int]:
    db.session.commit()
    return set(
        db.session.scalars(
            select(StoredRanking.id).where(StoredRanking.organization_id == organization_id)
        )
    )


def _submit(client, headers, vendor, document=None) -> int:
    created = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": vendor.id, **(document or valid_document())},
    )
    assert created.status_code == 201, created.json
    submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    return created.json["id"]


def _disclosure_of(vendor) -> int:
    db.session.commit()
    return db.session.scalars(
        select(Disclosure.id).where(Disclosure.vendor_id == vendor.id).order_by(Disclosure.id)
    ).all()[-1]


def _revise_profile(client, headers, profile_id: int, settings: dict):
    """PATCH the profile to weigh cost most (impact 0.2, cost 0.7, quality 0.1): a revision, a
    new profile version (201), hence a new ranking key."""
    revised = client.patch(
        f"/api/v1/scoring-profiles/{profile_id}",
        headers=headers,
        json={
            "settings": {
                **settings,
                "pillar_weights": {"impact": 0.2, "cost": 0.7, "quality": 0.1},
            }
        },
    )
    assert revised.status_code == 201, revised.json
    return revised


def _patch_offer(client, headers, offer_id: int, **changes) -> None:
    version = client.get(f"/api/v1/offers/{offer_id}", headers=headers).json["version"]
    changed = client.patch(
        f"/api/v1/offers/{offer_id}", headers=headers, json={**changes, "version": version}
    )
    assert changed.status_code == 200, changed.json


@pytest.fixture
def two_buyers(client, world, make_user, bearer):
    """Organization X (the world's buyer, with a profile of its own) and Y (the default
    profile); both read their rankings once, so each has a stored one."""
    x, x_headers = world["buyer"], world["headers"]
    y = make_user("buyer")
    settings = default_settings()
    settings["pillar_weights"] = {"impact": 0.6, "cost": 0.3, "quality": 0.1}
    profile = client.post(
        "/api/v1/scoring-profiles",
        headers=x_headers,
        json={"name": "Impact first", "settings": settings},
    )
    assert profile.status_code == 201, profile.json
    readers = [
        (x_headers, x.organization_id, profile.json["id"]),
        (x_headers, x.organization_id, None),
        (bearer(y), y.organization_id, None),
    ]
    _assert_stored_is_fresh(client, readers)
    return {"x": x, "y": y, "readers": readers, "settings": settings}


def test_the_stored_ranking_is_a_fresh_one_after_every_kind_of_change(
    client, world, two_buyers, make_vendor, make_user, bearer
):
    readers = two_buyers["readers"]
    x, y = two_buyers["x"], two_buyers["y"]
    x_headers = readers[0][0]
    alpha, beta = world["alpha"], world["beta"]
    alpha_user = bearer(make_user("vendor", organization=alpha.organization))

    # a submission: a third vendor joins every ranking
    gamma, gamma_user = make_vendor("Gamma Data")
    _submit(client, bearer(gamma_user), gamma)
    _assert_stored_is_fresh(client, readers)

    # an amendment, submitted: Alpha is scored on its new version
    amended = client.post(f"/api/v1/disclosures/{_disclosure_of(alpha)}/amend", headers=alpha_user)
    assert amended.status_code == 201, amended.json
    client.post(f"/api/v1/disclosures/{amended.json['id']}/submit", headers=alpha_user)
    _assert_stored_is_fresh(client, readers)
    assert _served(client, x_headers).json[0]["disclosure_id"] in {
        amended.json["id"],
        _disclosure_of(beta),
        _disclosure_of(gamma),
    }

    # a review in X only: X's rankings are computed again, Y's stored one stays and stays current
    y_before, x_before = _ranking_ids(y.organization_id), _ranking_ids(x.organization_id)
    rejected = client.post(
        f"/api/v1/disclosures/{_disclosure_of(beta)}/review",
        headers=x_headers,
        json={"decision": "rejected", "comment": "Headcount does not add up"},
    )
    assert rejected.status_code in (200, 201), rejected.json
    _assert_stored_is_fresh(client, readers)
    assert _ranking_ids(y.organization_id) == y_before  # not recomputed: still current
    assert not _ranking_ids(x.organization_id) & x_before  # both of X's were refreshed
    x_names = [row["vendor_name"] for row in _served(client, x_headers).json]
    y_names = [row["vendor_name"] for row in _served(client, readers[2][0]).json]
    assert "Beta BPO" not in x_names and "Beta BPO" in y_names  # X rejected it, Y did not

    # an offer's price: Alpha at 5 USD an hour becomes the cheapest
    _patch_offer(client, alpha_user, alpha.offers[0].id, price=5)
    _assert_stored_is_fresh(client, readers)

    # an exchange rate: Gamma prices in EUR, then the EUR rate changes
    gamma_headers = bearer(gamma_user)
    _patch_offer(client, gamma_headers, gamma.offers[0].id, currency="EUR")
    _assert_stored_is_fresh(client, readers)
    rate = client.post(
        "/api/v1/exchange-rates",
        headers=bearer(make_user("operator")),
        json={
            "currency": "EUR",
            "effective_date": "2026-01-01",
            "source": "test",
            "usd_per_unit": 0.5,
        },
    )
    assert rate.status_code == 201, rate.json
    _assert_stored_is_fresh(client, readers)

    # a custom metric of X's catalog
    assert (
        client.post("/api/v1/metrics", headers=x_headers, json=metric_body("x_share")).status_code
        == 201
    )
    _assert_stored_is_fresh(client, readers)

    # a profile revision: a new version, hence a new key, ranked from scratch
    revised = _revise_profile(client, x_headers, readers[0][2], two_buyers["settings"])
    _assert_stored_is_fresh(client, [(x_headers, x.organization_id, revised.json["id"]), *readers])


FAKE_BROKER = "redis://broker.invalid:6379/0"


@pytest.fixture
def sent(app, monkeypatch):
    """A broker that takes every message and no worker (the jobs stay queued)."""
    messages: list[int] = []
    monkeypatch.setattr(queue, "send_job", lambda _app, job_id, *_args: messages.append(job_id))
    monkeypatch.setattr(queue, "broker_reachable", lambda _url, _timeout: True)
    return messages


def _refresh_jobs() -> list[Job]:
    db.session.commit()
    return db.session.scalars(select(Job).where(Job.kind == REFRESH_KIND).order_by(Job.id)).all()


def test_a_stale_ranking_is_served_with_its_as_of_and_one_refresh_is_queued(
    app, client, world, make_user, bearer, sent, sign_in
):
    headers = world["headers"]
    first = _served(client, headers)
    assert first.headers["X-Ranking-Stale"] == "false"
    as_of = first.headers["X-Ranking-As-Of"]
    app.config["BROKER_URL"] = FAKE_BROKER
    alpha = world["alpha"]
    alpha_user = bearer(make_user("vendor", organization=alpha.organization))
    for price in (5, 6, 7, 9, 10, 11, 12, 13, 14, 15):  # ten changes in a minute
        _patch_offer(client, alpha_user, alpha.offers[0].id, price=price)
        stale = _served(client, headers)
        assert stale.headers["X-Ranking-Stale"] == "true"
        assert stale.headers["X-Ranking-As-Of"] == as_of
        assert stale.json == first.json  # the stored one, as it was
    jobs = _refresh_jobs()
    assert len(jobs) == 1 and jobs[0].status == "queued"  # coalesced: one refresh for ten
    assert jobs[0].id in sent
    # the page says so
    sign_in(client, world["buyer"])
    page = client.get("/scores?category=")  # every category: the ranking read above
    assert page.status_code == 200
    assert "a newer ranking is being computed" in page.text and "Ranked as of" in page.text
    # the refresh runs on its worker: the next read is current, with the last price
    runner.run_job(jobs[0].id)
    fresh = _served(client, headers)
    assert fresh.headers["X-Ranking-Stale"] == "false"
    assert fresh.json != first.json
    expected = _fresh(world["buyer"].organization_id, None)
    assert [row["total"] for row in fresh.json] == pytest.approx([r["total"] for r in expected])
    assert "a newer ranking is being computed" not in client.get("/scores?category=").text


def test_reading_a_current_ranking_changes_no_table(client, world):
    _served(client, world["headers"])  # the first reader stores it
    before = database_rows()
    for query in ("", "?page=2&page_size=1", "?category=data_annotation"):
        client.get(f"/api/v1/scores{query}", headers=world["headers"])
    # the category's ranking was stored by its first reader: read it once more, now unchanged
    middle = database_rows()
    client.get("/api/v1/scores?category=data_annotation", headers=world["headers"])
    client.get("/api/v1/scores", headers=world["headers"])
    assert database_rows() == middle
    assert {k: v for k, v in middle.items() if "ranking" not in k} == {
        k: v for k, v in before.items() if "ranking" not in k
    }


def test_the_api_pages_the_stored_rows_and_refuses_bad_pages(client, world):
    whole = _served(client, world["headers"]).json
    assert [row["rank"] for row in whole] == [1, 2]
    second = client.get("/api/v1/scores?page=2&page_size=1", headers=world["headers"])
    assert second.status_code == 200 and second.json == whole[1:]
    assert '"total": 2' in second.headers["X-Pagination"]
    assert client.get("/api/v1/scores?page=3&page_size=1", headers=world["headers"]).json == []
    for bad in ("page=0", "page_size=0", "page=x", "page_size=100000", "top_k=0"):
        refused = client.get(f"/api/v1/scores?{bad}", headers=world["headers"])
        assert refused.status_code == 422, bad
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StoredRanking)) == 1


def _stored_rankings() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(StoredRanking)) or 0


def test_an_unknown_category_is_refused_and_stores_no_ranking(client, world, sign_in):
    headers, alpha = world["headers"], world["alpha"]
    for unknown in ("no_such_category", "x" * 200):
        refused = client.get(f"/api/v1/scores?category={unknown}", headers=headers)
        assert refused.status_code == 422, refused.json
        assert refused.json["errors"]["category"] == [f"Unknown service category {unknown!r}."]
        card = client.get(
            f"/api/v1/vendors/{alpha.id}/scorecard?category={unknown}", headers=headers
        )
        assert card.status_code == 422 and "category" in card.json["errors"]
    assert _stored_rankings() == 0
    sign_in(client, world["buyer"])
    page = client.get("/scores?category=no_such_category")
    assert page.status_code == 422 and "<code>category</code>" in page.text
    assert "Unknown service category &#39;no_such_category&#39;." in page.text  # as the API says
    assert _stored_rankings() == 0
    # a listed category, and none (every category), are ranked as before
    assert client.get("/scores?category=data_annotation").status_code == 200
    assert client.get("/api/v1/scores?category=", headers=headers).status_code == 200
    assert _stored_rankings() == 2


def test_a_stale_read_reads_the_data_versions_once(app, client, world, make_user, bearer, sent):
    headers = world["headers"]
    _served(client, headers)
    app.config["BROKER_URL"] = FAKE_BROKER
    alpha = world["alpha"]
    _patch_offer(
        client,
        bearer(make_user("vendor", organization=alpha.organization)),
        alpha.offers[0].id,
        price=5,
    )
    reads = []  # the statements that read the data versions (with the ranking, #23)

    def counted(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "ranking_data_version" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        for _ in range(2):  # the refresh is queued by the first, found queued by the second
            stale = _served(client, headers)
            assert stale.headers["X-Ranking-Stale"] == "true"
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    assert len(reads) == 2
    assert all("stored_ranking" in statement for statement in reads)
    assert len(_refresh_jobs()) == 1


def test_the_stored_trends_read_only_the_asked_vendors_periods_as_their_reader_scores_them(
    client, world, make_vendor, bearer, monkeypatch
):
    """earlier_points_of_all reads the submitted periods of the vendors it is asked for only,
    leaving out those the organization rejected (as scored_periods does): Gamma disclosed 2024
    and 2025, and the buyer rejected 2024, so no ranking of 2024 is computed for its trend;
    Delta's periods, not asked for, are not read."""
    from datetime import date

    from tests.app.test_coalitions import _sent

    gamma, gamma_user = make_vendor("Gamma Data")
    delta, delta_user = make_vendor("Delta Data")
    ids = {}
    for vendor, user in ((gamma, gamma_user), (delta, delta_user)):
        for year in (2024, 2025):
            created = client.post(
                "/api/v1/disclosures",
                headers=bearer(user),
                json={"vendor_id": vendor.id, **valid_document(f"{year}-01-01", f"{year}-12-31")},
            )
            assert created.status_code == 201, created.json
            client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=bearer(user))
            ids[vendor.id, year] = created.json["id"]
    rejected = client.post(
        f"/api/v1/disclosures/{ids[gamma.id, 2024]}/review",
        headers=world["headers"],
        json={"decision": "rejected", "comment": "Headcount does not add up"},
    )
    assert rejected.status_code in (200, 201), rejected.json

    def no_ranking(*args):
        pytest.fail(f"ranked the period ending {args[-1]}, which the buyer rejected")

    monkeypatch.setattr(services, "_period_ranking", no_ranking)
    points = {}
    sent = _sent(
        lambda: points.update(
            services.earlier_points_of_all(
                {gamma.id: date(2025, 12, 31)},
                services.profile_of(None),
                None,
                organization_id=world["buyer"].organization_id,
                metrics=None,
            )
        )
    )
    assert points == {gamma.id: []}
    (periods,) = [s for s in sent if "period_end" in s]
    assert "vendor_id IN" in periods
