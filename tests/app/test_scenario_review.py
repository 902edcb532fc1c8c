"""Executive review: submit, approve or reject, freezing, re-solve check, comparison, projected
impact."""

from sqlalchemy import select

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.scoring.models import ScoringProfile
from tests.conftest import NEED, csrf_token_from


def test_submit_approve_freeze_and_audit(client, world, make_user, bearer):
    from procure.scoring.services import create_profile, default_profile

    profile = create_profile(
        world["buyer"].organization_id, "Board", default_profile().to_dict(), world["buyer"]
    )
    db.session.commit()
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Plan", "need_ids": [world["need"]["id"]], "profile_id": profile.id},
    ).json
    sid = created["id"]
    executive = bearer(make_user("executive", organization=world["buyer"].organization))
    assert (
        client.post(
            f"/api/v1/scenarios/{sid}/decision", headers=executive, json={"decision": "approved"}
        ).status_code
        == 409
    )  # not submitted yet
    submitted = client.post(f"/api/v1/scenarios/{sid}/submit", headers=world["headers"])
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert (
        client.post(
            f"/api/v1/scenarios/{sid}/decision",
            headers=world["headers"],
            json={"decision": "approved"},
        ).status_code
        == 403
    )  # a buyer cannot approve
    other_exec = bearer(make_user("executive"))
    assert (
        client.post(
            f"/api/v1/scenarios/{sid}/decision", headers=other_exec, json={"decision": "approved"}
        ).status_code
        == 404
    )
    approved = client.post(
        f"/api/v1/scenarios/{sid}/decision",
        headers=executive,
        json={"decision": "approved", "comment": "Go."},
    )
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    db.session.expire_all()
    assert db.session.get(ScoringProfile, profile.id).locked is True
    # frozen: no edit, no re-solve; the stored problem re-solves identically
    assert (
        client.patch(
            f"/api/v1/scenarios/{sid}",
            headers=world["headers"],
            json={"name": "x", "version": approved.json["version"]},
        ).status_code
        == 409
    )
    assert (
        client.post(f"/api/v1/scenarios/{sid}/solve", headers=world["headers"]).status_code == 409
    )
    check = client.get(f"/api/v1/scenarios/{sid}/check", headers=executive).json
    assert check["identical"] is True and check["stored_cost"] == check["resolved_cost"]
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_type == "Scenario", AuditEvent.target_id == str(sid))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["scenario.create", "scenario.solve", "scenario.submit", "scenario.approve"]


def test_rejection_needs_a_comment(client, world, make_user, bearer, make_scenario):
    sid = make_scenario()["id"]
    client.post(f"/api/v1/scenarios/{sid}/submit", headers=world["headers"])
    executive = bearer(make_user("executive", organization=world["buyer"].organization))
    bare = client.post(
        f"/api/v1/scenarios/{sid}/decision", headers=executive, json={"decision": "rejected"}
    )
    assert bare.status_code == 422 and "comment" in bare.json["errors"]
    done = client.post(
        f"/api/v1/scenarios/{sid}/decision",
        headers=executive,
        json={"decision": "rejected", "comment": "Too little impact."},
    )
    assert (
        done.json["status"] == "rejected" and done.json["decision_comment"] == "Too little impact."
    )


def test_only_solved_scenarios_are_submitted(client, world, make_scenario):
    impossible = make_scenario("Impossible", budget=5000)
    response = client.post(f"/api/v1/scenarios/{impossible['id']}/submit", headers=world["headers"])
    assert response.status_code == 409 and "infeasible" in response.json["message"]


