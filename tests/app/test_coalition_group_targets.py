"""A coalition's joint target in the hours of one beneficiary group (issue 20): projected from
the members' approved plans and actual from their deliveries, with the group shares vendors
disclose (the impact spend report's `group_shares`), by hand; small cells withheld as for every
other target; an unknown or missing group refused naming the field with nothing saved; only
the backbone sets one; the page and the PDF print the API's figures.

The world (tests/app/coalition_world.py), at a minimum of 2 contributing members. The plans
score Alpha's 2025 disclosure (valid_document: 10 refugees or displaced people of a headcount
of 115) and Beta's (23 of 115), written into their problem documents (`meta.scored_disclosures`)
as the optimizer's adapter writes them.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from procure.accounts.models import User
from procure.audit.models import AuditEvent
from procure.coalitions.models import CoalitionPost, CoalitionTarget
from procure.coalitions.progress import Delivered, PlanLine, Target, target_progress
from procure.coalitions.report import figure_text
from procure.extensions import db
from tests.app.coalition_world import build, pdf_figures, pdf_text
from tests.conftest import valid_document

REFUGEES = {
    "measure": "beneficiary_group_hours",
    "beneficiary_group": "refugee_or_displaced",
    "value": 1000,
    "label": "1,000 refugee hours in 2027",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
}
# projected, 2027: A's need runs 12 months from 2026-07, 6 of them in 2027; B's the 12 of 2027.
# A: Alpha 12,000 h × 6/12 × 10/115 + Beta 6,000 h × 6/12 × 23/115 = 521.739 + 600
# B: Alpha 3,600 h × 10/115 = 313.043
# (60,000 + 69,000 + 36,000) / 115 = 165,000 / 115 = 1,434.783
PROJECTED = (6000 * 10 + 3000 * 23 + 3600 * 10) / 115
# actual: A delivers Alpha 1,000 h in 2027-01, B 300 h; no 2027 disclosure, so the 2025 one
# applies (flagged): (1,000 + 300) × 10/115 = 113.043
ACTUAL = (1000 + 300) * 10 / 115


@pytest.fixture
def cw(app, client, make_org, make_user, make_vendor, bearer):
    app.config["COALITION_MIN_CELL_MEMBERS"] = 2
    world = build(make_org, make_user, make_vendor)
    world["headers"] = {name: bearer(user) for name, user in world["users"].items()}
    disclosed = {}
    for key, refugees in (("alpha", 10), ("beta", 23)):
        vendor = world["vendors"][key]
        headers = bearer(
            db.session.scalars(
                select(User).where(User.organization_id == vendor.organization_id)
            ).first()
        )
        document = valid_document()
        document["workforce"]["categories"]["refugee_or_displaced"] = refugees
        created = client.post(
            "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
        )
        assert created.status_code == 201, created.json
        submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
        assert submitted.status_code == 200, submitted.json
        disclosed[f"V{vendor.id}"] = created.json["id"]
    for plan in world["plans"].values():
        plan.problem = {**plan.problem, "meta": {"scored_disclosures": disclosed}}
        flag_modified(plan, "problem")
    db.session.commit()
    return world


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _progress(client, cw, reader="coordinator") -> dict:
    response = client.get(
        f"/api/v1/coalitions/{cw['ids']['coalition']}/progress", headers=cw["headers"][reader]
    )
    assert response.status_code == 200, response.json
    return next(t for t in response.json["targets"] if t["measure"] == "beneficiary_group_hours")


def _set(client, cw, **changes):
    return client.post(
        f"/api/v1/coalitions/{cw['ids']['coalition']}/targets",
        headers=cw["headers"]["coordinator"],
        json={**REFUGEES, **changes},
    )


def _deliver(client, cw, buyer_b_headers) -> None:
    alpha = cw["vendors"]["alpha"].id
    for headers, plan, volume in (
        (cw["headers"]["buyer_a"], "a", 1000),
        (buyer_b_headers, "b", 300),
    ):
        recorded = client.post(
            f"/api/v1/scenarios/{cw['plans'][plan].id}/deliveries",
            headers=headers,
            json={
                "vendor_id": alpha,
                "month": "2027-01",
                "delivered_volume": volume,
                "invoiced_amount": volume * 10,
            },
        )
        assert recorded.status_code == 201, recorded.json


def test_refugee_hours_projected_and_actual_by_hand(client, cw, make_user, bearer):
    made = _set(client, cw)
    assert made.status_code == 201, made.json
    assert made.json["beneficiary_group"] == "refugee_or_displaced"
    target = _progress(client, cw)
    assert target["projected"] == pytest.approx(PROJECTED)
    assert target["projected_share"] == pytest.approx(PROJECTED / 1000)
    assert target["actual"] is None  # nothing delivered yet
    # month by month: the year's end reaches the total; the months withheld (a month's change
    # made by one member alone) are those of the jobs target, which the same members make
    # (here January to May show; from June on the change would be B's alone). By May:
    # A 5/6 of its 2027 hours, B 5/12: (5,000 × 10 + 2,500 × 23 + 1,500 × 10) / 115 = 1,065.217
    may = next(m for m in target["months"] if m["month"] == "2027-05-01")
    assert may["projected"] == pytest.approx((5000 * 10 + 2500 * 23 + 1500 * 10) / 115)
    jobs = client.get(
        f"/api/v1/coalitions/{cw['ids']['coalition']}/progress",
        headers=cw["headers"]["coordinator"],
    ).json["targets"][0]
    assert [m["suppressed"] for m in target["months"]] == [m["suppressed"] for m in jobs["months"]]

    _deliver(client, cw, bearer(make_user("buyer", organization=cw["organizations"]["member_b"])))
    target = _progress(client, cw)
    assert target["actual"] == pytest.approx(ACTUAL)
    assert target["actual_share"] == pytest.approx(ACTUAL / 1000)
    # B reads its own part in its own row: 300 × 10/115 = 26.087 of the 113.043
    own = _progress(client, cw, "executive_b")["contributions"][0]
    assert own["member"] == "Your organization"
    assert own["actual"] == pytest.approx(300 * 10 / 115)
    assert own["projected"] == pytest.approx(3600 * 10 / 115)


def test_small_cells_are_withheld_as_for_every_other_target(app, client, cw):
    """At the default minimum of 3 no figure of two members shows: the group's target is
    withheld exactly as the jobs target of the same members is."""
    assert _set(client, cw).status_code == 201
    app.config["COALITION_MIN_CELL_MEMBERS"] = 3
    progress = client.get(
        f"/api/v1/coalitions/{cw['ids']['coalition']}/progress",
        headers=cw["headers"]["coordinator"],
    ).json
    jobs, group = progress["targets"][0], progress["targets"][-1]
    assert group["measure"] == "beneficiary_group_hours"
    assert group["projected"] is None and group["suppressed_figures"] == ["projected"]
    assert group["suppressed_reason"] == jobs["suppressed_reason"] is not None
    assert all(m["projected"] is None for m in group["months"])
    assert [row["projected"] for row in group["contributions"]] == [None]


def test_a_group_missing_from_a_vendors_disclosure_counts_no_hours():
    """Pure: a line whose vendor states no such group (or no headcount) adds 0 hours to the
    group, but still counts toward the other targets."""
    months = tuple(date(2027, m, 1) for m in range(1, 13))
    lines = [
        PlanLine(1, 10, months, 1200, 600, 0, 70, 2000, {"youth_neet": 120.0}),
        PlanLine(2, 10, months, 1200, 600, 0, 70, 2000, {}),
    ]
    delivered = [Delivered(1, date(2027, 1, 1), 50, 2000, group_hours={"youth_neet": 10.0})]
    target = Target(1, "beneficiary_group_hours", 100, months, "youth_neet")
    progress = target_progress(target, lines, delivered, 50, [1, 2], {})
    assert progress["projected"] == 120.0 and progress["actual"] == 10.0
    hours = Target(2, "impact_worker_hours", 100, months)
    assert target_progress(hours, lines, delivered, 50, [1, 2], {})["projected"] == 1200.0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"beneficiary_group": "martians"}, "beneficiary_group"),  # unknown
        ({"beneficiary_group": None}, "beneficiary_group"),  # the measure needs one
        ({"measure": "impact_worker_hours"}, "beneficiary_group"),  # only the group's measure
        ({"measure": "group_hours"}, "measure"),
    ],
)
def test_a_bad_group_target_is_refused_naming_the_field_and_nothing_is_saved(
    client, cw, changes, field
):
    counts = (_count(CoalitionTarget), _count(CoalitionPost), _count(AuditEvent))
    refused = _set(client, cw, **changes)
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == [field]
    db.session.expire_all()
    assert (_count(CoalitionTarget), _count(CoalitionPost), _count(AuditEvent)) == counts
    page = client.post(
        f"/coalitions/{cw['ids']['coalition']}/targets/new",
        headers=cw["headers"]["coordinator"],
        data={k: v for k, v in {**REFUGEES, **changes}.items() if v is not None},
    )
    assert page.status_code == 422 and f'id="{field}-error"' in page.text
    assert (_count(CoalitionTarget), _count(CoalitionPost), _count(AuditEvent)) == counts


def test_only_the_backbone_sets_a_group_target(client, cw):
    # a member's, an invited organization's and an outsider's roles may not (403 before any read)
    for reader, status in (
        ("executive_b", 403),
        ("buyer_a", 403),
        ("invited", 403),
        ("outsider", 403),
    ):
        refused = client.post(
            f"/api/v1/coalitions/{cw['ids']['coalition']}/targets",
            headers=cw["headers"][reader],
            json=REFUGEES,
        )
        assert refused.status_code == status, (reader, refused.json)
    db.session.expire_all()
    assert _count(CoalitionTarget) == 2  # the world's two
    assert _set(client, cw).status_code == 201
    for path in ("", "/progress"):  # an outsider reads none of it
        url = f"/api/v1/coalitions/{cw['ids']['coalition']}{path}"
        assert client.get(url, headers=cw["headers"]["outsider"]).status_code == 404


def test_the_page_and_the_pdf_print_the_figures_of_the_api(client, cw, tmp_path):
    assert _set(client, cw).status_code == 201
    target = _progress(client, cw)
    projected = figure_text(target, "projected", target["measure"], None)
    assert projected == "1,435"  # 1,434.783 as hours are printed
    page = client.get(f"/coalitions/{cw['ids']['coalition']}", headers=cw["headers"]["coordinator"])
    assert "impact-worker hours of the group: Refugees or displaced people" in page.text
    assert f'<strong class="projected">{projected}</strong>' in page.text
    headers = cw["headers"]["coordinator"]
    started = client.post(f"/api/v1/coalitions/{cw['ids']['coalition']}/report", headers=headers)
    assert started.status_code == 202, started.json
    job = client.get(f"/api/v1/jobs/{started.json['id']}", headers=headers).json
    assert job["status"] == "succeeded", job
    text = pdf_text(client.get(job["file_url"], headers=headers).data, tmp_path)
    assert pdf_figures(text, [REFUGEES["label"]]) == {REFUGEES["label"]: (projected, "–")}
    assert "Refugees or displaced people" in " ".join(text.split())


def test_a_member_that_does_not_share_is_not_shown_to_another_member_or_the_backbone(
    client, cw, make_user, bearer
):
    """B does not share. The backbone reads A's group hours by name (A shares) and B's only
    inside the coalition's total, never as a row of B's own (B: projected 3,600 × 10/115 =
    313.043, actual 300 × 10/115 = 26.087). A reads B's hours only as "other members", which
    it learns anyway as the total minus its own (procure.coalitions.progress)."""
    assert _set(client, cw).status_code == 201
    _deliver(client, cw, bearer(make_user("buyer", organization=cw["organizations"]["member_b"])))
    b_name = cw["organizations"]["member_b"].name
    rows = _progress(client, cw, "coordinator")["contributions"]
    assert b_name not in [row["member"] for row in rows]
    for row in rows:
        assert row["projected"] != pytest.approx(3600 * 10 / 115), row
        assert row["actual"] != pytest.approx(300 * 10 / 115), row
    rows = _progress(client, cw, "executive_a")["contributions"]
    assert [row["member"] for row in rows] == [
        cw["organizations"]["member_a"].name,
        "Other members",
    ]
    assert rows[1]["projected"] == pytest.approx(PROJECTED - rows[0]["projected"])


def test_group_targets_read_the_disclosures_once_a_request(client, cw, make_user, bearer):
    """The groups' disclosures are read at once for all targets, members and months: as many
    SQL statements for three group targets as for one."""
    from tests.app.test_coalitions import _statements

    _deliver(client, cw, bearer(make_user("buyer", organization=cw["organizations"]["member_b"])))
    url = f"/api/v1/coalitions/{cw['ids']['coalition']}/progress"
    headers = cw["headers"]["coordinator"]
    assert _set(client, cw).status_code == 201

    def read() -> None:
        assert client.get(url, headers=headers).status_code == 200

    one = _statements(read)
    for group in ("youth_neet", "disability"):
        assert _set(client, cw, beneficiary_group=group).status_code == 201
    assert _statements(read) == one


def test_the_delivered_group_hours_reuse_the_group_shares_the_plans_read(
    client, cw, make_user, bearer
):
    """A progress request reads the group shares of the disclosures the plans scored once: the
    delivered hours (adapter.delivered) take them from what the plans' lines read, not from a
    second read of the same figures (the months delivered fall under those same disclosures);
    the refugee hours stay the hand-checked ACTUAL."""
    from tests.app.test_coalitions import _sent

    _deliver(client, cw, bearer(make_user("buyer", organization=cw["organizations"]["member_b"])))
    assert _set(client, cw).status_code == 201
    shown = []
    sent = _sent(lambda: shown.append(_progress(client, cw)))
    assert shown[0]["actual"] == pytest.approx(ACTUAL)
    figure_reads = [s for s in sent if s.startswith("SELECT disclosure.id, disclosure.figures")]
    assert len(figure_reads) == 1, figure_reads
