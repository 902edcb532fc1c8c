"""The operator's upkeep of the evidence store: copying older files in (`procure evidence
migrate`) and removing files no record names (`procure evidence gc`).

Services in the house sense: they change the store within the session's transaction (the
database store) or beside it (an object store), and the command commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from procure.disclosures.evidence_files import is_generated_name
from procure.disclosures.evidence_store import (
    StoredEntry,
    evidence_store,
    fallback_sources,
    legacy_folder,
    sha256_of,
)
from procure.disclosures.models import Evidence
from procure.extensions import db

# what `copy_into_store` did with one stored name
PRESENT = "present"  # the store holds it, with the recorded SHA-256: nothing to do
COPIED = "copied"  # copied from a fallback source, checked against the recorded SHA-256
MISSING = "missing"  # neither the store nor any fallback source holds it
MISMATCH = "mismatch"  # found only with other bytes than those recorded: not copied
PROBLEMS = (MISSING, MISMATCH)


@dataclass(frozen=True)
class CopyOutcome:
    name: str
    action: str
    detail: str


def recorded_files() -> list[tuple[str, str]]:
    """Each stored name the evidence records name, with the SHA-256 recorded at upload (the
    records of amended copies share one name: it is listed once)."""
    rows = db.session.execute(
        select(Evidence.stored_name, Evidence.sha256).distinct().order_by(Evidence.stored_name)
    )
    return [(name, sha256) for name, sha256 in rows]


def copy_into_store(name: str, sha256: str) -> CopyOutcome:
    """Make the store hold `name` with the bytes recorded for it, copying them from the first
    fallback source (the database, then the legacy folder) whose bytes match. Never overwrites
    or deletes anything: bytes in the store that do not match are reported, not replaced."""
    store = evidence_store()
    held = store.get(name)
    if held is not None:
        if sha256_of(held) == sha256:
            return CopyOutcome(name, PRESENT, store.label)
        return CopyOutcome(
            name, MISMATCH, f"{store.label} holds other bytes (SHA-256 {sha256_of(held)})"
        )
    differing = []
    for source in fallback_sources():
        content = source.get(name)
        if content is None:
            continue
        if sha256_of(content) != sha256:
            differing.append(f"{source.label} (SHA-256 {sha256_of(content)})")
            continue
        store.put(name, content)
        return CopyOutcome(name, COPIED, f"from {source.label}")
    if differing:
        return CopyOutcome(name, MISMATCH, "other bytes than recorded in " + ", ".join(differing))
    sources = ", ".join(source.label for source in [store, *fallback_sources()])
    return CopyOutcome(name, MISSING, f"in none of {sources}")


def unrecorded_legacy_files() -> list[str]:
    """Evidence files of the legacy folder that no evidence record names (left where they
    are; other files there are not evidence and are not counted)."""
    recorded = set(db.session.scalars(select(Evidence.stored_name).distinct()))
    return [
        name for name in legacy_folder().names() if is_generated_name(name) and name not in recorded
    ]


@dataclass(frozen=True)
class Orphans:
    """The store's files that no evidence record names: `removable` were stored before the
    grace period began; `recent` within it (an upload whose record may not be committed yet)."""

    removable: list[StoredEntry]
    recent: list[StoredEntry]


def find_orphans(grace: timedelta, now: datetime) -> Orphans:
    """The orphans of the store. Only names of the shape the app generates are considered, so
    another application's objects under the same prefix are never taken for orphans.

    The store is listed before the records are read: a file whose record commits in between is
    then seen as named (and a file stored after the listing is not seen at all)."""
    listed = [entry for entry in evidence_store().entries() if is_generated_name(entry.name)]
    recorded = set(db.session.scalars(select(Evidence.stored_name).distinct()))
    orphans = [entry for entry in listed if entry.name not in recorded]
    cutoff = now - grace
    return Orphans(
        removable=[entry for entry in orphans if entry.stored_at <= cutoff],
        recent=[entry for entry in orphans if entry.stored_at > cutoff],
    )


def remove_orphan(entry: StoredEntry) -> None:
    """Delete one orphan from the store (the database store: in this transaction)."""
    evidence_store().delete(entry.name)
