"""Searching and exporting the audit log (managers and administrators)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import and_, func, or_, select

from destinations.audit.forms import AuditSearchForm
from destinations.audit.models import AuditEvent
from destinations.audit.services import ACTIONS, search_events
from destinations.auth.models import User
from destinations.auth.services import normalise_email
from destinations.extensions import db
from destinations.security.context import audit
from destinations.security.permissions import PEOPLE_ROLES, allow
from destinations.views_support import Page, page_number

blueprint = Blueprint("audit", __name__, url_prefix="/audit")

LONDON = ZoneInfo("Europe/London")
PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
EXPORT_CHUNK = 2_000
FILTERS = ("action", "object_type", "object_id", "actor", "since", "until")
RECORD_NAMES = {"young_person": "Young person", "user": "Staff member", "provider": "Provider"}


@blueprint.app_template_filter("local_time")
def local_time(value: datetime | None) -> str:
    """A UTC timestamp as UK local time, like "23 Nov 2026 14:05"."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%b %Y %H:%M}"


def _start_of(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in the UK."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(timezone.utc)


def _filter_args() -> dict[str, list[str]]:
    """The search's query arguments, to keep on page and export links."""
    return {key: values for key, values in request.args.to_dict(flat=False).items() if key in FILTERS and any(v.strip() for v in values)}


def _resolve_actor(form: AuditSearchForm) -> tuple[bool, int | None]:
    """Turn "who did it" (a staff number or an email address) into a user id."""
    value = (form.actor.data or "").strip()
    if not value:
        return True, None
    if value.isdigit():
        return True, int(value)
    user_id = db.session.scalar(select(User.id).where(User.email == normalise_email(value)))
    if user_id is None:
        form.actor.errors.append("There is no staff account with that email address. Check it, or enter their staff number")
        return False, None
    return True, user_id


def _statement(form: AuditSearchForm):
    """The filtered query, or None when the filters need correcting."""
    if not form.validate():
        _resolve_actor(form)  # so a wrong email is reported alongside the other mistakes
        return None
    ok, actor_id = _resolve_actor(form)
    if not ok:
        return None
    return search_events(
        actor_id=actor_id,
        action=form.action.data or None,
        object_type=form.object_type.data or None,
        object_id=int(form.object_id.data) if form.object_id.data else None,
        since=_start_of(form.since.data) if form.since.data else None,
        until=_start_of(form.until.data + timedelta(days=1)) if form.until.data else None,
    )


def _actors(ids) -> dict[int, User]:
    ids = {actor_id for actor_id in ids if actor_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def who(event: AuditEvent, actors: dict[int, User]) -> str:
    user = actors.get(event.actor_id) if event.actor_id is not None else None
    if event.actor_type == "token":
        return f"API token ({user.name if user else f'staff number {event.actor_id}'})"
    if event.actor_type == "user":
        return f"{user.name} ({user.role_name})" if user else f"Staff number {event.actor_id}"
    if event.actor_type == "system":
        return "System"
    if event.actor_type == "young_person":
        return "The young person (keep in touch)"
    return "Anonymous"


def record(event: AuditEvent) -> tuple[str, str | None]:
    """How to name the record an event is about, and a link to it when the viewer may open it."""
    if event.object_type == "audit_log":
        return "Audit log", None
    if not event.object_type:
        return "", None
    name = RECORD_NAMES.get(event.object_type, event.object_type.replace("_", " ").capitalize())
    if event.object_id is None:
        return f"{name} records", None
    text = f"{name} {event.object_id}"
    if event.object_type == "young_person" and current_user.role in PEOPLE_ROLES:
        return text, f"/young-people/{event.object_id}"
    if event.object_type == "user" and current_user.role == "admin":
        return text, url_for("admin.user", user_id=event.object_id)
    if event.object_type == "provider" and current_user.role == "admin":
        return text, url_for("admin.edit_provider", provider_id=event.object_id)
    return text, None


def describe(detail: dict | None) -> str:
    """The detail as plain text: field names and counts, as they were recorded."""
    parts = []
    for key, value in sorted((detail or {}).items()):
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(item) for item in value) or "none"
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in sorted(value.items()))
        parts.append(f"{key.replace('_', ' ').capitalize()}: {value}")
    return "; ".join(parts)


def _row(event: AuditEvent, actors: dict[int, User]) -> dict:
    text, href = record(event)
    return {
        "event": event,
        "when": local_time(event.occurred_at),
        "who": who(event, actors),
        "action": ACTIONS.get(event.action, event.action.replace("_", " ").capitalize()),
        "record": text,
        "href": href,
        "detail": describe(event.detail),
    }


@blueprint.get("")
@allow("admin", "manager")
def search():
    form = AuditSearchForm(formdata=request.args)
    statement = _statement(form)
    filters = _filter_args()
    page, rows = None, []
    if statement is not None:
        total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
        number = min(page_number(request.args.get("page")), max(1, -(-total // PAGE_SIZE)))
        events = list(db.session.scalars(statement.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)))
        actors = _actors(event.actor_id for event in events)
        rows = [_row(event, actors) for event in events]
        page = Page(items=rows, page=number, page_size=PAGE_SIZE, total=total)
        audit("view", "audit_log", None, filters=sorted(filters), page=number, rows=len(rows))
        db.session.commit()
    return render_template(
        "audit/search.html",
        form=form,
        page=page,
        filters=filters,
        export_limit=EXPORT_LIMIT,
        page_title=("Error: " if form.errors else "") + "Audit log",
    )


CSV_HEADER = ["When (UTC)", "When (UK time)", "Who", "Actor type", "Actor number", "Action", "Record type", "Record number", "From (IP address)", "Detail"]


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@blueprint.get("/export.csv")
@allow("admin", "manager")
def export():
    form = AuditSearchForm(formdata=request.args)
    statement = _statement(form)
    if statement is None:
        return redirect(url_for("audit.search", **_filter_args()))
    rows = db.session.scalar(select(func.count()).select_from(statement.order_by(None).limit(EXPORT_LIMIT).subquery())) or 0
    audit("export", "audit_log", None, filters=sorted(_filter_args()), rows=rows, limit=EXPORT_LIMIT)
    db.session.commit()

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_HEADER)
        sent, after = 0, None
        while sent < rows:
            # Keyset pages, each read in its own short transaction, so a slow download
            # holds no lock or cursor between chunks.
            chunk = statement
            if after is not None:
                chunk = chunk.where(or_(AuditEvent.occurred_at < after[0], and_(AuditEvent.occurred_at == after[0], AuditEvent.id < after[1])))
            events = list(db.session.scalars(chunk.limit(min(EXPORT_CHUNK, rows - sent))))
            actors = _actors(event.actor_id for event in events)
            db.session.commit()
            if not events:
                break
            for event in events:
                writer.writerow(
                    [
                        _cell(value)
                        for value in (
                            event.occurred_at.isoformat(timespec="seconds"),
                            local_time(event.occurred_at),
                            who(event, actors),
                            event.actor_type,
                            event.actor_id,
                            ACTIONS.get(event.action, event.action),
                            event.object_type,
                            event.object_id,
                            event.ip_address,
                            describe(event.detail),
                        )
                    ]
                )
            sent += len(events)
            after = (events[-1].occurred_at, events[-1].id)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if sent == 0:
            yield buffer.getvalue()

    filename = f"audit-log-{datetime.now(LONDON):%Y-%m-%d}.csv"
    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
