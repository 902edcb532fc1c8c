"""Disclosure campaigns: a buyer asks vendors (on the platform, and invited by email) for their
disclosure of a period by a deadline; each vendor's state is read from its invitation and
disclosures (invited, registered, draft started, submitted, reviewed, overdue); the late ones are
reminded on request and on a schedule, at most once a day; the status exports as CSV. Only the
buyer organization's buyers and admin see a campaign; an asked vendor sees its own request only.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.audit.services import SYSTEM
from procure.campaigns import progress, reminders, services
from procure.campaigns.models import Campaign, CampaignRequest
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.invitations.models import Invitation
from procure.notifications.models import Notification
from procure.states import CampaignVendorState, NotificationKind
from tests.conftest import csrf_token_from, page_form, run_cli, valid_document

YEAR = 2025
STRONG = "Quiet lanterns over Kakuma 2026"


def _today() -> date:
    return progress.today_utc()


def _count(model, *where) -> int:
    db.session.commit()  # a fresh snapshot
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _notifications(user, kind: NotificationKind) -> list[Notification]:
    db.session.commit()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        )
    )


@pytest.fixture
def asked(client, make_user, make_vendor, bearer):
    """Buyer X's campaign for 2025, due in 14 days, asking vendors Alpha and Beta and inviting
    new@vendor.example; Gamma is on the platform and not asked."""
    alpha, alpha_user = make_vendor("Alpha Annotation")
    beta, beta_user = make_vendor("Beta BPO")
    gamma, gamma_user = make_vendor("Gamma Data")
    buyer = make_user("buyer")
    headers = bearer(buyer)
    response = client.post(
        "/api/v1/campaigns",
        headers=headers,
        json={
            "year": YEAR,
            "deadline": str(_today() + timedelta(days=14)),
            "message": "Please share your 2025 figures.",
            "vendor_ids": [alpha.id, beta.id],
            "emails": ["New@Vendor.example"],
        },
    )
    assert response.status_code == 201, response.text
    return {
        "campaign": response.json,
        "buyer": buyer,
        "headers": headers,
        "alpha": (alpha, alpha_user),
        "beta": (beta, beta_user),
        "gamma": (gamma, gamma_user),
    }


def _states(client, headers, campaign_id) -> dict[str, str]:
    body = client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).json
    return {vendor["name"]: vendor["state"] for vendor in body["vendors"]}


def _disclose(client, bearer, vendor, user, submit=True) -> dict:
    headers = bearer(user)
    draft = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": vendor.id, **valid_document(f"{YEAR}-01-01", f"{YEAR}-12-31")},
    )
    assert draft.status_code == 201, draft.text
    if not submit:
        return draft.json
    submitted = client.post(f"/api/v1/disclosures/{draft.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    return submitted.json


# ---------------------------------------------------------------- starting one


def test_a_buyer_starts_a_campaign_and_each_vendor_is_asked(client, asked):
    body = asked["campaign"]
    assert (body["period_start"], body["period_end"]) == ("2025-01-01", "2025-12-31")
    assert body["title"] == "Impact disclosure 2025"
    assert body["asked"] == 3 and body["answered"] == 0 and body["response_rate"] == 0
    assert body["counts"] == {
        "invited": 1,
        "registered": 2,
        "draft_started": 0,
        "submitted": 0,
        "reviewed": 0,
        "overdue": 0,
    }
    assert {v["name"]: v["state"] for v in body["vendors"]} == {
        "Alpha Annotation": "registered",
        "Beta BPO": "registered",
        "new@vendor.example": "invited",
    }
    [invited] = body["invitations"]
    assert invited["email"] == "new@vendor.example" and invited["mailed"] is False
    assert "/invitations/" in invited["link"]
    # the invitation is linked to the campaign and says what it asks
    invitation = db.session.scalars(select(Invitation)).one()
    assert "asks for your impact disclosure for 2025" in invitation.message
    assert "Please share your 2025 figures." in invitation.message
    # each asked vendor's users are told; the vendor not asked is not
    for name in ("alpha", "beta"):
        [told] = _notifications(asked[name][1], NotificationKind.CAMPAIGN_REQUEST)
        assert told.title.startswith(f"{asked['buyer'].organization.name} asks for your disclosure")
    assert _notifications(asked["gamma"][1], NotificationKind.CAMPAIGN_REQUEST) == []
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.create")
    ).all()
    assert event.actor_id == asked["buyer"].id
    assert event.changes["after"]["invited"] == ["new@vendor.example"]


def test_a_period_by_its_days_and_a_title(client, make_vendor, make_user, bearer):
    vendor, _ = make_vendor()
    response = client.post(
        "/api/v1/campaigns",
        headers=bearer(make_user("buyer")),
        json={
            "title": "Fiscal year",
            "period_start": "2025-04-01",
            "period_end": "2026-03-31",
            "deadline": str(_today()),  # today is not in the past
            "vendor_ids": [vendor.id],
        },
    )
    assert response.status_code == 201, response.text
    assert (response.json["title"], response.json["period_end"]) == ("Fiscal year", "2026-03-31")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": "yesterday"}, "deadline"),
        ({"year": None}, "year"),
        ({"period_start": "2025-01-01"}, "year"),
        ({"year": None, "period_start": "2025-06-01", "period_end": "2025-01-01"}, "period_end"),
        ({"vendor_ids": [999999]}, "vendor_ids"),
        ({"vendor_ids": [], "emails": []}, "vendor_ids"),
        ({"emails": ["not an address"]}, "emails.0"),
        ({"emails": ["taken"]}, "emails"),
        ({"message": "x" * 1601}, "message"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    client, make_vendor, make_user, bearer, change, field
):
    vendor, _ = make_vendor()
    body = {
        "year": YEAR,
        "deadline": str(_today() + timedelta(days=3)),
        "vendor_ids": [vendor.id],
        "emails": ["fresh@vendor.example"],
        **change,
    }
    if body["deadline"] == "yesterday":
        body["deadline"] = str(_today() - timedelta(days=1))
    buyer = make_user("buyer")
    if body.get("emails") == ["taken"]:  # a colleague's (another organization's: invited alike)
        body["emails"] = [make_user("buyer", organization=buyer.organization).email.upper()]
    response = client.post("/api/v1/campaigns", headers=bearer(buyer), json=body)
    assert response.status_code == 422, response.text
    assert field in response.json["errors"], response.json
    assert _count(Campaign) == _count(CampaignRequest) == _count(Invitation) == 0
    assert _count(Notification) == 0


# ---------------------------------------------------------------- where each vendor stands


def test_each_vendor_moves_from_registered_to_reviewed_and_late_ones_are_overdue(
    client, asked, bearer, make_user
):
    campaign_id, headers = asked["campaign"]["id"], asked["headers"]
    (alpha, alpha_user), (beta, beta_user) = asked["alpha"], asked["beta"]
    draft = _disclose(client, bearer, alpha, alpha_user, submit=False)
    assert _states(client, headers, campaign_id)["Alpha Annotation"] == "draft_started"
    client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=bearer(alpha_user))
    assert _states(client, headers, campaign_id)["Alpha Annotation"] == "submitted"
    # another buyer's review does not decide this campaign's "reviewed"
    other = client.post(
        f"/api/v1/disclosures/{draft['id']}/review",
        headers=bearer(make_user("buyer")),
        json={"decision": "verified"},
    )
    assert other.status_code == 200
    assert _states(client, headers, campaign_id)["Alpha Annotation"] == "submitted"
    mine = client.post(
        f"/api/v1/disclosures/{draft['id']}/review",
        headers=headers,
        json={"decision": "rejected", "comment": "The wages section lacks a source."},
    )
    assert mine.status_code == 200
    body = client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).json
    alpha_row = next(v for v in body["vendors"] if v["name"] == "Alpha Annotation")
    assert (alpha_row["state"], alpha_row["review_decision"]) == ("reviewed", "rejected")
    assert alpha_row["disclosure_id"] == draft["id"]
    # 1 of 3 answered: 33 %
    assert body["answered"] == 1 and body["response_rate"] == pytest.approx(1 / 3)
    # another period's disclosure answers nothing
    other_year = valid_document("2024-01-01", "2024-12-31")
    client.post(
        "/api/v1/disclosures",
        headers=bearer(beta_user),
        json={"vendor_id": beta.id, **other_year},
    )
    assert _states(client, headers, campaign_id)["Beta BPO"] == "registered"
    # past the deadline, those still awaited are overdue; the answered one is not
    campaign = db.session.get(Campaign, campaign_id)
    late = progress.progress_of(campaign, campaign.deadline + timedelta(days=1))
    assert {s.name: s.overdue for s in late.statuses} == {
        "Alpha Annotation": False,
        "Beta BPO": True,
        "new@vendor.example": True,
    }
    assert late.overdue == 2 and late.status == "past_deadline"
    on_the_day = progress.progress_of(campaign, campaign.deadline)
    assert on_the_day.overdue == 0 and on_the_day.status == "open"


def test_an_invited_vendor_registers_and_its_admin_answers_the_campaign(client, asked, app):
    """The decision: the invited vendor's first user is its organization's admin, and acts as the
    vendor on its own organization's records: profile, disclosure, submit."""
    link = asked["campaign"]["invitations"][0]["link"]
    path = "/invitations/" + link.rsplit("/", 1)[1]
    visitor = app.test_client()
    token = csrf_token_from(visitor.get(path).text)
    registered = visitor.post(
        path,
        data={
            "organization_name": "Kakuma Digital Works",
            "name": "Amani Lokiru",
            "email": "new@vendor.example",
            "password": STRONG,
            "confirm_password": STRONG,
            "csrf_token": token,
        },
    )
    assert registered.status_code == 302, registered.text
    campaign_id, headers = asked["campaign"]["id"], asked["headers"]
    assert _states(client, headers, campaign_id)["Kakuma Digital Works"] == "registered"
    # the new admin is told of the request, and sees it on its home page
    from procure.accounts.models import User

    admin = db.session.scalars(select(User).where(User.email == "new@vendor.example")).one()
    assert admin.role == "admin"
    [told] = _notifications(admin, NotificationKind.CAMPAIGN_REQUEST)
    assert "asks for your disclosure for 2025" in told.title
    home = visitor.get("/").text
    assert "Disclosures buyers ask you for" in home and "Start your 2025 disclosure" in home
    # the admin keeps the vendor's records: the profile, then the disclosure the campaign asks
    token = csrf_token_from(home)
    profile = visitor.post(
        "/vendor/profile",
        data={
            "name": "Kakuma Digital Works",
            "country": "KE",
            "description": "Refugee-led digital work",
            "service_categories": "data_annotation",
            "csrf_token": token,
        },
    )
    assert profile.status_code == 302, profile.text
    started = visitor.post(
        "/vendor/disclosures",
        data={"period_start": "2025-01-01", "period_end": "2025-12-31", "csrf_token": token},
    )
    assert started.status_code == 302, started.text
    assert _states(client, headers, campaign_id)["Kakuma Digital Works"] == "draft_started"
    listed = visitor.get("/api/v1/campaign-requests").json
    assert [(r["buyer"], r["state"]) for r in listed] == [
        (asked["buyer"].organization.name, "draft_started")
    ]


