"""Retention: deleting the records of young people who left the roll long enough ago.

Deleted, not anonymised. What is left of a child's record once the name is gone (date of
birth, school, primary need, pathway, a dated history of reviews and activities) still picks
one person out in a county, so "anonymised" rows would remain personal data in all but
name. The aggregate history the service keeps is what was published: demand report
snapshots are frozen, disclosure-controlled tables with no row about a person, and they stay.
The audit log stays too: it holds record ids and field names, never values, and it is
append-only by design (its triggers refuse deletes), so it still shows that a record existed,
who saw it, and that this job deleted it.

What "the record" is comes from the schema, not a hand-kept list: every table with a foreign
key to ``young_person`` (or a ``young_person_id`` column), and every table hanging off those,
is deleted from, children first. A table a later feature adds is covered without anyone
remembering to add it here.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import Column, Table, delete, insert, select
from sqlalchemy.orm import Session

from destinations.audit.models import AuditEvent
from destinations.database import Base, utcnow
from destinations.notifications.models import OutboxMessage
from destinations.people import roll
from destinations.people.models import YoungPerson
from destinations.people.services import RollSettings, status_condition
from destinations.scheduler.models import JobClaim, JobRun
from destinations.scheduler.runner import JobContext

_CHUNK = 500
# Tables whose rows outlive the person on purpose (see the module docstring).
KEPT = {"audit_event", "published_report"}


def cutoff(today: date, years: int) -> date:
    """People whose status was already "left" on this date are past retention."""
    return roll.add_months(today, -12 * years)


def _links_to(table: Table, parent: Table) -> list[Column]:
    columns = [fk.parent for fk in table.foreign_keys if fk.column.table is parent]
    if parent.name == "young_person" and "young_person_id" in table.c and table.c.young_person_id not in columns:
        columns.append(table.c.young_person_id)  # a person's row kept without a foreign key is still theirs
    return columns


Link = tuple[Table, list[Column]]


def dependent_tables(root: Table | None = None) -> list[tuple[Table, list[Link]]]:
    """Every table owned by a young person, parents before children, each with all its links
    to owned tables: a next step belongs to its review, and also to the person it is current
    for, and a row is theirs through either."""
    root = root if root is not None else YoungPerson.__table__
    owned = {root}
    growing = True
    while growing:
        growing = False
        for table in Base.metadata.sorted_tables:
            if table in owned or table.name in KEPT:
                continue
            if any(_links_to(table, parent) for parent in owned):
                owned.add(table)
                growing = True
    found = []
    for table in Base.metadata.sorted_tables:  # dependency order: a table comes after those it points at
        if table in owned and table is not root:
            links = [(parent, columns) for parent in Base.metadata.sorted_tables if parent in owned for columns in [_links_to(table, parent)] if columns]
            found.append((table, links))
    return found


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def delete_people(session: Session, person_ids: Sequence[int]) -> dict[str, int]:
    """Delete the people and every row that belongs to them; returns rows deleted per table.

    Each owned table's row ids are found parents first (a review's ids, then its next steps'
    ids...), through every link the table has to something owned; then the rows are deleted
    children first, by id, never by a key that other people's rows could share.
    """
    root = YoungPerson.__table__
    tables = dependent_tables(root)
    owned: dict[str, list] = {root.name: list(person_ids)}
    for table, links in tables:
        if "id" not in table.c:
            continue  # a link table (next step to provider): deleted through its links below
        ids: set = set()
        for parent, columns in links:
            for chunk in _chunks(owned.get(parent.name, [])):
                for column in columns:
                    ids.update(session.scalars(select(table.c.id).where(column.in_(chunk))))
        owned[table.name] = sorted(ids)
    deleted: dict[str, int] = {}
    for table, links in [*reversed(tables), (root, [])]:
        if table.name in owned:
            statements = [delete(table).where(table.c.id.in_(chunk)) for chunk in _chunks(owned[table.name])]
        else:
            statements = [
                delete(table).where(column.in_(chunk))
                for parent, columns in links for column in columns for chunk in _chunks(owned.get(parent.name, []))
            ]  # fmt: skip
        for statement in statements:
            deleted[table.name] = deleted.get(table.name, 0) + (session.execute(statement).rowcount or 0)
    return deleted


def apply_retention(context: JobContext) -> dict[str, int]:
    session, today = context.session, context.today
    years = int(context.config["RETENTION_YEARS"])
    settings = RollSettings.from_config(context.config)
    before = cutoff(today, years)
    person_ids = list(session.scalars(select(YoungPerson.id).where(status_condition("left", before, settings)).order_by(YoungPerson.id)))
    fresh = context.claim_many(f"person:{person_id}" for person_id in person_ids)
    person_ids = [person_id for person_id in person_ids if f"person:{person_id}" in fresh]
    counts: dict[str, int] = {"people_deleted": 0, "rows_deleted": 0}
    if person_ids:
        deleted = delete_people(session, person_ids)
        counts["people_deleted"] = deleted.get("young_person", 0)
        counts["rows_deleted"] = sum(deleted.values())
        now = utcnow()
        session.execute(
            insert(AuditEvent),
            [
                {
                    "occurred_at": now, "actor_type": "system", "actor_id": None, "action": "delete",
                    "object_type": "young_person", "object_id": person_id,
                    "detail": {"reason": "retention", "retention_years": years, "job": context.spec.name, "run_id": context.run_id},
                }
                for person_id in person_ids
            ],
        )  # fmt: skip
    counts.update(prune_job_history(session, today, int(context.config["JOB_HISTORY_DAYS"])))
    counts["old_staff_messages_removed"] = prune_staff_messages(session, today, int(context.config["STAFF_MESSAGE_DAYS"]))
    return counts


def prune_staff_messages(session: Session, today: date, days: int) -> int:
    """Delete messages to staff that were sent or given up on more than ``days`` ago.

    A weekly digest is no use once read, and its row keeps a member of staff's address (and,
    when it was never sent, its content). Deleted rather than cleared: nothing points at a
    staff message but the development page's copy of it, which goes with it. Messages still
    waiting or being retried are left alone, whatever their age. Messages to young people are
    part of their record (their links point at them) and are deleted with it, above. A digest
    is not sent again for a week whose message has gone: the job's claims, kept a year longer
    than its runs, say it was sent.
    """
    from datetime import datetime, time, timedelta, timezone

    before = datetime.combine(today - timedelta(days=days), time(), tzinfo=timezone.utc)
    return session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.user_id.is_not(None),
            OutboxMessage.young_person_id.is_(None),
            OutboxMessage.status.in_(("sent", "dead")),
            OutboxMessage.updated_at < before,
        )
    ).rowcount or 0


def prune_job_history(session: Session, today: date, days: int) -> dict[str, int]:
    """Forget finished job runs older than ``days`` and claims older than a year and ``days``.

    Claims live longer than runs because a claim is what stops a back-filled run (``jobs run
    --on`` an old date) from repeating old work; past a year nothing is back-filled.
    """
    from datetime import datetime, time, timedelta, timezone

    runs_before = datetime.combine(today - timedelta(days=days), time(), tzinfo=timezone.utc)
    claims_before = datetime.combine(today - timedelta(days=days + 366), time(), tzinfo=timezone.utc)
    claims = session.execute(delete(JobClaim).where(JobClaim.claimed_at < claims_before)).rowcount or 0
    runs = session.execute(delete(JobRun).where(JobRun.started_at < runs_before, JobRun.outcome != "running")).rowcount or 0
    return {"old_job_runs_removed": runs, "old_job_claims_removed": claims}
