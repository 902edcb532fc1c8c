"""Sourcing events: a buyer puts needs of its organization out to bid as lots, invites vendors on
the platform and sets a deadline and rules (`create_event`); it publishes the event (the vendors
are told), extends the deadline, closes or cancels it (the vendors are told again); the
scheduler closes a sealed event once its deadline has passed (`close_due_events`). Invited
vendors bid on each lot until the deadline (`place_bid`), amend their bid (`amend_bid`) and
withdraw it (`withdraw_bid`: the row goes, its figures stay in the audit log, the invitation
keeps when (`EventVendor.withdrawn_at`, so the buyer side reads "withdrawn" rather than "not
yet"), and the vendor may bid on that lot again).

Every state change is conditional on the version the caller loaded (409 on a stale one, also
when another request wins the race: the UPDATE carries `WHERE version = :read`) and writes an
audit event. Services flush; the request or command commits. Bids are amended in place with a
version rather than kept as a chain of rows: there is one current bid per vendor and lot (a
unique constraint settles a race between two first bids), reads stay simple, and the history of
figures is in the audit log (`bid.amend`, before and after), under the vendor's organization.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from procure.accounts.models import User
from procure.audit.services import SYSTEM, record_event
from procure.db import rowcount, utcnow
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, ValidationFailed
from procure.events.models import Bid, EventLot, EventVendor, SourcingEvent
from procure.extensions import db
from procure.needs.models import Need
from procure.notifications.services import active_users, link_to, notify
from procure.rates.services import currency_refusal, price_refusal
from procure.reference import reference
from procure.states import EventState, NotificationKind
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
    _tell_vendors(
        event,
        NotificationKind.EVENT_PUBLISHED,
        f"{event.organization.name} invites you to bid on {event.title!r} by "
        f"{_when(event.deadline)}.",
    )


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
    _tell_vendors(
        event,
        NotificationKind.EVENT_CLOSED,
        f"{event.organization.name} closed {event.title!r}: no more bids are taken.",
    )


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
        _tell_vendors(
            event,
            NotificationKind.EVENT_CLOSED,
            f"{event.organization.name} cancelled {event.title!r}: no bids are taken or read.",
        )


def _tell_vendors(event: SourcingEvent, kind: NotificationKind, title: str) -> None:
    """Notify the users of each invited vendor organization (its vendors and admin)."""
    organizations = select(Vendor.organization_id).where(
        Vendor.id.in_(select(EventVendor.vendor_id).where(EventVendor.event_id == event.id))
    )
    notify(
        active_users(*BIDDING_ROLES, organizations=organizations),
        kind,
        title,
        link=link_to("event_pages.show", event_id=event.id),
        subject=event,
    )


def bidders(event: SourcingEvent) -> set[int]:
    """The ids of the invited vendors with a bid on some lot: whether each has bid, never what."""
    return set(db.session.scalars(select(Bid.vendor_id).where(Bid.event_id == event.id)))


# an invited vendor's status as the buyer side reads it: whether it bid, never what
BID_STATUSES = ("bid", "withdrawn", "none")


@dataclass
class InvitedVendor:
    vendor_id: int
    name: str
    has_bid: bool
    withdrawn_at: datetime | None = None  # its last withdrawal, whether it bid again or not

    @property
    def status(self) -> str:
        """Its status: "bid" while it has a bid in the event; "withdrawn" when it withdrew and
        has none left; "none" when it never bid."""
        if self.has_bid:
            return "bid"
        return "withdrawn" if self.withdrawn_at is not None else "none"


class EventView:
    """An event as one reader sees it: the buyer side also sees the vendors invited and whether
    each has bid or withdrew (never what, unless the bids are unsealed); a vendor sees
    neither."""

    def __init__(self, event: SourcingEvent, buyer_side: bool):
        self.event = event
        self.invited: list[InvitedVendor] = []
        if buyer_side:
            bid = bidders(event)
            self.invited = [
                InvitedVendor(
                    row.vendor_id, row.vendor.name, row.vendor_id in bid, row.withdrawn_at
                )
                for row in event.invited
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
    deadline (ValidationFailed naming `lot_id`; ConflictError, naming `deadline` once passed)."""
    if vendor is None or vendor.id not in {invited.vendor_id for invited in event.invited}:
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
    invitation = next(row for row in bid.event.invited if row.vendor_id == bid.vendor_id)
    invitation.withdrawn_at = now
    db.session.delete(bid)
    save_changes(bid, "bid", sent)


def event_now() -> datetime:
    """The moment deadlines are compared with (UTC)."""
    return utcnow()