# ---------------------------------------------------------------- who sees what


def test_only_the_buyer_organization_sees_a_campaign(client, asked, make_user, bearer, sign_in):
    campaign_id = asked["campaign"]["id"]
    outsider = make_user("buyer")
    for user in (outsider, make_user("admin", organization=outsider.organization)):
        headers = bearer(user)
        assert client.get("/api/v1/campaigns", headers=headers).json["items"] == []
        for path in (
            f"/api/v1/campaigns/{campaign_id}",
            f"/api/v1/campaigns/{campaign_id}/status.csv",
        ):
            assert client.get(path, headers=headers).status_code == 404, path
        pages = sign_in(client.application.test_client(), user)
        assert pages.get(f"/campaigns/{campaign_id}").status_code == 404
        assert pages.get(f"/campaigns/{campaign_id}/status.csv").status_code == 404
    refused = client.post(f"/api/v1/campaigns/{campaign_id}/remind", headers=bearer(outsider))
    assert refused.status_code == 404
    assert _count(CampaignRequest, CampaignRequest.reminders > 0) == 0
    # the buyer organization's executive reads no campaign; its admin does
    executive = make_user("executive", organization=asked["buyer"].organization)
    assert (
        client.get(f"/api/v1/campaigns/{campaign_id}", headers=bearer(executive)).status_code == 403
    )
    admin = make_user("admin", organization=asked["buyer"].organization)
    assert client.get(f"/api/v1/campaigns/{campaign_id}", headers=bearer(admin)).status_code == 200
    assert (
        client.post(f"/api/v1/campaigns/{campaign_id}/remind", headers=bearer(admin)).status_code
        == 403
    )


