"""Deliveries against an approved scenario (issue 20): recording, correcting and importing rows,
what is refused and that nothing is saved then, who may reach them, and projected against
actual with its arithmetic done by hand."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from procure.accounts.models import User
from procure.audit.models import AuditEvent
from procure.deliveries.actuals import (
    Delivered,
    DisclosedShare,
    Plan,
    PlanLine,
    compare_to_plan,
    need_months_of,
    plan_from_documents,
    share_for_month,
)
from procure.deliveries.models import Delivery
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.vendors.models import Offer
from tests.conftest import NEED, csrf_token_from, valid_document

ITEMS = {
    **NEED,
    "title": "Image tagging H1",
    "unit": "item",
    "volume": 12000,
    "period_start": "2026-01-01",
    "period_end": "2026-06-30",
    "budget_usd": 10000,
    "max_vendor_share": 1.0,  # only Alpha tags images
}
# the shares the plan froze: Alpha 55 / 115, Beta 10 / 115 impact workers in headcount, rounded
# to 6 decimals in the problem document (procure/scenarios/adapter.py)
ALPHA_PLAN_SHARE, BETA_PLAN_SHARE = 0.478261, 0.086957


def _vendor_user(vendor) -> User:
    return db.session.scalars(
        select(User).where(User.organization_id == vendor.organization_id)
    ).first()


def _workforce(impact_workers_end: int) -> dict:
    """valid_document()'s workforce with `impact_workers_end` of its 115 people (20 hired and
    5 gone in the period, so the period started with 15 fewer)."""
    document = valid_document()
    document["workforce"].update(
        impact_workers_start=impact_workers_end - 15,
        impact_workers_end=impact_workers_end,
        impact_worker_hires=20,
        impact_worker_departures=5,
    )
    document["workforce"]["categories"] = {
        k: min(v, impact_workers_end) for k, v in document["workforce"]["categories"].items()
    }
    return document["workforce"]


@pytest.fixture
def plan(client, world, make_user, bearer):
    """The world's hourly need (1,000 h over 2026) and an item need (12,000 items, January to
    June 2026) that Alpha tags at 0.05 h an item for $0.40, solved, submitted and approved.
    The cheapest plan: Beta 800 h at $6 (its 80 % cap), Alpha 200 h at $8 and every item."""
    db.session.add(
        Offer(
            vendor_id=world["alpha"].id,
            service_category="data_annotation",
            unit="item",
            price=0.4,
            currency="USD",
            hours_per_unit=0.05,
            quality=0.95,
        )
    )
    db.session.commit()
    items = client.post("/api/v1/needs", headers=world["headers"], json=ITEMS).json
    created = client.post(
        "/api/v1/scenarios",
        headers=world["headers"],
        json={"name": "Hours and items", "need_ids": [world["need"]["id"], items["id"]]},
    ).json
    sid = created["id"]
    result = client.get(f"/api/v1/scenarios/{sid}/result.json", headers=world["headers"]).json
    alpha, beta = f"V{world['alpha'].id}", f"V{world['beta'].id}"
    hours, tags = f"N{world['need']['id']}", f"N{items['id']}"
    assert {(a["vendor"], a["need"]): a["volume"] for a in result["allocations"]} == {
        (beta, hours): 800,
        (alpha, hours): 200,
        (alpha, tags): 12000,
    }
    submitted = client.post(f"/api/v1/scenarios/{sid}/submit", headers=world["headers"])
    assert submitted.status_code == 200, submitted.json
    executive = make_user("executive", organization=world["buyer"].organization)
    decided = client.post(
        f"/api/v1/scenarios/{sid}/decision",
        headers=bearer(executive),
        json={"decision": "approved"},
    )
    assert decided.json["status"] == "approved"
    return {
        **world,
        "items": items,
        "scenario": sid,
        "executive": executive,
        "url": f"/api/v1/scenarios/{sid}/deliveries",
    }


def _row(vendor, need, month, volume, amount, currency="USD") -> dict:
    return {
        "vendor_id": vendor.id,
        "need_id": need["id"] if need else None,
        "month": month,
        "delivered_volume": volume,
        "invoiced_amount": amount,
        "currency": currency,
    }


def _rows_saved() -> int:
    return db.session.scalar(select(func.count(Delivery.id)))


def _submit_disclosure(client, bearer, vendor, document) -> dict:
    headers = bearer(_vendor_user(vendor))
    created = client.post(
        "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
    )
    assert created.status_code == 201, created.json
    submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    return submitted.json


def _amend_workforce(client, bearer, vendor, workforce) -> None:
    """A new version of the vendor's submitted 2025 disclosure with this workforce, submitted."""
    headers = bearer(_vendor_user(vendor))
    first = db.session.scalars(select(Disclosure).where(Disclosure.vendor_id == vendor.id)).one()
    draft = client.post(f"/api/v1/disclosures/{first.id}/amend", headers=headers).json
    edited = client.patch(
        f"/api/v1/disclosures/{draft['id']}",
        headers=headers,
        json={"workforce": workforce, "edit_version": draft["edit_version"]},
    )
    assert edited.status_code == 200, edited.json
    submitted = client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json


# ---------------------------------------------------------------- the golden case


