"""What submitting a draft would do to the vendor's score, shown on the draft before it is
submitted: the vendor's total and rank now, and with the draft's figures (as last saved) in
place of the version scored today.

It is the what-if of every figure the draft changes (`services.what_if`, the box on the
scorecard), scored as the vendor's own scorecard scores: the standard profile, the vendor's
best offer in any category, the evidence levels the draft's files give before any buyer's
review. A draft of an earlier period than the one scored changes nothing today; a vendor with
no score yet learns why instead.
"""

from __future__ import annotations

import math
from typing import Any

from procure.disclosures.models import Disclosure
from procure.disclosures.pricing import pricing_day
from procure.disclosures.reviews import section_levels
from procure.disclosures.tables import flat_row
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.scoring import rankings, services
from procure.scoring_defaults import default_profile
from procure.vendors.models import Vendor
from scoring.contract import REQUIRED_COLUMNS
from scoring.fields import COLUMN_FIELDS

# the draft's own figures: every scored input but the vendor's offer (price, quality, category)
DRAFT_COLUMNS = tuple(
    c for c in REQUIRED_COLUMNS if c not in ("vendor_id", "category", "price", "quality")
)


def _same(before: Any, after: Any) -> bool:
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (before, after)]
    if any(missing):
        return all(missing)
    if isinstance(before, (int, float)) and isinstance(after, (int, float)):
        return math.isclose(float(before), float(after), rel_tol=1e-12, abs_tol=1e-12)
    return str(before) == str(after)


def _stored_card(draft: Disclosure, user, metrics) -> tuple[dict | None, dict | None]:
    """The vendor's row and stored scorecard of its current stored ranking (the scorecard's:
    `rankings.read_scorecard`, nothing stored or queued); (None, None) when none is current or
    it stores no card for the vendor (the effect is then read from a live ranking)."""
    key = rankings.scorecard_key(user, None, None, metrics)
    vendor = db.session.get(Vendor, draft.vendor_id)
    served = (
        None
        if key is None or vendor is None
        else rankings.read_scorecard(key, user, vendor, store=False)
    )
    if served is None or served.stale or served.card is None:
        return None, None
    return served.row, served.card


def _live_ranking(user, metrics) -> services.Ranking:
    """Every vendor ranked as the vendor's own scorecard ranks them (the default profile)."""
    return services.rank_vendors(
        default_profile(),
        None,
        organization_id=user.organization_id,
        with_stability=False,
        metrics=metrics,
    )


def draft_effect(draft: Disclosure, user) -> dict[str, Any]:
    """The effect of submitting `draft` on its vendor's own score, as a dict with `kind`:
    "moves" (with the what-if's totals, ranks, sentence and moves), "unchanged", "later"
    (a later period is scored: `period_end`), "unscored" (`reasons`) or "refused" (`reasons`:
    the draft's figures cannot be scored as they are).

    The "before" (the period scored, the figures scored, the total and rank) is the vendor's
    row and card of the current stored ranking its scorecard reads, when there is one: a draft
    that changes nothing, or of an earlier period, then ranks nobody live. Only a draft that
    changes figures is scored live, by the what-if, with the stored row as its "before"."""
    profile = default_profile()
    metrics = services.viewer_catalog(user)
    row, card = _stored_card(draft, user, metrics)
    ranking = None
    if card is None:
        ranking = _live_ranking(user, metrics)
        scored = ranking.inputs.disclosures.get(draft.vendor_id)
        if ranking.result is None or scored is None:
            reasons = services.unscored_reasons(
                draft.vendor_id, None, organization_id=user.organization_id
            )
            return {"kind": "unscored", "reasons": reasons}
        scored_period = scored.period_end
        current = services.scored_figures(ranking.inputs.table, draft.vendor_id)
    else:
        assert row is not None  # a stored card is the card of a stored row
        scored_period = row["period_end"]
        current = card["scored_figures"]
    if scored_period > draft.period_end:
        return {"kind": "later", "period_end": scored_period}
    levels = section_levels(
        [draft], None, age_months=profile.evidence_age_months, on=pricing_day()
    )[draft.id]
    flat = flat_row(draft, levels=levels)
    changes = {
        column: flat.get(column)
        for column in DRAFT_COLUMNS
        if not _same(current.get(column), flat.get(column))
    }
    if not changes:
        return {"kind": "unchanged"}
    if ranking is None:
        ranking = _live_ranking(user, metrics)
    try:
        outcome = services.what_if(
            draft.vendor_id,
            profile,
            changes,
            organization_id=user.organization_id,
            metrics=metrics,
            ranking=ranking,
            baseline=row,
            checked_with=draft,  # the changes are the draft's own: checked with its figures
        )
    except ValidationFailed as refused:
        reasons = []
        for key, messages in (refused.errors or {}).items():
            column = key.removeprefix("changes.")
            label = COLUMN_FIELDS[column].label if column in COLUMN_FIELDS else column
            reasons.append(f"{label}: {' '.join(map(str, messages))}")
        return {"kind": "refused", "reasons": reasons}
    moves = [m for m in outcome["moves"] if abs(m["points_delta"]) >= 0.005]
    moves.sort(key=lambda m: -abs(m["points_delta"]))
    return {"kind": "moves", **outcome, "moves": moves}
