"""The one helper that writes an audit event; called on every state change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import insert, select

from procure.audit.models import AuditEvent
from procure.db import utcnow
from procure.extensions import db


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return str(value)


class System:
    """The service acting on its own (a reaper, a job, a command run at the shell): an event
    with no user as its actor."""

    id = None
    organization_id = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = System()


def record_event(
    action: str,
    target: Any,
    *,
    actor: Any,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    organization_id: int | None = None,
) -> AuditEvent:
    """Add an audit event for `action` on `target` (a model instance) to the session.

    `actor` is who did it: a user, SYSTEM, or None for nobody known (a sign-in attempt with
    an unknown email); it is always given by the caller, never taken from the request.
    `before`/`after` hold the key fields that changed. The organization defaults to the
    actor's. Flushes nothing: the request commits.
    """
    if getattr(target, "id", 0) is None:
        db.session.flush()  # a new record needs its id before the event can name it
    target_id = getattr(target, "id", None)
    event = AuditEvent(
        **_event_columns(action, type(target), target_id, actor, before, after, organization_id)
    )
    db.session.add(event)
    return event


def record_events(
    events: Iterable[tuple[str, type, Any, Mapping[str, Any] | None]], *, actor: Any
) -> None:
    """Write the audit events of many records at once, in one INSERT: one event per
    (action, model class, record id, after), as `record_event` adds each, in order. For a
    service that writes records in bulk (an import), whose records have their ids already."""
    rows = [
        _event_columns(action, model, target_id, actor, None, after, None)
        for action, model, target_id, after in events
    ]
    if rows:
        db.session.execute(insert(AuditEvent), rows)


def _event_columns(
    action: str,
    model: type,
    target_id: Any,
    actor: Any,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    organization_id: int | None,
) -> dict[str, Any]:
    if organization_id is None and actor is not None:
        organization_id = actor.organization_id
    changes: dict[str, Any] = {}
    if before is not None:
        changes["before"] = _jsonable(before)
    if after is not None:
        changes["after"] = _jsonable(after)
    return {
        "actor_id": getattr(actor, "id", None),
        "organization_id": organization_id,
        "action": action,
        "target_type": model.__name__,
        "target_id": None if target_id is None else str(target_id),
        "changes": changes,
        "remote_addr": request.remote_addr if has_request_context() else None,
    }


def said_lately(action: str, target: Any, *, actor: Any, mark: str, within: timedelta) -> bool:
    """Whether the newest event on `target` is `action` by `actor`, marked with `mark` in its
    `after`, and less than `within` old: a repeated background write (a draft saving itself
    as the vendor types) is recorded once per sitting, not once per pause in the typing."""
    newest = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.target_type == type(target).__name__,
            AuditEvent.target_id == str(target.id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    return (
        newest is not None
        and newest.action == action
        and newest.actor_id == getattr(actor, "id", None)
        and (newest.changes.get("after") or {}).get(mark) is True
        and newest.created_at > utcnow() - within
    )