def test_comparison_and_projected_impact_hand_checked(
    client, world, make_user, bearer, make_scenario
):
    cheap = make_scenario("Cheapest")
    problem = client.get(
        f"/api/v1/scenarios/{cheap['id']}/problem.json", headers=world["headers"]
    ).json
    scores = {v["id"]: v["impact_score"] for v in problem["vendors"]}
    alpha, beta = f"V{world['alpha'].id}", f"V{world['beta'].id}"
    greener = make_scenario("Greener", min_avg_impact=0.5 * scores[alpha] + 0.5 * scores[beta])
    impact = client.get(f"/api/v1/scenarios/{cheap['id']}/impact", headers=world["headers"]).json
    # Beta 800 h x 10/115 impact workers + Alpha 200 h x 55/115 ≈ 165.22 h (the problem document
    # keeps the shares to 6 decimals: 0.086957 and 0.478261), / 2,080 h per full-time job
    share_a, share_b = round(55 / 115, 6), round(10 / 115, 6)
    assert abs(impact["impact_worker_hours"] - (800 * share_b + 200 * share_a)) < 1e-9
    assert abs(impact["fte_jobs"] - (800 * share_b + 200 * share_a) / 2080) < 1e-12
    comparison = client.get(
        f"/api/v1/scenarios/compare?ids={cheap['id']}&ids={greener['id']}", headers=world["headers"]
    ).json
    rows = {row["key"]: row["values"] for row in comparison["rows"]}
    assert rows["total_cost"] == [6400.0, 7000.0]
    assert (
        rows["cost_premium"][0] == 0.0 and abs(rows["cost_premium"][1] - 0.09375) < 1e-12
    )  # 7,000 / 6,400 - 1
    assert rows["vendors"] == [2, 2]
    # both pay impact workers 36,000 a year against a living wage of 35,000: ratio 1.03, no flag
    assert rows["below_living_wage"] == [[], []]
    assert rows["budget"][0] == rows["budget"][1]  # neither sets its own: the needs' budgets
    # the decision page marks each row's best plan: the cheaper, the greener, more jobs, and the
    # less concentrated (Beta 4,800 of 6,400 = 75 % against Alpha 500 h × $8 of 7,000 = 57 %)
    best = {row["key"]: row["best"] for row in comparison["rows"]}
    assert best["total_cost"] == [0] and best["avg_impact"] == [1] and best["fte_jobs"] == [1]
    assert best["largest_vendor_share"] == [1] and best["below_living_wage"] == []
    assert best["vendors"] == [] and best["budget"] == []  # no better direction
    assert comparison["warnings"] == [
        ["One vendor takes 75 % of the spend"],
        ["One vendor takes 57 % of the spend"],
    ]
    assert abs(rows["largest_vendor_share"][0] - 4800 / 6400) < 1e-12  # Beta's 800 h x $6
    # no plan sets a spend-share target, yet the row has figures: impact vendors are those
    # scoring 50 or more (the default), and the label says so. Neither vendor reaches 50.
    assert max(scores.values()) < 50, scores  # the fixture's vendors score about 37 and 25
    labels = {row["key"]: row["label"] for row in comparison["rows"]}
    assert labels["impact_spend_share"] == (
        "Share of spend with impact vendors (impact score 50 or more)"
    )
    assert rows["impact_spend_share"] == [0.0, 0.0] and best["impact_spend_share"] == []
    # a plan whose target names 30 sets the threshold for every plan compared with it: Alpha
    # (about 37) is then an impact vendor. Cheapest spends Alpha 200 h x $8 = 1,600 of 6,400;
    # Greener 500 h x $8 = 4,000 of 7,000; the shared plan's figure is the optimizer's own.
    shared = make_scenario("Shared", min_impact_spend_share=0.2, impact_vendor_min_score=30)
    ids = f"ids={cheap['id']}&ids={greener['id']}&ids={shared['id']}"
    three = client.get(f"/api/v1/scenarios/compare?{ids}", headers=world["headers"]).json
    row = next(row for row in three["rows"] if row["key"] == "impact_spend_share")
    assert row["label"] == "Share of spend with impact vendors (impact score 30 or more)"
    assert row["values"][:2] == [1600 / 6400, 4000 / 7000] and row["best"] == [1]
    solved = client.get(f"/api/v1/scenarios/{shared['id']}/result.json", headers=world["headers"])
    assert abs(row["values"][2] - solved.json["totals"]["impact_spend_share"]) < 1e-6
    # greener: 500 h each
    more_jobs = ((500 * share_b + 500 * share_a) - (800 * share_b + 200 * share_a)) / 2080
    low, high = rows["avg_impact"]
    assert high > low + 0.05
    assert comparison["summary"][1] == (
        f"Greener costs 9.4 % more than the cheapest plan (Cheapest), raises the "
        f"average impact score from {low:,.1f} to {high:,.1f} and sustains "
        f"{more_jobs:,.1f} more full-time jobs for impact workers."
    )
    vendors = {row["vendor"]: row["values"] for row in comparison["vendor_rows"]}
    assert vendors == {"Alpha Annotation": [200.0, 500.0], "Beta BPO": [800.0, 500.0]}
    assert (
        client.get(
            f"/api/v1/scenarios/compare?ids={cheap['id']}", headers=world["headers"]
        ).status_code
        == 422
    )
    other = bearer(make_user("buyer"))
    assert (
        client.get(
            f"/api/v1/scenarios/compare?ids={cheap['id']}&ids={greener['id']}", headers=other
        ).status_code
        == 404
    )


