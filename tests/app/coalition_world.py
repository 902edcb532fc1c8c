"""A coalition with two members' approved plans, for the coalition tests (golden figures,
access, what is shared). Kept apart so that no test module imports another.

The backbone "Impact Sourcing Coalition Secretariat" runs "Buyers for Impact 2027" (2026-01-01 to
2028-12-31) with a target of 10 jobs for impact workers in 2027 and one of a 40 % impact spend
share in 2027. Member A (buyer, executive, admin; it shares its contribution by name) and member
B (an executive) accepted; organization C is invited and has not answered; organization D (a
buyer) is not invited. Vendors Alpha and Beta (each its own vendor organization) are on the
platform; Alpha has 2,000 labour hours a month, 1,200 from 2027-01 on, Beta states none.

The approved plans are written as stored documents (version 2, as the optimizer's adapter makes
them), with distinctive names, prices and budgets (SECRETS) that must never reach the backbone
or the other member:

- A's plan: its need runs 12 months from 2026-07 (so it straddles the target's start): Alpha
  12,000 hours for 120,000 USD (impact-worker share 0.5, impact score 70), Beta 6,000 hours for
  30,000 USD (share 0.2, impact score 40); 2,000 hours per FTE-year.
- B's plan: its need runs the 12 months of 2027: Alpha 3,600 hours for 36,000 USD (share 0.5,
  impact score 70); 1,800 hours per FTE-year.
- A's draft plan and D's approved plan count for nothing.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from typing import Any

from procure.coalitions import services
from procure.extensions import db
from procure.needs.models import Need
from procure.scenarios.models import Scenario
from procure.vendors.models import VendorCapacityChange

SECRETS = {
    "need_title": "Quokka transcription backlog",
    "scenario_name": "Wombat allocation plan",
    "price": "47.3917",
    "budget": "987654.32",
    "other_need_title": "Numbat call centre",
    "other_scenario_name": "Bilby sourcing round",
}


def plan_documents(
    need_title: str,
    start: str,
    lines: list[dict[str, Any]],
    vendors: dict[str, dict[str, float]],
    hours_per_fte_year: float,
    budget: float,
) -> tuple[dict, dict]:
    """A version 2 problem and result document with one need (N1) and the given allocations."""
    problem = {
        "version": 2,
        "needs": [
            {
                "id": "N1",
                "title": need_title,
                "unit": "hour",
                "volume": sum(line["hours"] for line in lines),
                "period": {"start": start, "months": 12},
            }
        ],
        "vendors": [
            {
                "id": key,
                "name": key,
                "impact_score": figures["impact_score"],
                "impact_worker_share": figures["share"],
            }
            for key, figures in vendors.items()
        ],
        "offers": [
            {
                "id": f"O{index}",
                "vendor": line["vendor"],
                "need": "N1",
                "price": float(SECRETS["price"]),
                "original_price": float(SECRETS["price"]),
                "currency": "USD",
            }
            for index, line in enumerate(lines)
        ],
        "targets": {"budget": budget},
        "settings": {"hours_per_fte_year": hours_per_fte_year},
    }
    result = {
        "status": "optimal",
        "allocations": [
            {
                "vendor": line["vendor"],
                "need": "N1",
                "offer": f"O{index}",
                "volume": line["hours"],
                "hours": line["hours"],
                "cost": line["cost"],
                "price": float(SECRETS["price"]),
            }
            for index, line in enumerate(lines)
        ],
        "totals": {"cost": sum(line["cost"] for line in lines)},
    }
    return problem, result


def approved_plan(
    organization_id: int, name: str, problem: dict, result: dict, status: str = "approved"
) -> Scenario:
    scenario = Scenario(
        organization_id=organization_id,
        name=name,
        need_ids=[],
        targets=problem["targets"],
        status=status,
        problem=problem,
        result=result,
    )
    db.session.add(scenario)
    db.session.commit()
    return scenario


def build(make_org, make_user, make_vendor) -> dict[str, Any]:
    """The coalition world: users by actor name, ids, and the records."""
    backbone = make_org("backbone", "Impact Sourcing Coalition Secretariat")
    member_a, member_b = make_org("buyer", "Member A"), make_org("buyer", "Member B")
    invited, outsider = make_org("buyer", "Organization C"), make_org("buyer", "Organization D")
    alpha, vendor_user = make_vendor("Alpha Annotation")
    beta, _ = make_vendor("Beta BPO")
    alpha.capacity_hours_per_month = 2000
    db.session.add(
        VendorCapacityChange(vendor_id=alpha.id, from_month=date(2027, 1, 1), hours_per_month=1200)
    )
    db.session.commit()
    users = {
        "coordinator": make_user("coordinator", organization=backbone),
        "backbone_admin": make_user("admin", organization=backbone),
        "buyer_a": make_user("buyer", organization=member_a),
        "executive_a": make_user("executive", organization=member_a),
        "admin_a": make_user("admin", organization=member_a),
        "executive_b": make_user("executive", organization=member_b),
        "invited": make_user("executive", organization=invited),
        "outsider": make_user("buyer", organization=outsider),
        "vendor": vendor_user,
        "operator": make_user("operator"),
    }
    coalition = services.create_coalition(
        users["coordinator"],
        {
            "name": "Buyers for Impact 2027",
            "charter": "Buy from impact vendors together.",
            "theory_of_change": "Steady demand lets impact vendors hire and train.",
            "period_start": date(2026, 1, 1),
            "period_end": date(2028, 12, 31),
            "impact_vendor_min_score": 50.0,
        },
    )
    jobs = services.add_target(
        coalition,
        users["coordinator"],
        {
            "measure": "impact_worker_jobs",
            "value": 10,
            "label": "10 jobs for impact workers in 2027",
            "period_start": date(2027, 1, 1),
            "period_end": date(2027, 12, 31),
        },
    )
    share = services.add_target(
        coalition,
        users["coordinator"],
        {
            "measure": "impact_spend_share",
            "value": 0.4,
            "label": "40 % of spend with impact vendors in 2027",
            "period_start": date(2027, 1, 1),
            "period_end": date(2027, 12, 31),
        },
    )
    for organization in (member_a, member_b, invited):
        services.invite_member(coalition, users["coordinator"], organization.id)
    services.accept_invitation(coalition, users["executive_a"])
    services.accept_invitation(coalition, users["executive_b"])
    services.set_sharing(coalition, users["admin_a"], True)
    db.session.commit()

    a_key, b_key = f"V{alpha.id}", f"V{beta.id}"
    vendors = {
        a_key: {"impact_score": 70.0, "share": 0.5},
        b_key: {"impact_score": 40.0, "share": 0.2},
    }
    db.session.add(
        Need(
            organization_id=member_a.id,
            title=SECRETS["need_title"],
            service_category="data_annotation",
            volume=18000,
            unit="hour",
            period_start=date(2026, 7, 1),
            period_end=date(2027, 6, 30),
            budget_usd=float(SECRETS["budget"]),
        )
    )
    db.session.commit()
    plan_a = approved_plan(
        member_a.id,
        SECRETS["scenario_name"],
        *plan_documents(
            SECRETS["need_title"],
            "2026-07",
            [
                {"vendor": a_key, "hours": 12000, "cost": 120000},
                {"vendor": b_key, "hours": 6000, "cost": 30000},
            ],
            vendors,
            2000,
            float(SECRETS["budget"]),
        ),
    )
    plan_b = approved_plan(
        member_b.id,
        SECRETS["other_scenario_name"],
        *plan_documents(
            SECRETS["other_need_title"],
            "2027-01",
            [{"vendor": a_key, "hours": 3600, "cost": 36000}],
            vendors,
            1800,
            float(SECRETS["budget"]),
        ),
    )
    # neither counts: a draft of a member, an approved plan of an organization not in it
    big = [{"vendor": a_key, "hours": 99000, "cost": 990000}]
    approved_plan(
        member_a.id, "Draft", *plan_documents("x", "2027-01", big, vendors, 2000, 1), "draft"
    )
    approved_plan(outsider.id, "Outside", *plan_documents("x", "2027-01", big, vendors, 2000, 1))
    return {
        "users": users,
        "coalition": coalition,
        "targets": {"jobs": jobs, "share": share},
        "organizations": {
            "backbone": backbone,
            "member_a": member_a,
            "member_b": member_b,
            "invited": invited,
            "outsider": outsider,
        },
        "vendors": {"alpha": alpha, "beta": beta},
        "plans": {"a": plan_a, "b": plan_b},
        "ids": {
            "coalition": coalition.id,
            "target": jobs.id,
            "organization_d": outsider.id,
        },
    }


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def pdf_figures(text: str, labels: list[str]) -> dict[str, tuple[str, str]]:
    """Each target's projected and actual figure as the PDF prints them (its progress table,
    the first rows after the target's heading)."""
    figures = {}
    for label in labels:
        after = text[text.index(label) :]
        projected = re.search(r"Projected\s+(\S+)", after).group(1)
        actual = re.search(r"Actual\s+(\S+)", after).group(1)
        figures[label] = (projected, actual)
    return figures
