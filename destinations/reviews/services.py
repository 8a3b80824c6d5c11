"""PfA reviews: logging and correcting them, current intentions, actions and who is due.

Services add and flush; the view that owns the unit of work audits and commits.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from destinations.auth.models import User
from destinations.database import utcnow
from destinations.people import roll
from destinations.people.models import RollExtension, YoungPerson
from destinations.people.services import RollSettings, keyworkers, visible_people
from destinations.providers.models import Provider
from destinations.reviews import reference
from destinations.reviews.current import mark_current_steps
from destinations.reviews.models import Action, NextStep, NextStepProvider, NextStepSupportNeed, Review, ReviewRevision
from destinations.reviews.reference import OUTCOME_AREAS, reference_items, reference_labels
from destinations.reviews.rules import CONTENT_FIELDS, ReviewError, clean_action, clean_review, named_provider_ids

__all__ = [
    "ReviewError",
    "actions_due_for",
    "changed_fields",
    "current_intentions",
    "due_summary",
    "get_review",
    "last_review_dates",
    "latest_complete_review",
    "open_actions",
    "person_actions",
    "reference_items",
    "reference_labels",
    "review_as_dict",
    "review_due_state",
    "reviews_for",
    "save_review",
    "set_action_done",
    "update_review",
]

DUE_SOON_DAYS = 30
NO_KEYWORKER = "No keyworker"


# --- reading a review --------------------------------------------------------------------

def _with_everything(query: Select) -> Select:
    """Load a review's next steps (with providers and support needs) and actions up front."""
    return query.options(
        selectinload(Review.next_steps).selectinload(NextStep.provider_links),
        selectinload(Review.next_steps).selectinload(NextStep.support_need_links),
        selectinload(Review.next_steps).selectinload(NextStep.providers),
        selectinload(Review.actions),
    )


def review_as_dict(review: Review) -> dict[str, Any]:
    """The review in the API's field names (dates as ``date``, start years as "2027/28").

    Pages and the API read it; ``json_safe`` of it is what an amendment keeps as history.
    """
    return {
        "id": review.id,
        "young_person_id": review.young_person_id,
        "status": review.status,
        "held_on": review.held_on,
        "review_type": review.review_type,
        "young_person_present": review.young_person_present,
        "participants": list(review.participants or []),
        "participants_other": review.participants_other,
        "young_persons_words": review.young_persons_words,
        "aspirations": {area: getattr(review, f"aspiration_{area}") for area in OUTCOME_AREAS},
        "next_steps": [
            {
                "start_year": roll.academic_year_label(step.start_year) if step.start_year is not None else None,
                "route": step.route,
                "level": step.level,
                "sector_subject_area": step.sector_subject_area,
                "provider_ids": step.provider_ids,
                "attendance": step.attendance,
                "support_needs": step.support_need_codes,
            }
            for step in review.next_steps
        ],
        "destinations_statement": review.destinations_statement,
        "actions": [
            {
                "id": action.id,
                "description": action.description or None,
                "owner": action.owner or None,
                "due_on": action.due_on,
                "done": action.done,
                "done_at": action.done_at,
            }
            for action in review.actions
        ],
        "version": review.version,
        "created_at": review.created_at,
        "created_by_id": review.created_by_id,
        "updated_at": review.updated_at,
        "updated_by_id": review.updated_by_id,
        "amended": review.amended_at is not None,
        "amended_at": review.amended_at,
        "amended_by_id": review.amended_by_id,
    }


def json_safe(value: Any) -> Any:
    """``value`` with dates and times as ISO 8601 text, ready for a JSON column."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Names of the content fields (and status) that differ between two ``review_as_dict`` results."""
    return [name for name in ("status", *CONTENT_FIELDS) if before.get(name) != after.get(name)]


def get_review(session: Session, person: YoungPerson, review_id: int) -> Review | None:
    """The person's review with that id (None if it is someone else's or does not exist)."""
    return session.scalar(_with_everything(select(Review).where(Review.id == review_id, Review.young_person_id == person.id)))