def test_projected_against_actual_by_hand(client, plan, bearer):
    """Three months delivered (January to March 2026). Beta disclosed 2026 since the plan was
    approved (23 of 115 impact workers: a share of 0.2 that covers every month); Alpha amended
    its 2025 disclosure (46 of 115: 0.4) and has none for 2026, so its months use the 2025
    share and are flagged."""
    alpha, beta, hours, items = plan["alpha"], plan["beta"], plan["need"], plan["items"]
    _submit_disclosure(
        client,
        bearer,
        beta,
        {**valid_document("2026-01-01", "2026-12-31"), "workforce": _workforce(23)},
    )
    _amend_workforce(client, bearer, alpha, _workforce(46))
    rows = [
        _row(alpha, hours, "2026-01", 20, 160),
        _row(alpha, hours, "2026-02", 15, 120),  # nothing recorded for March: 0 delivered
        _row(alpha, items, "2026-01", 2000, 800),
        _row(alpha, items, "2026-02", 2400, 120000, "KES"),  # 120,000 × 0.00774 = $928.80
        _row(alpha, items, "2026-03-15", 1000, 400),  # a date: its month
        _row(beta, None, "2026-01", 70, 420),  # Beta holds one need: filled in
        _row(beta, hours, "2026-02", 60, 360),
        _row(beta, hours, "2026-03", 80, 480),
    ]
    for body in rows:
        recorded = client.post(plan["url"], headers=plan["headers"], json=body)
        assert recorded.status_code == 201, recorded.json
    (kes,) = [
        r for r in client.get(plan["url"], headers=plan["headers"]).json if r["currency"] != "USD"
    ]
    # the rate in force on 28 February 2026 is the seeded one of 31 December 2025
    assert (kes["currency"], kes["usd_rate"], kes["rate_date"]) == ("KES", 0.00774, "2025-12-31")
    assert kes["invoiced_usd"] == pytest.approx(928.80)

    actuals = client.get(
        f"/api/v1/scenarios/{plan['scenario']}/actuals", headers=plan["headers"]
    ).json
    assert actuals["through"] == "2026-03" and actuals["deliveries"] == 8
    by_vendor = {v["vendor"]: v for v in actuals["vendors"]}
    a, b = by_vendor["Alpha Annotation"]["to_date"], by_vendor["Beta BPO"]["to_date"]

    # Alpha, hours: 200 h over 12 months, 3 to date: 50 h allocated; 20 + 15 = 35 delivered.
    # Alpha, items: 12,000 over 6 months, 3 to date: 6,000 items = 300 h at 0.05 h an item;
    #   2,000 + 2,400 + 1,000 = 5,400 items = 270 h delivered.
    # Alpha: 350 h allocated, 305 delivered; projected 350 × 0.478261 = 167.39135;
    #   actual 305 × 0.4 = 122; volume effect (305 − 350) × 0.478261 = −21.521745;
    #   share effect 305 × (0.4 − 0.478261) = −23.869605; together −45.39135 = 122 − 167.39135.
    assert a["allocated_hours"] == pytest.approx(350)
    assert a["delivered_hours"] == pytest.approx(305)
    assert a["unit"] is None and a["allocated_volume"] is None  # hours and items do not add
    assert a["projected_impact_worker_hours"] == pytest.approx(350 * ALPHA_PLAN_SHARE)
    assert a["actual_impact_worker_hours"] == pytest.approx(122.0)
    assert a["actual_share"] == pytest.approx(0.4)
    assert a["volume_effect"] == pytest.approx(-45 * ALPHA_PLAN_SHARE)
    assert a["share_effect"] == pytest.approx(305 * (0.4 - ALPHA_PLAN_SHARE))
    assert a["variance"] == pytest.approx(122.0 - 350 * ALPHA_PLAN_SHARE)
    # Beta: 800 h over 12 months: 200 h allocated to date, 70 + 60 + 80 = 210 delivered;
    #   projected 200 × 0.086957 = 17.3914; actual 210 × 0.2 = 42; volume effect
    #   10 × 0.086957 = 0.86957; share effect 210 × (0.2 − 0.086957) = 23.73903.
    assert (b["unit"], b["allocated_volume"], b["delivered_volume"]) == ("hour", 200, 210)
    assert b["delivery_reliability"] == pytest.approx(210 / 200)
    assert b["actual_impact_worker_hours"] == pytest.approx(42.0)
    assert b["volume_effect"] == pytest.approx(10 * BETA_PLAN_SHARE)
    assert b["share_effect"] == pytest.approx(210 * (0.2 - BETA_PLAN_SHARE))

    # The plan: 550 h allocated, 515 delivered (reliability 515 / 550 = 0.93636);
    #   projected 167.39135 + 17.3914 = 184.78275; actual 122 + 42 = 164.
    t = actuals["to_date"]
    projected = 350 * ALPHA_PLAN_SHARE + 200 * BETA_PLAN_SHARE
    assert t["delivery_reliability"] == pytest.approx(515 / 550)
    assert t["projected_impact_worker_hours"] == pytest.approx(projected)
    assert t["actual_impact_worker_hours"] == pytest.approx(164.0)
    assert t["volume_effect"] + t["share_effect"] == pytest.approx(t["variance"])
    assert t["variance"] == pytest.approx(164.0 - projected)
    # jobs: hours / 2,080 (frozen in the document); 164 / 2,080 = 0.078846
    assert t["actual_jobs"] == pytest.approx(164 / 2080)
    assert t["projected_jobs"] == pytest.approx(projected / 2080)
    # spend: planned 1,600 × 3/12 + 4,800 × 3/6 (Alpha) + 4,800 × 3/12 (Beta) = 4,000;
    #   invoiced 160 + 120 + 800 + 928.80 + 400 + 420 + 360 + 480 = 3,668.80
    assert t["planned_spend"] == pytest.approx(4000.0)
    assert t["invoiced_spend"] == pytest.approx(3668.80)
    # cost per impact job: 3,668.80 / (164 / 2,080) = 46,532.29; 4,000 / (184.78275 / 2,080)
    assert t["actual_cost_per_job"] == pytest.approx(3668.80 * 2080 / 164)
    assert t["planned_cost_per_job"] == pytest.approx(4000 * 2080 / projected)
    # the whole plan beside it: 1,600 h (800 + 200 + 12,000 × 0.05), Σ hours × share
    whole = actuals["whole_period"]
    assert whole["hours"] == pytest.approx(1600)
    assert whole["impact_worker_hours"] == pytest.approx(
        800 * ALPHA_PLAN_SHARE + 800 * BETA_PLAN_SHARE
    )
    assert whole["spend"] == pytest.approx(1600 + 4800 + 4800)

    # flagged: every Alpha month, none of Beta's (its 2026 disclosure covers them)
    assert actuals["flags"] == [
        "Alpha Annotation: share from the 2025 disclosure; no disclosure covers 2026-01, "
        "2026-02, 2026-03 yet."
    ]
    months = [m for need in by_vendor["Beta BPO"]["needs"] for m in need["months"]]
    assert [m["flagged"] for m in months] == [False, False, False]
    assert by_vendor["Alpha Annotation"]["sentences"] == [
        "Alpha Annotation: 122 impact-worker hours delivered to date against 167 projected, "
        "45 fewer than projected.",
        "45 labour hours fewer than allocated (305 of 350): −22 impact-worker hours at the "
        "plan's share (47.8 %) (volume effect).",
        "An impact-worker share of 40.0 % against the plan's 47.8 %: −24 impact-worker hours "
        "(share effect).",
    ]


def test_a_disclosure_the_buyer_rejected_is_not_applied(client, plan, bearer):
    """Beta's 2026 disclosure (0.2), rejected by the buyer's organization: its months take the
    2025 share again (10 / 115), flagged, as scoring would skip the rejected version."""
    newer = _submit_disclosure(
        client,
        bearer,
        plan["beta"],
        {**valid_document("2026-01-01", "2026-12-31"), "workforce": _workforce(23)},
    )
    rejected = client.post(
        f"/api/v1/disclosures/{newer['id']}/review",
        headers=plan["headers"],
        json={"decision": "rejected", "comment": "The headcount does not match the payroll."},
    )
    assert rejected.status_code == 200, rejected.json
    client.post(
        plan["url"], headers=plan["headers"], json=_row(plan["beta"], None, "2026-01", 70, 420)
    )
    actuals = client.get(
        f"/api/v1/scenarios/{plan['scenario']}/actuals", headers=plan["headers"]
    ).json
    (beta,) = [v for v in actuals["vendors"] if v["vendor"] == "Beta BPO"]
    assert beta["to_date"]["actual_share"] == pytest.approx(10 / 115)
    assert beta["flags"] == [
        "Beta BPO: share from the 2025 disclosure; no disclosure covers 2026-01 yet."
    ]


