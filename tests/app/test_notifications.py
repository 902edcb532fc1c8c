"""In-app notifications: each event tells the users whose work waits (and no one else), a user
only ever sees its own, marking read (one, all), the count in the navigation, and pages of 50.

The expected recipients are listed by hand in each test; a cross-check then asks the review queue
itself: the buyers told of a submitted disclosure are exactly the users who see it on /reviews.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from procure.accounts.models import User
from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.notifications.email_choices import receivable_kinds
from procure.notifications.models import Notification
from procure.notifications.services import mark_read, notify, unread_count
from procure.states import NotificationKind
from tests.conftest import csrf_token_from, valid_document


def _told(kind: NotificationKind, outside_role: frozenset[int] = frozenset()) -> dict:
    """The notifications of one kind, by recipient (one each, or the test fails). Each recipient's
    role receives the kind by the table the mail settings offer (RECIPIENT_ROLES), but for the
    users named in `outside_role`."""
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind)).all()
    by_user = {row.user_id: row for row in rows}
    assert len(by_user) == len(rows), "a recipient was told twice"
    for user_id in set(by_user) - outside_role:
        user = db.session.get_one(User, user_id)
        assert kind in receivable_kinds(user), f"a {user.role} is told of {kind}"
    return by_user


def _text(html: str) -> str:
    """A page's text as a reader hears it: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.fixture
def people(make_org, make_user, make_vendor):
    """Two buyer organizations and two vendors, with every role, one deactivated buyer, and the
    operator."""
    x, y = make_org("buyer", "Buyer X"), make_org("buyer", "Buyer Y")
    vendor_a, vendor_a_user = make_vendor("Vendor A")
    vendor_b, vendor_b_user = make_vendor("Vendor B")
    return {
        "vendor_a": vendor_a,
        "vendor_a_user": vendor_a_user,
        "vendor_a_colleague": make_user("vendor", organization=vendor_a_user.organization),
        "vendor_a_admin": make_user("admin", organization=vendor_a_user.organization),
        "vendor_b_user": vendor_b_user,
        "buyer_x": make_user("buyer", organization=x),
        "buyer_x2": make_user("buyer", organization=x),
        "buyer_x_gone": make_user("buyer", organization=x, active=False),
        "executive_x": make_user("executive", organization=x),
        "executive_x2": make_user("executive", organization=x),
        "admin_x": make_user("admin", organization=x),
        "buyer_y": make_user("buyer", organization=y),
        "executive_y": make_user("executive", organization=y),
        "admin_y": make_user("admin", organization=y),
        "operator": make_user("operator"),
    }


def _submitted_disclosure(client, people, bearer, year: int = 2025) -> int:
    headers = bearer(people["vendor_a_user"])
    draft = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={
            "vendor_id": people["vendor_a"].id,
            **valid_document(f"{year}-01-01", f"{year}-12-31"),
        },
    ).json
    response = client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=headers)
    assert response.status_code == 200, response.json
    return draft["id"]


# ---------------------------------------------------------------- events


def test_a_submitted_disclosure_tells_every_buyer_and_no_one_else(
    client, people, bearer, sign_in, app
):
    disclosure_id = _submitted_disclosure(client, people, bearer)
    told = _told(NotificationKind.DISCLOSURE_SUBMITTED)
    # every active buyer of every buyer organization (the deactivated one is not told); not the
    # executives, the admins, the vendors or the operator
    assert set(told) == {people["buyer_x"].id, people["buyer_x2"].id, people["buyer_y"].id}
    for notification in told.values():
        assert notification.title == (
            "Vendor A submitted its disclosure for 2025 (version 1): it waits for your review."
        )
        assert notification.link == f"/disclosures/{disclosure_id}"
        assert (notification.subject_type, notification.subject_id) == (
            "Disclosure",
            disclosure_id,
        )
        assert notification.read_at is None
    assert told[people["buyer_y"].id].organization_id == people["buyer_y"].organization_id
    # the review queue agrees: exactly the users told see the disclosure waiting on /reviews
    link = f'href="/disclosures/{disclosure_id}"'
    sees_it = set()
    for name, user in people.items():
        if name in ("vendor_a", "buyer_x_gone"):
            continue
        page = sign_in(app.test_client(), user).get("/reviews")
        if page.status_code == 200 and link in page.text:
            sees_it.add(user.id)
    assert sees_it == set(told)
    # ... and the link opens the disclosure, with its review form, for each of them
    page = sign_in(app.test_client(), people["buyer_y"]).get(f"/disclosures/{disclosure_id}")
    assert page.status_code == 200 and "/review" in page.text


