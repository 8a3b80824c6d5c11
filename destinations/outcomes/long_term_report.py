"""Long-term outcomes of a cohort reaching the age of transition, one and two years on.

For each young person and each checkpoint (the first and second anniversaries of the age of
transition):

* activity group: the group of their current activity on that day, chosen as the record
  page chooses it (a verified record first, then the latest start, then the latest recorded);
* paid work of 16 hours a week or more: an employment activity on that day with 16 or more
  hours a week, or, failing that, what the keyworker recorded at the check; "no" when the
  check says so or their activity on the day was something else; otherwise "not known";
* living arrangement and progress on each PfA outcome area: what the keyworker recorded.

A checkpoint still in the future counts as "not reached yet", unless the check has already
been recorded (up to a month early), in which case today's activity stands in for the day's.

The cohort is streamed (one query, ordered by young person) and only tallies are kept. The
tables share the cohort as their column totals and are protected together.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from destinations.activities.codes import ACTIVITY_CODES, GROUPS
from destinations.activities.models import ActivityRecord
from destinations.activities.sustained import Cohort, cohort_birth_range
from destinations.database import utcnow
from destinations.outcomes.long_term import checkpoint_date, opens_on
from destinations.outcomes.models import AREA_LABELS, CHECKPOINTS, LIVING_ARRANGEMENTS, PROGRESS, LongTermOutcome
from destinations.outcomes.services import STREAM_BATCH, cohorts_on_roll, in_cohort
from destinations.people.models import YoungPerson
from destinations.reports.demand import ReportSettings
from destinations.reports.disclosure import Table, protect_report
from destinations.reviews.reference import OUTCOME_AREAS

PAID_HOURS = Decimal(16)
NOT_REACHED = "not_reached"
NOT_RECORDED = "not_recorded"
NO_ACTIVITY = "none"
COLUMN_LABELS = {"1y": "One year after", "2y": "Two years after"}
ACTIVITY_ROWS = {**{group: label for group, label in GROUPS.items()}, NO_ACTIVITY: "No activity recorded", NOT_REACHED: "Not reached yet"}
PAID_ROWS = {
    "yes": "In paid work of 16 hours a week or more",
    "no": "Not in paid work of 16 hours a week or more",
    "not_known": "Not known",
    NOT_REACHED: "Not reached yet",
}
LIVING_ROWS = {**LIVING_ARRANGEMENTS, NOT_RECORDED: "Not recorded", NOT_REACHED: "Not reached yet"}
PROGRESS_COLUMNS = {**PROGRESS, NOT_RECORDED: "Not recorded", NOT_REACHED: "Not reached yet"}


def _covers(record, on: date) -> bool:
    return record.started_on <= on and (record.ended_on is None or record.ended_on >= on)


def current(records: Iterable, on: date):
    """The record that is the young person's activity on ``on``, or None."""
    covering = [record for record in records if _covers(record, on)]
    if not covering:
        return None
    return max(covering, key=lambda record: (bool(record.verified), record.started_on, record.id))


def group_of(code: str) -> str:
    activity = ACTIVITY_CODES.get(code)
    return activity.group if activity else "not_known"


def paid_work(records: list, on: date, activity, recorded: bool | None) -> str:
    for record in records:
        if _covers(record, on) and group_of(record.code) == "employment" and record.hours is not None and record.hours >= PAID_HOURS:
            return "yes"
    if recorded is True:
        return "yes"
    if recorded is False:
        return "no"
    if activity is not None:
        group = group_of(activity.code)
        if group not in ("employment", "not_known"):
            return "no"
        if group == "employment" and activity.hours is not None:
            return "no"  # paid work, but under 16 hours a week
    return "not_known"


class Check(NamedTuple):
    """One checkpoint's recorded values (all None when nothing is recorded)."""

    id: int | None
    living: str | None
    paid: bool | None
    progress: tuple


class Record(NamedTuple):
    id: int
    code: str
    started_on: date
    ended_on: date | None
    verified: bool
    hours: Decimal | None


_NOT_REACHED_AREAS = (NOT_REACHED,) * len(OUTCOME_AREAS)