def test_an_asked_vendor_sees_its_own_request_and_no_other_vendor(client, asked, bearer):
    campaign_id = asked["campaign"]["id"]
    alpha_headers = bearer(asked["alpha"][1])
    listed = client.get("/api/v1/campaign-requests", headers=alpha_headers)
    assert listed.status_code == 200
    [request] = listed.json
    assert (request["campaign_title"], request["state"]) == ("Impact disclosure 2025", "registered")
    assert "Beta" not in listed.text and "new@vendor.example" not in listed.text
    assert client.get(f"/api/v1/campaigns/{campaign_id}", headers=alpha_headers).status_code == 403
    # a vendor not asked sees no request, and nothing of the campaign
    gamma_headers = bearer(asked["gamma"][1])
    assert client.get("/api/v1/campaign-requests", headers=gamma_headers).json == []


def test_the_home_page_shows_the_request_to_the_asked_vendor_only(client, asked, sign_in):
    alpha_home = sign_in(client.application.test_client(), asked["alpha"][1]).get("/").text
    assert "Disclosures buyers ask you for" in alpha_home
    assert asked["buyer"].organization.name in alpha_home
    assert "Please share your 2025 figures." in alpha_home
    gamma_home = sign_in(client.application.test_client(), asked["gamma"][1]).get("/").text
    assert "Disclosures buyers ask you for" not in gamma_home


