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
  they do not back the figures);
- an assurance provider's attestation of the section (procure.assurance), for every reader alike,
  the vendor included, while it is valid (its date <= the day < its expiry):
  - unqualified: limited assurance lifts the section to third_party_limited, reasonable to
    third_party_reasonable;
  - qualified ("fairly stated, except for ..."): one level lower than unqualified, so
    third_party_limited for reasonable and buyer_verified for limited assurance. The provider
    did the work, and found something it names: it counts less than a clean opinion and still
    as much as a buyer's own check;
  - adverse: the section counts as self_reported, files or not, for every reader, a buyer that
    verified it included: an independent assessor found the figures materially misstated.
  Several valid statements on one section (two providers) count as the most cautious of them:
  they assessed the same immutable figures, and the weaker opinion is the one nobody can rule
  out. A buyer's verification and a statement: the higher level counts (both checked it).
  A buyer's own rejection still wins for that buyer: it reviewed the files against the figures
  it buys on and found they do not back them, and a statement it did not commission cannot
  overrule its own finding in its own scores; every other reader keeps the statement's level.
  A statement, like a verification, counts one level lower from `age_months` after the end of
  the period (the issue's rule for both: what ages is the period's figures, not the paper).
  A statement its provider withdrew counts for nobody on any day, lifting or lowering alike:
  withdrawal is for a statement made in error, so it never stood; it stays listed, as withdrawn.

The vendor's own view (no organization) has no reviews: its level is the one its files and the
valid statements give.

Why a claim above self_reported_documented is stored rather than refused (422): a claim says
what the vendor believes it can show ("our payroll is audited"), and reviewers need exactly that
next to what the evidence supports (`claim_note`); versions stored with such claims, and flat
tables exported before, stay valid and can be amended and re-imported as they are. Refusing the
claim would protect nothing more: no code path reads a claim into a score.

Plain values in and out: callers read files, statements and reviews from the database (three
queries for any number of versions, `procure.disclosures.reviews.section_levels`) and call
`effective_level`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from procure.states import AssuranceLevel, AttestationState, Opinion, ReviewDecision
from scoring.fields import EVIDENCE_LEVELS

SELF_REPORTED = "self_reported"
DOCUMENTED = "self_reported_documented"
BUYER_VERIFIED = "buyer_verified"
THIRD_PARTY_LIMITED = "third_party_limited"
THIRD_PARTY_REASONABLE = "third_party_reasonable"
# the level an unqualified statement lifts a section to, by its level of assurance
ASSURED_LEVELS = {
    AssuranceLevel.LIMITED: THIRD_PARTY_LIMITED,
    AssuranceLevel.REASONABLE: THIRD_PARTY_REASONABLE,
}

LEVEL_LABELS = {
    "none": "none",
    "self_reported": "self-reported",
    "self_reported_documented": "self-reported documented",
    "buyer_verified": "buyer-verified",
    "third_party_limited": "third-party limited",
    "third_party_reasonable": "third-party reasonable",
}


@dataclass(frozen=True)
class Statement:
    """An assurance provider's attestation of one section (procure.assurance.models.Attestation)
    as the levels read it."""

    id: int
    provider: str  # the assurance provider's name
    standard: str  # "ISAE 3000 (Revised)", or another, named
    assurance: str  # AssuranceLevel: limited or reasonable
    opinion: str  # Opinion: unqualified, qualified or adverse
    issued_on: date
    expires_on: date  # the first day it no longer counts
    withdrawn_on: date | None = None  # the day its provider withdrew it: it counts on no day
    withdrawal_reason: str | None = None  # why, in the provider's words

    def state_on(self, day: date) -> AttestationState:
        if self.withdrawn_on is not None:
            return AttestationState.WITHDRAWN
        if day < self.issued_on:
            return AttestationState.NOT_YET_VALID
        return AttestationState.VALID if day < self.expires_on else AttestationState.EXPIRED

    @property
    def sets_level(self) -> str:
        """The level the statement gives the section while valid, before ageing."""
        if self.opinion == Opinion.ADVERSE:
            return SELF_REPORTED
        lifted = ASSURED_LEVELS[AssuranceLevel(self.assurance)]
        return _one_level_lower(lifted) if self.opinion == Opinion.QUALIFIED else lifted

    @property
    def label(self) -> str:
        """In words, e.g. unqualified reasonable assurance by Meridian Social Assurance
        (ISAE 3000) on 2026-03-16."""
        if self.opinion == Opinion.ADVERSE:
            what = "adverse opinion"
        else:
            what = f"{self.opinion} {self.assurance} assurance"
        return f"{what} by {self.provider} ({self.standard}) on {self.issued_on}"


