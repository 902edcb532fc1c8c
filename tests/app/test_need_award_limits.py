"""A need's whole-number rules (issue 21): the most vendors it goes to (`max_vendors`) and the
least a vendor is awarded (`min_award`), through the API, the need form, the problem document,
the solve, the scenario page and the board report; and expired bids left out of award
scenarios.

The golden cases use the closed event of `test_award_scenarios.awarding` (read its docstring):
lot 1 "Labelling", 1,000 hours: vendor A bids 10 USD an hour for at most 600 hours, vendor B
12 USD for at most 5,000 (vendor C has no disclosure and is out); lot 2 "Invoices", 2,000
items: B's 50 KES = 0.387 USD an item beats A's 0.50, so B takes it all for 774 USD. Without
rules lot 1 is 600 x 10 + 400 x 12 = 10,800 USD, and the plan 11,574 USD.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from procure.events.models import Bid
from procure.extensions import db
from procure.needs.models import Need
from procure.reports.board_pdf import render_report_html, report_view
from procure.scenarios import award_limits
from procure.scenarios.models import Scenario
from procure.scenarios.report_context import board_context
from tests.app.test_award_scenarios import (
    _documents,
    _scenario,
    awarding,  # noqa: F401 (a fixture, through event_world)
)
from tests.conftest import csrf_token_from

NEED = {
    "title": "Claims triage",
    "service_category": "data_annotation",
    "volume": 1000,
    "unit": "hour",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
}
LOT_2_COST = 774.0  # 2,000 items x 50 KES x 0.00774 USD/KES, B alone (as without rules)


@pytest.fixture
def event_world(request):
    """The closed event of `test_award_scenarios.awarding` (imported above so pytest finds it)."""
    return request.getfixturevalue("awarding")


def _count_needs() -> int:
    return db.session.scalar(select(func.count()).select_from(Need))


def _limit(client, s, need_index: int, **fields) -> None:
    """Set whole-number rules on one of the awarding fixture's needs through the API."""
    need_id = s.need_ids[need_index]
    headers = s.headers["buyer_x"]
    version = client.get(f"/api/v1/needs/{need_id}", headers=headers).json["version"]
    changed = client.patch(
        f"/api/v1/needs/{need_id}", headers=headers, json={**fields, "version": version}
    )
    assert changed.status_code == 200, changed.json


def _solved(client, s) -> tuple[int, dict, dict]:
    """An award scenario of the event over both needs: its id, problem and result documents."""
    created = _scenario(client, s)
    assert created.status_code == 201, created.json
    return created.json["id"], *_documents(client, s, created.json["id"])


def _ids(s) -> tuple[str, str, str, str]:
    """The optimizer's ids of vendors A and B and of the needs Labelling and Invoices."""
    return (
        *(f"V{s.vendors[v].id}" for v in "ab"),
        *(f"N{need_id}" for need_id in s.need_ids),
    )


def _page(client, s, sign_in, scenario_id: int) -> str:
    """The scenario page as buyer X sees it."""
    pages = client.application.test_client()
    sign_in(pages, s.users["buyer_x"])
    return pages.get(f"/scenarios/{scenario_id}").text


def _placed(result) -> dict:
    return {(a["vendor"], a["need"]): a["volume"] for a in result["allocations"]}


def test_the_api_round_trip_of_both_fields(client, make_user, bearer):
    headers = bearer(make_user("buyer"))
    created = client.post(
        "/api/v1/needs", headers=headers, json={**NEED, "max_vendors": 2, "min_award": 150}
    )
    assert created.status_code == 201, created.json
    assert (created.json["max_vendors"], created.json["min_award"]) == (2, 150.0)
    assert isinstance(created.json["max_vendors"], int)  # a count, not 2.0
    need_id = created.json["id"]
    read = client.get(f"/api/v1/needs/{need_id}", headers=headers).json
    assert (read["max_vendors"], read["min_award"]) == (2, 150.0)
    changed = client.patch(
        f"/api/v1/needs/{need_id}",
        headers=headers,
        json={"max_vendors": None, "min_award": 400, "version": 1},
    )
    assert changed.status_code == 200, changed.json
    assert (changed.json["max_vendors"], changed.json["min_award"]) == (None, 400.0)
    need = db.session.get(Need, need_id)
    assert (need.max_vendors, need.min_award) == (None, 400.0)
    # a need without them reads both as null
    plain = client.post("/api/v1/needs", headers=headers, json=NEED).json
    assert (plain["max_vendors"], plain["min_award"]) == (None, None)


