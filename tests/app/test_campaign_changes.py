"""A campaign run to the end (issue 16): its buyers edit its title, message and deadline (on the
version they loaded) and close and reopen it; its buyers ask more vendors later, checked and told
as at its start; a vendor asked by several campaigns gets at most one reminder a day, naming
every campaign due; the vendors to ask are found by searching their names (never the whole
directory listed) or pasted by name. Another buyer organization's buyers and admin change
nothing of it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update

from procure.accounts.models import Organization
from procure.accounts.names import name_key
from procure.audit.models import AuditEvent
from procure.audit.services import SYSTEM
from procure.campaigns import progress, reminders
from procure.campaigns.models import Campaign, CampaignRequest, VendorReminderDay
from procure.extensions import db
from procure.invitations.models import Invitation
from procure.notifications.models import Notification
from procure.states import NotificationKind
from procure.transactions import command
from procure.vendors.models import Vendor
from tests.app.test_concurrency import Tally, edit_rounds, race
from tests.conftest import csrf_token_from

YEAR = 2025


def _today() -> date:
    return progress.today_utc()


def _count(model, *where) -> int:
    db.session.commit()  # a fresh snapshot
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _reminders(user) -> list[str]:
    """The titles of the user's reminders, oldest first."""
    db.session.commit()
    return list(
        db.session.scalars(
            select(Notification.title)
            .where(
                Notification.user_id == user.id,
                Notification.kind == NotificationKind.CAMPAIGN_REMINDER,
            )
            .order_by(Notification.id)
        )
    )


