"""Where evidence files are kept: one small interface, two backends.

- **The database** (`evidence_url = ""`, the default): the bytes go in `evidence_blob` in the
  same transaction as their `Evidence` row, so a file is kept exactly when its row commits, and
  one database backup holds everything. Nothing to set up.
- **An S3-compatible object store** (`evidence_url = "s3://bucket/prefix"`): for deployments
  whose files should not live in the database; every web host reads the same bucket. An object
  is uploaded before the commit and deleted again when the transaction ends without committing
  (the session events at the bottom), so a file is kept only if its row commits. A process killed
  between the upload and the commit leaves an orphan, which `procure evidence gc` removes.

Nothing stored before is lost. Files written by earlier versions to the evidence folder
(`evidence_dir`) are read from there while the store lacks them, and with an S3 store, files
still in the database are read from it (a deployment that switched): see `fallback_sources`.
`procure evidence migrate` copies both into the configured store (procure.disclosures
.evidence_upkeep).

Stores are told only generated names (`evidence_files.check_upload`); nothing of an upload's
name reaches a key, a path or a query.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.exceptions import ServiceUnavailable

from procure.disclosures.models import EvidenceBlob
from procure.extensions import db
from procure.settings import SettingsError

log = logging.getLogger(__name__)

STORE_KEY = "procure_evidence_store"  # the app's store, in app.extensions (built once)
RETRY_AFTER_SECONDS = 30
# S3's rule for bucket names (lower-case letters, digits, dots and hyphens; 3 to 63)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", re.ASCII)


class EvidenceStoreUnavailable(ServiceUnavailable):
    """The object store did not answer or refused (network, credentials, a missing bucket).
    Answers 503 with Retry-After through the error handlers; `what` ends the message the user
    reads, and the store is named in the log alone."""

    def __init__(self, what: str, store: str):
        log.warning("evidence store %s: %s", store, what, exc_info=True)
        super().__init__(
            f"The evidence store is not available right now: {what}. Try again shortly.",
            retry_after=RETRY_AFTER_SECONDS,
        )
        self.store = store


@dataclass(frozen=True)
class StoredEntry:
    """One file a store holds: its stored name, when it was stored (UTC) and its size in bytes."""

    name: str
    stored_at: datetime
    size: int


class EvidenceSource(Protocol):
    """Somewhere evidence files can be read from."""

    @property
    def label(self) -> str:
        """Where it is, for the operator (a bucket, a folder)."""
        ...

    def get(self, name: str) -> bytes | None:
        """The bytes stored under `name`, or None when there are none."""
        ...


class EvidenceStore(EvidenceSource, Protocol):
    """Where new evidence files are kept. `put` takes part in the session's transaction: the
    file stays only if that transaction commits."""

    def put(self, name: str, content: bytes) -> None: ...

    def delete(self, name: str) -> None:
        """Remove `name` (nothing happens when it is not there)."""
        ...

    def entries(self) -> Iterator[StoredEntry]:
        """Every file the store holds, for `procure evidence gc`."""
        ...


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class DatabaseStore:
    """The bytes in `evidence_blob`, written and removed in the session's transaction."""

    label = "the database (table evidence_blob)"

    def put(self, name: str, content: bytes) -> None:
        db.session.add(
            EvidenceBlob(
                stored_name=name, content=content, size=len(content), sha256=sha256_of(content)
            )
        )

    def get(self, name: str) -> bytes | None:
        return db.session.scalar(
            select(EvidenceBlob.content).where(EvidenceBlob.stored_name == name)
        )

    def delete(self, name: str) -> None:
        db.session.execute(delete(EvidenceBlob).where(EvidenceBlob.stored_name == name))

    def entries(self) -> Iterator[StoredEntry]:
        rows = db.session.execute(
            select(EvidenceBlob.stored_name, EvidenceBlob.created_at, EvidenceBlob.size).order_by(
                EvidenceBlob.stored_name
            )
        )
        for name, created_at, size in rows:
            yield StoredEntry(name, created_at, size)


class LegacyFolder:
    """The folder where versions before the evidence store wrote the files (`evidence_dir`):
    read-only, for files not yet copied into the store by `procure evidence migrate`."""

    def __init__(self, folder: Path):
        self.folder = folder

    @property
    def label(self) -> str:
        return f"the evidence folder {self.folder}"

    def get(self, name: str) -> bytes | None:
        if not name or Path(name).name != name or name in {".", ".."}:
            return None  # names are generated; anything else never reaches the file system
        path = self.folder / name
        return path.read_bytes() if path.is_file() else None

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(path.name for path in self.folder.iterdir() if path.is_file())


