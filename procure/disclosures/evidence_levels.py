"""Claimed and effective evidence levels of a disclosure's sections (issue #18).

The vendor states a **claimed** level per section (`figures["evidence"]`). A claim is shown to
reviewers next to what backs it and never scores. Scores use the **effective** level, derived
here, never typed, from what backs the section for the organization that reads it:

- no evidence file in the section: self_reported;
- at least one file: self_reported_documented;
- the reading buyer organization verified the section: buyer_verified, which counts one level
  lower (self_reported_documented) from `age_months` after the end of the period (a scoring
  profile setting, `evidence_age_months`);
- that organization rejected the section: self_reported, files or not (its reviewer found that
  they do not back the figures).

The vendor's own view (no organization) has no reviews: its level is the file-based one.

Why a claim above self_reported_documented is stored rather than refused (422): a claim says
what the vendor believes it can show ("our payroll is audited"), and reviewers need exactly that
next to what the evidence supports (`claim_note`); versions stored with such claims, and flat
tables exported before, stay valid and can be amended and re-imported as they are. Refusing the
claim would protect nothing more: no code path reads a claim into a score.

Plain values in and out: callers read files and reviews from the database (two queries for any
number of versions, `procure.disclosures.reviews.section_levels`) and call `effective_level`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from procure.states import ReviewDecision
from scoring.fields import EVIDENCE_LEVELS

SELF_REPORTED = "self_reported"
DOCUMENTED = "self_reported_documented"
BUYER_VERIFIED = "buyer_verified"

LEVEL_LABELS = {
    "none": "none",
    "self_reported": "self-reported",
    "self_reported_documented": "self-reported documented",
    "buyer_verified": "buyer-verified",
    "third_party_limited": "third-party limited",
    "third_party_reasonable": "third-party reasonable",
}


@dataclass(frozen=True)
class SectionEvidence:
    """What backs one section of one version for one reading organization.

    Extension point for attestations (issue #18, assurance providers): an assurance provider's
    statement on the section joins here as one more field, read for every buyer alike, and
    `effective_level` gains its rule (a valid one lifts the section to third_party_limited or
    third_party_reasonable as it says; an adverse opinion lowers it to self_reported)."""

    files: int = 0  # evidence files attached to the section
    decision: str | None = None  # the reading organization's: verified or rejected
    decided_on: date | None = None


@dataclass(frozen=True)
class EffectiveLevel:
    level: str  # what scores: one of EVIDENCE_LEVELS
    files: int
    decision: str | None
    decided_on: date | None
    counts_lower_from: date | None  # a verification's; None when nothing ages
    aged: bool  # the verification counts one level lower already

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def basis(self) -> str:
        """Why the section has its level, in words: "verified on 2025-03-01; counts one level
        lower from 2027-12-31"."""
        if self.decision == ReviewDecision.REJECTED:
            return f"rejected on {self.decided_on}: its files do not count"
        if self.counts_lower_from is not None:
            since = "since" if self.aged else "from"
            return f"verified on {self.decided_on}; counts one level lower {since} " + str(
                self.counts_lower_from
            )
        if not self.files:
            return "no evidence file"
        return f"{self.files} evidence file{'' if self.files == 1 else 's'}"


def months_after(day: date, months: int) -> date:
    """The same day `months` calendar months later, or the last day of that month when it is
    shorter (2024-02-29 + 12 months = 2025-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def effective_level(
    evidence: SectionEvidence, period_end: date, *, age_months: int, on: date
) -> EffectiveLevel:
    """The level a section scores with on the day `on`, for a disclosure of the period ending on
    `period_end` (see the module docstring). A verification of a section with no file does not
    lift it: there is nothing it could have checked."""
    level = DOCUMENTED if evidence.files else SELF_REPORTED
    lower_from, aged = None, False
    if evidence.decision == ReviewDecision.REJECTED:
        level = SELF_REPORTED
    elif evidence.decision == ReviewDecision.VERIFIED and evidence.files:
        lower_from = months_after(period_end, age_months)
        aged = on >= lower_from
        level = _one_level_lower(BUYER_VERIFIED) if aged else BUYER_VERIFIED
    return EffectiveLevel(
        level, evidence.files, evidence.decision, evidence.decided_on, lower_from, aged
    )


def _one_level_lower(level: str) -> str:
    return EVIDENCE_LEVELS[EVIDENCE_LEVELS.index(level) - 1]


def claim_note(claimed: str | None, effective: str) -> str | None:
    """The sentence for reviewers when a claim goes beyond the evidence, else None: "claimed
    third-party reasonable; the evidence supports self-reported documented"."""
    if claimed not in EVIDENCE_LEVELS or EVIDENCE_LEVELS.index(claimed) <= EVIDENCE_LEVELS.index(
        effective
    ):
        return None
    return f"claimed {LEVEL_LABELS[claimed]}; the evidence supports {LEVEL_LABELS[effective]}"