def test_the_comparison_names_vendors_and_needs_by_the_shared_rule(client, world, make_scenario):
    """The comparison used to name vendors by a rule of its own (the last scenario's name won): it
    now uses problem_labels over all the compared problems, the first naming a record as the
    board report and the scenario's page do, and a name shared by two records gains its id."""
    from procure.scenarios.models import Scenario
    from procure.scenarios.review import problem_labels

    first = make_scenario("First")
    # Alpha renames itself after the first solve, to Beta's name (possible only for names from
    # before 0019, which keeps a look-alike's key apart by its id)
    alpha_key = f"beta bpo #{world['alpha'].id}"
    with db.session.no_autoflush:
        world["alpha"].name = "Beta BPO"
        world["alpha"].name_key = alpha_key
    db.session.commit()
    second_need = client.post(
        "/api/v1/needs", headers=world["headers"], json=NEED
    ).json  # the same title
    second = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Second", "need_ids": [world["need"]["id"], second_need["id"]]},
    ).json
    assert first["status"] == second["status"] == "solved", (first, second)
    alpha, beta = world["alpha"].id, world["beta"].id

    def vendor_rows(*scenarios):
        ids = "&".join(f"ids={s['id']}" for s in scenarios)
        comparison = client.get(f"/api/v1/scenarios/compare?{ids}", headers=world["headers"]).json
        return {row["vendor"]: row["values"] for row in comparison["vendor_rows"]}

    # Beta 800 and Alpha 200 of each 1,000-hour need (Beta, the cheaper, is capped at 80 %)
    assert vendor_rows(first, second) == {
        "Alpha Annotation": [200.0, 400.0],
        "Beta BPO": [800.0, 1600.0],
    }
    assert vendor_rows(second, first) == {
        f"Beta BPO (vendor #{alpha})": [400.0, 200.0],
        f"Beta BPO (vendor #{beta})": [1600.0, 800.0],
    }
    problems = [db.session.get(Scenario, s["id"]).problem for s in (first, second)]
    _, titles = problem_labels(*problems)
    assert titles == {
        f"N{world['need']['id']}": f"Annotation 2026 (need #{world['need']['id']})",
        f"N{second_need['id']}": f"Annotation 2026 (need #{second_need['id']})",
    }
    assert problem_labels(problems[0])[1] == {
        f"N{world['need']['id']}": "Annotation 2026"
    }  # alone: no id


def test_review_pages(client, world, make_user, sign_in, make_scenario):
    sid = make_scenario()["id"]
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{sid}")
    assert "Projected impact" in page.text and "Audit trail" in page.text
    assert (
        client.post(
            f"/scenarios/{sid}/submit", data={"csrf_token": csrf_token_from(page.text)}
        ).status_code
        == 302
    )
    checked = client.get(f"/scenarios/{sid}/check", follow_redirects=True)
    assert "Re-solved the stored problem: the same 2 allocation lines" in checked.text
    executive_client = client.application.test_client()
    sign_in(executive_client, make_user("executive", organization=world["buyer"].organization))
    shown = executive_client.get(f"/scenarios/{sid}")
    assert "Your decision" in shown.text
    decided = executive_client.post(
        f"/scenarios/{sid}/decision",
        data={"csrf_token": csrf_token_from(shown.text), "decision": "approved", "comment": ""},
        follow_redirects=True,
    )
    assert "Plan is approved." in decided.text
    other = make_scenario("Other")["id"]
    compared = client.get(f"/scenarios/compare?ids={sid}&ids={other}")
    assert (
        compared.status_code == 200
        and "Key figures" in compared.text
        and "Labour hours by vendor" in compared.text  # version 2 solves count labour hours
    )


