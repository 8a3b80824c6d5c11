"""Activity (destination) records: validating, recording, changing and reading them.

Real data is messy: records may overlap or contradict each other and the service keeps them
all, flagging the problems (``activity_flags``) instead of refusing them. A young person's
own report is always a new record beside the others; it never edits, ends or outranks a
verified record. Services add and flush; the caller commits.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from destinations.activities import codes

# The rules live in their own modules and are part of this module's interface too.
from destinations.activities.flags import ActivityFlag, activity_flags, flagged_ids, is_full_time, overlaps  # noqa: F401
from destinations.activities.models import ActivityRecord
from destinations.activities.validation import (  # noqa: F401
    EARLIEST_DATE,
    HOURS_MESSAGE,
    LEVELS,
    MAX_DAYS_AHEAD,
    ActivityError,
    clean_activity,
    hours_needed,
    long_date,
    validate_activity,
)
from destinations.auth.models import User
from destinations.database import utcnow
from destinations.people import roll
from destinations.people.models import YoungPerson
from destinations.people.services import RollSettings, earliest_birth, status_condition
from destinations.providers.models import Provider

FIELDS = ("activity_code", "started_on", "ended_on", "provider_id", "provider_name", "hours_per_week", "level", "source", "verified")

CONFIRMATION_MONTHS = 3

FOLLOW_UP_REASONS = {
    "missing": "No current activity recorded",
    "neet": "Not in education, employment or training",
    "not_known": "Activity not known",
    "not_confirmed": f"Not confirmed for {CONFIRMATION_MONTHS} months",
}

# Codes meaning "we do not know": the not-known group and "150 not known" below school leaving age.
UNKNOWN_CODES = tuple(codes.codes_in("not_known")) + ("150",)


class StaleActivity(ValueError):
    """Someone else changed the record after the person editing it opened it."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this activity after you opened it. Check the record as it is now "
            "and make your change again."
        )


