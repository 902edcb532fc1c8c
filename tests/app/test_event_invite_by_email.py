"""Inviting to an event a vendor not on the platform, by email and company name: an invitation
of the buyer organization (procure.invitations) carries the event; once accepted, the vendor
organization is an invited bidder (home page, bids), and its sealed bid stays its own."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.events.models import Bid, EventInvitation, EventVendor, SourcingEvent
from procure.extensions import db
from procure.invitations.models import Invitation
from procure.notifications.models import Notification
from procure.states import NotificationKind
from procure.vendors.models import Vendor
from tests.app.test_events import _bid, _create, _published, sourcing  # noqa: F401 (a fixture, through request)
from tests.app.test_invitations import (  # noqa: F401 (smtp_sink: a fixture)
    LINK_BOX,
    STRONG,
    path_of,
    registration,
    smtp_sink,
)
from tests.conftest import csrf_token_from

AMANI = "amani@kakumadigital.example"


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Invitation)),
        db.session.scalar(select(func.count()).select_from(EventInvitation)),
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(("invitation.create", "event.invite_by_email")))
        ),
    )


def test_a_buyer_invites_by_email_the_vendor_registers_and_bids(
    app, client, request, sign_in, bearer
):
    s = request.getfixturevalue("sourcing")
    event = _create(client, s)  # a draft: the new vendor is told once it is published
    pages = sign_in(app.test_client(), s.users["buyer_x"])
    page = pages.get(f"/events/{event['id']}").text
    assert "Vendors invited by email" in page and 'name="company_name"' in page
    sent = pages.post(
        f"/events/{event['id']}/invitations",
        data={
            "company_name": "Kakuma Digital Works",
            "email": "Amani@KakumaDigital.example",
            "csrf_token": csrf_token_from(page),
        },
    )
    # no mail server: the link is shown once on the invitations page
    assert sent.status_code == 302 and sent.headers["Location"] == "/invitations"
    shown = pages.get("/invitations").text
    link = LINK_BOX.search(shown).group(1)
    assert "Kakuma Digital Works is invited to &#39;Annotation 2027&#39;" in shown
    invitation = db.session.scalars(select(Invitation)).one()
    assert (
        invitation.email == AMANI
        and invitation.organization_id == s.users["buyer_x"].organization_id
    )
    assert "invites Kakuma Digital Works to bid on 'Annotation 2027'" in invitation.message
    [audit] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "event.invite_by_email")
    ).all()
    assert audit.actor_id == s.users["buyer_x"].id
    assert audit.changes["after"] == {
        "invitation_id": invitation.id,
        "email": AMANI,
        "company_name": "Kakuma Digital Works",
        "reused": False,
    }
    url = f"/api/v1/events/{event['id']}"
    detail = client.get(url, headers=s.headers["buyer_x"]).json
    assert detail["invited_by_email"] == [
        {
            "invitation_id": invitation.id,
            "email": AMANI,
            "company_name": "Kakuma Digital Works",
            "state": "pending",
            "organization": None,
        }
    ]
    published = client.post(
        f"{url}/publish", headers=s.headers["buyer_x"], json={"version": event["version"]}
    )
    assert published.status_code == 200

    # the invitee registers through the link (the invitations' own route)
    visitor = app.test_client()
    form = visitor.get(path_of(link))
    assert form.status_code == 200
    registered = visitor.post(
        path_of(link), data={**registration(), "csrf_token": csrf_token_from(form.text)}
    )
    assert registered.status_code == 302
    db.session.expire_all()
    assert invitation.state == "accepted"
    organization = invitation.accepted_organization
    home = visitor.get("/").text
    assert "Events you are invited to bid on" in home and "Annotation 2027" in home
    assert visitor.get(f"/events/{event['id']}").status_code == 200
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == invitation.accepted_by_id)
    ).all()
    assert [n.kind for n in told] == [NotificationKind.EVENT_PUBLISHED]
    assert told[0].title == (
        f"Buyer X invites you to bid on 'Annotation 2027' by "
        f"{detail['deadline'][:16].replace('T', ' ')} UTC."
    )

    # it makes its vendor profile, then bids as an invited vendor
    headers = bearer(invitation.accepted_by, STRONG)
    lot = event["lots"][0]["id"]
    early = client.post(f"{url}/bids", headers=headers, json=_bid(lot))
    assert early.status_code == 422 and "vendor profile" in early.json["errors"]["lot_id"][0]
    profile = client.post(
        "/api/v1/vendors", headers=headers, json={"name": "Kakuma Digital Works", "country": "KE"}
    )
    assert profile.status_code == 201, profile.json
    placed = client.post(f"{url}/bids", headers=headers, json=_bid(lot, price=11.111))
    assert placed.status_code == 201, placed.json
    joined = db.session.scalars(
        select(EventVendor).where(EventVendor.event_id == event["id"])
    ).all()
    assert [row.vendor.name for row in joined] == ["Vendor A", "Vendor B", organization.name]

    # the buyer reads that it bid, never what (sealed), and the invitation as accepted
    detail = client.get(url, headers=s.headers["buyer_x"]).json
    assert [(row["name"], row["status"]) for row in detail["invited"]] == [
        ("Vendor A", "none"),
        ("Vendor B", "none"),
        ("Kakuma Digital Works", "bid"),
    ]
    assert detail["invited_by_email"][0]["state"] == "accepted"
    assert detail["invited_by_email"][0]["organization"] == "Kakuma Digital Works"
    for reader in ("buyer_x", "executive_x", "vendor_a"):
        bids = client.get(f"{url}/bids", headers=s.headers[reader])
        assert bids.status_code == 200 and bids.json == [], reader
        one = client.get(f"/api/v1/bids/{placed.json['id']}", headers=s.headers[reader])
        assert one.status_code == 404, reader
    buyer_page = pages.get(f"/events/{event['id']}").text
    assert "11.11" not in buyer_page and "by Kakuma Digital Works" in buyer_page
    own = client.get(f"{url}/bids", headers=headers).json
    assert [(b["price"], b["vendor"]) for b in own] == [(11.111, "Kakuma Digital Works")]


def test_a_vendor_joining_with_its_profile_is_invited_at_once(app, client, request, sign_in):
    """A vendor on the platform's user accepting (joining) is its vendor: invited at once."""
    s = request.getfixturevalue("sourcing")
    event = _published(client, s, vendor_ids=[s.vendors["a"].id])
    made = client.post(
        f"/api/v1/events/{event['id']}/invitations",
        headers=s.headers["buyer_x"],
        json={"email": "new.person@vendorc.example", "company_name": "Vendor C"},
    )
    assert made.status_code == 201, made.json
    assert made.json["reused"] is False and made.json["link"].startswith("http://localhost/")
    assert made.json["company_name"] == "Vendor C" and made.json["state"] == "pending"
    vendor_c = sign_in(app.test_client(), s.users["vendor_c"])
    assert vendor_c.get(f"/events/{event['id']}").status_code == 404  # not yet
    form = vendor_c.get(path_of(made.json["link"]))
    joined = vendor_c.post(
        path_of(made.json["link"]), data={"csrf_token": csrf_token_from(form.text)}
    )
    assert joined.status_code == 302, joined.text
    invited = db.session.scalars(
        select(EventVendor.vendor_id).where(EventVendor.event_id == event["id"])
    ).all()
    assert invited == [s.vendors["a"].id, s.vendors["c"].id]
    assert vendor_c.get(f"/events/{event['id']}").status_code == 200
    placed = client.post(
        f"/api/v1/events/{event['id']}/bids",
        headers=s.headers["vendor_c"],
        json=_bid(event["lots"][0]["id"]),
    )
    assert placed.status_code == 201, placed.json


