"""What pages show of awards, as template globals (this area has no page of its own): an
event's award on the event's page (`event_award`: the buyer side every line, a vendor its own
or that it was given no volume) and a vendor's award lines on its home page
(`awarded_lines`), with its rank bands on the events that gave it nothing (`my_rank_bands`); and
where the vendor's evidence stands against an event's evidence rule (`own_evidence_standing`),
on the event's page and the bid form."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from procure.access import scoped_select
from procure.awards import services
from procure.awards.evidence_rule import Standing, requirement_words, standings_today
from procure.awards.models import Award, AwardLine
from procure.events.models import Bid, SourcingEvent
from procure.events.services import vendor_of
from procure.extensions import db

bp = Blueprint("award_pages", __name__)

# the award lines a vendor's home page lists (the API pages through all of them)
HOME_LINES = 50
# the events whose rank bands a vendor's home page shows
HOME_BAND_EVENTS = 20


@bp.app_template_global("event_award")
def event_award(event: SourcingEvent) -> services.AwardView | None:
    """The event's award as the signed-in user reads it; None before an award."""
    return services.award_view(event, current_user)


@bp.app_template_global("awarded_lines")
def awarded_lines() -> list[AwardLine]:
    """The signed-in vendor's own award lines, the newest award first (nothing for anyone
    else)."""
    if current_user.reads_as != "vendor":
        return []
    return list(
        db.session.scalars(
            scoped_select(AwardLine)
            .join(Award, Award.id == AwardLine.award_id)
            .order_by(Award.awarded_at.desc(), AwardLine.lot_id)
            .options(*services.LINE_LOADS)
            .limit(HOME_LINES)
        )
    )


@bp.app_template_global("my_rank_bands")
def my_rank_bands() -> list[tuple[Award, list[services.RankBand]]]:
    """The signed-in vendor's rank bands on the awarded events that show them, it bid on and
    was given nothing by, the newest award first (nothing for anyone else)."""
    vendor = vendor_of(current_user) if current_user.reads_as == "vendor" else None
    if vendor is None:
        return []
    awards = db.session.scalars(
        scoped_select(Award)
        .join(SourcingEvent, SourcingEvent.id == Award.event_id)
        .where(
            SourcingEvent.show_rank_bands.is_(True),
            Award.event_id.in_(select(Bid.event_id).where(Bid.vendor_id == vendor.id)),
            ~Award.lines.any(AwardLine.vendor_id == vendor.id),
        )
        .order_by(Award.awarded_at.desc())
        .limit(HOME_BAND_EVENTS)
        .options(contains_eager(Award.event))  # the page names each event
    ).all()
    bands = services.rank_bands_of(awards, vendor.id)
    return [(award, bands[award.id]) for award in awards]


@bp.app_template_global("own_evidence_standing")
def own_evidence_standing(event: SourcingEvent) -> Standing | None:
    """Where the signed-in vendor's evidence stands today against the event's evidence rule
    (its event page and bid form; the buyer side reads every invited vendor's in the event's
    view, procure.events.services.EventView); None for anyone else, or when the event sets no
    rule."""
    vendor = vendor_of(current_user) if current_user.reads_as == "vendor" else None
    if vendor is None:
        return None
    return standings_today(event, [vendor.id]).get(vendor.id)


# an event's evidence rule in words, on every page that names it ("buyer-verified or stronger
# in every section")
bp.app_template_filter("requirement_words")(requirement_words)