MAX_VENDORS_REFUSAL = "Use a whole number of vendors from 1 to 1,000 (leave it empty for no limit)."


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"max_vendors": 0}, "max_vendors", MAX_VENDORS_REFUSAL),
        ({"max_vendors": 1.5}, "max_vendors", MAX_VENDORS_REFUSAL),
        ({"max_vendors": 1001}, "max_vendors", MAX_VENDORS_REFUSAL),
        ({"max_vendors": "two"}, "max_vendors", "'two' is not a number."),
        ({"min_award": 0}, "min_award", "A minimum award must be above zero (leave it empty "),
        ({"min_award": -5}, "min_award", "A minimum award must be above zero (leave it empty "),
        ({"min_award": "lots"}, "min_award", "'lots' is not a number."),
        (
            {"min_award": 1200},
            "min_award",
            "A minimum award of 1,200 is more than the need's volume of 1,000: no vendor could "
            "be awarded anything.",
        ),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    client, make_user, bearer, fields, field, message
):
    headers = bearer(make_user("buyer"))
    refused = client.post("/api/v1/needs", headers=headers, json={**NEED, **fields})
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == [field]
    assert refused.json["errors"][field][0].startswith(message)
    assert _count_needs() == 0
    # the same value on an existing need: refused, the need unchanged
    need_id = client.post("/api/v1/needs", headers=headers, json=NEED).json["id"]
    changed = client.patch(
        f"/api/v1/needs/{need_id}", headers=headers, json={**fields, "version": 1}
    )
    assert changed.status_code == 422 and list(changed.json["errors"]) == [field]
    need = db.session.get(Need, need_id)
    assert (need.max_vendors, need.min_award, need.version) == (None, None, 1)


def test_lowering_the_volume_below_the_minimum_award_is_refused(client, make_user, bearer):
    headers = bearer(make_user("buyer"))
    need_id = client.post("/api/v1/needs", headers=headers, json={**NEED, "min_award": 400}).json[
        "id"
    ]
    changed = client.patch(
        f"/api/v1/needs/{need_id}", headers=headers, json={"volume": 300, "version": 1}
    )
    assert changed.status_code == 422
    assert changed.json["errors"] == {
        "min_award": [
            "A minimum award of 400 is more than the need's volume of 300: no vendor could be "
            "awarded anything."
        ]
    }
    assert db.session.get(Need, need_id).volume == 1000


def test_the_need_form_sets_clears_and_refuses_them(client, make_user, sign_in):
    sign_in(client, make_user("buyer"))
    page = client.get("/needs")
    assert "Most vendors for this need" in page.text
    # the minimum holds per vendor over its prices (issue 21), not at each price on its own
    assert "may get less than this at each, as long as the two together reach it" in page.text
    form = {k: str(v) for k, v in NEED.items()} | {"csrf_token": csrf_token_from(page.text)}
    refused = client.post("/needs", data=form | {"max_vendors": "1.5", "min_award": "100"})
    assert refused.status_code == 422
    assert "Use a whole number of vendors from 1 to 1,000" in refused.text
    assert _count_needs() == 0
    saved = client.post("/needs", data=form | {"max_vendors": "2", "min_award": "1,000"})
    assert saved.status_code == 302
    need = db.session.scalars(select(Need)).one()
    assert (need.max_vendors, need.min_award) == (2, 1000.0)
    assert "at most 2 vendors; at least 1,000 hours each" in client.get("/needs").text
    edit = client.get(f"/needs/{need.id}")
    assert 'name="max_vendors"' in edit.text and 'value="2"' in edit.text
    cleared = client.post(
        f"/needs/{need.id}",
        data=form
        | {
            "csrf_token": csrf_token_from(edit.text),
            "version": "1",
            "max_vendors": "",
            "min_award": "",
        },
    )
    assert cleared.status_code == 302
    db.session.refresh(need)
    assert (need.max_vendors, need.min_award) == (None, None)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "A minimum award must be above zero (leave it empty "),
        ("lots", "&#39;lots&#39; is not a number."),
    ],
)
def test_the_need_edit_form_refuses_a_bad_minimum_award_and_changes_nothing(
    client, make_user, sign_in, typed, message
):
    sign_in(client, make_user("buyer"))
    page = client.get("/needs")
    form = {k: str(v) for k, v in NEED.items()} | {"csrf_token": csrf_token_from(page.text)}
    assert client.post("/needs", data=form | {"min_award": "100"}).status_code == 302
    need = db.session.scalars(select(Need)).one()
    edit = client.get(f"/needs/{need.id}")
    refused = client.post(
        f"/needs/{need.id}",
        data=form | {"csrf_token": csrf_token_from(edit.text), "version": "1", "min_award": typed},
    )
    assert refused.status_code == 422
    assert message in refused.text
    assert f'name="min_award" type="number" value="{typed}"' in refused.text  # as typed
    db.session.expire_all()
    need = db.session.get(Need, need.id)
    assert (need.min_award, need.version) == (100.0, 1)