def test_the_home_pages_start_button_carries_the_previous_period_over(
    client, asked, bearer, sign_in
):
    """Issue #22: a new period starts from the previous one's figures, each marked "carried over,
    check this", from the home page's request as from the Disclosures page."""
    alpha, alpha_user = asked["alpha"]
    headers = bearer(alpha_user)
    earlier = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": alpha.id, **valid_document(f"{YEAR - 1}-01-01", f"{YEAR - 1}-12-31")},
    )
    assert earlier.status_code == 201, earlier.text
    submitted = client.post(f"/api/v1/disclosures/{earlier.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    pages = sign_in(client.application.test_client(), alpha_user)
    start = page_form(pages.get("/").text, f"Start your {YEAR} disclosure")
    started = pages.post(start["action"], data=start["fields"])  # as the browser posts it
    assert started.status_code == 302, started.text
    draft = db.session.get(Disclosure, int(started.location.rsplit("/", 1)[1]))
    assert (draft.period_start, draft.period_end) == (date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert draft.carried_over_from_id == earlier.json["id"]
    assert draft.figures["workforce"]["headcount_end"] == 115
    assert draft.figures["wages"][0]["living_wage_source"]
    assert "wages[0].living_wage_source" in draft.carried_over
    assert len(draft.carried_over) == 41  # as test_carried_over.CARRIED_FROM_VALID counts
    page = pages.get(started.location).text
    assert page.count("Carried over, check this") == 41


# ---------------------------------------------------------------- reminders


def test_remind_the_late_ones_at_most_once_a_day(client, asked, bearer):
    campaign_id, headers = asked["campaign"]["id"], asked["headers"]
    alpha, alpha_user = asked["alpha"]
    _disclose(client, bearer, alpha, alpha_user)  # Alpha answered: not late
    first = client.post(f"/api/v1/campaigns/{campaign_id}/remind", headers=headers)
    assert first.status_code == 200, first.text
    # the invited address cannot be reached without a mail server
    assert first.json == {
        "reminded": ["Beta BPO"],
        "already_today": [],
        "unreachable": ["new@vendor.example"],
    }
    [reminder] = _notifications(asked["beta"][1], NotificationKind.CAMPAIGN_REMINDER)
    assert "awaits your disclosure for 2025, due in 14 days" in reminder.title
    assert _notifications(alpha_user, NotificationKind.CAMPAIGN_REMINDER) == []
    again = client.post(f"/api/v1/campaigns/{campaign_id}/remind", headers=headers).json
    assert again["reminded"] == [] and again["already_today"] == ["Beta BPO"]
    assert len(_notifications(asked["beta"][1], NotificationKind.CAMPAIGN_REMINDER)) == 1
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.remind")
    ).all()
    assert event.actor_id == asked["buyer"].id and event.changes["after"]["reminded"] == [
        "Beta BPO"
    ]
    body = client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).json
    beta_row = next(v for v in body["vendors"] if v["name"] == "Beta BPO")
    assert (beta_row["reminders"], beta_row["last_reminded_on"]) == (1, str(_today()))