def reviews_query(person_id: int, status: str | None = None) -> Select:
    """The person's reviews, newest first (drafts without a date first: they are in progress)."""
    query = select(Review).where(Review.young_person_id == person_id)
    if status:
        query = query.where(Review.status == status)
    return query.order_by(Review.held_on.is_(None).desc(), Review.held_on.desc(), Review.id.desc())


def reviews_for(session: Session, person_id: int, *, status: str | None = None, limit: int | None = None, offset: int = 0) -> list[Review]:
    """The person's reviews for a timeline, newest first, with their steps and actions loaded."""
    query = _with_everything(reviews_query(person_id, status)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_reviews(session: Session, person_id: int, *, status: str | None = None) -> int:
    query = select(func.count(Review.id)).where(Review.young_person_id == person_id)
    if status:
        query = query.where(Review.status == status)
    return int(session.scalar(query) or 0)


def revisions_for(session: Session, review: Review) -> list[ReviewRevision]:
    """Earlier versions of a completed review, newest first."""
    return list(session.scalars(select(ReviewRevision).where(ReviewRevision.review_id == review.id).order_by(ReviewRevision.id.desc())))


def latest_complete_review(session: Session, person_id: int) -> Review | None:
    """The most recent completed review (by the date held; the later-logged one on a tie)."""
    return session.scalar(_with_everything(reviews_query(person_id, "complete")).limit(1))


def current_intentions(session: Session, person_id: int) -> list[NextStep]:
    """The young person's current intentions: the next steps of their latest completed review."""
    review = latest_complete_review(session, person_id)
    if review is None:
        return []
    return list(review.next_steps)


def last_review_dates(session: Session, person_ids: Iterable[int]) -> dict[int, date]:
    """person id -> date of their latest completed review, for the people given that have one."""
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Review.young_person_id, func.max(Review.held_on))
        .where(Review.young_person_id.in_(ids), Review.status == "complete")
        .group_by(Review.young_person_id)
    )
    return {person_id: held_on for person_id, held_on in rows if held_on is not None}


# --- logging and correcting a review -----------------------------------------------------

def _known_codes(session: Session, current: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """Codes a review may use: the active ones, plus any retired ones it already has.

    A council retiring a code must not make every older review impossible to correct.
    """
    known = reference.active_codes(session)
    if current is None:
        return known

    def keep(kind: str, codes: Iterable[str | None]) -> None:
        for code in codes:
            if code and code not in known[kind]:
                known[kind].append(code)

    keep(reference.REVIEW_TYPE, [current.get("review_type")])
    keep(reference.PARTICIPANT, current.get("participants") or [])
    for step in current.get("next_steps") or []:
        keep(reference.ROUTE, [step.get("route")])
        keep(reference.LEVEL, [step.get("level")])
        keep(reference.SECTOR_SUBJECT_AREA, [step.get("sector_subject_area")])
        keep(reference.ATTENDANCE, [step.get("attendance")])
        keep(reference.SUPPORT_NEED, step.get("support_needs") or [])
    return known


def _existing_providers(session: Session, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(Provider.id).where(Provider.id.in_(sorted(ids)))))


def _clean(session: Session, values: Mapping[str, Any], *, today: date, complete: bool, current: Mapping | None = None, action_ids: set[int] = frozenset()) -> dict:
    return clean_review(
        values,
        known=_known_codes(session, current),
        provider_ids=_existing_providers(session, named_provider_ids(values)),
        today=today,
        complete=complete,
        action_ids=action_ids,
    )