def _events(action: str) -> list[AuditEvent]:
    db.session.commit()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def _start(client, headers, vendor_ids=(), emails=(), days=14, **extra) -> dict:
    response = client.post(
        "/api/v1/campaigns",
        headers=headers,
        json={
            "year": YEAR,
            "deadline": str(_today() + timedelta(days=days)),
            "vendor_ids": list(vendor_ids),
            "emails": list(emails),
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return response.json


def _request(campaign_id: int, vendor) -> CampaignRequest:
    db.session.commit()
    return db.session.scalars(
        select(CampaignRequest).where(
            CampaignRequest.campaign_id == campaign_id, CampaignRequest.vendor_id == vendor.id
        )
    ).one()


@pytest.fixture
def started(client, make_user, make_vendor, bearer):
    """Buyer X's campaign for 2025, due in 14 days, asking Alpha; Beta is on the platform."""
    alpha, alpha_user = make_vendor("Alpha Annotation")
    beta, beta_user = make_vendor("Beta BPO")
    buyer = make_user("buyer")
    headers = bearer(buyer)
    campaign = _start(client, headers, [alpha.id], message="Please share your figures.")
    return {
        "campaign": campaign,
        "id": campaign["id"],
        "buyer": buyer,
        "headers": headers,
        "alpha": (alpha, alpha_user),
        "beta": (beta, beta_user),
    }


def _snapshot(campaign_id: int) -> tuple:
    """What a refused change must leave as it was."""
    db.session.commit()
    campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
    return (
        campaign.title,
        campaign.message,
        campaign.deadline,
        campaign.closed_at,
        campaign.version,
        _count(CampaignRequest, CampaignRequest.campaign_id == campaign_id),
        _count(CampaignRequest, CampaignRequest.reminders > 0),
        _count(Invitation),
        _count(Notification),
        _count(AuditEvent, AuditEvent.action.startswith("campaign.")),
    )


# ---------------------------------------------------------------- editing


def test_a_buyer_edits_the_title_message_and_deadline_on_the_version_it_loaded(
    client, started, bearer
):
    campaign_id, headers = started["id"], started["headers"]
    assert started["campaign"]["version"] == 1
    new_deadline = _today() + timedelta(days=30)
    edited = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        headers=headers,
        json={
            "title": "Annual impact disclosure",
            "message": "  ",
            "deadline": str(new_deadline),
            "version": 1,
        },
    )
    assert edited.status_code == 200, edited.text
    body = edited.json
    assert (body["title"], body["message"], body["deadline"], body["version"]) == (
        "Annual impact disclosure",
        None,  # a blank message is no message
        str(new_deadline),
        2,
    )
    [event] = _events("campaign.update")
    assert event.actor_id == started["buyer"].id
    assert event.changes["before"]["title"] == "Impact disclosure 2025"
    assert event.changes["after"]["deadline"] == str(new_deadline)
    # the vendor asked sees the new deadline on its request
    listed = client.get("/api/v1/campaign-requests", headers=bearer(started["alpha"][1])).json
    assert [r["deadline"] for r in listed] == [str(new_deadline)]

    # and is told: one notification to each user of each vendor organization asked
    def moved() -> list[tuple[int, str]]:
        return [
            (n.user_id, n.title)
            for n in db.session.scalars(select(Notification).order_by(Notification.id))
            if "moved the deadline" in n.title
        ]

    alpha_user = started["alpha"][1]
    told = moved()
    assert (
        alpha_user.id,
        (
            f"{started['buyer'].organization.name} moved the deadline for your disclosure for 2025 "
            f"to {new_deadline:%d %b %Y} (it was {_today() + timedelta(days=14):%d %b %Y})."
        ),
    ) in told, told
    assert len(told) == len({user_id for user_id, _ in told})  # once per user
    # an edit based on version 1 is stale now: 409 naming the version, nothing changed
    before = _snapshot(campaign_id)
    stale = client.patch(
        f"/api/v1/campaigns/{campaign_id}", headers=headers, json={"title": "Late", "version": 1}
    )
    assert stale.status_code == 409 and "version" in stale.json["errors"], stale.json
    assert _snapshot(campaign_id) == before
    # a blank title is the default title again
    again = client.patch(
        f"/api/v1/campaigns/{campaign_id}", headers=headers, json={"title": "", "version": 2}
    )
    assert again.json["title"] == "Impact disclosure 2025" and again.json["version"] == 3
    assert moved() == told  # a title alone tells nobody


def test_parallel_edits_of_a_campaign_one_wins(app, started, record_property):
    """Three buyers' edits sent on the same version, in three rounds (held: all read before any
    writes; then sent at once): one wins, the others answer 409 naming the version."""
    campaign_id = started["id"]
    tally = Tally("campaign edits")
    edit_rounds(
        app,
        tally,
        url=f"/api/v1/campaigns/{campaign_id}",
        headers=started["headers"],
        hold=Campaign,
        payloads=lambda r, i: {"title": f"Round {r} by racer {i}"},
        stored=lambda: db.session.get(Campaign, campaign_id, populate_existing=True).title,
        expected=lambda body: body["title"],
        action="campaign.update",
        record_id=campaign_id,
    )
    tally.assert_clean(record_property)


def test_a_deadline_past_the_year_2999_is_refused_naming_it(client, started, make_user, bearer):
    """A deadline in 9999 was accepted, and the scheduled reminders then overflowed counting the
    weeks after it: refused on an edit and on a new campaign, naming the deadline."""
    campaign_id, headers = started["id"], started["headers"]
    before = _snapshot(campaign_id)
    refused = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        headers=headers,
        json={"deadline": "9999-12-31", "version": 1},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json["errors"] == {"deadline": ["Choose a day of the years 1900 to 2999."]}
    assert _snapshot(campaign_id) == before
    new = client.post(
        "/api/v1/campaigns",
        headers=headers,
        json={"year": YEAR, "deadline": "3000-01-01", "vendor_ids": [started["alpha"][0].id]},
    )
    assert new.status_code == 422 and list(new.json["errors"]) == ["deadline"], new.text


def test_a_deadline_in_the_past_is_refused_naming_it_but_an_unchanged_one_may_have_passed(
    client, started
):
    campaign_id, headers = started["id"], started["headers"]
    before = _snapshot(campaign_id)
    yesterday = str(_today() - timedelta(days=1))
    refused = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        headers=headers,
        json={"deadline": yesterday, "title": "Changed too", "version": 1},
    )
    assert refused.status_code == 422, refused.text
    assert "has passed" in refused.json["errors"]["deadline"][0]
    assert _snapshot(campaign_id) == before  # the title did not change either
    # a campaign whose deadline passed keeps it through an edit of its title
    campaign = db.session.get(Campaign, campaign_id)
    campaign.deadline = _today() - timedelta(days=3)
    db.session.commit()
    kept = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        headers=headers,
        json={"deadline": str(campaign.deadline), "title": "Late but retitled", "version": 2},
    )
    assert kept.status_code == 200, kept.text
    assert kept.json["status"] == "past_deadline"


# ---------------------------------------------------------------- closing