def parse_evidence_url(url: str) -> tuple[str, str] | None:
    """The bucket and key prefix of `evidence_url`; None for the database (an empty URL).
    Raises SettingsError naming the setting for anything else."""
    if not url:
        return None
    parts = urlsplit(url)
    bucket = parts.netloc
    prefix = parts.path.strip("/")
    if (
        parts.scheme != "s3"
        or not _BUCKET.fullmatch(bucket)
        or ".." in bucket
        or parts.query
        or parts.fragment
        or "//" in prefix
    ):
        raise SettingsError(
            "evidence_url: expected empty (files in the database) or s3://bucket/prefix "
            f"(an S3-compatible object store; the prefix is optional), not {url!r}"
        )
    return bucket, prefix


def check_evidence_settings(config: Mapping[str, Any]) -> None:
    """Refuse to start with an evidence store that cannot work, rather than at the first upload."""
    location = parse_evidence_url(config.get("EVIDENCE_URL") or "")
    if location is None:
        return
    endpoint = config.get("EVIDENCE_S3_ENDPOINT_URL") or ""
    if endpoint and (
        urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).hostname
    ):
        raise SettingsError(
            "evidence_s3_endpoint_url: expected empty (AWS, or AWS_ENDPOINT_URL_S3) or "
            f"http(s)://host[:port] of an S3-compatible store, not {endpoint!r}"
        )
    if find_spec("boto3") is None:
        raise SettingsError(
            "evidence_url: an s3:// store needs boto3, which the prod extra installs "
            "(pip install '.[prod]')"
        )


def evidence_store() -> EvidenceStore:
    """The configured store of the current app (built once per app)."""
    store = current_app.extensions.get(STORE_KEY)
    if store is None:
        store = _build_store(current_app.config)
        current_app.extensions[STORE_KEY] = store
    return store


def _build_store(config: Mapping[str, Any]) -> EvidenceStore:
    location = parse_evidence_url(config.get("EVIDENCE_URL") or "")
    if location is None:
        return DatabaseStore()
    # boto3 (the prod extra) is loaded by a deployment with an S3 store alone
    s3 = import_module("procure.disclosures.evidence_s3")
    bucket, prefix = location
    store: EvidenceStore = s3.S3Store(
        bucket, prefix, endpoint_url=config.get("EVIDENCE_S3_ENDPOINT_URL") or None
    )
    return store


def legacy_folder() -> LegacyFolder:
    configured = current_app.config.get("EVIDENCE_DIR")
    return LegacyFolder(
        Path(configured) if configured else Path(current_app.instance_path) / "evidence"
    )


def fallback_sources() -> list[EvidenceSource]:
    """Where a file the store lacks may still be, in the order they are read: with an S3 store,
    the database (files stored before the switch); then the legacy evidence folder."""
    sources: list[EvidenceSource] = []
    if not isinstance(evidence_store(), DatabaseStore):
        sources.append(DatabaseStore())
    sources.append(legacy_folder())
    return sources


def read_stored(name: str) -> tuple[bytes, str] | None:
    """The bytes stored under `name` and where they were found: the store, else a fallback
    source; None when no one has them."""
    for source in [evidence_store(), *fallback_sources()]:
        content = source.get(name)
        if content is not None:
            return content, source.label
    return None


# ---- a file uploaded to an object store is kept only if its transaction commits ------------

_UNCOMMITTED = "procure_evidence_uncommitted"  # in Session.info: [(store, name)]


def remove_unless_committed(store: EvidenceStore, name: str) -> None:
    """Delete `name` from `store` when the session's current transaction ends without a commit
    (a rollback, a refused request, a failed commit, a session closed uncommitted)."""
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # a transaction to end: either event below then fires
    session.info.setdefault(_UNCOMMITTED, []).append((store, name))


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    if session.get_nested_transaction() is None:  # the outermost transaction, not a savepoint
        session.info.pop(_UNCOMMITTED, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint: its files stay with the transaction around it
    for store, name in session.info.pop(_UNCOMMITTED, ()):
        try:
            store.delete(name)
        except Exception:
            log.warning(
                "could not remove %s from %s after its transaction rolled back; "
                "`procure evidence gc` removes it",
                name,
                store.label,
                exc_info=True,
            )
        else:
            log.info("removed %s from %s: its transaction rolled back", name, store.label)