def test_home_shows_approved_plans_and_actual_against_projected(
    client, world, make_user, bearer, sign_in, make_scenario
):
    sid = make_scenario()["id"]
    client.post(f"/api/v1/scenarios/{sid}/submit", headers=world["headers"])
    executive = make_user("executive", organization=world["buyer"].organization)
    client.post(
        f"/api/v1/scenarios/{sid}/decision",
        headers=bearer(executive),
        json={"decision": "approved"},
    )
    sign_in(client, executive)
    home = client.get("/")
    assert "Jobs sustained" in home.text and "no deliveries recorded yet" in home.text
    # Beta discloses 2026 with 23 of 115 impact workers (was 10 of 115): a newer disclosure alone
    # is no actual (issue 20: actual is what was delivered)
    from procure.accounts.models import User
    from tests.conftest import valid_document

    beta = world["beta"]
    vendor_headers = bearer(
        db.session.scalars(select(User).where(User.organization_id == beta.organization_id)).one()
    )
    document = valid_document("2026-01-01", "2026-12-31")
    document["workforce"].update(
        impact_workers_end=23,
        impact_worker_hires=20,
        impact_worker_departures=5,
        impact_workers_start=8,
    )
    document["workforce"]["categories"] = {
        k: min(v, 23) for k, v in document["workforce"]["categories"].items()
    }
    created = client.post(
        "/api/v1/disclosures", headers=vendor_headers, json={"vendor_id": beta.id, **document}
    )
    assert (
        client.post(
            f"/api/v1/disclosures/{created.json['id']}/submit", headers=vendor_headers
        ).status_code
        == 200
    )
    assert "no deliveries recorded yet" in client.get("/").text
    delivered = client.post(
        f"/api/v1/scenarios/{sid}/deliveries",
        headers=world["headers"],
        json={
            "vendor_id": beta.id,
            "month": "2026-01",
            "delivered_volume": 90,
            "invoiced_amount": 540,
        },
    )
    assert delivered.status_code == 201, delivered.json
    home = client.get("/")
    # January of 12 months: Beta's 800 h / 12 × 0.086957 = 5.80 h and Alpha's 200 h / 12 ×
    # 0.478261 = 7.97 h projected, 13.8 in all; Beta delivered 90 h × 23/115 = 18 h actual
    assert "18 h actual against 14 h projected to 2026-01" in home.text


def test_board_context_is_plain_data_with_the_scenarios_figures(client, make_scenario):
    import json

    from procure.scenarios.models import Scenario
    from procure.scenarios.report_context import board_context

    cheap = make_scenario("Cheapest")
    make_scenario("Second")
    context = board_context(db.session.get(Scenario, cheap["id"]))
    json.dumps(context)  # plain data only: no ORM objects, no dates that JSON cannot hold
    assert context["scenario"]["name"] == "Cheapest"
    assert (
        context["comparison"]["scenarios"][0] == "Cheapest"
        and len(context["comparison"]["scenarios"]) == 2
    )
    assert context["kpis"][0] == {"label": "Total cost", "value": 6400.0, "format": "money"}
    assert {a["vendor"] for a in context["allocations"]} == {"Alpha Annotation", "Beta BPO"}
    assert (
        len(context["method"]["metrics"]) == 8
        and context["method"]["pillar_weights"]["impact"] == 0.45
    )
    assert [e["action"] for e in context["audit"]] == ["Created", "Solved"]
    assert all("Vendor V" not in c["label"] for c in context["constraints"])


def test_work_bought_per_item_adds_no_hours_in_a_version_1_document(client, make_scenario):
    """A version 1 document (stored before labour hours): only hourly work counts as
    impact-worker hours; its items had no hours to count. A version 2 document counts an item
    need's labour hours (volume × hours per unit), so the need's unit alone changes nothing."""
    from procure.scenarios.models import Scenario
    from procure.scenarios.review import projected_impact

    sid = make_scenario()["id"]
    scenario = db.session.get(Scenario, sid)
    hourly = projected_impact(scenario)["impact_worker_hours"]
    assert hourly > 0
    items = [{**n, "unit": "item"} for n in scenario.problem["needs"]]
    scenario.problem = {**scenario.problem, "needs": items}
    assert projected_impact(scenario)["impact_worker_hours"] == hourly  # version 2: hours
    version_1 = {k: v for k, v in scenario.problem.items() if k != "version"}
    scenario.problem = version_1
    assert projected_impact(scenario)["impact_worker_hours"] == 0.0
    scenario.problem = {**version_1, "needs": [{**n, "unit": "hour"} for n in items]}
    assert abs(projected_impact(scenario)["impact_worker_hours"] - hourly) < 1e-9
    db.session.rollback()


