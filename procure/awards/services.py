"""Awards: an approved award scenario becomes its event's award (`record_award`), and what
each reader sees of it (`award_of`, `award_view`).

`procure.scenarios.services.decide_scenario` calls `refuse_second_award` before it approves a
scenario of an event, and `record_award` after, with the scenario's frozen documents: one award
per event. The second approval of another scenario of the same event answers 409, also when
two executives approve at the same moment (the unique event id of `award` settles it). The
award's lines are read once from those documents, so the award never moves. This area sits
below procure.scenarios: it is handed plain documents and ids, never a scenario. Services
flush; the request commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procure.accounts.models import User
from procure.audit.services import record_event
from procure.awards.models import Award, AwardLine
from procure.disclosures.pricing import left_out_reason, usd_rates
from procure.editing import insert_once
from procure.errors import ConflictError
from procure.events.models import BUYER_SIDE, Bid, SourcingEvent
from procure.events.services import vendor_of
from procure.extensions import db
from procure.notifications.services import active_users, link_to, notify
from procure.states import NotificationKind
from procure.vendors.models import Vendor

# the roles of a vendor organization told of its award (its admin acts as the vendor)
VENDOR_ROLES = ("vendor", "admin")
# an allocation below this many units is the solver's rounding, not work awarded
LEAST_VOLUME = 1e-9


def award_of(event: SourcingEvent) -> Award | None:
    """The event's award, if an award scenario of it was approved."""
    return db.session.scalars(select(Award).where(Award.event_id == event.id)).first()


def _awarded_already(event: SourcingEvent, scenario_id: int | None = None) -> ConflictError:
    by = f", by the approved scenario {scenario_id}" if scenario_id is not None else ""
    return ConflictError(
        f"The event “{event.title}” is awarded already{by}: an event has one award.",
        {"event_id": [f"Awarded already{by}."]},
    )


def refuse_second_award(event_id: int, scenario_id: int) -> None:
    """Refuse (409) approving award scenario `scenario_id` of an event already awarded."""
    event = db.session.get_one(SourcingEvent, event_id)
    award = award_of(event)
    if award is not None and award.scenario_id != scenario_id:
        raise _awarded_already(event, award.scenario_id)


Document = Mapping[str, Any]

# what a list of award lines shows of each (AwardLineSchema, the pages): loaded in one query per
# relationship, not one per line
LINE_LOADS = (
    selectinload(AwardLine.event).selectinload(SourcingEvent.organization),
    selectinload(AwardLine.lot),
    selectinload(AwardLine.vendor),
    selectinload(AwardLine.award),
)


def lines_from(problem: Document, result: Document) -> list[AwardLine]:
    """An award's lines read from an award scenario's frozen problem and result documents: each
    allocation with volume, at the vendor's own bid price and currency over the lot's period."""
    bid_of_line = {
        line["id"]: line["bid_id"]
        for line in problem.get("offers", [])
        if line.get("source") == "bid"
    }
    placed = [
        (bid_of_line[allocation["offer"]], float(allocation["volume"]))
        for allocation in result.get("allocations", [])
        if allocation.get("offer") in bid_of_line and allocation["volume"] > LEAST_VOLUME
    ]
    bids = {
        bid.id: bid
        for bid in db.session.scalars(
            select(Bid).where(Bid.id.in_([b for b, _ in placed])).options(selectinload(Bid.lot))
        )
    }
    return [
        AwardLine(
            event_id=bids[bid_id].event_id,
            lot_id=bids[bid_id].lot_id,
            vendor_id=bids[bid_id].vendor_id,
            bid_id=bid_id,
            volume=volume,
            unit=bids[bid_id].unit,
            price=bids[bid_id].price,
            currency=bids[bid_id].currency,
            period_start=bids[bid_id].lot.period_start,
            period_end=bids[bid_id].lot.period_end,
        )
        for bid_id, volume in placed
    ]


