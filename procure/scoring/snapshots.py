"""Score snapshots per vendor and period, refreshed (by a job) when a disclosure is submitted,
an attestation is issued, an offer changes, or an exchange rate they priced with changes; scored
as disclosed under the default profile, so one buyer organization's review never shows in what
another sees.

They are the stored record of each period's as-disclosed ranking, kept current once per change.
No page reads them since the scorecard's trend is computed for its reader (issue #18: one score
everywhere); they are the base of the per-reader ranking cache that issue #23 asks for."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import cast

from sqlalchemy import Select, delete, func, select, text, union

import scoring
from procure.db import utcnow
from procure.disclosures.models import Disclosure
from procure.extensions import db
from procure.scoring.adapter import scoring_input
from procure.scoring.models import ScoreSnapshot
from procure.scoring_defaults import catalog, default_profile
from procure.states import DisclosureState
from procure.vendors.models import Offer


def refresh_period(period_end) -> int:
    """Score every vendor's newest submitted version for the period ending on `period_end`
    (default profile, as disclosed: no buyer organization's review applies, since the trend is
    shown to every buyer and to the vendor) and replace that period's snapshots; returns how many
    vendors were scored. Flushes only.

    Refreshes of one period run one at a time, each reading the disclosures only once the one
    before it has committed: several vendors submitting at once each start one, and the last to
    run sees every submission (reading first, two refreshes at once could each miss the other's
    vendor, or collide on the one-snapshot-per-vendor-and-period constraint).
    """
    _one_refresh_at_a_time(period_end)
    db.session.execute(delete(ScoreSnapshot).where(ScoreSnapshot.period_end == period_end))
    inputs = scoring_input(None, period_end=period_end)  # as disclosed: no buyer's review applies
    if inputs.table is None:
        return 0
    result = scoring.score_table(inputs.table, catalog(), default_profile())
    peers = len(result.scores)
    computed_at = utcnow()  # one moment for the period: the day its prices are of (`priced_days`)
    for key, score in result.scores.iterrows():
        vendor_id = int(cast(str, key))  # scoring_input's table is read from CSV: ids are text
        db.session.add(
            ScoreSnapshot(
                vendor_id=vendor_id,
                disclosure_id=inputs.disclosures[vendor_id].id,
                period_end=period_end,
                total=float(score["total"]),
                impact=float(score["impact"]),
                cost=float(score["cost"]),
                quality=float(score["quality"]),
                impact_score=float(score["impact_score"]),
                rank=int(score["rank"]),
                peers=peers,
                knocked_out=bool(score["knocked_out"]),
                computed_at=computed_at,
            )
        )
    db.session.flush()
    return peers


def _periods_of_vendors_in(categories) -> Select:
    """SQL: the period of every submitted disclosure of a vendor with an offer (active or not:
    one just withdrawn counts) in `categories` (keys, or a select of them): an offer there can
    move the category's lowest price, hence every cost pillar in it."""
    vendors = select(Offer.vendor_id).where(Offer.service_category.in_(categories))
    return select(Disclosure.period_end).where(
        Disclosure.state == DisclosureState.SUBMITTED, Disclosure.vendor_id.in_(vendors)
    )


def periods_of_categories(categories: Collection[str]) -> list[date]:
    """The reporting periods whose snapshots an offer in one of `categories` can move (it was
    added, changed or withdrawn), oldest first."""
    return sorted(set(db.session.scalars(_periods_of_vendors_in(list(categories)))))


def periods_priced_in(currency: str) -> list[date]:
    """The reporting periods whose snapshots a rate of `currency` can move, oldest first: those
    of the categories where some active offer is priced in the currency, and those with a
    submitted disclosure whose training spend is in the currency (its US dollar figure
    moves)."""
    categories = select(Offer.service_category).where(Offer.active, Offer.currency == currency)
    training_currency = Disclosure.figures[("training", "training_currency")].as_string()
    by_training = select(Disclosure.period_end).where(
        Disclosure.state == DisclosureState.SUBMITTED, training_currency == currency
    )
    return sorted(set(db.session.scalars(union(_periods_of_vendors_in(categories), by_training))))


def priced_day(computed_at: datetime) -> date:
    """The day whose rates a snapshot computed at `computed_at` (UTC) priced with: its date in
    the server's time zone, as `pricing_day` (date.today) reads the day."""
    return computed_at.astimezone().date()


def priced_days() -> dict[date, date]:
    """Per period with snapshots: the day its oldest snapshot priced with (`priced_day`)."""
    oldest = select(ScoreSnapshot.period_end, func.min(ScoreSnapshot.computed_at)).group_by(
        ScoreSnapshot.period_end
    )
    return {
        period_end: priced_day(computed_at)
        for period_end, computed_at in db.session.execute(oldest)
    }


def _one_refresh_at_a_time(period_end) -> None:
    """PostgreSQL: wait until no other transaction refreshes this period, and hold the period until
    this one ends (an advisory lock). SQLite needs none: the DELETE that follows takes its one
    write lock before anything is read."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"score_snapshot {period_end}"},
        )
