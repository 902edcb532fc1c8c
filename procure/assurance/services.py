"""Assurance: a vendor shares a submitted version with an assurance provider, and revokes it; the
provider's assurers read that version and its evidence, and attest its sections.

An attestation is immutable and audited; while valid it sets the section's effective evidence
level for every buyer and the vendor (procure.disclosures.evidence_levels), so issuing one asks
for the period's score snapshots to be refreshed, as a submission does. Its one change is its
withdrawal by the provider that issued it (made in error): once, with a reason, audited, told to
the vendor and every buyer, and re-scored as issuing is. Services add and flush; the request or
command commits.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from procure.accounts.models import Organization
from procure.assurance.models import (
    STANDARD_LENGTH,
    WITHDRAWAL_REASON_LENGTH,
    AssuranceGrant,
    Attestation,
)
from procure.audit.services import record_event
from procure.db import rowcount, utcnow
from procure.disclosures.evidence_files import EvidenceRejected, check_upload
from procure.disclosures.evidence_levels import LEVEL_LABELS
from procure.disclosures.models import EVIDENCE_SECTIONS, Disclosure
from procure.disclosures.pricing import pricing_day
from procure.disclosures.services import period_label
from procure.disclosures.signals import scores_outdated
from procure.editing import insert_once, save_changes
from procure.errors import ConflictError, StoredFileUnreadable, ValidationFailed
from procure.extensions import db
from procure.notifications.services import active_users, link_to, notify
from procure.states import (
    AssuranceLevel,
    AttestationState,
    DisclosureState,
    GrantState,
    NotificationKind,
    Opinion,
)

log = logging.getLogger(__name__)

PDF_TYPE = "application/pdf"


# ------------------------------------------------------------------------------------ grants


def assurance_providers() -> Sequence[Organization]:
    """Every assurance provider, by name: whom a vendor may share a version with."""
    return db.session.scalars(
        select(Organization).where(Organization.kind == "assurance").order_by(Organization.name)
    ).all()


def grants_of(disclosure: Disclosure) -> Sequence[AssuranceGrant]:
    """The version's grants, open and revoked, oldest first (for its vendor)."""
    return db.session.scalars(
        select(AssuranceGrant)
        .where(AssuranceGrant.disclosure_id == disclosure.id)
        .order_by(AssuranceGrant.id)
    ).all()


def sharing(disclosure: Disclosure) -> dict[str, Any]:
    """What the vendor's disclosure page shows of its sharing: the grants, and the providers to
    choose from as (id, name) options."""
    return {
        "grants": grants_of(disclosure),
        "provider_options": [(p.id, p.name) for p in assurance_providers()],
    }


def grant_access(disclosure: Disclosure, provider_id: int, user) -> AssuranceGrant:
    """The vendor lets an assurance provider read one submitted version and its evidence, and
    attest its sections (a draft still changes: there is nothing fixed to attest). Its users
    are notified. Refused (named `provider_id`) for an organization that is not an assurance
    provider; 409 while the provider holds an open grant of the version."""
    if disclosure.state != DisclosureState.SUBMITTED:
        raise ConflictError(
            f"Only a submitted version can be shared for assurance; version {disclosure.number} "
            f"is {disclosure.state}."
        )
    provider = db.session.get(Organization, provider_id)
    if provider is None or provider.kind != "assurance":
        raise ValidationFailed({"provider_id": ["Choose one of the assurance providers."]})
    duplicate = ConflictError(
        f"{provider.name} can read version {disclosure.number} already; revoke that grant first "
        "to grant it again."
    )
    if db.session.scalar(
        select(AssuranceGrant.id).where(
            AssuranceGrant.disclosure_id == disclosure.id,
            AssuranceGrant.provider_id == provider.id,
            AssuranceGrant.revoked_at.is_(None),
        )
    ):
        raise duplicate
    grant = AssuranceGrant(
        disclosure=disclosure, provider=provider, granted_at=utcnow(), granted_by_id=user.id
    )
    db.session.add(grant)
    insert_once(grant, duplicate)  # a colleague granted it since the check
    record_event(
        "assurance.grant",
        grant,
        actor=user,
        after={"disclosure_id": disclosure.id, "provider_id": provider.id},
    )
    notify(
        active_users("assurer", "admin", organization_id=provider.id),
        NotificationKind.ASSURANCE_SHARED,
        f"{disclosure.vendor.name} shared its disclosure for {period_label(disclosure)} "
        f"(version {disclosure.number}) for assurance.",
        link=link_to("assurance_pages.shared_version", grant_id=grant.id),
        subject=grant,
    )
    return grant


