"""The draft's score effect reads its "before" from the current stored ranking the vendor's
scorecard reads (procure.scoring.rankings): a draft that changes nothing, or of an earlier
period, ranks nobody live, and a draft that changes figures gives exactly the figures it gives
without a stored ranking."""

from sqlalchemy import delete

from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.scoring import draft_effect, services
from procure.scoring.models import StoredRanking, StoredRankingCard, StoredRankingRow
from tests.app.test_draft_score_effect import _draft_2026
from tests.app.test_scoring_app import _two_vendors
from tests.conftest import valid_document


def _counting(monkeypatch) -> list[int]:
    calls: list[int] = []
    live = services.rank_vendors

    def counted(*args, **kwargs):
        calls.append(1)
        return live(*args, **kwargs)

    monkeypatch.setattr(services, "rank_vendors", counted)
    return calls


def test_the_before_is_the_stored_rankings_and_the_figures_are_the_live_ones(
    client, make_vendor, bearer, monkeypatch
):
    (_a, _), (b, user_b) = _two_vendors(client, make_vendor, bearer)
    headers = bearer(user_b)
    # the vendor's scorecard stores the ranking it reads (current: a draft changes no score)
    assert client.get(f"/api/v1/vendors/{b.id}/scorecard", headers=headers).status_code == 200
    draft = db.session.get(Disclosure, _draft_2026(client, headers, b)["id"])
    earlier_id = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={
            "vendor_id": b.id,
            **valid_document(period_start="2024-01-01", period_end="2024-12-31"),
        },
    ).json["id"]
    earlier = db.session.get(Disclosure, earlier_id)
    calls = _counting(monkeypatch)
    assert draft_effect.draft_effect(earlier, user_b)["kind"] == "later"
    assert calls == []  # read from the stored card: nobody ranked live
    stored = draft_effect.draft_effect(draft, user_b)
    assert stored["kind"] == "moves" and calls == [1]  # the what-if's ranking only
    # without a stored ranking, everything live: the same figures
    for table in (StoredRankingCard, StoredRankingRow, StoredRanking):
        db.session.execute(delete(table))
    db.session.flush()
    live = draft_effect.draft_effect(draft, user_b)
    assert live == stored