def test_a_pending_invitation_is_reused_and_bad_input_changes_nothing(client, request, make_user):
    s = request.getfixturevalue("sourcing")
    first, second = _create(client, s), _published(client, s, title="Second round")
    post = lambda event_id, **body: client.post(  # noqa: E731
        f"/api/v1/events/{event_id}/invitations", headers=s.headers["buyer_x"], json=body
    )
    made = post(first["id"], email=AMANI, company_name="Kakuma")
    assert made.status_code == 201
    reused = post(second["id"], email=AMANI, company_name="Kakuma Digital")
    assert reused.status_code == 201, reused.json
    assert reused.json["reused"] is True and reused.json["link"] is None
    assert reused.json["id"] == made.json["id"]
    assert _counts() == (1, 2, 3)  # one invitation, two events, three audit events
    # its message names both events now (it named the first only), as its page shows it
    invitation = db.session.get(Invitation, made.json["id"])
    deadlines = [e["deadline"][:16].replace("T", " ") for e in (first, second)]
    both = (
        f"Buyer X invites Kakuma Digital to bid on 'Annotation 2027' (bids until "
        f"{deadlines[0]} UTC) and 'Second round' (bids until {deadlines[1]} UTC). Register "
        "your organization through this link, then open the events from your home page."
    )
    assert invitation.message == both
    page = client.application.test_client().get(path_of(made.json["link"])).text
    assert both.replace("'", "&#39;") in page
    again = post(second["id"], email=AMANI, company_name="Kakuma Digital")
    assert again.status_code == 409
    # bad input: 422 naming the field, nothing stored
    vendor_user = make_user("vendor", organization=s.users["vendor_b"].organization)
    cancelled = _create(client, s, title="Called off")
    assert (
        client.post(
            f"/api/v1/events/{cancelled['id']}/cancel",
            headers=s.headers["buyer_x"],
            json={"version": cancelled["version"]},
        ).status_code
        == 200
    )
    for event_id, body, field, words in (
        (first["id"], {"email": "not-an-address", "company_name": "K"}, "email", "email address"),
        # a colleague's address (another organization's users are invited as anyone: below)
        (
            first["id"],
            {"email": s.users["executive_x"].email, "company_name": "K"},
            "email",
            "is a user of Buyer X",
        ),
        (first["id"], {"email": "ok@new.example", "company_name": "   "}, "company_name", "Give"),
        # a name that would pass for another
        (
            first["id"],
            {"email": "ok@new.example", "company_name": "Kakuma\u200bDigital"},
            "company_name",
            "U+200B ZERO WIDTH SPACE",
        ),
        (cancelled["id"], {"email": "ok@new.example", "company_name": "K"}, "state", "cancelled"),
    ):
        refused = post(event_id, **body)
        assert refused.status_code == 422, (body, refused.json)
        assert words in " ".join(refused.json["errors"][field]), refused.json
        for organization in (s.users["buyer_y"].organization, vendor_user.organization):
            assert organization.name not in str(refused.json)
    assert _counts() == (1, 2, 3)
    # another organization's buyer: 404; the event's executive or a vendor: 403
    for reader, status in (("buyer_y", 404), ("executive_x", 403), ("vendor_a", 403)):
        answer = client.post(
            f"/api/v1/events/{first['id']}/invitations",
            headers=s.headers[reader],
            json={"email": "ok@new.example", "company_name": "K"},
        )
        assert answer.status_code == status, reader
    assert _counts() == (1, 2, 3)
    assert db.session.scalar(select(func.count()).select_from(Bid)) == 0
    assert db.session.get(SourcingEvent, first["id"]).version == first["version"]
    # a pending invitation made on the invitations page keeps the buyer's own words
    plain = client.post(
        "/api/v1/invitations",
        headers=s.headers["buyer_x"],
        json={"email": "ok@new.example", "message": "We like your work."},
    )
    assert plain.status_code == 201, plain.json
    assert post(second["id"], email="ok@new.example", company_name="OK").status_code == 201
    db.session.expire_all()
    assert db.session.get(Invitation, plain.json["id"]).message == (
        "We like your work.\n\nBuyer X invites OK to bid on 'Second round' (bids until "
        f"{deadlines[1]} UTC). Register your organization through this link, then open the "
        "event from your home page."
    )