def test_a_closed_campaign_says_who_closed_it_reminds_nobody_and_can_be_reopened(
    client, started, make_user, bearer, sign_in
):
    campaign_id, headers = started["id"], started["headers"]
    alpha_user = started["alpha"][1]
    # a second buyer of the organization closes it (buyers keep a campaign; its admin reads it)
    closer = make_user("buyer", organization=started["buyer"].organization)
    closed = client.post(f"/api/v1/campaigns/{campaign_id}/close", headers=bearer(closer))
    assert closed.status_code == 200, closed.text
    assert closed.json["status"] == "closed" and closed.json["closed_by"]["id"] == closer.id
    assert closed.json["closed_at"].startswith(str(_today()))
    [event] = _events("campaign.close")
    assert event.actor_id == closer.id
    page = sign_in(client.application.test_client(), started["buyer"]).get(
        f"/campaigns/{campaign_id}"
    )
    assert f"Closed on {_today()} by {closer.name}." in page.text
    assert "Remind the late ones" not in page.text and "Reopen the campaign" in page.text
    # no reminder, by hand (409, nothing changed) or on schedule
    before = _snapshot(campaign_id)
    by_hand = client.post(f"/api/v1/campaigns/{campaign_id}/remind", headers=headers)
    assert by_hand.status_code == 409 and "closed" in by_hand.json["message"]
    for refused in (
        client.post(f"/api/v1/campaigns/{campaign_id}/close", headers=headers),
        client.patch(
            f"/api/v1/campaigns/{campaign_id}", headers=headers, json={"title": "x", "version": 2}
        ),
        client.post(
            f"/api/v1/campaigns/{campaign_id}/vendors",
            headers=headers,
            json={"vendor_ids": [started["beta"][0].id]},
        ),
    ):
        assert refused.status_code == 409, refused.text
    assert _snapshot(campaign_id) == before
    deadline = db.session.get(Campaign, campaign_id).deadline
    assert _scheduled(deadline - timedelta(days=7)) == 0
    assert _reminders(alpha_user) == []
    # the vendor sees the request closed, and is no longer asked to start a disclosure
    home = sign_in(client.application.test_client(), alpha_user).get("/").text
    assert "closed by the buyer" in home and "Start your 2025 disclosure" not in home
    # reopened, the reminders resume
    reopened = client.post(f"/api/v1/campaigns/{campaign_id}/reopen", headers=headers)
    assert reopened.status_code == 200 and reopened.json["status"] == "open"
    assert reopened.json["closed_at"] is None and reopened.json["closed_by"] is None
    assert [e.actor_id for e in _events("campaign.reopen")] == [started["buyer"].id]
    again = client.post(f"/api/v1/campaigns/{campaign_id}/reopen", headers=headers)
    assert again.status_code == 409
    assert _scheduled(deadline - timedelta(days=7)) == 1
    assert len(_reminders(alpha_user)) == 1


def _scheduled(day: date) -> int:
    with command():
        return reminders.send_scheduled_reminders(day, SYSTEM)


# ---------------------------------------------------------------- asking more vendors


def test_more_vendors_are_asked_and_told_as_at_the_start(client, started, make_vendor):
    campaign_id, headers = started["id"], started["headers"]
    beta, beta_user = started["beta"]
    gamma, gamma_user = make_vendor("Gamma Data")
    more = client.post(
        f"/api/v1/campaigns/{campaign_id}/vendors",
        headers=headers,
        json={
            "vendor_ids": [beta.id],
            "vendor_names": ["  GAMMA data "],  # a pasted name: case and spacing do not matter
            "emails": ["Later@Vendor.example"],
        },
    )
    assert more.status_code == 200, more.text
    body = more.json
    assert body["asked"] == 4
    assert [v["name"] for v in body["vendors"]] == [
        "Alpha Annotation",
        "Beta BPO",
        "Gamma Data",
        "later@vendor.example",
    ]
    [invited] = body["invitations"]
    assert invited["email"] == "later@vendor.example" and "/invitations/" in invited["link"]
    invitation = db.session.scalars(select(Invitation)).one()
    assert "Please share your figures." in invitation.message
    # each new vendor is told exactly as the first one was
    db.session.commit()
    told = {
        user.id: list(
            db.session.scalars(
                select(Notification.title).where(
                    Notification.user_id == user.id,
                    Notification.kind == NotificationKind.CAMPAIGN_REQUEST,
                )
            )
        )
        for user in (started["alpha"][1], beta_user, gamma_user)
    }
    first = told[started["alpha"][1].id]
    assert len(first) == 1 and told[beta_user.id] == first and told[gamma_user.id] == first
    [event] = _events("campaign.ask_more")
    assert event.changes["after"] == {
        "vendor_ids": [beta.id, gamma.id],
        "invited": ["later@vendor.example"],
    }


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"vendor_ids": ["alpha"]}, "vendor_ids", "Alpha Annotation is asked by this campaign"),
        ({"vendor_names": ["alpha annotation"]}, "vendor_names", "is asked by this campaign"),
        ({"vendor_names": ["Nobody Ltd"]}, "vendor_names", "No vendor on the platform is named"),
        ({"vendor_ids": [999999]}, "vendor_ids", "No vendor with id 999999"),
        # a colleague's address (another organization's users are invited as anyone's)
        ({"emails": ["colleague"]}, "emails", "is a user of Buyer X: invite a vendor by its own"),
        ({"emails": ["asked@vendor.example"]}, "emails", "invited by this campaign already"),
        ({"emails": ["not an address"]}, "emails.0", "Enter the vendor's email address"),
        ({}, "vendor_ids", "Ask at least one vendor"),
    ],
)
def test_asking_a_vendor_twice_or_a_colleague_is_refused_naming_the_field(
    client, make_user, make_org, make_vendor, bearer, body, field, message
):
    alpha, _ = make_vendor("Alpha Annotation")
    beta, _ = make_vendor("Beta BPO")
    buyer = make_user("buyer", organization=make_org("buyer", "Buyer X"))
    headers = bearer(buyer)
    campaign = _start(client, headers, [alpha.id], emails=["asked@vendor.example"])
    if body.get("vendor_ids") == ["alpha"]:
        body = {"vendor_ids": [beta.id, alpha.id]}  # Beta would be new: nothing is asked
    if body.get("emails") == ["colleague"]:
        colleague = make_user("executive", organization=buyer.organization)
        body = {"emails": [colleague.email.upper()]}
    before = _snapshot(campaign["id"])
    refused = client.post(f"/api/v1/campaigns/{campaign['id']}/vendors", headers=headers, json=body)
    assert refused.status_code == 422, refused.text
    assert message in " ".join(refused.json["errors"][field]), refused.json
    assert _snapshot(campaign["id"]) == before