def _check_provider(session: Session, clean: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    provider_id = clean.get("provider_id")
    if provider_id is not None and session.get(Provider, provider_id) is None:
        errors.setdefault("provider_id", []).append(
            f"There is no provider with id {provider_id}. Choose one from the directory, or type the provider's name instead"
        )


# --- recording and changing -----------------------------------------------------------------

def record_activity(
    session: Session,
    person: YoungPerson,
    values: Mapping[str, Any],
    *,
    source: str,
    by: User | None = None,
    today: date,
    end_current: bool = False,
) -> ActivityRecord:
    """Add an activity record for ``person``. Raises ActivityError naming every bad field.

    ``end_current`` ends the person's open records that started before this one on the day
    before it starts (a keyworker recording a move). It never touches anything when the
    source is the young person: their report sits beside what staff recorded.
    """
    values = {name: value for name, value in values.items() if name in FIELDS or name == "confirmed_on"}
    values["source"] = source
    errors = validate_activity(values, today=today, date_of_birth=person.date_of_birth)
    clean, _ = clean_activity(values, today=today, date_of_birth=person.date_of_birth)
    _check_provider(session, clean, errors)
    if errors:
        raise ActivityError(errors)
    if source == "young_person":
        clean["verified"] = False
    elif source == "keyworker" and clean.get("verified") and clean.get("confirmed_on") is None and _covers(clean, today):
        # Staff recording a checked activity that is going on now have just confirmed it.
        clean["confirmed_on"] = today
    record = ActivityRecord(
        young_person_id=person.id,
        activity_code=clean["activity_code"],
        started_on=clean["started_on"],
        ended_on=clean.get("ended_on"),
        provider_id=clean.get("provider_id"),
        provider_name=clean.get("provider_name"),
        hours_per_week=clean.get("hours_per_week"),
        level=clean.get("level"),
        source=source,
        verified=clean.get("verified", False),
        confirmed_on=clean.get("confirmed_on"),
        recorded_by_id=by.id if by is not None else None,
    )
    if end_current and source != "young_person":
        for previous in open_records_before(session, person.id, record.started_on):
            previous.ended_on = date.fromordinal(record.started_on.toordinal() - 1)
    session.add(record)
    session.flush()
    return record


def _covers(values: Mapping[str, Any], on: date) -> bool:
    return values["started_on"] <= on and (values.get("ended_on") is None or values["ended_on"] >= on)


def open_records_before(session: Session, person_id: int, started_on: date) -> list[ActivityRecord]:
    """Staff-recorded records still open that started before ``started_on`` (ended by a move)."""
    return list(
        session.scalars(
            select(ActivityRecord).where(
                ActivityRecord.young_person_id == person_id,
                ActivityRecord.ended_on.is_(None),
                ActivityRecord.started_on < started_on,
                ActivityRecord.source != "young_person",
            )
        )
    )


def check_version(record: ActivityRecord, version: int | None) -> None:
    """Refuse a change made to an older version of the record than the one stored."""
    if version is not None and int(version) != record.version:
        raise StaleActivity()


def update_activity(
    session: Session, record: ActivityRecord, values: Mapping[str, Any], *, today: date, version: int | None = None
) -> list[str]:
    """Change the fields given; returns the names that changed (for the audit log).

    The source is where the information first came from, so it does not change here.
    """
    check_version(record, version)
    values = {name: value for name, value in values.items() if name in FIELDS and name != "source"}
    person = record.young_person
    clean, errors = clean_activity(values, today=today, date_of_birth=person.date_of_birth)
    merged = {name: getattr(record, name) for name in FIELDS}
    merged.update(clean)
    if "ended_on" not in errors and merged["ended_on"] is not None and merged["started_on"] and merged["ended_on"] < merged["started_on"]:
        errors.setdefault("ended_on" if "ended_on" in values else "started_on", []).append(
            f"The end date must be the same as or after the start date ({long_date(merged['started_on'])})"
        )
    if merged["provider_id"] is not None and merged["provider_name"] and "provider_name" not in errors:
        if "provider_id" in clean and clean["provider_id"] is not None and "provider_name" not in values:
            merged["provider_name"] = clean["provider_name"] = None
        elif "provider_name" in clean and clean["provider_name"] and "provider_id" not in values:
            merged["provider_id"] = clean["provider_id"] = None
    if hours_needed(merged["activity_code"], merged["hours_per_week"]) and "hours_per_week" not in errors:
        errors.setdefault("hours_per_week", []).append(HOURS_MESSAGE)
    _check_provider(session, clean, errors)
    if errors:
        raise ActivityError(errors)
    changed = [name for name, value in clean.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, clean[name])
    session.flush()
    return changed


def end_activity(session: Session, record: ActivityRecord, ended_on: Any, *, today: date, version: int | None = None) -> None:
    """Give an open (or wrongly ended) record its end date."""
    check_version(record, version)
    if ended_on in (None, ""):
        raise ActivityError({"ended_on": ["Enter the date the activity ended"]})
    update_activity(session, record, {"ended_on": ended_on}, today=today)


def confirm_activity(session: Session, record: ActivityRecord, *, today: date, by: User | None = None, version: int | None = None) -> None:
    """Someone checked the activity is still going on today, so it leaves the follow-up lists.

    Confirming a record is also verifying it: staff have checked it with the young person
    or the provider.
    """
    check_version(record, version)
    if record.ended_on is not None and record.ended_on < today:
        raise ActivityError(
            {"confirmed_on": [f"This activity ended on {long_date(record.ended_on)}, so it cannot still be going on. Record what they do now instead"]}
        )
    if record.started_on > today:
        raise ActivityError(
            {"confirmed_on": [f"This activity starts on {long_date(record.started_on)}. Confirm it once it has started"]}
        )
    record.confirmed_on = today
    record.verified = True
    record.updated_at = utcnow()
    session.flush()


def delete_activity(session: Session, record: ActivityRecord, *, version: int | None = None) -> None:
    """Remove a record entered by mistake (an ended activity should be ended, not deleted)."""
    check_version(record, version)
    session.delete(record)
    session.flush()


# --- reading --------------------------------------------------------------------------------

def get_activity(session: Session, person: YoungPerson, activity_id: int) -> ActivityRecord | None:
    """The record if it belongs to ``person`` (who the caller has already been allowed to see)."""
    return session.scalar(
        select(ActivityRecord).where(ActivityRecord.id == activity_id, ActivityRecord.young_person_id == person.id)
    )


def timeline(session: Session, person_id: int) -> list[ActivityRecord]:
    """Every record for the person, newest start first."""
    return list(
        session.scalars(
            select(ActivityRecord)
            .where(ActivityRecord.young_person_id == person_id)
            .order_by(ActivityRecord.started_on.desc(), ActivityRecord.id.desc())
        )
    )


# Which record is current: a verified one over an unverified one (a young person's report
# never outranks what staff checked); then the latest start; then the latest recorded.
CURRENT_ORDER = (ActivityRecord.verified.desc(), ActivityRecord.started_on.desc(), ActivityRecord.id.desc())


def _covering(on: date, record=ActivityRecord):
    return and_(record.started_on <= on, or_(record.ended_on.is_(None), record.ended_on >= on))


def _ranked_current(on: date, people=None):
    """Records covering ``on``, numbered per person in CURRENT_ORDER: 1 is the current one."""
    rank = func.row_number().over(partition_by=ActivityRecord.young_person_id, order_by=CURRENT_ORDER)
    query = select(ActivityRecord.id.label("id"), ActivityRecord.young_person_id.label("young_person_id"), rank.label("position")).where(_covering(on))
    if people is not None:
        query = query.where(ActivityRecord.young_person_id.in_(people))
    return query.subquery("ranked")


def current_activities(session: Session, person_ids: Sequence[int], on: date) -> dict[int, ActivityRecord]:
    """Each person's current activity on ``on`` (people with none are left out), in one query."""
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return {}
    ranked = _ranked_current(on, ids)
    rows = session.scalars(
        select(ActivityRecord).join(ranked, and_(ranked.c.id == ActivityRecord.id, ranked.c.position == 1))
    )
    return {record.young_person_id: record for record in rows}


def pick_current(records: Iterable, on: date):
    """The current record among ``records`` already loaded, by the same rule as ``current_activities``."""
    covering = [r for r in records if r.started_on <= on and (r.ended_on is None or r.ended_on >= on)]
    return max(covering, key=lambda r: (bool(r.verified), r.started_on, r.id or 0), default=None)


def stale_before(on: date) -> date:
    """Activities last confirmed (or started, if never confirmed) before this need confirming again."""
    return roll.add_months(on, -CONFIRMATION_MONTHS)


def needs_confirming(record, on: date) -> bool:
    return (record.confirmed_on or record.started_on) < stale_before(on)


def current_activity(session: Session, person_id: int, on: date) -> ActivityRecord | None:
    return current_activities(session, [person_id], on).get(person_id)


def aged_at_least_condition(age: int, on: date):
    """Born early enough to have reached ``age`` on ``on`` (29 February birthdays on 1 March)."""
    born_too_late = earliest_birth(lambda dob: roll.birthday(dob, age), date.fromordinal(on.toordinal() + 1))
    return YoungPerson.date_of_birth < born_too_late


def on_roll_condition(on: date, settings: RollSettings):
    return or_(status_condition("active", on, settings), status_condition("extended", on, settings))


def follow_up_query(on: date, *, keyworker_id: int | None = None, settings: RollSettings | None = None, reason: str | None = None) -> Select:
    """Young people on the roll, aged 16 or over (so past Year 11), whose destination needs chasing.

    That is: no current activity, a NEET or not-known one, or one nobody has confirmed for
    3 months (its confirmed date, or its start date if never confirmed, is older than that).
    Columns: the YoungPerson, then ``reason`` (a FOLLOW_UP_REASONS key), ``activity_code``
    and ``last_confirmed`` (None when nothing is recorded). ``session.scalars()`` gives just
    the people. Ordered by family name; callers may re-order.
    """
    settings = settings or RollSettings()
    in_scope = [aged_at_least_condition(16, on), on_roll_condition(on, settings)]
    if keyworker_id is not None:
        in_scope.append(YoungPerson.keyworker_id == keyworker_id)
    # The current record, set-wise: the person's record covering ``on`` that no other covering
    # record of theirs outranks in CURRENT_ORDER (spelled out in ``outranked``: keep the two in
    # step), an anti-join. Both databases answer it from ix_activity_record_person_started, a
    # few index entries per person, whether asked for the whole list, its count or one page.
    # (Numbering the records with a window function instead needs the numbered rows joined
    # back to the people: a page of that made PostgreSQL loop over every person's numbered
    # rows for each person it listed.)
    current = aliased(ActivityRecord, name="current")
    better = aliased(ActivityRecord, name="better")
    outranked = (
        select(better.id)
        .where(
            better.young_person_id == current.young_person_id,
            _covering(on, better),
            or_(
                better.verified > current.verified,
                and_(
                    better.verified == current.verified,
                    or_(better.started_on > current.started_on, and_(better.started_on == current.started_on, better.id > current.id)),
                ),
            ),
        )
        .exists()
    )
    last_confirmed = func.coalesce(current.confirmed_on, current.started_on)
    reason_column = case(
        (current.id.is_(None), "missing"),
        (current.activity_code.in_(codes.codes_in("neet")), "neet"),
        (current.activity_code.in_(UNKNOWN_CODES), "not_known"),
        else_="not_confirmed",
    ).label("reason")
    query = (
        select(YoungPerson, reason_column, current.activity_code, last_confirmed.label("last_confirmed"))
        .outerjoin(current, and_(current.young_person_id == YoungPerson.id, _covering(on, current), ~outranked))
        .where(
            *in_scope,
            or_(
                current.id.is_(None),
                current.activity_code.in_(codes.codes_in("neet") + list(UNKNOWN_CODES)),
                last_confirmed < stale_before(on),
            ),
        )
        .order_by(YoungPerson.family_name, YoungPerson.given_name, YoungPerson.id)
    )
    if reason is not None:
        query = query.where(reason_column == reason)
    return query


def activity_as_dict(record: ActivityRecord) -> dict[str, Any]:
    """The API shape of a record (API.md field names)."""
    found = codes.activity_code(record.activity_code)
    return {
        "id": record.id,
        "activity_code": record.activity_code,
        "label": found.label if found else None,
        "group": found.group if found else None,
        "started_on": record.started_on,
        "ended_on": record.ended_on,
        "provider_id": record.provider_id,
        "provider_name": record.provider_name,
        "hours_per_week": record.hours_per_week,
        "level": record.level,
        "source": record.source,
        "verified": record.verified,
        "confirmed_on": record.confirmed_on,
        "version": record.version,
    }