def test_a_reused_invitation_is_mailed_again_naming_every_event(client, request):
    """With mail settings: the first event's invitation is mailed with its link; reused for a
    second event, a second mail (no link: it is not stored) names both events."""
    s, mailed = request.getfixturevalue("sourcing"), request.getfixturevalue("smtp_sink")
    first, second = _published(client, s), _published(client, s, title="Second round")
    for event in (first, second):
        made = client.post(
            f"/api/v1/events/{event['id']}/invitations",
            headers=s.headers["buyer_x"],
            json={"email": AMANI, "company_name": "Kakuma"},
        )
        assert made.status_code == 201 and made.json["mailed"] is True, made.json
    [(_, invited), (recipients, again)] = mailed
    assert recipients == [AMANI]
    assert again["Subject"] == "Buyer X adds to its invitation to impact-procure"
    body = again.get_content().replace("\r\n", "\n")
    assert "'Annotation 2027' (bids until" in body and "and 'Second round' (bids until" in body
    assert "/invitations/" not in body and "/invitations/" in invited.get_content()


def test_an_organization_that_accepts_after_the_close_is_told_as_the_others_were(
    app, client, request, bearer
):
    """An invitation carries a published event and a draft; the event closes and the draft is
    cancelled while it is pending. The organization that then accepts it (registering, with no
    vendor profile) is told the event closed, as its invited vendors were, and nothing of the
    draft that never opened; it reads the event, and has no vendor made for it."""
    s = request.getfixturevalue("sourcing")
    event, draft = _published(client, s, sealed=False), _create(client, s, title="Called off")
    links = []
    for each in (event, draft):
        made = client.post(
            f"/api/v1/events/{each['id']}/invitations",
            headers=s.headers["buyer_x"],
            json={"email": AMANI, "company_name": "Kakuma"},
        )
        assert made.status_code == 201, made.json
        links.append(made.json["link"])
    link = links[0]  # the second reused the pending invitation
    for each, action in ((event, "close"), (draft, "cancel")):
        ended = client.post(
            f"/api/v1/events/{each['id']}/{action}",
            headers=s.headers["buyer_x"],
            json={"version": each["version"]},
        )
        assert ended.status_code == 200, ended.json
    visitor = app.test_client()
    form = visitor.get(path_of(link))
    registered = visitor.post(
        path_of(link), data={**registration(), "csrf_token": csrf_token_from(form.text)}
    )
    assert registered.status_code == 302
    invitation = db.session.scalars(select(Invitation)).one()
    closed = "Buyer X closed 'Annotation 2027': no more bids are taken."
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == invitation.accepted_by_id)
    ).all()
    assert [(n.kind, n.title, n.link) for n in told] == [
        (NotificationKind.EVENT_CLOSED, closed, f"/events/{event['id']}")
    ]
    others = db.session.scalars(
        select(Notification.title).where(
            Notification.user_id == s.users["vendor_a"].id,
            Notification.kind == NotificationKind.EVENT_CLOSED,
        )
    ).all()
    assert others == [closed]  # the same notice the invited vendors got at the close
    headers = bearer(invitation.accepted_by, STRONG)
    assert client.get(f"/api/v1/events/{event['id']}", headers=headers).status_code == 200
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Vendor)
            .where(Vendor.organization_id == invitation.accepted_organization_id)
        )
        == 0
    )


