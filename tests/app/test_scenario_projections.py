"""A solved scenario's stored projection (migration 0041, issue #23): the solve works out the
projected impact once and stores it; the page, the comparison, the `/impact` API and the board
report read it instead of the scored disclosures, and show exactly what the computation of a
scenario solved before 0041 (no stored projection, worked out per read, never written) shows."""

import re

import pytest
from sqlalchemy import event, update

from procure.extensions import db
from procure.scenarios import page_facts, review
from procure.scenarios.models import Scenario
from procure.scenarios.report_context import board_context
from tests.app.test_scenario_units import mixed  # noqa: F401 - the fixture of hours and items


def _shown(client, api: dict, sid: int, other: int) -> dict:
    """Everything a reader sees of the two plans: the API's impact and comparison (with the
    `api` headers), the two pages (their forms' tokens aside) and the board report's figures
    (its time aside)."""
    db.session.expire_all()
    pages = {
        url: re.sub(r'name="csrf_token"[^>]*>', "", client.get(url).text)
        for url in (f"/scenarios/{sid}", f"/scenarios/compare?ids={sid}&ids={other}")
    }
    context = board_context(db.session.get(Scenario, sid))
    context.pop("generated_at")
    return {
        "impact": client.get(f"/api/v1/scenarios/{sid}/impact", headers=api).json,
        "comparison": client.get(
            f"/api/v1/scenarios/compare?ids={sid}&ids={other}", headers=api
        ).json,
        "pages": pages,
        "board": context,
    }


def _statements(run) -> list[str]:
    """The SQL statements `run` sends."""
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements


def _documents_read(statements: str) -> set[str]:
    """The scenario columns among problem, result and page facts that `statements` read
    whole (not a JSON path within one: `JSON_EXTRACT(scenario.result, '$."totals"')` on SQLite,
    `scenario.result -> 'totals'` on PostgreSQL)."""
    whole = re.sub(r"JSON_EXTRACT\(scenario\.\w+,|scenario\.\w+ ->>? ", "", statements)
    return {
        column
        for column in ("problem", "result", "page_facts")
        if re.search(rf"\bscenario\.{column}\b", whole)
    }


def _disclosure_reads(run) -> int:
    """How many SQL statements `run` sends that read the disclosure table."""
    return sum(1 for s in _statements(run) if re.search(r"\bFROM disclosure\b", s))