def test_a_review_tells_the_vendors_users_and_admin_only(client, people, bearer):
    disclosure_id = _submitted_disclosure(client, people, bearer)
    response = client.post(
        f"/api/v1/disclosures/{disclosure_id}/review",
        headers=bearer(people["buyer_x"]),
        json={"decision": "rejected", "comment": "Payroll summary missing"},
    )
    assert response.status_code == 200, response.json
    told = _told(NotificationKind.REVIEW_DECIDED)
    # Vendor A's two vendor users and its admin, who acts as the vendor (README, "A vendor
    # organization's admin acts as its vendor"); not Vendor B, not the buyers
    assert set(told) == {
        people["vendor_a_user"].id,
        people["vendor_a_colleague"].id,
        people["vendor_a_admin"].id,
    }
    notification = told[people["vendor_a_user"].id]
    assert notification.title == "Buyer X rejected your disclosure for 2025 (version 1)."
    assert notification.link == f"/disclosures/{disclosure_id}"
    # the reviewer acted on its own "waits for your review": read; its colleague's and another
    # organization's buyer's are not
    waiting = _told(NotificationKind.DISCLOSURE_SUBMITTED)
    assert {user_id for user_id, n in waiting.items() if n.read_at is not None} == {
        people["buyer_x"].id
    }
    assert set(waiting) == {people["buyer_x"].id, people["buyer_x2"].id, people["buyer_y"].id}
    # a second buyer organization's verification is a second notification per vendor user
    client.post(
        f"/api/v1/disclosures/{disclosure_id}/review",
        headers=bearer(people["buyer_y"]),
        json={"decision": "verified"},
    )
    db.session.expire_all()
    titles = db.session.scalars(
        select(Notification.title)
        .where(Notification.user_id == people["vendor_a_colleague"].id)
        .order_by(Notification.id)
    ).all()
    assert titles == [
        "Buyer X rejected your disclosure for 2025 (version 1).",
        "Buyer Y verified your disclosure for 2025 (version 1).",
    ]


def test_a_refused_review_tells_no_one(client, people, bearer):
    disclosure_id = _submitted_disclosure(client, people, bearer)
    response = client.post(
        f"/api/v1/disclosures/{disclosure_id}/review",
        headers=bearer(people["buyer_x"]),
        json={"decision": "rejected", "comment": ""},  # a rejection needs a reason: 422
    )
    assert response.status_code == 422
    assert _told(NotificationKind.REVIEW_DECIDED) == {}


def test_a_submitted_scenario_tells_its_executives_and_a_decision_its_buyers(
    client, world, make_scenario, make_user, bearer
):
    x = world["buyer"].organization
    colleague = make_user("buyer", organization=x)
    make_user("buyer", organization=x, active=False)
    executives = [make_user("executive", organization=x) for _ in range(2)]
    make_user("admin", organization=x)
    other_executive = make_user("executive")  # of another buyer organization
    scenario = make_scenario("Plan A")
    assert scenario["status"] == "solved"
    response = client.post(f"/api/v1/scenarios/{scenario['id']}/submit", headers=world["headers"])
    assert response.status_code == 200, response.json
    told = _told(NotificationKind.SCENARIO_SUBMITTED)
    assert set(told) == {executives[0].id, executives[1].id}
    assert other_executive.id not in told
    assert told[executives[0].id].title == (
        "Buyer Person submitted the scenario “Plan A”: it waits for your decision."
    )
    assert told[executives[0].id].link == f"/scenarios/{scenario['id']}"

    response = client.post(
        f"/api/v1/scenarios/{scenario['id']}/decision",
        headers=bearer(executives[0]),
        json={"decision": "rejected", "comment": "Too dear"},
    )
    assert response.status_code == 200, response.json
    told = _told(NotificationKind.SCENARIO_DECIDED)
    # the organization's active buyers, the submitter (world's buyer) among them, once each
    assert set(told) == {world["buyer"].id, colleague.id}
    assert told[colleague.id].title == "Executive Person rejected the scenario “Plan A”."
    assert told[colleague.id].link == f"/scenarios/{scenario['id']}"
    # the deciding executive's own "waits for your decision" is read; the other's is not
    waiting = _told(NotificationKind.SCENARIO_SUBMITTED)
    assert waiting[executives[0].id].read_at is not None
    assert waiting[executives[1].id].read_at is None