def test_another_organizations_user_can_neither_read_nor_change_them(
    client, make_user, make_vendor, bearer, sign_in
):
    buyer = make_user("buyer")
    need_id = client.post(
        "/api/v1/needs", headers=bearer(buyer), json={**NEED, "max_vendors": 2, "min_award": 100}
    ).json["id"]
    other = make_user("buyer")
    headers = bearer(other)
    assert client.get(f"/api/v1/needs/{need_id}", headers=headers).status_code == 404
    for change in ({"max_vendors": 1}, {"min_award": 500}, {"max_vendors": None}):
        patched = client.patch(
            f"/api/v1/needs/{need_id}", headers=headers, json={**change, "version": 1}
        )
        assert patched.status_code == 404
    _, vendor_user = make_vendor()
    assert client.get(f"/api/v1/needs/{need_id}", headers=bearer(vendor_user)).status_code == 403
    colleague = make_user("executive", organization=buyer.organization)
    assert (
        client.patch(
            f"/api/v1/needs/{need_id}",
            headers=bearer(colleague),
            json={"max_vendors": 1, "version": 1},
        ).status_code
        == 403
    )
    pages = client.application.test_client()
    sign_in(pages, other)
    assert pages.get(f"/needs/{need_id}").status_code == 404
    assert pages.post(f"/needs/{need_id}", data={"max_vendors": "1"}).status_code in (400, 404)
    need = db.session.get(Need, need_id)
    assert (need.max_vendors, need.min_award, need.version) == (2, 100.0, 1)


def test_max_vendors_1_gives_the_lot_to_one_vendor_hand_checked(client, event_world, sign_in):
    """Labelling with at most 1 vendor: A alone cannot cover it (its bid holds 600 of the 1,000
    hours), so B takes all 1,000 hours at 12 USD = 12,000 USD, instead of A 600 + B 400 =
    10,800 USD. Invoices are untouched (774 USD). Total 12,000 + 774 = 12,774 USD."""
    s = event_world
    _limit(client, s, 0, max_vendors=1)
    scenario_id, problem, result = _solved(client, s)
    a, b, n1, n2 = _ids(s)
    entries = {n["id"]: n for n in problem["needs"]}
    assert entries[n1]["max_vendors"] == 1 and "max_vendors" not in entries[n2]
    assert result["status"] == "optimal"
    assert _placed(result) == pytest.approx({(b, n1): 1000.0, (b, n2): 2000.0})
    assert result["totals"]["cost"] == pytest.approx(12000.0 + LOT_2_COST, abs=1e-6)
    assert result["model"]["binaries"] > 0 and result["mip_gap"] is not None
    assert result["mip_gap"] <= 1e-6  # options.mip_rel_gap, the optimizer's default
    rows = [c for c in result["constraints"] if c["kind"] == "max_vendors"]
    assert [(c["need"], c["binding"]) for c in rows] == [(n1, True)]

    text = _page(client, s, sign_in, scenario_id)
    assert "Whole-number rules" in text
    assert "“Labelling” goes to at most 1 vendor." in text  # the rule
    assert "“Labelling” uses at most 1 vendor</td>" in text  # its constraint row
    assert "The solver proved this plan is" in text and "e-0" not in text
    report = board_context(db.session.get(Scenario, scenario_id))
    assert report["whole_number_rules"]["rules"] == ["“Labelling” goes to at most 1 vendor."]
    assert report["whole_number_rules"]["gap"].startswith("The solver proved this plan is")
    assert "“Labelling” uses at most 1 vendor" in [c["label"] for c in report["constraints"]]
    pdf_html = render_report_html("reports/board.html", report_view(report, include_charts=False))
    assert "<h3>Whole-number rules</h3>" in pdf_html
    assert "<li>“Labelling” goes to at most 1 vendor.</li>" in pdf_html
    assert report["whole_number_rules"]["gap"] in pdf_html