def _content(review: Review) -> dict[str, Any]:
    """The review's content in the same shape ``clean_review`` returns, for comparing."""
    return {
        "held_on": review.held_on,
        "review_type": review.review_type,
        "young_person_present": review.young_person_present,
        "participants": list(review.participants or []),
        "participants_other": review.participants_other,
        "young_persons_words": review.young_persons_words,
        "destinations_statement": review.destinations_statement,
        "aspirations": {area: getattr(review, f"aspiration_{area}") for area in OUTCOME_AREAS},
        "next_steps": [
            {
                "start_year": step.start_year,
                "route": step.route,
                "level": step.level,
                "sector_subject_area": step.sector_subject_area,
                "provider_ids": step.provider_ids,
                "attendance": step.attendance,
                "support_needs": step.support_need_codes,
            }
            for step in review.next_steps
        ],
        "actions": [
            {"id": action.id, "description": action.description or None, "owner": action.owner or None, "due_on": action.due_on, "done": action.done}
            for action in review.actions
        ],
    }


def _apply(review: Review, clean: Mapping[str, Any], names: Iterable[str], by: User) -> None:
    for name in names:
        if name == "aspirations":
            for area in OUTCOME_AREAS:
                setattr(review, f"aspiration_{area}", clean["aspirations"][area])
        elif name == "next_steps":
            review.next_steps = [_next_step(position, step) for position, step in enumerate(clean["next_steps"])]
        elif name == "actions":
            _sync_actions(review, clean["actions"], by)
        else:
            setattr(review, name, clean[name])


def _next_step(position: int, step: Mapping[str, Any]) -> NextStep:
    return NextStep(
        position=position,
        start_year=step["start_year"],
        route=step["route"],
        level=step["level"],
        sector_subject_area=step["sector_subject_area"],
        attendance=step["attendance"],
        provider_links=[NextStepProvider(provider_id=provider_id, position=n) for n, provider_id in enumerate(step["provider_ids"])],
        support_need_links=[NextStepSupportNeed(code=code, position=n) for n, code in enumerate(step["support_needs"])],
    )


def _sync_actions(review: Review, actions: list[Mapping[str, Any]], by: User) -> None:
    """Make the review's actions the ones given: update those sent with an id, add the rest, drop the others."""
    existing = {action.id: action for action in review.actions}
    kept: list[Action] = []
    for values in actions:
        action = existing.get(values["id"]) if values["id"] is not None else None
        if action is None:
            action = Action(young_person_id=review.young_person_id, created_by_id=by.id)
        action.description = values["description"] or ""
        action.owner = values["owner"] or ""
        action.due_on = values["due_on"]
        _mark_done(action, values["done"], by)
        kept.append(action)
    review.actions = kept


def _mark_done(action: Action, done: bool, by: User) -> None:
    if action.done == done and action.id is not None:
        return
    action.done = done
    action.done_at = utcnow() if done else None
    action.done_by_id = by.id if done else None


def save_review(session: Session, person: YoungPerson, values: Mapping[str, Any], by: User, *, today: date, complete: bool) -> Review:
    """Log a new review: a draft (light checks) or a complete one (every rule)."""
    clean = _clean(session, values, today=today, complete=complete)
    review = Review(
        young_person_id=person.id,
        status="complete" if complete else "draft",
        participants=[],
        created_by_id=by.id,
        updated_by_id=by.id,
    )
    session.add(review)
    _apply(review, clean, CONTENT_FIELDS, by)
    session.flush()
    if complete:
        mark_current_steps(session, [person.id])
    return review