def record_award(
    event_id: int, scenario_id: int, problem: Document, result: Document, user: User
) -> Award:
    """Approved award scenario `scenario_id` (its frozen `problem` and `result` documents)
    becomes the event's award; each vendor with volume is told. The caller checked
    `refuse_second_award` on what it read; a parallel approval that awarded the event since is
    refused here by the unique event id (ConflictError, 409)."""
    event = db.session.get_one(SourcingEvent, event_id)
    award = Award(
        organization_id=event.organization_id,
        event_id=event.id,
        scenario_id=scenario_id,
        awarded_by_id=user.id,
    )
    award.lines = lines_from(problem, result)
    db.session.add(award)
    insert_once(award, _awarded_already(event))
    record_event(
        "event.award",
        event,
        actor=user,
        after={
            "scenario_id": scenario_id,
            "lines": [
                {"lot_id": line.lot_id, "vendor_id": line.vendor_id, "volume": line.volume}
                for line in award.lines
            ],
        },
    )
    _tell_winners(event, award)
    return award


def _tell_winners(event: SourcingEvent, award: Award) -> None:
    """Each vendor with volume: its users (and admin) read their award on the event's page."""
    lots: dict[Vendor, set[int]] = {}
    for line in award.lines:
        lots.setdefault(line.vendor, set()).add(line.lot_id)
    for vendor, awarded in lots.items():
        count = f"{len(awarded)} lot{'s' if len(awarded) != 1 else ''}"
        notify(
            active_users(*VENDOR_ROLES, organization_id=vendor.organization_id),
            NotificationKind.EVENT_AWARDED,
            f"{event.organization.name} awarded {vendor.name} volume on {count} of "
            f"{event.title!r}.",
            link=link_to("event_pages.show", event_id=event.id),
            subject=event,
        )


# Rank bands. A bidder given no volume may read, per lot it bid on, where its price stood among
# the lot's bids (when the event's buyer chose `show_rank_bands`). Its rank is 1 + the number of
# bids strictly cheaper, in US dollars at the rates of the award's day (tied bids share the
# better rank); a bid whose price cannot be compared (`left_out_reason`) is neither ranked nor
# counted. The band is a share of the field, never a position: with n bids, halves from 4 and
# quarters from 8, rank r falling in band floor(k * (r - 1) / n) of k. Every band then spans at
# least floor(n / k) >= 2 positions, so no band tells a bidder its exact rank, and with fewer
# than 4 bids there is no band at all (with 2 or 3, "the higher half" would say that the one or
# two others bid less). The bidder reads its own band and the lot's count of bids, never another
# bid's price, rank or vendor.
LEAST_BIDS_BANDED = 4
LEAST_BIDS_IN_QUARTERS = 8
HALVES = ("the lower-priced half", "the higher-priced half")
QUARTERS = (
    "the lowest-priced quarter",
    "the second-lowest-priced quarter",
    "the second-highest-priced quarter",
    "the highest-priced quarter",
)


