"""Disclosure versions and their life cycle: draft -> submitted, then verified or rejected by
each buyer organization that reviews it, for itself (procure.disclosures.reviews).

A submitted version is never changed; an amendment is a new draft version of the same vendor
and period. Services add and flush; the request or command commits.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from procure.accounts.models import User
from procure.audit.models import AuditEvent
from procure.audit.services import record_event, said_lately
from procure.db import utcnow
from procure.disclosures.evidence_files import check_upload
from procure.disclosures.evidence_store import evidence_store, read_stored, sha256_of
from procure.disclosures.models import (
    CARRIED_OVER,
    EVIDENCE_LEVELS,
    EVIDENCE_SECTIONS,
    Disclosure,
    DisclosureReview,
    Evidence,
)
from procure.disclosures.signals import scores_outdated
from procure.disclosures.validation import validate_and_normalise, validate_disclosure
from procure.editing import check_version, insert_once, save_changes
from procure.errors import ConflictError, StoredFileUnreadable, ValidationFailed
from procure.extensions import db
from procure.notifications.services import active_users, link_to, notify
from procure.reference import reference
from procure.states import DisclosureState, NotificationKind, ReviewDecision
from procure.vendors.models import Vendor

log = logging.getLogger(__name__)

# A draft saving itself as the vendor types: its saves less than this apart are one audit event.
AUTOSAVE_AUDIT_WINDOW = timedelta(minutes=15)


def document_of(disclosure: Disclosure) -> dict[str, Any]:
    """The disclosure document: period plus figures, as the validator and exports see it (a
    draft's carried-over marks are no part of it)."""
    return {
        "period_start": disclosure.period_start.isoformat(),
        "period_end": disclosure.period_end.isoformat(),
        **_without_marks(disclosure.figures),
    }


def _without_marks(figures: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in figures.items() if key != CARRIED_OVER}


def _checked(document: Mapping[str, Any], *, for_submit: bool) -> tuple[dict[str, Any], list[dict]]:
    """Validate a document; raise ValidationFailed with one message list per field path."""
    report, clean = validate_and_normalise(
        document, reference(), today=date.today(), for_submit=for_submit
    )
    if report.errors:
        errors: dict[str, list[str]] = {}
        for issue in report.errors:
            errors.setdefault(issue.field, []).append(issue.message)
        raise ValidationFailed(
            errors,
            "The disclosure has errors: see the message for each field."
            if not for_submit
            else "The disclosure cannot be submitted yet: see the message for each field.",
        )
    warnings = [{"field": w.field, "message": w.message} for w in report.warnings]
    return clean, warnings


def _split(document: dict[str, Any]) -> tuple[date, date, dict[str, Any]]:
    figures = {k: v for k, v in document.items() if k not in ("period_start", "period_end")}
    return (
        date.fromisoformat(document["period_start"]),
        date.fromisoformat(document["period_end"]),
        figures,
    )


def versions_of(vendor_id: int, period_start: date, period_end: date) -> Sequence[Disclosure]:
    return db.session.scalars(
        select(Disclosure)
        .where(
            Disclosure.vendor_id == vendor_id,
            Disclosure.period_start == period_start,
            Disclosure.period_end == period_end,
        )
        .order_by(Disclosure.number)
    ).all()


def _require_period(document: Mapping[str, Any]) -> None:
    missing = {
        k: ["Give the reporting period's first and last day."]
        for k in ("period_start", "period_end")
        if not document.get(k)
    }
    if missing:
        raise ValidationFailed(missing)


def first_version(document: Mapping[str, Any]) -> tuple[date, date, dict[str, Any], list[dict]]:
    """The period, figures and warnings of a vendor's first draft of a period from `document`,
    checked as a draft (ValidationFailed names each field); nothing is written."""
    _require_period(document)
    clean, warnings = _checked(document, for_submit=False)
    period_start, period_end, figures = _split(clean)
    return period_start, period_end, figures, warnings


def create_draft(
    vendor: Vendor, document: Mapping[str, Any], user, *, carry_over: bool = False
) -> Disclosure:
    """Start the first version of a vendor's disclosure for a period. With `carry_over`, the
    sections the document leaves out start from the vendor's newest earlier submitted version
    (`carry_source`), each figure marked as carried over (`carry_into`)."""
    _require_period(document)
    source = None
    marks: list[str] = []
    if carry_over:
        _checked(document, for_submit=False)  # the period and the sections sent, as sent
        source = carry_source(vendor.id, date.fromisoformat(str(document["period_start"])))
    if source is not None:
        document, marks = carry_into(document, source)
    period_start, period_end, figures, warnings = first_version(document)
    if source is not None and marks:
        figures[CARRIED_OVER] = {"from": source.id, "paths": marks}
    existing = versions_of(vendor.id, period_start, period_end)
    if existing:
        latest = existing[-1]
        raise ConflictError(
            f"A disclosure for {period_start} to {period_end} exists already "
            f"(version {latest.number}, {latest.state}). "
            "Edit the draft or amend the submitted version instead.",
            {"disclosure_id": [str(latest.id)]},
        )
    disclosure = Disclosure(
        vendor=vendor,
        period_start=period_start,
        period_end=period_end,
        number=1,
        state=DisclosureState.DRAFT,
        figures=figures,
        warnings=warnings,
        created_by_id=user.id,
    )
    db.session.add(disclosure)
    insert_once(
        disclosure,
        ConflictError(  # started by another request since the check above
            f"A disclosure for {period_start} to {period_end} was started a moment ago. "
            "Reload your disclosures and edit that draft instead."
        ),
    )
    after = {"period_start": period_start, "period_end": period_end, "number": 1}
    if source is not None and marks:
        after.update(carried_over_from=source.id, carried_over=len(marks))
    record_event("disclosure.create", disclosure, actor=user, after=after)
    return disclosure


# --- a new period from the previous one's figures ---------------------------------------------

# Evidence claims start here, not from the earlier period's: files stay with the version they
# were attached to, and a claim of documents with none attached is what reviewers are warned of.
CARRIED_EVIDENCE_CLAIM = "self_reported"
_SECTIONS = ("workforce", "wages", "training", "evidence")


def carry_source(vendor_id: int, period_start: date) -> Disclosure | None:
    """The version a new period's draft starts from: the vendor's newest submitted version of a
    period that began earlier, leaving out any version a buyer organization rejected (its figures
    were found wrong; an older version of the period stands in, as in the scores)."""
    rejected = select(DisclosureReview.disclosure_id).where(
        DisclosureReview.decision == ReviewDecision.REJECTED
    )
    return db.session.scalars(
        select(Disclosure)
        .where(
            Disclosure.vendor_id == vendor_id,
            Disclosure.state == DisclosureState.SUBMITTED,
            Disclosure.period_start < period_start,
            Disclosure.id.not_in(rejected),
        )
        .order_by(Disclosure.period_start.desc(), Disclosure.number.desc())
        .limit(1)
    ).first()


def filled_paths(figures: Mapping[str, Any], sections: Iterable[str]) -> list[str]:
    """The path of every disclosed figure (not None) of `sections`, in document order:
    'workforce.headcount_end', 'workforce.categories.disability', 'wages[0].living_wage_source'."""
    paths = []
    for section in sections:
        value = figures.get(section)
        if section == "wages":
            for index, site in enumerate(value or []):
                paths += [f"wages[{index}].{key}" for key, v in site.items() if v is not None]
            continue
        for key, item in (value or {}).items():
            if isinstance(item, Mapping):
                paths += [f"{section}.{key}.{k}" for k, v in item.items() if v is not None]
            elif item is not None:
                paths.append(f"{section}.{key}")
    return paths


def carry_into(document: Mapping[str, Any], source: Disclosure) -> tuple[dict[str, Any], list[str]]:
    """`document` (a new period's dates and any sections sent) completed with `source`'s
    figures, and the paths of the figures carried over. A section the document holds is kept as
    sent; evidence claims start at self-reported (CARRIED_EVIDENCE_CLAIM), never carried; a
    carried figure that today's rules refuse (a currency no longer convertible, say) is left
    blank rather than refusing the new draft."""
    figures = copy.deepcopy(_without_marks(source.figures))
    figures["evidence"] = {section: CARRIED_EVIDENCE_CLAIM for section in EVIDENCE_SECTIONS}
    carried = [s for s in _SECTIONS if document.get(s) is None]
    merged = {**document, **{section: figures.get(section) for section in carried}}
    marks = filled_paths(merged, [s for s in carried if s != "evidence"])
    for _ in range(3):  # each pass blanks what the rules refuse; a blank figure breaks no rule
        report = validate_disclosure(merged, reference(), today=date.today(), for_submit=False)
        refused = {issue.field for issue in report.errors} & set(marks)
        if not refused:
            break
        for path in refused:
            _set_at(merged, path, None)
        marks = [path for path in marks if path not in refused]
    return merged, marks


_SITE_PATH = re.compile(r"wages\[(\d+)\]\.(\w+)")


def _value_at(figures: Mapping[str, Any], path: str) -> Any:
    site = _SITE_PATH.fullmatch(path)
    if site:
        sites = figures.get("wages") or []
        index = int(site.group(1))
        return sites[index].get(site.group(2)) if index < len(sites) else None
    value: Any = figures
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _set_at(figures: dict[str, Any], path: str, value: Any) -> None:
    site = _SITE_PATH.fullmatch(path)
    if site:
        figures["wages"][int(site.group(1))][site.group(2)] = value
        return
    *groups, key = path.split(".")
    target = figures
    for group in groups:
        target = target[group]
    target[key] = value


# A path a vendor may confirm: a whole section, a site, a category group, or one field.
_CONFIRMABLE = re.compile(
    r"(workforce|wages|training)"
    r"|workforce\.categories(\.\w+)?|(workforce|training)\.\w+"
    r"|wages\[\d+\](\.\w+)?"
)


def check_confirmed(confirmed: Iterable[str]) -> list[str]:
    """The carried-over figures a vendor confirms as still right, as field paths; a path of no
    figure of the form is refused (422)."""
    confirmed = [str(path).strip() for path in confirmed if str(path).strip()]
    wrong = [path for path in confirmed if not _CONFIRMABLE.fullmatch(path)]
    if wrong:
        raise ValidationFailed(
            {
                "confirmed": [
                    f"{', '.join(repr(p) for p in wrong)}: not a field of the disclosure. Name a "
                    "section (workforce, wages, training), a site (wages[0]) or a field "
                    "(workforce.headcount_end, wages[0].currency)."
                ]
            }
        )
    return confirmed


def _still_carried(
    marks: Sequence[str],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    confirmed: Sequence[str],
) -> list[str]:
    """The marks that stay after a save, at their paths in `after`: a figure keeps its mark while
    it holds the carried value and the vendor has not confirmed it (nor its site or section;
    `confirmed` names the paths of `before`, as the form and the API showed them).
    Sites are followed by name, so removing one site leaves the others' marks where they moved."""

    def names(figures: Mapping[str, Any]) -> list[str]:
        return [(site.get("site") or "").casefold() for site in figures.get("wages") or []]

    names_before, names_after = names(before), names(after)
    kept: list[str] = []
    for path in marks:
        moved = path
        site = _SITE_PATH.fullmatch(path)
        if site:
            index, name = int(site.group(1)), names_before[int(site.group(1))]
            if name and name in names_after:  # the site, wherever it is now
                moved = f"wages[{names_after.index(name)}].{site.group(2)}"
            elif index < len(names_after) and names_after[index] in names_before:
                continue  # its place holds another site of before: this one was removed
        now = _value_at(after, moved)
        if now is None or now != _value_at(before, path) or moved in kept:
            continue
        # confirmed as the vendor saw the draft: at the paths before this save
        if any(path == c or path.startswith((c + ".", c + "[")) for c in confirmed):
            continue
        kept.append(moved)
    return kept


def _require_draft(disclosure: Disclosure) -> None:
    if disclosure.state != DisclosureState.DRAFT:
        raise ConflictError(
            f"Version {disclosure.number} is {disclosure.state} and can no longer be changed. "
            "Create an amendment (a new version) instead."
        )


def update_draft(
    disclosure: Disclosure,
    document: Mapping[str, Any],
    sent_version: int | None,
    user: User,
    confirmed: Iterable[str] = (),
    *,
    autosave: bool = False,
) -> Disclosure:
    """Replace a draft's figures. The period is fixed once the disclosure exists.

    A carried-over figure loses its mark once saved with another value, or confirmed as it is
    (`confirmed`: its path, its site's or its section's); the marks are the draft's own, never
    taken from `document`.

    `autosave`: the page saving as the vendor types. Its audit event is marked so; a save that
    changed nothing records none, and one sitting of such saves (pauses less than
    AUTOSAVE_AUDIT_WINDOW apart, nothing else done to the draft between them) records one
    event, not one per pause. A save by the button, and the submission, are each recorded."""
    _require_draft(disclosure)
    check_version(disclosure, sent_version, "disclosure")
    disclosure.figures, disclosure.warnings = draft_figures(disclosure, document, confirmed)
    read_version = disclosure.edit_version
    save_changes(disclosure, "disclosure", sent_version)
    after: dict[str, Any] = {"edit_version": disclosure.edit_version}
    if autosave:
        after["autosave"] = True
        if disclosure.edit_version == read_version or said_lately(
            "disclosure.update",
            disclosure,
            actor=user,
            mark="autosave",
            within=AUTOSAVE_AUDIT_WINDOW,
        ):
            return disclosure
    record_event("disclosure.update", disclosure, actor=user, after=after)
    return disclosure


def other_change(disclosure: Disclosure, user: User) -> dict[str, Any] | None:
    """Who last changed a draft and when, for a save refused because the page was opened at an
    older version: {"who", "at", "sentence"} from the draft's newest audit event (None without
    one). A sitting of autosaves is recorded once, at its start: its time is said as such."""
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Disclosure", AuditEvent.target_id == str(disclosure.id))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    actor = db.session.get(User, event.actor_id) if event.actor_id else None
    mine = actor is not None and actor.id == user.id
    at = f"{event.created_at:%Y-%m-%d %H:%M} UTC"
    sitting = (event.changes.get("after") or {}).get("autosave") is True
    when = f"as {'you' if mine else 'they'} typed, from {at}" if sitting else f"at {at}"
    if mine:
        who, sentence = "you", f"You changed this draft in another window or tab {when}"
    else:
        who = actor.name if actor is not None else "someone else"
        sentence = f"{who[:1].upper()}{who[1:]} changed this draft {when}"
    return {
        "who": who,
        "at": event.created_at.isoformat(),
        "sentence": f"{sentence} (since you opened the page), so what you typed was not saved.",
    }


def draft_figures(
    disclosure: Disclosure, document: Mapping[str, Any], confirmed: Iterable[str] = ()
) -> tuple[dict[str, Any], list[dict]]:
    """The figures and warnings `disclosure` (a draft, or the version an amendment copies) gets
    from `document`, checked as a draft (ValidationFailed names each field), with the carried-over
    marks that stay (`update_draft`); nothing is changed or written."""
    confirmed = check_confirmed(confirmed)
    merged = {
        **_without_marks(document),
        "period_start": disclosure.period_start.isoformat(),
        "period_end": disclosure.period_end.isoformat(),
    }
    clean, warnings = _checked(merged, for_submit=False)
    _, _, figures = _split(clean)
    marks = _still_carried(disclosure.carried_over, disclosure.figures, figures, confirmed)
    if marks:
        figures[CARRIED_OVER] = {"from": disclosure.carried_over_from_id, "paths": marks}
    return figures, warnings


DOCUMENTED_LEVELS = EVIDENCE_LEVELS[EVIDENCE_LEVELS.index("self_reported_documented") :]


def unbacked_claims(disclosure: Disclosure) -> list[tuple[str, str]]:
    """(section, claimed level) of each section claiming a documented (or stronger) level with
    no file attached to it, as the version stands."""
    claimed = disclosure.figures.get("evidence") or {}
    backed = {evidence.section for evidence in disclosure.evidence}
    return [
        (section, level)
        for section, level in claimed.items()
        if level in DOCUMENTED_LEVELS and section not in backed
    ]


def unbacked_evidence_warnings(disclosure: Disclosure) -> list[dict[str, str]]:
    """A documented (or stronger) level claimed for a section with no file attached to it."""
    return [
        {
            "field": f"evidence.{section}",
            "message": f"The {section} section claims '{level.replace('_', ' ')}' evidence "
            "but no file is attached to it; reviewers should ask for the documents.",
        }
        for section, level in unbacked_claims(disclosure)
    ]


def submit(disclosure: Disclosure, user) -> Disclosure:
    _require_draft(disclosure)
    _, warnings = _checked(document_of(disclosure), for_submit=True)
    warnings = warnings + unbacked_evidence_warnings(disclosure)
    unchecked = len(disclosure.carried_over)
    disclosure.figures = _without_marks(disclosure.figures)  # marks are a draft's, never submitted
    disclosure.state = DisclosureState.SUBMITTED
    disclosure.warnings = warnings
    disclosure.submitted_at = utcnow()
    disclosure.submitted_by_id = user.id
    save_changes(disclosure, "disclosure")
    record_event(
        "disclosure.submit",
        disclosure,
        actor=user,
        before={"state": DisclosureState.DRAFT},
        after={
            "state": DisclosureState.SUBMITTED,
            "warnings": len(warnings),
            "carried_over_unchecked": unchecked,
        },
    )
    _rescore(disclosure, user)
    _tell_reviewers(disclosure)
    return disclosure


def period_label(disclosure: Disclosure) -> str:
    """The period in words: "2025" for a calendar year, else "2025-04-01 to 2026-03-31"."""
    start, end = disclosure.period_start, disclosure.period_end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start} to {end}"