# ---------------------------------------------------------------- the arithmetic, pure


def _plan(shares: dict[int, float | None], lines: list[PlanLine]) -> Plan:
    return Plan(
        lines={(line.vendor_id, line.need_id): line for line in lines},
        vendor_names={v: f"Vendor {v}" for v in shares},
        need_titles={line.need_id: f"Need {line.need_id}" for line in lines},
        shares=shares,
        hours_per_fte_year=2080.0,
        counts_hours=True,
    )


QUARTER = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))


def test_a_vendor_with_no_disclosure_has_unknown_hours_flagged_and_counted_as_none():
    # 90 h over 3 months; 40 h delivered in January: 30 h allocated to date (1 of 3 months)
    plan = _plan({1: 0.5}, [PlanLine(1, 7, "hour", 90, 90, 900, QUARTER)])
    figures = compare_to_plan(plan, [Delivered(1, 7, date(2026, 1, 1), 40, 400)], {})
    to_date = figures["vendors"][0]["to_date"]
    # projected 30 × 0.5 = 15; actual unknown: 0 counted, 40 h without a share
    assert to_date["projected_impact_worker_hours"] == 15
    assert to_date["actual_impact_worker_hours"] == 0
    assert to_date["unknown_share_hours"] == 40 and to_date["actual_share"] is None
    # volume effect (40 − 30) × 0.5 = 5; share effect 0 − 40 × 0.5 = −20; −15 in all
    assert (to_date["volume_effect"], to_date["share_effect"], to_date["variance"]) == (5, -20, -15)
    assert figures["flags"] == [
        "Vendor 1: no disclosure up to 2026-01: its impact-worker hours are unknown."
    ]
    assert figures["vendors"][0]["sentences"][-1] == (
        "40 delivered labour hours have no disclosure to apply and count as no impact-worker hours."
    )


def test_the_share_of_a_month_is_the_covering_periods_else_the_newest_earlier_one():
    fiscal = DisclosedShare(1, date(2024, 7, 1), date(2025, 6, 30), 0.3)
    calendar_year = DisclosedShare(2, date(2025, 1, 1), date(2025, 12, 31), 0.4)
    overlapping = [fiscal, calendar_year]
    assert share_for_month(overlapping, date(2025, 3, 1)).disclosure == calendar_year
    assert share_for_month([fiscal], date(2025, 6, 1)).covers is True
    later = share_for_month(overlapping, date(2026, 2, 1))
    assert (later.disclosure, later.covers, later.flagged) == (calendar_year, False, True)
    assert share_for_month(overlapping, date(2024, 1, 1)).disclosure is None
    plan = _plan({1: 0.5}, [PlanLine(1, 7, "hour", 12, 12, 12, QUARTER)])
    figures = compare_to_plan(plan, [Delivered(1, 7, date(2026, 1, 1), 1, 1)], {1: [fiscal]})
    assert figures["flags"] == [
        "Vendor 1: share from the 2024-07 to 2025-06 disclosure; no disclosure covers 2026-01 yet."
    ]


def test_a_version_1_plan_counts_hourly_work_only_and_takes_its_months_from_the_needs():
    """A document stored before labour hours (no `version`, no need periods): an item need's
    allocation has no hours (figures.allocation_hours), so its deliveries add no impact-worker
    hours; the months come from the needs' own periods."""
    problem = {
        "needs": [{"id": "N1", "unit": "hour"}, {"id": "N2", "unit": "item"}],
        "vendors": [{"id": "V5", "name": "Old BPO", "impact_worker_share": 0.5}],
    }
    result = {
        "allocations": [
            {"vendor": "V5", "need": "N1", "volume": 120, "cost": 1200},
            {"vendor": "V5", "need": "N2", "volume": 600, "cost": 300},
        ]
    }
    year = tuple(date(2026, month, 1) for month in range(1, 13))
    plan = plan_from_documents(problem, result, {1: year, 2: QUARTER}, 2080.0)
    assert need_months_of(problem) == {}
    assert (plan.lines[(5, 1)].hours_per_unit, plan.lines[(5, 2)].hours_per_unit) == (1.0, 0.0)
    figures = compare_to_plan(
        plan,
        [Delivered(5, 1, date(2026, 1, 1), 10, 100), Delivered(5, 2, date(2026, 1, 1), 200, 100)],
        {5: [DisclosedShare(9, date(2026, 1, 1), date(2026, 12, 31), 0.25)]},
    )
    to_date = figures["vendors"][0]["to_date"]
    # hours: 120 over the hourly need's 12 months, 1 to date = 10 h allocated; 10 delivered;
    # the 200 items count no hours. Actual 10 × 0.25 = 2.5; projected 10 × 0.5 = 5
    assert (to_date["allocated_hours"], to_date["delivered_hours"]) == (10, 10)
    assert to_date["actual_impact_worker_hours"] == 2.5
    assert to_date["projected_impact_worker_hours"] == 5
    assert figures["flags"] == []


@given(
    st.lists(
        st.tuples(
            st.integers(1, 3),  # vendor
            st.integers(1, 3),  # need
            st.integers(0, 2),  # month of the quarter
            st.floats(0, 1e6),  # volume
            st.floats(0, 1e6),  # invoiced
        ),
        max_size=12,
    ),
    st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=3, max_size=3),
    st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=3, max_size=3),
)
def test_the_volume_and_share_effects_add_up_to_the_variance(rows, planned, disclosed):
    lines = [
        PlanLine(v, n, "item", 100.0 * v, 10.0 * v * n, 50.0 * n, QUARTER)
        for v in (1, 2, 3)
        for n in (1, 2, 3)
    ]
    plan = _plan(dict(zip((1, 2, 3), planned, strict=True)), lines)
    delivered = {
        (v, n, m): Delivered(v, n, QUARTER[m], volume, invoiced)
        for v, n, m, volume, invoiced in rows
    }
    shares = {
        v: [DisclosedShare(v, date(2025, 1, 1), date(2025, 12, 31), share)]
        for v, share in zip((1, 2, 3), disclosed, strict=True)
    }
    figures = compare_to_plan(plan, list(delivered.values()), shares)
    for to_date in [v["to_date"] for v in figures["vendors"]] + [figures["to_date"]]:
        assert to_date["volume_effect"] + to_date["share_effect"] == pytest.approx(
            to_date["variance"], rel=1e-9, abs=1e-6
        )
        assert to_date["actual_impact_worker_hours"] - to_date[
            "projected_impact_worker_hours"
        ] == pytest.approx(to_date["variance"], rel=1e-9, abs=1e-6)


