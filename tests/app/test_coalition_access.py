"""Who reaches each coalition route, pages and API, and what crosses between members.

The actors of the coalition world (tests/app/coalition_world.py): the backbone's coordinator and
its admin (who acts as a coordinator); member A's buyer, executive and admin; member B's
executive; organization C's executive (invited, not answered); organization D's buyer (not
invited); a vendor; the operator; and the coordinator of another backbone, which runs a
coalition of its own.

`ok`: the access layer let the request through (the handler may answer 2xx, 3xx, 409 or 422);
`404`: the coalition is hidden; `403`: the role is refused. The backbone reads and runs its own
coalitions; a member's buyer side reads them and its executives and admin answer for it; an
invited organization reads the charter and targets only (its progress, vendor load and feed
answer 404); everyone else gets 404 (a buyer side) or 403 (other roles). Organization D's
buyer, like member A's, may not answer for its organization (403); the executives and admins
of organizations outside the coalition get 404 (tests/app/test_access_matrix.py).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from procure.access import route_rules
from tests.app.coalition_world import SECRETS, build
from tests.conftest import csrf_token_from

ACTORS = (
    "coordinator",
    "backbone_admin",
    "buyer_a",
    "executive_a",
    "admin_a",
    "executive_b",
    "invited",
    "outsider",
    "vendor",
    "operator",
    "other_backbone",
)


def row(*outcomes):
    return dict(zip(ACTORS, outcomes, strict=True))


LIST = row("ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "403", "403", "ok")
READ = row("ok", "ok", "ok", "ok", "ok", "ok", "ok", "404", "403", "403", "404")
INSIDE = row("ok", "ok", "ok", "ok", "ok", "ok", "404", "404", "403", "403", "404")
RUN = row("ok", "ok", "403", "403", "403", "403", "403", "403", "403", "403", "404")
MAKE = row("ok", "ok", "403", "403", "403", "403", "403", "403", "403", "403", "ok")
ANSWER = row("403", "403", "403", "ok", "ok", "ok", "ok", "403", "403", "403", "403")
# leaving a second time: the organization that left no longer sees the coalition
LEFT = row("403", "403", "403", "404", "404", "404", "404", "403", "403", "403", "403")

TARGET = {
    "measure": "impact_worker_hours",
    "value": 5000,
    "label": "Hours",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
}
CHARTER = {
    "name": "Access",
    "charter": "Together.",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
}

# in this order: reads first, then the changes (leaving last, so the reads see a member)
ROUTES = [
    ("/api/v1/coalitions", "GET", LIST, None),
    ("/api/v1/coalitions/{coalition}", "GET", READ, None),
    ("/api/v1/coalitions/{coalition}/progress", "GET", INSIDE, None),
    ("/api/v1/coalitions/{coalition}/vendor-load", "GET", INSIDE, None),
    ("/api/v1/coalitions/{coalition}/posts", "GET", INSIDE, None),
    ("/api/v1/coalitions/{coalition}/spend", "GET", INSIDE, None),
    ("/coalitions/{coalition}/spend", "GET", INSIDE, None),
    ("/api/v1/coalitions/{coalition}/candidates", "GET", RUN, None),
    ("/coalitions", "GET", LIST, None),
    ("/coalitions/{coalition}", "GET", READ, None),
    ("/coalitions/new", "GET", MAKE, None),
    ("/coalitions/{coalition}/edit", "GET", RUN, None),
    ("/coalitions/{coalition}/targets/new", "GET", RUN, None),
    ("/coalitions/{coalition}/targets/{target}/edit", "GET", RUN, None),
    ("/api/v1/coalitions", "POST", MAKE, CHARTER),
    ("/api/v1/coalitions/{coalition}", "PATCH", RUN, {**CHARTER, "version": 999}),
    ("/api/v1/coalitions/{coalition}/members", "POST", RUN, {"organization_id": "{outsider}"}),
    ("/api/v1/coalitions/{coalition}/targets", "POST", RUN, TARGET),
    ("/api/v1/coalitions/{coalition}/targets/{target}", "PATCH", RUN, {**TARGET, "version": 999}),
    ("/api/v1/coalitions/{coalition}/posts", "POST", RUN, {"text": "Hello"}),
    ("/coalitions/new", "POST", MAKE, {}),
    ("/coalitions/{coalition}/edit", "POST", RUN, {}),
    ("/coalitions/{coalition}/members", "POST", RUN, {}),
    ("/coalitions/{coalition}/targets/new", "POST", RUN, {}),
    ("/coalitions/{coalition}/targets/{target}/edit", "POST", RUN, {}),
    ("/coalitions/{coalition}/posts", "POST", RUN, {}),
    ("/api/v1/coalitions/{coalition}/report", "POST", INSIDE, {}),
    ("/coalitions/{coalition}/report", "POST", INSIDE, {}),
    (
        "/api/v1/coalitions/{coalition}/membership/sharing",
        "PUT",
        ANSWER,
        {"shares_contribution": True},
    ),
    ("/coalitions/{coalition}/membership/sharing", "POST", ANSWER, {}),
    ("/api/v1/coalitions/{coalition}/membership/accept", "POST", ANSWER, {}),
    ("/coalitions/{coalition}/membership/accept", "POST", ANSWER, {}),
    ("/api/v1/coalitions/{coalition}/membership/decline", "POST", ANSWER, {}),
    ("/coalitions/{coalition}/membership/decline", "POST", ANSWER, {}),
    ("/coalitions/{coalition}/membership/leave", "POST", ANSWER, {}),
    ("/api/v1/coalitions/{coalition}/membership/leave", "POST", LEFT, {}),
]


@pytest.fixture
def cw(app, make_org, make_user, make_vendor):
    world = build(make_org, make_user, make_vendor)
    other = make_org("backbone", "Another Secretariat")
    world["users"]["other_backbone"] = make_user("coordinator", organization=other)
    from procure.coalitions.services import create_coalition
    from procure.extensions import db

    create_coalition(
        world["users"]["other_backbone"],
        {
            **CHARTER,
            "period_start": date(2027, 1, 1),
            "period_end": date(2027, 12, 31),
            "impact_vendor_min_score": 50,
        },
    )
    db.session.commit()
    world["ids"]["outsider"] = world["organizations"]["outsider"].id
    return world


def _rule(path: str) -> str:
    return re.sub(r"\{\w+\}", "<>", path)


def test_every_coalition_route_is_in_the_table(app):
    covered = {(_rule(path), method) for path, method, _, _ in ROUTES}
    routes = {
        (re.sub(r"<[^>]+>", "<>", path), method)
        for path, method, _, _ in route_rules(app)
        if path.startswith(("/coalitions", "/api/v1/coalitions"))
    }
    assert routes == covered


def _outcome(response) -> str:
    if response.status_code in (401, 403, 404) or response.status_code >= 500:
        return str(response.status_code)
    return "ok"


def _filled(value, ids):
    if isinstance(value, str) and value.startswith("{"):
        return int(value.format(**ids))
    return value


@pytest.mark.parametrize("actor", ACTORS)
def test_coalition_access_matrix(app, cw, sign_in, actor):
    ids = cw["ids"]
    client = app.test_client()
    sign_in(client, cw["users"][actor])
    token = csrf_token_from(client.get("/account").text)
    failures = []
    for path, method, expected, body in ROUTES:
        url = path.format(**ids)
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            sent = {key: _filled(value, ids) for key, value in (body or {}).items()}
            response = client.open(url, method=method, json=sent, headers={"X-CSRFToken": token})
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        got = _outcome(response)
        if got != expected[actor]:
            failures.append(
                f"{method} {url}: expected {expected[actor]}, got {response.status_code}"
            )
    assert failures == [], "\n".join(failures)


SHOWN_TO = ("coordinator", "backbone_admin", "executive_b", "invited")


def test_no_price_budget_need_or_plan_of_member_a_reaches_the_backbone_or_member_b(
    client, cw, bearer
):
    """Member A's need title, scenario name, offer price and budget (and B's, to the backbone)
    appear in no coalition response, page or notification that the backbone, member B or the
    invited organization reads; nor do the members' spend amounts."""
    # a delivery of A's with figures of its own: a volume and an invoiced amount to look for
    recorded = client.post(
        f"/api/v1/scenarios/{cw['plans']['a'].id}/deliveries",
        headers=bearer(cw["users"]["buyer_a"]),
        json={
            "vendor_id": cw["vendors"]["alpha"].id,
            "month": "2027-02",
            "delivered_volume": 4321.25,
            "invoiced_amount": 86421.97,
        },
    )
    assert recorded.status_code == 201, recorded.json
    delivered = ["4321.25", "4,321", "86421.97", "86,421", "86,422"]
    secrets = [*SECRETS.values(), "987,654", "120,000", "120000", "47.39", *delivered]
    ids = cw["ids"]
    names = {"coalition_id": ids["coalition"], "target_id": ids["target"]}
    urls = [
        re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(names[m.group(1)]), path)
        for path, method, _, _ in route_rules(client.application)
        if method == "GET" and path.startswith(("/coalitions", "/api/v1/coalitions"))
    ] + ["/", "/notifications", "/api/v1/notifications"]
    seen = 0
    for actor in SHOWN_TO:
        headers = bearer(cw["users"][actor])
        for url in urls:
            response = client.get(url, headers=headers)
            if response.status_code != 200:
                continue
            seen += 1
            text = response.get_data(as_text=True)
            leaked = [secret for secret in secrets if secret in text]
            if actor == "executive_b":  # its own plan's need and name are its own
                own = (SECRETS["other_need_title"], SECRETS["other_scenario_name"])
                leaked = [secret for secret in leaked if secret not in own]
            assert leaked == [], (actor, url, leaked)
    assert seen >= len(SHOWN_TO) * 5
    # the search can find them: member A's own scenario shows what the others never see
    own = client.get(
        f"/api/v1/scenarios/{cw['plans']['a'].id}", headers=bearer(cw["users"]["buyer_a"])
    )
    assert own.status_code == 200
    assert SECRETS["scenario_name"] in own.get_data(as_text=True)
    assert SECRETS["budget"] in own.get_data(as_text=True)
    mine = client.get(
        f"/api/v1/scenarios/{cw['plans']['a'].id}/deliveries",
        headers=bearer(cw["users"]["buyer_a"]),
    )
    assert "86421.97" in mine.get_data(as_text=True)