def test_the_stored_projection_shows_what_the_old_computation_shows(
    client,
    mixed,  # noqa: F811 - the fixture imported above
    sign_in,
    make_scenario,
):
    sid = mixed["scenario"]["id"]
    other = make_scenario("Hours only")["id"]
    scenario = db.session.get(Scenario, sid)
    stored = scenario.projection
    assert stored is not None and stored["format"] == review.PROJECTION_FORMAT
    impact = review.projected_impact(scenario)
    # the summary apart from its rows (migration 0045): the rows alone list the vendors
    assert "by_vendor" not in stored["impact"] and impact["by_vendor"] == scenario.projection_rows
    assert stored["vendors"] == 2 and stored["below_living_wage"] == []
    # hours and items (test_scenario_units): Alpha 200 h + 50,000 items × 0.05 h = 2,700 h,
    # Beta 800 h, each at the impact-worker share the problem froze
    share = {v["id"]: v["impact_worker_share"] for v in scenario.problem["vendors"]}
    alpha, beta = f"V{mixed['alpha'].id}", f"V{mixed['beta'].id}"
    assert impact["units"] == ["hour", "item"]
    assert impact["impact_worker_hours"] == pytest.approx(2700 * share[alpha] + 800 * share[beta])
    rows = {row["vendor_id"]: row for row in impact["by_vendor"]}
    assert rows[alpha]["hours"] == pytest.approx(2700) and rows[alpha]["volume"] is None
    assert rows[alpha]["volumes"] == {"hour": pytest.approx(200), "item": pytest.approx(50000)}
    # the fixture's vendors pay impact workers 36,000 a year against a living wage of 35,000
    assert rows[beta]["living_wage_ratio"] == pytest.approx(36000 / 35000)
    # the one computation, worked out again now, is what was stored
    assert review.split_projection(review.compute_projection(scenario)) == (
        stored,
        scenario.projection_rows,
    )
    # and so are the page facts (migration 0047)
    assert scenario.page_facts["format"] == page_facts.PAGE_FACTS_FORMAT
    assert page_facts.work_out(scenario) == (scenario.page_facts, scenario.page_lines)

    sign_in(client, mixed["buyer"])
    api = mixed["headers"]
    assert _disclosure_reads(lambda: _shown(client, api, sid, other)) == 0
    from_store = _shown(client, api, sid, other)
    assert from_store["impact"] == impact
    # a scenario solved before migration 0041 (and 0047): the same figures and page, worked out
    # on each read
    db.session.execute(
        update(Scenario).values(
            projection=None, projection_rows=None, page_facts=None, page_lines=None
        )
    )
    db.session.commit()
    assert _disclosure_reads(lambda: _shown(client, api, sid, other)) > 0
    worked_out = _shown(client, api, sid, other)
    assert worked_out == from_store
    assert "Hours and items" in worked_out["pages"][f"/scenarios/{sid}"]
    # reading wrote nothing: the projection is still not stored
    db.session.expire_all()
    for scenario in (db.session.get(Scenario, sid), db.session.get(Scenario, other)):
        assert scenario.projection is None and scenario.page_facts is None
        assert scenario.page_lines is None


def test_a_new_result_or_problem_replaces_the_projection(client, world, make_scenario):
    sid = make_scenario("Plan")["id"]
    scenario = db.session.get(Scenario, sid)
    before = scenario.projection
    # least cost: Beta ($6) takes its 80 % share of the 1,000 hours
    assert [(r["vendor"], r["hours"]) for r in scenario.projection_rows] == [
        ("Beta BPO", 800.0),
        ("Alpha Annotation", 200.0),
    ]
    edited = client.patch(  # a changed scenario is solved again, with its new projection
        f"/api/v1/scenarios/{sid}",
        headers=world["headers"],
        json={"name": "Plan", "objective": "max_impact", "version": scenario.version},
    )
    assert edited.status_code == 200, edited.json
    db.session.expire_all()
    scenario = db.session.get(Scenario, sid)
    assert scenario.status == "solved" and scenario.projection != before
    assert review.compute_projection(scenario)["impact"] == review.projected_impact(scenario)
    # setting either document drops the projection (it no longer describes them)
    assert scenario.page_facts["result"]["totals"] == scenario.result["totals"]
    scenario.problem = dict(scenario.problem)
    assert scenario.projection is None and scenario.projection_rows is None
    assert scenario.page_facts is None and scenario.page_lines is None
    db.session.rollback()
    scenario = db.session.get(Scenario, sid)
    scenario.result = None
    assert scenario.projection is None and scenario.projection_rows is None
    assert scenario.page_facts is None and scenario.page_lines is None
    db.session.rollback()


def test_the_page_and_the_comparison_read_the_summary_not_the_rows(
    client, world, sign_in, make_scenario
):
    """Migration 0045: the rows per vendor (one per vendor that gets work, 5,834 at 10,000
    vendors) are read by the `/impact` API and the board report, never by the page or the
    comparison, which show the summary's figures."""
    sid, other = make_scenario("Plan")["id"], make_scenario("Other")["id"]
    sign_in(client, world["buyer"])
    db.session.expire_all()

    def rows_read(url: str, headers: dict | None = None) -> int:
        def run() -> None:
            assert client.get(url, headers=headers).status_code == 200

        return sum("projection_rows" in s for s in _statements(run))

    assert rows_read(f"/scenarios/{sid}") == 0
    assert rows_read(f"/scenarios/compare?ids={sid}&ids={other}") == 0
    assert rows_read(f"/api/v1/scenarios/{sid}/impact", world["headers"]) == 1
    page = client.get(f"/scenarios/{sid}").text
    summary = db.session.get(Scenario, sid).projection["impact"]
    assert f"{summary['fte_jobs']:.1f}</span>" in page