def test_with_smtp_reminders_are_mailed_to_users_and_invited_addresses(
    client, asked, smtp_sink, bearer
):
    campaign_id, headers = asked["campaign"]["id"], asked["headers"]
    # Beta's user wants no reminder by mail; Alpha's does (the default)
    beta_headers = bearer(asked["beta"][1])
    chosen = client.put(
        "/api/v1/notifications/settings",
        headers=beta_headers,
        json={"email_kinds": ["review_decided"]},
    )
    assert chosen.status_code == 200, chosen.text
    smtp_sink.clear()
    outcome = client.post(f"/api/v1/campaigns/{campaign_id}/remind", headers=headers).json
    assert sorted(outcome["reminded"]) == ["Alpha Annotation", "Beta BPO", "new@vendor.example"]
    recipients = sorted(to[0] for to, _ in smtp_sink)
    assert recipients == sorted([asked["alpha"][1].email, "new@vendor.example"])
    invitee = next(m for to, m in smtp_sink if to == ["new@vendor.example"])
    assert "Register through the link in that message" in invitee.get_content()
    # the mailed reminder is marked so, and no digest repeats it
    [reminder] = _notifications(asked["alpha"][1], NotificationKind.CAMPAIGN_REMINDER)
    assert reminder.emailed_at is not None


def test_scheduled_reminders_follow_the_deadline_once_per_window(client, asked, app):
    campaign = db.session.get(Campaign, asked["campaign"]["id"])
    deadline = campaign.deadline
    beta_user = asked["beta"][1]

    def run(day: date) -> int:
        with app.app_context():
            from procure.transactions import command

            with command():
                return reminders.send_scheduled_reminders(day, SYSTEM)

    # asked 14 days ahead: nothing until 7 days before the deadline
    assert run(deadline - timedelta(days=8)) == 0
    assert run(deadline - timedelta(days=7)) == 2  # Alpha and Beta (the invitee: no mail server)
    assert run(deadline - timedelta(days=7)) == 0  # once a day
    assert run(deadline - timedelta(days=6)) == 0  # once per window
    assert run(deadline - timedelta(days=1)) == 2
    assert run(deadline + timedelta(days=1)) == 2  # overdue
    assert run(deadline + timedelta(days=5)) == 0
    assert run(deadline + timedelta(days=8)) == 2  # weekly while overdue
    assert run(deadline + timedelta(days=29)) == 0  # four weeks after, no more
    titles = [n.title for n in _notifications(beta_user, NotificationKind.CAMPAIGN_REMINDER)]
    assert len(titles) == 4
    assert "due in 7 days" in titles[0] and "due tomorrow" in titles[1]
    assert "overdue since" in titles[2]
    scheduled = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.remind")
    ).all()
    assert len(scheduled) == 4 and {e.actor_id for e in scheduled} == {None}
    assert all(e.changes["after"]["scheduled"] for e in scheduled)


def test_the_command_sends_the_reminders_due(client, asked, tmp_path, monkeypatch, migrated):
    campaign = db.session.get(Campaign, asked["campaign"]["id"])
    day = campaign.deadline - timedelta(days=1)
    db.session.commit()
    result = run_cli(["campaigns", "remind", "--today", str(day)], tmp_path, monkeypatch, migrated)
    assert result.exit_code == 0, result.output
    assert "Reminded 2 vendor(s)." in result.output
    assert len(_notifications(asked["beta"][1], NotificationKind.CAMPAIGN_REMINDER)) == 1
    again = run_cli(["campaigns", "remind", "--today", str(day)], tmp_path, monkeypatch, migrated)
    assert "Reminded 0 vendor(s)." in again.output
    bad = run_cli(["campaigns", "remind", "--today", "soon"], tmp_path, monkeypatch, migrated)
    assert bad.exit_code == 2 and "today" in bad.output