# ---------------------------------------------------------------- refused, naming the field


def test_each_bad_row_is_refused_naming_its_field_and_nothing_is_saved(client, plan, make_vendor):
    alpha, beta, hours, items = plan["alpha"], plan["beta"], plan["need"], plan["items"]
    outsider, _ = make_vendor("Gamma Data")
    cases = [
        (_row(outsider, hours, "2026-01", 10, 10), "vendor_id", "allocates no work to vendor"),
        (_row(beta, items, "2026-01", 10, 10), "need_id", "holds no work of need"),
        (_row(alpha, None, "2026-01", 10, 10), "need_id", "holds 2 needs in the plan"),
        # the item need runs January to June 2026
        (_row(alpha, items, "2026-07", 10, 10), "month", "outside the plan's period"),
        (_row(beta, hours, "2025-12", 10, 10), "month", "2026-01 to 2026-12"),
        (_row(beta, hours, "2026-13", 10, 10), "month", "is not one"),
        (_row(beta, hours, "2026-01", -1, 10), "delivered_volume", "0 or more"),
        (_row(beta, hours, "2026-01", 10, -5), "invoiced_amount", "0 or more"),
        (_row(beta, hours, "2026-01", "ten", 10), "delivered_volume", "is not a number"),
        (_row(beta, hours, "2026-01", 10, 10, "XYZ"), "currency", "Unknown currency"),
        (_row(beta, hours, "2026-01", 10, 10, "CHF"), "currency", "No exchange rate"),
    ]
    for body, field, words in cases:
        refused = client.post(plan["url"], headers=plan["headers"], json=body)
        assert refused.status_code == 422, (body, refused.json)
        assert list(refused.json["errors"]) == [field], (body, refused.json)
        assert words in " ".join(refused.json["errors"][field]), refused.json
    assert _rows_saved() == 0
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("delivery.%"))
    ).all()


def test_only_an_approved_scenario_takes_deliveries(client, world, make_scenario, sign_in):
    solved = make_scenario()["id"]
    url = f"/api/v1/scenarios/{solved}/deliveries"
    body = _row(world["beta"], world["need"], "2026-01", 10, 60)
    refused = client.post(url, headers=world["headers"], json=body)
    assert refused.status_code == 409 and "only an approved plan" in refused.json["message"]
    uploaded = client.post(
        f"{url}/import",
        headers=world["headers"],
        data={"file": (io.BytesIO(_csv([body])), "erp.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 409
    actuals = client.get(f"/api/v1/scenarios/{solved}/actuals", headers=world["headers"])
    assert actuals.status_code == 409
    assert client.get(url, headers=world["headers"]).json == []
    assert _rows_saved() == 0
    page = sign_in(client, world["buyer"]).get(f"/scenarios/{solved}/deliveries")
    assert page.status_code == 200 and "only an approved plan takes deliveries" in page.text
    assert 'name="delivered_volume"' not in page.text
    assert "Deliveries: projected against actual" not in client.get(f"/scenarios/{solved}").text


# ---------------------------------------------------------------- corrections


def test_recording_a_row_again_corrects_it_with_the_audit_log_keeping_both(client, plan):
    body = _row(plan["beta"], plan["need"], "2026-02", 60, 360)
    first = client.post(plan["url"], headers=plan["headers"], json=body)
    assert first.status_code == 201 and first.json["version"] == 1
    again = client.post(plan["url"], headers=plan["headers"], json={**body, "need_id": None})
    assert again.status_code == 200 and again.json["version"] == 1  # equal figures: unchanged
    corrected = client.post(
        plan["url"], headers=plan["headers"], json={**body, "delivered_volume": 64}
    )
    assert corrected.status_code == 200, corrected.json
    assert (corrected.json["id"], corrected.json["version"]) == (first.json["id"], 2)
    assert corrected.json["delivered_volume"] == 64 and _rows_saved() == 1
    url = f"{plan['url']}/{first.json['id']}"
    stale = client.put(
        url,
        headers=plan["headers"],
        json={"delivered_volume": 65, "invoiced_amount": 390, "version": 1},
    )
    assert stale.status_code == 409
    put = client.put(
        url,
        headers=plan["headers"],
        json={"delivered_volume": 65, "invoiced_amount": 39000, "currency": "KES", "version": 2},
    )
    assert put.status_code == 200 and put.json["invoiced_usd"] == pytest.approx(39000 * 0.00774)
    negative = client.put(
        url,
        headers=plan["headers"],
        json={"delivered_volume": -65, "invoiced_amount": 1, "version": 3},
    )
    assert negative.status_code == 422 and list(negative.json["errors"]) == ["delivered_volume"]
    assert client.delete(url, headers=plan["headers"]).status_code == 204
    assert _rows_saved() == 0
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("delivery.%")).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        "delivery.record",
        "delivery.correct",
        "delivery.correct",
        "delivery.delete",
    ]
    assert events[1].changes["before"]["delivered_volume"] == 60
    assert events[1].changes["after"]["delivered_volume"] == 64
    assert events[2].changes["after"]["currency"] == "KES"
    assert events[3].changes["before"]["delivered_volume"] == 65


# ---------------------------------------------------------------- import


COLUMNS = ("vendor_id", "need_id", "month", "delivered_volume", "invoiced_amount", "currency")


def _csv(rows: list[dict], columns=COLUMNS) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return text.getvalue().encode()


def _import(client, plan, content: bytes, filename: str):
    return client.post(
        f"{plan['url']}/import",
        headers=plan["headers"],
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_an_import_that_fails_on_its_last_row_leaves_nothing_behind(client, plan):
    alpha, beta, hours, items = plan["alpha"], plan["beta"], plan["need"], plan["items"]
    client.post(plan["url"], headers=plan["headers"], json=_row(beta, hours, "2026-01", 70, 420))
    rows = [
        _row(beta, hours, "2026-01", 75, 450),  # would correct the row recorded above
        _row(alpha, hours, "2026-01", 20, 160),
        _row(alpha, items, "2026-02", 2400, 960),
        _row(alpha, items, "2026-07", 100, 40),  # the item need ended in June
    ]
    refused = _import(client, plan, _csv(rows), "erp.csv")
    assert refused.status_code == 422
    assert refused.json["message"].startswith("Nothing was imported")
    assert list(refused.json["errors"]) == ["row 5"]  # the header is row 1
    (message,) = refused.json["errors"]["row 5"]
    assert message.startswith("month: 2026-07 is outside the plan's period of Image tagging H1")
    db.session.expire_all()
    (kept,) = db.session.scalars(select(Delivery)).all()
    assert (kept.delivered_volume, kept.version) == (70, 1)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("delivery.%"))
    ).all()
    assert actions == ["delivery.record"]
    imported = _import(client, plan, _csv(rows[:3]), "erp.csv")
    assert imported.status_code == 200, imported.json
    assert (imported.json["recorded"], imported.json["corrected"]) == (2, 1)
    assert _rows_saved() == 3