def test_no_vendor_is_asked_once_the_deadline_has_passed(client, started, make_vendor, sign_in):
    """A vendor asked by a campaign whose deadline passed would be overdue the moment it is
    asked: refused, naming the deadline, until the buyer moves it."""
    campaign_id, headers = started["id"], started["headers"]
    gamma, _ = make_vendor("Gamma Transcripts")
    campaign = db.session.get(Campaign, campaign_id)
    campaign.deadline = _today() - timedelta(days=5)
    db.session.commit()
    before = _snapshot(campaign_id)
    refused = client.post(
        f"/api/v1/campaigns/{campaign_id}/vendors",
        headers=headers,
        json={"vendor_ids": [gamma.id], "emails": ["new@vendor.example"]},
    )
    assert refused.status_code == 422, refused.text
    assert list(refused.json["errors"]) == ["deadline"]
    assert "Move the deadline (edit the campaign) first." in refused.json["errors"]["deadline"][0]
    assert _snapshot(campaign_id) == before
    pages = sign_in(client.application.test_client(), started["buyer"])
    token = csrf_token_from(pages.get(f"/campaigns/{campaign_id}/vendors").text)
    page = pages.post(
        f"/campaigns/{campaign_id}/vendors",
        data={"vendor_ids": str(gamma.id), "csrf_token": token},
    )
    assert page.status_code == 422 and "has passed" in page.text
    assert _snapshot(campaign_id) == before
    # with the deadline moved, Gamma is asked
    moved = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        headers=headers,
        json={"deadline": str(_today() + timedelta(days=7)), "version": campaign.version},
    )
    assert moved.status_code == 200, moved.text
    asked = client.post(
        f"/api/v1/campaigns/{campaign_id}/vendors", headers=headers, json={"vendor_ids": [gamma.id]}
    )
    assert asked.status_code == 200, asked.text


def test_a_vendor_that_joined_through_the_campaigns_invitation_is_asked_already(
    client, app, started
):
    campaign_id, headers = started["id"], started["headers"]
    more = client.post(
        f"/api/v1/campaigns/{campaign_id}/vendors",
        headers=headers,
        json={"emails": ["joiner@vendor.example"]},
    ).json
    path = "/invitations/" + more["invitations"][0]["link"].rsplit("/", 1)[1]
    visitor = app.test_client()
    password = "Quiet lanterns over Kakuma 2026"
    registered = visitor.post(
        path,
        data={
            "organization_name": "Joiner Works",
            "name": "Joy Ner",
            "email": "joiner@vendor.example",
            "password": password,
            "confirm_password": password,
            "csrf_token": csrf_token_from(visitor.get(path).text),
        },
    )
    assert registered.status_code == 302, registered.text
    vendor = Vendor(
        organization_id=db.session.scalars(
            select(Organization.id).where(Organization.name == "Joiner Works")
        ).one(),
        name="Joiner Works",
        country="KE",
    )
    db.session.add(vendor)
    db.session.commit()
    refused = client.post(
        f"/api/v1/campaigns/{campaign_id}/vendors",
        headers=headers,
        json={"vendor_ids": [vendor.id]},
    )
    assert refused.status_code == 422
    assert refused.json["errors"]["vendor_ids"] == [
        "Joiner Works is asked by this campaign already."
    ]


