"""Long-term outcomes: a keyworker's check one and two years after the age of transition
(DOMAIN.md section 7): living arrangement, paid work of 16 hours a week or more, and progress
on each preparation-for-adulthood outcome area.

One record per young person and checkpoint; saving again changes it (with a version check, so
two people editing at once cannot overwrite each other). Services add and flush; the view
commits and audits.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from destinations.auth.models import User
from destinations.outcomes.models import (
    AREA_LABELS,
    CHECKPOINT_YEARS,
    CHECKPOINTS,
    LIVING_ARRANGEMENTS,
    PROGRESS,
    LongTermOutcome,
)
from destinations.people import roll
from destinations.people.models import YoungPerson
from destinations.reviews.reference import OUTCOME_AREAS

# A check made a little before the anniversary (a meeting booked the week before) still counts.
EARLY_MONTHS = 1
PAID_WORK = {"yes": "Yes", "no": "No", "not_known": "Not known"}
PAID_WORK_VALUES = {"yes": True, "no": False, "not_known": None}
FIELDS = ("recorded_on", "living_arrangement", "paid_work_16_plus", *(f"progress_{area}" for area in OUTCOME_AREAS))


class LongTermError(ValueError):
    """Input the rules refuse; ``errors`` maps each field to a message that says how to fix it."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


class StaleLongTermOutcome(ValueError):
    """Someone else saved this check after the person editing it opened it."""


def long_date(value: date) -> str:
    return f"{value.day} {value.strftime('%B')} {value.year}"


def checkpoint_date(date_of_birth: date, checkpoint: str, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION) -> date:
    """The day the young person is one (``1y``) or two (``2y``) years past the age of transition."""
    return roll.birthday(date_of_birth, age_of_transition + CHECKPOINT_YEARS[checkpoint])


def opens_on(date_of_birth: date, checkpoint: str, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION) -> date:
    """The first day a check for ``checkpoint`` may be recorded."""
    return roll.add_months(checkpoint_date(date_of_birth, checkpoint, age_of_transition), -EARLY_MONTHS)


def clean(values: Mapping[str, Any], person: YoungPerson, checkpoint: str, *, today: date, age_of_transition: int) -> dict[str, Any]:
    """The values ready to store, or LongTermError saying what to fix.

    ``paid_work_16_plus`` is "yes", "no" or "not_known" (or True, False, None).
    """
    errors: dict[str, str] = {}
    if checkpoint not in CHECKPOINTS:
        raise LongTermError({"checkpoint": f"The checkpoint must be one of {', '.join(CHECKPOINTS)}."})
    recorded_on = values.get("recorded_on")
    earliest = opens_on(person.date_of_birth, checkpoint, age_of_transition)
    if not isinstance(recorded_on, date):
        errors["recorded_on"] = "Enter the date of the check, for example 27 3 2030"
    elif recorded_on > today:
        errors["recorded_on"] = "The date of the check must be today or in the past"
    elif recorded_on < earliest:
        due = checkpoint_date(person.date_of_birth, checkpoint, age_of_transition)
        years = CHECKPOINT_YEARS[checkpoint]
        errors["recorded_on"] = (
            f"The {'one' if years == 1 else 'two'}-year check is due on {long_date(due)}; "
            f"enter a date on or after {long_date(earliest)}"
        )
    living = values.get("living_arrangement")
    if living not in LIVING_ARRANGEMENTS:
        errors["living_arrangement"] = "Select where they live: " + ", ".join(label.lower() for label in LIVING_ARRANGEMENTS.values())
    paid = values.get("paid_work_16_plus")
    if isinstance(paid, str):
        if paid not in PAID_WORK_VALUES:
            errors["paid_work_16_plus"] = "Select yes, no or not known for paid work of 16 hours a week or more"
        paid = PAID_WORK_VALUES.get(paid)
    elif paid not in (True, False, None):
        errors["paid_work_16_plus"] = "Select yes, no or not known for paid work of 16 hours a week or more"
    progress = {}
    for area in OUTCOME_AREAS:
        name = f"progress_{area}"
        progress[name] = values.get(name)
        if progress[name] not in PROGRESS:
            errors[name] = f"Select their progress on {AREA_LABELS[area].lower()}: " + ", ".join(label.lower() for label in PROGRESS.values())
    if errors:
        raise LongTermError(errors)
    return {"recorded_on": recorded_on, "living_arrangement": living, "paid_work_16_plus": paid, **progress}


def get_outcomes(session: Session, person_id: int) -> dict[str, LongTermOutcome]:
    """checkpoint -> the recorded check, for one young person."""
    rows = session.scalars(select(LongTermOutcome).where(LongTermOutcome.young_person_id == person_id))
    return {row.checkpoint: row for row in rows}


def save(
    session: Session,
    person: YoungPerson,
    checkpoint: str,
    values: Mapping[str, Any],
    by: User,
    *,
    today: date,
    age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION,
    version: int | None = None,
) -> tuple[LongTermOutcome, bool, list[str]]:
    """Record or change the check; returns (the record, whether it is new, the fields changed).

    ``version`` is the version the editor opened; a different one means someone else saved
    in between (StaleLongTermOutcome).
    """
    cleaned = clean(values, person, checkpoint, today=today, age_of_transition=age_of_transition)
    record = get_outcomes(session, person.id).get(checkpoint)
    if record is None:
        record = LongTermOutcome(young_person_id=person.id, checkpoint=checkpoint, recorded_by_id=by.id, **cleaned)
        session.add(record)
        session.flush()
        return record, True, sorted(cleaned)
    if version is not None and version != record.version:
        raise StaleLongTermOutcome("Someone else saved this check while you were editing it.")
    changed = sorted(name for name, value in cleaned.items() if getattr(record, name) != value)
    if changed:
        for name in changed:
            setattr(record, name, cleaned[name])
        record.recorded_by_id = by.id
        session.flush()
    return record, False, changed


@dataclass(frozen=True)
class Checkpoint:
    """One check as the young person's record shows it."""

    key: str
    name: str
    due_on: date
    opens_on: date
    record: LongTermOutcome | None
    open: bool


def checkpoints(person: YoungPerson, outcomes: Mapping[str, LongTermOutcome], today: date, age_of_transition: int) -> list[Checkpoint]:
    found = []
    for key, name in CHECKPOINTS.items():
        opening = opens_on(person.date_of_birth, key, age_of_transition)
        found.append(
            Checkpoint(key, name, checkpoint_date(person.date_of_birth, key, age_of_transition), opening, outcomes.get(key), today >= opening)
        )
    return found


def long_term_context(session: Session, person: YoungPerson, today: date, age_of_transition: int) -> dict[str, Any]:
    """What ``outcomes/_long_term_section.html`` needs besides ``person``."""
    outcomes = get_outcomes(session, person.id)
    # Nobody needs the section until the young person reaches the age of transition.
    reached = today >= roll.age_of_transition_date(person.date_of_birth, age_of_transition)
    return {
        "long_term_checkpoints": checkpoints(person, outcomes, today, age_of_transition) if reached or outcomes else [],
        "LIVING_ARRANGEMENTS": LIVING_ARRANGEMENTS,
        "PROGRESS": PROGRESS,
        "PAID_WORK_LABELS": {True: "Yes", False: "No", None: "Not known"},
        "AREA_LABELS": AREA_LABELS,
    }