def test_the_submitter_is_told_of_the_decision_even_when_no_longer_a_buyer(
    client, world, make_scenario, make_user, bearer
):
    """The submitter is a recipient in its own right (here its role changed since)."""
    x = world["buyer"].organization
    executive = make_user("executive", organization=x)
    scenario = make_scenario("Plan B")
    client.post(f"/api/v1/scenarios/{scenario['id']}/submit", headers=world["headers"])
    world["buyer"].role = "admin"
    db.session.commit()
    client.post(
        f"/api/v1/scenarios/{scenario['id']}/decision",
        headers=bearer(executive),
        json={"decision": "approved"},
    )
    told = _told(NotificationKind.SCENARIO_DECIDED, outside_role=frozenset({world["buyer"].id}))
    assert set(told) == {world["buyer"].id}


# ---------------------------------------------------------------- the service


def test_notify_adds_one_per_distinct_active_recipient_and_commits_nothing(app, people):
    buyer, gone = people["buyer_x"], people["buyer_x_gone"]
    added = notify(
        [buyer, gone, buyer, people["vendor_b_user"]],
        NotificationKind.CAMPAIGN_REQUEST,
        "Buyer X asks for your disclosure for 2025.",
        link="/vendor/disclosures",
        subject=people["vendor_a"],
    )
    assert [n.user_id for n in added] == [buyer.id, people["vendor_b_user"].id]
    assert all(n.id is not None for n in added)  # flushed
    assert (added[1].subject_type, added[1].subject_id) == ("Vendor", people["vendor_a"].id)
    assert added[1].organization_id == people["vendor_b_user"].organization_id
    db.session.rollback()  # never committed: the caller's unit of work decides
    assert db.session.scalars(select(Notification)).all() == []


def test_a_long_title_is_shortened_to_the_column(app, people):
    (added,) = notify([people["buyer_x"]], NotificationKind.INVITATION_ACCEPTED, "word " * 100)
    assert len(added.title) == 300 and added.title.endswith("…")


# ---------------------------------------------------------------- each sees its own


@pytest.fixture
def inboxes(people):
    """One notification each for buyer X, X's admin and the operator."""
    owners = ("buyer_x", "admin_x", "operator")
    ids = {}
    for owner in owners:
        (notification,) = notify(
            [people[owner]], NotificationKind.SCENARIO_DECIDED, f"For {owner} only."
        )
        ids[owner] = notification.id
    db.session.commit()
    return ids


def test_the_api_shows_each_user_its_own_only(client, people, inboxes, bearer):
    for owner, own_id in inboxes.items():
        headers = bearer(people[owner])
        listed = client.get("/api/v1/notifications", headers=headers).json
        assert [item["id"] for item in listed["items"]] == [own_id]
        assert listed["items"][0]["title"] == f"For {owner} only."
        assert (listed["total"], listed["unread"]) == (1, 1)
        for other, other_id in inboxes.items():
            if other != owner:
                response = client.post(f"/api/v1/notifications/{other_id}/read", headers=headers)
                assert response.status_code == 404, (owner, other)
    # a colleague and another organization's user have nothing
    for name in ("buyer_x2", "buyer_y", "vendor_a_user"):
        listed = client.get("/api/v1/notifications", headers=bearer(people[name])).json
        assert listed["items"] == [] and listed["total"] == 0
    db.session.expire_all()
    assert db.session.scalars(select(Notification.read_at)).all() == [None, None, None]