def test_a_minimum_award_of_500_hours_hand_checked(client, event_world, sign_in):
    """Labelling with a minimum award of 500 hours per vendor (in total over its lines; each of
    A and B has one bid on it, so its total is that bid's volume): B's 400 hours of the plan
    without rules are now too few. Each of A and B gets 0 or at least 500 hours, and A at most
    600: with both, A = a hours (500 ≤ a ≤ 600) and B = 1,000 − a ≥ 500, so a = 500, and A 500
    + B 500 = 5,000 + 6,000 = 11,000 USD; B alone would cost 12,000; A alone cannot cover
    1,000. Invoices have no minimum: 774 USD. Total 11,000 + 774 = 11,774 USD."""
    s = event_world
    _limit(client, s, 0, min_award=500)
    scenario_id, problem, result = _solved(client, s)
    a, b, n1, n2 = _ids(s)
    # frozen on the need, the optimizer's rule per vendor; none on the other need, and no line
    # carries a minimum of its own (min_order) any more
    assert {n["id"]: n.get("min_award") for n in problem["needs"]} == {n1: 500.0, n2: None}
    assert {line["id"]: line.get("min_order") for line in problem["offers"]} == {
        f"B{s.bids['a', 1]}": None,
        f"B{s.bids['b', 1]}": None,
        f"B{s.bids['a', 2]}": None,
        f"B{s.bids['b', 2]}": None,
    }
    assert _placed(result) == pytest.approx({(a, n1): 500.0, (b, n1): 500.0, (b, n2): 2000.0})
    assert result["totals"]["cost"] == pytest.approx(11000.0 + LOT_2_COST, abs=1e-6)

    text = _page(client, s, sign_in, scenario_id)
    assert (
        "“Labelling”: a vendor gets nothing or at least 500 hours in total across the prices it "
        "gave." in text
    )
    # both vendors sit at the minimum: their rows read in words, one per vendor (not per line)
    rows = [c for c in result["constraints"] if c["kind"] == "min_award"]
    assert {(c["vendor"], c["need"], c["binding"]) for c in rows} == {(a, n1, True), (b, n1, True)}
    assert len(rows) == 2
    for vendor in ("Vendor A", "Vendor B"):
        row = f"{vendor} gets nothing or at least 500 hours on “Labelling” in total over its prices"
        assert f"<td>{row}</td>" in text
    # a changed need does not move the frozen document
    _limit(client, s, 0, min_award=None)
    again, _ = _documents(client, s, scenario_id)
    assert again["needs"][0]["min_award"] == 500.0


def test_the_rate_card_path_carries_the_rules_too(client, event_world):
    """Outside an event, the need carries its minimum award (per vendor, over its lines) and its
    max_vendors; the rate-card lines carry no min_order of their own."""
    s = event_world
    _limit(client, s, 0, max_vendors=2, min_award=100)
    created = client.post(
        "/api/v1/scenarios",
        headers=s.headers["buyer_x"],
        json={"name": "Rate cards", "need_ids": s.need_ids},
    )
    assert created.status_code == 201, created.json
    problem, _ = _documents(client, s, created.json["id"])
    n1 = f"N{s.need_ids[0]}"
    assert [
        (n.get("max_vendors"), n.get("min_award")) for n in problem["needs"] if n["id"] == n1
    ] == [(2, 100.0)]
    lines = [line for line in problem["offers"] if line["need"] == n1]
    assert lines and all("min_order" not in line for line in lines)