def update_review(session: Session, review: Review, values: Mapping[str, Any], by: User, *, today: date, complete: bool) -> Review:
    """Change a review; fields left out of ``values`` stay as they are.

    Correcting a completed review first keeps it as it was in a ReviewRevision and marks it
    amended (when and by whom). A draft just changes, and becomes complete when
    ``complete`` is true. A completed review cannot go back to being a draft.
    """
    if review.status == "complete" and not complete:
        raise ReviewError({"status": "A completed review cannot be turned back into a draft: save your corrections to the completed review"})
    before = review_as_dict(review)
    merged = {name: before[name] for name in CONTENT_FIELDS}
    for name in CONTENT_FIELDS:
        if name in values:
            merged[name] = values[name]
    if isinstance(values.get("aspirations"), Mapping):
        merged["aspirations"] = {**before["aspirations"], **values["aspirations"]}
    clean = _clean(session, merged, today=today, complete=complete, current=before, action_ids={action.id for action in review.actions})
    current = _content(review)
    changed = [name for name in CONTENT_FIELDS if clean[name] != current[name]]
    becomes_complete = complete and review.status != "complete"
    if not changed and not becomes_complete:
        return review
    if review.status == "complete":
        session.add(ReviewRevision(review=review, revised_by_id=by.id, snapshot=json_safe(before)))
        review.amended_at, review.amended_by_id = utcnow(), by.id
    _apply(review, clean, changed, by)
    if becomes_complete:
        review.status = "complete"
    review.updated_at, review.updated_by_id = utcnow(), by.id  # also moves the version on when only steps or actions changed
    session.flush()
    if review.status == "complete":
        mark_current_steps(session, [review.young_person_id])
    return review


# --- actions -----------------------------------------------------------------------------

def _agreed_actions() -> Select:
    """Actions that have been agreed: on a completed review, or recorded on their own.

    Actions typed into a draft review are not agreed until the review is completed.
    """
    return select(Action).outerjoin(Review, Action.review_id == Review.id).where(or_(Action.review_id.is_(None), Review.status == "complete"))


def person_actions(session: Session, person_id: int, *, open_only: bool = False, limit: int | None = None, offset: int = 0) -> list[Action]:
    """The person's agreed actions: open ones first, then by due date (undated last)."""
    query = _person_actions_query(person_id, open_only).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def _person_actions_query(person_id: int, open_only: bool) -> Select:
    query = _agreed_actions().where(Action.young_person_id == person_id)
    if open_only:
        query = query.where(Action.done.is_(False))
    return query.order_by(Action.done, Action.due_on.is_(None), Action.due_on, Action.id)


def count_person_actions(session: Session, person_id: int, *, open_only: bool = False) -> int:
    return int(session.scalar(select(func.count()).select_from(_person_actions_query(person_id, open_only).order_by(None).subquery())) or 0)


def open_actions(session: Session, person_id: int) -> list[Action]:
    """The person's agreed actions not yet done, soonest due first (undated last)."""
    return person_actions(session, person_id, open_only=True)


def get_action(session: Session, person: YoungPerson, action_id: int) -> Action | None:
    """The person's agreed action with that id, or None."""
    return session.scalar(_agreed_actions().where(Action.id == action_id, Action.young_person_id == person.id))


def actions_due_for(session: Session, user: User, today: date, within_days: int = DUE_SOON_DAYS) -> list[Action]:
    """Open actions due by ``today + within_days`` for the people ``user`` may see, overdue first."""
    if user.role not in ("manager", "keyworker"):
        return []
    visible_ids = visible_people(user).with_only_columns(YoungPerson.id)
    query = (
        _agreed_actions()
        .where(
            Action.done.is_(False),
            Action.due_on.is_not(None),
            Action.due_on <= today + timedelta(days=within_days),
            Action.young_person_id.in_(visible_ids),
        )
        .options(joinedload(Action.young_person))
        .order_by(Action.due_on, Action.id)
    )
    return list(session.scalars(query))


def set_action_done(session: Session, action: Action, done: bool, by: User) -> None:
    """Mark an action done (recording when and by whom) or not done again."""
    if action.done == done:
        return
    _mark_done(action, done, by)
    session.flush()


def add_action(session: Session, person: YoungPerson, values: Mapping[str, Any], by: User, review: Review | None = None) -> Action:
    """Record an agreed action, on a review or on its own (description and owner required)."""
    errors: dict[str, str] = {}
    clean = clean_action(dict(values), 0, action_ids=set(), complete=True, errors=errors)
    if clean is None:
        errors = {"actions.0.description": "Describe the action that was agreed", "actions.0.owner": "Enter who will do the action, for example Keyworker or Parent"}
    if errors:
        raise ReviewError({key.removeprefix("actions.0."): message for key, message in errors.items()})
    action = Action(
        young_person_id=person.id, review=review, description=clean["description"], owner=clean["owner"], due_on=clean["due_on"], created_by_id=by.id
    )
    _mark_done(action, clean["done"], by)
    session.add(action)
    session.flush()
    return action