@pytest.mark.parametrize("mail", [False, True])
def test_the_page_says_whether_a_reused_invitation_was_mailed_again(
    app, client, request, sign_in, mail
):
    """Reused for a second event through the page: with mail settings the page says a mail
    naming every event goes to the address (and it does); without, that no mail is sent."""
    s = request.getfixturevalue("sourcing")
    mailed = request.getfixturevalue("smtp_sink") if mail else []
    first, second = _published(client, s), _published(client, s, title="Second round")
    pages = sign_in(app.test_client(), s.users["buyer_x"])
    for event in (first, second):
        page = pages.get(f"/events/{event['id']}").text
        sent = pages.post(
            f"/events/{event['id']}/invitations",
            data={"company_name": "Kakuma", "email": AMANI, "csrf_token": csrf_token_from(page)},
        )
        assert sent.status_code == 302, sent.text
    shown = pages.get(f"/events/{second['id']}").text
    assert f"the pending invitation to {AMANI} now also carries this event." in shown
    assert "went out already" not in shown
    told = "A mail naming every event it carries goes to them"
    assert (told in shown) is mail
    assert ("No mail is sent (mail is not set up)" in shown) is not mail
    assert len(mailed) == (2 if mail else 0)


def test_the_page_names_a_refused_field_and_keeps_nothing(app, client, request, sign_in):
    s = request.getfixturevalue("sourcing")
    event = _create(client, s)
    pages = sign_in(app.test_client(), s.users["buyer_x"])
    page = pages.get(f"/events/{event['id']}").text
    refused = pages.post(
        f"/events/{event['id']}/invitations",
        data={"company_name": "Kakuma", "email": "nope", "csrf_token": csrf_token_from(page)},
    )
    assert refused.status_code == 422
    assert "Nobody was invited" in refused.text and 'value="nope"' in refused.text
    assert _counts() == (0, 0, 0)
    other = sign_in(app.test_client(), s.users["buyer_y"])
    token = csrf_token_from(other.get("/events").text)
    hidden = other.post(
        f"/events/{event['id']}/invitations",
        data={"company_name": "K", "email": AMANI, "csrf_token": token},
    )
    assert hidden.status_code == 404 and _counts() == (0, 0, 0)


