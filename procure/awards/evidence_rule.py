"""The event's evidence rule (`SourcingEvent.evidence_required`): the least effective evidence
level a bidder's disclosure must have in every evidence section (workforce, wages, training) for
its bids to count in an award scenario.

Enforced where the award is decided, not where the bid is placed. An award scenario of the event
(procure.scenarios.adapter) leaves out every bid of a bidder whose disclosure falls short, and
lists it under `meta.excluded` with `evidence_shortfall`'s reason ("evidence self-reported
(wages, training); this event requires buyer-verified or stronger in every section"). Why not
refuse the bid when it is placed: a section's effective level is the reading buyer's, and it
moves after the bid, both ways (the buyer verifies a section, an assurance statement arrives;
a verification ages, a statement expires or is withdrawn, the buyer rejects the files). The
award must rest on the evidence as it stands when the plan is built, on the very disclosure
that gives the impact score; a check at bid time would still have to be made again there, and
refusing the bid would keep out a vendor whose assurance is on its way.

So that nobody is surprised, each invited vendor sees on the event's page and on the bid form
where its evidence stands today against the rule (`standings`, as the event's buyer
organization reads its latest submitted disclosure), and the buyer side sees it for every
invited vendor beside whether it has bid; the event's API gives the buyer side the same
(`standings` is registered with procure.events.services.read_evidence_with: the events area sits
below scoring and cannot import this module).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from procure.disclosures.evidence_levels import LEVEL_LABELS, EffectiveLevel
from procure.disclosures.pricing import pricing_day
from procure.disclosures.reviews import default_age_months, section_levels
from procure.events.models import SourcingEvent
from procure.events.services import read_evidence_with
from procure.scoring.adapter import period_versions
from scoring.fields import EVIDENCE_LEVELS, EVIDENCE_SECTIONS


def requirement_words(required: str) -> str:
    """The rule in words: "buyer-verified or stronger in every section"."""
    return f"{LEVEL_LABELS[required]} or stronger in every section"


def evidence_shortfall(required: str | None, levels: Mapping[str, EffectiveLevel]) -> str | None:
    """Why these effective levels (per evidence section) do not meet the event's rule, naming
    each short section with its level, or None when they do (or the event asks for none)."""
    if required is None:
        return None
    least = EVIDENCE_LEVELS.index(required)
    short: dict[str, list[str]] = {}
    for section in EVIDENCE_SECTIONS:
        level = levels[section].level
        if EVIDENCE_LEVELS.index(level) < least:
            short.setdefault(level, []).append(section)
    if not short:
        return None
    found = ", ".join(
        f"{LEVEL_LABELS[level]} ({', '.join(sections)})" for level, sections in short.items()
    )
    return f"evidence {found}; this event requires {requirement_words(required)}"


@dataclass(frozen=True)
class Standing:
    """Where one invited vendor's evidence stands against the event's rule today."""

    disclosed: bool  # it has a submitted disclosure the buyer organization has not rejected
    # (section, level: scoring.fields.EVIDENCE_LEVELS), in section order
    codes: tuple[tuple[str, str], ...] = ()
    shortfall: str | None = None  # why it falls short, None when it meets the rule

    @property
    def meets(self) -> bool:
        return self.disclosed and self.shortfall is None

    @property
    def levels(self) -> tuple[tuple[str, str], ...]:
        """(section, level in words), in section order."""
        return tuple((section, LEVEL_LABELS[level]) for section, level in self.codes)


def standings(event: SourcingEvent, vendor_ids: Collection[int], on: date) -> dict[int, Standing]:
    """Per vendor of `vendor_ids`: its latest submitted disclosure's evidence as the event's
    buyer organization reads it on the day `on` (the default profile's evidence age; an award
    scenario ages evidence by its own profile), against the event's rule. Empty when the event
    sets no rule. Four queries for any number of vendors."""
    if event.evidence_required is None or not vendor_ids:
        return {}
    latest = {
        vendor_id: versions[-1]
        for vendor_id, versions in period_versions(event.organization_id, vendor_ids).items()
    }
    levels = section_levels(
        latest.values(), event.organization_id, age_months=default_age_months(), on=on
    )
    found: dict[int, Standing] = {}
    for vendor_id in vendor_ids:
        disclosure = latest.get(vendor_id)
        if disclosure is None:
            found[vendor_id] = Standing(disclosed=False)
            continue
        of_version = levels[disclosure.id]
        found[vendor_id] = Standing(
            disclosed=True,
            codes=tuple((section, of_version[section].level) for section in EVIDENCE_SECTIONS),
            shortfall=evidence_shortfall(event.evidence_required, of_version),
        )
    return found


@read_evidence_with
def standings_today(event: SourcingEvent, vendor_ids: Collection[int]) -> dict[int, Standing]:
    """`standings` on the pricing day: what the event's page shows as "Evidence today"."""
    return standings(event, vendor_ids, pricing_day())