# ---------------------------------------------------------------- who may change it


def test_another_buyer_organization_changes_nothing_of_the_campaign(
    client, started, make_user, bearer, sign_in
):
    campaign_id = started["id"]
    outsider = make_user("buyer")
    outsider_admin = make_user("admin", organization=outsider.organization)
    before = _snapshot(campaign_id)
    for user in (outsider, outsider_admin):
        headers = bearer(user)
        calls = [
            ("PATCH", "", {"title": "Taken over", "version": 1}),
            ("POST", "/close", None),
            ("POST", "/reopen", None),
            ("POST", "/vendors", {"vendor_ids": [started["beta"][0].id]}),
        ]
        for method, suffix, body in calls:
            response = client.open(
                f"/api/v1/campaigns/{campaign_id}{suffix}",
                method=method,
                headers=headers,
                json=body,
            )
            expected = 403 if user is outsider_admin else 404
            assert response.status_code == expected, (user.role, method, suffix, response.text)
        pages = sign_in(client.application.test_client(), user)
        token = csrf_token_from(pages.get("/account").text)
        for path in ("/edit", "/close", "/reopen", "/vendors"):
            response = pages.post(f"/campaigns/{campaign_id}{path}", data={"csrf_token": token})
            expected = 403 if user is outsider_admin else 404
            assert response.status_code == expected, (user.role, path)
        assert pages.get(f"/campaigns/{campaign_id}/edit").status_code == (
            403 if user is outsider_admin else 404
        )
    assert _snapshot(campaign_id) == before
    # the campaign's own admin reads it but changes nothing: its buyers run campaigns
    admin = make_user("admin", organization=started["buyer"].organization)
    admin_headers = bearer(admin)
    assert client.get(f"/api/v1/campaigns/{campaign_id}", headers=admin_headers).status_code == 200
    for method, suffix, body in calls:
        response = client.open(
            f"/api/v1/campaigns/{campaign_id}{suffix}",
            method=method,
            headers=admin_headers,
            json=body,
        )
        assert response.status_code == 403, (method, suffix, response.text)
    assert _snapshot(campaign_id) == before


# ---------------------------------------------------------------- one reminder per vendor a day


@pytest.fixture
def two_buyers(client, make_user, make_vendor, bearer):
    """Two buyer organizations ask Alpha for its 2025 disclosure: X (with Beta too) by a deadline
    14 days ahead, Y by one 8 days ahead. On day `due`, 7 days ahead, both reminders fall due:
    X's 7-day one (14 - 7 = 7) and Y's 1-day one (8 - 1 = 7). Nothing is due today (Y's 7-day
    window opens tomorrow: 8 - 7 = 1)."""
    alpha, alpha_user = make_vendor("Alpha Annotation")
    beta, beta_user = make_vendor("Beta BPO")
    buyer_x, buyer_y = make_user("buyer"), make_user("buyer")
    x = _start(client, bearer(buyer_x), [alpha.id, beta.id], days=14)
    y = _start(client, bearer(buyer_y), [alpha.id], days=8)
    return {
        "x": db.session.get(Campaign, x["id"]),
        "y": db.session.get(Campaign, y["id"]),
        "buyer_x": buyer_x,
        "buyer_y": buyer_y,
        "alpha": (alpha, alpha_user),
        "beta": (beta, beta_user),
        "due": _today() + timedelta(days=7),
    }


def test_a_vendor_asked_by_two_buyers_gets_one_reminder_a_day_naming_both(two_buyers):
    w = two_buyers
    (alpha, alpha_user), (beta, beta_user) = w["alpha"], w["beta"]
    x, y, due = w["x"], w["y"], w["due"]
    assert _scheduled(_today()) == 0  # no window open yet: Y's first opens tomorrow
    assert _scheduled(due) == 2  # Alpha and Beta, once each
    x_name, y_name = x.organization.name, y.organization.name
    deadline_x, deadline_y = f"{x.deadline:%d %b %Y}", f"{y.deadline:%d %b %Y}"
    assert _reminders(alpha_user) == [
        f"Reminder: 2 campaigns await your disclosures: {x_name} for 2025 (Impact disclosure "
        f"2025), due in 7 days, on {deadline_x}; {y_name} for 2025 (Impact disclosure 2025), "
        f"due tomorrow, {deadline_y}."
    ]
    assert _reminders(beta_user) == [
        f"Reminder: {x_name} awaits your disclosure for 2025, due in 7 days, on {deadline_x}."
    ]
    # each request named counts its reminder
    for campaign, vendor in ((x, alpha), (y, alpha), (x, beta)):
        request = _request(campaign.id, vendor)
        assert (request.reminders, request.reminded_on) == (1, due)
    events = _events("campaign.remind")
    assert {e.target_id: e.changes["after"]["reminded"] for e in events} == {
        str(x.id): ["Alpha Annotation", "Beta BPO"],
        str(y.id): ["Alpha Annotation"],
    }
    assert all(e.actor_id is None and e.changes["after"]["scheduled"] for e in events)
    assert {e.organization_id for e in events} == {x.organization_id, y.organization_id}
    # the same day again: nobody (a second host, or the next scheduler round)
    assert _scheduled(due) == 0
    assert len(_reminders(alpha_user)) == 1
    # Y's buyer asks by hand that day: Alpha was reminded today already, by any campaign
    with command():
        round_ = reminders.remind_the_late_ones(y, w["buyer_y"], due)
    assert (round_.reminded, round_.already_today) == ([], ["Alpha Annotation"])
    assert len(_reminders(alpha_user)) == 1 and _request(y.id, alpha).reminders == 1


