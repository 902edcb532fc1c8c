"""A campaign asking by email never tells the buyer whether an address has an account, in any
organization: the answer, audit events, invitations and the campaign's vendors are the same for a
fresh address, a vendor's user's and another buyer's or an assurer's user's. A vendor's user
accepts through the link for its vendor, which is then asked by the campaign; a user of any other
kind of organization reads at the link that it cannot accept, and nothing changes. Only the
buyer's own colleagues are refused (tests/app/test_campaign_changes.py)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.campaigns.models import CampaignRequest
from procure.extensions import db
from procure.invitations.models import Invitation
from procure.notifications.models import Notification
from procure.states import NotificationKind
from tests.app.test_campaigns import YEAR, _notifications, _states, _today
from tests.conftest import csrf_token_from

FRESH = "fresh.person@nobody.example"
_LINK = re.compile(r"(https?://[^/\s\"]+)?/invitations/[A-Za-z0-9_\-]{20,}")
_TIME = re.compile(r"\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z| UTC)?)?")
_CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+|(name="csrf-token" content=")[^"]+')


@pytest.fixture
def tenants(make_org, make_user, make_vendor, bearer):
    """Buyer X's buyer; vendor Alpha (asked by name) and Beta, another buyer organization and
    an assurance provider, each with a user."""
    alpha, alpha_user = make_vendor("Alpha Annotation")
    beta, beta_user = make_vendor("Beta BPO")
    buyer = make_user("buyer", organization=make_org("buyer", "Buyer X"))
    return {
        "buyer": buyer,
        "headers": bearer(buyer),
        "alpha": (alpha, alpha_user),
        "beta": (beta, beta_user),
        "buyer_y": make_user("buyer", organization=make_org("buyer", "Buyer Y")),
        "assurer": make_user("assurer", organization=make_org("assurance", "Assurer Z")),
    }


def _addresses(t) -> list[str]:
    """A fresh address, a vendor's user's, another buyer's user's and an assurer's."""
    return [FRESH, t["beta"][1].email, t["buyer_y"].email, t["assurer"].email]


def _normalised(text: str, address: str) -> str:
    """`text` with the address, links, times, ids in paths and form tokens made alike."""
    text = _LINK.sub("LINK", text.replace(address, "ADDRESS"))
    text = _CSRF.sub(lambda m: (m.group(1) or m.group(2)) + "TOKEN", text)
    text = re.sub(r"/(campaigns|invitations)/\d+", r"/\1/ID", _TIME.sub("TIME", text))
    text = re.sub(r"campaign-\d+\.csv", "campaign-ID.csv", text)
    return re.sub(r"'(invitation_id|campaign_id|id)': \d+", r"'\1': ID", text)


