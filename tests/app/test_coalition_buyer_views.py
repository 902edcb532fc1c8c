"""A vendor's "what each buyer sees" under each buyer's own basis, and the scorecard saying which
profile it used (issue #20).

The world and the coalition are tests/app/test_coalition_measurement.py's: member A adopts the
coalition profile, which weighs only the coalition metric `impact_workers_count`
(impact_workers_end on goalposts [0, 100]) with impact 1, every evidence factor 1 and no
knockout, so member A sees Alpha at 100 x 55/100 = 55.0, first of 2, and Beta at 10.0. Member B
did not adopt it: it sees Alpha under the default profile, as its own ranking does.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from procure.accounts.models import User
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.scoring_defaults import default_profile
from procure.states import DisclosureState
from tests.app import test_coalition_measurement as measurement
from tests.app.test_coalition_measurement import _adopt, _scores, _set_up

cm = measurement.cm  # the coalition of member A and member B, its fixture

COALITION_LABEL = "Coalition profile: Shared Measures, version 1"
DEFAULT = {
    "kind": "default",
    "name": "Default profile",
    "version": None,
    "label": "Default profile",
}


def _alpha_user(cm) -> User:
    return db.session.scalars(
        select(User).where(User.organization_id == cm["alpha"].organization_id)
    ).first()


def _review_alpha(client, cm) -> None:
    """Both members verify Alpha's submitted version, so both are among its reviewing buyers."""
    disclosure = db.session.scalars(
        select(Disclosure).where(
            Disclosure.vendor_id == cm["alpha"].id,
            Disclosure.state == DisclosureState.SUBMITTED,
        )
    ).one()
    for buyer in ("buyer_a", "buyer_b"):
        reviewed = client.post(
            f"/api/v1/disclosures/{disclosure.id}/review",
            headers=cm["headers"][buyer],
            json={"decision": "verified"},
        )
        assert reviewed.status_code == 200, reviewed.json


def test_each_buyer_is_seen_under_its_own_basis_and_named(client, cm, bearer):
    _review_alpha(client, cm)
    _set_up(client, cm)
    _adopt(client, cm)
    alpha = cm["alpha"].id
    seen_by_b = _scores(client, cm["headers"]["buyer_b"])[alpha]  # member B's default ranking
    assert seen_by_b[0] != 55.0
    own = client.get(f"/api/v1/vendors/{alpha}/scorecard", headers=bearer(_alpha_user(cm)))
    assert own.status_code == 200, own.json
    # the vendor's own card is scored under the default profile, and says so
    assert own.json["profile"] == DEFAULT
    views = {view["organization"]: view for view in own.json["buyer_views"]}
    member_a, member_b = views[cm["member_a"].name], views[cm["member_b"].name]
    assert member_a["total"] == pytest.approx(55.0)
    assert (member_a["rank"], member_a["peers"]) == (1, 2)
    assert member_a["profile"] == COALITION_LABEL
    assert (round(member_b["total"], 6), member_b["rank"]) == seen_by_b
    assert member_b["profile"] == "Default profile"
    # the page: the coalition profile by name, the panel's ranks from the same figures
    page = client.get("/scorecard", headers=bearer(_alpha_user(cm)))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert COALITION_LABEL in text and "impact_workers_count" not in text  # no weights, no keys


def test_the_scorecard_says_which_profile_it_used(client, cm):
    _set_up(client, cm)
    alpha = cm["alpha"].id
    url = f"/api/v1/vendors/{alpha}/scorecard"
    headers = cm["headers"]["buyer_a"]
    assert client.get(url, headers=headers).json["profile"] == DEFAULT  # not adopted yet
    _adopt(client, cm)
    card = client.get(url, headers=headers).json
    assert card["profile"] == {
        "kind": "coalition",
        "name": "Shared Measures",
        "version": 1,
        "label": COALITION_LABEL,
    }
    assert card["score"]["total"] == pytest.approx(55.0)
    named = client.post(
        "/api/v1/scoring-profiles",
        headers=headers,
        json={"name": "Cost first", "settings": default_profile().to_dict()},
    )
    assert named.status_code == 201, named.json
    chosen = client.get(url, headers=headers, query_string={"profile": named.json["id"]}).json
    assert chosen["profile"] == {
        "kind": "named",
        "name": "Cost first",
        "version": 1,
        "label": "Cost first v1",
    }
