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
answer 404); everyone else gets 404 (a buyer side or a vendor) or 403 (other roles; a vendor on
the list and on what only the backbone or a member's answering side may do). Organization D's
buyer, like member A's, may not answer for its organization (403); the executives and admins
of organizations outside the coalition get 404 (tests/app/test_access_matrix.py).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from procure.access import route_rules
from tests.app.coalition_world import SECRETS, build
from tests.conftest import csrf_token_from, metric_body

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
READ = row("ok", "ok", "ok", "ok", "ok", "ok", "ok", "404", "404", "403", "404")
INSIDE = row("ok", "ok", "ok", "ok", "ok", "ok", "404", "404", "404", "403", "404")
RUN = row("ok", "ok", "403", "403", "403", "403", "403", "403", "403", "403", "404")
MAKE = row("ok", "ok", "403", "403", "403", "403", "403", "403", "403", "403", "ok")
ANSWER = row("403", "403", "403", "ok", "ok", "ok", "ok", "403", "403", "403", "403")
# a member's buyer side adopts the coalition profile (an invited organization passes the access
# layer and is refused by the service: 409); the backbone's admin acts as a coordinator
ADOPT = row("403", "403", "ok", "ok", "ok", "ok", "ok", "404", "404", "403", "403")
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
    ("/api/v1/coalitions/{coalition}/metrics", "GET", INSIDE, None),
    ("/api/v1/coalitions/{coalition}/profile", "GET", INSIDE, None),
    ("/coalitions/{coalition}/measurement", "GET", INSIDE, None),
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
    ("/api/v1/coalitions/{coalition}/metrics", "POST", RUN, metric_body("access_metric")),
    ("/api/v1/coalitions/{coalition}/metrics/{metric}", "PUT", RUN, metric_body("shared")),
    ("/api/v1/coalitions/{coalition}/metrics/{metric}", "DELETE", RUN, None),
    ("/api/v1/coalitions/{coalition}/profile", "PUT", RUN, {"settings": {}}),
    ("/coalitions/{coalition}/metrics", "POST", RUN, {}),
    ("/coalitions/{coalition}/metrics/{metric}/delete", "POST", RUN, {}),
    ("/coalitions/{coalition}/profile", "POST", RUN, {}),
    (
        "/api/v1/coalitions/{coalition}/membership/profile",
        "PUT",
        ADOPT,
        {"uses_profile": True},
    ),
    ("/coalitions/{coalition}/membership/profile", "POST", ADOPT, {}),
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
    from procure.coalitions.measurement import add_metric

    metric = add_metric(world["coalition"], world["users"]["coordinator"], metric_body("shared"))
    db.session.commit()
    world["ids"]["outsider"] = world["organizations"]["outsider"].id
    world["ids"]["metric"] = metric.id
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
    # the actual spend of 2027-Q1 is A's one invoice alone: it was shown as the quarter's
    # total (86,421.97); now withheld, in words, as is every cell of it
    report = client.get(
        f"/api/v1/coalitions/{coalition}/spend?basis=actual",
        headers=bearer(cw["users"]["coordinator"]),
    ).json
    assert report["totals"][0]["period"] == "2027-Q1"
    assert report["totals"][0]["spend"] is None and report["totals"][0]["suppressed"] is True
    assert report["totals"][0]["suppressed_reason"] == "fewer than 3 members; not shown"
    assert report["total"]["spend"] is None and report["contributions"] == []


# ---------------------------------------------------------------- small cells

MEMBER_A_FIGURES = {
    # A's projected jobs in 2027 (tests/app/test_coalitions.py): (3,000 + 600) / 2,000
    "a_jobs": 1.8,
    # the two members' together, from which B (1.0 its own) would take A's 1.8
    "both_jobs": 2.8,
    # A's hours a month with Alpha (12,000 / 12) and with Beta (6,000 / 12)
    "a_alpha_hours": 1000.0,
    "a_beta_hours": 500.0,
}


def _numbers(value) -> list[float]:
    """Every number in a JSON answer, however deep."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return []


def _leaks(numbers: list[float], figures) -> list[float]:
    return [f for f in figures if any(abs(n - f) < 1e-6 * max(1.0, abs(f)) for n in numbers)]


def _coalition_answers(client, headers, coalition) -> dict:
    return {
        path: client.get(f"/api/v1/coalitions/{coalition}/{path}", headers=headers).json
        for path in (
            "progress",
            "vendor-load",
            "spend?basis=planned&by=category&period=quarter",
            "spend?basis=planned&by=country&period=year",
        )
    }


def test_two_contributing_members_show_no_sum_a_member_could_take_apart(client, cw, bearer):
    """At the default minimum of 3, with A's plan and B's in the figures and A not sharing its
    contribution: before, the backbone and B read 2.8 jobs, and B (its own 1.0) took A's 1.8
    from it; the vendor load showed A's 1,000 h a month with Alpha in 2026 and its 500 with
    Beta. Now every figure across the two members is withheld, with the reason, on the API and
    the page; each member still reads its own figures in full."""
    coalition = cw["ids"]["coalition"]
    from procure.coalitions.services import set_sharing
    from procure.extensions import db

    set_sharing(cw["coalition"], cw["users"]["admin_a"], False)
    db.session.commit()
    for actor in ("coordinator", "executive_b"):
        headers = bearer(cw["users"][actor])
        answers = _coalition_answers(client, headers, coalition)
        for path, answer in answers.items():
            assert _leaks(_numbers(answer), MEMBER_A_FIGURES.values()) == [], (actor, path)
        jobs, share = answers["progress"]["targets"]
        assert jobs["projected"] is None and jobs["suppressed"] is True
        assert jobs["suppressed_reason"] == "fewer than 3 members; not shown"
        assert {row["projected"] for row in jobs["months"]} == {None}
        assert share["projected"] is None
        others = [r for r in jobs["contributions"] if r["member"] == "Other members"]
        assert [r["projected"] for r in others] == [None] and others[0]["suppressed"]
        page = client.get(f"/coalitions/{coalition}", headers=headers).text
        assert "fewer than 3 members; not shown" in page
        assert "2.8" not in page and "1.8" not in page and "28 % of the target" not in page
    # the backbone's vendor table: the members relying on each vendor, no hours
    load = _coalition_answers(client, bearer(cw["users"]["coordinator"]), coalition)["vendor-load"]
    months = [m for vendor in load["vendors"] for m in vendor["months"]]
    assert months and {m["booked_hours"] for m in months} == {None}
    assert {m["load"] for m in months} == {None}
    assert any(m["over"] for m in months)  # over capacity is still flagged
    # B reads its own contribution (1.0 job) and its own hours on the vendor flagged over
    progress_b = _coalition_answers(client, bearer(cw["users"]["executive_b"]), coalition)
    own = progress_b["progress"]["targets"][0]["contributions"][0]
    assert own["member"] == "Your organization" and own["projected"] == pytest.approx(1.0)
    (flag,) = progress_b["vendor-load"]["flags"]
    assert flag["months"][0]["own_hours"] == pytest.approx(300)  # 3,600 / 12
    assert flag["months"][0]["load"] is None and flag["months"][0]["suppressed"] is True
    # A reads its own: 1.8 jobs, 1,000 h a month with Alpha
    seen_by_a = _coalition_answers(client, bearer(cw["users"]["executive_a"]), coalition)
    own = seen_by_a["progress"]["targets"][0]["contributions"][0]
    assert own["member"] == "Your organization" and own["projected"] == pytest.approx(1.8)
    assert seen_by_a["vendor-load"]["flags"][0]["months"][0]["own_hours"] == pytest.approx(1000)
    page = client.get(f"/coalitions/{coalition}", headers=bearer(cw["users"]["buyer_a"])).text
    assert "your 1,000 hours" in page and "share of its capacity: fewer than 3 members" in page


def test_one_contributing_member_shows_nothing_of_its_own_to_the_others(client, cw, bearer):
    """B leaves: A's plan alone makes the coalition's figures. Before, the backbone read 1.8
    jobs (A's), its months and its hours with each vendor; now none of them, and at a minimum
    of 2 still none (one member is below it). A does not share its contribution (when it does,
    its named row is its own choice)."""
    coalition = cw["ids"]["coalition"]
    from procure.coalitions.services import set_sharing
    from procure.extensions import db

    set_sharing(cw["coalition"], cw["users"]["admin_a"], False)
    db.session.commit()
    left = client.post(
        f"/api/v1/coalitions/{coalition}/membership/leave",
        headers=bearer(cw["users"]["executive_b"]),
    )
    assert left.status_code == 200
    for minimum in (3, 2):
        client.application.config["COALITION_MIN_CELL_MEMBERS"] = minimum
        answers = _coalition_answers(client, bearer(cw["users"]["coordinator"]), coalition)
        for path, answer in answers.items():
            assert _leaks(_numbers(answer), MEMBER_A_FIGURES.values()) == [], (minimum, path)
        jobs = answers["progress"]["targets"][0]
        assert jobs["projected"] is None and jobs["suppressed_figures"] == ["projected"]
        assert jobs["suppressed_reason"] == f"fewer than {minimum} members; not shown"
        spend = answers["spend?basis=planned&by=category&period=quarter"]
        assert spend["rows"] and {row["spend"] for row in spend["rows"]} == {None}
        assert {total["spend"] for total in spend["totals"]} == {None}
    # with the rule off, the same answers carry A's figures: the search above can find them
    client.application.config["COALITION_MIN_CELL_MEMBERS"] = 1
    answers = _coalition_answers(client, bearer(cw["users"]["coordinator"]), coalition)
    assert _leaks(_numbers(answers["progress"]), [1.8]) == [1.8]
    assert _leaks(_numbers(answers["vendor-load"]), [1000.0, 500.0]) == [1000.0, 500.0]
    client.application.config["COALITION_MIN_CELL_MEMBERS"] = 3


# ---------------------------------------------------------------- complementary suppression

_MONTHS = [date(2026, m, 1) for m in range(1, 7)]  # two quarters


def _spend_lines():
    from hypothesis import strategies as st

    from procure.spend.report import SpendLine

    line = st.builds(
        SpendLine,
        member=st.integers(1, 5),
        month=st.sampled_from(_MONTHS),
        vendor_id=st.just(1),
        category=st.sampled_from(["a", "b", "c", "d"]),
        country=st.sampled_from(["KE", "IN"]),
        impact_score=st.sampled_from([30.0, 70.0]),
        spend=st.integers(1, 1000).map(float),
    )
    return st.lists(line, min_size=1, max_size=25)


def _who(lines, impact: bool) -> set[int]:
    return {line.member for line in lines if (line.impact_score >= 50) == impact}


def _safe(lines, minimum=3) -> bool:
    """No member on a side (impact, other), or at least `minimum`."""
    return all(len(_who(lines, side)) in (0, *range(minimum, 99)) for side in (True, False))


def test_no_withheld_spend_can_be_worked_out_by_subtraction():
    """In each table of the coalition's spend report (a period's rows and its total; the
    periods' totals and the whole total), whenever the total is shown, the rows withheld add up
    to a sum of at least 3 members on each side (impact, other) or of none: the total minus the
    rows shown gives nothing finer than a safe sum. And no row of 1 or 2 members is shown.
    Contributors are counted here from the lines themselves, not by the module's own count."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from procure.spend.report import period_of, spend_report, suppress_small_cells

    @settings(max_examples=300, deadline=None)
    @given(_spend_lines(), st.sampled_from(["category", "country"]))
    def check(lines, by):
        report = spend_report(lines, by=by, period="quarter", impact_vendor_min_score=50)
        shown = suppress_small_cells(
            {**report, "by": by, "period": "quarter"}, lines, 3, impact_vendor_min_score=50
        )

        def cell(period, key=None):
            return [
                line
                for line in lines
                if period_of(line.month, "quarter") == period
                and (key is None or getattr(line, by) == key)
            ]

        for row in shown["rows"]:
            if not _safe(cell(row["period"], row["key"])):
                assert row["suppressed"] and row["spend"] is None
        for total in shown["totals"]:
            if not _safe(cell(total["period"])):
                assert total["suppressed"]
            if total["suppressed"]:
                continue
            hidden = [
                r for r in shown["rows"] if r["period"] == total["period"] and r["suppressed"]
            ]
            withheld = [line for r in hidden for line in cell(r["period"], r["key"])]
            assert len(hidden) != 1 or _safe(withheld)
            assert _safe(withheld), (total["period"], [r["key"] for r in hidden])
            # what a reader works out: the total minus the rows shown is their sum, no finer
            rest = total["spend"] - sum(
                r["spend"]
                for r in shown["rows"]
                if r["period"] == total["period"] and not r["suppressed"]
            )
            assert rest == pytest.approx(sum(line.spend for line in withheld))
        if not shown["total"]["suppressed"]:
            hidden_periods = [t["period"] for t in shown["totals"] if t["suppressed"]]
            assert _safe([line for p in hidden_periods for line in cell(p)])

    check()


def test_no_withheld_month_of_progress_can_be_worked_out_by_subtraction():
    """A target's cumulative months: each shown value is a safe sum, the change between two
    shown months is a safe sum, and so is the value reached (shown) minus the last month
    shown: subtracting shown values reveals no month of one or two members."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from procure.coalitions.progress import shown_months
    from procure.coalitions.suppression import safe

    month = st.sets(st.integers(1, 5), max_size=4).map(lambda members: [members])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(month, min_size=1, max_size=12))
    def check(increments):
        every = [set().union(*(m[0] for m in increments))]
        end = safe(every, 3)
        shown = shown_months(increments, 3, end)
        points = [i for i, ok in enumerate(shown) if ok]
        edges = [-1, *points] + ([len(increments) - 1] if end else [])
        for start, stop in zip(edges, edges[1:], strict=False):
            between = [set().union(*(m[0] for m in increments[start + 1 : stop + 1]))]
            assert safe(between, 3), (increments, shown)

    check()
