"""The one helper that writes an audit event; called on every state change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from procure.audit.models import AuditEvent
from procure.extensions import db


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return str(value)


def record_event(
    action: str,
    target: Any,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor=None,
    organization_id: int | None = None,
    by_system: bool = False,
) -> AuditEvent:
    """Add an audit event for `action` on `target` (a model instance) to the session.

    `before`/`after` hold the key fields that changed. The actor defaults to the signed-in
    user, and the organization to the actor's; `by_system` records no actor (the service did it
    on its own, e.g. a job found dead while someone was reading). Flushes nothing: the request
    commits.
    """
    if actor is None and not by_system and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if organization_id is None and actor is not None:
        organization_id = actor.organization_id
    if getattr(target, "id", 0) is None:
        db.session.flush()  # a new record needs its id before the event can name it
    changes: dict[str, Any] = {}
    if before is not None:
        changes["before"] = _jsonable(before)
    if after is not None:
        changes["after"] = _jsonable(after)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        organization_id=organization_id,
        action=action,
        target_type=type(target).__name__,
        target_id=None if getattr(target, "id", None) is None else str(target.id),
        changes=changes,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
