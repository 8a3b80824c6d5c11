"""The outbox: queue a message once, deliver it through the configured adapter, retry, give up.

``enqueue`` only adds a row (the caller's unit of work commits it), so a message is sent only
if the change that caused it is saved. ``deliver_due`` is the delivery job and owns its units
of work: it commits a message as ``sending`` before calling the provider and commits the
outcome straight after, so a crash in between is found and recovered on the next run (see
``adapters`` for what each provider allows).

Logs carry message ids and counts only: never content, recipients or names.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from destinations.auth.models import User
from destinations.notifications import templates
from destinations.notifications.adapters import Adapter, DeliveryError, adapter_from_config
from destinations.notifications.models import CHANNELS, OutboxMessage

log = logging.getLogger(__name__)
RETRYABLE = ("queued", "failed")


class NotificationError(ValueError):
    """A request the outbox refuses, with a message for the person who made it."""


@dataclass(frozen=True)
class OutboxSettings:
    max_attempts: int = 6
    retry_seconds: int = 60
    max_retry_seconds: int = 6 * 3600
    sending_timeout_seconds: int = 600

    @classmethod
    def from_config(cls, config: Mapping) -> OutboxSettings:
        return cls(
            max_attempts=int(config.get("NOTIFICATIONS_MAX_ATTEMPTS", 6)),
            retry_seconds=int(config.get("NOTIFICATIONS_RETRY_SECONDS", 60)),
            max_retry_seconds=int(config.get("NOTIFICATIONS_MAX_RETRY_SECONDS", 6 * 3600)),
            sending_timeout_seconds=int(config.get("NOTIFICATIONS_SENDING_TIMEOUT_SECONDS", 600)),
        )

    def retry_delay(self, attempts: int) -> timedelta:
        """Exponential back-off: the base delay doubled for each attempt already made, capped."""
        return timedelta(seconds=min(self.retry_seconds * 2 ** max(0, attempts - 1), self.max_retry_seconds))


def _config() -> Mapping:
    from flask import current_app

    return current_app.config


def configured_adapter(config: Mapping | None = None) -> Adapter:
    return adapter_from_config(config if config is not None else _config())


def enqueue(
    session: Session,
    *,
    channel: str,
    to: str,
    template: str,
    personalisation: dict,
    idempotency_key: str,
    young_person_id: int | None = None,
    user_id: int | None = None,
) -> OutboxMessage:
    """Queue a message; the existing message when ``idempotency_key`` has been used before."""
    _check(channel, to, template, personalisation, idempotency_key)
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        idempotency_key=idempotency_key,
        channel=channel,
        recipient=to.strip(),
        template=template,
        personalisation=dict(personalisation),
        young_person_id=young_person_id,
        user_id=user_id,
        status="queued",
        attempts=0,
    )
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        # Another process queued the same key between our look and our insert.
        return session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
    log.info("message queued", extra={"message_id": message.id, "template": template})
    return message


def _check(channel: str, to: str, template: str, personalisation: Mapping, idempotency_key: str) -> None:
    if channel not in CHANNELS:
        raise NotificationError(f"Channel must be one of {', '.join(CHANNELS)}, not {channel!r}.")
    if not (to or "").strip():
        raise NotificationError("A message needs a recipient: an email address or a mobile number.")
    if not idempotency_key or len(idempotency_key) > 200:
        raise NotificationError("A message needs an idempotency key of 1 to 200 characters.")
    templates.check(template, channel, personalisation)


def enqueue_many(session: Session, messages: Iterable[Mapping]) -> dict[str, int]:
    """Queue many messages at once; returns the new messages' ids by idempotency key.

    Each message is a mapping of ``enqueue``'s arguments (``channel``, ``to``, ``template``,
    ``personalisation``, ``idempotency_key``, and ``young_person_id`` or ``user_id``), checked
    the same way. They are written in one INSERT ... ON CONFLICT DO NOTHING: a key used before,
    or by another process at the same moment, makes nothing and is left out of the result.
    """
    rows: dict[str, dict] = {}
    for message in messages:
        _check(message["channel"], message["to"], message["template"], message["personalisation"], message["idempotency_key"])
        rows.setdefault(message["idempotency_key"], {
            "idempotency_key": message["idempotency_key"],
            "channel": message["channel"],
            "recipient": message["to"].strip(),
            "template": message["template"],
            "personalisation": dict(message["personalisation"]),
            "young_person_id": message.get("young_person_id"),
            "user_id": message.get("user_id"),
            "status": "queued",
            "attempts": 0,
        })  # fmt: skip
    if not rows:
        return {}
    table = OutboxMessage.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).on_conflict_do_nothing(index_elements=[table.c.idempotency_key]).returning(table.c.id, table.c.idempotency_key)
    session.flush()  # anything pending goes first, as with ``enqueue``
    queued = {key: message_id for message_id, key in session.execute(statement, list(rows.values()))}
    for key, message_id in queued.items():
        log.info("message queued", extra={"message_id": message_id, "template": rows[key]["template"]})
    return queued


def _due_condition(now: datetime, settings: OutboxSettings):
    stale = now - timedelta(seconds=settings.sending_timeout_seconds)
    return or_(
        and_(OutboxMessage.status.in_(RETRYABLE), OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.sending_since <= stale),
    )


def deliver_due(
    session: Session, now: datetime, *, limit: int = 500, adapter: Adapter | None = None, settings: OutboxSettings | None = None
) -> dict[str, int]:
    """Send every message that is due, oldest first; returns counts by outcome.

    Commits after each step of each message (see the module docstring): this job owns its
    units of work, so call it with nothing else pending in ``session``.
    """
    settings = settings or OutboxSettings.from_config(_config())
    adapter = adapter or configured_adapter()
    counts = {"sent": 0, "recovered": 0, "failed": 0, "dead": 0}
    due = session.execute(
        select(OutboxMessage.id, OutboxMessage.status)
        .where(_due_condition(now, settings))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    for message_id, seen_status in due:
        outcome = _deliver_one(session, message_id, seen_status, now, adapter, settings)
        if outcome:
            counts[outcome] += 1
    if due:
        log.info("outbox delivered", extra=counts)
    return counts


def _claim(session: Session, message_id: int, seen_status: str, now: datetime, settings: OutboxSettings) -> bool:
    """Mark the message as being sent by this run, unless another run got there first."""
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == seen_status, _due_condition(now, settings))
        .values(status="sending", sending_since=now, attempts=OutboxMessage.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return claimed == 1


def _deliver_one(session: Session, message_id: int, seen_status: str, now: datetime, adapter: Adapter, settings: OutboxSettings) -> str | None:
    if not _claim(session, message_id, seen_status, now, settings):
        return None
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    try:
        if seen_status == "sending" and adapter.can_check:
            # Sent before the last run died? Then record it rather than send it again.
            reference = adapter.find_sent(session, message)
            if reference is not None:
                _mark_sent(message, adapter, reference, now)
                session.commit()
                log.info("message found already sent", extra={"message_id": message.id})
                return "recovered"
        reference = adapter.send(session, message)
    except DeliveryError as error:
        return _mark_failed(session, message, error, now, settings)
    except Exception as error:  # noqa: BLE001 - an unexpected failure must not stop the rest of the run
        session.rollback()
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        return _mark_failed(session, message, DeliveryError(f"Unexpected error ({type(error).__name__})"), now, settings)
    _mark_sent(message, adapter, reference, now)
    session.commit()
    return "sent"


def _mark_sent(message: OutboxMessage, adapter: Adapter, reference: str, now: datetime) -> None:
    message.status = "sent"
    message.sent_at = now
    message.adapter = adapter.name
    message.provider_reference = str(reference)[:100]
    message.next_attempt_at = None
    message.sending_since = None
    message.last_error = None
    # The content (a working link among it) is no longer needed once it has gone.
    message.personalisation = {}
    message.content_cleared_at = now


def _mark_failed(session: Session, message: OutboxMessage, error: DeliveryError, now: datetime, settings: OutboxSettings) -> str:
    message.last_error = error.description
    message.sending_since = None
    if error.permanent or message.attempts >= settings.max_attempts:
        message.status = "dead"
        message.next_attempt_at = None
    else:
        message.status = "failed"
        message.next_attempt_at = now + settings.retry_delay(message.attempts)
    session.commit()
    log.warning("message not delivered", extra={"message_id": message.id, "attempts": message.attempts, "status": message.status})
    return message.status


def resend(session: Session, message_id: int, by: User | None, *, now: datetime | None = None) -> OutboxMessage:
    """Queue a failed or dead message again, from a fresh count of attempts."""
    from destinations.database import utcnow

    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        raise NotificationError("There is no such message.")
    if message.status not in ("failed", "dead"):
        raise NotificationError(f"Only failed or stopped messages can be sent again; this one is '{message.status_name.lower()}'.")
    if message.content_cleared_at is not None:
        raise NotificationError("This message's link has expired, so it cannot be sent again. Send a new link from the young person's keep-in-touch page instead.")
    message.status = "queued"
    message.attempts = 0
    message.next_attempt_at = now or utcnow()
    message.last_error = None
    message.resent_count += 1
    message.resent_by_id = by.id if by is not None else None
    session.flush()
    return message


def clear_content(session: Session, message_ids: list[int], now: datetime, reason: str) -> None:
    """Forget the content of unsent messages whose link no longer works, and stop sending them."""
    if message_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status.in_(("queued", "failed", "dead")))
            .values(personalisation={}, content_cleared_at=now, status="dead", next_attempt_at=None, last_error=reason[:300], updated_at=now)
            .execution_options(synchronize_session=False)
        )


def problem_messages(status: str | None = None):
    """Failed and dead messages, newest first, for the managers' page."""
    query = select(OutboxMessage).where(OutboxMessage.status.in_((status,) if status else ("failed", "dead")))
    return query.order_by(OutboxMessage.updated_at.desc(), OutboxMessage.id.desc())