def test_remind_the_late_ones_names_the_other_campaigns_due_that_day(two_buyers):
    w = two_buyers
    (alpha, alpha_user), beta_user = w["alpha"], w["beta"][1]
    x, y, due = w["x"], w["y"], w["due"]
    # today, X's buyer reminds by hand: no scheduled reminder of Y is due, so Y is not named
    early = _today()
    with command():
        first = reminders.remind_the_late_ones(x, w["buyer_x"], early)
    assert first.reminded == ["Alpha Annotation", "Beta BPO"]
    assert _reminders(alpha_user)[-1].startswith(f"Reminder: {x.organization.name} awaits")
    assert _request(y.id, alpha).reminders == 0
    # Y's buyer asks the same day: Alpha had its reminder of the day (X's), Y's counts none
    with command():
        refused = reminders.remind_the_late_ones(y, w["buyer_y"], early)
    assert (refused.reminded, refused.already_today) == ([], ["Alpha Annotation"])
    assert len(_reminders(alpha_user)) == 1 and _request(y.id, alpha).reminders == 0
    # on `due`, X's buyer reminds again: Alpha's one reminder names Y's campaign too, whose
    # scheduled reminder fell due that day; Y's is the schedule's reminder, not X's buyer's
    with command():
        second = reminders.remind_the_late_ones(x, w["buyer_x"], due)
    assert second.reminded == ["Alpha Annotation", "Beta BPO"]
    assert _reminders(alpha_user)[-1].startswith("Reminder: 2 campaigns await your disclosures")
    assert len(_reminders(alpha_user)) == 2 and len(_reminders(beta_user)) == 2
    assert (_request(x.id, alpha).reminders, _request(y.id, alpha).reminders) == (2, 1)
    on_due = [e for e in _events("campaign.remind") if e.changes["after"]["on"] == str(due)]
    assert sorted((e.target_id, e.actor_id, e.changes["after"]["scheduled"]) for e in on_due) == (
        sorted([(str(x.id), w["buyer_x"].id, False), (str(y.id), None, True)])
    )
    # the schedule that day finds every vendor reminded
    assert _scheduled(due) == 0
    assert len(_reminders(alpha_user)) == 2


def test_an_address_invited_by_two_campaigns_gets_one_mail_naming_both(
    client, make_user, bearer, smtp_sink
):
    buyer_x, buyer_y = make_user("buyer"), make_user("buyer")
    x = _start(client, bearer(buyer_x), emails=["twice@vendor.example"], days=14)
    y = _start(client, bearer(buyer_y), emails=["twice@vendor.example"], days=8)
    smtp_sink.clear()
    assert _scheduled(_today() + timedelta(days=7)) == 1
    [(to, mail)] = list(smtp_sink)
    assert to == ["twice@vendor.example"]
    assert mail["Subject"].startswith("Reminder: 2 campaigns await your disclosures")
    text = mail.get_content()
    for buyer in (buyer_x, buyer_y):
        assert f"{buyer.name} of {buyer.organization.name} invited you" in text
    for campaign in (x, y):
        assert db.session.get(CampaignRequest, campaign["vendors"][0]["request_id"]).reminders == 1