def test_the_spend_report_in_every_form_carries_no_price_budget_need_or_plan_name(
    client, cw, bearer
):
    """The coalition's spend report (procure.spend), planned and actual, by category, country
    and group, as JSON, CSV and the page: member A's need title, scenario name, price and
    budget reach neither the backbone nor member B (its spend is there, summed: that is what
    members share)."""
    recorded = client.post(
        f"/api/v1/scenarios/{cw['plans']['a'].id}/deliveries",
        headers=bearer(cw["users"]["buyer_a"]),
        json={
            "vendor_id": cw["vendors"]["alpha"].id,
            "month": "2027-02",
            "delivered_volume": 4321.25,
            "invoiced_amount": 86421.97,
        },
    )
    assert recorded.status_code == 201, recorded.json
    secrets = [
        SECRETS["need_title"],
        SECRETS["scenario_name"],
        SECRETS["price"],
        SECRETS["budget"],
        "987,654",
        "47.39",
        "4321.25",
        "4,321",
    ]
    coalition = cw["ids"]["coalition"]
    for actor in ("coordinator", "executive_b"):
        headers = bearer(cw["users"][actor])
        for basis in ("planned", "actual"):
            for by in ("category", "country", "group"):
                query = f"basis={basis}&by={by}&period=quarter"
                for url in (
                    f"/api/v1/coalitions/{coalition}/spend?{query}",
                    f"/api/v1/coalitions/{coalition}/spend?{query}&format=csv",
                    f"/coalitions/{coalition}/spend?{query}",
                ):
                    response = client.get(url, headers=headers)
                    assert response.status_code == 200, (actor, url)
                    text = response.get_data(as_text=True)
                    assert [s for s in secrets if s in text] == [], (actor, url)
    # the actual spend is there, summed over the members: A's one invoice in 2027-Q1
    report = client.get(
        f"/api/v1/coalitions/{coalition}/spend?basis=actual",
        headers=bearer(cw["users"]["coordinator"]),
    ).json
    assert report["totals"][0]["period"] == "2027-Q1"
    assert report["totals"][0]["spend"] == pytest.approx(86421.97)