def test_the_page_and_the_comparison_read_the_page_facts_not_the_documents(
    client, world, sign_in, make_scenario
):
    """Migration 0047: the page and the comparison read the page facts, never the problem and
    result documents (at 10,000 vendors 3.7 MB and 4.9 MB of JSON); the page alone reads the
    page's lines. A scenario solved before 0047 reads its documents, and shows the same."""
    sid, other = make_scenario("Plan")["id"], make_scenario("Other")["id"]
    sign_in(client, world["buyer"])

    def columns_read(url: str) -> set[str]:
        db.session.expire_all()

        def run() -> None:
            assert client.get(url).status_code == 200

        read = " ".join(_statements(run))
        return {
            column
            for column in ("problem", "result", "page_facts", "page_lines")
            if re.search(rf"\bscenario\.{column}\b", read)
        }

    page, comparison = f"/scenarios/{sid}", f"/scenarios/compare?ids={sid}&ids={other}"
    assert columns_read(page) == {"page_facts", "page_lines"}
    assert columns_read(comparison) == {"page_facts"}
    shown = client.get(page).text
    assert "Beta BPO" in shown
    db.session.execute(update(Scenario).values(page_facts=None, page_lines=None))
    db.session.commit()
    assert {"problem", "result"} <= columns_read(page)
    assert {"problem", "result"} <= columns_read(comparison)


def test_a_solve_is_kept_when_its_page_facts_cannot_be_worked_out(
    client, world, sign_in, make_scenario, monkeypatch
):
    """The page facts are a cache of the stored documents: should working them out fail, the
    solve is still stored (without them), and the page works them out on read."""

    def broken(scenario):
        raise RuntimeError("page facts broke")

    monkeypatch.setattr(page_facts, "store", broken)
    sid = make_scenario("Plan")["id"]
    db.session.expire_all()
    scenario = db.session.get(Scenario, sid)
    assert scenario.status == "solved" and scenario.result["status"] == "optimal"
    assert scenario.page_facts is None and scenario.projection is not None
    monkeypatch.undo()
    sign_in(client, world["buyer"])
    assert "Beta BPO" in client.get(f"/scenarios/{sid}").text


def test_the_list_of_scenarios_reads_no_documents_and_shows_their_figures(
    client, world, sign_in, make_scenario
):
    """Issue #23: the list of scenarios reads each plan's totals by the database and its jobs
    from the stored projection, never its problem and result documents, and shows the figures
    the documents give: the cost, the average impact and the jobs of each, "—" for a plan
    without a result."""
    from procure.scenarios import figures

    sid = make_scenario("Plan")["id"]
    draft = Scenario(
        organization_id=world["buyer"].organization_id, name="Draft", need_ids=[], targets={}
    )
    db.session.add(draft)
    db.session.commit()
    sign_in(client, world["buyer"])
    db.session.expire_all()
    page: list = []
    read = " ".join(_statements(lambda: page.append(client.get("/scenarios"))))
    assert page[0].status_code == 200
    assert _documents_read(read) == set()
    scenario = db.session.get(Scenario, sid)
    totals = scenario.result["totals"]
    row = re.search(rf'href="/scenarios/{sid}">Plan</a>.*?</tr>', page[0].text, re.S).group(0)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == [
        f"${totals['cost']:,.0f}",
        f"{totals['avg_impact']:.1f}",
        f"{figures.jobs(scenario.result, scenario.problem):.1f}",
    ]
    row = re.search(r">Draft</a>.*?</tr>", page[0].text, re.S).group(0)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["—", "—", "—"]