def test_the_page_shows_each_user_its_own_only(app, people, inboxes, sign_in):
    for owner, own_id in inboxes.items():
        client = sign_in(app.test_client(), people[owner])
        page = client.get("/notifications")
        assert page.status_code == 200
        assert f"For {owner} only." in page.text
        assert f'action="/notifications/{own_id}/read"' in page.text
        for other, other_id in inboxes.items():
            if other != owner:
                assert f"For {other} only." not in page.text
                token = csrf_token_from(page.text)
                response = client.post(
                    f"/notifications/{other_id}/read", data={"csrf_token": token}
                )
                assert response.status_code == 404, (owner, other)
    db.session.expire_all()
    assert db.session.scalars(select(Notification.read_at)).all() == [None, None, None]


# ---------------------------------------------------------------- marking read


def test_marking_read_one_then_all_through_the_api(client, people, bearer):
    buyer = people["buyer_x"]
    first, second, third = (
        notify([buyer], NotificationKind.DISCLOSURE_SUBMITTED, f"Number {n}.")[0] for n in (1, 2, 3)
    )
    db.session.commit()
    headers = bearer(buyer)
    response = client.post(f"/api/v1/notifications/{second.id}/read", headers=headers)
    assert response.status_code == 200
    assert response.json["id"] == second.id and response.json["read_at"] is not None
    assert response.json["unread"] is False
    again = client.post(f"/api/v1/notifications/{second.id}/read", headers=headers)
    assert again.status_code == 200 and again.json["read_at"] == response.json["read_at"]
    listed = client.get("/api/v1/notifications", headers=headers).json
    assert [(i["title"], i["unread"]) for i in listed["items"]] == [
        ("Number 3.", True),  # newest first
        ("Number 2.", False),
        ("Number 1.", True),
    ]
    assert listed["unread"] == 2
    everything = client.post("/api/v1/notifications/read-all", headers=headers)
    assert everything.status_code == 200 and everything.json == {"marked_read": 2, "unread": 0}
    nothing_left = client.post("/api/v1/notifications/read-all", headers=headers)
    assert nothing_left.json == {"marked_read": 0, "unread": 0}
    db.session.expire_all()
    assert unread_count(buyer) == 0
    # one event for the single mark (not for marking it again), one for "all", none for nothing
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("notification.%")).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.target_type, e.target_id, e.actor_id) for e in events] == [
        ("notification.read", "Notification", str(second.id), buyer.id),
        ("notification.read_all", "User", str(buyer.id), buyer.id),
    ]
    assert events[1].changes["after"] == {"marked_read": 2}
    marked = {n.id: n.read_at for n in db.session.scalars(select(Notification))}
    assert marked[first.id] is not None and marked[third.id] is not None  # by "all"
    assert marked[first.id] == marked[third.id] != marked[second.id]


def test_mark_read_refuses_another_users_notification(app, people):
    (notification,) = notify([people["buyer_x"]], NotificationKind.SCENARIO_DECIDED, "Mine.")
    with pytest.raises(ValueError):
        mark_read(notification, people["admin_x"])


def test_the_page_marks_read_with_its_forms_and_the_navigation_counts(app, people, sign_in):
    buyer = people["buyer_x"]
    for n in range(3):
        notify([buyer], NotificationKind.DISCLOSURE_SUBMITTED, f"Disclosure {n} waits.")
    db.session.commit()
    client = sign_in(app.test_client(), buyer)
    home = _text(client.get("/").text)
    assert "Notifications (3 unread)" in home  # the count in text, not a colour alone
    page = client.get("/notifications")
    text = _text(page.text)
    assert "3 unread of 3" in text
    assert text.count("Unread") == 3 and "Mark all as read" in text
    first = db.session.scalars(
        select(Notification).where(Notification.user_id == buyer.id).order_by(Notification.id)
    ).first()
    assert first is not None
    token = csrf_token_from(page.text)
    # without the form's CSRF token nothing changes
    refused = client.post(f"/notifications/{first.id}/read", data={})
    assert refused.status_code == 400
    marked = client.post(f"/notifications/{first.id}/read", data={"csrf_token": token})
    assert marked.status_code == 302 and marked.headers["Location"].endswith("/notifications")
    assert "Notifications (2 unread)" in _text(client.get("/").text)
    everything = client.post(
        "/notifications/read-all", data={"csrf_token": token}, follow_redirects=True
    )
    text = _text(everything.text)
    assert "Marked 2 notifications as read." in text
    assert "0 unread of 3" in text and "Mark all as read" not in text
    assert "Notifications (" not in text  # nothing unread: no count
    assert re.search(r">\s*Notifications\s*</a>", everything.text)


