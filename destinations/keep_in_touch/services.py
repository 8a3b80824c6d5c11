"""Keep-in-touch links: making and sending them, the cadence, checking them, and short sessions.

Security rules (DOMAIN section 8): a token has 256 random bits and only its SHA-256 is
stored; it expires and can be revoked; it works once; opening it changes nothing; five wrong
dates of birth lock it (counted in the database, with an atomic update, so the limit holds
across worker processes and concurrent requests).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session, selectinload

from destinations.activities.models import ActivityRecord
from destinations.auth.models import User
from destinations.database import utcnow
from destinations.keep_in_touch.models import KeepInTouchLink, KeepInTouchReply, KeepInTouchSession
from destinations.notifications import services as outbox
from destinations.notifications.adapters import AdapterConfigError
from destinations.notifications.models import OutboxMessage
from destinations.people import roll
from destinations.people.models import YoungPerson

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
TOKEN_BYTES = 32  # 256 bits; the brief asks for at least 128
ON_ROLL = ("active", "extended")
_KEY_CHUNK = 500


class KitError(ValueError):
    """Something the keep-in-touch rules refuse, with a message for the person who asked."""


@dataclass(frozen=True)
class KitSettings:
    base_url: str = "http://127.0.0.1:5000"
    council_name: str = "the council"
    expiry_days: int = 28
    max_dob_tries: int = 5
    idle_minutes: int = 15
    absolute_minutes: int = 60
    cadence_months: int = 3
    change_follow_up_months: int = 3
    age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION

    @classmethod
    def from_config(cls, config: Mapping) -> KitSettings:
        return cls(
            base_url=str(config.get("SERVICE_BASE_URL") or cls.base_url).rstrip("/"),
            council_name=config.get("COUNCIL_NAME") or cls.council_name,
            expiry_days=int(config.get("KIT_LINK_EXPIRY_DAYS", 28)),
            max_dob_tries=int(config.get("KIT_MAX_DOB_TRIES", 5)),
            idle_minutes=int(config.get("KIT_SESSION_IDLE_MINUTES", 15)),
            absolute_minutes=int(config.get("KIT_SESSION_ABSOLUTE_MINUTES", 60)),
            cadence_months=int(config.get("KIT_CADENCE_MONTHS", 3)),
            change_follow_up_months=int(config.get("KIT_CHANGE_FOLLOW_UP_MONTHS", 3)),
            age_of_transition=int(config.get("AGE_OF_TRANSITION", roll.DEFAULT_AGE_OF_TRANSITION)),
        )


def current_settings(settings: KitSettings | None = None) -> KitSettings:
    if settings is not None:
        return settings
    from flask import current_app

    return KitSettings.from_config(current_app.config)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def link_url(settings: KitSettings, raw_token: str) -> str:
    return f"{settings.base_url}/keep-in-touch/{raw_token}"


def long_local_date(moment: datetime) -> str:
    day = moment.astimezone(LONDON).date()
    return f"{day.day} {day.strftime('%B')} {day.year}"


# --- making and sending links -------------------------------------------------------------


def create_link(
    session: Session, person: YoungPerson, *, channel: str, by: User | None = None, now: datetime, reason: str = "staff", settings: KitSettings | None = None
) -> tuple[KeepInTouchLink, str]:
    """A new link for ``person``; returns it with the raw token, which is never stored."""
    settings = current_settings(settings)
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    link = KeepInTouchLink(
        young_person_id=person.id,
        token_hash=hash_secret(raw),
        channel=channel,
        reason=reason,
        created_at=now,
        created_by_id=by.id if by is not None else None,
        expires_at=now + timedelta(days=settings.expiry_days),
    )
    session.add(link)
    session.flush()
    return link, raw


def after_year_11(person: YoungPerson, today: date) -> bool:
    return today > date(roll.cohort_of(person.date_of_birth) + 17, 8, 31)


def on_roll(person: YoungPerson, today: date, settings: KitSettings) -> bool:
    extension_ends = [extension.new_end for extension in person.extensions]
    return roll.roll_status(person.date_of_birth, today, settings.age_of_transition, extension_ends, person.left_on) in ON_ROLL


def adapter_channels() -> frozenset[str]:
    """The channels the configured adapter can send (SMTP sends email only)."""
    from flask import has_app_context

    if not has_app_context():
        return frozenset({"email", "sms"})
    try:
        return outbox.configured_adapter().channels
    except AdapterConfigError:
        return frozenset({"email", "sms"})  # the outbox page will show why nothing is sent


def sendable_channel(person: YoungPerson, channels: frozenset[str] = frozenset({"email", "sms"})) -> str | None:
    """The preferred channel when it can be used, otherwise whichever other one can."""
    available = [channel for channel, address in (("sms", person.mobile), ("email", person.email)) if address and channel in channels]
    if person.preferred_channel in available:
        return person.preferred_channel
    return available[0] if available else None


def invitation_problem(person: YoungPerson, today: date, settings: KitSettings, channels: frozenset[str]) -> str | None:
    """Why a link cannot be sent to ``person`` now, in words for staff; None when it can."""
    if not person.keep_in_touch_consent:
        return "The young person has not agreed to keep-in-touch messages. Record their consent first."
    if person.messages_stopped_at is not None:
        return "The young person asked us to stop sending messages. Only send one if they ask again (and untick 'Messages stopped')."
    if not on_roll(person, today, settings):
        return "The young person is not on the roll, so the service does not send them links."
    if not after_year_11(person, today):
        return "Keep-in-touch links are for young people who have finished Year 11."
    if sendable_channel(person, channels) is None:
        if "sms" not in channels and person.mobile and not person.email:
            return "Messages are sent by email only here, and there is no email address. Add one first."
        return "There is no email address or mobile number to send the link to. Add one first."
    return None


def send_invitation(
    session: Session,
    person: YoungPerson,
    *,
    by: User | None = None,
    now: datetime,
    reason: str,
    idempotency_key: str | None = None,
    settings: KitSettings | None = None,
    check: bool = True,
    channel: str | None = None,
) -> OutboxMessage:
    """Create a link for ``person`` and queue a message with it; KitError when it cannot be sent.

    With an ``idempotency_key`` already used, nothing new is made and that message is returned.
    """
    settings = current_settings(settings)
    if idempotency_key is not None:
        existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
        if existing is not None:
            return existing
    channels = adapter_channels()
    if check:
        problem = invitation_problem(person, now.astimezone(LONDON).date(), settings, channels)
        if problem:
            raise KitError(problem)
    if channel is None or channel not in channels or not (person.mobile if channel == "sms" else person.email):
        channel = sendable_channel(person, channels)
    if channel is None:
        raise KitError("There is no email address or mobile number to send the link to. Add one first.")
    link, raw = create_link(session, person, channel=channel, by=by, now=now, reason=reason, settings=settings)
    message = outbox.enqueue(
        session,
        **invitation_message(person, channel, reason, raw, link.expires_at, settings),
        idempotency_key=idempotency_key or f"kit-link:{link.id}",
    )
    link.outbox_message_id = message.id
    session.flush()
    log.info("keep-in-touch link queued", extra={"young_person_id": person.id, "link_id": link.id, "message_id": message.id})
    return message


def invitation_message(person: YoungPerson, channel: str, reason: str, raw_token: str, expires_at: datetime, settings: KitSettings) -> dict:
    """What the message carrying a new link says and where it goes (``outbox.enqueue``'s arguments)."""
    return {
        "channel": channel,
        "to": person.mobile if channel == "sms" else person.email,
        "template": "keep_in_touch_new_link" if reason == "requested" else "keep_in_touch_invitation",
        "personalisation": {
            "first_name": person.given_name,
            "link": link_url(settings, raw_token),
            "council_name": settings.council_name,
            "expires_on": long_local_date(expires_at),
        },
        "young_person_id": person.id,
    }


def send_invitations(
    session: Session,
    due: Sequence[tuple[YoungPerson, str]],
    *,
    now: datetime,
    reason: str,
    settings: KitSettings | None = None,
    channels: frozenset[str] | None = None,
) -> int:
    """``send_invitation`` for many people at once, each with their idempotency key; returns how many were sent.

    For the scheduled jobs, which have checked already that each person may be sent a link:
    the people are not checked again. Each gets a link by their channel and a message with it,
    exactly as ``send_invitation`` makes them, but the whole batch costs a few statements
    rather than a few per person: one look-up of the keys, one insert of the messages and one
    of the links. A key already used (before, or by another process at the same moment) sends
    nothing, so nobody is sent the same invitation twice.
    """
    settings = current_settings(settings)
    channels = adapter_channels() if channels is None else channels
    wanted = {key: person for person, key in due}
    used: set[str] = set()
    keys = list(wanted)
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start : start + _KEY_CHUNK]
        used.update(session.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(chunk))))
    expires_at = now + timedelta(days=settings.expiry_days)
    links: dict[str, dict] = {}
    messages = []
    for key, person in wanted.items():
        channel = sendable_channel(person, channels)
        if key in used or channel is None:
            continue
        raw = secrets.token_urlsafe(TOKEN_BYTES)
        links[key] = {
            "young_person_id": person.id, "token_hash": hash_secret(raw), "channel": channel, "reason": reason,
            "created_at": now, "created_by_id": None, "expires_at": expires_at,
        }  # fmt: skip
        messages.append({**invitation_message(person, channel, reason, raw, expires_at, settings), "idempotency_key": key})
    queued = outbox.enqueue_many(session, messages)
    if not queued:
        return 0
    table = KeepInTouchLink.__table__
    made = session.execute(
        insert(table).returning(table.c.id, table.c.young_person_id, table.c.outbox_message_id),
        [{**links[key], "outbox_message_id": message_id} for key, message_id in queued.items()],
    )
    for link_id, person_id, message_id in made:
        log.info("keep-in-touch link queued", extra={"young_person_id": person_id, "link_id": link_id, "message_id": message_id})
    return len(queued)


