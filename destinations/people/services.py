"""The roll: who a user may see, computed roll facts, and the changes managers make."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Iterable, Mapping

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from destinations.auth.models import User
from destinations.common.search import contains
from destinations.imports.models import DetailChange
from destinations.people import roll
from destinations.people.models import (
    LEAVING_REASONS,
    KeyworkerAssignment,
    PathwayChange,
    RollExtension,
    StatusChange,
    YoungPerson,
)
from destinations.people.reference import PATHWAYS, PRIMARY_NEEDS, SEN_PROVISION
from destinations.people.upn import UPNError, validate_upn
from destinations.providers.models import Provider

EDITABLE_FIELDS = (
    "upn",
    "council_person_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sen_provision",
    "primary_need",
    "school_id",
)


def history_text(value) -> str | None:
    """A detail's value as its history keeps it (dates in ISO 8601)."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def detail_change_rows(
    person_id: int, before: Mapping, after: Mapping, *, source: str, by_id: int | None, import_run_id: int | None = None
) -> list[dict]:
    """The ``detail_change`` rows for the fields in ``after``: each with its value before and after."""
    return [
        {
            "young_person_id": person_id,
            "field": name,
            "old_value": history_text(before.get(name)),
            "new_value": history_text(value),
            "source": source,
            "import_run_id": import_run_id,
            "changed_by_id": by_id,
        }
        for name, value in after.items()
    ]


DETAIL_LABELS = {
    "upn": "UPN",
    "council_person_id": "Council person id",
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "sen_provision": "SEN provision",
    "primary_need": "Primary need",
    "school_id": "School",
}


@dataclass(frozen=True)
class DetailChangeLine:
    """One change to a young person's details as the record page shows it."""

    changed_at: datetime
    field: str
    before: str
    after: str
    source: str
    by: str


def detail_history(session: Session, person: YoungPerson) -> list[DetailChangeLine]:
    """Changes to the young person's details (from imports and managers' edits), newest first,
    in words: dates written out, codes with their names, schools by name."""
    from destinations.people.reference import PRIMARY_NEEDS, SEN_PROVISION
    from destinations.providers.models import Provider

    changes = session.scalars(
        select(DetailChange)
        .where(DetailChange.young_person_id == person.id)
        .options(joinedload(DetailChange.changed_by))
        .order_by(DetailChange.changed_at.desc(), DetailChange.id.desc())
    ).all()
    school_ids = {int(value) for change in changes if change.field == "school_id" for value in (change.old_value, change.new_value) if value and value.isdigit()}
    schools = {row.id: row.name for row in session.execute(select(Provider.id, Provider.name).where(Provider.id.in_(school_ids)))}

    def shown(field: str, value: str | None) -> str:
        if value in (None, ""):
            return "blank"
        if field == "date_of_birth":
            try:
                day = date.fromisoformat(value)
            except ValueError:
                return value
            return f"{day.day} {day.strftime('%B')} {day.year}"
        if field == "sen_provision":
            return SEN_PROVISION.get(value, value)
        if field == "primary_need":
            return f"{value} – {PRIMARY_NEEDS[value]}" if value in PRIMARY_NEEDS else value
        if field == "school_id":
            return schools.get(int(value), "a school no longer listed") if value.isdigit() else value
        return value

    return [
        DetailChangeLine(
            changed_at=change.changed_at,
            field=DETAIL_LABELS.get(change.field, change.field),
            before=shown(change.field, change.old_value),
            after=shown(change.field, change.new_value),
            source="Import from a file" if change.source == "import" else "Changed on the record",
            by=change.changed_by.name if change.changed_by else "System",
        )
        for change in changes
    ]


