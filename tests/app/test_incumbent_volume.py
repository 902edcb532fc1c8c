"""An incumbent rule's `min_volume` above its need's volume is refused when it is saved (the API's
create and change, and the scenario page's form), naming the field, and nothing is saved; before,
it was taken and the optimizer refused the document at the solve. An award scenario's need is
its lot, whose volume the event froze.

The world is `test_award_scenarios.awarding`: lot 2 "Invoices" is 2,000 items."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios.models import Scenario
from tests.app.test_award_rules_app import _page_client, _refused
from tests.app.test_award_scenarios import (
    _documents,
    _scenario,
    awarding,  # noqa: F401 (a fixture, through world)
)
from tests.conftest import csrf_token_from

TOO_MUCH = (
    "At most the need's volume: “Invoices” is 2,000 items, so the incumbents cannot keep 2,001."
)


@pytest.fixture
def world(request):
    return request.getfixturevalue("awarding")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Scenario))


def _rule(s, volume) -> dict:
    return {
        "incumbents": [
            {"need": s.need_ids[1], "vendors": [s.vendors["a"].id], "min_volume": volume}
        ]
    }


def test_a_volume_above_the_lots_is_refused_by_the_api_naming_the_field(client, world):
    s = world
    field = "targets.incumbents[0].min_volume"
    refused = _scenario(client, s, targets=_rule(s, 2001))
    assert refused.status_code == 422, refused.json
    assert refused.json["errors"] == {field: [TOO_MUCH]}
    assert _count() == 0
    saved = _scenario(client, s).json
    changed = client.patch(
        f"/api/v1/scenarios/{saved['id']}",
        headers=s.headers["buyer_x"],
        json={"targets": _rule(s, 2001), "version": saved["version"]},
    )
    assert changed.status_code == 422 and changed.json["errors"] == {field: [TOO_MUCH]}
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}


def test_the_whole_lot_may_be_kept_with_the_incumbents(client, world):
    """min_volume = the lot's 2,000 items: A keeps all of lot 2 at 0.50 = 1,000 USD; lot 1 as
    in the golden case, A 600 hours x 10 + B 400 x 12 = 10,800; 11,800 USD."""
    s = world
    kept = _scenario(client, s, targets=_rule(s, 2000))
    assert kept.status_code == 201 and kept.json["status"] == "solved", kept.json
    _, result = _documents(client, s, kept.json["id"])
    assert result["totals"]["cost"] == pytest.approx(11800.0, abs=1e-6)


def test_an_award_scenario_reads_the_lots_volume_not_the_needs_edited_since(client, world):
    """The need "Invoices" grows to 5,000 items after the event froze its lot at 2,000: an award
    scenario keeping 2,001 with the incumbents is refused (the lot's volume), while a rate-card
    scenario of the need is not (its volume is now 5,000)."""
    s = world
    db.session.execute(update(Need).where(Need.id == s.need_ids[1]).values(volume=5000))
    db.session.commit()
    refused = _scenario(client, s, targets=_rule(s, 2001))
    assert refused.status_code == 422
    assert refused.json["errors"] == {"targets.incumbents[0].min_volume": [TOO_MUCH]}
    rate_cards = client.post(
        "/api/v1/scenarios",
        headers=s.headers["buyer_x"],
        json={"name": "Rate cards", "need_ids": s.need_ids, "targets": _rule(s, 2001)},
    )
    assert rate_cards.status_code == 201, rate_cards.json
    too_much = client.post(
        "/api/v1/scenarios",
        headers=s.headers["buyer_x"],
        json={"name": "Rate cards", "need_ids": s.need_ids, "targets": _rule(s, 5001)},
    )
    assert too_much.status_code == 422
    assert (
        "“Invoices” is 5,000 items"
        in too_much.json["errors"]["targets.incumbents[0].min_volume"][0]
    )


def test_the_page_form_refuses_it_beside_the_field(client, world, sign_in):
    s = world
    saved = _scenario(client, s).json
    browser = _page_client(client, s, sign_in)
    url = f"/scenarios/{saved['id']}"
    token = csrf_token_from(browser.get(url).text)
    _refused(
        browser,
        f"{url}/incumbent-rule",
        {
            "csrf_token": token,
            "version": str(saved["version"]),
            "incumbent.need": str(s.need_ids[1]),
            "incumbent.vendors": [str(s.vendors["a"].id)],
            "incumbent.min_volume": "2001",
        },
        "incumbent.min_volume",
        "Or at least this many units</a>: At most the need&#39;s volume: “Invoices” is 2,000",
        ['name="incumbent.min_volume" type="number" value="2001"'],
    )
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}
