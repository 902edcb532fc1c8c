"""Shared measurement (issue #20): a coalition's metric catalog and scoring profile, kept by its
backbone and adopted by members.

The world (tests/conftest.py `world`): vendors Alpha (55 impact workers at the period's end,
8 USD an hour) and Beta (10 impact workers, 6 USD an hour), both offering data annotation. The
world's buyer organization is member A of a coalition, organization B member B; both joined.

The coalition metric `impact_workers_count` is `impact_workers_end` on goalposts [0, 100]
(higher is better). The coalition profile weighs only it in the impact pillar, with every
evidence factor 1 (so the evidence level of the workforce section does not matter) and no
knockout:
- impact 1, cost 0, quality 0: Alpha 100 x 55/100 = 55.0, Beta 100 x 10/100 = 10.0 -> Alpha first;
- impact 0.2, cost 0.8 (cost pillar = lowest price 6 / price: Alpha 6/8 = 0.75, Beta 6/6 = 1):
  Alpha 100 x (0.2 x 0.55 + 0.8 x 0.75) = 11 + 60 = 71.0,
  Beta 100 x (0.2 x 0.10 + 0.8 x 1.00) = 2 + 80 = 82.0 -> Beta first.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from procure.coalitions import services
from procure.coalitions.models import CoalitionMember, CoalitionMetric, CoalitionProfile
from procure.extensions import db
from procure.notifications.models import Notification
from procure.scoring.models import RankingDataVersion, StoredRanking
from procure.scoring.services import default_profile

METRIC = {
    "key": "impact_workers_count",
    "label": "Impact workers at the period's end",
    "formula": "impact_workers_end",
    "unit": "impact workers",
    "direction": "higher",
    "goalposts": [0, 100],
    "section": "workforce",
    "source": "coalition",
}


def settings(impact: float, cost: float) -> dict:
    chosen = default_profile().to_dict()
    chosen["pillar_weights"] = {"impact": impact, "cost": cost, "quality": 0.0}
    chosen["metric_weights"] = {METRIC["key"]: 1.0}
    chosen["evidence_factors"] = {level: 1.0 for level in chosen["evidence_factors"]}
    chosen["knockout_below_minimum_wage"] = False
    return chosen


@pytest.fixture
def cm(client, world, make_org, make_user, make_vendor, bearer):
    """The coalition of member A (the world's buyer organization) and member B, its backbone,
    and the outsiders: a buyer organization not invited, a vendor and another backbone."""
    backbone = make_org("backbone", "Measurement Secretariat")
    coordinator = make_user("coordinator", organization=backbone)
    member_a = world["buyer"].organization
    member_b = make_org("buyer", "Member B")
    users = {
        "coordinator": coordinator,
        "buyer_a": world["buyer"],
        "executive_a": make_user("executive", organization=member_a),
        "buyer_b": make_user("buyer", organization=member_b),
        "executive_b": make_user("executive", organization=member_b),
        "outsider": make_user("buyer"),
        "outsider_executive": None,
        "vendor": make_user("vendor"),
        "other_backbone": make_user("coordinator", organization=make_org("backbone", "Other")),
    }
    users["outsider_executive"] = make_user(
        "executive", organization=users["outsider"].organization
    )
    coalition = services.create_coalition(
        coordinator,
        {
            "name": "Shared Measures",
            "charter": "Measure alike.",
            "theory_of_change": None,
            "period_start": date(2026, 1, 1),
            "period_end": date(2027, 12, 31),
            "impact_vendor_min_score": 50.0,
        },
    )
    for organization in (member_a, member_b):
        services.invite_member(coalition, coordinator, organization.id)
    services.accept_invitation(coalition, users["executive_a"])
    services.accept_invitation(coalition, users["executive_b"])
    db.session.commit()
    headers = {name: bearer(user) for name, user in users.items()}
    base = f"/api/v1/coalitions/{coalition.id}"
    return {
        "coalition": coalition,
        "users": users,
        "headers": headers,
        "base": base,
        "member_a": member_a,
        "member_b": member_b,
        "alpha": world["alpha"],
        "beta": world["beta"],
    }


def _scores(client, headers) -> dict[int, tuple[float, int]]:
    response = client.get("/api/v1/scores", headers=headers)
    assert response.status_code == 200, response.json
    assert response.headers["X-Ranking-Stale"] == "false"
    return {row["vendor_id"]: (round(row["total"], 6), row["rank"]) for row in response.json}


def _set_up(client, cm, impact=1.0, cost=0.0) -> None:
    added = client.post(f"{cm['base']}/metrics", headers=cm["headers"]["coordinator"], json=METRIC)
    assert added.status_code == 201, added.json
    profile = client.put(
        f"{cm['base']}/profile",
        headers=cm["headers"]["coordinator"],
        json={"settings": settings(impact, cost)},
    )
    assert profile.status_code == 200, profile.json


def _adopt(client, cm, actor="buyer_a", uses=True):
    response = client.put(
        f"{cm['base']}/membership/profile",
        headers=cm["headers"][actor],
        json={"uses_profile": uses},
    )
    assert response.status_code == 200, response.json
    assert response.json["uses_profile"] is uses
    return response


def test_a_member_that_adopted_ranks_two_vendors_under_the_coalition_metric(client, cm):
    """Impact 1 on the coalition metric alone: Alpha 55.0 first, Beta 10.0 second (the module's
    docstring); member B, which did not adopt it, keeps the default profile's ranking."""
    alpha, beta = cm["alpha"].id, cm["beta"].id
    default_b = _scores(client, cm["headers"]["buyer_b"])
    _set_up(client, cm)
    _adopt(client, cm)
    assert _scores(client, cm["headers"]["buyer_a"]) == {alpha: (55.0, 1), beta: (10.0, 2)}
    assert _scores(client, cm["headers"]["buyer_b"]) == default_b
    assert default_b[alpha][0] not in (55.0, 10.0)  # the default profile weighs otherwise
    # the member reads the profile, read-only, with its metric and weights
    seen = client.get(f"{cm['base']}/profile", headers=cm["headers"]["buyer_a"]).json
    assert seen["uses_profile"] is True and seen["settings"]["pillar_weights"]["impact"] == 1.0
    mine = [m for m in seen["metrics"] if m["coalition"]]
    assert [(m["key"], m["weight"], m["formula"]) for m in mine] == [
        (METRIC["key"], 1.0, "impact_workers_end")
    ]
    stored = db.session.scalars(
        select(StoredRanking).where(StoredRanking.organization_id == cm["member_a"].id)
    ).all()
    assert {r.coalition_id for r in stored} >= {cm["coalition"].id}


def test_a_weight_the_backbone_changes_reaches_the_adopting_member_only(client, cm):
    """Impact 0.2 and cost 0.8: Alpha 71.0, Beta 82.0, so Beta goes first for member A, whose
    stored ranking is refreshed through its data version; member B's does not move."""
    alpha, beta = cm["alpha"].id, cm["beta"].id
    _set_up(client, cm)
    _adopt(client, cm)
    assert _scores(client, cm["headers"]["buyer_a"]) == {alpha: (55.0, 1), beta: (10.0, 2)}
    default_b = _scores(client, cm["headers"]["buyer_b"])
    versions_before = _org_versions(cm)
    loaded = client.get(f"{cm['base']}/profile", headers=cm["headers"]["coordinator"]).json
    changed = client.put(
        f"{cm['base']}/profile",
        headers=cm["headers"]["coordinator"],
        json={"settings": settings(0.2, 0.8), "version": loaded["version"]},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["version"] == loaded["version"] + 1
    versions_after = _org_versions(cm)
    assert versions_after["a"] == versions_before["a"] + 1  # the adopter's rankings are outdated
    assert versions_after["b"] == versions_before["b"]  # nobody else's
    assert _scores(client, cm["headers"]["buyer_a"]) == {alpha: (71.0, 2), beta: (82.0, 1)}
    assert _scores(client, cm["headers"]["buyer_b"]) == default_b
    # a stale version is refused and changes nothing
    stale = client.put(
        f"{cm['base']}/profile",
        headers=cm["headers"]["coordinator"],
        json={"settings": settings(1.0, 0.0), "version": loaded["version"]},
    )
    assert stale.status_code == 409
    assert _scores(client, cm["headers"]["buyer_a"]) == {alpha: (71.0, 2), beta: (82.0, 1)}


def _org_versions(cm) -> dict[str, int]:
    db.session.expire_all()
    found = {
        scope: version
        for scope, version in db.session.execute(
            select(RankingDataVersion.scope, RankingDataVersion.version)
        )
    }
    return {"a": found.get(cm["member_a"].id, 0), "b": found.get(cm["member_b"].id, 0)}


def test_a_metric_the_backbone_changes_reaches_the_adopting_member(client, cm):
    """Goalposts [0, 50]: Alpha 100 x min(55/50, 1) = 100.0, Beta 100 x 10/50 = 20.0."""
    alpha, beta = cm["alpha"].id, cm["beta"].id
    _set_up(client, cm)
    _adopt(client, cm)
    assert _scores(client, cm["headers"]["buyer_a"])[alpha] == (55.0, 1)
    metric_id = db.session.scalar(select(CoalitionMetric.id))
    changed = client.put(
        f"{cm['base']}/metrics/{metric_id}",
        headers=cm["headers"]["coordinator"],
        json={**METRIC, "goalposts": [0, 50]},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["weight"] == 1.0 and changed.json["goalposts"] == [0.0, 50.0]
    assert _scores(client, cm["headers"]["buyer_a"]) == {alpha: (100.0, 1), beta: (20.0, 2)}


def test_a_member_that_stops_or_leaves_ranks_under_its_default_profile_again(client, cm):
    alpha = cm["alpha"].id
    default_a = _scores(client, cm["headers"]["buyer_a"])
    _set_up(client, cm)
    _adopt(client, cm)
    assert _scores(client, cm["headers"]["buyer_a"])[alpha] == (55.0, 1)
    _adopt(client, cm, uses=False)
    assert _scores(client, cm["headers"]["buyer_a"]) == default_a
    # changed while member A did not use it: adopting it again ranks under the change
    loaded = client.get(f"{cm['base']}/profile", headers=cm["headers"]["coordinator"]).json
    changed = client.put(
        f"{cm['base']}/profile",
        headers=cm["headers"]["coordinator"],
        json={"settings": settings(0.2, 0.8), "version": loaded["version"]},
    )
    assert changed.status_code == 200, changed.json
    _adopt(client, cm, actor="executive_a")
    assert _scores(client, cm["headers"]["buyer_a"])[alpha] == (71.0, 2)
    before = db.session.scalar(select(func.count()).select_from(Notification))
    left = client.post(f"{cm['base']}/membership/leave", headers=cm["headers"]["executive_a"])
    assert left.status_code == 200, left.json
    assert left.json["uses_profile"] is False
    assert _scores(client, cm["headers"]["buyer_a"]) == default_a
    told = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == cm["users"]["buyer_a"].id)
        .order_by(Notification.id.desc())
    ).first()
    assert told is not None and "default scoring profile" in told.title
    assert db.session.scalar(select(func.count()).select_from(Notification)) > before


def _state(cm) -> tuple:
    db.session.expire_all()
    return (
        [m.definition() for m in db.session.scalars(select(CoalitionMetric))],
        [(p.settings, p.version) for p in db.session.scalars(select(CoalitionProfile))],
        sorted(
            (member_id, uses)
            for member_id, uses in db.session.execute(
                select(CoalitionMember.id, CoalitionMember.uses_profile)
            )
        ),
    )


@pytest.mark.parametrize("actor", ["outsider", "outsider_executive", "other_backbone"])
def test_non_members_get_404_and_change_nothing(client, cm, actor):
    _set_up(client, cm)
    metric_id = db.session.scalar(select(CoalitionMetric.id))
    before = _state(cm)
    headers, base = cm["headers"][actor], cm["base"]
    reads = [
        client.get(f"{base}/metrics", headers=headers),
        client.get(f"{base}/profile", headers=headers),
    ]
    assert [r.status_code for r in reads] == [404, 404]
    writes = {
        "add": client.post(f"{base}/metrics", headers=headers, json={**METRIC, "key": "other"}),
        "change": client.put(f"{base}/metrics/{metric_id}", headers=headers, json=METRIC),
        "remove": client.delete(f"{base}/metrics/{metric_id}", headers=headers),
        "profile": client.put(
            f"{base}/profile", headers=headers, json={"settings": settings(0.5, 0.5)}
        ),
        "adopt": client.put(
            f"{base}/membership/profile", headers=headers, json={"uses_profile": True}
        ),
    }
    # another backbone is refused the adoption by its role; every other write is hidden
    expected = {
        "outsider": {"add": 403, "change": 403, "remove": 403, "profile": 403, "adopt": 404},
        "outsider_executive": {
            "add": 403,
            "change": 403,
            "remove": 403,
            "profile": 403,
            "adopt": 404,
        },
        "other_backbone": {"add": 404, "change": 404, "remove": 404, "profile": 404, "adopt": 403},
    }[actor]
    assert {name: r.status_code for name, r in writes.items()} == expected
    assert _state(cm) == before


def test_a_vendor_is_refused_and_changes_nothing(client, cm):
    """A vendor reads nothing of a coalition, as any outsider (404: it is hidden), and its role
    may not change the profile (403, as any non-backbone); adopting answers 404, as outsiders."""
    _set_up(client, cm)
    before = _state(cm)
    headers, base = cm["headers"]["vendor"], cm["base"]
    assert client.get(f"{base}/profile", headers=headers).status_code == 404
    assert client.get(f"{base}/metrics", headers=headers).status_code == 404
    assert (
        client.put(
            f"{base}/profile", headers=headers, json={"settings": settings(0.5, 0.5)}
        ).status_code
        == 403
    )
    assert (
        client.put(
            f"{base}/membership/profile", headers=headers, json={"uses_profile": True}
        ).status_code
        == 404
    )
    assert _state(cm) == before


def test_members_read_but_only_the_backbone_edits(client, cm):
    _set_up(client, cm)
    before = _state(cm)
    for actor in ("buyer_a", "executive_b"):
        headers = cm["headers"][actor]
        assert client.get(f"{cm['base']}/profile", headers=headers).status_code == 200
        assert client.get(f"{cm['base']}/metrics", headers=headers).status_code == 200
        edits = [
            client.post(f"{cm['base']}/metrics", headers=headers, json={**METRIC, "key": "x"}),
            client.put(
                f"{cm['base']}/profile", headers=headers, json={"settings": settings(0.5, 0.5)}
            ),
        ]
        assert [r.status_code for r in edits] == [403, 403]
    assert _state(cm) == before


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/metrics", "POST", {**METRIC, "formula": "impact_workers_end +"}, "formula"),
        ("/metrics", "POST", {**METRIC, "goalposts": [5, 5]}, "goalposts"),
        ("/metrics", "POST", {**METRIC, "key": "impact_worker_share"}, "key"),
        ("/metrics", "POST", {**METRIC, "label": "x" * 201}, "label"),
        ("/profile", "PUT", {"settings": settings(0.7, 0.7)}, "settings.pillar_weights"),
        ("/profile", "PUT", {"settings": {**settings(1, 0), "metric_weights": {"nope": 1}}}, None),
        ("/membership/profile", "PUT", {"uses_profile": "maybe"}, "uses_profile"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    client, cm, path, method, body, field
):
    _set_up(client, cm)
    before = _state(cm)
    actor = "buyer_a" if path.startswith("/membership") else "coordinator"
    response = client.open(
        f"{cm['base']}{path}", method=method, headers=cm["headers"][actor], json=body
    )
    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    flat = errors.get("json", errors)
    if field is None:  # a weight of an unknown metric: named by its setting
        assert any(name.startswith("settings.") for name in flat), flat
    else:
        assert field in flat, flat
    assert _state(cm) == before


def test_a_metric_the_profile_weighs_stays_until_its_weight_goes(client, cm):
    _set_up(client, cm)
    metric_id = db.session.scalar(select(CoalitionMetric.id))
    url = f"{cm['base']}/metrics/{metric_id}"
    assert client.delete(url, headers=cm["headers"]["coordinator"]).status_code == 409
    renamed = client.put(
        url, headers=cm["headers"]["coordinator"], json={**METRIC, "key": "renamed"}
    )
    assert renamed.status_code == 422 and "key" in renamed.json["errors"]
    loaded = client.get(f"{cm['base']}/profile", headers=cm["headers"]["coordinator"]).json
    unweighed = settings(0.5, 0.5) | {
        "metric_weights": default_profile().to_dict()["metric_weights"]
    }
    response = client.put(
        f"{cm['base']}/profile",
        headers=cm["headers"]["coordinator"],
        json={"settings": unweighed, "version": loaded["version"]},
    )
    assert response.status_code == 200, response.json
    assert client.delete(url, headers=cm["headers"]["coordinator"]).status_code == 204
    assert db.session.scalar(select(func.count()).select_from(CoalitionMetric)) == 0


def test_the_backbone_keeps_the_measurement_on_its_page_and_a_member_adopts_it_there(
    client, cm, sign_in
):
    """The backbone adds the metric and sets the weights through the page's forms; a member
    reads them (no weight inputs) and adopts the profile with the page's control."""
    from tests.conftest import csrf_token_from

    page = f"/coalitions/{cm['coalition'].id}/measurement"
    sign_in(client, cm["users"]["coordinator"])
    shown = client.get(page)
    assert shown.status_code == 200 and "Add a metric" in shown.text
    token = csrf_token_from(shown.text)
    form = {
        "csrf_token": token,
        **{name: METRIC[name] for name in ("key", "label", "formula", "unit", "direction")},
        **{name: METRIC[name] for name in ("section", "source")},
        "goalposts.low": "0",
        "goalposts.high": "100",
    }
    refused = client.post(f"/coalitions/{cm['coalition'].id}/metrics", data=form | {"formula": "("})
    assert (
        refused.status_code == 422
        and db.session.scalar(select(func.count(CoalitionMetric.id))) == 0
    )
    added = client.post(f"/coalitions/{cm['coalition'].id}/metrics", data=form)
    assert added.status_code == 302
    weights = {  # as the page sends them: every metric's weight, the built-in ones set to 0
        "csrf_token": token,
        **{f"metric_weights.{key}": "0" for key in default_profile().to_dict()["metric_weights"]},
        "pillar_weights.impact": "1",
        "pillar_weights.cost": "0",
        "pillar_weights.quality": "0",
        f"metric_weights.{METRIC['key']}": "1",
    }
    wrong = client.post(
        f"/coalitions/{cm['coalition'].id}/profile", data=weights | {"pillar_weights.cost": "1"}
    )
    assert wrong.status_code == 422 and "pillar_weights" in wrong.text
    assert db.session.scalar(select(func.count(CoalitionProfile.id))) == 0
    saved = client.post(f"/coalitions/{cm['coalition'].id}/profile", data=weights)
    assert saved.status_code == 302
    db.session.expire_all()
    record = db.session.scalar(select(CoalitionProfile))
    assert record.settings["metric_weights"] == {METRIC["key"]: 1.0}
    assert record.settings["pillar_weights"] == {"impact": 1.0, "cost": 0.0, "quality": 0.0}

    client.post("/sign-out", data={"csrf_token": token})
    member = client.application.test_client()
    sign_in(member, cm["users"]["buyer_a"])
    read = member.get(page)
    assert read.status_code == 200
    assert METRIC["key"] in read.text and "metric_weights." not in read.text
    assert "Use the coalition profile" in read.text
    adopted = member.post(
        f"/coalitions/{cm['coalition'].id}/membership/profile",
        data={"csrf_token": csrf_token_from(read.text), "uses_profile": "true"},
    )
    assert adopted.status_code == 302
    assert "Stop using the coalition profile" in member.get(page).text
    assert "Coalition profile: Shared Measures, version 1" in member.get("/scores").text


def test_a_scenario_of_an_adopting_member_is_scored_under_the_coalition_profile(
    client, cm, make_scenario
):
    """A plan without a profile of its own: the vendors' impact scores (100 x the impact pillar)
    are the coalition profile's, Alpha 100 x 55/100 = 55 and Beta 100 x 10/100 = 10; after the
    member stops using it, a new plan is scored under the default profile again."""
    from procure.scenarios.models import Scenario

    _set_up(client, cm)
    _adopt(client, cm)
    adopted = make_scenario("Under the coalition profile")
    _adopt(client, cm, uses=False)
    own = make_scenario("Under the default profile")

    def impact_scores(created) -> dict[str, float]:
        db.session.expire_all()
        scenario = db.session.get(Scenario, created["id"])
        assert scenario.problem is not None, scenario.status
        return {v["name"]: round(v["impact_score"], 6) for v in scenario.problem["vendors"]}

    assert impact_scores(adopted) == {"Alpha Annotation": 55.0, "Beta BPO": 10.0}
    assert impact_scores(own)["Alpha Annotation"] not in (55.0, 10.0)


# ---------------------------------------------------------------- where "its" profile is used

LABEL = "Coalition profile: Shared Measures, version 1"


def _change_profile(client, cm, impact: float, cost: float) -> None:
    """The backbone changes the coalition profile's weights, from the version it loads."""
    loaded = client.get(f"{cm['base']}/profile", headers=cm["headers"]["coordinator"]).json
    changed = client.put(
        f"{cm['base']}/profile",
        headers=cm["headers"]["coordinator"],
        json={"settings": settings(impact, cost), "version": loaded["version"]},
    )
    assert changed.status_code == 200, changed.json


def _card_total(client, headers, vendor_id: int) -> float:
    response = client.get(f"/api/v1/vendors/{vendor_id}/scorecard", headers=headers)
    assert response.status_code == 200, response.json
    return round(response.json["score"]["total"], 6)


def test_an_adopting_members_scorecard_and_what_if_use_the_coalition_profile(
    app, client, cm, sign_in
):
    """Impact 1 on the coalition metric alone (the module's docstring): Alpha's scorecard total
    is 100 x 55/100 = 55.0 for member A, as in its comparison. What if Alpha had 60 impact
    workers at the end (40 at the start + 25 hires - 5 departures = 60)? 100 x 60/100 = 60.0,
    still first (Beta 10.0). Member B, the outsider and the vendor itself keep the default
    profile, under which Alpha's total is another figure."""
    alpha = cm["alpha"].id
    default_total = _card_total(client, cm["headers"]["buyer_b"], alpha)
    _set_up(client, cm)
    _adopt(client, cm)
    assert _card_total(client, cm["headers"]["buyer_a"], alpha) == 55.0
    assert default_total != 55.0
    for other in ("buyer_b", "outsider"):
        assert _card_total(client, cm["headers"][other], alpha) == default_total
    changes = {"impact_workers_end": 60, "impact_worker_hires": 25}
    what_if = client.post(
        f"/api/v1/vendors/{alpha}/what-if",
        headers=cm["headers"]["buyer_a"],
        json={"changes": changes},
    )
    assert what_if.status_code == 200, what_if.json
    body = what_if.json
    assert (round(body["total_before"], 6), round(body["total_after"], 6)) == (55.0, 60.0)
    assert (body["rank_before"], body["rank_after"]) == (1, 1)
    outsider = client.post(
        f"/api/v1/vendors/{alpha}/what-if",
        headers=cm["headers"]["outsider"],
        json={"changes": changes},
    ).json
    assert round(outsider["total_before"], 6) == default_total
    # the page names the profile and shows the same total; its what-if box scores alike
    sign_in(client, cm["users"]["buyer_a"])
    page = client.get(f"/vendors/{alpha}/scorecard")
    assert page.status_code == 200 and LABEL in page.text and "55.0" in page.text
    # every hint names the basis the card was scored under, never the default profile
    assert "default profile" not in page.text.lower()
    assert "under the coalition profile Shared Measures, version 1" in page.text
    directory = client.get("/vendors?category=")
    assert "Score and rank under the coalition profile Shared Measures, version 1" in (
        directory.text
    )
    from tests.conftest import csrf_token_from

    boxed = client.post(
        f"/vendors/{alpha}/scorecard",
        data={"csrf_token": csrf_token_from(page.text), **{k: str(v) for k, v in changes.items()}},
    )
    assert boxed.status_code == 200, boxed.text
    assert "The total would move from 55.0 to 60.0, rank 1 to 1." in boxed.text
    member_b_client = sign_in(app.test_client(), cm["users"]["buyer_b"])
    # a member that did not adopt the profile: its hints keep the default profile
    assert "under the default profile" in member_b_client.get(f"/vendors/{alpha}/scorecard").text
    assert "Score and rank under the default profile" in member_b_client.get("/vendors").text
    # a new version of the profile is named so
    _change_profile(client, cm, 0.2, 0.8)
    assert "Coalition profile: Shared Measures, version 2" in client.get("/scores").text
    assert _card_total(client, cm["headers"]["buyer_a"], alpha) == 71.0


def test_a_plan_records_the_coalition_profile_and_its_board_report_names_it(
    client, cm, make_scenario, sign_in
):
    """A plan solved under the coalition profile records the coalition and the profile's
    version; its page, its API and its board report (the PDF's HTML) say "Coalition profile:
    Shared Measures, version 1", its method lists the coalition metric. A plan solved after the
    member stops using it records none and says "Default profile"."""
    from procure.reports.board_pdf import render_board_html
    from procure.scenarios.models import Scenario
    from procure.scenarios.report_context import board_context

    _set_up(client, cm)
    _adopt(client, cm)
    adopted = make_scenario("Under the coalition profile")
    _adopt(client, cm, uses=False)
    own = make_scenario("Under the default profile")
    db.session.expire_all()
    under = db.session.get(Scenario, adopted["id"])
    assert (under.coalition_id, under.coalition_profile_version) == (cm["coalition"].id, 1)
    assert under.profile_settings["metric_weights"] == {METRIC["key"]: 1.0}
    plain = db.session.get(Scenario, own["id"])
    assert (plain.coalition_id, plain.coalition_profile_version) == (None, None)

    context = board_context(under)
    assert context["scenario"]["profile"] == LABEL and context["method"]["profile"] == LABEL
    assert METRIC["key"] in {m["key"] for m in context["method"]["metrics"]}
    assert LABEL in render_board_html(context, include_charts=False)
    assert board_context(plain)["scenario"]["profile"] == "Default profile"
    # the backbone changing the profile later does not change what the plan records
    _change_profile(client, cm, 0.2, 0.8)
    db.session.expire_all()
    assert board_context(db.session.get(Scenario, adopted["id"]))["scenario"]["profile"] == LABEL
    shown = client.get(f"/api/v1/scenarios/{adopted['id']}", headers=cm["headers"]["buyer_a"])
    assert shown.json["coalition_id"] == cm["coalition"].id
    assert shown.json["coalition_profile_version"] == 1
    sign_in(client, cm["users"]["buyer_a"])
    assert f"Scoring profile: {LABEL}" in client.get(f"/scenarios/{adopted['id']}").text
    assert "Scoring profile: Default profile" in client.get(f"/scenarios/{own['id']}").text
    # nobody outside member A reads the plan, or what it records
    for outsider in ("buyer_b", "outsider", "coordinator", "other_backbone", "vendor"):
        seen = client.get(f"/api/v1/scenarios/{adopted['id']}", headers=cm["headers"][outsider])
        assert seen.status_code in (403, 404), (outsider, seen.status_code)


def test_a_measurement_change_reaches_every_member_and_the_feed(client, cm):
    """The backbone adds a metric and sets the profile: each is a feed post (kind
    measurement_changed) that notifies every member's buyer side, adopting or not; nobody
    outside the coalition is told."""
    from procure.coalitions.models import CoalitionPost

    def notices(user) -> list[str]:
        return list(
            db.session.scalars(
                select(Notification.title)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        )

    users = cm["users"]
    before = {name: len(notices(users[name])) for name in ("buyer_b", "outsider", "vendor")}
    _set_up(client, cm)
    db.session.expire_all()
    posts = db.session.scalars(
        select(CoalitionPost.text).where(
            CoalitionPost.coalition_id == cm["coalition"].id,
            CoalitionPost.kind == "measurement_changed",
        )
    ).all()
    assert len(posts) == 2
    assert "added the metric Impact workers at the period's end (impact_workers_count)" in posts[0]
    assert "set the coalition profile: it is version 1 now" in posts[1]
    told = notices(users["buyer_b"])[before["buyer_b"] :]
    assert len(told) == 2 and all(t.startswith("Shared Measures: The backbone") for t in told)
    assert len(notices(users["outsider"])) == before["outsider"]
    assert len(notices(users["vendor"])) == before["vendor"]
    feed = client.get(f"{cm['base']}/posts", headers=cm["headers"]["buyer_b"])
    assert feed.status_code == 200, feed.json
    assert [post["kind"] for post in feed.json][:2] == ["measurement_changed"] * 2


def test_another_coalitions_member_keeps_its_own_coalitions_profile(client, cm, sign_in):
    """The outsider joins another coalition and adopts its profile, which that backbone has not
    set (the default weights): Alpha's total for it stays the default profile's, its pages name
    its own coalition, and the Shared Measures backbone's changes neither reach its scores nor
    notify it."""
    users = cm["users"]
    alpha = cm["alpha"].id
    default_total = _card_total(client, cm["headers"]["outsider"], alpha)
    other = services.create_coalition(
        users["other_backbone"],
        {
            "name": "Other Circle",
            "charter": "Elsewhere.",
            "theory_of_change": None,
            "period_start": date(2026, 1, 1),
            "period_end": date(2027, 12, 31),
            "impact_vendor_min_score": 50.0,
        },
    )
    services.invite_member(other, users["other_backbone"], users["outsider"].organization_id)
    services.accept_invitation(other, users["outsider_executive"])
    services.set_uses_profile(other, users["outsider_executive"], True)
    db.session.commit()
    told_before = db.session.scalar(
        select(func.count()).where(Notification.user_id == users["outsider"].id)
    )
    _set_up(client, cm)
    _adopt(client, cm)
    assert _card_total(client, cm["headers"]["buyer_a"], alpha) == 55.0
    assert _card_total(client, cm["headers"]["outsider"], alpha) == default_total
    assert (
        db.session.scalar(select(func.count()).where(Notification.user_id == users["outsider"].id))
        == told_before
    )
    sign_in(client, users["outsider"])
    page = client.get(f"/vendors/{alpha}/scorecard").text
    assert "Coalition profile: Other Circle, the default weights (not set yet)" in page
    assert "Shared Measures" not in page


def test_a_scorecard_served_stale_names_the_version_it_was_scored_under(
    app, client, cm, sign_in, monkeypatch
):
    """Version 1 weighs impact 1 (Alpha 55.0), version 2 impact 0.2 and cost 0.8 (Alpha 71.0:
    the module's docstring). While the refresh waits for a worker, member A is served Alpha's
    card scored under version 1, named so, not as the version being applied; once the refresh
    has run, under version 2. After leaving, the card it is served stale (stored under the
    default profile before it adopted one) is named "Default profile", as it was scored."""
    from procure.jobs import queue, runner
    from procure.jobs.models import Job
    from procure.scoring.rankings import REFRESH_KIND

    alpha, headers = cm["alpha"].id, cm["headers"]["buyer_a"]
    url = f"/api/v1/vendors/{alpha}/scorecard"
    default_total = _card_total(client, headers, alpha)  # stored under the default profile
    _set_up(client, cm)
    _adopt(client, cm)
    first = client.get(url, headers=headers)
    assert first.headers["X-Ranking-Stale"] == "false"
    assert first.json["profile"]["label"] == LABEL and "profile_change" not in first.json
    # a broker that takes every job, and no worker: the refreshes stay queued
    monkeypatch.setattr(queue, "send_job", lambda *_args: None)
    monkeypatch.setattr(queue, "broker_reachable", lambda _url, _timeout: True)
    app.config["BROKER_URL"] = "redis://broker.invalid:6379/0"
    _change_profile(client, cm, 0.2, 0.8)
    stale = client.get(url, headers=headers)
    assert stale.headers["X-Ranking-Stale"] == "true"
    assert round(stale.json["score"]["total"], 6) == 55.0  # version 1's, as stored
    assert stale.json["profile"] == {
        "kind": "coalition",
        "name": "Shared Measures",
        "version": 1,
        "label": LABEL,
    }
    assert stale.json["profile_change"] == "scored under version 1; version 2 is being applied"
    assert stale.json["profile_applied"]["label"] == (
        "Coalition profile: Shared Measures, version 2"
    )
    sign_in(client, cm["users"]["buyer_a"])
    said = "Scored under version 1; version 2 is being applied."
    page = client.get(f"/vendors/{alpha}/scorecard").text
    assert "Scored as of" in page and said in page and f"Scoring profile: {LABEL}<" in page
    assert said in client.get("/scores?category=").text  # the comparison served stale alike
    db.session.commit()
    for job_id in db.session.scalars(select(Job.id).where(Job.kind == REFRESH_KIND)).all():
        runner.run_job(job_id)
    fresh = client.get(url, headers=headers)
    assert fresh.headers["X-Ranking-Stale"] == "false"
    assert round(fresh.json["score"]["total"], 6) == 71.0
    assert fresh.json["profile"]["version"] == 2 and "profile_change" not in fresh.json
    # left: its stored card under the default profile is out of date (adopting outdated it)
    left = client.post(f"{cm['base']}/membership/leave", headers=cm["headers"]["executive_a"])
    assert left.status_code == 200, left.json
    after = client.get(url, headers=headers)
    assert after.headers["X-Ranking-Stale"] == "true"
    assert round(after.json["score"]["total"], 6) == default_total
    assert after.json["profile"]["label"] == "Default profile"
    assert "profile_change" not in after.json
