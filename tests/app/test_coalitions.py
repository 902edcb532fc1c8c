"""Coalitions: a backbone's joint targets, projected progress from two members' approved plans
(golden figures), the vendor load and its flags, the membership flows and their feed and
notifications, and bad input refused naming the field with nothing saved.

The world (tests/app/coalition_world.py): target "10 jobs for impact workers in 2027" and
"40 % of spend with impact vendors in 2027"; member A's approved plan needs 12 months from
2026-07 (so 6 of them, 2027-01 to 2027-06, fall in the target's year), member B's the 12 months
of 2027.

Small cells: the world has two members, so at the default minimum of 3 contributing members
every figure across them is withheld (tests/app/test_coalition_access.py proves it). The golden
figures here run at a minimum of 2 (`cw`), where a figure of one member alone is withheld: A's
months of 2026 and B's of 2027-07 on, "Other members" when it is B alone, Beta booked by A
alone. Each such assert says so.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.coalitions.models import CoalitionMember, CoalitionPost, CoalitionTarget
from procure.extensions import db
from procure.notifications.models import Notification
from tests.app.coalition_world import build
from tests.conftest import valid_document


@pytest.fixture
def cw(app, make_org, make_user, make_vendor, bearer):
    app.config["COALITION_MIN_CELL_MEMBERS"] = 2  # see the module's docstring
    world = build(make_org, make_user, make_vendor)
    world["headers"] = {name: bearer(user) for name, user in world["users"].items()}
    return world


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_projected_progress_from_two_members_approved_plans(client, cw):
    """Jobs, 2027 (target 10):
    A, Alpha: 12,000 h × 6/12 months in 2027 = 6,000 h × share 0.5 = 3,000 impact-worker hours
    A, Beta:   6,000 h × 6/12 = 3,000 h × share 0.2 = 600
    A: (3,000 + 600) / 2,000 h per FTE-year = 1.8 jobs
    B, Alpha:  3,600 h × 12/12 × 0.5 = 1,800 / 1,800 h per FTE-year = 1.0 job
    Projected 1.8 + 1.0 = 2.8 jobs, 28 % of the target. A's draft and D's plan count nothing.
    Month by month: A gives (500 + 100) / 2,000 = 0.3 a month in 2027-01..06, B 150 / 1,800 =
    0.08333 a month all year: by the end of June 6 × 0.38333 = 2.3, of July 2.38333.

    Spend share, 2027 (target 0.4; impact vendors from score 50: Alpha 70 is, Beta 40 is not):
    A, Alpha 120,000 × 6/12 = 60,000 impact; A, Beta 30,000 × 6/12 = 15,000 not; B, Alpha 36,000
    impact → (60,000 + 36,000) / 111,000 = 0.864865. A's part 60,000 / 111,000 = 0.540541, the
    other members' (B) 36,000 / 111,000 = 0.324324.

    Withheld at a minimum of 2: from 2027-07 only B's plan adds to the jobs, so each month's
    change since June is B's alone; and the value reached (2.8, shown) minus June's (2.3)
    would be B's 0.5, so June is withheld too: months shown 2027-01..05. "Other members" would
    be B alone (and the total minus A's named 1.8 gives it), so A's named row is folded into
    it: the backbone reads one row, the two members' 2.8. Member B reads its own row (1.0) and
    A's, which A shares. The spend share is withheld whole: its spend with other vendors is A's
    alone (Beta's 15,000), so the share would carry one member's figure.
    """
    response = client.get(
        f"/api/v1/coalitions/{cw['ids']['coalition']}/progress",
        headers=cw["headers"]["coordinator"],
    )
    assert response.status_code == 200, response.json
    progress = response.json
    assert progress["members"] == 2
    assert progress["actual_status"].startswith("No deliveries recorded")
    jobs, share = progress["targets"]
    assert jobs["label"] == "10 jobs for impact workers in 2027"
    assert jobs["projected"] == pytest.approx(2.8)
    assert jobs["projected_share"] == pytest.approx(0.28)
    assert jobs["actual"] is None
    months = {row["month"]: row["projected"] for row in jobs["months"]}
    assert len(months) == 12
    assert months["2027-01-01"] == pytest.approx(0.3 + 150 / 1800)
    assert months["2027-05-01"] == pytest.approx(5 * (0.3 + 150 / 1800))
    # was 2.3, 2.3 + 0.0833 and 2.8: now withheld (B's alone by difference)
    assert months["2027-06-01"] is None and months["2027-07-01"] is None
    assert months["2027-12-01"] is None
    assert [row["suppressed"] for row in jobs["months"]] == [False] * 5 + [True] * 7
    assert jobs["suppressed"] is False and jobs["suppressed_reason"] == (
        "fewer than 2 members; not shown"
    )
    # was Member A 1.8 and Other members (B alone) 1.0: A is folded in, one row of both
    assert jobs["contributions"] == [
        {
            "member": "Other members",
            "members": 2,
            "projected": pytest.approx(2.8),
            "actual": None,
            "suppressed": False,
            "suppressed_figures": [],
        },
    ]
    # was 96,000 / 111,000, and A's 60,000 and B's 36,000 / 111,000 apart
    assert share["projected"] is None and share["suppressed_figures"] == ["projected"]
    assert [row["projected"] for row in share["contributions"]] == [None]
    # the member sees the same coalition figures, its own contribution in full and A's (shared)
    seen_by_b = client.get(
        f"/api/v1/coalitions/{cw['ids']['coalition']}/progress",
        headers=cw["headers"]["executive_b"],
    ).json
    assert [row["months"] for row in seen_by_b["targets"]] == [
        row["months"] for row in progress["targets"]
    ]
    assert [
        (row["member"], pytest.approx(row["projected"]))
        for row in seen_by_b["targets"][0]["contributions"]
    ] == [("Your organization", 1.0), ("Member A", 1.8)]
    page = client.get(f"/coalitions/{cw['ids']['coalition']}", headers=cw["headers"]["coordinator"])
    assert page.status_code == 200
    assert "2.8" in page.text and "28 % of the target" in page.text
    assert "fewer than 2 members; not shown" in page.text
    assert page.text.count('class="bar target-bar"') == 2
    assert "Cumulative jobs for impact workers (FTE)" in page.text


def test_a_member_that_leaves_counts_no_more_and_may_be_invited_again(client, cw):
    coalition = cw["ids"]["coalition"]
    left = client.post(
        f"/api/v1/coalitions/{coalition}/membership/leave", headers=cw["headers"]["executive_b"]
    )
    assert left.status_code == 200 and left.json["state"] == "left"
    jobs = client.get(
        f"/api/v1/coalitions/{coalition}/progress", headers=cw["headers"]["coordinator"]
    ).json["targets"][0]
    # was 1.8, A's alone: now withheld from the backbone
    assert jobs["projected"] is None and jobs["suppressed_figures"] == ["projected"]
    assert (
        client.get(
            f"/api/v1/coalitions/{coalition}", headers=cw["headers"]["executive_b"]
        ).status_code
        == 404
    )
    again = client.post(
        f"/api/v1/coalitions/{coalition}/members",
        headers=cw["headers"]["coordinator"],
        json={"organization_id": cw["organizations"]["member_b"].id},
    )
    assert again.status_code == 201 and again.json["state"] == "invited"
    twice = client.post(
        f"/api/v1/coalitions/{coalition}/members",
        headers=cw["headers"]["coordinator"],
        json={"organization_id": cw["organizations"]["member_b"].id},
    )
    assert twice.status_code == 409 and "organization_id" in twice.json["errors"]


def test_vendor_load_for_the_backbone_and_flags_for_the_members_who_booked(client, cw):
    """Alpha: A books 12,000 / 12 = 1,000 h a month 2026-07..2027-06, B 3,600 / 12 = 300 h a
    month in 2027. Capacity 2,000 h a month, 1,200 from 2027-01 on: 2026-07 1,000 / 2,000 =
    50 %; 2027-01 1,300 / 1,200 = 108.3 %, over; 2027-07 300 / 1,200 = 25 %. Beta: A's 6,000 /
    12 = 500 h a month, no capacity stated.

    Withheld at a minimum of 2: Alpha's 2026 months (A's alone) and 2027-07 on (B's alone), and
    all of Beta's (A's alone): the hours and the load, which is hours over a published
    capacity. The members read their own hours where flagged."""
    path = f"/api/v1/coalitions/{cw['ids']['coalition']}/vendor-load"
    load = client.get(path, headers=cw["headers"]["coordinator"]).json
    alpha, beta = load["vendors"]
    assert (alpha["vendor"], alpha["members"], alpha["over"]) == ("Alpha Annotation", 2, True)
    months = {row["month"]: row for row in alpha["months"]}
    assert len(months) == 18  # 2026-07 to 2027-12
    # were 1,000 h and 50 %, A's alone
    assert months["2026-07-01"]["booked_hours"] is None and months["2026-07-01"]["load"] is None
    assert months["2026-07-01"]["suppressed"] is True
    assert months["2027-01-01"]["booked_hours"] == pytest.approx(1300)
    assert months["2027-01-01"]["capacity"] == 1200
    assert months["2027-01-01"]["load"] == pytest.approx(1300 / 1200)
    assert months["2027-01-01"]["over"] is True
    # was 25 %, B's alone
    assert months["2027-07-01"]["load"] is None and not months["2027-07-01"]["over"]
    assert (beta["vendor"], beta["members"], beta["over"]) == ("Beta BPO", 1, False)
    assert beta["months"][0]["capacity"] is None and beta["months"][0]["load"] is None
    assert [m["booked_hours"] for m in beta["months"]] == [None] * 12  # were 500 h, A's
    assert load["flags"] == []
    for member, own in (("executive_a", 1000), ("executive_b", 300)):
        seen = client.get(path, headers=cw["headers"][member]).json
        assert seen["vendors"] == []  # never the table: who books what, how much
        (flag,) = seen["flags"]
        assert flag["vendor"] == "Alpha Annotation"
        assert [m["month"] for m in flag["months"]] == [f"2027-0{n}-01" for n in range(1, 7)]
        assert flag["months"][0]["load"] == pytest.approx(1300 / 1200)  # two members book it
        assert flag["months"][0]["own_hours"] == pytest.approx(own)
    page = client.get(f"/coalitions/{cw['ids']['coalition']}", headers=cw["headers"]["buyer_a"])
    assert "Vendors of your plans booked beyond their capacity" in page.text
    assert "Alpha Annotation, over capacity in 2027-01 (your 1,000 hours; all members 108 %" in (
        page.text
    )
    assert "Beta BPO" not in page.text


def test_membership_flows_post_to_the_feed_and_notify(client, cw):
    coalition = cw["ids"]["coalition"]
    users, headers = cw["users"], cw["headers"]
    invited_told = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == users["invited"].id)
    ).all()
    assert invited_told == ["coalition_invitation"]
    # the invited organization reads the charter and targets, not the members' figures
    detail = client.get(f"/api/v1/coalitions/{coalition}", headers=headers["invited"]).json
    assert detail["membership"]["state"] == "invited" and detail["members"] == []
    assert [t["label"] for t in detail["targets"]] == [
        "10 jobs for impact workers in 2027",
        "40 % of spend with impact vendors in 2027",
    ]
    for path in ("progress", "vendor-load", "posts"):
        assert (
            client.get(f"/api/v1/coalitions/{coalition}/{path}", headers=headers["invited"])
        ).status_code == 404
    last_notice = db.session.scalar(select(func.max(Notification.id)))
    accepted = client.post(
        f"/api/v1/coalitions/{coalition}/membership/accept", headers=headers["invited"]
    )
    assert accepted.status_code == 200 and accepted.json["state"] == "active"
    again = client.post(
        f"/api/v1/coalitions/{coalition}/membership/accept", headers=headers["invited"]
    )
    assert again.status_code == 409
    feed = client.get(f"/api/v1/coalitions/{coalition}/posts", headers=headers["buyer_a"]).json
    assert [(post["kind"], post["text"]) for post in feed[:2]] == [
        ("member_joined", "Organization C joined the coalition."),
        ("member_joined", "Member B joined the coalition."),
    ]
    assert {post["kind"] for post in feed} == {"member_joined", "target_set"}
    # the backbone's coordinator and admin are told of the answer; A, B and C's buyer side of
    # the post
    told = db.session.scalars(select(Notification).where(Notification.id > last_notice)).all()
    kinds = {(n.user_id, n.kind) for n in told}
    assert (users["coordinator"].id, "coalition_answer") in kinds
    assert (users["backbone_admin"].id, "coalition_answer") in kinds
    for reader in ("buyer_a", "executive_a", "admin_a", "executive_b", "invited"):
        assert (users[reader].id, "coalition_post") in kinds
    announced = client.post(
        f"/api/v1/coalitions/{coalition}/posts",
        headers=headers["coordinator"],
        json={"text": "Quarterly call on 3 March."},
    )
    assert announced.status_code == 201 and announced.json["kind"] == "announcement"
    changed = client.patch(
        f"/api/v1/coalitions/{coalition}/targets/{cw['ids']['target']}",
        headers=headers["coordinator"],
        json={
            "measure": "impact_worker_jobs",
            "value": 12,
            "label": "12 jobs for impact workers in 2027",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "version": 1,
        },
    )
    assert changed.status_code == 200 and changed.json["version"] == 2
    newest = client.get(f"/api/v1/coalitions/{coalition}/posts", headers=headers["executive_b"])
    assert [post["kind"] for post in newest.json[:2]] == ["target_changed", "announcement"]
    assert "was 10 jobs for impact workers in 2027" in newest.json[0]["text"]
    stale = client.patch(
        f"/api/v1/coalitions/{coalition}/targets/{cw['ids']['target']}",
        headers=headers["coordinator"],
        json={
            "measure": "impact_worker_jobs",
            "value": 13,
            "label": "13",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "version": 1,
        },
    )
    assert stale.status_code == 409
    # sharing: B opts in and is named; out again and it is folded
    shared = client.put(
        f"/api/v1/coalitions/{coalition}/membership/sharing",
        headers=headers["executive_b"],
        json={"shares_contribution": True},
    )
    assert shared.status_code == 200 and shared.json["shares_contribution"] is True
    named = client.get(
        f"/api/v1/coalitions/{coalition}/progress", headers=headers["coordinator"]
    ).json["targets"][0]["contributions"]
    assert [row["member"] for row in named] == ["Member A", "Member B", "Other members"]
    declined_by = client.post(
        f"/api/v1/coalitions/{coalition}/membership/decline", headers=headers["executive_b"]
    )
    assert declined_by.status_code == 409  # a member does not decline: it leaves


def test_a_buyer_organization_answers_through_its_executives_and_admin_only(client, cw):
    coalition = cw["ids"]["coalition"]
    refused = client.post(
        f"/api/v1/coalitions/{coalition}/membership/leave", headers=cw["headers"]["buyer_a"]
    )
    assert refused.status_code == 403
    declined = client.post(
        f"/api/v1/coalitions/{coalition}/membership/decline", headers=cw["headers"]["invited"]
    )
    assert declined.status_code == 200 and declined.json["state"] == "declined"
    assert (
        client.get(f"/api/v1/coalitions/{coalition}", headers=cw["headers"]["invited"]).status_code
        == 404
    )
    membership = db.session.scalars(
        select(CoalitionMember).where(
            CoalitionMember.organization_id == cw["organizations"]["invited"].id
        )
    ).one()
    assert membership.declined_at is not None and membership.answered_by_id == (
        cw["users"]["invited"].id
    )


TARGET = {
    "measure": "impact_worker_hours",
    "value": 5000,
    "label": "5,000 impact-worker hours in 2027",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"measure": "refugee_hours"}, "measure"),  # an unknown measure
        ({"measure": "impact_spend_share", "value": 1.2}, "value"),  # a share above 1
        ({"value": 0}, "value"),
        ({"period_start": "2025-12-01"}, "period_start"),  # before the coalition's period
        ({"period_end": "2029-01-31"}, "period_end"),  # after it
        ({"period_end": "2026-12-31"}, "period_end"),  # before its own start
    ],
)
def test_a_bad_target_is_refused_naming_the_field_and_nothing_is_saved(client, cw, changes, field):
    counts = (_count(CoalitionTarget), _count(CoalitionPost), _count(AuditEvent))
    response = client.post(
        f"/api/v1/coalitions/{cw['ids']['coalition']}/targets",
        headers=cw["headers"]["coordinator"],
        json={**TARGET, **changes},
    )
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == [field]
    db.session.expire_all()
    assert (_count(CoalitionTarget), _count(CoalitionPost), _count(AuditEvent)) == counts
    page = client.post(
        f"/coalitions/{cw['ids']['coalition']}/targets/new",
        headers=cw["headers"]["coordinator"],
        data={**TARGET, **changes},
    )
    assert page.status_code == 422 and f'id="{field}-error"' in page.text
    assert (_count(CoalitionTarget), _count(CoalitionPost), _count(AuditEvent)) == counts


def test_the_page_names_an_unknown_measure_s_choices_by_their_labels(client, cw):
    """The target form's select shows the measures' labels: a measure it does not know is
    refused with those labels, not the internal keys the API names."""
    path = f"/coalitions/{cw['ids']['coalition']}/targets"
    target = cw["targets"]["jobs"]
    for page_path, version in ((f"{path}/new", {}), (f"{path}/{target.id}/edit", {"version": 1})):
        data = {**TARGET, "measure": "refugee_hours", **version}
        page = client.post(page_path, headers=cw["headers"]["coordinator"], data=data)
        assert page.status_code == 422
        assert (
            "Choose one of the measures: jobs for impact workers (FTE); impact-worker hours; "
            "share of spend with impact vendors; impact-worker hours of one beneficiary group."
        ) in page.text
        assert "impact_worker_jobs, " not in page.text and "Must be one of" not in page.text
    api = client.post(
        f"/api/v1{path}", headers=cw["headers"]["coordinator"], json={**TARGET, "measure": "x"}
    )
    assert api.status_code == 422 and "impact_worker_jobs" in api.json["errors"]["measure"][0]


def test_inviting_anything_but_a_buyer_organization_is_refused(client, cw, make_org):
    vendor_organization = cw["vendors"]["alpha"].organization_id
    for organization_id in (
        vendor_organization,
        cw["organizations"]["backbone"].id,
        make_org("assurance").id,
        999999,
    ):
        counts = (_count(CoalitionMember), _count(Notification), _count(AuditEvent))
        response = client.post(
            f"/api/v1/coalitions/{cw['ids']['coalition']}/members",
            headers=cw["headers"]["coordinator"],
            json={"organization_id": organization_id},
        )
        assert response.status_code == 422
        assert response.json["errors"] == {
            "organization_id": [f"No buyer organization with id {organization_id}."]
        }
        assert (_count(CoalitionMember), _count(Notification), _count(AuditEvent)) == counts


def test_the_pages_invite_and_announce_forms_show_their_errors_beside_the_fields(client, cw):
    """A refused invitation or announcement from the coalition's page answers 422 with the page
    and the reason beside the form (it was a flash message on a redirect), and keeps what was
    typed; nothing is saved."""
    headers, coalition_id = cw["headers"]["coordinator"], cw["ids"]["coalition"]
    counts = (_count(CoalitionMember), _count(Notification), _count(AuditEvent))
    vendor_organization = cw["vendors"]["alpha"].organization_id
    invited = client.post(
        f"/coalitions/{coalition_id}/members",
        headers=headers,
        data={"organization_id": str(vendor_organization)},
    )
    assert invited.status_code == 422
    assert (
        f"The invitation was not sent: No buyer organization with id {vendor_organization}."
        in invited.text
    )
    too_long = "Our members met. " * 250  # 4,250 characters: at most 4,000
    announced = client.post(
        f"/coalitions/{coalition_id}/posts", headers=headers, data={"text": too_long}
    )
    assert announced.status_code == 422
    assert 'id="text-error"' in announced.text and 'aria-invalid="true"' in announced.text
    assert "Write the announcement in 1 to 4,000 characters." in announced.text
    typed = client.post(
        f"/coalitions/{coalition_id}/members", headers=headers, data={"organization_id": "abc"}
    )
    assert typed.status_code == 422
    assert "The invitation was not sent: Choose a buyer organization from the search." in (
        typed.text
    )
    assert too_long.strip() in announced.text  # what was typed is still in the box
    assert (_count(CoalitionMember), _count(Notification), _count(AuditEvent)) == counts
    posted = client.post(
        f"/coalitions/{coalition_id}/posts", headers=headers, data={"text": "We met."}
    )
    assert posted.status_code == 302


def test_a_coalition_is_made_and_its_charter_edited_through_the_pages(client, cw):
    headers = cw["headers"]["coordinator"]
    bad = client.post(
        "/coalitions/new",
        headers=headers,
        data={"name": "Second", "charter": "x", "period_start": "2027-01-01", "period_end": ""},
    )
    assert bad.status_code == 422 and 'id="period_end-error"' in bad.text
    made = client.post(
        "/coalitions/new",
        headers=headers,
        data={
            "name": "Second coalition",
            "charter": "Act together.",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "impact_vendor_min_score": "60",
        },
    )
    assert made.status_code == 302
    listed = client.get("/api/v1/coalitions", headers=headers).json
    assert [c["name"] for c in listed] == ["Second coalition", "Buyers for Impact 2027"]
    # the period must keep holding the targets
    narrowed = client.patch(
        f"/api/v1/coalitions/{cw['ids']['coalition']}",
        headers=headers,
        json={
            "name": "Buyers for Impact 2027",
            "charter": "Buy from impact vendors together.",
            "period_start": "2027-06-01",
            "period_end": "2028-12-31",
            "version": 1,
        },
    )
    assert narrowed.status_code == 422 and "period_start" in narrowed.json["errors"]


def test_the_operator_creates_a_backbone_whose_admin_coordinates(client, make_user, bearer):
    operator = make_user("operator")
    created = client.post(
        "/api/v1/organizations",
        headers=bearer(operator),
        json={
            "name": "Coalition Secretariat",
            "kind": "backbone",
            "admin_email": "secretariat@example.test",
            "admin_name": "Sam Secretariat",
            "admin_password": "a long unusual passphrase 73",
        },
    )
    assert created.status_code == 201, created.json
    from procure.accounts.models import User

    admin = db.session.scalars(select(User).where(User.email == "secretariat@example.test")).one()
    headers = bearer(admin, "a long unusual passphrase 73")
    made = client.post(
        "/api/v1/coalitions",
        headers=headers,
        json={
            "name": "Run by an admin",
            "charter": "Together.",
            "period_start": "2027-01-01",
            "period_end": date(2027, 12, 31).isoformat(),
        },
    )
    assert made.status_code == 201 and made.json["impact_vendor_min_score"] == 50
    added = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "organization_id": admin.organization_id,
            "email": "coordinator@example.test",
            "name": "Cora Coordinator",
            "role": "coordinator",
            "password": "a long unusual passphrase 74",
        },
    )
    assert added.status_code == 201, added.json
    home = client.get("/", headers=headers)
    assert home.status_code == 200 and "Coalitions" in home.text
    coordinator = db.session.scalars(
        select(User).where(User.email == "coordinator@example.test")
    ).one()
    assert coordinator.reads_as == "coordinator"
    page = client.get("/", headers=bearer(coordinator, "a long unusual passphrase 74"))
    assert page.status_code == 200 and "runs coalitions of buyers" in page.text


def test_deliveries_turn_projected_into_actual_progress(client, cw, make_user, bearer):
    """Actual, 2027, from deliveries the members record (procure.deliveries). Alpha submitted a
    2027 disclosure: 55 impact workers of 115 at the end (share 55/115 = 0.478261); Beta has
    disclosed nothing, so its delivered hours carry no impact-worker hours.

    A records: Alpha 2026-12 800 h (before the target year: left out), Alpha 2027-01 1,000 h
    invoiced 10,000 USD, Beta 2027-01 500 h invoiced 2,500 USD. B records Alpha 2027-01 300 h,
    3,000 USD.
    Withheld at a minimum of 2: the spend share's "other members" would be B's alone (A shares
    its own), so A's row is folded in; and for the share, only A has spend with other vendors
    (Beta's 2,500), so the coalition's actual share is withheld (its denominator would carry
    A's other spend alone), and so is "other members"' actual share.
    Jobs: A: 1,000 × 55/115 = 478.2609 h / 2,000 h per FTE-year = 0.239130 (+ Beta 0);
          B: 300 × 55/115 = 143.4783 h / 1,800 = 0.079710. Actual 0.318841 jobs.
    Spend share: with impact vendors (Alpha, score 70 ≥ 50) 10,000 + 3,000 = 13,000 of
    10,000 + 2,500 + 3,000 = 15,500 → 0.838710; A's part 10,000 / 15,500, B's 3,000 / 15,500.
    """
    alpha = cw["vendors"]["alpha"]
    document = valid_document("2027-01-01", "2027-12-31")
    vendor_headers = cw["headers"]["vendor"]
    created = client.post(
        "/api/v1/disclosures", headers=vendor_headers, json={"vendor_id": alpha.id, **document}
    )
    assert created.status_code == 201, created.json
    submitted = client.post(
        f"/api/v1/disclosures/{created.json['id']}/submit", headers=vendor_headers
    )
    assert submitted.status_code == 200, submitted.json
    buyer_b = bearer(make_user("buyer", organization=cw["organizations"]["member_b"]))
    plans = cw["plans"]
    rows = [
        (cw["headers"]["buyer_a"], plans["a"], alpha.id, "2026-12", 800, 8000),
        (cw["headers"]["buyer_a"], plans["a"], alpha.id, "2027-01", 1000, 10000),
        (cw["headers"]["buyer_a"], plans["a"], cw["vendors"]["beta"].id, "2027-01", 500, 2500),
        (buyer_b, plans["b"], alpha.id, "2027-01", 300, 3000),
    ]
    for headers, plan, vendor_id, month, volume, amount in rows:
        recorded = client.post(
            f"/api/v1/scenarios/{plan.id}/deliveries",
            headers=headers,
            json={
                "vendor_id": vendor_id,
                "month": month,
                "delivered_volume": volume,
                "invoiced_amount": amount,
            },
        )
        assert recorded.status_code == 201, recorded.json
    progress = client.get(
        f"/api/v1/coalitions/{cw['ids']['coalition']}/progress",
        headers=cw["headers"]["coordinator"],
    ).json
    assert progress["actual_status"] is None
    jobs, share = progress["targets"]
    a_jobs, b_jobs = 1000 * 55 / 115 / 2000, 300 * 55 / 115 / 1800
    assert jobs["actual"] == pytest.approx(a_jobs + b_jobs)
    assert jobs["projected"] == pytest.approx(2.8)  # the plans still project what they did
    # were A's and B's apart: folded into one row
    assert [row["actual"] for row in jobs["contributions"]] == [pytest.approx(a_jobs + b_jobs)]
    # was 13,000 / 15,500: the other spend (2,500) is A's alone
    assert share["actual"] is None
    assert share["suppressed_figures"] == ["projected", "actual"]
    assert [row["actual"] for row in share["contributions"]] == [None]
    # the other member reads the same sums, its own in full, and nothing per delivery
    seen_by_b = client.get(
        f"/api/v1/coalitions/{cw['ids']['coalition']}/progress",
        headers=cw["headers"]["executive_b"],
    ).json
    assert seen_by_b["targets"][0]["actual"] == pytest.approx(a_jobs + b_jobs)
    assert [
        (row["member"], pytest.approx(row["actual"]))
        for row in seen_by_b["targets"][0]["contributions"]
    ] == [("Your organization", b_jobs), ("Member A", a_jobs)]
    assert seen_by_b["targets"][1]["actual"] is None
    # both members' disclosed shares are picked in one read, not one per member
    page = f"/coalitions/{cw['ids']['coalition']}"
    sent = _sent(lambda: client.get(page, headers=cw["headers"]["coordinator"]))
    assert len([sql for sql in sent if "row_number" in sql.lower()]) == 1


# ---------------------------------------------------------------- loading once


def test_a_page_load_and_a_report_read_the_approved_plans_once(client, cw, monkeypatch):
    """The progress and the vendor load are computed from one load of the members' approved
    scenarios (`services.figures`): the page and the report read them once, not per view."""
    from procure.coalitions import adapter, services
    from procure.coalitions.report import report_context

    calls = []
    approved = adapter.approved

    def counted(members):
        calls.append(len(members))
        return approved(members)

    monkeypatch.setattr(adapter, "approved", counted)
    coalition_id = cw["ids"]["coalition"]
    for who in ("coordinator", "buyer_a"):
        calls.clear()
        page = client.get(f"/coalitions/{coalition_id}", headers=cw["headers"][who])
        assert page.status_code == 200
        assert "10 jobs for impact workers in 2027" in page.text
        assert calls == [2], who
    calls.clear()
    invited = client.get(f"/coalitions/{coalition_id}", headers=cw["headers"]["invited"])
    assert invited.status_code == 200 and calls == []  # an invited organization reads no figures
    for who in ("coordinator", "executive_b"):
        calls.clear()
        user = cw["users"][who]
        seen_by = services.reader(cw["coalition"], user)
        context = report_context(cw["coalition"], seen_by, user.organization.name)
        assert context["active_members"] == 2 and len(context["targets"]) == 2
        assert calls == [2], who
    # given the figures, the views load nothing again, and read what they read without them
    loaded = services.figures(cw["coalition"])
    calls.clear()
    backbone = services.reader(cw["coalition"], cw["users"]["coordinator"])
    assert services.progress_view(cw["coalition"], backbone, loaded) == services.progress_view(
        cw["coalition"], backbone
    )
    assert services.vendor_load_view(
        cw["coalition"], backbone, loaded
    ) == services.vendor_load_view(cw["coalition"], backbone)
    assert calls == [2, 2]  # only the two calls without figures


def _statements(run) -> int:
    """How many SQL statements `run()` sends."""
    return len(_sent(run))


def _sent(run) -> list[str]:
    """The SQL statements `run()` sends, in order."""
    from sqlalchemy import event

    sent = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sent


def test_the_coalition_list_reads_memberships_and_backbones_at_once(
    client, cw, make_org, make_user, monkeypatch
):
    """The list (page and API) reads the viewer's memberships in one query and every
    coalition's backbone in one: as many statements for three coalitions (two backbones) as
    for one."""
    from procure.coalitions import services

    def per_coalition(*args):
        raise AssertionError("the list reads memberships one coalition at a time")

    page_headers, api_headers = cw["headers"]["buyer_a"], cw["headers"]["executive_a"]

    def page():
        listed = client.get("/coalitions", headers=page_headers)
        assert listed.status_code == 200
        return listed.text

    def api():
        listed = client.get("/api/v1/coalitions", headers=api_headers)
        assert listed.status_code == 200
        return listed.json

    page(), api()  # warm up
    one_page, one_api = _statements(page), _statements(api)
    fields = {
        "charter": "Buy together.",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "impact_vendor_min_score": 50,
    }
    member_a = cw["organizations"]["member_a"]
    other = make_org("backbone", "Second Secretariat")
    coordinators = [cw["users"]["coordinator"], make_user("coordinator", organization=other)]
    for name, coordinator in zip(("Second", "Third"), coordinators, strict=True):
        made = services.create_coalition(coordinator, {**fields, "name": name})
        services.invite_member(made, coordinator, member_a.id)
    db.session.commit()
    monkeypatch.setattr(services, "open_membership", per_coalition)
    text = page()
    assert "Second Secretariat" in text and text.count("answer on its page") == 2
    assert ">member</span>" in text
    assert [row["backbone"] for row in api()] == [
        "Second Secretariat",
        "Impact Sourcing Coalition Secretariat",
        "Impact Sourcing Coalition Secretariat",
    ]
    assert _statements(page) == one_page
    assert _statements(api) == one_api