def test_summary_says_the_same_when_plans_are_equal(client, make_scenario):
    from procure.scenarios.models import Scenario
    from procure.scenarios.review import compare

    first, second = make_scenario("One"), make_scenario("Two")
    summary = compare(
        [db.session.get(Scenario, first["id"]), db.session.get(Scenario, second["id"])]
    )["summary"]
    assert summary[1] == (
        "Two costs the same as the cheapest plan (One) and sustains as many full-time jobs "
        "for impact workers."
    )


def test_summary_names_the_hours_when_the_jobs_round_away(client, make_scenario):
    # found in the browser: 165 and 214 impact-worker hours are both "0.1 jobs", and the summary
    # said "sustains as many full-time jobs" for a plan that buys 49 more hours of their work
    from procure.scenarios.models import Scenario
    from procure.scenarios.review import compare, key_figures

    cheap = make_scenario("Cheapest")
    # The world's vendors claim documented workforce evidence with no file, which scores as
    # self_reported since issue #18 (impact scores: Alpha 37.45, Beta 24.69; 0.7 rather than 0.5
    # made them higher before): a minimum average of 29 now buys 219 hours against 165, 54 more,
    # as 34 bought 214 before
    greener = make_scenario("Impact 29", min_avg_impact=29)
    scenarios = [db.session.get(Scenario, cheap["id"]), db.session.get(Scenario, greener["id"])]
    hours = [key_figures(s)["impact_worker_hours"] for s in scenarios]
    assert abs(hours[1] - hours[0]) / 2080 < 0.05 < abs(hours[1] - hours[0])
    summary = compare(scenarios)["summary"]
    assert summary[1].endswith(
        f"buys {hours[1] - hours[0]:,.0f} more hours of work by impact workers (less than "
        "a tenth of a full-time job)."
    )


def test_a_one_plan_summary_names_its_budget_and_living_wage_shortfalls(client, make_scenario):
    """One plan is no "cheapest plan". The cheapest cover costs $6,400: against a $10,000
    budget that is 64.0 %. With one vendor's median wage set below its living wage (30,000 /
    35,000 = 0.857), the summary names it."""
    from procure.scenarios.models import Scenario
    from procure.scenarios.review import compare, key_figures

    scenario = db.session.get(Scenario, make_scenario("Only plan", budget=10000)["id"])
    jobs = key_figures(scenario)["fte_jobs"]
    summary = compare([scenario])["summary"]
    assert summary == [
        f"Only plan costs $6,400 and sustains {jobs:,.1f} full-time jobs for impact workers.",
        "Only plan uses 64.0 % of its $10,000 budget.",
    ]
    # the same plan had Beta paid 30,000 against 35,000 (below_living_wage is unit-tested)
    figures = {**key_figures(scenario), "below_living_wage": ["Beta BPO (0.86)"]}
    from procure.scenarios.review import _warnings

    assert _warnings("Only plan", figures)[1] == (
        "In Only plan, 1 of 2 vendors pays impact workers below a living wage (median wage ÷ "
        "living wage): Beta BPO (0.86)."
    )


def test_plans_that_agree_list_their_largest_vendors_first(client, world, make_scenario):
    """Two plans with the same work: every spread is 0, and the comparison (which shows only
    the vendors that differ most) lists the largest first, not by name: Beta's 800 hours before
    Alpha's 200."""
    first, second = make_scenario("First"), make_scenario("Second")
    comparison = client.get(
        f"/api/v1/scenarios/compare?ids={first['id']}&ids={second['id']}", headers=world["headers"]
    ).json
    assert [(row["vendor"], row["values"]) for row in comparison["vendor_rows"]] == [
        ("Beta BPO", [800.0, 800.0]),
        ("Alpha Annotation", [200.0, 200.0]),
    ]


def test_a_vendor_named_like_an_id_keeps_its_name():
    from procure.scenarios.review import plain_words

    plain = plain_words({"V1": "Team V2", "V2": "Acme"}, {}, {})
    assert (
        plain("Cap on vendor V1 and V2 (incumbent V9)") == "Cap on Team V2 and Acme (incumbent V9)"
    )
