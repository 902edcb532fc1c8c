"""A solved scenario's page and its board report at scale: allocation lines a page at a time,
the largest first; per-vendor capacities few and counted; vendor facts read for the vendors that
get work only, in one query."""

import re

from sqlalchemy import event

from procure.extensions import db
from procure.reports.listed_rules import listed_rules
from procure.scenarios import page_facts, review
from procure.scenarios.models import Scenario


def test_the_page_shows_the_largest_allocation_lines_and_pages_the_rest(
    client, world, sign_in, make_scenario, monkeypatch
):
    from procure.scenarios import views

    sid = make_scenario()["id"]
    lines = db.session.get(Scenario, sid).result["allocations"]
    # the world's plan: Beta (cheaper) 800 hours at $6 = $4,800, Alpha 200 at $8 = $1,600
    assert sorted(round(line["cost"]) for line in lines) == [1600, 4800]
    monkeypatch.setattr(views, "ALLOCATIONS_PER_PAGE", 1)
    sign_in(client, world["buyer"])

    def allocation_rows(text: str) -> list[str]:
        table = text.split('id="allocation"', 1)[1].split("</table>", 1)[0]
        return re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", table)

    first = client.get(f"/scenarios/{sid}")
    assert allocation_rows(first.text) == ["Beta BPO"]  # $4,800 first
    assert "Page 1 of 2 (2 allocation lines)" in first.text
    second = client.get(f"/scenarios/{sid}?page=2")
    assert allocation_rows(second.text) == ["Alpha Annotation"]
    # a page past the last shows no line; a page that is no number is refused, naming it
    assert allocation_rows(client.get(f"/scenarios/{sid}?page=9").text) == []
    refused = client.get(f"/scenarios/{sid}?page=x")
    assert refused.status_code == 422 and "<code>page</code>" in refused.text


def test_allocation_page_orders_by_cost_and_keeps_the_results_order_of_equal_costs():
    result = {
        "allocations": [
            {"vendor": "V1", "cost": 10.0},
            {"vendor": "V2", "cost": 30.0},
            {"vendor": "V3", "cost": 10.0},
            {"vendor": "V4", "cost": 20.0},
        ]
    }
    first = review.allocation_page(result, 1, 3)
    assert [a["vendor"] for a in first.items] == ["V2", "V4", "V1"]
    assert (first.total, first.pages) == (4, 2)
    assert [a["vendor"] for a in review.allocation_page(result, 2, 3).items] == ["V3"]
    assert review.allocation_page(None, 1, 3).items == []


def test_stored_lines_page_as_the_whole_list_does_across_their_chunks():
    """The page lines keep the allocation lines in chunks of JSON text (migration 0047): a page
    that spans two chunks, the last page and a page past the end read as the whole list."""
    lines = [
        {"vendor": f"V{i}", "need": "N1", "volume": 1.0, "cost": 250.0 - i} for i in range(250)
    ]
    scenario = Scenario(problem={}, result={"allocations": lines})
    _, stored = page_facts.work_out(scenario)
    assert stored["count"] == 250 and len(stored["chunks"]) == 3  # 100, 100 and 50 lines
    for per_page, page in ((30, 4), (100, 3), (7, 36), (100, 4), (1, 1)):
        shown, sources = page_facts.lines_page(stored, page, per_page)
        assert shown == review.allocation_page({"allocations": lines}, page, per_page)
        assert sources == [{}] * len(shown.items)  # no offer lines: no stated price
    assert [a["vendor"] for a in page_facts.lines_page(stored, 4, 30)[0].items] == [
        f"V{i}" for i in range(90, 120)
    ]


def test_listed_rules_keep_every_target_and_the_costliest_capacities():
    targets = [{"kind": "min_avg_impact", "shadow_price": 0.0}, {"kind": "demand"}]
    capacities = [
        {"kind": "vendor_capacity", "shadow_price": -float(i), "label": f"V{i}"} for i in range(30)
    ]
    rules, left_out = listed_rules([targets[0], *capacities, targets[1]], shown=20)
    assert left_out == 10
    assert rules[0] is targets[0] and rules[-1] is targets[1]
    # the 20 largest in size (-29 … -10), in the result's order
    assert [r["label"] for r in rules[1:-1]] == [f"V{i}" for i in range(10, 30)]
    assert listed_rules(capacities[:3], shown=20) == (capacities[:3], 0)


def test_projected_impact_reads_the_disclosures_of_the_vendors_with_work_in_one_query(
    client, world, make_scenario
):
    scenario = db.session.get(Scenario, make_scenario()["id"])
    problem = scenario.problem
    # a vendor that gets no work: in the problem, not in the allocations
    idle = {**problem["vendors"][0], "id": "V999999", "name": "Idle Vendor"}
    problem["meta"]["scored_disclosures"]["V999999"] = 999_999
    scenario.problem = {**problem, "vendors": [*problem["vendors"], idle]}
    db.session.flush()
    before = review.projected_impact(scenario)
    statements: list[tuple[str, object]] = []

    def count(*args) -> None:
        statements.append((args[2], args[3]))  # the SQL and its parameters

    db.session.expire_all()
    scenario = db.session.get(Scenario, scenario.id)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        after = review.projected_impact(scenario)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert after == before
    assert {row["vendor"] for row in after["by_vendor"]} == {"Alpha Annotation", "Beta BPO"}
    disclosure_reads = [(sql, sent) for sql, sent in statements if "FROM disclosure" in sql]
    assert len(disclosure_reads) == 1 and "999999" not in str(disclosure_reads[0][1])
    db.session.rollback()


def test_the_comparison_lists_the_vendors_whose_work_differs_most_and_counts_the_rest(
    client, world, sign_in, make_scenario, monkeypatch
):
    from procure.scenarios import views

    first, second = make_scenario("First")["id"], make_scenario("Second")["id"]
    sign_in(client, world["buyer"])
    url = f"/scenarios/compare?ids={first}&ids={second}"  # Alpha and Beta get work in both
    assert "more vendor" not in client.get(url).text
    monkeypatch.setattr(views, "COMPARED_VENDORS_SHOWN", 1)
    page = client.get(url).text
    table = page.split("by vendor</h2>", 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r'<th scope="row">', table)) == 1
    assert "1 more vendor, whose work differs less between the scenarios" in page
