"""Demo data: ``flask --app wsgi demo load`` builds a believable council in seconds.

:mod:`destinations.demo.plan` and :mod:`destinations.demo.reviews` decide everything (pure
and seeded); this module reads what the database already holds, so a second load adds to it
without clashes, and writes the plan in bulk (:mod:`destinations.demo.bulk`). It writes
inside the caller's transaction and never commits: the command that calls it owns the unit
of work.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import chain

from sqlalchemy import String, Table, cast, func, insert, select, update
from sqlalchemy.orm import Session

from destinations.activities.models import ActivityRecord
from destinations.auth import services as auth_services
from destinations.auth.models import User
from destinations.database import utcnow
from destinations.outcomes.models import LongTermOutcome
from destinations.demo.activities import ActivityPlan, plan_activities
from destinations.demo.bulk import insert_rows
from destinations.demo.long_term import LongTermPlan, plan_long_term_checks
from destinations.demo.plan import EMAIL_DOMAIN, plan_council, sign_in_emails
from destinations.demo.records import Clock, CouncilPlan, ProviderPlan, Taken
from destinations.demo.review_writer import write_reviews
from destinations.demo.reviews import plan_reviews
from destinations.people import roll
from destinations.people.models import KeyworkerAssignment, PathwayChange, RollExtension, StatusChange, YoungPerson
from destinations.providers.models import Provider
from destinations.reviews.reference import OUTCOME_AREAS

log = logging.getLogger(__name__)

# Printed by the command for every demo account: these are synthetic records, not real ones.
DEMO_PASSWORD = "demo-password-1234"
DEMO_EMAIL_DOMAIN = EMAIL_DOMAIN
CHUNK_SIZE = 2000


def demo_sign_ins() -> list[tuple[str, str]]:
    """The (role, email) sign-ins of the first demo load; the password is DEMO_PASSWORD."""
    return sign_in_emails()


def demo_already_loaded(session: Session) -> bool:
    """True once a demo load has created the demo administrator account."""
    admin_email = demo_sign_ins()[0][1]
    return session.scalar(select(User.id).where(User.email == admin_email)) is not None


def database_is_empty(session: Session) -> bool:
    """True when there are neither staff accounts nor young people (a fresh install)."""
    no_staff = session.scalar(select(User.id).limit(1)) is None
    return no_staff and session.scalar(select(YoungPerson.id).limit(1)) is None


def load_demo(
    session: Session,
    *,
    people: int = 1500,
    seed: int = 1,
    today: date | None = None,
    age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION,
) -> dict:
    """Add a synthetic council of ``people`` young people, its staff and providers.

    Everyone on the roll from Year 9 gets a history of PfA reviews, with their intended next
    steps and actions (:mod:`destinations.demo.reviews`), and everyone past Year 11 a history
    of what they did next (:mod:`destinations.demo.activities`). Returns ``{"people",
    "keyworkers", "providers", "reviews", "actions", "activities", "sign_ins"}``; ``sign_ins`` holds one (role, email)
    pair per demo account, all with DEMO_PASSWORD. Existing data is kept: UPNs, council ids
    and emails already in use are avoided, and providers already there (matched on URN,
    UKPRN or, failing both, name and kind) are reused.
    """
    if people < 1:
        raise ValueError("A demo council needs at least one young person.")
    today = today or date.today()
    now = utcnow()
    plan = plan_council(people, seed, today, now, age_of_transition=age_of_transition, taken=_taken(session))
    provider_ids = _write_providers(session, plan.providers, now)
    staff_ids = _write_staff(session, plan, provider_ids)
    person_ids = _write_people(session, plan, provider_ids, staff_ids)
    _write_history(session, plan, person_ids, staff_ids)
    reviews = plan_reviews(plan, seed, Clock(today, now), age_of_transition=age_of_transition)
    written = write_reviews(session, reviews, person_ids, staff_ids, provider_ids)
    activities = plan_activities(plan, seed, Clock(today, now))
    _write_activities(session, activities, person_ids, staff_ids, provider_ids)
    checks = plan_long_term_checks(plan, seed, Clock(today, now), age_of_transition=age_of_transition)
    _write_long_term_checks(session, checks, person_ids, staff_ids)
    _write_contacts(session, person_ids, today)
    log.info(
        "demo council loaded",
        extra={
            "people": len(plan.people), "keyworkers": len(plan.keyworkers), "reviews": written["reviews"],
            "activities": len(activities), "long_term_checks": len(checks),
        },
    )  # fmt: skip
    return {
        "people": len(plan.people),
        "keyworkers": len(plan.keyworkers),
        "providers": len(plan.providers),
        "reviews": written["reviews"],
        "actions": written["actions"],
        "activities": len(activities),
        "long_term_checks": len(checks),
        "sign_ins": plan.sign_ins,
    }


LONG_TERM_COLUMNS = (
    "young_person_id", "checkpoint", "recorded_on", "living_arrangement", "paid_work_16_plus",
    *(f"progress_{area}" for area in OUTCOME_AREAS), "recorded_by_id", "recorded_at", "updated_at", "version",
)  # fmt: skip


def _write_long_term_checks(session: Session, checks: list[LongTermPlan], person_ids: list[int], staff_ids: list[int]) -> None:
    rows = (
        (
            person_ids[c.person], c.checkpoint, c.recorded_on, c.living_arrangement, c.paid_work_16_plus,
            *(c.progress[area] for area in OUTCOME_AREAS),
            staff_ids[c.recorded_by] if c.recorded_by is not None else None, c.recorded_at, c.recorded_at, 1,
        )
        for c in checks
    )  # fmt: skip
    insert_rows(session, LongTermOutcome.__table__, LONG_TERM_COLUMNS, rows)


def _write_contacts(session: Session, person_ids: list[int], today: date) -> None:
    """Give most young people past Year 11 a (made-up, undeliverable) contact and keep-in-touch
    consent, so the demo sends keep-in-touch links that show on the development messages page."""
    if not person_ids:
        return
    past_year_11 = date(roll.academic_year_of(today) - 16, 9, 1)  # born before: Year 12 or older today
    email = "young.person." + cast(YoungPerson.id, String) + "@example.invalid"
    session.execute(
        update(YoungPerson)
        .where(
            YoungPerson.id.between(min(person_ids), max(person_ids)),
            YoungPerson.date_of_birth < past_year_11,
            YoungPerson.left_on.is_(None),
            YoungPerson.id % 10 < 7,
        )
        .values(email=email, preferred_channel="email", keep_in_touch_consent=True)
        .execution_options(synchronize_session=False)
    )


def _taken(session: Session) -> Taken:
    upns = frozenset(session.scalars(select(YoungPerson.upn).where(YoungPerson.upn.is_not(None))))
    emails = frozenset(session.scalars(select(func.lower(User.email))))
    council_ids = session.scalars(
        select(YoungPerson.council_person_id).where(YoungPerson.council_person_id.like("NS-%"))
    )
    numbers = [int(value[3:]) for value in council_ids if value[3:].isdigit()]
    return Taken(upns=upns, emails=emails, next_council_number=max(numbers, default=0) + 1)


def _chunks(rows: Iterable[dict], size: int = CHUNK_SIZE) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert_returning_ids(session: Session, table: Table, rows: Iterable[dict]) -> list[int]:
    """Insert many rows and return their new ids in the same order (one round trip per batch)."""
    ids: list[int] = []
    for chunk in _chunks(rows):
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids.extend(session.execute(statement, chunk).scalars())
    return ids


def _insert(session: Session, table: Table, rows: Iterable[dict]) -> None:
    """Bulk-insert rows given as dicts with the same keys (see :mod:`destinations.demo.bulk`)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    columns = tuple(first)
    insert_rows(session, table, columns, (tuple(row.values()) for row in chain((first,), rows)))