def test_nobody_else_gets_the_count(app, people, inboxes, sign_in):
    client = sign_in(app.test_client(), people["buyer_x2"])
    assert "Notifications (" not in _text(client.get("/").text)


# ---------------------------------------------------------------- pages of 50


@pytest.fixture
def hundred_and_twenty(people):
    buyer = people["buyer_x"]
    for n in range(1, 121):
        notify([buyer], NotificationKind.DISCLOSURE_SUBMITTED, f"Item {n}.")
    db.session.commit()
    return buyer


def test_the_api_pages_by_50_up_to_200(client, hundred_and_twenty, bearer):
    headers = bearer(hundred_and_twenty)
    first = client.get("/api/v1/notifications", headers=headers).json
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (120, 1, 50, 3)
    assert len(first["items"]) == 50
    assert first["items"][0]["title"] == "Item 120." and first["items"][-1]["title"] == "Item 71."
    last = client.get("/api/v1/notifications?page=3", headers=headers).json
    assert len(last["items"]) == 20 and last["items"][-1]["title"] == "Item 1."  # 120 - 2 × 50
    everything = client.get("/api/v1/notifications?per_page=200", headers=headers).json
    assert len(everything["items"]) == 120 and everything["pages"] == 1
    past = client.get("/api/v1/notifications?page=4", headers=headers).json
    assert past["items"] == [] and past["total"] == 120


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=201", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=many", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=99999999999999999999", "page"),
    ],
)
def test_bad_paging_answers_422_naming_the_field(client, people, bearer, query, field):
    response = client.get(f"/api/v1/notifications?{query}", headers=bearer(people["buyer_x"]))
    assert response.status_code == 422
    assert response.json["code"] == 422 and set(response.json["errors"]) == {field}


def test_the_page_shows_50_with_a_pager(app, hundred_and_twenty, sign_in):
    client = sign_in(app.test_client(), hundred_and_twenty)
    first = client.get("/notifications")
    assert first.text.count('class="notification notification-unread"') == 50
    text = _text(first.text)
    assert "Page 1 of 3" in text and "Older →" in text and "← Newer" not in text
    assert 'href="/notifications?page=2"' in first.text
    assert "Item 120." in text and "Item 70." not in text
    middle = _text(client.get("/notifications?page=2").text)
    assert "Page 2 of 3" in middle and "← Newer" in middle and "Older →" in middle
    last = client.get("/notifications?page=3")
    assert last.text.count('class="notification notification-unread"') == 20
    assert "Older →" not in _text(last.text)
    # a page past the last shows the last; anything but a page number is refused
    assert "Page 3 of 3" in _text(client.get("/notifications?page=999").text)
    assert client.get("/notifications?page=x").status_code == 422
    # marking one read from page 2 comes back to page 2
    token = csrf_token_from(first.text)
    any_id = db.session.scalars(select(Notification.id).limit(1)).one()
    back = client.post(f"/notifications/{any_id}/read", data={"csrf_token": token, "page": "2"})
    assert back.headers["Location"].endswith("/notifications?page=2")


def test_an_empty_inbox_says_so(app, people, sign_in):
    page = sign_in(app.test_client(), people["operator"]).get("/notifications")
    assert page.status_code == 200
    assert "Nothing waits for you." in page.text and "Mark all as read" not in page.text