# ------------------------------------------- an address with an account is never told apart

FRESH = "fresh.person@nobody.example"
_LINK = re.compile(r"(https?://[^/\s\"]+)?/invitations/[A-Za-z0-9_\-]{20,}")
_TIME = re.compile(r"\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z| UTC)?)?")
_CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+|(name="csrf-token" content=")[^"]+')


def _addresses(s) -> list[str]:
    """A fresh address, a vendor user's and another buyer organization's user's (and an
    assurer's): the buyer of Buyer X must get the same answer for each."""
    return [
        FRESH,
        s.users["vendor_c"].email,
        s.users["buyer_y"].email,
        s.users["assurer"].email,
    ]


def _normalised(text: str, address: str) -> str:
    """`text` with the address, links, times, ids in paths and form tokens made alike."""
    text = _LINK.sub("LINK", text.replace(address, "ADDRESS"))
    text = _CSRF.sub(lambda m: (m.group(1) or m.group(2)) + "TOKEN", text)
    return re.sub(r"/invitations/\d+/", "/invitations/ID/", _TIME.sub("TIME", text))


def _api_answer(answer, address: str) -> tuple[int, dict]:
    body = dict(answer.json)
    assert body["email"] == address
    body.update(id="ID", email="ADDRESS", created_at="TIME", expires_at="TIME")
    if body.get("link"):
        body["link"] = _LINK.sub("LINK", body["link"])
    return answer.status_code, body


