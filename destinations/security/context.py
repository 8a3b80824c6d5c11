"""Request-aware helpers that fill in who is acting and from where."""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from destinations.audit.services import record_event
from destinations.extensions import db


def client_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def actor() -> tuple[str, int | None]:
    if has_request_context() and current_user and current_user.is_authenticated:
        kind = "token" if getattr(current_user, "api_token", None) is not None else "user"
        return kind, current_user.id
    return ("anonymous" if has_request_context() else "system"), None


def audit(action: str, object_type: str | None = None, object_id: int | None = None, **detail) -> None:
    """Record an audit event for the current request's user."""
    actor_type, actor_id = actor()
    record_event(
        db.session,
        action,
        actor_type=actor_type,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        ip_address=client_address(),
        detail=detail,
    )
