"""Sourcing events: a buyer puts needs of its organization out to bid as lots, invites vendors on
the platform and sets a deadline and rules (`create_event`); it publishes the event (the vendors
are told), extends the deadline, closes or cancels it (the vendors are told again); the
scheduler closes a sealed event once its deadline has passed (`close_due_events`). Invited
vendors bid on each lot until the deadline (`place_bid`), amend their bid (`amend_bid`) and
withdraw it (`withdraw_bid`: the row goes, its figures stay in the audit log, the lot keeps
when (`LotWithdrawal`, per lot and vendor: the buyer side reads "withdrawn from lot X" rather
than "not yet", and the vendor stays in the other lots), and the vendor may bid on that lot
again). A buyer also invites a vendor not on the platform by email (`invite_by_email`): through
an invitation (procure.invitations) it registers, and once accepted it bids as an invited
vendor (`_admit_accepted`, `_join_events`).

Every state change is conditional on the version the caller loaded (409 on a stale one, also
when another request wins the race: the UPDATE carries `WHERE version = :read`) and writes an
audit event. Services flush; the request or command commits. Bids are amended in place with a
version rather than kept as a chain of rows: there is one current bid per vendor and lot (a
unique constraint settles a race between two first bids), reads stay simple, and the history of
figures is in the audit log (`bid.amend`, before and after), under the vendor's organization.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import CompoundSelect, select, union, update

from procure.accounts.models import Organization, User
from procure.accounts.names import name_problems
from procure.accounts.services import normalise_email
from procure.audit.services import SYSTEM, record_event
from procure.db import rowcount, utcnow
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.events.models import (
    Bid,
    EventInvitation,
    EventLot,
    EventVendor,
    LotWithdrawal,
    SourcingEvent,
)
from procure.extensions import db
from procure.invitations.models import Invitation
from procure.invitations.services import create_invitation, email_refusal
from procure.invitations.signals import invitation_accepted
from procure.needs.models import Need
from procure.notifications.services import active_users, link_to, notify
from procure.rates.services import currency_refusal, price_refusal
from procure.reference import reference
from procure.states import EventState, InvitationState, NotificationKind
from procure.vendors.models import Vendor

MAX_TITLE_LENGTH = 200
MAX_MESSAGE_LENGTH = 4000
MAX_COMMENT_LENGTH = 2000
MAX_LOTS = 200
MAX_VENDORS_INVITED = 500
# the roles of a vendor organization that bid (its admin acts as the vendor)
BIDDING_ROLES = ("vendor", "admin")
RULE_FIELDS = ("sealed", "min_quality", "evidence_required", "show_rank_bands")


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


# ---------------------------------------------------------------- events


def create_event(buyer: User, fields: Mapping[str, Any], now: datetime) -> SourcingEvent:
    """A draft event of the buyer's organization: `title`, `message`, `need_ids` (its own needs,
    not archived, each a lot), `vendor_ids` (vendors on the platform), `deadline` (after `now`)
    and the rules `sealed`, `min_quality`, `evidence_required`, `show_rank_bands`. All or nothing;
    ValidationFailed names `need_ids`, `vendor_ids` or `deadline`."""
    errors: dict[str, list[str]] = {}
    need_ids = list(dict.fromkeys(fields["need_ids"]))
    needs = {
        need.id: need
        for need in db.session.scalars(
            select(Need).where(
                Need.id.in_(need_ids),
                Need.organization_id == buyer.organization_id,
                Need.archived.is_(False),
            )
        )
    }
    missing = [need_id for need_id in need_ids if need_id not in needs]
    if missing:
        errors["need_ids"] = [
            f"No open need of your organization with id {', '.join(map(str, missing))}."
        ]
    vendor_ids = list(dict.fromkeys(fields["vendor_ids"]))
    vendors = {
        vendor.id: vendor
        for vendor in db.session.scalars(select(Vendor).where(Vendor.id.in_(vendor_ids)))
    }
    unknown = [vendor_id for vendor_id in vendor_ids if vendor_id not in vendors]
    if unknown:
        errors["vendor_ids"] = [f"No vendor with id {', '.join(map(str, unknown))}."]
    if not need_ids:
        errors.setdefault("need_ids", []).append("Choose at least one need: each is a lot.")
    if not vendor_ids:
        errors.setdefault("vendor_ids", []).append("Invite at least one vendor.")
    if fields["deadline"] <= now:
        errors["deadline"] = [f"Choose a moment after now ({_when(now)})."]
    if errors:
        raise ValidationFailed(errors)
    event = SourcingEvent(
        organization_id=buyer.organization_id,
        created_by_id=buyer.id,
        title=fields["title"].strip(),
        message=(fields.get("message") or "").strip() or None,
        deadline=fields["deadline"],
        sealed=fields.get("sealed", True),
        min_quality=fields.get("min_quality"),
        evidence_required=fields.get("evidence_required"),
        show_rank_bands=fields.get("show_rank_bands", False),
        state=EventState.DRAFT,
    )
    db.session.add(event)
    for need_id in need_ids:
        need = needs[need_id]
        event.lots.append(
            EventLot(
                need_id=need.id,
                title=need.title,
                service_category=need.service_category,
                unit=need.unit,
                volume=need.volume,
                period_start=need.period_start,
                period_end=need.period_end,
            )
        )
    for vendor_id in vendor_ids:
        event.invited.append(EventVendor(vendor_id=vendor_id))
    db.session.flush()
    record_event(
        "event.create",
        event,
        actor=buyer,
        after={
            "title": event.title,
            "deadline": event.deadline,
            "need_ids": need_ids,
            "vendor_ids": vendor_ids,
            **{name: getattr(event, name) for name in RULE_FIELDS},
        },
    )
    return event


def _change_state(
    event: SourcingEvent,
    sent: int | None,
    allowed: tuple[EventState, ...],
    verb: str,
) -> str:
    """Check the version the caller loaded and that the event may `verb` from its state; the
    state before the change."""
    check_version(event, sent, "event")
    if event.state not in allowed:
        raise ConflictError(f"This event is {event.state}: it cannot be {verb}.")
    return event.state


def publish_event(event: SourcingEvent, user: User, sent: int | None, now: datetime) -> None:
    """Open a draft event to its invited vendors, who are each told; its deadline must still be
    ahead (ValidationFailed names `deadline`; a draft is not edited: cancel it, make a new one)."""
    before = _change_state(event, sent, (EventState.DRAFT,), "published")
    if event.deadline <= now:
        raise ValidationFailed(
            {"deadline": [f"The deadline {_when(event.deadline)} has passed: make a new event."]}
        )
    event.state, event.published_at = EventState.PUBLISHED, now
    save_changes(event, "event", sent)
    record_event(
        "event.publish", event, actor=user, before={"state": before}, after={"state": event.state}
    )
    _tell_vendors(event, NotificationKind.EVENT_PUBLISHED, _published_words(event))


def extend_deadline(
    event: SourcingEvent, user: User, sent: int | None, deadline: datetime, now: datetime
) -> None:
    """Move a published event's deadline later (ValidationFailed names `deadline` when it is not
    after both the current deadline and now)."""
    _change_state(event, sent, (EventState.PUBLISHED,), "extended")
    if deadline <= event.deadline or deadline <= now:
        raise ValidationFailed(
            {
                "deadline": [
                    f"Choose a moment after the current deadline ({_when(event.deadline)}) "
                    "and after now."
                ]
            }
        )
    before = event.deadline
    event.deadline = deadline
    save_changes(event, "event", sent)
    record_event(
        "event.extend", event, actor=user, before={"deadline": before}, after={"deadline": deadline}
    )


def close_event(event: SourcingEvent, user: User, sent: int | None, now: datetime) -> None:
    """End bidding: the buyer side reads every bid from now on, and the invited vendors are told.
    A sealed event closes at its deadline or after (ConflictError before): closing it early
    would open the bids before the time promised to the vendors."""
    before = _change_state(event, sent, (EventState.PUBLISHED,), "closed")
    if event.sealed and now < event.deadline:
        raise ConflictError(
            f"This event's bids are sealed until its deadline ({_when(event.deadline)}): close "
            "it then, or cancel it.",
            {"deadline": ["Not passed yet."]},
        )
    event.state, event.ended_at, event.ended_by = EventState.CLOSED, now, user
    save_changes(event, "event", sent)
    _announce_close(event, user, before)


def _announce_close(event: SourcingEvent, actor: Any, before: str) -> None:
    """What every close writes and sends, by a buyer or by the scheduler: the audit event (under
    the event's organization) and the invited vendors' notification."""
    record_event(
        "event.close",
        event,
        actor=actor,
        before={"state": before},
        after={"state": event.state},
        organization_id=event.organization_id,
    )
    _tell_vendors(event, NotificationKind.EVENT_CLOSED, _ended_words(event))


def _published_words(event: SourcingEvent) -> str:
    """What an invited vendor is told of an event open for bids."""
    return (
        f"{event.organization.name} invites you to bid on {event.title!r} by "
        f"{_when(event.deadline)}."
    )


def _ended_words(event: SourcingEvent) -> str:
    """What the invited vendors are told when a published event ends (closed or cancelled)."""
    if event.state == EventState.CANCELLED:
        return f"{event.organization.name} cancelled {event.title!r}: no bids are taken or read."
    return f"{event.organization.name} closed {event.title!r}: no more bids are taken."


def close_due_events(now: datetime) -> int:
    """Close, as the system, every published sealed event whose deadline has passed (`now` at
    it or after), with the audit event and notifications of a manual close; how many closed.
    Each event is closed by one conditional UPDATE (still published, sealed and due), so two
    schedulers running at once, or a buyer closing it in the same moment, close it once: the
    loser's UPDATE matches no row and it writes and sends nothing. An unsealed event is left to
    its buyer, who may still extend its deadline after it passed."""
    due = (
        SourcingEvent.state == EventState.PUBLISHED,
        SourcingEvent.sealed.is_(True),
        SourcingEvent.deadline <= now,
    )
    closed = 0
    for event_id in db.session.scalars(select(SourcingEvent.id).where(*due)).all():
        changed = db.session.execute(
            update(SourcingEvent)
            .where(SourcingEvent.id == event_id, *due)
            .values(
                state=EventState.CLOSED,
                ended_at=now,
                ended_by_id=None,
                version=SourcingEvent.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if rowcount(changed) != 1:
            continue
        event = db.session.get_one(SourcingEvent, event_id, populate_existing=True)
        _announce_close(event, SYSTEM, EventState.PUBLISHED)
        closed += 1
    return closed


def cancel_event(event: SourcingEvent, user: User, sent: int | None, now: datetime) -> None:
    """Call a draft or published event off: no more bids, none read by the buyer side. The
    vendors of a published one are told."""
    before = _change_state(event, sent, (EventState.DRAFT, EventState.PUBLISHED), "cancelled")
    event.state, event.ended_at, event.ended_by = EventState.CANCELLED, now, user
    save_changes(event, "event", sent)
    record_event(
        "event.cancel", event, actor=user, before={"state": before}, after={"state": event.state}
    )
    if before == EventState.PUBLISHED:
        _tell_vendors(event, NotificationKind.EVENT_CLOSED, _ended_words(event))


def _tell_vendors(event: SourcingEvent, kind: NotificationKind, title: str) -> None:
    """Notify the users of each invited vendor organization (its vendors and admin), also those
    that accepted an invitation by email to the event."""
    organizations: CompoundSelect = union(
        select(Vendor.organization_id).where(
            Vendor.id.in_(select(EventVendor.vendor_id).where(EventVendor.event_id == event.id))
        ),
        select(Invitation.accepted_organization_id)
        .join(EventInvitation, EventInvitation.invitation_id == Invitation.id)
        .where(
            EventInvitation.event_id == event.id, Invitation.accepted_organization_id.is_not(None)
        ),
    )
    notify(
        active_users(*BIDDING_ROLES, organizations=organizations),
        kind,
        title,
        link=link_to("event_pages.show", event_id=event.id),
        subject=event,
    )


# ---------------------------------------------------------------- vendors invited by email

MAX_COMPANY_NAME_LENGTH = 200


@dataclass
class EmailInvited:
    """A vendor invited to an event by email: its event row, and the invitation's link secret
    when a new invitation was made (None when a pending one to that address was reused: its
    link went out already)."""

    row: EventInvitation
    secret: str | None

    @property
    def invitation(self) -> Invitation:
        return self.row.invitation


def _invitation_message(events: Sequence[SourcingEvent], company_name: str) -> str:
    """What the invitation says of the events it carries, each with its deadline."""
    named = [f"{event.title!r} (bids until {_when(event.deadline)})" for event in events]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return (
        f"{events[0].organization.name} invites {company_name} to bid on {listed}. Register "
        f"your organization through this link, then open the "
        f"{'event' if len(named) == 1 else 'events'} from your home page."
    )


def _carry_event(invitation: Invitation, rows: Sequence[EventInvitation]) -> None:
    """A pending invitation reused for one more event: its message names every event it
    carries now (`rows`, oldest first, the new one last). The sentence about the earlier
    events is replaced; any other words of the buyer's (an invitation made on the invitations
    page) are kept."""
    sentence = _invitation_message([row.event for row in rows], rows[-1].company_name)
    message = invitation.message or ""
    start = -1
    if len(rows) > 1:
        earlier = rows[:-1]
        start = message.find(
            f"{earlier[0].event.organization.name} invites {earlier[-1].company_name} to bid on "
        )
    if start >= 0:
        invitation.message = message[:start] + sentence
    else:
        invitation.message = f"{message}\n\n{sentence}" if message else sentence


def invite_by_email(
    event: SourcingEvent, buyer: User, email: str, company_name: str
) -> EmailInvited:
    """Invite a vendor to a draft or published event by email and company name, through the
    buyer organization's invitations: a pending invitation to the address is reused (a new one
    is made otherwise, its link shown or mailed once). Once accepted (a new vendor organization
    registered through the link, or a vendor on the platform whose user signs in and accepts),
    the vendor organization is an invited bidder of the event. An address of another
    organization's user is invited like any other: the buyer is never told it has an account.
    ValidationFailed names `email` (malformed, or a user of the buyer's own organization) or
    `company_name`, or `state` (the event is closed or cancelled); nothing changes then."""
    errors: dict[str, list[str]] = {}
    if event.state not in (EventState.DRAFT, EventState.PUBLISHED):
        errors["state"] = [f"This event is {event.state}: only a draft or open event invites."]
    company_name = (company_name or "").strip()
    if len(company_name) > MAX_COMPANY_NAME_LENGTH:
        errors["company_name"] = [
            f"Keep the company's name to {MAX_COMPANY_NAME_LENGTH} characters."
        ]
    elif problems := name_problems(company_name, "company"):  # blank, or invisible characters
        errors["company_name"] = problems
    address = normalise_email(email or "")
    # Whether another organization's user has the address is never told: the answer, the audit
    # event and the invitations list are the same as for an address without an account. Its
    # owner learns at the link what the invitation can do for them (procure.invitations). Only
    # the buyer's own colleagues are refused: that tells nothing of another tenant.
    colleague = db.session.scalar(
        select(User.id).where(User.email == address, User.organization_id == buyer.organization_id)
    )
    if colleague is not None:
        errors["email"] = [
            f"{address} is a user of {buyer.organization.name}: invite a vendor by its own address."
        ]
    pending = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.organization_id == event.organization_id,
            Invitation.email == address,
            Invitation.in_state(InvitationState.PENDING, utcnow()),
        )
        .order_by(Invitation.id.desc())
    ).first()
    secret: str | None = None
    if refusal := email_refusal(address):
        errors["email"] = [refusal]
    if errors:
        raise ValidationFailed(errors)
    if pending is None:
        pending, secret = create_invitation(
            buyer, address, _invitation_message([event], company_name)
        )
    twice = ConflictError(
        f"{address} is invited to this event already.", {"email": ["Invited already."]}
    )
    if any(row.invitation_id == pending.id for row in event.invited_by_email):
        raise twice
    row = EventInvitation(invitation=pending, company_name=company_name)
    event.invited_by_email.append(row)
    insert_once(row, twice)  # two requests at once: the second is told so, never a 500
    if secret is None:
        carried = db.session.scalars(
            select(EventInvitation)
            .where(EventInvitation.invitation_id == pending.id)
            .order_by(EventInvitation.id)
        ).all()
        _carry_event(pending, carried)
    record_event(
        "event.invite_by_email",
        event,
        actor=buyer,
        after={
            "invitation_id": pending.id,
            "email": address,
            "company_name": company_name,
            "reused": secret is None,
        },
    )
    return EmailInvited(row, secret)


def _admit_accepted(event: SourcingEvent, vendor: Vendor) -> bool:
    """Whether `vendor`'s organization accepted an invitation by email to the event; if so it
    becomes an invited vendor of the event (its `EventVendor` row, once)."""
    if not any(
        row.invitation.accepted_organization_id == vendor.organization_id
        for row in event.invited_by_email
    ):
        return False
    if all(row.vendor_id != vendor.id for row in event.invited):
        event.invited.append(EventVendor(vendor_id=vendor.id))
        db.session.flush()
    return True


@invitation_accepted.connect
def _join_events(invitation: Invitation, organization: Organization, **_: Any) -> None:
    """A vendor organization that accepted an invitation carrying events is invited to each
    draft or published one: at once when it has its vendor profile (the one it joined with),
    else from its first bid; the users of a published event's vendor are told. An event that
    was published and has ended since (closed, awarded or cancelled) is told as its invited
    vendors were told then, vendor profile or not: they read it, and it takes no more bids."""
    vendor = db.session.scalars(
        select(Vendor).where(Vendor.organization_id == organization.id)
    ).first()
    for row in db.session.scalars(
        select(EventInvitation).where(EventInvitation.invitation_id == invitation.id)
    ):
        event = row.event
        if event.state in (EventState.DRAFT, EventState.PUBLISHED) and vendor is not None:
            _admit_accepted(event, vendor)
        if event.state == EventState.DRAFT or (
            event.state == EventState.CANCELLED and event.published_at is None
        ):  # not open yet, or cancelled as a draft: nobody was told
            continue
        kind, title = (
            (NotificationKind.EVENT_PUBLISHED, _published_words(event))
            if event.state == EventState.PUBLISHED
            else (NotificationKind.EVENT_CLOSED, _ended_words(event))
        )
        notify(
            active_users(*BIDDING_ROLES, organization_id=organization.id),
            kind,
            title,
            link=link_to("event_pages.show", event_id=event.id),
            subject=event,
        )


# an invited vendor's status as the buyer side reads it: whether it bid, never what
BID_STATUSES = ("bid", "withdrawn", "none")


def _status(has_bid: bool, withdrawn_at: datetime | None) -> str:
    if has_bid:
        return "bid"
    return "withdrawn" if withdrawn_at is not None else "none"


@dataclass
class LotStatus:
    """An invited vendor's status on one lot: "bid" while it has a bid there; "withdrawn" when
    it withdrew its bid and has none there; "none" when it never bid on it."""

    lot_id: int
    lot: str  # the lot's title
    has_bid: bool
    withdrawn_at: datetime | None = None  # its last withdrawal from the lot, if any

    @property
    def status(self) -> str:
        return _status(self.has_bid, self.withdrawn_at)

    @property
    def words(self) -> str | None:
        """ "withdrawn from lot Invoices on 2026-12-07 10:30 UTC" while withdrawn, else None."""
        if self.status != "withdrawn":
            return None
        assert self.withdrawn_at is not None
        return f"withdrawn from lot {self.lot} on {_when(self.withdrawn_at)}"


@dataclass
class InvitedVendor:
    vendor_id: int
    name: str
    lots: list[LotStatus] = field(default_factory=list)
    # where its evidence stands today against the event's rule (None when it sets none)
    evidence: Any = None

    @property
    def has_bid(self) -> bool:
        return any(lot.has_bid for lot in self.lots)

    @property
    def withdrawn_at(self) -> datetime | None:
        """Its latest withdrawal from a lot, whether it bid again or not."""
        return max((lot.withdrawn_at for lot in self.lots if lot.withdrawn_at), default=None)

    @property
    def status(self) -> str:
        """Over the event: "bid" while it has a bid on some lot; "withdrawn" when it withdrew
        and has no bid left; "none" when it never bid."""
        return _status(self.has_bid, self.withdrawn_at)

    @property
    def withdrawn_lots(self) -> list[LotStatus]:
        """The lots it withdrew from and has no bid on now (it may still bid on others)."""
        return [lot for lot in self.lots if lot.status == "withdrawn"]


@dataclass
class InvitedByEmail:
    """A vendor invited by email: the invitation's state now and, once accepted, the vendor
    organization that accepted it."""

    invitation_id: int
    email: str
    company_name: str
    state: str
    organization: str | None = None


# Where invited vendors' evidence stands against an event's evidence rule is read above this
# area (procure.awards.evidence_rule reads the disclosures the scores use): that module
# registers its reader here when imported (create_app imports it with the award pages), so the
# event's API shows it as the page does without this area importing scoring.
EvidenceReader = Callable[[SourcingEvent, Collection[int]], Mapping[int, Any]]
_evidence_readers: list[EvidenceReader] = []
Reader = TypeVar("Reader", bound=EvidenceReader)


def read_evidence_with(reader: Reader) -> Reader:
    """Register how the buyer side's view reads its invited vendors' evidence standings."""
    _evidence_readers[:] = [reader]
    return reader


class EventView:
    """An event as one reader sees it: the buyer side also sees the vendors invited, whether
    each has bid or withdrew on each lot (never what, unless the bids are unsealed), where its
    evidence stands against the rule, and the vendors invited by email; a vendor sees none."""

    def __init__(self, event: SourcingEvent, buyer_side: bool):
        self.event = event
        self.invited: list[InvitedVendor] = []
        self.invited_by_email: list[InvitedByEmail] = []
        if buyer_side:
            bid = {
                (lot_id, vendor_id)
                for lot_id, vendor_id in db.session.execute(
                    select(Bid.lot_id, Bid.vendor_id).where(Bid.event_id == event.id)
                )
            }
            withdrawn = {(row.lot_id, row.vendor_id): row.withdrawn_at for row in event.withdrawals}
            vendor_ids = [row.vendor_id for row in event.invited]
            evidence: Mapping[int, Any] = {}
            if event.evidence_required and _evidence_readers:
                evidence = _evidence_readers[0](event, vendor_ids)
            self.invited = [
                InvitedVendor(
                    row.vendor_id,
                    row.vendor.name,
                    [
                        LotStatus(
                            lot.id,
                            lot.title,
                            (lot.id, row.vendor_id) in bid,
                            withdrawn.get((lot.id, row.vendor_id)),
                        )
                        for lot in event.lots
                    ],
                    evidence.get(row.vendor_id),
                )
                for row in event.invited
            ]
            now = utcnow()
            self.invited_by_email = [
                InvitedByEmail(
                    row.invitation_id,
                    row.invitation.email,
                    row.company_name,
                    row.invitation.state_at(now),
                    row.invitation.accepted_organization.name
                    if row.invitation.accepted_organization
                    else None,
                )
                for row in event.invited_by_email
            ]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)


# ---------------------------------------------------------------- bids


def vendor_of(user: User) -> Vendor | None:
    """The vendor profile of the user's organization (one per organization), if any."""
    return db.session.scalars(
        select(Vendor).where(Vendor.organization_id == user.organization_id)
    ).first()


def check_open(event: SourcingEvent, vendor: Vendor | None, now: datetime) -> None:
    """Refuse a bid unless `vendor` is invited and the event is published and before its
    deadline (ValidationFailed naming `lot_id`; ConflictError, naming `deadline` once passed).
    A vendor whose organization accepted an invitation by email to the event is invited from
    its first bid on, once it has its vendor profile (`_admit_accepted`)."""
    if vendor is None:
        raise ValidationFailed(
            {
                "lot_id": [
                    "Your organization has no vendor profile yet: create it (Vendor profile) "
                    "to bid."
                ]
            }
        )
    if vendor.id not in {invited.vendor_id for invited in event.invited} and not _admit_accepted(
        event, vendor
    ):
        raise ValidationFailed({"lot_id": ["Your vendor is not invited to this event."]})
    if event.state != EventState.PUBLISHED:
        raise ConflictError(f"This event is {event.state}: it takes no bids.")
    if now >= event.deadline:
        raise ConflictError(
            f"Bids were taken until {_when(event.deadline)}.",
            {"deadline": [f"Passed at {_when(event.deadline)}."]},
        )


def bid_errors(
    event: SourcingEvent, lot: EventLot, fields: Mapping[str, Any], today: date
) -> dict[str, list[str]]:
    """What is wrong with a bid's figures for `lot`, by field (the checks the schema cannot make:
    the lot's unit, a known currency and plausible price, hours per unit by unit, validity)."""
    errors: dict[str, list[str]] = {}
    if fields["unit"] != lot.unit:
        errors["unit"] = [f"This lot is bought per {lot.unit}: bid per {lot.unit}."]
    currency = fields["currency"]
    if currency not in reference().currencies:
        errors["currency"] = [f"Unknown currency {currency!r}: use an ISO 4217 code, e.g. USD."]
    elif refusal := currency_refusal(currency):
        errors["currency"] = [refusal]
    if fields["price"] <= 0:
        errors["price"] = ["The price must be above 0."]
    elif refusal := price_refusal(fields["price"], currency, today):
        errors["price"] = [refusal]
    hours = fields.get("hours_per_unit")
    if lot.unit == "hour":
        if hours is not None and hours != 1:
            errors["hours_per_unit"] = ["A lot bought per hour takes 1 hour per unit."]
    elif hours is None:
        errors["hours_per_unit"] = [
            f"Give the labour hours one {lot.unit} takes (your own figure): above 0, at most 1,000."
        ]
    if fields["capacity"] <= 0:
        errors["capacity"] = [f"Give the {lot.unit}s you can deliver in the period: above 0."]
    if fields["valid_until"] < event.deadline.date():
        errors["valid_until"] = [
            f"A bid must hold at least until the deadline's day ({event.deadline:%Y-%m-%d})."
        ]
    return errors


BID_FIGURES = (
    "price",
    "currency",
    "unit",
    "hours_per_unit",
    "capacity",
    "valid_until",
    "comment",
)
"""A bid's own figures, as `bid_figures` gives them."""


def bid_figures(lot: EventLot, fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "price": Decimal(str(fields["price"])),
        "currency": fields["currency"],
        "unit": fields["unit"],
        "hours_per_unit": 1.0 if lot.unit == "hour" else fields["hours_per_unit"],
        "capacity": fields["capacity"],
        "valid_until": fields["valid_until"],
        "comment": (fields.get("comment") or "").strip() or None,
    }


def place_bid(event: SourcingEvent, user: User, fields: Mapping[str, Any], now: datetime) -> Bid:
    """The user's vendor bids on one lot (`lot_id`) of a published event it is invited to,
    before the deadline. ValidationFailed names the field (`lot_id`, `unit`, `currency`,
    `price`, `hours_per_unit`, `capacity`, `valid_until`); a second bid on the same lot is a
    ConflictError (amend the first); so is a bid after the deadline (naming `deadline`)."""
    vendor = vendor_of(user)
    check_open(event, vendor, now)
    assert vendor is not None
    lot = next((lot for lot in event.lots if lot.id == fields["lot_id"]), None)
    if lot is None:
        raise ValidationFailed({"lot_id": [f"No lot {fields['lot_id']} in this event."]})
    errors = bid_errors(event, lot, fields, now.date())
    if errors:
        raise ValidationFailed(errors)
    mine = db.session.scalars(
        select(Bid).where(Bid.lot_id == lot.id, Bid.vendor_id == vendor.id)
    ).first()
    bid_exists = ConflictError(
        "You have a bid on this lot already: amend it (with its version).",
        {"lot_id": ["Bid on already."]},
    )
    if mine is not None:
        raise bid_exists
    bid = Bid(
        event_id=event.id,
        lot_id=lot.id,
        vendor_id=vendor.id,
        submitted_by_id=user.id,
        **bid_figures(lot, fields),
    )
    db.session.add(bid)
    insert_once(bid, bid_exists)
    record_event("bid.place", bid, actor=user, after={"lot_id": lot.id, **bid_figures(lot, fields)})
    return bid


def amend_bid(
    bid: Bid, user: User, fields: Mapping[str, Any], sent: int | None, now: datetime
) -> Bid:
    """Replace the figures of the vendor's bid (every field again, and the version loaded), on
    the same terms as a first bid; the old figures stay in the audit log."""
    event = bid.event
    check_open(event, vendor_of(user), now)
    check_version(bid, sent, "bid")
    errors = bid_errors(event, bid.lot, fields, now.date())
    if errors:
        raise ValidationFailed(errors)
    figures = bid_figures(bid.lot, fields)
    before = {name: getattr(bid, name) for name in figures}
    for name, value in figures.items():
        setattr(bid, name, value)
    bid.submitted_by_id = user.id
    save_changes(bid, "bid", sent)
    record_event("bid.amend", bid, actor=user, before=before, after=figures)
    return bid


def withdraw_bid(bid: Bid, user: User, sent: int | None, now: datetime) -> None:
    """Take the vendor's bid back before the deadline (the version loaded): the bid is gone, so
    no award scenario uses it and the buyer side never reads it, and the vendor may bid on the
    lot again until the deadline. Its last figures stay in the audit log (`bid.withdraw`,
    under the vendor's organization). After the deadline, or once the event is not open: a
    ConflictError, as an amendment."""
    check_open(bid.event, vendor_of(user), now)
    check_version(bid, sent, "bid")
    before = {
        "event_id": bid.event_id,
        "lot_id": bid.lot_id,
        "state": "placed",
        "version": bid.version,
        **{name: getattr(bid, name) for name in BID_FIGURES},
    }
    record_event("bid.withdraw", bid, actor=user, before=before, after={"state": "withdrawn"})
    _mark_withdrawn(bid, now)
    db.session.delete(bid)
    save_changes(bid, "bid", sent)


def refuse_withdrawing_again(bid_id: int, user: User, event_id: int | None = None) -> None:
    """A bid the user's vendor withdrew already (its row is gone; in `event_id` when given): a
    ConflictError saying from which lot and when, so that a second press of Withdraw reads as
    done rather than as an unknown bid. Decided by the lot's withdrawal record (`LotWithdrawal`:
    bid, vendor, lot, when), never by the audit log. Nothing when the vendor never withdrew that
    bid, or when the id names a live bid (SQLite may give a withdrawn bid's id to a new bid,
    another vendor's): the caller answers 404, as for another vendor's bid or organization."""
    vendor = vendor_of(user)
    if vendor is None or db.session.get(Bid, bid_id) is not None:
        return
    query = select(LotWithdrawal).where(
        LotWithdrawal.bid_id == bid_id, LotWithdrawal.vendor_id == vendor.id
    )
    if event_id is not None:
        query = query.where(LotWithdrawal.event_id == event_id)
    withdrawal = db.session.scalars(
        query.order_by(LotWithdrawal.withdrawn_at.desc(), LotWithdrawal.id.desc()).limit(1)
    ).first()
    if withdrawal is None:
        return
    raise ConflictError(
        f"You withdrew this bid from lot {withdrawal.lot.title} on "
        f"{_when(withdrawal.withdrawn_at)} already: there is nothing left to withdraw. Bid on "
        "the lot again to take part in it.",
        {"bid": ["Withdrawn already."]},
    )


def withdrawal_words(row: LotWithdrawal) -> str:
    """ "withdrew from lot Invoices on 2026-12-07 10:30 UTC": why an award leaves the vendor out
    of that lot."""
    return f"withdrew from lot {row.lot.title} on {_when(row.withdrawn_at)}"


def _mark_withdrawn(bid: Bid, now: datetime) -> None:
    """Keep when the vendor withdrew from the bid's lot, and which bid (one row per lot and
    vendor): its other lots are untouched."""
    row = next(
        (
            row
            for row in bid.event.withdrawals
            if row.lot_id == bid.lot_id and row.vendor_id == bid.vendor_id
        ),
        None,
    )
    if row is None:
        bid.event.withdrawals.append(
            LotWithdrawal(event_id=bid.event_id, lot_id=bid.lot_id, vendor_id=bid.vendor_id)
        )
        row = bid.event.withdrawals[-1]
    row.withdrawn_at, row.bid_id = now, bid.id


def event_now() -> datetime:
    """The moment deadlines are compared with (UTC)."""
    return utcnow()
