"""What a young person tells the service, and what their keyworker does with it.

Every answer becomes a ``KeepInTouchReply``: a task on the keyworker's list until handled.
Nothing here changes a verified record. "What are you doing now?" adds an unverified
activity with source "young_person" beside whatever staff recorded; new contact details are
used from now on, and the reply keeps which fields changed so the keyworker can check them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Mapping

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session, joinedload

from destinations.activities import services as activities
from destinations.auth.models import User
from destinations.keep_in_touch import choices
from destinations.keep_in_touch.contact import ContactError, normalise_email, normalise_mobile
from destinations.keep_in_touch.models import KeepInTouchLink, KeepInTouchReply, KeepInTouchSession
from destinations.people.models import YoungPerson

MAX_WORDS_LENGTH = 1000


class AnswerError(ValueError):
    """Answers that cannot be saved; ``errors`` maps field names to plain-English messages."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


def _reply(session: Session, kit: KeepInTouchSession, kind: str, answers: dict, now: datetime, activity_id: int | None = None) -> KeepInTouchReply:
    reply = KeepInTouchReply(
        young_person_id=kit.young_person_id, link_id=kit.link_id, kind=kind, answers=answers, activity_record_id=activity_id, created_at=now
    )
    session.add(reply)
    session.flush()
    kit.last_reply_id = reply.id
    kit.draft = {}
    return reply


def _words(value: str | None, label: str, errors: dict) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_WORDS_LENGTH:
        errors[label] = f"Use {MAX_WORDS_LENGTH} characters or fewer. You have used {len(text)}."
    return text or None


def parse_hours(value: str | None) -> Decimal:
    text = (value or "").strip().lower().removesuffix("hours").removesuffix("hrs").strip()
    if not text:
        raise AnswerError({"hours": "Enter about how many hours a week, like 16"})
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise AnswerError({"hours": "Enter a number of hours, like 16"}) from None
    if not hours.is_finite() or hours <= 0 or hours > 100:
        raise AnswerError({"hours": "Enter a number of hours between 1 and 100"})
    return hours.quantize(Decimal("0.1"))


def record_doing_now(session: Session, kit: KeepInTouchSession, choice: str, *, hours: str | None = None, details: str | None = None, today: date, now: datetime) -> KeepInTouchReply:
    """Save "what are you doing now?" as an unverified activity plus a task for the keyworker."""
    if choice not in choices.DOING_NOW:
        raise AnswerError({"choice": "Select what you are doing now"})
    errors: dict[str, str] = {}
    words = _words(details, "details", errors)
    if errors:
        raise AnswerError(errors)
    option = choices.DOING_NOW[choice]
    answers: dict = {"choice": choice}
    if words:
        answers["details"] = words
    parsed = parse_hours(hours) if option.asks_hours else None
    if parsed is not None:
        answers["hours_per_week"] = str(parsed)
    code = choices.activity_code_for(choice, parsed)
    activity_id = None
    if code is not None:
        answers["activity_code"] = code
        current = activities.current_activity(session, kit.young_person_id, today)
        if current is not None and current.activity_code == code:
            answers["same_as_recorded"] = True
        else:
            person = session.get(YoungPerson, kit.young_person_id)
            values = {"activity_code": code, "started_on": today, "confirmed_on": today}
            if parsed is not None:
                values["hours_per_week"] = parsed
            try:
                record = activities.record_activity(session, person, values, source="young_person", today=today)
            except activities.ActivityError as error:
                field = "hours" if "hours_per_week" in error.errors else "choice"
                raise AnswerError({field: "We could not save this answer. Check it and try again, or choose 'Something else' and tell us in your own words"}) from None
            activity_id = record.id
    return _reply(session, kit, "doing_now", answers, now, activity_id)


def record_contact_request(session: Session, kit: KeepInTouchSession, *, about: list[str], about_details: str | None, how: str, when: str, now: datetime) -> KeepInTouchReply:
    errors: dict[str, str] = {}
    if not about or any(item not in choices.CONTACT_ABOUT for item in about):
        errors["about"] = "Select what you want to talk about"
    if how not in choices.CONTACT_HOW:
        errors["how"] = "Select how you would like us to contact you"
    if when not in choices.CONTACT_WHEN:
        errors["when"] = "Select when is a good time"
    words = _words(about_details, "about_details", errors)
    if errors:
        raise AnswerError(errors)
    answers = {"about": list(about), "how": how, "when": when}
    if words:
        answers["about_details"] = words
    return _reply(session, kit, "contact_request", answers, now)


def update_contact_details(session: Session, kit: KeepInTouchSession, *, mobile: str | None, email: str | None, preferred_channel: str | None, now: datetime) -> KeepInTouchReply:
    """Use the young person's new details from now on; the reply tells the keyworker what changed."""
    errors: dict[str, str] = {}
    try:
        clean_mobile = normalise_mobile(mobile)
    except ContactError as error:
        errors["mobile"] = str(error)
    try:
        clean_email = normalise_email(email)
    except ContactError as error:
        errors["email"] = str(error)
    if not errors and clean_mobile is None and clean_email is None:
        errors["mobile"] = "Enter a mobile number or an email address, or both"
    if errors:
        raise AnswerError(errors)
    person = session.get(YoungPerson, kit.young_person_id)
    changed: list[str] = []
    answers: dict = {}
    for name, value in (("mobile", clean_mobile), ("email", clean_email)):
        if value is not None and value != getattr(person, name):
            setattr(person, name, value)
            changed.append(name)
            answers[name] = value
    channel = preferred_channel if preferred_channel in choices.SEND_BY else None
    if channel is None:
        channel = "sms" if clean_mobile and not clean_email else "email" if clean_email and not clean_mobile else person.preferred_channel
    if channel and channel != person.preferred_channel:
        person.preferred_channel = channel
        changed.append("preferred_channel")
        answers["preferred_channel"] = channel
    answers["changed"] = changed
    return _reply(session, kit, "contact_details", answers, now)