def test_an_expired_bid_is_left_out_and_listed(client, event_world, sign_in):
    """A's Labelling bid expired yesterday, so it is not used: B takes all 1,000 hours at 12 USD
    = 12,000 USD; Invoices 774 USD; total 12,774 USD. B's Invoices bid holds until today, the
    day the plan is built, so it still counts (an offer holds through its last day)."""
    s = event_world
    yesterday, today = date.today() - timedelta(days=1), date.today()
    db.session.execute(update(Bid).where(Bid.id == s.bids["a", 1]).values(valid_until=yesterday))
    db.session.execute(update(Bid).where(Bid.id == s.bids["b", 2]).values(valid_until=today))
    db.session.commit()
    scenario_id, problem, result = _solved(client, s)
    a, b, n1, n2 = _ids(s)
    reason = f"bid valid until {yesterday.isoformat()}; expired"
    assert {
        "vendor": a,
        "name": "Vendor A",
        "need": n1,
        "bid": s.bids["a", 1],
        "reason": reason,
    } in problem["meta"]["excluded"]
    assert f"B{s.bids['a', 1]}" not in {line["id"] for line in problem["offers"]}
    assert f"B{s.bids['b', 2]}" in {line["id"] for line in problem["offers"]}
    assert _placed(result) == pytest.approx({(b, n1): 1000.0, (b, n2): 2000.0})
    assert result["totals"]["cost"] == pytest.approx(12000.0 + LOT_2_COST, abs=1e-6)

    text = _page(client, s, sign_in, scenario_id)
    assert f"Vendor A: {reason} (“Labelling”)" in text


@pytest.mark.parametrize(
    ("result", "sentence"),
    [
        (
            {"status": "optimal", "mip_gap": 1e-6},  # 1e-6 x 100 = 0.0001 %
            "The solver proved this plan is within 0.0001 % of the best possible plan.",
        ),
        (
            {"status": "optimal", "mip_gap": 0.0},
            "The solver proved this plan is the best possible one (a gap of 0 %).",
        ),
        (
            {"status": "time_limit", "mip_gap": 0.01234},  # 1.234 % to 2 significant digits
            "The solver stopped at its time limit with this plan, within 1.2 % of the best "
            "possible plan.",
        ),
        (
            {"status": "optimal", "mip_gap": None},  # CBC reports none
            "The solver did not report how close this plan is to the best possible one.",
        ),
    ],
)
def test_the_gap_in_words(result, sentence):
    assert award_limits.gap_sentence(result) == sentence


def test_a_document_frozen_with_the_minimum_on_each_line_says_so():
    """Scenarios built before the minimum award was per vendor carry it as each line's
    min_order as well, and were solved with it at each price: their sentence stays so."""
    need = {"id": "N1", "unit": "hour", "min_award": 500.0}
    old = {"needs": [need], "offers": [{"need": "N1", "vendor": "V1", "min_order": 500.0}]}
    new = {"needs": [need], "offers": [{"need": "N1", "vendor": "V1"}]}
    assert award_limits.rule_sentences(old) == [
        "Need N1: a vendor gets nothing or at least 500 hours at each price it gave."
    ]
    assert award_limits.rule_sentences(new) == [
        "Need N1: a vendor gets nothing or at least 500 hours in total across the prices it gave."
    ]


def test_a_scenario_target_for_them_is_refused_and_points_to_the_need(client, event_world):
    s = event_world
    before = db.session.scalar(select(func.count()).select_from(Scenario))
    refused = _scenario(client, s, targets={"max_vendors": 1, "min_award": 100})
    assert refused.status_code == 422
    assert refused.json["errors"]["targets.max_vendors"][-1] == (
        "The most vendors is set on each need (its max_vendors), not on a scenario."
    )
    assert refused.json["errors"]["targets.min_award"][-1] == (
        "The minimum award is set on each need (its min_award), not on a scenario."
    )
    assert db.session.scalar(select(func.count()).select_from(Scenario)) == before