# --- who is due a review -----------------------------------------------------------------

def review_due_state(next_review_due: date | None, today: date, within_days: int = DUE_SOON_DAYS) -> str | None:
    """The caseload's review column: "overdue", "due" (within ``within_days``) or None."""
    if next_review_due is None:
        return None
    if next_review_due < today:
        return "overdue"
    if next_review_due <= today + timedelta(days=within_days):
        return "due"
    return None


def due_summary(session: Session, today: date, settings: RollSettings) -> dict[str, Any]:
    """For the manager: reviews due in the next 30 days and overdue, per keyworker and pathway.

    One query reads what the rule needs for everyone not explicitly off the roll; the dates
    are then worked out with ``roll.next_review_due``, exactly as each record shows them.
    """
    extensions = (
        select(RollExtension.young_person_id.label("person_id"), func.max(RollExtension.new_end).label("extended_to"))
        .group_by(RollExtension.young_person_id)
        .subquery()
    )
    reviews = (
        select(Review.young_person_id.label("person_id"), func.max(Review.held_on).label("last_review_on"))
        .where(Review.status == "complete")
        .group_by(Review.young_person_id)
        .subquery()
    )
    rows = session.execute(
        select(
            YoungPerson.id,
            YoungPerson.date_of_birth,
            YoungPerson.pathway,
            YoungPerson.keyworker_id,
            YoungPerson.left_on,
            extensions.c.extended_to,
            reviews.c.last_review_on,
            User.name,
        )
        .outerjoin(extensions, extensions.c.person_id == YoungPerson.id)
        .outerjoin(reviews, reviews.c.person_id == YoungPerson.id)
        .outerjoin(User, User.id == YoungPerson.keyworker_id)
        .where(or_(YoungPerson.left_on.is_(None), YoungPerson.left_on > today))
    )
    names: dict[int | None, str] = {user.id: user.name for user in keyworkers(session)}
    by_keyworker: dict[int | None, list[int]] = {keyworker_id: [0, 0] for keyworker_id in names}
    by_pathway: dict[int | None, list[int]] = {pathway: [0, 0] for pathway in (1, 2, 3, None)}
    year9_without_review = 0
    age = settings.age_of_transition
    for _id, dob, pathway, keyworker_id, left_on, extended_to, last_review_on, keyworker_name in rows:
        extension_ends = [extended_to] if extended_to else []
        due = roll.next_review_due(dob, today, pathway, last_review_on, settings.review_cadence_months, age, extension_ends, left_on)
        if due is None:
            continue
        if last_review_on is None and roll.year_group(dob, today) == 9:
            year9_without_review += 1
        state = review_due_state(due, today)
        if state is None:
            continue
        column = 1 if state == "overdue" else 0
        if keyworker_id not in names:
            names[keyworker_id] = keyworker_name or NO_KEYWORKER
        by_keyworker.setdefault(keyworker_id, [0, 0])[column] += 1
        by_pathway.setdefault(pathway, [0, 0])[column] += 1
    keyworker_order = sorted(by_keyworker, key=lambda key: (key is None, (names.get(key) or "").lower(), key or 0))
    return {
        "by_keyworker": [(key, names.get(key) or NO_KEYWORKER, *by_keyworker[key]) for key in keyworker_order],
        "by_pathway": [(pathway, *counts) for pathway, counts in by_pathway.items()],
        "year9_without_first_review": year9_without_review,
        "due_30": sum(counts[0] for counts in by_pathway.values()),
        "overdue": sum(counts[1] for counts in by_pathway.values()),
    }