# --- the cadence (DOMAIN section 8) ------------------------------------------------------


def invitation_period(date_of_birth: date, today: date, latest_change: date | None, cadence_months: int = 3, follow_up_months: int = 3) -> date | None:
    """The first day of the invitation period ``today`` falls in; None before Year 11 has ended.

    Every ``cadence_months`` from 1 September after Year 11 (the first period starts that day),
    and, for ``follow_up_months`` after any change of destination, every month from one month
    after the change. One invitation per period; a follow-up month replaces the quarter.
    """
    first = date(roll.cohort_of(date_of_birth) + 17, 9, 1)
    if today < first:
        return None
    if latest_change is not None and latest_change <= today:
        for month in range(follow_up_months, 0, -1):
            start = roll.add_months(latest_change, month)
            if start <= today and today < roll.add_months(latest_change, follow_up_months + 1):
                return start
    months = (today.year - first.year) * 12 + (today.month - first.month)
    return roll.add_months(first, (months // cadence_months) * cadence_months)


def _latest_changes(session: Session, person_ids: list[int], today: date) -> dict[int, date]:
    started = dict(
        session.execute(
            select(ActivityRecord.young_person_id, func.max(ActivityRecord.started_on))
            .where(ActivityRecord.young_person_id.in_(person_ids), ActivityRecord.started_on <= today)
            .group_by(ActivityRecord.young_person_id)
        ).all()
    )
    ended = dict(
        session.execute(
            select(ActivityRecord.young_person_id, func.max(ActivityRecord.ended_on))
            .where(ActivityRecord.young_person_id.in_(person_ids), ActivityRecord.ended_on <= today)
            .group_by(ActivityRecord.young_person_id)
        ).all()
    )
    return {person_id: max(day for day in (started.get(person_id), ended.get(person_id)) if day) for person_id in set(started) | set(ended)}


def _last_links(session: Session, person_ids: list[int]) -> dict[int, datetime]:
    return dict(
        session.execute(
            select(KeepInTouchLink.young_person_id, func.max(KeepInTouchLink.created_at))
            .where(KeepInTouchLink.young_person_id.in_(person_ids), KeepInTouchLink.channel != "print")
            .group_by(KeepInTouchLink.young_person_id)
        ).all()
    )


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(ZoneInfo("UTC"))


def candidates_query(today: date):
    """Young people who may be due an invitation: consent, not stopped, a contact, past Year 11."""
    born_before = date(roll.academic_year_of(today) - 16, 9, 1)
    return (
        select(YoungPerson)
        .where(
            YoungPerson.keep_in_touch_consent.is_(True),
            YoungPerson.messages_stopped_at.is_(None),
            or_(YoungPerson.email.is_not(None), YoungPerson.mobile.is_not(None)),
            or_(YoungPerson.left_on.is_(None), YoungPerson.left_on > today),
            YoungPerson.date_of_birth < born_before,
        )
        .order_by(YoungPerson.id)
    )


def send_due_invitations(session: Session, today: date, *, settings: KitSettings | None = None, batch: int = 500) -> int:
    """Queue an invitation for everyone due one in the period containing ``today``; returns how many.

    Safe to repeat: each period's message has the idempotency key
    ``kit-invitation:<person id>:<period start>``, and anyone sent a link since the period
    started (by staff, or on request) is not sent another. People are taken ``batch`` at a
    time, and each batch's links and messages are made together (``send_invitations``).
    """
    settings = current_settings(settings)
    channels = adapter_channels()
    now = utcnow()
    sent = 0
    last_id = 0
    while True:
        people = session.scalars(
            candidates_query(today).where(YoungPerson.id > last_id).options(selectinload(YoungPerson.extensions)).limit(batch)
        ).all()
        if not people:
            return sent
        last_id = people[-1].id
        ids = [person.id for person in people]
        changes = _latest_changes(session, ids, today)
        last_links = _last_links(session, ids)
        due = []
        for person in people:
            if invitation_problem(person, today, settings, channels):
                continue
            period = invitation_period(person.date_of_birth, today, changes.get(person.id), settings.cadence_months, settings.change_follow_up_months)
            if period is None:
                continue
            last = last_links.get(person.id)
            if last is not None and last >= start_of_local_day(period):
                continue
            due.append((person, f"kit-invitation:{person.id}:{period.isoformat()}"))
        sent += send_invitations(session, due, now=now, reason="cadence", settings=settings, channels=channels)


def expire_links(session: Session, now: datetime) -> int:
    """Mark links past their expiry as expired, drop unsent messages carrying them, end old sessions."""
    links = session.scalars(
        select(KeepInTouchLink).where(
            KeepInTouchLink.expired_at.is_(None),
            KeepInTouchLink.used_at.is_(None),
            KeepInTouchLink.revoked_at.is_(None),
            KeepInTouchLink.expires_at <= now,
        )
    ).all()
    for link in links:
        link.expired_at = now
    outbox.clear_content(session, [link.outbox_message_id for link in links if link.outbox_message_id], now, "The link expired before the message could be sent.")
    settings = current_settings()
    session.execute(
        update(KeepInTouchSession)
        .where(KeepInTouchSession.ended_at.is_(None), KeepInTouchSession.created_at <= now - timedelta(minutes=settings.absolute_minutes))
        .values(ended_at=now, draft={})
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return len(links)


def revoke_link(session: Session, link: KeepInTouchLink, by: User | None, now: datetime) -> None:
    if link.revoked_at is None:
        link.revoked_at = now
        link.revoked_by_id = by.id if by is not None else None
        session.execute(
            update(KeepInTouchSession)
            .where(KeepInTouchSession.link_id == link.id, KeepInTouchSession.ended_at.is_(None))
            .values(ended_at=now, draft={})
            .execution_options(synchronize_session=False)
        )
        if link.outbox_message_id:
            outbox.clear_content(session, [link.outbox_message_id], now, "The link was revoked before the message could be sent.")
        session.flush()


def request_new_link(session: Session, contact: str, date_of_birth: date, now: datetime, *, settings: KitSettings | None = None) -> int:
    """Send a new link to whoever has this contact and date of birth and may get one.

    Returns how many were sent, for tests only: the page says the same whatever happens.
    """
    from destinations.keep_in_touch.contact import ContactError, looks_like_email, normalise_email, normalise_mobile

    settings = current_settings(settings)
    by_email = looks_like_email(contact)
    try:
        value = normalise_email(contact) if by_email else normalise_mobile(contact)
    except ContactError:
        value = None
    column = YoungPerson.email if by_email else YoungPerson.mobile
    # The same query runs whether or not anyone matches, so its timing says nothing.
    people = session.scalars(
        select(YoungPerson).where(column == (value or ""), YoungPerson.date_of_birth == date_of_birth).options(selectinload(YoungPerson.extensions)).limit(5)
    ).all()
    channels = adapter_channels()
    channel = "email" if by_email else "sms"
    sent = 0
    for person in people:
        if channel not in channels or invitation_problem(person, now.astimezone(LONDON).date(), settings, channels):
            continue
        send_invitation(session, person, now=now, reason="requested", settings=settings, check=False, channel=channel)
        sent += 1
    return sent


# --- the young person's side: checking a link, the date of birth, the session -----------------


def find_link(session: Session, raw_token: str) -> KeepInTouchLink | None:
    if not raw_token or len(raw_token) > 100:
        return None
    return session.scalar(select(KeepInTouchLink).where(KeepInTouchLink.token_hash == hash_secret(raw_token)))


def link_state(link: KeepInTouchLink | None, now: datetime) -> str:
    """"usable", or why not: "unknown", "expired", "used", "revoked", "locked"."""
    if link is None:
        return "unknown"
    status = link.status(now)
    return "usable" if status in ("sent", "opened") else status


@dataclass(frozen=True)
class DateOfBirthResult:
    outcome: str  # "ok", "wrong", "locked" or "gone" (used, expired, revoked)
    tries_left: int = 0


def try_date_of_birth(session: Session, link: KeepInTouchLink, date_of_birth: date, now: datetime, settings: KitSettings | None = None) -> DateOfBirthResult:
    """Check a date of birth against the link's young person, counting the try first.

    The try is claimed with one conditional UPDATE, so however many requests race, no more
    than ``max_dob_tries`` dates are ever compared for one link.
    """
    settings = current_settings(settings)
    claimed = session.execute(
        update(KeepInTouchLink)
        .where(
            KeepInTouchLink.id == link.id,
            KeepInTouchLink.used_at.is_(None),
            KeepInTouchLink.revoked_at.is_(None),
            KeepInTouchLink.locked_at.is_(None),
            KeepInTouchLink.expired_at.is_(None),
            KeepInTouchLink.expires_at > now,
            KeepInTouchLink.date_of_birth_tries < settings.max_dob_tries,
        )
        .values(date_of_birth_tries=KeepInTouchLink.date_of_birth_tries + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(link)
    if claimed != 1:
        return DateOfBirthResult("locked" if link.locked_at is not None or link.date_of_birth_tries >= settings.max_dob_tries else "gone")
    if link.opened_at is None:
        link.opened_at = now
    person = session.get(YoungPerson, link.young_person_id)
    if date_of_birth == person.date_of_birth:
        used = session.execute(
            update(KeepInTouchLink)
            .where(KeepInTouchLink.id == link.id, KeepInTouchLink.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.refresh(link)
        return DateOfBirthResult("ok" if used == 1 else "gone")
    left = settings.max_dob_tries - link.date_of_birth_tries
    if left <= 0:
        link.locked_at = now
        session.add(KeepInTouchReply(young_person_id=person.id, link_id=link.id, kind="link_locked", answers={}, created_at=now))
        session.flush()
        return DateOfBirthResult("locked")
    session.flush()
    return DateOfBirthResult("wrong", left)


def start_session(session: Session, link: KeepInTouchLink, now: datetime) -> tuple[KeepInTouchSession, str]:
    """A new session with a new random key: nothing from before it is carried over."""
    key = secrets.token_urlsafe(TOKEN_BYTES)
    row = KeepInTouchSession(key_hash=hash_secret(key), young_person_id=link.young_person_id, link_id=link.id, created_at=now, last_seen_at=now, draft={})
    session.add(row)
    session.flush()
    return row, key


def load_session(session: Session, key: str | None, now: datetime, settings: KitSettings | None = None) -> KeepInTouchSession | None:
    """The live session for ``key``, or None (ending it when it has idled out or grown too old)."""
    if not key or len(key) > 100:
        return None
    settings = current_settings(settings)
    row = session.scalar(select(KeepInTouchSession).where(KeepInTouchSession.key_hash == hash_secret(key)))
    if row is None or row.ended_at is not None:
        return None
    too_old = now - row.created_at > timedelta(minutes=settings.absolute_minutes)
    idle = now - row.last_seen_at > timedelta(minutes=settings.idle_minutes)
    if too_old or idle or row.link.revoked_at is not None:
        end_session(row, now)
        return None
    if now - row.last_seen_at > timedelta(seconds=30):
        row.last_seen_at = now
    return row


def end_session(row: KeepInTouchSession, now: datetime) -> None:
    row.ended_at = now
    row.draft = {}
