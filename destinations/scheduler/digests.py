"""Weekly digests to keyworkers: reviews due or overdue, and destinations to chase.

A digest says how many, never who: an email leaves the council's systems, so it carries
counts and a link to the service, where the keyworker signs in to see the names.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from destinations.auth.models import User
from destinations.people.services import RollSettings
from destinations.scheduler.runner import JobContext

CHASE_REASONS = ("missing", "neet", "not_known", "not_confirmed")
RECENT_LINK_DAYS = 30
_CHUNK = 500


def service_link(config: Mapping, endpoint: str, **values) -> str:
    """An absolute link to a page, for a message read outside the service."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return config["SERVICE_BASE_URL"].rstrip("/") + path


def _active_keyworkers(session: Session, ids) -> dict[int, User]:
    ids = [user_id for user_id in ids if user_id is not None]
    if not ids:
        return {}
    users = session.scalars(select(User).where(User.id.in_(ids), User.role == "keyworker", User.active.is_(True)))
    return {user.id: user for user in users}


def send_review_digests(context: JobContext) -> dict[str, int]:
    from destinations.notifications.services import enqueue
    from destinations.reviews.services import due_summary

    session = context.session
    summary = due_summary(session, context.today, RollSettings.from_config(context.config))
    wanted = {
        keyworker_id: (due, overdue)
        for keyworker_id, _name, due, overdue in summary["by_keyworker"]
        if keyworker_id is not None and (due or overdue)
    }
    users = _active_keyworkers(session, wanted)
    fresh = context.claim_many(f"keyworker:{user_id}" for user_id in sorted(users))
    counts = {"digests_sent": 0, "already_sent_this_week": len(users) - len(fresh), "reviews_overdue": 0, "reviews_due_soon": 0}
    link = service_link(context.config, "people.caseload")
    for user_id in sorted(users):
        if f"keyworker:{user_id}" not in fresh:
            continue
        user, (due, overdue) = users[user_id], wanted[user_id]
        enqueue(
            session,
            channel="email",
            to=user.email,
            template="review_digest",
            personalisation={"name": user.name, "overdue": overdue, "due_soon": due, "link": link, "council_name": context.config["COUNCIL_NAME"]},
            idempotency_key=f"{context.spec.name}:{user_id}:{context.period}",
            user_id=user_id,
        )
        counts["digests_sent"] += 1
        counts["reviews_overdue"] += overdue
        counts["reviews_due_soon"] += due
    return counts


def chase_unknown_destinations(context: JobContext) -> dict[str, int]:
    from destinations.notifications.services import enqueue

    session, today = context.session, context.today
    rows = _follow_up_rows(session, today, RollSettings.from_config(context.config))
    by_keyworker: dict[int, Counter] = {}
    people: list[int] = []
    for person, reason, _code, _last_confirmed in rows:
        people.append(person.id)
        if person.keyworker_id is not None:
            by_keyworker.setdefault(person.keyworker_id, Counter())[reason] += 1
    users = _active_keyworkers(session, by_keyworker)
    fresh = context.claim_many(f"keyworker:{user_id}" for user_id in sorted(users))
    counts = {
        "young_people_to_chase": len(people),
        "digests_sent": 0,
        "already_sent_this_week": len(users) - len(fresh),
    }
    link = service_link(context.config, "activities.follow_up")
    for user_id in sorted(users):
        if f"keyworker:{user_id}" not in fresh:
            continue
        reasons = by_keyworker[user_id]
        enqueue(
            session,
            channel="email",
            to=users[user_id].email,
            template="destination_chase",
            personalisation={
                "name": users[user_id].name,
                "total": sum(reasons.values()),
                **{reason: reasons.get(reason, 0) for reason in CHASE_REASONS},
                "link": link,
                "council_name": context.config["COUNCIL_NAME"],
            },
            idempotency_key=f"{context.spec.name}:{user_id}:{context.period}",
            user_id=user_id,
        )
        counts["digests_sent"] += 1
    counts.update(invite_to_keep_in_touch(context, people))
    return counts


def _follow_up_rows(session: Session, today, settings: RollSettings) -> list:
    """Everyone whose destination needs chasing, as ``follow_up_query`` rows: one county-wide
    query, which finds each young person's current record on the (person, start) index."""
    from destinations.activities.services import follow_up_query

    return session.execute(follow_up_query(today, settings=settings)).all()


def invite_to_keep_in_touch(context: JobContext, person_ids: list[int]) -> dict[str, int]:
    """A keep-in-touch link for each of ``person_ids`` who agreed to them, at most once a month.

    Sent through the keep-in-touch service, which checks consent, "stop messages", being on
    the roll and past Year 11, and a way to reach them. Nobody sent any link in the last
    month (on the cadence, by staff, or on request) is sent another now.
    """
    from sqlalchemy.orm import selectinload

    from destinations.keep_in_touch import services as keep_in_touch
    from destinations.keep_in_touch.models import KeepInTouchLink
    from destinations.people.models import YoungPerson

    session, today = context.session, context.today
    settings = keep_in_touch.KitSettings.from_config(context.config)
    channels = keep_in_touch.adapter_channels()
    month = today.strftime("%Y-%m")
    recently = context.now - timedelta(days=RECENT_LINK_DAYS)
    counts = {"links_sent": 0, "links_already_sent": 0}
    for start in range(0, len(person_ids), _CHUNK):
        chunk = person_ids[start : start + _CHUNK]
        people = session.scalars(
            keep_in_touch.candidates_query(today).where(YoungPerson.id.in_(chunk)).options(selectinload(YoungPerson.extensions))
        ).all()
        linked = set(
            session.scalars(
                select(KeepInTouchLink.young_person_id).where(KeepInTouchLink.young_person_id.in_(chunk), KeepInTouchLink.created_at >= recently)
            )
        )
        eligible = [
            person for person in people
            if person.id not in linked and not keep_in_touch.invitation_problem(person, today, settings, channels)
        ]  # fmt: skip
        fresh = context.claim_many((f"person:{person.id}" for person in eligible), period=month)
        counts["links_already_sent"] += len(eligible) - len(fresh)
        due = [(person, f"{context.spec.name}:{person.id}:{month}") for person in eligible if f"person:{person.id}" in fresh]
        counts["links_sent"] += keep_in_touch.send_invitations(session, due, now=context.now, reason="chase", settings=settings, channels=channels)
    return counts