def revoke_grant(grant: AssuranceGrant, user) -> AssuranceGrant:
    """The vendor ends a provider's access to the version: its assurers no longer read it, and
    attest nothing more on it. The attestations it issued stay, and keep counting while valid:
    they were made on what the vendor shared, and cannot be unsaid by the one assessed."""
    if grant.revoked_at is not None:
        raise ConflictError(f"This grant was revoked on {grant.revoked_at:%d %b %Y} already.")
    grant.revoked_at = utcnow()
    grant.revoked_by_id = user.id
    save_changes(grant, "grant")
    record_event(
        "assurance.revoke",
        grant,
        actor=user,
        before={"state": GrantState.ACTIVE},
        after={"state": GrantState.REVOKED, "provider_id": grant.provider_id},
    )
    return grant


# ------------------------------------------------------------------------------ attestations


def _checked_fields(fields: Mapping[str, Any], disclosure: Disclosure) -> dict[str, list[str]]:
    """What is wrong with an attestation's fields, each named; empty when nothing is."""
    errors: dict[str, list[str]] = {}
    if fields.get("section") not in EVIDENCE_SECTIONS:
        errors["section"] = [f"Choose one of: {', '.join(EVIDENCE_SECTIONS)}."]
    standard = (fields.get("standard") or "").strip()
    if not standard:
        errors["standard"] = ["Name the standard the engagement followed, e.g. ISAE 3000."]
    elif len(standard) > STANDARD_LENGTH:
        errors["standard"] = [f"Shorten the standard's name to {STANDARD_LENGTH} characters."]
    if fields.get("level") not in tuple(AssuranceLevel):
        errors["level"] = [f"Choose one of: {', '.join(AssuranceLevel)}."]
    if fields.get("opinion") not in tuple(Opinion):
        errors["opinion"] = [f"Choose one of: {', '.join(Opinion)}."]
    issued_on, expires_on = fields.get("issued_on"), fields.get("expires_on")
    if not isinstance(issued_on, date):
        errors["issued_on"] = ["Give the statement's date."]
    elif issued_on > pricing_day():
        errors["issued_on"] = ["A statement cannot be dated after today."]
    elif issued_on <= disclosure.period_end:
        errors["issued_on"] = [
            f"A statement on the figures of a period is dated after the period ends "
            f"({disclosure.period_end})."
        ]
    if not isinstance(expires_on, date):
        errors["expires_on"] = ["Give the day the statement expires."]
    elif isinstance(issued_on, date) and expires_on <= issued_on:
        errors["expires_on"] = [f"The expiry must come after the statement's date ({issued_on})."]
    return errors


def _checked_statement(filename: str | None, content: bytes | None) -> tuple[str, int, str]:
    """The statement file's name, size and SHA-256, once the evidence checks passed and it is a
    PDF; EvidenceRejected (413 for size, 422 otherwise) says why not."""
    if not filename or content is None:
        raise EvidenceRejected("Attach the assurance statement (a PDF).")
    stored = check_upload(filename, content, int(current_app.config["MAX_UPLOAD_MB"] * 1_048_576))
    if stored.content_type != PDF_TYPE:
        raise EvidenceRejected("The assurance statement must be a PDF.")
    return stored.filename, stored.size, stored.sha256


def issue_attestation(
    grant: AssuranceGrant,
    fields: Mapping[str, Any],
    filename: str | None,
    content: bytes | None,
    user,
) -> Attestation:
    """The user's assurance provider attests one section of the version it was granted. Every
    field is checked first and all refusals are named at once (ValidationFailed; the statement
    file as `file`), nothing saved. A provider makes one statement per section and version at a
    time: another whose period of validity overlaps one it made and did not withdraw is refused
    (409); after a withdrawal it may issue the corrected statement at once. Audited; the
    vendor is notified, and the period's score snapshots are refreshed (the level changes for
    every reader)."""
    disclosure = grant.disclosure
    errors = _checked_fields(fields, disclosure)
    try:
        statement_name, size, digest = _checked_statement(filename, content)
    except EvidenceRejected as rejected:
        if not errors and rejected.status == 413:
            raise
        errors["file"] = [rejected.message]
    if errors:
        raise ValidationFailed(errors)
    section, issued_on, expires_on = fields["section"], fields["issued_on"], fields["expires_on"]
    overlapping = db.session.scalars(
        select(Attestation).where(
            Attestation.disclosure_id == disclosure.id,
            Attestation.provider_id == grant.provider_id,
            Attestation.section == section,
            Attestation.issued_on < expires_on,
            Attestation.expires_on > issued_on,
            Attestation.withdrawn_at.is_(None),
        )
    ).first()
    if overlapping is not None:
        raise ConflictError(
            f"Your organization attested the {section} section of version {disclosure.number} "
            f"on {overlapping.issued_on} until {overlapping.expires_on}: a statement stands "
            "until it expires, and a new one may start from its expiry. If that statement was "
            "made in error, withdraw it first."
        )
    attestation = Attestation(
        disclosure=disclosure,
        grant=grant,
        provider_id=grant.provider_id,
        section=section,
        standard=fields["standard"].strip(),
        level=fields["level"],
        opinion=fields["opinion"],
        issued_on=issued_on,
        expires_on=expires_on,
        statement_filename=statement_name,
        statement_size=size,
        statement_sha256=digest,
        statement=content,
        issued_by_id=user.id,
    )
    db.session.add(attestation)
    db.session.flush()
    statement = attestation.as_statement()
    record_event(
        "attestation.issue",
        attestation,
        actor=user,
        after={
            "disclosure_id": disclosure.id,
            "section": section,
            "standard": attestation.standard,
            "level": attestation.level,
            "opinion": attestation.opinion,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "sha256": digest,
            "sets_level": statement.sets_level,
        },
    )
    notify(
        active_users("vendor", "admin", organization_id=disclosure.vendor.organization_id),
        NotificationKind.ATTESTATION_ISSUED,
        f"{grant.provider.name} attested the {section} section of your disclosure for "
        f"{period_label(disclosure)} (version {disclosure.number}): {statement.label}; it counts "
        f"as {LEVEL_LABELS[statement.sets_level]} for every buyer while valid.",
        link=link_to("disclosure_pages.show", disclosure_id=disclosure.id),
        subject=attestation,
    )
    scores_outdated.send(disclosure, user=user)
    return attestation


