"""The outbox: idempotent queueing, delivery, back-off, the dead-letter state, crash recovery."""
from __future__ import annotations

import logging
import socket
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from destinations.database import utcnow
from destinations.notifications import services
from destinations.notifications.adapters import AdapterConfigError, LogAdapter, SmtpAdapter, adapter_from_config
from destinations.notifications.models import LoggedMessage, OutboxMessage
from destinations.notifications.services import NotificationError, OutboxSettings
from destinations.notifications.templates import TemplateError
from tests.notifications.servers import SmtpServer

SETTINGS = OutboxSettings(max_attempts=4, retry_seconds=60, max_retry_seconds=3600, sending_timeout_seconds=600)
PERSONALISATION = {"first_name": "Sam", "link": "http://localhost/keep-in-touch/abc", "council_name": "Northshire", "expires_on": "1 January 2027"}


def queue(session, key: str = "test:1", *, channel: str = "email", to: str = "sam@example.com", **values) -> OutboxMessage:
    message = services.enqueue(
        session, channel=channel, to=to, template="keep_in_touch_invitation", personalisation=values.pop("personalisation", PERSONALISATION), idempotency_key=key, **values
    )
    session.commit()
    return message


def closed_port() -> int:
    """A port nothing listens on, so a connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_queueing_twice_with_one_idempotency_key_gives_the_one_message(session):
    first = queue(session, "kit-invitation:1:2026-09-01")
    second = queue(session, "kit-invitation:1:2026-09-01", to="someone-else@example.com")
    assert first.id == second.id and second.recipient == "sam@example.com"
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


@pytest.mark.parametrize(
    "values, message",
    [
        ({"template": "no_such_template"}, "There is no message template called 'no_such_template'"),
        ({"personalisation": {"first_name": "Sam"}}, "needs personalisation for: council_name, expires_on, link"),
        ({"channel": "fax"}, "Channel must be one of email, sms"),
        ({"to": "  "}, "A message needs a recipient"),
        ({"idempotency_key": ""}, "A message needs an idempotency key"),
    ],
)
def test_a_message_that_could_never_be_sent_is_refused_when_queued(session, values, message):
    arguments = {"channel": "email", "to": "sam@example.com", "template": "keep_in_touch_invitation", "personalisation": PERSONALISATION, "idempotency_key": "k", **values}
    with pytest.raises((NotificationError, TemplateError), match=message):
        services.enqueue(session, **arguments)
    with pytest.raises((NotificationError, TemplateError), match=message):
        services.enqueue_many(session, [arguments])


def test_queueing_many_at_once_skips_keys_already_used_and_returns_the_new_messages(session):
    earlier = queue(session, "kit-invitation:1:2026-09-01")
    arguments = {"channel": "email", "template": "keep_in_touch_invitation", "personalisation": PERSONALISATION, "young_person_id": None}
    queued = services.enqueue_many(session, [
        {**arguments, "to": "someone-else@example.com", "idempotency_key": "kit-invitation:1:2026-09-01"},  # used before: no look-up first
        {**arguments, "to": " jo@example.com ", "idempotency_key": "kit-invitation:2:2026-09-01"},
        {**arguments, "to": "jo@example.com", "idempotency_key": "kit-invitation:2:2026-09-01"},  # the same key twice in one go
        {**arguments, "channel": "sms", "to": "07700900982", "idempotency_key": "kit-invitation:3:2026-09-01"},
    ])  # fmt: skip
    session.commit()
    assert sorted(queued) == ["kit-invitation:2:2026-09-01", "kit-invitation:3:2026-09-01"]
    messages = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [message.id for message in messages] == [earlier.id, *queued.values()]
    assert messages[0].recipient == "sam@example.com"
    new = messages[1]
    assert (new.recipient, new.status, new.attempts, new.personalisation) == ("jo@example.com", "queued", 0, PERSONALISATION)
    assert new.next_attempt_at is not None and new.created_at is not None
    assert services.enqueue_many(session, []) == {}


def test_the_log_adapter_delivers_due_messages_and_the_content_is_forgotten_once_sent(session):
    message = queue(session)
    now = utcnow()
    counts = services.deliver_due(session, now, adapter=LogAdapter(), settings=SETTINGS)
    assert counts == {"sent": 1, "recovered": 0, "failed": 0, "dead": 0}
    session.refresh(message)
    assert (message.status, message.attempts, message.adapter, message.sent_at) == ("sent", 1, "log", now)
    assert message.personalisation == {} and message.content_cleared_at == now
    logged = session.scalar(select(LoggedMessage))
    assert logged.subject == "Keep in touch with Northshire" and "Hello Sam" in logged.body and PERSONALISATION["link"] in logged.body
    assert message.provider_reference == f"log-{logged.id}"
    assert services.deliver_due(session, now, adapter=LogAdapter(), settings=SETTINGS)["sent"] == 0


def test_a_text_message_uses_the_short_wording(session):
    queue(session, channel="sms", to="07700900982")
    services.deliver_due(session, utcnow(), adapter=LogAdapter(), settings=SETTINGS)
    logged = session.scalar(select(LoggedMessage))
    assert logged.subject is None and len(logged.body) < 320 and PERSONALISATION["link"] in logged.body


def test_a_failed_delivery_is_retried_with_doubling_waits_and_then_stops_as_dead(session):
    message = queue(session)
    adapter = SmtpAdapter(host="127.0.0.1", port=closed_port(), timeout=2)
    now = utcnow()
    waits = []
    for attempt in range(1, SETTINGS.max_attempts):
        counts = services.deliver_due(session, now, adapter=adapter, settings=SETTINGS)
        assert counts["failed"] == 1
        session.refresh(message)
        assert (message.status, message.attempts) == ("failed", attempt)
        assert "Could not reach the SMTP server" in message.last_error
        waits.append(message.next_attempt_at - now)
        # Not due again until the wait is over.
        assert services.deliver_due(session, message.next_attempt_at - timedelta(seconds=1), adapter=adapter, settings=SETTINGS)["failed"] == 0
        now = message.next_attempt_at
    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert services.deliver_due(session, now, adapter=adapter, settings=SETTINGS)["dead"] == 1
    session.refresh(message)
    assert (message.status, message.attempts, message.next_attempt_at) == ("dead", SETTINGS.max_attempts, None)
    assert services.deliver_due(session, now + timedelta(days=10), adapter=adapter, settings=SETTINGS) == {"sent": 0, "recovered": 0, "failed": 0, "dead": 0}


def test_the_back_off_is_capped():
    assert OutboxSettings(retry_seconds=60, max_retry_seconds=3600).retry_delay(20) == timedelta(hours=1)


def test_an_address_the_provider_refuses_for_good_goes_straight_to_dead(session):
    message = queue(session, to="nobody@example.com")
    with SmtpServer(refuse={"nobody@example.com": 550}) as server:
        counts = services.deliver_due(session, utcnow(), adapter=SmtpAdapter(host="127.0.0.1", port=server.port, timeout=5), settings=SETTINGS)
    assert counts["dead"] == 1
    session.refresh(message)
    assert message.attempts == 1 and "refused the recipient (code 550)" in message.last_error
    assert "nobody@example.com" not in message.last_error


def test_a_message_left_sending_by_a_crash_after_it_went_is_recorded_not_sent_again(session):
    message = queue(session)
    adapter = LogAdapter()
    # The provider took the message, then the process died before recording it.
    adapter.send(session, message)
    message.status, message.sending_since, message.attempts = "sending", utcnow() - timedelta(minutes=11), 1
    session.commit()
    counts = services.deliver_due(session, utcnow(), adapter=adapter, settings=SETTINGS)
    assert counts["recovered"] == 1 and counts["sent"] == 0
    assert session.scalar(select(func.count()).select_from(LoggedMessage)) == 1
    session.refresh(message)
    assert message.status == "sent" and message.attempts == 2


def test_a_message_left_sending_by_a_crash_before_it_went_is_sent(session):
    message = queue(session)
    message.status, message.sending_since, message.attempts = "sending", utcnow() - timedelta(minutes=11), 1
    session.commit()
    assert services.deliver_due(session, utcnow(), adapter=LogAdapter(), settings=SETTINGS)["sent"] == 1
    assert session.scalar(select(func.count()).select_from(LoggedMessage)) == 1


def test_a_message_another_run_is_sending_right_now_is_left_alone(session):
    message = queue(session)
    message.status, message.sending_since = "sending", utcnow() - timedelta(seconds=30)
    session.commit()
    assert services.deliver_due(session, utcnow(), adapter=LogAdapter(), settings=SETTINGS) == {"sent": 0, "recovered": 0, "failed": 0, "dead": 0}


def test_only_one_run_can_claim_a_message(session):
    message = queue(session)
    now = utcnow()
    assert services._claim(session, message.id, "queued", now, SETTINGS) is True
    assert services._claim(session, message.id, "queued", now, SETTINGS) is False
    session.refresh(message)
    assert (message.status, message.attempts) == ("sending", 1)


def test_a_dead_message_can_be_sent_again_from_a_fresh_count(session):
    message = queue(session)
    message.status, message.attempts, message.last_error, message.next_attempt_at = "dead", 6, "SMTP server answered 421", None
    session.commit()
    services.resend(session, message.id, None)
    session.commit()
    session.refresh(message)
    assert (message.status, message.attempts, message.last_error, message.resent_count) == ("queued", 0, None, 1)
    assert services.deliver_due(session, utcnow(), adapter=LogAdapter(), settings=SETTINGS)["sent"] == 1


def test_a_sent_message_or_one_whose_link_expired_cannot_be_sent_again(session):
    sent = queue(session, "a")
    services.deliver_due(session, utcnow(), adapter=LogAdapter(), settings=SETTINGS)
    with pytest.raises(NotificationError, match="Only failed or stopped messages"):
        services.resend(session, sent.id, None)
    expired = queue(session, "b")
    services.clear_content(session, [expired.id], utcnow(), "The link expired before the message could be sent.")
    session.commit()
    with pytest.raises(NotificationError, match="link has expired"):
        services.resend(session, expired.id, None)


def test_delivery_logs_name_messages_by_id_and_never_their_content_or_recipient(session, caplog):
    queue(session, "a", to="private.person@example.com")
    failing = queue(session, "b", to="other.private@example.com")
    with caplog.at_level(logging.DEBUG):
        services.deliver_due(session, utcnow(), adapter=LogAdapter(), settings=SETTINGS)
        failing.status, failing.next_attempt_at = "queued", utcnow()
        session.commit()
        services.deliver_due(session, utcnow() + timedelta(seconds=1), adapter=SmtpAdapter(host="127.0.0.1", port=closed_port(), timeout=2), settings=SETTINGS)
    text = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert "message_id" in text
    for secret in ("private.person@example.com", "other.private@example.com", "Sam", "keep-in-touch/abc", "Northshire"):
        assert secret not in text


def test_the_log_adapter_is_refused_where_the_development_page_is_off():
    with pytest.raises(AdapterConfigError, match="refused in production"):
        adapter_from_config({"NOTIFICATIONS_ADAPTER": "log", "NOTIFICATIONS_DEV_PAGE": False})
    with pytest.raises(AdapterConfigError, match="SMTP_HOST"):
        adapter_from_config({"NOTIFICATIONS_ADAPTER": "smtp"})
    with pytest.raises(AdapterConfigError, match="NOTIFY_API_KEY"):
        adapter_from_config({"NOTIFICATIONS_ADAPTER": "notify"})
    with pytest.raises(AdapterConfigError, match="not known"):
        adapter_from_config({"NOTIFICATIONS_ADAPTER": "pigeon"})


def test_production_refuses_to_start_with_the_log_adapter(monkeypatch):
    from config import Production

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/dps")
    monkeypatch.setattr(Production, "NOTIFICATIONS_ADAPTER", "log")
    with pytest.raises(RuntimeError, match="NOTIFICATIONS_ADAPTER='log' cannot send messages"):
        Production.check()
    monkeypatch.setattr(Production, "NOTIFICATIONS_ADAPTER", "notify")
    with pytest.raises(RuntimeError, match="NOTIFY_API_KEY"):
        Production.check()
    monkeypatch.setenv("NOTIFY_API_KEY", "key")
    monkeypatch.setenv("SERVICE_BASE_URL", "https://dps.example.gov.uk")
    Production.check()