@dataclass(frozen=True)
class SectionEvidence:
    """What backs one section of one version for one reading organization: its files, the
    organization's review, and every assurance provider's statements (the same for every
    reader)."""

    files: int = 0  # evidence files attached to the section
    decision: str | None = None  # the reading organization's: verified or rejected
    decided_on: date | None = None
    statements: tuple[Statement, ...] = ()  # every attestation of the section, valid or not


@dataclass(frozen=True)
class EffectiveLevel:
    level: str  # what scores: one of EVIDENCE_LEVELS
    files: int
    decision: str | None
    decided_on: date | None
    counts_lower_from: date | None  # a verification's or a statement's; None when nothing ages
    aged: bool  # the verification or statement counts one level lower already
    statement: Statement | None = None  # the valid statement that set the level, if one did
    statements: tuple[Statement, ...] = ()  # every statement of the section, valid or not

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def basis(self) -> str:
        """Why the section has its level, in words: "verified on 2025-03-01; counts one level
        lower from 2027-12-31", "unqualified limited assurance by … (ISAE 3000) on 2026-03-16,
        valid until 2028-03-15"."""
        if self.decision == ReviewDecision.REJECTED:
            rejected = f"rejected on {self.decided_on}: its files do not count"
            if any(s.opinion != Opinion.ADVERSE for s in self.statements):
                return rejected + " for your organization, whatever a statement says"
            return rejected
        if self.statement is not None:
            until = self.statement.expires_on - timedelta(days=1)
            said = f"{self.statement.label}, valid until {until}"
            if self.statement.opinion == Opinion.ADVERSE:
                return said + ": the figures count as self-reported"
            if self.counts_lower_from is None:
                return said
            since = "since" if self.aged else "from"
            return f"{said}; counts one level lower {since} {self.counts_lower_from}"
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
    lift it: there is nothing it could have checked. A statement needs no file in the section:
    the assurance provider's own work is its evidence."""
    level = DOCUMENTED if evidence.files else SELF_REPORTED
    lower_from, aged, setting = None, False, None
    valid = [s for s in evidence.statements if s.state_on(on) == AttestationState.VALID]
    # the most cautious valid statement (an adverse one first), the earliest of equals
    cautious = min(valid, key=lambda s: (_rank(s.sets_level), s.issued_on, s.id), default=None)
    if evidence.decision == ReviewDecision.REJECTED:
        level = SELF_REPORTED
    elif cautious is not None and cautious.opinion == Opinion.ADVERSE:
        level, setting = SELF_REPORTED, cautious
    else:
        verified = evidence.decision == ReviewDecision.VERIFIED and evidence.files
        lifted = BUYER_VERIFIED if verified else None
        if cautious is not None and (lifted is None or _rank(cautious.sets_level) > _rank(lifted)):
            lifted, setting = cautious.sets_level, cautious
        if lifted is not None:
            lower_from = months_after(period_end, age_months)
            aged = on >= lower_from
            level = _one_level_lower(lifted) if aged else lifted
    return EffectiveLevel(
        level,
        evidence.files,
        evidence.decision,
        evidence.decided_on,
        lower_from,
        aged,
        setting,
        evidence.statements,
    )


def _rank(level: str) -> int:
    return EVIDENCE_LEVELS.index(level)


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
