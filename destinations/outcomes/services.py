"""Leaving cohorts and their sustained-destination outcomes (DOMAIN.md section 7).

Who is in a cohort is a date of birth range (:func:`destinations.activities.sustained.cohort_birth_range`),
less anyone who moved out of the area or died before the cohort's destination year began: the
council cannot follow them, and counting them would turn every such move into a "destination
unknown". Someone who opted out stays in, as "unknown" unless something was recorded.

Outcomes are worked out by streaming: one query returns each cohort member's activity records
for the destination year, ordered by young person, and the rule runs over one young person at
a time. Nothing holds the whole cohort's records at once.

Once a cohort's October-March window has closed, :func:`evaluate_cohort` stores each member's
outcome, and the report groups the stored outcomes in SQL. The scheduler calls
:func:`evaluate_due_cohorts`. Services add and flush; the job or command commits.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from destinations.activities.models import ActivityRecord
from destinations.activities.sustained import (
    COHORT_KINDS,
    Cohort,
    cohort_birth_range,
    latest_closed_cohort,
    sustained_outcome,
    window_closed,
    year_closed,
)
from destinations.database import utcnow
from destinations.outcomes.models import DestinationOutcome
from destinations.people import roll
from destinations.people.models import YoungPerson

log = logging.getLogger(__name__)

# Leaving reasons that take a young person out of a cohort when they left before its year began.
NOT_FOLLOWED = ("moved_out_of_area", "died")
# How many rows the database sends at a time when a cohort is streamed.
STREAM_BATCH = 2000
WRITE_BATCH = 1000
# Closed cohorts of each kind that are evaluated again on every run, newest first: late records
# (imports of last year's destinations, keyworkers catching up) still change them.
DEFAULT_REEVALUATE = 2


class CohortNotStarted(ValueError):
    """The cohort's destination year has not begun, so there is nothing to report yet."""


def in_cohort(cohort: Cohort, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION):
    """The condition for a ``YoungPerson`` to be in ``cohort`` (on the date of birth index)."""
    first, last = cohort_birth_range(cohort, age_of_transition)
    begins = cohort.window[0]
    followed = or_(
        YoungPerson.left_on.is_(None),
        YoungPerson.left_on >= begins,
        YoungPerson.left_reason.is_(None),
        YoungPerson.left_reason.not_in(NOT_FOLLOWED),
    )
    return and_(YoungPerson.date_of_birth >= first, YoungPerson.date_of_birth <= last, followed)


def overlaps_destination_year(cohort: Cohort):
    """Activity records that can matter to the rule: those touching the academic year (August
    to July), which holds the October-March window and bounds apprenticeships."""
    start, end = cohort.academic_year
    return and_(
        ActivityRecord.young_person_id == YoungPerson.id,
        ActivityRecord.started_on <= end,
        or_(ActivityRecord.ended_on.is_(None), ActivityRecord.ended_on >= start),
    )


def cohort_size(session: Session, cohort: Cohort, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION) -> int:
    return session.scalar(select(func.count()).select_from(YoungPerson).where(in_cohort(cohort, age_of_transition))) or 0


class Span(NamedTuple):
    """One activity record as the rule reads it (the fields of a ``Period``, without its checks:
    the database already refuses records that end before they start)."""

    code: str
    started_on: date
    ended_on: date | None


class Member(NamedTuple):
    """One cohort member as the report groups them, with their outcome."""

    person_id: int
    pathway: int | None
    primary_need: str
    sen_provision: str
    outcome: str


def stream_query(cohort: Cohort, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION):
    """Each cohort member with their activity records for the destination year (a row per
    record, or one row with no record), a young person's rows together."""
    return (
        select(
            YoungPerson.id,
            YoungPerson.pathway,
            YoungPerson.primary_need,
            YoungPerson.sen_provision,
            ActivityRecord.activity_code,
            ActivityRecord.started_on,
            ActivityRecord.ended_on,
        )
        .select_from(YoungPerson.__table__.outerjoin(ActivityRecord, overlaps_destination_year(cohort)))
        .where(in_cohort(cohort, age_of_transition))
        # Date of birth first: the cohort is read in that order off its index, so only the
        # people sharing a birthday need sorting, not the whole cohort.
        .order_by(YoungPerson.date_of_birth, YoungPerson.id, ActivityRecord.started_on)
        .execution_options(yield_per=STREAM_BATCH)
    )