def _write_providers(session: Session, providers: list[ProviderPlan], now: datetime) -> list[int]:
    existing = session.execute(select(Provider.id, Provider.urn, Provider.ukprn, Provider.name, Provider.kind)).all()
    by_urn = {row.urn: row.id for row in existing if row.urn}
    by_ukprn = {row.ukprn: row.id for row in existing if row.ukprn}
    by_name = {(row.name, row.kind): row.id for row in existing if not row.urn and not row.ukprn}
    ids: list[int | None] = [
        by_urn.get(p.urn) if p.urn else by_ukprn.get(p.ukprn) if p.ukprn else by_name.get((p.name, p.kind))
        for p in providers
    ]
    missing = [i for i, found in enumerate(ids) if found is None]
    rows = [
        {
            "name": providers[i].name, "kind": providers[i].kind, "urn": providers[i].urn, "ukprn": providers[i].ukprn,
            "postcode": providers[i].postcode, "active": True, "created_at": now, "version": 1,
        }
        for i in missing
    ]  # fmt: skip
    for i, new_id in zip(missing, _insert_returning_ids(session, Provider.__table__, rows)):
        ids[i] = new_id
    return ids  # type: ignore[return-value]


def _write_staff(session: Session, plan: CouncilPlan, provider_ids: list[int]) -> list[int]:
    # Hashing is deliberately slow, so every demo account shares one hash of the demo password.
    password_hash = auth_services.hash_password(DEMO_PASSWORD)
    rows = [
        {
            "email": member.email, "name": member.name, "role": member.role,
            "provider_id": provider_ids[member.provider] if member.provider is not None else None,
            "password_hash": password_hash, "active": member.active,
            "created_at": member.created_at, "updated_at": member.created_at, "version": 1,
        }
        for member in plan.staff
    ]  # fmt: skip
    return _insert_returning_ids(session, User.__table__, rows)