def _ids_alike(value):
    """A JSON answer with every id (`id`, `…_id`) made alike."""
    if isinstance(value, dict):
        return {
            key: "ID" if (key == "id" or key.endswith("_id")) and item else _ids_alike(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_ids_alike(item) for item in value]
    return value


def _answer(response, address: str) -> tuple[int, str]:
    body = json.dumps(_ids_alike(response.json), sort_keys=True)
    return response.status_code, _normalised(body, address)


def _start(client, t, emails, vendor_ids=()):
    return client.post(
        "/api/v1/campaigns",
        headers=t["headers"],
        json={
            "year": YEAR,
            "deadline": str(_today() + timedelta(days=14)),
            "vendor_ids": list(vendor_ids),
            "emails": list(emails),
        },
    )


def _link_path(answer) -> str:
    [invited] = answer.json["invitations"]
    return "/invitations/" + invited["link"].rsplit("/", 1)[1]


def test_the_api_answers_alike_whether_the_address_has_an_account(app, client, tenants):
    """Starting a campaign with the address, and asking it more of another, answer the same for
    each kind of address, with the same audit events, pending invitations and campaign rows; no
    other organization is named. The link's page, to whoever holds it, is the same too."""
    t, alpha = tenants, tenants["alpha"][0]
    answers, links = [], []
    for address in _addresses(t):
        started = _start(client, t, [address], [alpha.id])
        other = _start(client, t, [], [alpha.id])
        more = client.post(
            f"/api/v1/campaigns/{other.json['id']}/vendors",
            headers=t["headers"],
            json={"emails": [address]},
        )
        for answer in (started, more):
            for name in ("Beta BPO", "Buyer Y", "Assurer Z"):
                assert name not in answer.text
        answers.append((_answer(started, address), _answer(more, address)))
        links.append(_link_path(started))
    assert answers[0][0][0] == 201 and answers[0][1][0] == 200, answers[0]
    assert all(answer == answers[0] for answer in answers), answers
    # the audit events of each, alike but for the address and ids
    db.session.commit()
    audited = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(("invitation.create", "campaign.create", "campaign.ask_more")))
        .order_by(AuditEvent.id)
    ).all()
    per_address = len(audited) // len(answers)
    assert per_address * len(answers) == len(audited) and per_address >= 4
    shapes = [
        [
            (row.action, row.organization_id, _normalised(str(row.changes), address))
            for row in audited[i * per_address : (i + 1) * per_address]
        ]
        for i, address in enumerate(_addresses(t))
    ]
    assert all(shape == shapes[0] for shape in shapes), shapes
    # the buyer's invitations: each pending, twice (one per campaign)
    listed = client.get("/api/v1/invitations", headers=t["headers"]).json["items"]
    assert sorted((i["email"], i["state"]) for i in listed) == sorted(
        (address, "pending") for address in _addresses(t) for _ in range(2)
    )
    # each campaign asks the address, invited: nothing tells the accounts apart
    assert (
        db.session.scalar(select(func.count()).select_from(CampaignRequest)) == 4 * 4
    )  # 2 campaigns, 2 each
    # the link's page to whoever holds it, signed out
    pages = [
        _normalised(app.test_client().get(path).text, address)
        for path, address in zip(links, _addresses(t), strict=True)
    ]
    assert "Register your organization" in pages[0]
    assert all(page == pages[0] for page in pages)


def test_the_page_answers_alike_whether_the_address_has_an_account(client, tenants, sign_in):
    t, alpha = tenants, tenants["alpha"][0]
    pages = sign_in(client.application.test_client(), t["buyer"])
    seen = []
    for address in _addresses(t):
        token = csrf_token_from(pages.get("/campaigns/new").text)
        sent = pages.post(
            "/campaigns/new",
            data={
                "year": str(YEAR),
                "deadline": str(_today() + timedelta(days=10)),
                "vendor_ids": str(alpha.id),
                "emails": address,
                "csrf_token": token,
            },
        )
        location = sent.headers.get("Location", "")
        shown = pages.get(location).text if location else sent.text
        assert "readonly data-select-on-focus" in shown, shown  # the link, shown once
        seen.append((sent.status_code, _normalised(location, address), _normalised(shown, address)))
    assert seen[0][:2] == (302, "/campaigns/ID"), seen[0][:2]
    assert all(each == seen[0] for each in seen), [each[:2] for each in seen]


def test_the_mail_tells_an_account_holder_to_sign_in(client, tenants, smtp_sink):
    """With mail settings the buyer's answers are alike too; only the address's owner reads, in
    the campaign's invitation mail, that it has an account (a vendor's user: sign in to accept
    for its vendor)."""
    t = tenants
    answers = []
    for address in _addresses(t)[:3]:
        started = _start(client, t, [address], [t["alpha"][0].id])
        assert started.json["invitations"][0]["mailed"] is True, started.json
        answers.append(_answer(started, address))
    assert answers[1:] == [answers[0]] * 2
    bodies = {to[0]: message.get_content().replace("\r\n", "\n") for to, message in smtp_sink}
    fresh, vendor, buyer = (bodies[a] for a in _addresses(t)[:3])
    assert "asks for your impact disclosure for 2025" in fresh
    assert "Register your organization, or join" in fresh and "sign in" not in fresh
    organization = t["beta"][1].organization.name
    assert f"sign in to accept for {organization}," in vendor, vendor
    assert "sign in, then open" in buyer, buyer
    for owner in (vendor, buyer):
        assert "Register your organization, or join" not in owner


