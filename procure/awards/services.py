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
from procure.editing import insert_once
from procure.errors import ConflictError
from procure.events.models import BUYER_SIDE, Bid, SourcingEvent
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


@dataclass
class AwardView:
    """An event's award as one reader sees it: the buyer side every line; a vendor its own
    (`lines` may be empty: the event was awarded, its vendor was given no volume)."""

    award: Award
    lines: Sequence[AwardLine]
    buyer_side: bool

    @property
    def total_by_currency(self) -> dict[str, Decimal]:
        """What the lines are worth at the bid prices, added up per currency."""
        totals: dict[str, Decimal] = {}
        for line in self.lines:
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
    return AwardView(award, lines, user.reads_as in BUYER_SIDE)