class RollError(ValueError):
    """A change the rules refuse; ``errors`` maps field names to messages for the person."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class RollSettings:
    age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION
    review_cadence_months: Mapping[str, int] = field(default_factory=lambda: dict(roll.DEFAULT_REVIEW_CADENCE_MONTHS))

    @classmethod
    def from_config(cls, config: Mapping) -> RollSettings:
        return cls(config["AGE_OF_TRANSITION"], dict(config["REVIEW_CADENCE_MONTHS"]))


@dataclass(frozen=True)
class RollFacts:
    """What the service computes for one young person on one day."""

    year_group: int
    roll_start: date
    age_of_transition_date: date
    roll_end: date
    status: str
    transition_points: list[roll.TransitionPoint]
    next_transition_point: roll.TransitionPoint | None
    next_review_due: date | None


def roll_facts(person: YoungPerson, today: date, settings: RollSettings, last_review_on: date | None = None) -> RollFacts:
    extension_ends = [extension.new_end for extension in person.extensions]
    dob, age = person.date_of_birth, settings.age_of_transition
    return RollFacts(
        year_group=roll.year_group(dob, today),
        roll_start=roll.roll_start(dob),
        age_of_transition_date=roll.age_of_transition_date(dob, age),
        roll_end=roll.roll_end(dob, age, extension_ends),
        status=roll.roll_status(dob, today, age, extension_ends, person.left_on),
        transition_points=roll.transition_points(dob, age, extension_ends),
        next_transition_point=roll.next_transition_point(dob, today, age, extension_ends),
        next_review_due=roll.next_review_due(
            dob, today, person.pathway, last_review_on, settings.review_cadence_months, age, extension_ends, person.left_on
        ),
    )


# --- who may see whom -------------------------------------------------------------------

def visible_people(user: User) -> Select:
    """Everyone ``user`` may see: a keyworker their caseload, a manager the whole roll."""
    query = select(YoungPerson)
    if user.role == "manager":
        return query
    if user.role == "keyworker":
        return query.where(YoungPerson.keyworker_id == user.id)
    return query.where(false())


def get_visible_person(session: Session, user: User, person_id: int) -> YoungPerson | None:
    """The young person if ``user`` may see them; None otherwise, so callers answer 404."""
    return session.scalar(
        visible_people(user)
        .where(YoungPerson.id == person_id)
        .options(selectinload(YoungPerson.extensions))
    )


# --- filtering the roll in SQL ------------------------------------------------------------
# Every roll date is a non-decreasing function of the date of birth, so "the date is on or
# after today" is the same as "born on or after some threshold", found by bisection. That
# lets the database filter by year group, status and next transition point on an index.

_EARLIEST, _LATEST = date(1900, 1, 1), date(2200, 1, 1)


def earliest_birth(when: Callable[[date], date], today: date) -> date:
    """The earliest date of birth for which ``when(dob) >= today``."""
    low, high = _EARLIEST, _LATEST
    while low < high:
        middle = low + (high - low) // 2
        if when(middle) >= today:
            high = middle
        else:
            low = middle + timedelta(days=1)
    return low


def year_group_condition(year_group: int, today: date):
    cohort = roll.academic_year_of(today) - year_group - 5
    return and_(YoungPerson.date_of_birth >= date(cohort, 9, 1), YoungPerson.date_of_birth < date(cohort + 1, 9, 1))


def _extension_running_on(today: date):
    """The young person has an extension that runs to ``today`` or later (a semi-join, on an index)."""
    return (
        select(RollExtension.id)
        .where(RollExtension.young_person_id == YoungPerson.id, RollExtension.new_end >= today)
        .correlate(YoungPerson)
        .exists()
    )


def base_end_not_passed_from(today: date, settings: RollSettings) -> date:
    """The earliest date of birth whose base roll end (before any extension) has not passed on ``today``."""
    return earliest_birth(lambda dob: roll.base_roll_end(dob, settings.age_of_transition), today)


def still_here_condition(today: date):
    """Not recorded as having left by ``today``."""
    return or_(YoungPerson.left_on.is_(None), YoungPerson.left_on > today)


def status_condition(status: str, today: date, settings: RollSettings):
    starts_by = earliest_birth(roll.roll_start, today + timedelta(days=1))  # born >= this: not started yet
    ends_by = base_end_not_passed_from(today, settings)  # born >= this: base end not passed
    dob = YoungPerson.date_of_birth
    still_here = still_here_condition(today)
    if status == "upcoming":
        return and_(still_here, dob >= starts_by)
    if status == "active":
        return and_(still_here, dob < starts_by, dob >= ends_by)
    if status == "extended":
        return and_(still_here, dob < ends_by, _extension_running_on(today))
    if status == "left":
        # Each side of the OR can use an index (left_on; date_of_birth), so neither scans the roll.
        return or_(YoungPerson.left_on <= today, and_(dob < ends_by, ~_extension_running_on(today)))
    raise ValueError(status)


def transition_point_condition(key: str, today: date, settings: RollSettings):
    """Young people whose next key transition point is ``key`` (roll end ignores extensions)."""
    age = settings.age_of_transition
    points = {
        "year9": roll.roll_start,
        "end_of_year11": lambda dob: date(roll.cohort_of(dob) + 17, 8, 31),
        "end_of_year13": lambda dob: date(roll.cohort_of(dob) + 19, 8, 31),
        "age_of_transition": lambda dob: roll.age_of_transition_date(dob, age),
        "roll_end": lambda dob: roll.base_roll_end(dob, age),
    }
    order = [point.key for point in roll.transition_points(date(2010, 1, 1), age)]
    position = order.index(key)
    dob = YoungPerson.date_of_birth
    condition = dob >= earliest_birth(points[key], today)
    if position > 0:
        previous = points[order[position - 1]]
        condition = and_(condition, dob < earliest_birth(previous, today))
    return and_(condition, or_(YoungPerson.left_on.is_(None), YoungPerson.left_on > today))


@dataclass
class RollFilters:
    year_group: int | None = None
    pathway: str | None = None  # "1", "2", "3" or "none"
    status: str | None = None
    next_transition_point: str | None = None
    keyworker_id: int | None = None
    unassigned: bool = False
    search: str | None = None


def filtered_people(user: User, filters: RollFilters, today: date, settings: RollSettings) -> Select:
    query = visible_people(user)
    if filters.year_group is not None:
        query = query.where(year_group_condition(filters.year_group, today))
    if filters.pathway == "none":
        query = query.where(YoungPerson.pathway.is_(None))
    elif filters.pathway:
        query = query.where(YoungPerson.pathway == int(filters.pathway))
    if filters.status:
        query = query.where(status_condition(filters.status, today, settings))
    if filters.next_transition_point:
        query = query.where(transition_point_condition(filters.next_transition_point, today, settings))
    if filters.keyworker_id is not None:
        query = query.where(YoungPerson.keyworker_id == filters.keyworker_id)
    if filters.unassigned:
        query = query.where(YoungPerson.keyworker_id.is_(None))
    if filters.search:
        term = filters.search.strip()
        query = query.where(
            or_(
                contains(YoungPerson.family_name, term),
                contains(YoungPerson.given_name, term),
                YoungPerson.upn == term.upper().replace(" ", ""),
            )
        )
    return query


def list_page(session: Session, query: Select, page: int, page_size: int) -> tuple[list[YoungPerson], int]:
    """One page of people, loaded in a fixed number of queries however long the page."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(
        query.order_by(YoungPerson.family_name, YoungPerson.given_name, YoungPerson.id)
        .options(selectinload(YoungPerson.extensions), joinedload(YoungPerson.keyworker))
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return list(rows), int(total or 0)