def test_a_vendor_user_asked_by_its_address_accepts_and_its_vendor_is_asked(
    app, client, tenants, sign_in
):
    t = tenants
    (alpha, _), (beta, beta_user) = t["alpha"], t["beta"]
    started = _start(client, t, [beta_user.email], [alpha.id])
    assert started.status_code == 201, started.json
    path = _link_path(started)
    signed_out = app.test_client().get(path).text
    assert "Already on impact-procure?" in signed_out
    pages = sign_in(app.test_client(), beta_user)
    form = pages.get(path)
    organization = beta_user.organization.name
    assert form.status_code == 200 and f"Accept for {organization}" in form.text
    joined = pages.post(path, data={"csrf_token": csrf_token_from(form.text)})
    assert joined.status_code == 302, joined.text
    # Beta is asked as if by name: its state on the campaign, its users told, its request seen
    campaign_id = started.json["id"]
    assert _states(client, t["headers"], campaign_id) == {
        "Alpha Annotation": "registered",
        "Beta BPO": "registered",
    }
    [told] = _notifications(beta_user, NotificationKind.CAMPAIGN_REQUEST)
    assert told.title.startswith("Buyer X asks for your disclosure for 2025")
    listed = pages.get("/api/v1/campaign-requests").json
    assert [(r["buyer"], r["state"]) for r in listed] == [("Buyer X", "registered")]
    assert "Start your 2025 disclosure" in pages.get("/").text
    invitations = client.get("/api/v1/invitations", headers=t["headers"]).json["items"]
    assert [(i["state"], i["accepted_organization"]["name"]) for i in invitations] == [
        ("accepted", organization)
    ]
    # asking Beta by name now is refused: it is asked already
    again = client.post(
        f"/api/v1/campaigns/{campaign_id}/vendors",
        headers=t["headers"],
        json={"vendor_ids": [beta.id]},
    )
    assert again.status_code == 422
    assert again.json["errors"]["vendor_ids"] == ["Beta BPO is asked by this campaign already."]


@pytest.mark.parametrize("owner", ["buyer_y", "assurer"])
def test_a_non_vendor_user_asked_by_its_address_is_refused_at_the_link(
    app, client, tenants, sign_in, owner
):
    """The address's owner, of a buyer (or assurance) organization, reads at the link that its
    account cannot accept; accepting anyway is refused and changes nothing. The asking buyer
    opening the link reads the page anyone signed in elsewhere reads, never the refusal."""
    t, user = tenants, tenants[owner]
    started = _start(client, t, [user.email], [t["alpha"][0].id])
    assert started.status_code == 201, started.json
    path, campaign_id = _link_path(started), started.json["id"]

    def now() -> tuple:
        db.session.commit()
        return (
            db.session.scalar(  # signing in is audited; nothing else may be
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action.not_like("auth.%"))
            ),
            db.session.scalar(select(func.count()).select_from(Notification)),
            _states(client, t["headers"], campaign_id),
        )

    before = now()
    assert before[2][user.email] == "invited"
    refused = "Your account cannot accept this invitation"
    organization = user.organization.name
    pages = sign_in(app.test_client(), user)
    page = pages.get(path)
    assert page.status_code == 200 and refused in page.text
    assert f"Your account belongs to {organization}, a {user.organization.kind}" in page.text
    assert "<h2>Register your organization</h2>" not in page.text
    tried = pages.post(path, data={"csrf_token": csrf_token_from(pages.get("/").text)})
    assert tried.status_code == 409 and refused in tried.text
    assert now() == before
    invitation = db.session.scalars(select(Invitation).where(Invitation.email == user.email)).one()
    assert invitation.state == "pending" and invitation.accepted_organization_id is None
    inviter = sign_in(app.test_client(), t["buyer"]).get(path).text
    assert refused not in inviter and organization not in inviter
    assert "Sign out to accept" in inviter
