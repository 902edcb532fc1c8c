"""What pages show of awards, as template globals (this area has no page of its own): an
event's award on the event's page (`event_award`: the buyer side every line, a vendor its own
or that it was given no volume) and a vendor's award lines on its home page
(`awarded_lines`)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from procure.access import scoped_select
from procure.awards import services
from procure.awards.models import Award, AwardLine
from procure.events.models import SourcingEvent
from procure.extensions import db

bp = Blueprint("award_pages", __name__)

# the award lines a vendor's home page lists (the API pages through all of them)
HOME_LINES = 50


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