def test_an_import_names_the_row_and_column_of_every_bad_row(client, plan, make_vendor):
    alpha, beta, hours = plan["alpha"], plan["beta"], plan["need"]
    outsider, _ = make_vendor("Gamma Data")
    rows = [
        _row(outsider, hours, "2026-01", 10, 10),
        _row(beta, hours, "2027-01", 10, 10),
        _row(beta, hours, "2026-02", -3, 10),
        _row(beta, hours, "2026-03", 10, 10, "XYZ"),
        _row(alpha, None, "2026-04", 10, 10),
        _row(beta, hours, "2026-05", 10, 10),
        _row(beta, None, "2026-05", 11, 10),  # the same vendor, need and month as row 7
        {**_row(beta, hours, "2026-06", 10, 10), "invoiced_amount": "1,200"},
    ]
    refused = _import(client, plan, _csv(rows), "erp.csv")
    assert refused.status_code == 422
    columns = {
        where: [message.split(":")[0] for message in messages]
        for where, messages in refused.json["errors"].items()
    }
    assert columns == {
        "row 2": ["vendor_id"],
        "row 3": ["month"],
        "row 4": ["delivered_volume"],
        "row 5": ["currency"],
        "row 6": ["need_id"],
        "row 8": ["month"],
        "row 9": ["invoiced_amount"],
    }
    assert "on row 7 already" in refused.json["errors"]["row 8"][0]
    assert _rows_saved() == 0
    missing = _import(client, plan, _csv(rows[1:2], columns=COLUMNS[:3]), "erp.csv")
    assert missing.status_code == 422
    assert "Missing columns: delivered_volume, invoiced_amount" in missing.json["errors"]["file"][0]
    wrong = _import(client, plan, b"vendor_id\n1\n", "erp.txt")
    assert wrong.status_code == 422 and list(wrong.json["errors"]) == ["file"]


def test_an_xlsx_import_reads_number_and_date_cells(client, plan):
    from openpyxl import Workbook

    alpha, beta, hours, items = plan["alpha"], plan["beta"], plan["need"], plan["items"]
    book = Workbook()
    sheet = book.active
    sheet.append([*COLUMNS, "note", "ERP line"])  # a column it does not know is read past
    sheet.append([alpha.id, items["id"], date(2026, 1, 31), 2000, 800.5, "USD", "PO 17", 4411])
    sheet.append([float(beta.id), None, "2026-02", 60, 360, None, None, 4412])
    buffer = io.BytesIO()
    book.save(buffer)
    imported = _import(client, plan, buffer.getvalue(), "erp.xlsx")
    assert imported.status_code == 200, imported.json
    assert imported.json["recorded"] == 2
    listed = client.get(plan["url"], headers=plan["headers"]).json
    assert [
        (r["vendor_id"], r["need_id"], r["month"], r["invoiced_amount"], r["note"]) for r in listed
    ] == [
        (alpha.id, items["id"], "2026-01", 800.5, "PO 17"),
        (beta.id, hours["id"], "2026-02", 360, None),
    ]
    sheet.append([beta.id + 0.5, hours["id"], "2026-03", 1, 1, "USD", None, 4413])
    buffer = io.BytesIO()
    book.save(buffer)
    refused = _import(client, plan, buffer.getvalue(), "erp.xlsx")
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["row 4"]
    assert refused.json["errors"]["row 4"][0].startswith("vendor_id:")
    assert _rows_saved() == 2


# ---------------------------------------------------------------- who


def test_another_organization_gets_404_on_every_delivery_route_and_a_vendor_403(
    app, client, plan, make_user, bearer, sign_in
):
    recorded = client.post(
        plan["url"], headers=plan["headers"], json=_row(plan["beta"], None, "2026-01", 70, 420)
    ).json
    sid, did = plan["scenario"], recorded["id"]
    body = _row(plan["beta"], None, "2026-02", 1, 1)
    csv_file = _csv([body])
    api_calls = [
        ("get", f"/api/v1/scenarios/{sid}/deliveries", {}),
        ("post", f"/api/v1/scenarios/{sid}/deliveries", {"json": body}),
        (
            "put",
            f"/api/v1/scenarios/{sid}/deliveries/{did}",
            {"json": {"delivered_volume": 1, "invoiced_amount": 1, "version": 1}},
        ),
        ("delete", f"/api/v1/scenarios/{sid}/deliveries/{did}", {}),
        ("post", f"/api/v1/scenarios/{sid}/deliveries/import", {"file": csv_file}),
        ("get", f"/api/v1/scenarios/{sid}/actuals", {}),
    ]

    def call(headers, method, url, how):
        if "file" in how:
            return client.post(
                url,
                headers=headers,
                data={"file": (io.BytesIO(how["file"]), "erp.csv")},
                content_type="multipart/form-data",
            )
        return client.open(url, method=method.upper(), headers=headers, json=how.get("json"))

    other = make_user("buyer")  # another buyer organization's buyer: every route 404
    outsider = bearer(other)
    for method, url, how in api_calls:
        assert call(outsider, method, url, how).status_code == 404, (method, url)
    for role in ("executive", "admin"):  # they read (404 here) and never write (403 anywhere)
        reader = bearer(make_user(role, organization=other.organization))
        assert [call(reader, m, u, h).status_code for m, u, h in api_calls] == [
            404,
            403,
            403,
            403,
            403,
            404,
        ], role
    vendor = bearer(_vendor_user(plan["beta"]))  # the vendor delivered by, too
    for method, url, how in api_calls:
        assert call(vendor, method, url, how).status_code == 403, (method, url)
    executive = bearer(plan["executive"])
    assert [call(executive, m, u, h).status_code for m, u, h in api_calls] == [
        200,
        403,
        403,
        403,
        403,
        200,
    ]
    pages = app.test_client()
    sign_in(pages, other)
    token = csrf_token_from(pages.get("/account").text)
    assert pages.get(f"/scenarios/{sid}/deliveries").status_code == 404
    for url in (
        f"/scenarios/{sid}/deliveries",
        f"/scenarios/{sid}/deliveries/import",
        f"/scenarios/{sid}/deliveries/{did}/delete",
    ):
        assert pages.post(url, data={"csrf_token": token}).status_code == 404, url
    db.session.expire_all()
    (kept,) = db.session.scalars(select(Delivery)).all()
    assert (kept.delivered_volume, kept.version) == (70, 1)


# ---------------------------------------------------------------- pages, home, board report