def test_the_api_answers_alike_whether_the_address_has_an_account(app, client, request):
    """Another organization's user's address (a vendor's, a buyer's, an assurer's) is invited
    as a fresh one: the same answer, the same audit events and a pending invitation in the
    buyer's list; its organization is named nowhere. The link's page, opened by whoever holds it
    (without mail settings the buyer does), is the same too."""
    s = request.getfixturevalue("sourcing")
    event = _published(client, s)
    answers, links = [], []
    for address in _addresses(s):
        made = client.post(
            f"/api/v1/events/{event['id']}/invitations",
            headers=s.headers["buyer_x"],
            json={"email": address, "company_name": "Kakuma"},
        )
        answers.append(_api_answer(made, address))
        links.append(made.json.get("link"))
        for other in ("Vendor C", "Buyer Y", "Assurer"):
            assert other not in made.text
    assert answers[0][0] == 201, answers[0]
    assert all(answer == answers[0] for answer in answers), answers
    # the audit events of each, alike but for the address and ids
    audited = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(("invitation.create", "event.invite_by_email")))
        .order_by(AuditEvent.id)
    ).all()
    assert len(audited) == 2 * len(answers)
    shapes = [
        (
            row.action,
            row.organization_id,
            re.sub(r"'invitation_id': \d+", "ID", _normalised(str(row.changes), a)),
        )
        for row, a in zip(audited, [a for a in _addresses(s) for _ in range(2)], strict=True)
    ]
    assert shapes[0::2] == [shapes[0]] * len(answers)
    assert shapes[1::2] == [shapes[1]] * len(answers)
    # the buyer's list: each pending
    listed = client.get("/api/v1/invitations", headers=s.headers["buyer_x"]).json["items"]
    assert sorted((i["email"], i["state"]) for i in listed) == sorted(
        (address, "pending") for address in _addresses(s)
    )
    # the link's page to whoever holds it, signed out
    pages = [
        _normalised(app.test_client().get(path_of(link)).text, address)
        for link, address in zip(links, _addresses(s), strict=True)
    ]
    assert "Register your organization" in pages[0]
    assert all(page == pages[0] for page in pages)


def test_the_page_answers_alike_whether_the_address_has_an_account(app, client, request, sign_in):
    s = request.getfixturevalue("sourcing")
    event = _published(client, s)
    pages = sign_in(app.test_client(), s.users["buyer_x"])
    seen = []
    for address in _addresses(s):
        form = pages.get(f"/events/{event['id']}").text
        sent = pages.post(
            f"/events/{event['id']}/invitations",
            data={"company_name": "Kakuma", "email": address, "csrf_token": csrf_token_from(form)},
        )
        shown = pages.get(sent.headers.get("Location", "/")).text
        # the list grows by one row each time: each row apart, the rest whole
        rows = re.findall(r"<tr>\s*<td>.*?</tr>", shown, flags=re.S)
        row = next(r for r in rows if f"<td>{address}</td>" in r)
        rest = re.sub(r"<tbody>.*?</tbody>", "", shown, flags=re.S)
        seen.append(
            (
                sent.status_code,
                sent.headers.get("Location"),
                _normalised(rest, address),
                _normalised(row, address),
            )
        )
        assert LINK_BOX.search(shown), shown
    assert seen[0][:2] == (302, "/invitations")
    assert all(each == seen[0] for each in seen), [each[:2] for each in seen]
    assert _counts() == (4, 4, 8)


def test_the_mail_tells_an_account_holder_to_sign_in(client, request):
    """With mail settings the buyer's answers are alike too; only the address's owner reads that
    it has an account (a vendor's user: sign in to accept for its vendor)."""
    s, mailed = request.getfixturevalue("sourcing"), request.getfixturevalue("smtp_sink")
    event = _published(client, s)
    answers = []
    for address in _addresses(s)[:3]:
        made = client.post(
            f"/api/v1/events/{event['id']}/invitations",
            headers=s.headers["buyer_x"],
            json={"email": address, "company_name": "Kakuma"},
        )
        assert made.json["mailed"] is True, made.json
        answers.append(_api_answer(made, address))
    assert answers[1:] == [answers[0]] * 2
    bodies = {to[0]: message.get_content().replace("\r\n", "\n") for to, message in mailed}
    fresh, vendor, buyer = (bodies[a] for a in _addresses(s)[:3])
    assert "Register your organization" in fresh and "sign in" not in fresh
    assert f"sign in to accept for {s.users['vendor_c'].organization.name}," in vendor, vendor
    assert "sign in, then open" in buyer, buyer
    for owner in (vendor, buyer):  # (the buyer's own words, quoted, still say "Register")
        assert "Register your organization, or join" not in owner
    assert "Register your organization, or join" in fresh