def stream_outcomes(
    session: Session,
    cohort: Cohort,
    *,
    as_of: date | None,
    age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION,
) -> Iterator[Member]:
    """Every cohort member with the outcome the rule gives them now, one at a time.

    ``as_of`` ends ongoing activities on that day (and ignores later starts): pass today
    once the window has closed, None to see where the cohort is heading while it is open.
    """
    # Core rows as plain tuples, read in batches (a server-side cursor on PostgreSQL): the
    # ORM would build an object per row for nothing.
    rows = session.connection().execute(stream_query(cohort, age_of_transition))
    try:
        current = None
        periods: list[Span] = []
        for person_id, pathway, need, sen, code, started_on, ended_on in rows:
            if person_id != current:
                if current is not None:
                    yield Member(*head, sustained_outcome(periods, cohort, as_of=as_of))
                current, head, periods = person_id, (person_id, pathway, need, sen), []
            if code is not None:
                periods.append(Span(code, started_on, ended_on))
        if current is not None:
            yield Member(*head, sustained_outcome(periods, cohort, as_of=as_of))
    finally:
        rows.close()


def evaluate_cohort(
    session: Session, cohort: Cohort, *, today: date, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION
) -> dict[str, int]:
    """Store every member's outcome for a cohort whose window has closed; returns how many
    outcomes were ``created``, ``updated``, ``unchanged`` and ``removed`` (people no longer in
    the cohort, after a corrected date of birth say), and the cohort's ``people``.

    Evaluating again when nothing has changed writes nothing. Ongoing activities count up to
    ``today``, so an apprenticeship still short of six months becomes one when it gets there.
    """
    if not window_closed(cohort, today):
        raise ValueError(
            f"The destination year of {cohort.key} runs to {cohort.window[1].isoformat()}: "
            "outcomes are stored once it is over."
        )
    now = utcnow()
    # What is stored already, for this cohort only (a few thousand pairs at county scale), read
    # on the (cohort, young person) index. Joining it into the stream instead would leave the
    # plan to statistics that are stale just after the first evaluation's bulk insert.
    stored = {
        person_id: (outcome_id, outcome)
        for outcome_id, person_id, outcome in session.execute(
            select(DestinationOutcome.id, DestinationOutcome.young_person_id, DestinationOutcome.outcome)
            .where(DestinationOutcome.cohort == cohort.key)
        )
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    people = unchanged = 0
    # The changes are collected first and written after the stream, so the writes never touch
    # a table the open cursor is still reading.
    for member in stream_outcomes(session, cohort, as_of=today, age_of_transition=age_of_transition):
        people += 1
        outcome_id, outcome = stored.get(member.person_id, (None, None))
        if outcome_id is None:
            inserts.append({"young_person_id": member.person_id, "cohort": cohort.key, "outcome": member.outcome, "evaluated_at": now})
        elif outcome != member.outcome:
            updates.append({"id": outcome_id, "outcome": member.outcome, "evaluated_at": now})
        else:
            unchanged += 1
    for start in range(0, len(inserts), WRITE_BATCH):
        session.execute(insert(DestinationOutcome), inserts[start : start + WRITE_BATCH])
    for start in range(0, len(updates), WRITE_BATCH):
        session.execute(update(DestinationOutcome), updates[start : start + WRITE_BATCH])
    members = select(YoungPerson.id).where(in_cohort(cohort, age_of_transition))
    removed = session.execute(
        delete(DestinationOutcome)
        .where(DestinationOutcome.cohort == cohort.key, DestinationOutcome.young_person_id.not_in(members))
        .execution_options(synchronize_session=False)
    ).rowcount
    session.flush()
    result = {"people": people, "created": len(inserts), "updated": len(updates), "unchanged": unchanged, "removed": removed or 0}
    # "created" is a LogRecord attribute, so the counts go under names of their own.
    log.info("cohort outcomes evaluated", extra={"cohort": cohort.key, **{f"outcomes_{key}": n for key, n in result.items()}})
    return result


def evaluated_cohorts(session: Session) -> dict[str, datetime]:
    """Cohort key -> when its stored outcomes last changed, for every cohort with any stored."""
    rows = session.execute(
        select(DestinationOutcome.cohort, func.max(DestinationOutcome.evaluated_at)).group_by(DestinationOutcome.cohort)
    )
    return {key: when for key, when in rows}


def last_evaluated(session: Session, cohort: Cohort) -> datetime | None:
    """When the cohort's stored outcomes last changed; None when it has none stored."""
    return session.scalar(select(func.max(DestinationOutcome.evaluated_at)).where(DestinationOutcome.cohort == cohort.key))


def cohort_year(kind: str, date_of_birth: date, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION) -> int:
    """The year of the ``kind`` cohort someone born on ``date_of_birth`` belongs to
    (the inverse of :func:`cohort_birth_range`)."""
    born_in = roll.cohort_of(date_of_birth)
    if kind == "transition":
        return born_in + 1 + age_of_transition
    return born_in + 1 + 5 + (11 if kind == "year11" else 13)


def birth_years_on_roll(session: Session) -> list[int]:
    """The academic years of birth (``C(dob)``) of everyone in the service, oldest first: one
    statement probing the date of birth index once a year between the oldest and youngest."""
    oldest, youngest = session.execute(select(func.min(YoungPerson.date_of_birth), func.max(YoungPerson.date_of_birth))).one()
    if oldest is None:
        return []
    years = list(range(roll.cohort_of(oldest), roll.cohort_of(youngest) + 1))
    probes = [
        select(YoungPerson.id)
        .where(YoungPerson.date_of_birth >= date(year, 9, 1), YoungPerson.date_of_birth < date(year + 1, 9, 1))
        .exists()
        .label(f"born_{year}")
        for year in years
    ]
    found = session.execute(select(*probes)).one()
    return [year for year, present in zip(years, found) if present]


def cohorts_on_roll(
    session: Session,
    today: date,
    age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION,
    *,
    kinds: Iterable[str] = tuple(COHORT_KINDS),
    begins: Callable[[Cohort], date] = lambda cohort: cohort.window[0],
) -> list[Cohort]:
    """Every cohort with anyone born in its range that ``begins`` (by default: its destination
    year's window has begun) by ``today``, newest first within each kind."""
    born = birth_years_on_roll(session)
    found = []
    for kind in kinds:
        for year in sorted({cohort_year(kind, date(born_in, 9, 1), age_of_transition) for born_in in born}, reverse=True):
            try:
                cohort = Cohort(kind, year)
            except ValueError:
                continue
            if begins(cohort) <= today:
                found.append(cohort)
    return found


def default_cohort(today: date) -> Cohort:
    """The cohort a report opens on: the latest Year 11 leavers whose window has closed."""
    return latest_closed_cohort("year11", today)


def due_cohorts(
    session: Session, today: date, *, reevaluate: int = DEFAULT_REEVALUATE, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION
) -> list[Cohort]:
    """Cohorts to evaluate on ``today``: every closed cohort with members and nothing stored yet;
    the ``reevaluate`` most recent closed ones of each kind; and any whose academic year is still
    running (an apprenticeship can still reach six months)."""
    stored = evaluated_cohorts(session)
    due = []
    for cohort in cohorts_on_roll(session, today, age_of_transition):
        if not window_closed(cohort, today):
            continue
        latest = latest_closed_cohort(cohort.kind, today).year
        recent = cohort.year > latest - reevaluate
        if cohort.key not in stored or recent or not year_closed(cohort, today):
            due.append(cohort)
    return due


def evaluate_due_cohorts(
    session: Session, today: date, *, reevaluate: int = DEFAULT_REEVALUATE, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION
) -> dict[str, dict[str, int]]:
    """Evaluate every cohort :func:`due_cohorts` names; returns each cohort key's counts."""
    return {
        cohort.key: evaluate_cohort(session, cohort, today=today, age_of_transition=age_of_transition)
        for cohort in due_cohorts(session, today, reevaluate=reevaluate, age_of_transition=age_of_transition)
    }