# --- changes -----------------------------------------------------------------------------

def _check_details(session: Session, values: Mapping, person: YoungPerson | None = None) -> dict:
    """Validate and normalise editable details; raise RollError naming every bad field."""
    errors: dict[str, str] = {}
    clean = dict(values)
    if "upn" in clean and clean["upn"]:
        try:
            clean["upn"] = validate_upn(clean["upn"])
        except UPNError as error:
            errors["upn"] = str(error)
        else:
            clash = session.scalar(select(YoungPerson.id).where(YoungPerson.upn == clean["upn"]))
            if clash is not None and (person is None or clash != person.id):
                errors["upn"] = "Another young person already has this UPN. Search for them instead of adding them again."
    elif "upn" in clean:
        clean["upn"] = None
    if clean.get("council_person_id"):
        clean["council_person_id"] = clean["council_person_id"].strip()
        clash = session.scalar(select(YoungPerson.id).where(YoungPerson.council_person_id == clean["council_person_id"]))
        if clash is not None and (person is None or clash != person.id):
            errors["council_person_id"] = "Another young person already has this council person id."
    elif "council_person_id" in clean:
        clean["council_person_id"] = None
    for name, label in (("given_name", "Given name"), ("family_name", "Family name")):
        if name in clean:
            clean[name] = (clean[name] or "").strip()
            if not clean[name]:
                errors[name] = f"Enter the young person's {label.lower()}"
    if "sen_provision" in clean and clean["sen_provision"] not in SEN_PROVISION:
        errors["sen_provision"] = "SEN provision must be E (EHC plan) or K (SEN support)"
    if "primary_need" in clean and clean["primary_need"] not in PRIMARY_NEEDS:
        errors["primary_need"] = "Primary need must be one of the school census codes: " + ", ".join(PRIMARY_NEEDS)
    if "date_of_birth" in clean:
        dob = clean["date_of_birth"]
        if dob is None:
            errors["date_of_birth"] = "Enter the young person's date of birth"
        elif dob > date.today():
            errors["date_of_birth"] = "Date of birth must be in the past"
        elif dob.year < 1990:
            errors["date_of_birth"] = "Date of birth must be after 1 January 1990"
    if clean.get("school_id") is not None and session.get(Provider, clean["school_id"]) is None:
        errors["school_id"] = f"There is no provider with id {clean['school_id']}"
    if errors:
        raise RollError(errors)
    return clean