def outcome_at(checkpoint: str, records: list, check: Check, dob: date, today: date, age: int) -> tuple:
    """(activity group, paid work, living arrangement, progress per area) for one young person
    at one checkpoint."""
    due = checkpoint_date(dob, checkpoint, age)
    if due > today and check.id is None:
        return NOT_REACHED, NOT_REACHED, NOT_REACHED, _NOT_REACHED_AREAS
    on = due if due < today else today
    activity = current(records, on) if records else None
    return (
        group_of(activity.code) if activity else NO_ACTIVITY,
        paid_work(records, on, activity, check.paid),
        check.living or NOT_RECORDED,
        tuple(value or NOT_RECORDED for value in check.progress),
    )


def expand(outcomes: Counter) -> Counter:
    """(checkpoint, outcome) tallies as (table, row, column) counts."""
    counts: Counter = Counter()
    for (checkpoint, (activity, paid, living, progress)), n in outcomes.items():
        counts[("activity", activity, checkpoint)] += n
        counts[("paid", paid, checkpoint)] += n
        counts[("living", living, checkpoint)] += n
        for area, value in zip(OUTCOME_AREAS, progress):
            counts[(f"progress_{checkpoint}", area, value)] += n
    return counts


def long_term_counts(session: Session, cohort: Cohort, today: date, age_of_transition: int) -> Counter:
    """(table, row, column) -> count for the cohort, streamed one young person at a time."""
    first, last = cohort_birth_range(cohort, age_of_transition)
    # Every record that can cover a checkpoint of anyone in the cohort.
    earliest = opens_on(first, "1y", age_of_transition)
    latest = min(checkpoint_date(last, "2y", age_of_transition), today)
    checks = {checkpoint: aliased(LongTermOutcome, name=f"check_{checkpoint}") for checkpoint in CHECKPOINTS}
    columns = [YoungPerson.id.label("person_id"), YoungPerson.date_of_birth]
    source = YoungPerson.__table__
    for checkpoint, check in checks.items():
        prefix = f"c{checkpoint}"
        columns += [
            check.id.label(f"{prefix}_id"),
            check.living_arrangement.label(f"{prefix}_living"),
            check.paid_work_16_plus.label(f"{prefix}_paid"),
            *(getattr(check, f"progress_{area}").label(f"{prefix}_{area}") for area in OUTCOME_AREAS),
        ]
        source = source.outerjoin(check, and_(check.young_person_id == YoungPerson.id, check.checkpoint == checkpoint))
    columns += [
        ActivityRecord.id.label("record_id"),
        ActivityRecord.activity_code.label("code"),
        ActivityRecord.started_on,
        ActivityRecord.ended_on,
        ActivityRecord.verified,
        ActivityRecord.hours_per_week.label("hours"),
    ]
    source = source.outerjoin(
        ActivityRecord,
        and_(
            ActivityRecord.young_person_id == YoungPerson.id,
            ActivityRecord.started_on <= latest,
            or_(ActivityRecord.ended_on.is_(None), ActivityRecord.ended_on >= earliest),
        ),
    )
    query = select(*columns).select_from(source).where(in_cohort(cohort, age_of_transition)).order_by(YoungPerson.date_of_birth, YoungPerson.id)
    # Rows are read by position: each is a young person, their two checks (seven values each)
    # and one activity record.
    width = 3 + len(OUTCOME_AREAS)
    spans = [(2 + n * width, 2 + (n + 1) * width) for n in range(len(CHECKPOINTS))]
    record_at = 2 + len(CHECKPOINTS) * width
    # Tallied by each young person's whole outcome at a checkpoint (few distinct ones), then
    # spread over the tables once at the end.
    outcomes: Counter = Counter()
    rows = session.connection().execute(query.execution_options(yield_per=STREAM_BATCH))
    current_id, head, records = None, None, []

    def tally() -> None:
        for checkpoint, (start, end) in zip(CHECKPOINTS, spans):
            values = head[start:end]
            check = Check(values[0], values[1], values[2], values[3:])
            outcomes[(checkpoint, outcome_at(checkpoint, records, check, head[1], today, age_of_transition))] += 1

    try:
        for row in rows:
            if row[0] != current_id:
                if head is not None:
                    tally()
                current_id, head, records = row[0], row, []
            if row[record_at] is not None:
                records.append(Record._make(row[record_at:]))
        if head is not None:
            tally()
    finally:
        rows.close()
    return expand(outcomes)


