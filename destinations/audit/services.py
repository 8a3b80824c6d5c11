"""Writing and searching the audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from destinations.audit.models import AuditEvent

# Every action the service records, with the label the audit page shows (tests/audit checks
# that each action used in the code is here).
ACTIONS = {
    "view": "Viewed",
    "create": "Created",
    "update": "Changed",
    "export": "Exported",
    "list": "Listed",
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_in_throttled": "Sign-in refused (too many failures)",
    "sign_out": "Signed out",
    "token_created": "API token created",
    "token_revoked": "API token revoked",
    "disable": "Disabled",
    "delete": "Deleted",
    "run_job": "Ran a scheduled job",
    "import": "Checked or imported a file",
}


def record_event(
    session: Session,
    action: str,
    *,
    actor_type: str,
    actor_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    ip_address: str | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event. ``detail`` holds field names and counts, never personal values."""
    event = AuditEvent(
        action=action,
        actor_type=actor_type,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        ip_address=ip_address,
        detail=detail or {},
    )
    session.add(event)
    return event


def search_events(
    *,
    actor_id: int | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select:
    """A newest-first query over the audit log filtered by any of the arguments."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    return query