def create_person(session: Session, values: Mapping, by: User) -> YoungPerson:
    """Add a young person. ``upn`` is required unless a council person id identifies them."""
    values = dict(values)
    keyworker_id = values.pop("keyworker_id", None)
    pathway = values.pop("pathway", None)
    missing = {
        name: message
        for name, message in (
            ("given_name", "Enter the young person's given name"),
            ("family_name", "Enter the young person's family name"),
            ("date_of_birth", "Enter the young person's date of birth"),
            ("sen_provision", "Select the SEN provision"),
            ("primary_need", "Select the primary need"),
        )
        if not values.get(name)
    }
    if not values.get("upn") and not values.get("council_person_id"):
        missing["upn"] = "Enter the UPN (or, if the young person has none, the council's own person id)"
    try:
        clean = _check_details(session, values)
    except RollError as error:
        missing = {**error.errors, **missing}
    if missing:
        raise RollError(missing)
    person = YoungPerson(**{name: clean.get(name) for name in EDITABLE_FIELDS})
    session.add(person)
    session.flush()
    if keyworker_id is not None:
        assign_keyworker(session, person, keyworker_id, by)
    if pathway is not None:
        change_pathway(session, person, pathway, "Set when the young person was added", by)
    return person


def update_details(session: Session, person: YoungPerson, values: Mapping, by: User) -> list[str]:
    """Apply changed details, keeping each change as history (``DetailChange``, as imports do).

    Returns the names of the fields that changed (for the audit log).
    """
    values = {name: value for name, value in values.items() if name in EDITABLE_FIELDS}
    clean = _check_details(session, values, person)
    if not clean.get("upn", person.upn) and not clean.get("council_person_id", person.council_person_id):
        raise RollError({"upn": "Enter the UPN (or, if the young person has none, the council's own person id)"})
    changed = [name for name, value in clean.items() if getattr(person, name) != value]
    before = {name: getattr(person, name) for name in changed}
    for name in changed:
        setattr(person, name, clean[name])
    for row in detail_change_rows(person.id, before, {name: clean[name] for name in changed}, source="edit", by_id=by.id):
        session.add(DetailChange(**row))
    return changed


def active_keyworker(session: Session, keyworker_id: int) -> User | None:
    user = session.get(User, keyworker_id)
    return user if user is not None and user.role == "keyworker" and user.active else None


