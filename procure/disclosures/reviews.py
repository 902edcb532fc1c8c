"""Buyer reviews of submitted disclosure versions and of their evidence sections, and the
effective evidence levels they set (`procure.disclosures.evidence_levels`).

Each buyer organization reviews for itself, once per version and once per section:

- a section decision: verified (only a section with a file: a verification must have checked
  something) or rejected with a comment. It sets that section's effective level for that
  organization alone (buyer_verified, or self_reported);
- a version decision: rejected leaves the version out of that organization's scores, as
  before; verified accepts it and verifies every section with a file that the organization has
  not decided yet. A section without a file stays as it is: one "verify" never lifts it.

Services add and flush; the request or command commits.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import func, select

from procure.accounts.models import Organization
from procure.assurance.models import Attestation
from procure.audit.services import record_event
from procure.db import utcnow
from procure.disclosures.evidence_levels import (
    LEVEL_LABELS,
    EffectiveLevel,
    SectionEvidence,
    Statement,
    claim_note,
    effective_level,
)
from procure.disclosures.models import (
    EVIDENCE_SECTIONS,
    REVIEW_DECISIONS,
    Disclosure,
    DisclosureReview,
    DisclosureSectionReview,
    Evidence,
)
from procure.disclosures.pricing import pricing_day
from procure.disclosures.services import period_label
from procure.disclosures.signals import reviews_changed
from procure.editing import insert_once
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.notifications.services import active_users, link_to, mark_acted_on, notify
from procure.scoring_defaults import default_profile
from procure.states import DisclosureState, NotificationKind, ReviewDecision


def _require_submitted(disclosure: Disclosure) -> None:
    if disclosure.state != DisclosureState.SUBMITTED:
        raise ConflictError(
            f"Only a submitted disclosure can be reviewed; version {disclosure.number} is "
            f"{disclosure.state}."
        )


def _checked_decision(decision: str, comment: str | None, what: str) -> str:
    """The comment, stripped; a rejection needs one."""
    if decision not in REVIEW_DECISIONS:
        raise ValidationFailed({"decision": ["Choose verified or rejected."]})
    comment = (comment or "").strip()
    if decision == ReviewDecision.REJECTED and not comment:
        raise ValidationFailed(
            {"comment": [f"Say why {what} is rejected, so the vendor can fix it."]}
        )
    return comment


def _sections_with_files(disclosure: Disclosure) -> list[str]:
    backed = {evidence.section for evidence in disclosure.evidence}
    return [section for section in EVIDENCE_SECTIONS if section in backed]


def review_version(disclosure: Disclosure, decision: str, comment: str, user) -> DisclosureReview:
    """The user's buyer organization marks a submitted version verified or rejected, for itself
    (a rejection needs a comment). Each organization reviews a version once; the disclosure itself
    does not change, and neither do other organizations' scores. Verified also verifies each
    section with a file that the organization has not decided on its own."""
    _require_submitted(disclosure)
    mine = disclosure.review_by(user.organization_id)
    if mine is not None:
        raise ConflictError(
            f"Your organization already marked version {disclosure.number} {mine.decision} on "
            f"{mine.reviewed_at:%d %b %Y}."
        )
    comment = _checked_decision(decision, comment, "the disclosure")
    now = utcnow()
    record = DisclosureReview(
        disclosure=disclosure,
        organization_id=user.organization_id,
        decision=decision,
        comment=comment or None,
        reviewed_at=now,
        reviewed_by_id=user.id,
    )
    db.session.add(record)
    insert_once(
        record,
        ConflictError(  # a colleague reviewed it since the check above
            f"Someone in your organization reviewed version {disclosure.number} a moment ago: "
            "reload to see their decision."
        ),
    )
    verified = []
    if decision == ReviewDecision.VERIFIED:
        decided = {r.section for r in _own_section_reviews(disclosure, user.organization_id)}
        verified = [s for s in _sections_with_files(disclosure) if s not in decided]
        for section in verified:
            _add_section_review(disclosure, section, decision, comment, user, now)
    record_event(
        f"disclosure.{'verify' if decision == ReviewDecision.VERIFIED else 'reject'}",
        disclosure,
        actor=user,
        before={"state": DisclosureState.SUBMITTED},
        after={"state": decision, "comment": comment, "sections_verified": verified},
    )
    reviews_changed.send(user.organization_id)  # its rankings read its reviews
    _tell_vendor(disclosure, f"{decision} your disclosure", user)
    mark_acted_on(user, NotificationKind.DISCLOSURE_SUBMITTED, disclosure)
    return record


def review_section(
    disclosure: Disclosure, section: str, decision: str, comment: str, user
) -> DisclosureSectionReview:
    """The user's buyer organization verifies or rejects one evidence section of a submitted
    version, for itself, once (a rejection needs a comment; a section with no file cannot be
    verified). The version must not be rejected by the organization: it does not score for it."""
    _require_submitted(disclosure)
    if section not in EVIDENCE_SECTIONS:
        raise ValidationFailed({"section": [f"Choose one of: {', '.join(EVIDENCE_SECTIONS)}."]})
    version = disclosure.review_by(user.organization_id)
    if version is not None and version.decision == ReviewDecision.REJECTED:
        raise ConflictError(
            f"Your organization rejected version {disclosure.number}: it does not count in your "
            "scores, so its sections are not reviewed one by one."
        )
    mine = next(
        (r for r in _own_section_reviews(disclosure, user.organization_id) if r.section == section),
        None,
    )
    if mine is not None:
        raise ConflictError(
            f"Your organization already marked the {section} section {mine.decision} on "
            f"{mine.reviewed_at:%d %b %Y}."
        )
    comment = _checked_decision(decision, comment, f"the {section} section")
    if decision == ReviewDecision.VERIFIED and section not in _sections_with_files(disclosure):
        raise ValidationFailed(
            {
                "decision": [
                    f"The {section} section has no evidence file, so there is nothing to verify: "
                    "reject it with a comment, or ask the vendor to amend it with a file."
                ]
            }
        )
    record = _add_section_review(disclosure, section, decision, comment, user, utcnow())
    record_event(
        f"disclosure.section_{'verify' if decision == ReviewDecision.VERIFIED else 'reject'}",
        disclosure,
        actor=user,
        after={"section": section, "decision": decision, "comment": comment},
    )
    reviews_changed.send(user.organization_id)
    _tell_vendor(disclosure, f"{decision} the {section} section of your disclosure", user)
    return record


def _own_section_reviews(disclosure: Disclosure, organization_id: int | None):
    return [r for r in disclosure.section_reviews if r.organization_id == organization_id]


def _add_section_review(
    disclosure: Disclosure, section: str, decision: str, comment: str, user, now
) -> DisclosureSectionReview:
    record = DisclosureSectionReview(
        disclosure=disclosure,
        organization_id=user.organization_id,
        section=section,
        decision=decision,
        comment=comment or None,
        reviewed_at=now,
        reviewed_by_id=user.id,
    )
    db.session.add(record)
    insert_once(
        record,
        ConflictError(  # a colleague decided the section since the check
            f"Someone in your organization reviewed the {section} section of version "
            f"{disclosure.number} a moment ago: reload to see their decision."
        ),
    )
    return record


def _tell_vendor(disclosure: Disclosure, what: str, user) -> None:
    """The vendor's users, and its organization's admin (who acts as the vendor), see each
    buyer's reviews on the disclosure's page (and amend it there)."""
    notify(
        active_users("vendor", "admin", organization_id=disclosure.vendor.organization_id),
        NotificationKind.REVIEW_DECIDED,
        f"{user.organization.name} {what} for {period_label(disclosure)} "
        f"(version {disclosure.number}).",
        link=link_to("disclosure_pages.show", disclosure_id=disclosure.id),
        subject=disclosure,
    )


# ------------------------------------------------------------------ effective evidence levels


def default_age_months() -> int:
    """The default scoring profile's `evidence_age_months`, for pages that show levels outside
    any profile (a disclosure's page, the flat export)."""
    return default_profile().evidence_age_months


def section_evidence(
    disclosure_ids: Collection[int], organization_id: int | None
) -> dict[tuple[int, str], SectionEvidence]:
    """Per (version id, section) with a file, a statement or a decision: what backs it for the
    organization (None: nobody's reviews, the vendor's own view). The assurance providers'
    statements are read for every organization alike. Three queries for any number of
    versions."""
    ids = list(disclosure_ids)
    files = db.session.execute(
        select(Evidence.disclosure_id, Evidence.section, func.count())
        .where(Evidence.disclosure_id.in_(ids))
        .group_by(Evidence.disclosure_id, Evidence.section)
    ).all()
    backing = {(version, section): SectionEvidence(files=n) for version, section, n in files}
    for (version, section), statements in _statements(ids).items():
        backing[(version, section)] = replace(
            backing.get((version, section), SectionEvidence()), statements=statements
        )
    if organization_id is None:
        return backing
    decisions = db.session.execute(
        select(
            DisclosureSectionReview.disclosure_id,
            DisclosureSectionReview.section,
            DisclosureSectionReview.decision,
            DisclosureSectionReview.reviewed_at,
        ).where(
            DisclosureSectionReview.organization_id == organization_id,
            DisclosureSectionReview.disclosure_id.in_(ids),
        )
    ).all()
    for version, section, decision, reviewed_at in decisions:
        backing[(version, section)] = replace(
            backing.get((version, section), SectionEvidence()),
            decision=decision,
            decided_on=reviewed_at.date(),
        )
    return backing


def _statements(disclosure_ids: list[int]) -> dict[tuple[int, str], tuple[Statement, ...]]:
    """Per (version id, section): the assurance providers' attestations, oldest first, the
    withdrawn ones too (shown as such; `Statement.state_on` keeps them from counting)."""
    rows = db.session.execute(
        select(
            Attestation.disclosure_id,
            Attestation.section,
            Attestation.id,
            Organization.name,
            Attestation.standard,
            Attestation.level,
            Attestation.opinion,
            Attestation.issued_on,
            Attestation.expires_on,
            Attestation.withdrawn_at,
            Attestation.withdrawal_reason,
        )
        .join(Organization, Organization.id == Attestation.provider_id)
        .where(Attestation.disclosure_id.in_(disclosure_ids))
        .order_by(Attestation.id)
    ).all()
    found: dict[tuple[int, str], tuple[Statement, ...]] = {}
    for (
        version,
        section,
        number,
        provider,
        standard,
        level,
        opinion,
        issued,
        expires,
        withdrawn_at,
        reason,
    ) in rows:
        withdrawn_on = None if withdrawn_at is None else withdrawn_at.date()
        statement = Statement(
            number, provider, standard, level, opinion, issued, expires, withdrawn_on, reason
        )
        found[(version, section)] = (*found.get((version, section), ()), statement)
    return found


def section_levels(
    disclosures: Iterable[Disclosure], organization_id: int | None, *, age_months: int, on: date
) -> dict[int, dict[str, EffectiveLevel]]:
    """Per version id, per evidence section: the effective level on the day `on` as the
    organization reads it (None: the vendor's own view: files and statements, no review). The
    one place levels are derived: rankings, scorecards, the export, the optimizer's inputs and
    the score snapshots all read them from here."""
    versions = list(disclosures)
    backing = section_evidence([d.id for d in versions], organization_id)
    return {
        d.id: {
            section: effective_level(
                backing.get((d.id, section), SectionEvidence()),
                d.period_end,
                age_months=age_months,
                on=on,
            )
            for section in EVIDENCE_SECTIONS
        }
        for d in versions
    }


def reading_organization(user) -> int | None:
    """Whose reviews apply for the user: its buyer organization's; none for the vendor side."""
    return None if user.reads_as == "vendor" else user.organization_id


def sections_seen_by(
    disclosure: Disclosure, user, *, on: date | None = None
) -> list[dict[str, Any]]:
    """Each evidence section of the version as the user reads it (the default profile's evidence
    age): the vendor's claim, the files, the effective level and why, the sentence when the claim
    goes beyond the evidence, the attestations (every reader sees them), and the section reviews
    the user may see (`Disclosure.section_reviews_seen_by`)."""
    on = on or pricing_day()  # the day scores price and age on
    levels = section_levels(
        [disclosure], reading_organization(user), age_months=default_age_months(), on=on
    )[disclosure.id]
    claims = disclosure.figures.get("evidence") or {}
    reviews = disclosure.section_reviews_seen_by(user)
    return [
        section_view(section, claims.get(section), levels[section], on)
        | {"reviews": [r for r in reviews if r.section == section]}
        for section in EVIDENCE_SECTIONS
    ]


def statement_view(statement: Statement, on: date | None = None) -> dict[str, Any]:
    """One attestation as the section views show it (the pages, the API, the scorecard)."""
    return {
        "id": statement.id,
        "provider": statement.provider,
        "standard": statement.standard,
        "level": statement.assurance,
        "opinion": statement.opinion,
        "issued_on": statement.issued_on,
        "expires_on": statement.expires_on,
        "sets_level": statement.sets_level,
        "sets_label": LEVEL_LABELS[statement.sets_level],
        "label": statement.label,
        "state": statement.state_on(on or pricing_day()),
        "withdrawn_on": statement.withdrawn_on,
        "withdrawal_reason": statement.withdrawal_reason,
    }


def section_view(
    section: str, claimed: str | None, level: EffectiveLevel, on: date | None = None
) -> dict[str, Any]:
    """One section's claim and effective level as plain data (the pages, the API, the scorecard),
    with the attestations of the section and their state on the day `on` (default: today's
    pricing day)."""
    return {
        "section": section,
        "claimed_level": claimed,
        "claimed_label": LEVEL_LABELS.get(claimed or "", "not given"),
        "effective_level": level.level,
        "effective_label": level.label,
        "basis": level.basis,
        "claim_note": claim_note(claimed, level.level),
        "files": level.files,
        "decision": level.decision,
        "decided_on": level.decided_on,
        "counts_lower_from": level.counts_lower_from,
        "aged": level.aged,
        "attestation": None if level.statement is None else statement_view(level.statement, on),
        "attestations": [statement_view(s, on) for s in level.statements],
    }