def test_two_buyers_reminding_at_once_send_the_vendor_one_reminder(app, two_buyers, bearer):
    """Both buyers press "remind the late ones" at the same moment, in three rounds (the day's
    claims undone between them): Alpha gets exactly one reminder each round."""
    w = two_buyers
    alpha_user = w["alpha"][1]
    headers = {"x": bearer(w["buyer_x"]), "y": bearer(w["buyer_y"])}
    urls = {key: f"/api/v1/campaigns/{w[key].id}/remind" for key in headers}
    problems = []
    for round_number in range(3):
        clients = {key: app.test_client() for key in headers}
        answers = race(
            [
                lambda key=key, clients=clients: clients[key].post(urls[key], headers=headers[key])
                for key in ("x", "y")
            ]
        )
        statuses = [a.status_code for a in answers]
        reminded = [a.json["reminded"].count("Alpha Annotation") for a in answers]
        skipped = [a.json["already_today"].count("Alpha Annotation") for a in answers]
        if statuses != [200, 200] or sorted(reminded) != [0, 1] or sorted(skipped) != [0, 1]:
            problems.append(f"round {round_number}: {statuses} {[a.json for a in answers]}")
        if len(_reminders(alpha_user)) != round_number + 1:
            problems.append(f"round {round_number}: {len(_reminders(alpha_user))} reminders")
        db.session.execute(delete(VendorReminderDay))
        db.session.execute(update(CampaignRequest).values(reminded_on=None))
        db.session.commit()
    assert problems == []


# ---------------------------------------------------------------- finding the vendors to ask


def _many_vendors(count: int) -> None:
    """`count` vendor organizations with profiles, "Directory Vendor 00001" and on, in two
    statements."""
    names = [f"Directory Vendor {number:05d}" for number in range(1, count + 1)]
    organization_ids = db.session.scalars(
        insert(Organization).returning(Organization.id),
        [{"name": name, "name_key": name_key(name), "kind": "vendor"} for name in names],
    ).all()
    db.session.execute(
        insert(Vendor),
        [
            {"organization_id": o, "name": n, "name_key": name_key(n), "country": "KE"}
            for o, n in zip(organization_ids, names, strict=True)
        ],
    )
    db.session.commit()


def test_the_vendor_search_answers_at_most_50_the_name_starting_so_first(
    client, make_user, make_vendor, bearer
):
    _many_vendors(120)
    make_vendor("Zeta Acme Works")
    make_vendor("Acme Annotation")
    make_vendor("100% Impact")
    headers = bearer(make_user("buyer"))
    everyone = client.get("/api/v1/campaigns/vendor-search", headers=headers).json
    assert len(everyone["items"]) == 50 and everyone["total"] == 123
    # case folded; those whose name starts with the text come first
    acme = client.get("/api/v1/campaigns/vendor-search?q=ACME", headers=headers).json
    assert [v["name"] for v in acme["items"]] == ["Acme Annotation", "Zeta Acme Works"]
    # % and _ are text, not patterns
    percent = client.get("/api/v1/campaigns/vendor-search?q=0%25", headers=headers).json
    assert [v["name"] for v in percent["items"]] == ["100% Impact"]
    narrowed = client.get("/api/v1/campaigns/vendor-search?q=vendor 0011", headers=headers).json
    assert narrowed["total"] == 10  # 00110 to 00119
    # on a campaign's "ask more" form: the vendors it asks already are left out
    acme_id = acme["items"][0]["id"]
    campaign = _start(client, headers, [acme_id])
    more = client.get(
        f"/api/v1/campaigns/vendor-search?q=acme&not_asked_by={campaign['id']}", headers=headers
    ).json
    assert [v["name"] for v in more["items"]] == ["Zeta Acme Works"] and more["total"] == 1
    other = bearer(make_user("buyer"))
    hidden = client.get(
        f"/api/v1/campaigns/vendor-search?not_asked_by={campaign['id']}", headers=other
    )
    assert hidden.status_code == 404
    too_many = client.get("/api/v1/campaigns/vendor-search?limit=51", headers=headers)
    assert too_many.status_code == 422 and "limit" in too_many.json["errors"]
    vendor_user = make_vendor("Quiet Vendor")[1]
    assert (
        client.get("/api/v1/campaigns/vendor-search", headers=bearer(vendor_user)).status_code
        == 403
    )


VENDOR_ROW = re.compile(r'name="vendor_ids" value="(\d+)"')