def record_next_steps(session: Session, kit: KeepInTouchSession, choice: str, details: str | None, now: datetime) -> KeepInTouchReply:
    errors: dict[str, str] = {}
    if choice not in choices.NEXT_STEPS:
        errors["choice"] = "Select what you would like to do next"
    words = _words(details, "details", errors)
    if errors:
        raise AnswerError(errors)
    answers = {"choice": choice}
    if words:
        answers["details"] = words
    return _reply(session, kit, "next_steps", answers, now)


def stop_messages(session: Session, kit: KeepInTouchSession, now: datetime) -> KeepInTouchReply:
    person = session.get(YoungPerson, kit.young_person_id)
    if person.messages_stopped_at is None:
        person.messages_stopped_at = now
    return _reply(session, kit, "stop_messages", {}, now)


# --- staff: contact settings, replies, links ------------------------------------------------


def update_contact_settings(session: Session, person: YoungPerson, values: Mapping, now: datetime) -> list[str]:
    """Staff change contact details and consent; returns the names of the fields that changed."""
    errors: dict[str, str] = {}
    clean: dict = {}
    for name, normalise in (("mobile", normalise_mobile), ("email", normalise_email)):
        try:
            clean[name] = normalise(values.get(name))
        except ContactError as error:
            errors[name] = str(error)
    channel = values.get("preferred_channel") or None
    if channel not in (None, "email", "sms"):
        errors["preferred_channel"] = "Select how to send messages: email or text message"
    elif channel == "sms" and "mobile" not in errors and not clean.get("mobile"):
        errors["preferred_channel"] = "To send text messages, enter a mobile number"
    elif channel == "email" and "email" not in errors and not clean.get("email"):
        errors["preferred_channel"] = "To send emails, enter an email address"
    consent = bool(values.get("keep_in_touch_consent"))
    if consent and not errors and not clean.get("mobile") and not clean.get("email"):
        errors["email"] = "To send keep-in-touch messages, enter an email address or a mobile number"
    if errors:
        raise AnswerError(errors)
    clean["preferred_channel"] = channel or ("sms" if clean.get("mobile") and not clean.get("email") else "email" if clean.get("email") else None)
    clean["keep_in_touch_consent"] = consent
    changed = [name for name, value in clean.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, clean[name])
    stopped = bool(values.get("messages_stopped"))
    if stopped != (person.messages_stopped_at is not None):
        person.messages_stopped_at = now if stopped else None
        changed.append("messages_stopped")
    return changed


def visible_replies(user: User) -> Select:
    """Replies for the young people ``user`` may see: a keyworker's caseload, or everyone for a manager."""
    query = select(KeepInTouchReply).join(YoungPerson, YoungPerson.id == KeepInTouchReply.young_person_id)
    if user.role == "keyworker":
        return query.where(YoungPerson.keyworker_id == user.id)
    if user.role == "manager":
        return query
    return query.where(false())


def open_reply_count(session: Session, user: User) -> int:
    query = visible_replies(user).where(KeepInTouchReply.handled_at.is_(None))
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def replies_page(session: Session, user: User, *, handled: bool, page: int, page_size: int) -> tuple[list[KeepInTouchReply], int]:
    query = visible_replies(user).where(KeepInTouchReply.handled_at.is_not(None) if handled else KeepInTouchReply.handled_at.is_(None))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    order = (KeepInTouchReply.handled_at.desc(),) if handled else (KeepInTouchReply.created_at,)
    rows = session.scalars(
        query.options(joinedload(KeepInTouchReply.young_person), joinedload(KeepInTouchReply.handled_by))
        .order_by(*order, KeepInTouchReply.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return list(rows), total


def get_visible_reply(session: Session, user: User, reply_id: int) -> KeepInTouchReply | None:
    return session.scalar(visible_replies(user).where(KeepInTouchReply.id == reply_id))


def mark_handled(reply: KeepInTouchReply, by: User, now: datetime) -> bool:
    if reply.handled_at is not None:
        return False
    reply.handled_at = now
    reply.handled_by_id = by.id
    return True


def replies_for(session: Session, person_id: int, limit: int | None = None) -> list[KeepInTouchReply]:
    query = select(KeepInTouchReply).where(KeepInTouchReply.young_person_id == person_id).order_by(KeepInTouchReply.created_at.desc(), KeepInTouchReply.id.desc())
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query.options(joinedload(KeepInTouchReply.handled_by))))


def links_for(session: Session, person_id: int) -> list[KeepInTouchLink]:
    return list(
        session.scalars(
            select(KeepInTouchLink)
            .where(KeepInTouchLink.young_person_id == person_id)
            .options(joinedload(KeepInTouchLink.created_by))
            .order_by(KeepInTouchLink.created_at.desc(), KeepInTouchLink.id.desc())
        )
    )


@dataclass(frozen=True)
class ReplyView:
    reply: KeepInTouchReply
    rows: list[tuple[str, str]]


def describe_replies(replies: list[KeepInTouchReply]) -> list[ReplyView]:
    return [ReplyView(reply, choices.describe(reply.kind, reply.answers or {})) for reply in replies]