def rank_band(rank: int, count: int) -> str | None:
    """The band, in words, of the bid ranked `rank` (1: the cheapest) among `count` bids; None
    below LEAST_BIDS_BANDED bids."""
    if count < LEAST_BIDS_BANDED:
        return None
    names = QUARTERS if count >= LEAST_BIDS_IN_QUARTERS else HALVES
    return names[len(names) * (rank - 1) // count]


@dataclass(frozen=True)
class RankBand:
    """A losing bidder's own standing on one lot: `band` None when the lot had too few
    comparable bids (or its own price could not be compared), and then no count either."""

    lot_id: int
    lot: str
    bids: int | None
    band: str | None


def rank_bands(award: Award, vendor_id: int) -> list[RankBand]:
    """Vendor `vendor_id`'s band on each lot of the award's event it bid on (`rank_bands_of`)."""
    return rank_bands_of([award], vendor_id)[award.id]


def rank_bands_of(awards: Sequence[Award], vendor_id: int) -> dict[int, list[RankBand]]:
    """Vendor `vendor_id`'s band on each lot it bid on, per award (by id), every bid of the
    awards' events read at once (the vendor's home page lists many). Reads every bid of those
    events, beyond the vendor's scope, to rank its own: only the vendor's bands and each lot's
    count leave this function."""
    by_event: dict[int, list[Bid]] = {award.event_id: [] for award in awards}
    if awards:
        for bid in db.session.scalars(
            select(Bid)
            .where(Bid.event_id.in_(list(by_event)))
            .order_by(Bid.id)
            .options(selectinload(Bid.lot))
        ):
            by_event[bid.event_id].append(bid)
    return {award.id: _bands(award, by_event[award.event_id], vendor_id) for award in awards}


def _bands(award: Award, bids: Sequence[Bid], vendor_id: int) -> list[RankBand]:
    """The vendor's bands among `bids`, the award's event's, at the rates of the award's day."""
    rates = usd_rates({bid.currency for bid in bids}, award.awarded_at.date())
    usd = {
        bid.id: float(bid.price) * rates[bid.currency][0]
        for bid in bids
        if left_out_reason(float(bid.price), bid.currency, rates) is None
    }
    bands = []
    for own in sorted((bid for bid in bids if bid.vendor_id == vendor_id), key=lambda b: b.lot_id):
        field = [usd[bid.id] for bid in bids if bid.lot_id == own.lot_id and bid.id in usd]
        band = None
        if own.id in usd:
            band = rank_band(1 + sum(price < usd[own.id] for price in field), len(field))
        bands.append(RankBand(own.lot_id, own.lot.title, len(field) if band else None, band))
    return bands


@dataclass(frozen=True)
class InvitedStanding:
    """One vendor the event invited, for the buyer's award workbook: the lots it bid on (0: it
    did not bid) and the lots it was awarded volume on (0: it won nothing)."""

    vendor_id: int
    name: str
    lots_bid: int
    lots_awarded: int


def invited_standings(event: SourcingEvent, lines: Sequence[AwardLine]) -> list[InvitedStanding]:
    """Every vendor `event` invited, by name, with how many lots it bid on (its current bids:
    a withdrawn bid is gone) and how many of the award's `lines` are its. For the buyer side
    of an awarded event, whose bids are unsealed."""
    bid_on: dict[int, int] = {}
    for vendor_id in db.session.scalars(select(Bid.vendor_id).where(Bid.event_id == event.id)):
        bid_on[vendor_id] = bid_on.get(vendor_id, 0) + 1
    awarded: dict[int, set[int]] = {}
    for line in lines:
        awarded.setdefault(line.vendor_id, set()).add(line.lot_id)
    rows = sorted(event.invited, key=lambda row: (row.vendor.name_key, row.vendor_id))
    return [
        InvitedStanding(
            row.vendor_id,
            row.vendor.name,
            bid_on.get(row.vendor_id, 0),
            len(awarded.get(row.vendor_id, ())),
        )
        for row in rows
    ]


@dataclass
class AwardView:
    """An event's award as one reader sees it: the buyer side every line; a vendor its own
    (`lines` may be empty: the event was awarded, its vendor was given no volume), and then its
    rank bands when the event shows them (`rank_bands`)."""

    award: Award
    lines: Sequence[AwardLine]
    buyer_side: bool
    rank_bands: Sequence[RankBand] = ()

    @property
    def total_by_currency(self) -> dict[str, Decimal]:
        return total_by_currency(self.lines)


def total_by_currency(lines: Sequence[AwardLine]) -> dict[str, Decimal]:
    """What `lines` are worth at the bid prices, added up per currency (the event's page and
    each vendor's sheet of the award workbook)."""
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.amount
    return totals


def award_view(event: SourcingEvent, user: User) -> AwardView | None:
    """The event's award for `user` (None when not awarded): the lines its scope reads."""
    award = award_of(event)
    if award is None:
        return None
    lines = db.session.scalars(
        select(AwardLine)
        .where(AwardLine.award_id == award.id, AwardLine.scope(user))
        .order_by(AwardLine.lot_id, AwardLine.vendor_id)
        .options(*LINE_LOADS)
    ).all()
    buyer_side = user.reads_as in BUYER_SIDE
    bands: list[RankBand] = []
    if not buyer_side and not lines and event.show_rank_bands:
        vendor = vendor_of(user)
        if vendor is not None:
            bands = rank_bands(award, vendor.id)
    return AwardView(award, lines, buyer_side, bands)