def test_the_new_campaign_form_lists_at_most_50_of_10000_vendors_and_searches_them(
    client, make_user, make_vendor, sign_in
):
    _many_vendors(10_000)
    wanted, _ = make_vendor("Kakuma Digital Works")
    pages = sign_in(client.application.test_client(), make_user("buyer"))
    form = pages.get("/campaigns/new")
    assert form.status_code == 200
    assert len(VENDOR_ROW.findall(form.text)) == 50
    assert "10,001 other vendors on the platform: the first 50 are listed" in form.text
    token = csrf_token_from(form.text)
    typed = {"title": "Typed before searching", "year": "2025", "csrf_token": token}
    # without JavaScript: the Search button sends the form back and lists the matches
    searched = pages.post("/campaigns/new", data={**typed, "q": "kakuma", "action": "search"})
    assert searched.status_code == 200
    assert VENDOR_ROW.findall(searched.text) == [str(wanted.id)]
    assert 'value="Typed before searching"' in searched.text
    assert _count(Campaign) == 0
    # a ticked vendor stays chosen (ticked, listed once) while the next search lists others
    chosen = pages.post(
        "/campaigns/new",
        data={**typed, "q": "vendor 0999", "vendor_ids": str(wanted.id), "action": "search"},
    )
    rows = VENDOR_ROW.findall(chosen.text)
    assert rows[0] == str(wanted.id) and len(rows) == 1 + 10  # and 09990 to 09999
    assert rows.count(str(wanted.id)) == 1
    # pasted names are asked too
    started = pages.post(
        "/campaigns/new",
        data={
            **typed,
            "deadline": str(_today() + timedelta(days=10)),
            "vendor_ids": str(wanted.id),
            "vendor_names": "Directory Vendor 00042\n\ndirectory vendor 09999\n",
        },
    )
    assert started.status_code == 302, started.text
    page = pages.get(started.headers["Location"]).text
    assert "0 of 3" in page and "Directory Vendor 00042" in page
    unknown = pages.post(
        "/campaigns/new",
        data={
            **typed,
            "deadline": str(_today() + timedelta(days=10)),
            "vendor_names": "Nobody Ltd",
        },
    )
    assert unknown.status_code == 422 and 'href="#vendor_names"' in unknown.text
    assert len(VENDOR_ROW.findall(unknown.text)) <= 50


# ---------------------------------------------------------------- the pages


def test_the_campaign_page_edits_closes_reopens_and_asks_more(
    client, started, sign_in, make_vendor, make_user
):
    campaign_id = started["id"]
    pages = sign_in(client.application.test_client(), started["buyer"])
    show = pages.get(f"/campaigns/{campaign_id}").text
    for action in ("Edit the title, message or deadline", "Ask more vendors", "Close the campaign"):
        assert action in show
    form = pages.get(f"/campaigns/{campaign_id}/edit")
    assert form.status_code == 200 and 'name="version" value="1"' in form.text
    token = csrf_token_from(form.text)
    late = pages.post(
        f"/campaigns/{campaign_id}/edit",
        data={
            "title": "Renamed",
            "deadline": str(_today() - timedelta(days=1)),
            "version": "1",
            "csrf_token": token,
        },
    )
    assert late.status_code == 422
    assert 'href="#deadline"' in late.text and "has passed" in late.text
    saved = pages.post(
        f"/campaigns/{campaign_id}/edit",
        data={
            "title": "Renamed",
            "deadline": str(_today() + timedelta(days=20)),
            "message": "New words.",
            "version": "1",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "Saved." in saved.text and "<h1>Renamed" in saved.text and "New words." in saved.text
    stale = pages.post(
        f"/campaigns/{campaign_id}/edit",
        data={"title": "Stale", "deadline": str(_today()), "version": "1", "csrf_token": token},
        follow_redirects=True,
    )
    assert "changed since you loaded it" in stale.text
    assert db.session.get(Campaign, campaign_id, populate_existing=True).title == "Renamed"
    # ask more: vendors asked already are not offered
    gamma, _ = make_vendor("Gamma Data")
    more = pages.get(f"/campaigns/{campaign_id}/vendors")
    offered = VENDOR_ROW.findall(more.text)
    assert str(gamma.id) in offered and str(started["alpha"][0].id) not in offered
    asked = pages.post(
        f"/campaigns/{campaign_id}/vendors",
        data={"vendor_ids": str(gamma.id), "emails": "late@new.example", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Asked 2 more" in asked.text
    assert asked.text.count("readonly data-select-on-focus") == 1  # the new link, shown once
    colleague = make_user("executive", organization=started["buyer"].organization)
    refused = pages.post(
        f"/campaigns/{campaign_id}/vendors",
        data={"emails": colleague.email, "csrf_token": token},
    )
    assert refused.status_code == 422 and f"{colleague.email} is a user of" in refused.text
    # close, then reopen
    closed = pages.post(
        f"/campaigns/{campaign_id}/close", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"Closed on {_today()} by {started['buyer'].name}." in closed.text
    assert "Remind the late ones" not in closed.text and "Ask more vendors" not in closed.text
    reminded = pages.post(
        f"/campaigns/{campaign_id}/remind", data={"csrf_token": token}, follow_redirects=True
    )
    assert "This campaign is closed" in reminded.text
    assert _count(CampaignRequest, CampaignRequest.reminders > 0) == 0
    reopened = pages.post(
        f"/campaigns/{campaign_id}/reopen", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Reopened" in reopened.text and "Remind the late ones" in reopened.text
