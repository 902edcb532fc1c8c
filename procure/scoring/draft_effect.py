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
from procure.scoring import services
from procure.scoring_defaults import default_profile
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


def draft_effect(draft: Disclosure, user) -> dict[str, Any]:
    """The effect of submitting `draft` on its vendor's own score, as a dict with `kind`:
    "moves" (with the what-if's totals, ranks, sentence and moves), "unchanged", "later"
    (a later period is scored: `period_end`), "unscored" (`reasons`) or "refused" (`reasons`:
    the draft's figures cannot be scored as they are)."""
    profile = default_profile()
    metrics = services.viewer_catalog(user)
    ranking = services.rank_vendors(
        profile, None, organization_id=user.organization_id, with_stability=False, metrics=metrics
    )
    scored = ranking.inputs.disclosures.get(draft.vendor_id)
    if ranking.result is None or scored is None:
        reasons = services.unscored_reasons(
            draft.vendor_id, None, organization_id=user.organization_id
        )
        return {"kind": "unscored", "reasons": reasons}
    if scored.period_end > draft.period_end:
        return {"kind": "later", "period_end": scored.period_end}
    levels = section_levels(
        [draft], None, age_months=profile.evidence_age_months, on=pricing_day()
    )[draft.id]
    row = flat_row(draft, levels=levels)
    current = services.scored_figures(ranking.inputs.table, draft.vendor_id)
    changes = {
        column: row.get(column)
        for column in DRAFT_COLUMNS
        if not _same(current.get(column), row.get(column))
    }
    if not changes:
        return {"kind": "unchanged"}
    try:
        outcome = services.what_if(
            draft.vendor_id,
            profile,
            changes,
            organization_id=user.organization_id,
            metrics=metrics,
            ranking=ranking,
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
