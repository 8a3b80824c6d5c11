"""Gathering everything held about one young person, for a subject access request.

The pack has the record and its computed roll facts; pathway, keyworker, extension, status
and detail-change histories; reviews with their earlier versions; actions; activity records;
every other table that names the young person (keep-in-touch links and replies, messages,
outcomes, and any added later: they are found from the schema, so a new table cannot be
left out by forgetting to add it here); and the audit trail of who viewed or changed the
record. Secrets are left out: token and session-key hashes, and the content of messages
that may still carry a live keep-in-touch link.
"""
from __future__ import annotations

import re
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from destinations.activities.models import ActivityRecord
from destinations.activities.services import activity_as_dict
from destinations.audit.models import AuditEvent
from destinations.auth.models import User
from destinations.database import Base, utcnow
from destinations.imports.models import DetailChange
from destinations.people import services as people
from destinations.people.models import YoungPerson
from destinations.providers.models import Provider
from destinations.reviews.models import Action, Review, ReviewRevision
from destinations.reviews.services import review_as_dict

# Tables gathered by name above; every other table with a young_person_id is found generically.
COVERED = {
    "young_person", "pathway_change", "keyworker_assignment", "roll_extension", "status_change",
    "detail_change", "review", "review_action", "review_revision", "next_step", "activity_record", "audit_event",
}
SECRET_WORDS = ("token", "hash", "secret", "password", "personalisation", "idempotency")
_LINK = re.compile(r"(/keep-in-touch/)[A-Za-z0-9_\-]{16,}")


def is_secret(column_name: str) -> bool:
    return any(word in column_name for word in SECRET_WORDS)


def plain(value: Any) -> Any:
    """``value`` as JSON can hold it: dates as ISO 8601, decimals as text, links without tokens."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return _LINK.sub(r"\1[link removed]", value)
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items() if not is_secret(str(key))}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {user_id for user_id in ids if user_id is not None}
    if not ids:
        return {}
    return {user_id: f"{name} ({role})" for user_id, name, role in session.execute(select(User.id, User.name, User.role).where(User.id.in_(ids)))}


def _columns(obj) -> dict[str, Any]:
    return {attribute.key: getattr(obj, attribute.key) for attribute in obj.__mapper__.column_attrs if not is_secret(attribute.key)}


def person_tables() -> list[Table]:
    """Tables (other than those gathered by name) with a foreign key to a young person."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in COVERED:
            continue
        if any(key.column.table.name == "young_person" for column in table.columns for key in column.foreign_keys):
            found.append(table)
    return found


def _title(table_name: str) -> str:
    return table_name.replace("_", " ").capitalize()