# ---------------------------------------------------------------- export and pages


def test_the_status_exports_as_csv(client, asked, bearer):
    alpha, alpha_user = asked["alpha"]
    submitted = _disclose(client, bearer, alpha, alpha_user)
    response = client.get(
        f"/api/v1/campaigns/{asked['campaign']['id']}/status.csv", headers=asked["headers"]
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == services.STATUS_COLUMNS
    by_vendor = {row["vendor"]: row for row in rows}
    assert by_vendor["Alpha Annotation"]["state"] == "submitted"
    assert by_vendor["Alpha Annotation"]["disclosure_id"] == str(submitted["id"])
    assert by_vendor["new@vendor.example"]["invitation_state"] == "pending"
    assert by_vendor["Beta BPO"]["overdue"] == "no"


def test_a_buyer_starts_a_campaign_on_the_page(client, make_vendor, make_user, sign_in):
    vendor, vendor_user = make_vendor("Delta Digital")
    buyer = make_user("buyer")
    pages = sign_in(client.application.test_client(), buyer)
    form = pages.get("/campaigns/new")
    assert form.status_code == 200 and "Delta Digital" in form.text
    token = csrf_token_from(form.text)
    late = pages.post(
        "/campaigns/new",
        data={
            "year": "2025",
            "deadline": str(_today() - timedelta(days=2)),
            "vendor_ids": str(vendor.id),
            "csrf_token": token,
        },
    )
    assert late.status_code == 422
    assert 'href="#deadline"' in late.text and "has passed" in late.text
    assert _count(Campaign) == 0
    started = pages.post(
        "/campaigns/new",
        data={
            "year": "2025",
            "deadline": str(_today() + timedelta(days=10)),
            "message": "Thank you!",
            "vendor_ids": str(vendor.id),
            "emails": "one@new.example\ntwo@new.example, ",
            "csrf_token": token,
        },
    )
    assert started.status_code == 302, started.text
    page = pages.get(started.headers["Location"])
    assert page.status_code == 200
    # without a mail server the two links are shown, once
    assert page.text.count("readonly data-select-on-focus") == 2
    assert "one@new.example" in page.text and "two@new.example" in page.text
    assert "0 of 3" in page.text and "Remind the late ones" in page.text
    assert 'aria-label="Vendors by state: reviewed 0, submitted 0' in page.text
    assert pages.get(started.headers["Location"]).text.count("data-select-on-focus") == 0
    reminded = pages.post(
        started.headers["Location"] + "/remind", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Reminded 1: Delta Digital." in reminded.text
    assert "2 cannot be reached" in reminded.text
    listing = pages.get("/campaigns").text
    assert "Impact disclosure 2025" in listing and "0 of 3" in listing


def test_the_demo_shows_campaigns_with_every_state(app, monkeypatch):
    from werkzeug.security import generate_password_hash

    import procure.accounts.services as account_services
    from procure.demo import load_demo, load_demo_campaigns

    # scrypt costs ~0.1 s per user and the demo makes dozens of them: a cheap hash keeps this fast
    monkeypatch.setattr(
        account_services,
        "generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )
    load_demo()
    db.session.commit()
    campaigns = {c.title: c for c in db.session.scalars(select(Campaign))}
    annual = progress.progress_of(campaigns["Impact disclosure 2025"])
    counts = {state.value: count for state, count in annual.counts.items()}
    # config/demo: Lakeside verified by Northwind; Mwangaza, Mathare, Dadaab submitted and Horizon
    # resubmitted; Kazi, Tonle and Imena drafts; Kakuma and Nile verified; two invited addresses
    assert counts == {
        "invited": 2,
        "registered": 0,
        "draft_started": 3,
        "submitted": 4,
        "reviewed": 3,
    }
    assert annual.overdue == 5 and annual.status == "past_deadline"
    pulse = progress.progress_of(campaigns["Mid-year pulse 2026"])
    assert pulse.counts[CampaignVendorState.REGISTERED] == 4 and pulse.status == "open"
    buyer = campaigns["Mid-year pulse 2026"].created_by
    assert load_demo_campaigns(buyer) == 0  # loading again starts nothing new
