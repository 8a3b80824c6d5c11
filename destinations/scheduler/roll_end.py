"""Roll-end processing: taking young people off the roll the day after their roll ends.

Who: anyone not yet marked as left whose roll end (with extensions) is before today. They
leave on the day after their roll end (the roll end date itself is still on the roll), with
reason "end of roll" and their activity on their last day as their final destination.

Each person is claimed for their roll end date. That is what stops the job from undoing a
manager: someone a manager brings back onto the roll without an extension keeps the same
roll end, finds the claim, and is left alone; someone extended has a new roll end, a new
claim, and leaves when that one passes.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, insert, select, update

from destinations.audit.models import AuditEvent
from destinations.database import utcnow
from destinations.people import roll
from destinations.people.models import RollExtension, StatusChange, YoungPerson
from destinations.people.services import RollSettings, status_condition
from destinations.scheduler.runner import JobContext

REASON = "end_of_roll"
NOTE = "Taken off the roll automatically the day after the roll end."
_CHUNK = 500


def process_roll_ends(context: JobContext) -> dict[str, int]:
    from destinations.activities.services import current_activities

    session, today = context.session, context.today
    settings = RollSettings.from_config(context.config)
    extended_to = (
        select(RollExtension.young_person_id.label("person_id"), func.max(RollExtension.new_end).label("new_end"))
        .group_by(RollExtension.young_person_id)
        .subquery()
    )
    rows = session.execute(
        select(YoungPerson.id, YoungPerson.date_of_birth, extended_to.c.new_end)
        .outerjoin(extended_to, extended_to.c.person_id == YoungPerson.id)
        .where(YoungPerson.left_on.is_(None), status_condition("left", today, settings))
        .order_by(YoungPerson.id)
    ).all()
    ends = {
        person_id: roll.roll_end(dob, settings.age_of_transition, [new_end] if new_end else [])
        for person_id, dob, new_end in rows
    }
    ends = {person_id: end for person_id, end in ends.items() if end < today}
    fresh = context.claim_pairs((f"person:{person_id}", end.isoformat()) for person_id, end in ends.items())
    leaving = sorted(int(subject.split(":")[1]) for subject, _period in fresh)
    counts = {"left_the_roll": 0, "final_destination_recorded": 0, "kept_on_by_a_manager": len(ends) - len(leaving)}
    now = utcnow()
    for start in range(0, len(leaving), _CHUNK):
        chunk = leaving[start : start + _CHUNK]
        finals: dict[int, str] = {}
        # The final destination is what they were doing on their last day on the roll.
        by_last_day: dict = {}
        for person_id in chunk:
            by_last_day.setdefault(ends[person_id], []).append(person_id)
        for last_day, ids in by_last_day.items():
            finals.update({person_id: record.activity_code for person_id, record in current_activities(session, ids, last_day).items()})
        table = YoungPerson.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("person_id"), table.c.left_on.is_(None))
            .values(left_on=bindparam("left"), left_reason=REASON, version=table.c.version + 1, updated_at=now),
            [{"person_id": person_id, "left": ends[person_id] + timedelta(days=1)} for person_id in chunk],
        )
        session.execute(
            insert(StatusChange),
            [
                {
                    "young_person_id": person_id, "status": "left", "reason": REASON, "note": NOTE,
                    "final_activity_code": finals.get(person_id), "effective_on": ends[person_id] + timedelta(days=1),
                    "created_at": now, "created_by_id": None,
                }
                for person_id in chunk
            ],
        )  # fmt: skip
        session.execute(
            insert(AuditEvent),
            [
                {
                    "occurred_at": now, "actor_type": "system", "actor_id": None, "action": "update",
                    "object_type": "young_person", "object_id": person_id,
                    "detail": {"fields": ["left_on", "left_reason"], "job": context.spec.name, "run_id": context.run_id},
                }
                for person_id in chunk
            ],
        )  # fmt: skip
        counts["left_the_roll"] += len(chunk)
        counts["final_destination_recorded"] += len(finals)
    return counts