def test_the_pages_record_import_and_show_projected_against_actual(
    client, plan, sign_in, make_user
):
    sid = plan["scenario"]
    sign_in(client, plan["buyer"])
    shown = client.get(f"/scenarios/{sid}")
    assert "Deliveries: projected against actual" in shown.text
    assert "No deliveries recorded yet" in shown.text
    home = client.get("/")
    assert "no deliveries recorded yet" in home.text
    page = client.get(f"/scenarios/{sid}/deliveries")
    token = csrf_token_from(page.text)
    form = {
        "csrf_token": token,
        "vendor_id": str(plan["alpha"].id),
        "need_id": "",
        "month": "2026-08",
        "delivered_volume": "-2",
        "invoiced_amount": "12",
        "currency": "usd",
        "note": "",
    }
    refused = client.post(f"/scenarios/{sid}/deliveries", data=form)
    assert refused.status_code == 422
    # the schema refuses the volume first; the plan's checks come with a readable figure
    assert 'id="error-summary"' in refused.text and "delivered_volume" in refused.text
    refused = client.post(f"/scenarios/{sid}/deliveries", data={**form, "delivered_volume": "2"})
    assert refused.status_code == 422 and "holds 2 needs in the plan" in refused.text
    recorded = client.post(
        f"/scenarios/{sid}/deliveries",
        data={
            **form,
            "delivered_volume": "20",
            "need_id": str(plan["need"]["id"]),
            "month": "2026-01",
        },
        follow_redirects=True,
    )
    assert recorded.status_code == 200 and "Recorded." in recorded.text
    uploaded = client.post(
        f"/scenarios/{sid}/deliveries/import",
        data={
            "csrf_token": token,
            "file": (
                io.BytesIO(_csv([_row(plan["beta"], None, "2027-01", 1, 1)])),
                "erp.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 422 and "Nothing was imported" in uploaded.text
    assert "row 2" in uploaded.text and "month: 2027-01 is outside" in uploaded.text
    uploaded = client.post(
        f"/scenarios/{sid}/deliveries/import",
        data={
            "csrf_token": token,
            "file": (
                io.BytesIO(_csv([_row(plan["beta"], None, "2026-01", 70, 420)])),
                "erp.csv",
            ),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Imported: 1 row(s) recorded" in uploaded.text
    shown = client.get(f"/scenarios/{sid}").text
    api = client.get(f"/api/v1/scenarios/{sid}/actuals", headers=plan["headers"]).json
    for sentence in api["sentences"]:
        assert sentence.replace("'", "&#39;") in shown
    # Beta 70 h × 0.086957 (its 2025 disclosure, flagged) = 6.09; Alpha 20 h × 0.478261 = 9.57
    home = client.get("/").text
    actual, projected = (
        api["to_date"]["actual_impact_worker_hours"],
        api["to_date"]["projected_impact_worker_hours"],
    )
    assert f"{actual:,.0f} h actual against {projected:,.0f} h projected to 2026-01" in home
    (row,) = [
        r
        for r in client.get(plan["url"], headers=plan["headers"]).json
        if r["vendor_id"] == plan["alpha"].id
    ]
    removed = client.post(
        f"/scenarios/{sid}/deliveries/{row['id']}/delete",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "The row is removed." in removed.text and _rows_saved() == 1


def test_the_board_report_carries_the_apis_figures(client, plan):
    import json

    from procure.reports.board_pdf import render_board_html
    from procure.scenarios.models import Scenario
    from procure.scenarios.report_context import board_context

    scenario = db.session.get(Scenario, plan["scenario"])
    assert board_context(scenario)["actuals"] is None  # no deliveries yet
    client.post(
        plan["url"], headers=plan["headers"], json=_row(plan["beta"], None, "2026-03", 210, 1260)
    )
    api = client.get(f"/api/v1/scenarios/{plan['scenario']}/actuals", headers=plan["headers"]).json
    context = board_context(scenario)
    assert json.loads(json.dumps(context["actuals"])) == api
    html = render_board_html(context, include_charts=False)
    assert "Projected against actual, to 2026-03" in html
    # Beta: 800 × 3/12 = 200 h allocated, 210 delivered: reliability 105.0 %
    assert "105.0 %" in html
    # the analyst pack's Actuals sheet: the same figures, per vendor and for the plan
    import pandas as pd

    from procure.reports.xlsx_pack import ACTUALS_SHEET, SHEETS, export_pack

    pack = io.BytesIO(export_pack(context))
    sheet = pd.read_excel(pack, sheet_name=ACTUALS_SHEET)
    assert pd.ExcelFile(pack).sheet_names == [*SHEETS[:-1], ACTUALS_SHEET, SHEETS[-1]]
    plan_row = sheet[sheet["Vendor"] == "The plan"].iloc[0]
    to_date = api["to_date"]
    assert plan_row["Labour hours allocated"] == pytest.approx(to_date["allocated_hours"])
    assert plan_row["Labour hours delivered"] == pytest.approx(210.0)
    assert plan_row["Impact-worker hours actual"] == pytest.approx(
        to_date["actual_impact_worker_hours"]
    )
    assert plan_row["Invoiced spend"] == pytest.approx(1260.0)
    beta = sheet[sheet["Vendor"] == "Beta BPO"].iloc[0]
    assert beta["Delivery reliability"] == pytest.approx(210 / 200)


@pytest.mark.parametrize(
    "change",
    [
        {"month": "2026-13", "delivered_volume": "-1"},
        {"month": "2027-02"},
        {"need_id": None},
        {"currency": "XYZ", "invoiced_amount": "ten"},
    ],
)
def test_the_page_form_and_the_api_refuse_the_same_fields(client, plan, sign_in, change):
    body = {**_row(plan["alpha"], plan["need"], "2026-01", 10, 80), **change}
    api = client.post(plan["url"], headers=plan["headers"], json=body)
    assert api.status_code == 422
    sign_in(client, plan["buyer"])
    page = client.get(f"/scenarios/{plan['scenario']}/deliveries")
    form = {k: "" if v is None else str(v) for k, v in body.items()}
    shown = client.post(
        f"/scenarios/{plan['scenario']}/deliveries",
        data={"csrf_token": csrf_token_from(page.text), **form},
    )
    assert shown.status_code == 422
    summary = re.search(r'id="error-summary">(.*?)</div>', shown.text, re.S).group(1)
    # each refused field links to its input (the link's text is the field in words)
    assert set(re.findall(r'<li><a href="#[^"]*" data-field="([^"]+)">[^<]+</a>:', summary)) == set(
        api.json["errors"]
    )
    assert _rows_saved() == 0


# ---------------------------------------------------------------- mends


def test_a_need_the_plan_holds_no_period_for_takes_no_month():
    """A version 1 document froze no need period; where the need is gone too (plan_of's lookup
    finds nothing), its plan line has no months, and any month is refused, naming `month`."""
    from procure.deliveries.services import _key_errors

    problem = {
        "needs": [{"id": "N1", "unit": "hour"}],
        "vendors": [{"id": "V5", "name": "Old BPO", "impact_worker_share": 0.5}],
    }
    result = {"allocations": [{"vendor": "V5", "need": "N1", "volume": 120, "cost": 1200}]}
    plan = plan_from_documents(problem, result, {}, 2080.0)
    assert plan.lines[(5, 1)].months == ()
    need_id, errors = _key_errors(plan, {"vendor_id": 5, "need_id": None, "month": QUARTER[0]})
    assert need_id == 1 and list(errors) == ["month"]
    assert "The plan holds no period for" in errors["month"][0]


def test_a_correction_of_equal_figures_changes_nothing_and_the_audit_log_keeps_the_key(
    client, plan
):
    body = _row(plan["beta"], plan["need"], "2026-02", 60, 360)
    first = client.post(plan["url"], headers=plan["headers"], json=body).json
    url = f"{plan['url']}/{first['id']}"
    figures = {"delivered_volume": 60, "invoiced_amount": 360, "currency": "USD"}
    same = client.put(url, headers=plan["headers"], json={**figures, "version": 1})
    assert same.status_code == 200 and same.json["version"] == 1

    def corrections():
        return db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "delivery.correct")
            .order_by(AuditEvent.id)
        ).all()

    assert corrections() == []
    changed = client.put(
        url, headers=plan["headers"], json={**figures, "delivered_volume": 61, "version": 1}
    )
    assert changed.status_code == 200 and changed.json["version"] == 2
    again = client.post(plan["url"], headers=plan["headers"], json={**body, "delivered_volume": 62})
    assert again.status_code == 200 and again.json["version"] == 3
    key = {"vendor_id": plan["beta"].id, "need_id": plan["need"]["id"], "month": "2026-02"}
    put_event, post_event = corrections()
    for event, before, after in ((put_event, 60, 61), (post_event, 61, 62)):
        assert event.changes["before"] == {**event.changes["before"], **key}
        assert event.changes["after"] == {**event.changes["after"], **key}
        assert event.changes["before"]["delivered_volume"] == before
        assert event.changes["after"]["delivered_volume"] == after


def test_an_import_reads_the_recorded_rows_once(client, plan):
    from sqlalchemy import event

    beta, hours = plan["beta"], plan["need"]
    for month in ("2026-01", "2026-02"):
        client.post(plan["url"], headers=plan["headers"], json=_row(beta, hours, month, 70, 420))
    rows = [_row(beta, hours, f"2026-{m:02d}", 70 + (m == 2), 420) for m in range(1, 7)]
    selects: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM delivery" in statement:
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        imported = _import(client, plan, _csv(rows), "erp.csv")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert imported.status_code == 200, imported.json
    assert (imported.json["recorded"], imported.json["corrected"]) == (4, 1)
    assert imported.json["unchanged"] == 1
    assert len(selects) == 1, selects


def test_an_import_outdates_the_stored_rankings_once_and_an_unchanged_one_not_at_all(client, plan):
    from procure.scenarios.models import Scenario
    from procure.scoring.versions import data_versions

    beta, hours = plan["beta"], plan["need"]
    organization = db.session.get(Scenario, plan["scenario"]).organization_id

    def version() -> int:
        db.session.expire_all()
        return data_versions(organization)[1]

    before = version()
    client.post(plan["url"], headers=plan["headers"], json=_row(beta, hours, "2026-01", 70, 420))
    assert version() == before + 1  # one row recorded: one change
    rows = [_row(beta, hours, f"2026-{m:02d}", 70 + (m == 1), 420) for m in range(1, 7)]
    imported = _import(client, plan, _csv(rows), "erp.csv")
    assert (imported.json["recorded"], imported.json["corrected"]) == (5, 1)
    assert version() == before + 2  # six rows saved: one change, not six
    again = _import(client, plan, _csv(rows), "erp.csv")
    assert again.json["unchanged"] == 6
    assert version() == before + 2  # nothing changed: the rankings stay current


def test_actuals_only_for_an_approved_plan_and_from_a_plan_built_once(client, plan, make_scenario):
    from procure.deliveries.actuals import actuals_if_approved, actuals_of, plan_of
    from procure.scenarios.models import Scenario

    client.post(
        plan["url"], headers=plan["headers"], json=_row(plan["beta"], None, "2026-03", 210, 1260)
    )
    scenario = db.session.get(Scenario, plan["scenario"])
    built = plan_of(scenario)
    assert actuals_of(scenario, built) == actuals_of(scenario) == actuals_if_approved(scenario)
    assert actuals_if_approved(scenario, built)["deliveries"] == 1
    draft = db.session.get(Scenario, make_scenario()["id"])
    assert actuals_if_approved(draft) is None


def test_the_deliveries_page_shows_its_rows_a_page_at_a_time(client, plan, sign_in, monkeypatch):
    """Five rows recorded (Beta, January to May), two to a page: three pages, by month."""
    import procure.deliveries.views as views

    monkeypatch.setattr(views, "ROWS_PER_PAGE", 2)
    for month in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05"):
        answer = client.post(
            plan["url"], headers=plan["headers"], json=_row(plan["beta"], None, month, 10, 60)
        )
        assert answer.status_code == 201, answer.text
    sign_in(client, plan["buyer"])
    months = lambda html: re.findall(r"<tr><td>(2026-\d\d)</td>", html)  # noqa: E731
    first = client.get(f"/scenarios/{plan['scenario']}/deliveries").text
    assert months(first) == ["2026-01", "2026-02"] and "Page 1 of 3 (5 rows)" in first
    last = client.get(f"/scenarios/{plan['scenario']}/deliveries?page=3").text
    assert months(last) == ["2026-05"]
    beyond = client.get(f"/scenarios/{plan['scenario']}/deliveries?page=9").text
    assert months(beyond) == [] and "Back to the first page" in beyond


def test_an_approved_plans_page_reads_its_plan_from_the_page_lines_not_the_documents(
    client, plan, sign_in
):
    """Issue #23: an approved plan's page builds projected against actual from the plan its page
    lines keep (`page_facts.plan_documents`), never from the problem and result documents (at
    10,000 vendors 8.7 MB of JSON), and shows, answers and reports exactly what the whole
    documents give."""
    from sqlalchemy import update

    from procure.deliveries.actuals import plan_of
    from procure.scenarios.models import Scenario
    from procure.scenarios.report_context import board_context
    from tests.app.test_scenario_projections import _statements

    sid = plan["scenario"]
    for row in (
        _row(plan["beta"], None, "2026-03", 210, 1260),
        _row(plan["alpha"], plan["items"], "2026-02", 2500, 1000),
    ):
        assert client.post(plan["url"], headers=plan["headers"], json=row).status_code == 201
    sign_in(client, plan["buyer"])

    def shown() -> tuple[str, dict, dict, set[str]]:
        db.session.expire_all()
        page = []
        read = _statements(lambda: page.append(client.get(f"/scenarios/{sid}")))
        assert page[0].status_code == 200
        columns = {
            c
            for c in ("problem", "result", "page_facts", "page_lines")
            if re.search(rf"\bscenario\.{c}\b", " ".join(read))
        }
        text = re.sub(r'name="csrf_token"[^>]*>', "", page[0].text)
        api = client.get(f"{plan['url'].rsplit('/', 1)[0]}/actuals", headers=plan["headers"]).json
        context = board_context(db.session.get(Scenario, sid))
        return text, api, context["actuals"], columns

    text, api, actuals, columns = shown()
    assert columns == {"page_facts", "page_lines"}
    assert "the months up to 2026-03" in text and 'id="actual-impact-worker-hours"' in text
    assert api["deliveries"] == 2
    whole = plan_of(db.session.get(Scenario, sid))
    # the same plan without its stored cut: read from the whole documents
    lines = dict(db.session.get(Scenario, sid).page_lines)
    lines.pop("plan")
    db.session.execute(update(Scenario).where(Scenario.id == sid).values(page_lines=lines))
    db.session.commit()
    again, api_again, actuals_again, columns_again = shown()
    assert {"problem", "result"} <= columns_again
    assert (again, api_again, actuals_again) == (text, api, actuals)
    documents = plan_of(db.session.get(Scenario, sid))
    assert documents.lines == whole.lines
    for vendor_id in documents.vendor_ids():
        assert documents.vendor_names[vendor_id] == whole.vendor_names[vendor_id]
        assert documents.shares[vendor_id] == whole.shares[vendor_id]
    assert (documents.need_titles, documents.hours_per_fte_year, documents.counts_hours) == (
        whole.need_titles,
        whole.hours_per_fte_year,
        whole.counts_hours,
    )


def test_the_pages_build_no_plan_of_an_approved_scenario_without_deliveries(
    client, plan, sign_in, monkeypatch
):
    """Issue #23: the scenario page and the home page show "no deliveries recorded yet" for an
    approved plan without deliveries, and work out nothing more of it (at 10,000 vendors its
    figures vendor by vendor took seconds); the API still answers its whole plan."""
    from procure.deliveries import actuals
    from tests.app.test_scenario_projections import _documents_read, _statements

    built: list[int] = []
    plan_of = actuals.plan_of

    def counted(scenario):
        built.append(scenario.id)
        return plan_of(scenario)

    monkeypatch.setattr(actuals, "plan_of", counted)
    sid = plan["scenario"]
    sign_in(client, plan["buyer"])
    assert 'id="no-deliveries"' in client.get(f"/scenarios/{sid}").text
    home: list = []
    read = " ".join(_statements(lambda: home.append(client.get("/"))))
    assert "no deliveries recorded yet" in home[0].text
    # nor does the home page load any plan's problem, result or page facts
    assert _documents_read(read) == set()
    assert built == []
    api = client.get(f"/api/v1/scenarios/{sid}/actuals", headers=plan["headers"]).json
    assert api["deliveries"] == 0 and api["whole_period"]["hours"] > 0 and built == [sid]
    row = _row(plan["beta"], None, "2026-03", 210, 1260)
    assert client.post(plan["url"], headers=plan["headers"], json=row).status_code == 201
    built.clear()
    assert "the months up to 2026-03" in client.get(f"/scenarios/{sid}").text
    assert "h actual against" in client.get("/").text
    assert built == [sid, sid]


def test_the_pages_list_at_most_a_page_of_vendors_and_say_how_many_more(
    client, plan, sign_in, monkeypatch
):
    """Issue #23: projected against actual lists at most `VENDORS_SHOWN` vendors on a page (the
    most labour hours allocated first) and says how many more the API and the pack list."""
    from procure.deliveries import actuals

    sid = plan["scenario"]
    row = _row(plan["beta"], None, "2026-03", 210, 1260)
    assert client.post(plan["url"], headers=plan["headers"], json=row).status_code == 201
    sign_in(client, plan["buyer"])

    def by_vendor(url: str) -> tuple[list[str], str | None]:
        text = client.get(url).text
        table = re.search(r"By vendor, to date</h3>(.*?)</table>", text, re.S).group(1)
        names = re.findall(r'<tr><th scope="row">([^<]+)</th>', table)
        note = re.search(r'id="vendors-left-out">(.*?)</p>', text, re.S)
        return names, note.group(1) if note else None

    for url in (f"/scenarios/{sid}", f"/scenarios/{sid}/deliveries"):
        assert by_vendor(url) == (["Alpha Annotation", "Beta BPO", "The plan"], None)
    monkeypatch.setattr(actuals, "VENDORS_SHOWN", 1)
    for url in (f"/scenarios/{sid}", f"/scenarios/{sid}/deliveries"):
        names, note = by_vendor(url)
        # Alpha 200 h + 12,000 items × 0.05 h = 800 h, Beta 800 h: the tie keeps the plan's order
        assert names == ["Alpha Annotation", "The plan"]
        assert note.startswith(
            "Listed here: 1 of 2 vendors, the most labour hours in the plan first"
        )
    api = client.get(f"/api/v1/scenarios/{sid}/actuals", headers=plan["headers"]).json
    assert len(api["vendors"]) == 2


def test_the_deliveries_page_and_api_read_no_documents_and_the_home_page_reads_deliveries_once(
    client, plan, sign_in
):
    """Issue #23: the deliveries page and the actuals API build the plan from the page lines,
    never loading the problem and result documents; the home page reads the deliveries once,
    for the plans with deliveries and those without alike."""
    from tests.app.test_scenario_projections import _documents_read, _statements

    sid = plan["scenario"]
    row = _row(plan["beta"], None, "2026-03", 210, 1260)
    assert client.post(plan["url"], headers=plan["headers"], json=row).status_code == 201
    sign_in(client, plan["buyer"])
    for url, headers in (
        (f"/scenarios/{sid}/deliveries", {}),
        (f"/api/v1/scenarios/{sid}/actuals", plan["headers"]),
        (plan["url"], plan["headers"]),
    ):
        db.session.expire_all()
        answers: list = []
        read = " ".join(
            _statements(lambda u=url, h=headers, a=answers: a.append(client.get(u, headers=h)))
        )
        assert answers[0].status_code == 200, url
        assert _documents_read(read) == set(), url
    db.session.expire_all()
    home: list = []
    read = _statements(lambda: home.append(client.get("/")))
    assert "h actual against" in home[0].text
    assert sum(bool(re.search(r"\bFROM delivery\b", s)) for s in read) == 1