def build_tables(counts: Counter, cohort: Cohort) -> tuple[list[Table], list]:
    who = f"{cohort.label}"
    checkpoints = list(CHECKPOINTS)
    columns = [COLUMN_LABELS[checkpoint] for checkpoint in checkpoints]

    def by_checkpoint(name: str, title: str, rows: dict[str, str], key: str, *, keep_empty: bool = True) -> Table:
        shown = [
            (code, label) for code, label in rows.items()
            if keep_empty or any(counts.get((key, code, checkpoint)) for checkpoint in checkpoints)
        ]  # fmt: skip
        return Table(
            name=name,
            title=title,
            row_labels=[label for _, label in shown],
            column_labels=columns,
            cells=[[counts.get((key, code, checkpoint), 0) for checkpoint in checkpoints] for code, _ in shown],
            percentages_of="column",
        )

    activity_rows = {code: label for code, label in ACTIVITY_ROWS.items() if code != "compulsory" or counts.get(("activity", code, "1y")) or counts.get(("activity", code, "2y"))}
    tables = [
        by_checkpoint("activity_group", f"{who}: what they are doing one and two years after the age of transition", activity_rows, "activity"),
        by_checkpoint("paid_work", f"{who}: paid work of 16 hours a week or more", PAID_ROWS, "paid"),
        by_checkpoint("living_arrangement", f"{who}: where they live", LIVING_ROWS, "living"),
    ]
    for checkpoint in checkpoints:
        key = f"progress_{checkpoint}"
        tables.append(
            Table(
                name=key,
                title=f"{who}: progress on each preparation-for-adulthood outcome area, {COLUMN_LABELS[checkpoint].lower()}",
                row_labels=[AREA_LABELS[area] for area in OUTCOME_AREAS],
                column_labels=list(PROGRESS_COLUMNS.values()),
                cells=[[counts.get((key, area, value), 0) for value in PROGRESS_COLUMNS] for area in OUTCOME_AREAS],
                percentages_of="row",
            )
        )
    linked: list = [(("activity_group", "columns"), (name, "columns")) for name in ("paid_work", "living_arrangement")]
    for j, checkpoint in enumerate(checkpoints):
        # Every area of a progress table counts the whole cohort once.
        linked += [((f"progress_{checkpoint}", "row", i), ("activity_group", "column", j)) for i in range(len(OUTCOME_AREAS))]
    return tables, linked


def long_term_report(session: Session, cohort: Cohort, today: date, settings: ReportSettings) -> dict[str, Any]:
    """The protected long-term outcomes report for a cohort reaching the age of transition."""
    if cohort.kind != "transition":
        raise ValueError(
            f"Long-term outcomes are reported for young people reaching the age of transition in a year: "
            f"use transition-{cohort.year}, not {cohort.key}."
        )
    age = settings.roll.age_of_transition
    counts = long_term_counts(session, cohort, today, age)
    tables, linked = build_tables(counts, cohort)
    first, last = cohort_birth_range(cohort, age)
    return {
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "parameters": {
            "cohort": cohort.key,
            "cohort_label": cohort.label,
            "age_of_transition": age,
            "one_year_checks_from": checkpoint_date(first, "1y", age).isoformat(),
            "two_year_checks_to": checkpoint_date(last, "2y", age).isoformat(),
            "as_of": today.isoformat(),
            "k": settings.disclosure.k,
            "round_to": settings.disclosure.round_to,
        },
        "tables": protect_report(tables, settings.disclosure, linked=linked),
    }


def one_year_checks_all_due(cohort: Cohort, today: date, age_of_transition: int) -> bool:
    """True once everyone in a transition cohort has passed their one-year checkpoint."""
    return checkpoint_date(cohort_birth_range(cohort, age_of_transition)[1], "1y", age_of_transition) <= today


def transition_cohorts(session: Session, today: date, age_of_transition: int) -> list[Cohort]:
    """Cohorts reaching the age of transition with anyone in them whose one-year checks have
    begun, newest first."""
    return cohorts_on_roll(
        session, today, age_of_transition, kinds=("transition",),
        begins=lambda cohort: opens_on(cohort_birth_range(cohort, age_of_transition)[0], "1y", age_of_transition),
    )  # fmt: skip