def _checked_reason(reason: str | None) -> str:
    """The withdrawal's reason, stripped; ValidationFailed naming `reason` when it is missing or
    too long."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            {"reason": ["Say why it is withdrawn: the vendor and every buyer read the reason."]}
        )
    if len(reason) > WITHDRAWAL_REASON_LENGTH:
        raise ValidationFailed(
            {"reason": [f"Shorten the reason to {WITHDRAWAL_REASON_LENGTH} characters."]}
        )
    return reason


def withdraw_attestation(attestation: Attestation, reason: str | None, user) -> Attestation:
    """The provider that issued the attestation withdraws it, saying why (a statement made in
    error): from then on it counts for no reader on any day (procure.disclosures.evidence_levels)
    and is shown as withdrawn, with the reason and the date. The one change an attestation takes,
    and only once: 409 when it is withdrawn already (a parallel withdrawal included: the UPDATE
    names the row only while it is not withdrawn); 422 naming `reason` without one. Audited; the
    vendor and every buyer are told; the period's scores and every buyer's stored rankings are
    refreshed, as after issuing (`scores_outdated`). The caller checked that the user's
    organization issued it (`Attestation.scope`)."""
    if attestation.withdrawn_at is not None:
        raise ConflictError(
            f"This attestation was withdrawn on {attestation.withdrawn_at:%Y-%m-%d} already."
        )
    reason = _checked_reason(reason)
    before = attestation.state_on(pricing_day())
    statement = attestation.as_statement()
    now = utcnow()
    changed = rowcount(
        db.session.execute(
            update(Attestation)
            .where(Attestation.id == attestation.id, Attestation.withdrawn_at.is_(None))
            .values(withdrawn_at=now, withdrawn_by_id=user.id, withdrawal_reason=reason)
            .execution_options(synchronize_session=False)
        )
    )
    if not changed:
        raise ConflictError("This attestation was withdrawn a moment ago by someone else.")
    db.session.refresh(attestation)
    disclosure = attestation.disclosure
    record_event(
        "attestation.withdraw",
        attestation,
        actor=user,
        before={"state": before, "sets_level": statement.sets_level},
        after={"state": AttestationState.WITHDRAWN, "reason": reason},
    )
    title = (
        f"{attestation.provider.name} withdrew its attestation of the {attestation.section} "
        f"section of {disclosure.vendor.name}'s disclosure for {period_label(disclosure)} "
        f"(version {disclosure.number}, {statement.label}): it no longer counts for any buyer. "
        f"Why: {reason}"
    )
    link = link_to("disclosure_pages.show", disclosure_id=disclosure.id)
    notify(
        active_users("vendor", "admin", organization_id=disclosure.vendor.organization_id),
        NotificationKind.ATTESTATION_WITHDRAWN,
        title,
        link=link,
        subject=attestation,
    )
    # every buyer organization sees every vendor and scores it with every attestation
    notify(
        active_users("buyer"),
        NotificationKind.ATTESTATION_WITHDRAWN,
        title,
        link=link,
        subject=attestation,
    )
    scores_outdated.send(disclosure, user=user)
    return attestation


class StatementUnreadable(StoredFileUnreadable):
    """A statement whose bytes no longer match the SHA-256 recorded when it was issued."""


def read_statement(attestation: Attestation) -> bytes:
    """The statement's PDF, checked against the SHA-256 recorded when it was issued."""
    content = attestation.statement
    if hashlib.sha256(content).hexdigest() != attestation.statement_sha256:
        log.error("attestation %s: its statement does not match its SHA-256", attestation.id)
        raise StatementUnreadable(
            "The stored statement does not match the SHA-256 recorded when it was issued, so it "
            "is not served. The error has been logged."
        )
    return content
