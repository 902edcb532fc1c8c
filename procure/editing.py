"""Optimistic version checks shared by every editable record."""

from __future__ import annotations

from procure.errors import ConflictError


def check_version(record, sent: int | None, label: str) -> None:
    """Refuse an edit made against an older version of `record` (answers 409)."""
    current = record.version if hasattr(record, "version") else record.edit_version
    if sent is None or sent != current:
        raise ConflictError(
            f"This {label} was changed since you loaded it (version {current} is current, "
            f"your edit was based on version {sent}). Reload it and apply your change again.",
            {"version": [f"Expected {current}."]},
        )