def test_a_vendor_user_invited_by_its_address_accepts_and_its_vendor_is_invited(
    app, client, request, sign_in
):
    s = request.getfixturevalue("sourcing")
    event = _published(client, s, vendor_ids=[s.vendors["a"].id])
    made = client.post(
        f"/api/v1/events/{event['id']}/invitations",
        headers=s.headers["buyer_x"],
        json={"email": s.users["vendor_c"].email, "company_name": "Vendor C"},
    )
    assert made.status_code == 201, made.json
    # signed out, the link offers to sign in; signed in, to accept for its vendor
    signed_out = app.test_client().get(path_of(made.json["link"])).text
    assert "Already on impact-procure?" in signed_out
    vendor_c = sign_in(app.test_client(), s.users["vendor_c"])
    form = vendor_c.get(path_of(made.json["link"]))
    organization = s.users["vendor_c"].organization.name
    assert form.status_code == 200 and f"Accept for {organization}" in form.text
    joined = vendor_c.post(
        path_of(made.json["link"]), data={"csrf_token": csrf_token_from(form.text)}
    )
    assert joined.status_code == 302, joined.text
    invited = db.session.scalars(
        select(EventVendor.vendor_id).where(EventVendor.event_id == event["id"])
    ).all()
    assert invited == [s.vendors["a"].id, s.vendors["c"].id]
    listed = client.get("/api/v1/invitations", headers=s.headers["buyer_x"]).json["items"]
    assert [(i["state"], i["accepted_organization"]["name"]) for i in listed] == [
        ("accepted", organization)
    ]
    placed = client.post(
        f"/api/v1/events/{event['id']}/bids",
        headers=s.headers["vendor_c"],
        json=_bid(event["lots"][0]["id"]),
    )
    assert placed.status_code == 201, placed.json


@pytest.mark.parametrize("owner", ["buyer_y", "assurer"])
def test_a_non_vendor_user_invited_by_its_address_is_refused_at_the_link(
    app, client, request, sign_in, owner
):
    """The address's owner, of a buyer (or assurance) organization, reads at the link that its
    account cannot accept; accepting anyway is refused and changes nothing. The inviting buyer
    opening the link reads the page anyone signed in elsewhere reads, never the refusal."""
    s = request.getfixturevalue("sourcing")
    event = _published(client, s)
    user = s.users[owner]
    made = client.post(
        f"/api/v1/events/{event['id']}/invitations",
        headers=s.headers["buyer_x"],
        json={"email": user.email, "company_name": "Kakuma"},
    )
    assert made.status_code == 201, made.json
    path = path_of(made.json["link"])
    before = (
        db.session.scalar(  # signing in is audited; nothing else may be
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.not_like("auth.%"))
        ),
        db.session.scalars(
            select(EventVendor.vendor_id).where(EventVendor.event_id == event["id"])
        ).all(),
    )
    refused = "Your account cannot accept this invitation"
    organization = user.organization.name
    pages = sign_in(app.test_client(), user)
    page = pages.get(path)
    assert page.status_code == 200 and refused in page.text
    assert f"Your account belongs to {organization}, a {user.organization.kind}" in page.text
    assert "<h2>Register your organization</h2>" not in page.text
    assert "button-block" not in page.text and "Sign out to accept" not in page.text
    tried = pages.post(path, data={"csrf_token": csrf_token_from(pages.get("/").text)})
    assert tried.status_code == 409 and refused in tried.text
    db.session.expire_all()
    invitation = db.session.get(Invitation, made.json["id"])
    assert invitation.state == "pending" and invitation.accepted_organization_id is None
    after = (
        db.session.scalar(  # signing in is audited; nothing else may be
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.not_like("auth.%"))
        ),
        db.session.scalars(
            select(EventVendor.vendor_id).where(EventVendor.event_id == event["id"])
        ).all(),
    )
    assert after == before
    listed = client.get("/api/v1/invitations", headers=s.headers["buyer_x"]).json["items"]
    assert [i["state"] for i in listed] == ["pending"]
    inviter = sign_in(app.test_client(), s.users["buyer_x"]).get(path).text
    assert refused not in inviter and organization not in inviter
    assert "Sign out to accept" in inviter