def subject_access_pack(session: Session, person: YoungPerson, *, today: date, settings: people.RollSettings, generated_by: User, council: str) -> dict[str, Any]:
    """Everything held about ``person``, as JSON-ready data. Reads only; the caller audits."""
    last_review = session.scalar(
        select(Review.held_on).where(Review.young_person_id == person.id, Review.status == "complete").order_by(Review.held_on.desc()).limit(1)
    )
    facts = people.roll_facts(person, today, settings, last_review)
    reviews = session.scalars(select(Review).where(Review.young_person_id == person.id).order_by(Review.created_at, Review.id)).all()
    revisions = session.scalars(
        select(ReviewRevision).where(ReviewRevision.review_id.in_([review.id for review in reviews])).order_by(ReviewRevision.id)
    ).all() if reviews else []
    actions = session.scalars(select(Action).where(Action.young_person_id == person.id).order_by(Action.created_at, Action.id)).all()
    activities = session.scalars(select(ActivityRecord).where(ActivityRecord.young_person_id == person.id).order_by(ActivityRecord.started_on, ActivityRecord.id)).all()
    details = session.scalars(select(DetailChange).where(DetailChange.young_person_id == person.id).order_by(DetailChange.changed_at, DetailChange.id)).all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "young_person", AuditEvent.object_id == person.id).order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    users = {person.keyworker_id}
    users |= {change.changed_by_id for change in person.pathway_changes}
    users |= {item for assignment in person.keyworker_assignments for item in (assignment.keyworker_id, assignment.assigned_by_id)}
    users |= {extension.created_by_id for extension in person.extensions} | {change.created_by_id for change in person.status_changes}
    users |= {change.changed_by_id for change in details} | {review.created_by_id for review in reviews} | {review.updated_by_id for review in reviews}
    users |= {review.amended_by_id for review in reviews} | {revision.revised_by_id for revision in revisions}
    users |= {action.created_by_id for action in actions} | {action.done_by_id for action in actions} | {record.recorded_by_id for record in activities}
    users |= {event.actor_id for event in events if event.actor_type in ("user", "token")}
    names = _names(session, users)
    providers = dict(session.execute(select(Provider.id, Provider.name).where(Provider.id.in_(
        {person.school_id} | {record.provider_id for record in activities}
    ))).all())

    def who(user_id):
        return names.get(user_id) if user_id is not None else None

    other = []
    for table in person_tables():
        person_columns = [column for column in table.columns if any(key.column.table.name == "young_person" for key in column.foreign_keys)]
        condition = or_(*[column == person.id for column in person_columns])
        rows = session.execute(select(table).where(condition)).mappings().all()
        visible = [column.name for column in table.columns if not is_secret(column.name)]
        other.append({"table": table.name, "title": _title(table.name), "columns": visible, "rows": [{name: row[name] for name in visible} for row in rows]})

    revisions_by_review: dict[int, list] = {}
    for revision in revisions:
        revisions_by_review.setdefault(revision.review_id, []).append(
            {"revised_at": revision.revised_at, "revised_by": who(revision.revised_by_id), "as_it_was": revision.snapshot}
        )
    pack = {
        "about": {
            "generated_at": utcnow(),
            "generated_by": who(generated_by.id) or generated_by.name,
            "council": council,
            "young_person_id": person.id,
            "what_this_is": "Everything the Destinations and Progression Service holds about this young person, for a subject access request.",
        },
        "record": {
            **_columns(person),
            "school": providers.get(person.school_id),
            "keyworker": who(person.keyworker_id),
            "computed_today": {
                "year_group": facts.year_group,
                "roll_start": facts.roll_start,
                "age_of_transition_date": facts.age_of_transition_date,
                "roll_end": facts.roll_end,
                "status": facts.status,
                "next_review_due": facts.next_review_due,
            },
        },
        "pathway_changes": [
            {"changed_at": change.changed_at, "from_pathway": change.from_pathway, "to_pathway": change.to_pathway, "reason": change.reason, "changed_by": who(change.changed_by_id)}
            for change in person.pathway_changes
        ],
        "keyworker_history": [
            {"assigned_at": assignment.assigned_at, "keyworker": who(assignment.keyworker_id), "assigned_by": who(assignment.assigned_by_id)}
            for assignment in person.keyworker_assignments
        ],
        "roll_extensions": [
            {"created_at": extension.created_at, "previous_end": extension.previous_end, "new_end": extension.new_end, "reason": extension.reason, "review_on": extension.review_on, "created_by": who(extension.created_by_id)}
            for extension in person.extensions
        ],
        "status_changes": [
            {"effective_on": change.effective_on, "status": change.status, "reason": change.reason, "note": change.note, "created_at": change.created_at, "created_by": who(change.created_by_id)}
            for change in person.status_changes
        ],
        "detail_changes": [
            {"changed_at": change.changed_at, "field": change.field, "old_value": change.old_value, "new_value": change.new_value, "source": change.source, "import_run_id": change.import_run_id, "changed_by": who(change.changed_by_id)}
            for change in details
        ],
        "reviews": [
            {
                **review_as_dict(review),
                "created_by": who(review.created_by_id),
                "updated_by": who(review.updated_by_id),
                "amended_by": who(review.amended_by_id),
                "earlier_versions": revisions_by_review.get(review.id, []),
            }
            for review in reviews
        ],
        "actions": [
            {"id": action.id, "review_id": action.review_id, "description": action.description, "owner": action.owner, "due_on": action.due_on, "done": action.done, "done_at": action.done_at, "done_by": who(action.done_by_id), "created_at": action.created_at, "created_by": who(action.created_by_id)}
            for action in actions
        ],
        "activities": [
            {**activity_as_dict(record), "provider": providers.get(record.provider_id), "recorded_at": record.recorded_at, "recorded_by": who(record.recorded_by_id)}
            for record in activities
        ],
        "other_records": other,
        "audit_trail": [
            {
                "occurred_at": event.occurred_at,
                "action": event.action,
                "by": who(event.actor_id) if event.actor_type in ("user", "token") else event.actor_type,
                "through": {"token": "the API", "user": "the website"}.get(event.actor_type, event.actor_type),
                "detail": event.detail,
            }
            for event in events
        ],
    }
    return plain(pack)


def section_counts(pack: dict[str, Any]) -> dict[str, int]:
    """How many items each part of the pack has, for the audit log (counts only)."""
    counts = {name: len(value) for name, value in pack.items() if isinstance(value, list) and name != "other_records"}
    counts.update({section["table"]: len(section["rows"]) for section in pack["other_records"]})
    return counts