def _write_people(session: Session, plan: CouncilPlan, provider_ids: list[int], staff_ids: list[int]) -> list[int]:
    rows = (
        {
            "upn": person.upn, "council_person_id": person.council_person_id,
            "given_name": person.given_name, "family_name": person.family_name,
            "date_of_birth": person.date_of_birth, "sen_provision": person.sen_provision,
            "primary_need": person.primary_need, "school_id": provider_ids[person.school],
            "keyworker_id": staff_ids[person.keyworker] if person.keyworker is not None else None,
            "pathway": person.pathway, "left_on": person.left_on, "left_reason": person.left_reason,
            "created_at": person.created_at, "updated_at": person.updated_at, "version": 1,
        }
        for person in plan.people
    )  # fmt: skip
    # A bulk insert, then one query for the new ids, is several times quicker on
    # PostgreSQL than INSERT ... RETURNING, whose huge multi-row statements psycopg must parse.
    highest_before = session.scalar(select(func.max(YoungPerson.id))) or 0
    _insert(session, YoungPerson.__table__, rows)
    new_ids = session.execute(
        select(YoungPerson.id, YoungPerson.upn, YoungPerson.council_person_id).where(YoungPerson.id > highest_before)
    )
    id_by_identifier = {upn or council_person_id: person_id for person_id, upn, council_person_id in new_ids}
    return [id_by_identifier[person.upn or person.council_person_id] for person in plan.people]


def _write_history(session: Session, plan: CouncilPlan, person_ids: list[int], staff_ids: list[int]) -> None:
    def staff_id(position: int | None) -> int | None:
        return staff_ids[position] if position is not None else None

    pairs = list(zip(person_ids, plan.people))
    _insert(session, PathwayChange.__table__, (
        {
            "young_person_id": person_id, "from_pathway": event.from_pathway, "to_pathway": event.to_pathway,
            "reason": event.reason, "changed_at": event.at, "changed_by_id": staff_id(event.by),
        }
        for person_id, person in pairs for event in person.pathway_changes
    ))  # fmt: skip
    _insert(session, KeyworkerAssignment.__table__, (
        {
            "young_person_id": person_id, "keyworker_id": staff_id(event.keyworker),
            "assigned_at": event.at, "assigned_by_id": staff_id(event.by),
        }
        for person_id, person in pairs for event in person.assignments
    ))  # fmt: skip
    _insert(session, RollExtension.__table__, (
        {
            "young_person_id": person_id, "previous_end": event.previous_end, "new_end": event.new_end,
            "reason": event.reason, "review_on": event.review_on,
            "created_at": event.at, "created_by_id": staff_id(event.by),
        }
        for person_id, person in pairs for event in person.extensions
    ))  # fmt: skip
    _insert(session, StatusChange.__table__, (
        {
            "young_person_id": person_id, "status": event.status, "reason": event.reason, "note": event.note,
            "effective_on": event.effective_on, "created_at": event.at, "created_by_id": staff_id(event.by),
        }
        for person_id, person in pairs for event in person.status_changes
    ))  # fmt: skip


ACTIVITY_COLUMNS = (
    "young_person_id", "activity_code", "started_on", "ended_on", "provider_id", "provider_name", "hours_per_week",
    "level", "source", "verified", "confirmed_on", "recorded_at", "recorded_by_id", "updated_at", "version",
)  # fmt: skip


def _write_activities(
    session: Session,
    activities: list[ActivityPlan],
    person_ids: list[int],
    staff_ids: list[int],
    provider_ids: list[int],
) -> None:
    rows = (
        (
            person_ids[a.person], a.code, a.started_on, a.ended_on,
            provider_ids[a.provider] if a.provider is not None else None, a.provider_name, a.hours_per_week,
            a.level, a.source, a.verified, a.confirmed_on, a.recorded_at,
            staff_ids[a.recorded_by] if a.recorded_by is not None else None, a.updated_at, 1,
        )
        for a in activities
    )  # fmt: skip
    insert_rows(session, ActivityRecord.__table__, ACTIVITY_COLUMNS, rows)