def assign_keyworker(session: Session, person: YoungPerson, keyworker_id: int | None, by: User) -> bool:
    """Give the young person a keyworker (or none); kept as history. Returns False if unchanged."""
    if keyworker_id is not None and active_keyworker(session, keyworker_id) is None:
        raise RollError({"keyworker_id": f"There is no active keyworker with id {keyworker_id}"})
    if person.keyworker_id == keyworker_id:
        return False
    person.keyworker_id = keyworker_id
    session.add(KeyworkerAssignment(young_person=person, keyworker_id=keyworker_id, assigned_by_id=by.id))
    return True


def change_pathway(session: Session, person: YoungPerson, pathway: int | None, reason: str, by: User) -> PathwayChange | None:
    """Set the pathway (1, 2, 3 or None for not yet decided), keeping the reason and who."""
    if pathway is not None and pathway not in PATHWAYS:
        raise RollError({"pathway": "Pathway must be 1, 2, 3 or not yet decided"})
    if not (reason or "").strip():
        raise RollError({"reason": "Enter the reason for the pathway change"})
    if person.pathway == pathway:
        raise RollError({"pathway": "The young person is already on this pathway"})
    change = PathwayChange(
        young_person=person, from_pathway=person.pathway, to_pathway=pathway, reason=reason.strip(), changed_by_id=by.id
    )
    person.pathway = pathway
    session.add(change)
    return change


def extend_roll(
    session: Session, person: YoungPerson, new_end: date | None, reason: str, review_on: date | None, by: User, settings: RollSettings
) -> RollExtension:
    """Extend time on the roll to ``new_end``; extensions stack, none past the 25th birthday."""
    errors = {}
    current_end = roll.roll_end(person.date_of_birth, settings.age_of_transition, [e.new_end for e in person.extensions])
    if new_end is None:
        errors["new_end"] = "Enter the new roll end date"
    else:
        try:
            roll.validate_extension(person.date_of_birth, current_end, new_end)
        except roll.ExtensionError as error:
            errors["new_end"] = str(error)
    if not (reason or "").strip():
        errors["reason"] = "Enter the reason for the extension"
    if review_on is None:
        errors["review_on"] = "Enter the date the extension will be reviewed"
    elif new_end is not None and review_on > new_end:
        errors["review_on"] = "The review date must be on or before the new roll end date"
    if errors:
        raise RollError(errors)
    extension = RollExtension(
        young_person=person, previous_end=current_end, new_end=new_end, reason=reason.strip(), review_on=review_on, created_by_id=by.id
    )
    session.add(extension)
    if person.left_on is not None and person.left_reason == "end_of_roll":
        person.left_on, person.left_reason = None, None
    return extension


def record_leaving(session: Session, person: YoungPerson, left_on: date | None, reason: str, note: str | None, by: User) -> StatusChange:
    errors = {}
    if left_on is None:
        errors["left_on"] = "Enter the date they left the roll"
    elif left_on > date.today():
        errors["left_on"] = "The leaving date must be today or in the past"
    if reason not in LEAVING_REASONS:
        errors["reason"] = "Select why they left the roll"
    if person.left_on is not None:
        errors["left_on"] = "This young person has already left the roll"
    if errors:
        raise RollError(errors)
    person.left_on, person.left_reason = left_on, reason
    change = StatusChange(young_person=person, status="left", reason=reason, note=(note or "").strip() or None, effective_on=left_on, created_by_id=by.id)
    session.add(change)
    return change


def keyworkers(session: Session, include_inactive: bool = False) -> list[User]:
    query = select(User).where(User.role == "keyworker").order_by(User.name)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query))


def keyworker_names(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every active keyworker, by name: enough for a filter, without loading accounts."""
    query = select(User.id, User.name).where(User.role == "keyworker", User.active.is_(True)).order_by(User.name)
    return [(user_id, name) for user_id, name in session.execute(query)]


def caseload_sizes(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(YoungPerson.keyworker_id, func.count()).where(YoungPerson.keyworker_id.is_not(None)).group_by(YoungPerson.keyworker_id)
    )
    return {keyworker_id: count for keyworker_id, count in rows}


def ids_of(people: Iterable[YoungPerson]) -> list[int]:
    return [person.id for person in people]
