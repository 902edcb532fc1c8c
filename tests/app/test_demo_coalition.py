"""The demo's coalition (procure/demo_coalition.py): three members with work in every month of
2026, so the backbone sees their progress, vendor load and spend at the default minimum of three
contributing members, not "fewer than 3 members; not shown" (issue #20, "Done when")."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from procure.accounts.models import User
from procure.coalitions import services as coalitions
from procure.coalitions.models import Coalition
from procure.demo_coalition import COALITION, HARBOR_PLAN, LAKESHORE_PLAN, NORTHWIND_PLAN
from procure.extensions import db
from procure.scenarios.models import Scenario
from procure.states import ScenarioStatus

JOBS_2026 = "30 full-time jobs for impact workers in 2026"
NORTHWIND, HARBOR, LAKESHORE = (
    "Northwind Retail Group",
    "Harbor Foods Cooperative",
    "Lakeshore Savings Bank",
)
SPEND_2026 = "Half of the members' outsourcing spend with impact vendors in 2026"


@pytest.fixture
def compact(demo, client, bearer):
    """(the coalition's id, the API headers of a demo user by email)."""
    coalition = db.session.scalars(select(Coalition).where(Coalition.name == COALITION)).one()
    passwords = {
        "coordinator@compact.example": "demo-compact-pass",
        "buyer@harborfoods.example": "demo-harbor-pass",
    }

    def headers(email: str) -> dict[str, str]:
        user = db.session.scalars(select(User).where(User.email == email)).one()
        return bearer(user, passwords[email])

    return coalition.id, headers


def _targets(client, coalition_id: int, headers: dict) -> dict[str, dict]:
    progress = client.get(f"/api/v1/coalitions/{coalition_id}/progress", headers=headers)
    assert progress.status_code == 200, progress.json
    assert progress.json["members"] == 3 and progress.json["min_cell_members"] == 3
    return {target["label"]: target for target in progress.json["targets"]}


def test_the_backbone_sees_the_three_members_progress_at_the_default_minimum(client, compact):
    """Each member's approved plan covers the whole of 2026, so every month's figure is a sum of
    three members. The 2026 jobs projected are the three plans' own impact-worker jobs added up
    (each plan lies wholly in 2026: Σ impact-worker hours / 2,080 h per FTE-year, plan by plan);
    the actual ones run January to October (deliveries are recorded to October) and fall short
    (some vendors delivered 80 % or 95 % of their share). All three share theirs: the backbone
    sees each member's contribution by name, and they add up to the coalition's value."""
    coalition_id, headers = compact
    targets = _targets(client, coalition_id, headers("coordinator@compact.example"))
    plans = db.session.scalars(
        select(Scenario).where(
            Scenario.name.in_([NORTHWIND_PLAN, HARBOR_PLAN, LAKESHORE_PLAN]),
            Scenario.status == ScenarioStatus.APPROVED,
        )
    ).all()
    assert len(plans) == 3
    planned_jobs = sum(plan.result["totals"]["impact_worker_jobs"] for plan in plans)

    jobs = targets[JOBS_2026]
    assert jobs["suppressed"] is False and jobs["suppressed_reason"] is None
    assert jobs["projected"] == pytest.approx(planned_jobs, rel=1e-6)
    assert 0 < jobs["actual"] < jobs["projected"]
    assert all(month["projected"] is not None for month in jobs["months"])
    actual = [month["actual"] for month in jobs["months"]]
    assert None not in actual[:10] and actual[10:] == [None, None]
    assert not any(month["suppressed"] for month in jobs["months"])
    rows = {row["member"]: row for row in jobs["contributions"]}
    assert set(rows) == {NORTHWIND, HARBOR, LAKESHORE}
    assert all(row["members"] == 1 and not row["suppressed"] for row in rows.values())
    assert sum(row["projected"] for row in rows.values()) == pytest.approx(jobs["projected"])
    assert jobs["folded_reason"] is None

    spend = targets[SPEND_2026]
    assert spend["suppressed"] is False
    assert 0 < spend["actual"] < 1 and 0 < spend["projected"] < 1


def test_a_member_sees_its_own_row_and_the_others_by_name(client, compact):
    """Harbor reads its own row (named, as it shares) and the two other members' by name: no
    "other members" is left to fold."""
    coalition_id, headers = compact
    jobs = _targets(client, coalition_id, headers("buyer@harborfoods.example"))[JOBS_2026]
    rows = {row["member"]: row for row in jobs["contributions"]}
    assert set(rows) == {NORTHWIND, HARBOR, LAKESHORE}
    assert sum(row["projected"] for row in rows.values()) == pytest.approx(jobs["projected"])


def test_when_one_member_does_not_share_the_page_and_the_api_say_why_none_is_named(client, compact):
    """Harbor stops sharing: "other members" would be Harbor alone (fewer than 3), so Northwind
    and Lakeshore, who share, are folded into it, one row of three; the API and the page say
    why, instead of a bare "Other members (3)"."""
    coalition_id, headers = compact
    harbor = db.session.scalars(select(User).where(User.email == "exec@harborfoods.example")).one()
    coalition = db.session.get(Coalition, coalition_id)
    coalitions.set_sharing(coalition, harbor, False)
    db.session.commit()
    backbone = headers("coordinator@compact.example")
    jobs = _targets(client, coalition_id, backbone)[JOBS_2026]
    (others,) = jobs["contributions"]
    assert others["member"] == "Other members" and others["members"] == 3
    why = (
        "A member that shares its contribution is shown by name only when the members summed "
        'as "other members" are none or at least 3: 2 of 3 members share theirs, so 2 are '
        'summed as "other members" too.'
    )
    assert jobs["folded_reason"] == why
    page = client.get(f"/coalitions/{coalition_id}", headers=backbone).text
    assert str(escape(why)) in page


def test_the_backbone_sees_the_load_of_vendors_all_three_members_book(client, compact):
    """The four vendors all three plans book for customer support and digitisation show their
    hours in every month of 2026; a vendor only one or two members book (Northwind's
    annotation vendors, a support vendor of Harbor's and Lakeshore's) stays withheld."""
    coalition_id, headers = compact
    load = client.get(
        f"/api/v1/coalitions/{coalition_id}/vendor-load",
        headers=headers("coordinator@compact.example"),
    ).json
    shared = [vendor for vendor in load["vendors"] if vendor["members"] == 3]
    assert len(shared) == 4
    for vendor in shared:
        assert len(vendor["months"]) == 12
        assert all(month["booked_hours"] > 0 for month in vendor["months"]), vendor["vendor"]
    fewer = [vendor for vendor in load["vendors"] if vendor["members"] < 3]
    assert fewer and all(m["suppressed"] for vendor in fewer for m in vendor["months"])
    # the page says so once for each such vendor, not in a table of twelve withheld months
    page = client.get(
        f"/coalitions/{coalition_id}", headers=headers("coordinator@compact.example")
    ).text
    once = "Fewer than 3 members book this vendor in every month of the period"
    assert page.count(once) == len(fewer)
    assert "fewer than 3 members; not shown</span></td>" not in page


@pytest.mark.parametrize("basis", ["planned", "actual"])
def test_the_backbone_sees_the_coalition_s_spend_totals(client, compact, basis):
    coalition_id, headers = compact
    report = client.get(
        f"/api/v1/coalitions/{coalition_id}/spend?basis={basis}&by=group",
        headers=headers("coordinator@compact.example"),
    ).json
    assert report["total"]["suppressed"] is False and report["total"]["impact_spend"] > 0
    assert report["totals"] and not any(total["suppressed"] for total in report["totals"])
    assert any(not row["suppressed"] and row["impact_spend"] for row in report["rows"])


@pytest.mark.parametrize("period", ["quarter", "year"])
def test_the_backbone_sees_digitisation_spend_by_service_category(client, compact, period):
    """Annotation is Northwind's alone: withheld. Withholding customer support with it makes the
    withheld sum one of three members on each side; digitisation (the three members' spend
    with other vendors only) would not, so it stays shown in every period (it was withheld
    first, as the smallest row, and then customer support too: every row withheld)."""
    coalition_id, headers = compact
    report = client.get(
        f"/api/v1/coalitions/{coalition_id}/spend?basis=planned&by=category&period={period}",
        headers=headers("coordinator@compact.example"),
    ).json
    by_key: dict[str, list[dict]] = {}
    for row in report["rows"]:
        by_key.setdefault(row["key"], []).append(row)
    assert set(by_key) == {"data_annotation", "customer_support", "digitisation_data_entry"}
    assert len(by_key["digitisation_data_entry"]) == (4 if period == "quarter" else 1)
    for row in by_key["digitisation_data_entry"]:
        assert not row["suppressed"] and row["impact_spend"] == 0 and row["other_spend"] > 0
    for key in ("data_annotation", "customer_support"):
        assert all(row["suppressed"] and row["spend"] is None for row in by_key[key])
    assert not any(total["suppressed"] for total in report["totals"])