def _tell_reviewers(disclosure: Disclosure) -> None:
    """A submitted version waits in the review queue (/reviews) of every buyer organization: the
    queue admits the role buyer and shows every submitted version that the buyer's organization
    has not reviewed yet, which a new version never is. So every active buyer is told."""
    notify(
        active_users("buyer"),
        NotificationKind.DISCLOSURE_SUBMITTED,
        f"{disclosure.vendor.name} submitted its disclosure for {period_label(disclosure)} "
        f"(version {disclosure.number}): it waits for your review.",
        link=link_to("disclosure_pages.show", disclosure_id=disclosure.id),
        subject=disclosure,
    )


def _rescore(disclosure: Disclosure, user) -> None:
    """Ask for a refresh of the period's score snapshots (the scores themselves are computed
    live); procure.scoring.jobs queues it."""
    scores_outdated.send(disclosure, user=user)


def amend(disclosure: Disclosure, user) -> Disclosure:
    """A new draft version copying the latest version's figures and evidence."""
    versions = versions_of(disclosure.vendor_id, disclosure.period_start, disclosure.period_end)
    latest = versions[-1]
    if latest.state == DisclosureState.DRAFT:
        raise ConflictError(
            f"Version {latest.number} is already a draft: edit it instead.",
            {"disclosure_id": [str(latest.id)]},
        )
    amendment = Disclosure(
        vendor_id=latest.vendor_id,
        period_start=latest.period_start,
        period_end=latest.period_end,
        number=latest.number + 1,
        state=DisclosureState.DRAFT,
        figures=dict(latest.figures),
        warnings=list(latest.warnings),
        created_by_id=user.id,
    )
    db.session.add(amendment)
    insert_once(
        amendment,
        ConflictError(  # another request amended it since the check above
            f"Version {latest.number} was amended a moment ago: "
            f"version {amendment.number} is already a draft. "
            "Reload and edit that draft instead."
        ),
    )
    for evidence in latest.evidence:
        db.session.add(Evidence(**evidence_copy(evidence, amendment.id)))
    record_event(
        "disclosure.amend",
        amendment,
        actor=user,
        after={"number": amendment.number, "amends": latest.id},
    )
    return amendment


def evidence_copy(evidence: Evidence, disclosure_id: int) -> dict[str, Any]:
    """The columns of `evidence` copied to the amendment `disclosure_id` (the file is shared)."""
    return {
        "disclosure_id": disclosure_id,
        "section": evidence.section,
        "level": evidence.level,
        "filename": evidence.filename,
        "stored_name": evidence.stored_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "uploaded_by_id": evidence.uploaded_by_id,
    }


def add_evidence(
    disclosure: Disclosure, filename: str, content: bytes, section: str, level: str, user
) -> Evidence:
    """Attach a file to a draft. The draft's edit_version goes up with it: a file is part of the
    version, and a submit racing the upload must not miss it (one of the two gets 409).

    The file is put in the evidence store only once it passed the checks, and is kept only if
    this transaction commits (procure.disclosures.evidence_store)."""
    _require_draft(disclosure)
    errors = {}
    if section not in EVIDENCE_SECTIONS:
        errors["section"] = [f"Choose one of: {', '.join(EVIDENCE_SECTIONS)}."]
    if level not in EVIDENCE_LEVELS:
        errors["level"] = [f"Choose one of: {', '.join(EVIDENCE_LEVELS)}."]
    if errors:
        raise ValidationFailed(errors)
    stored = check_upload(filename, content, int(current_app.config["MAX_UPLOAD_MB"] * 1_048_576))
    evidence_store().put(stored.stored_name, content)
    evidence = Evidence(
        disclosure=disclosure,
        section=section,
        level=level,
        filename=stored.filename,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=user.id,
    )
    db.session.add(evidence)
    disclosure.updated_at = utcnow()
    save_changes(disclosure, "disclosure")
    record_event(
        "evidence.upload",
        evidence,
        actor=user,
        after={
            "disclosure_id": disclosure.id,
            "section": section,
            "level": level,
            "sha256": stored.sha256,
        },
    )
    return evidence


class EvidenceUnreadable(StoredFileUnreadable):
    """An evidence record whose file cannot be served as it was uploaded: missing from every
    store, or bytes that do not match the SHA-256 recorded at upload."""


def read_evidence(evidence: Evidence) -> bytes:
    """The bytes of an evidence file, checked against the SHA-256 recorded when it was uploaded."""
    found = read_stored(evidence.stored_name)
    if found is None:
        log.error("evidence %s: no store holds its file %s", evidence.id, evidence.stored_name)
        raise EvidenceUnreadable(
            "The file of this evidence record is missing from the evidence store. "
            "The error has been logged."
        )
    content, source = found
    digest = sha256_of(content)
    if digest != evidence.sha256:
        log.error(
            "evidence %s: the file %s in %s has SHA-256 %s, not the %s recorded at upload; "
            "not served",
            evidence.id,
            evidence.stored_name,
            source,
            digest,
            evidence.sha256,
        )
        raise EvidenceUnreadable(
            "The stored file does not match the SHA-256 recorded when it was uploaded, so it is "
            "not served. The error has been logged."
        )
    return content
