"""The SMTP and GOV.UK Notify adapters against real local servers (no mocked clients)."""
from __future__ import annotations

from datetime import timedelta

from destinations.database import utcnow
from destinations.notifications import services
from destinations.notifications.adapters import NotifyAdapter, SmtpAdapter, adapter_from_config
from destinations.notifications.models import OutboxMessage
from destinations.notifications.services import OutboxSettings
from tests.notifications.servers import API_KEY, FakeNotify, SmtpServer

SETTINGS = OutboxSettings(max_attempts=3, retry_seconds=60, max_retry_seconds=3600, sending_timeout_seconds=600)
PERSONALISATION = {"first_name": "Sam", "link": "http://localhost/keep-in-touch/abc", "council_name": "Northshire", "expires_on": "1 January 2027"}
EMAIL_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
SMS_TEMPLATE = "a6e5b2b4-4d8f-4a3e-9b8e-7b2f0c6f1f10"
PLACEHOLDERS = sorted(PERSONALISATION)


def queue(session, key="test:1", channel="email", to="sam@example.com") -> OutboxMessage:
    message = services.enqueue(session, channel=channel, to=to, template="keep_in_touch_invitation", personalisation=PERSONALISATION, idempotency_key=key)
    session.commit()
    return message


# --- SMTP ------------------------------------------------------------------------------------


def test_smtp_sends_a_plain_text_email_after_logging_in(session):
    message = queue(session)
    with SmtpServer(username="dps", password="secret") as server:
        adapter = adapter_from_config({"NOTIFICATIONS_ADAPTER": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SMTP_USERNAME": "dps", "SMTP_PASSWORD": "secret", "SMTP_FROM": "keep-in-touch@northshire.example"})
        counts = services.deliver_due(session, utcnow(), adapter=adapter, settings=SETTINGS)
    assert counts["sent"] == 1
    [received] = server.received
    assert received.sender == "keep-in-touch@northshire.example" and received.recipients == ["sam@example.com"]
    email = received.message
    assert email["Subject"] == "Keep in touch with Northshire" and email["To"] == "sam@example.com"
    assert "Hello Sam" in email.get_payload(decode=True).decode() and PERSONALISATION["link"] in email.get_payload(decode=True).decode()
    session.refresh(message)
    assert message.status == "sent" and message.provider_reference == email["Message-ID"]


def test_smtp_with_the_wrong_password_is_retried_not_dropped(session):
    message = queue(session)
    with SmtpServer(username="dps", password="secret") as server:
        adapter = SmtpAdapter(host="127.0.0.1", port=server.port, username="dps", password="wrong", timeout=5)
        services.deliver_due(session, utcnow(), adapter=adapter, settings=SETTINGS)
    session.refresh(message)
    assert message.status == "failed" and "535" in message.last_error and server.received == []


def test_smtp_treats_a_temporary_refusal_as_a_reason_to_retry(session):
    message = queue(session, to="busy@example.com")
    with SmtpServer(refuse={"busy@example.com": 451}) as server:
        services.deliver_due(session, utcnow(), adapter=SmtpAdapter(host="127.0.0.1", port=server.port, timeout=5), settings=SETTINGS)
    session.refresh(message)
    assert message.status == "failed" and "451" in message.last_error


def test_smtp_cannot_send_text_messages_and_says_so(session):
    message = queue(session, channel="sms", to="07700900982")
    with SmtpServer() as server:
        services.deliver_due(session, utcnow(), adapter=SmtpAdapter(host="127.0.0.1", port=server.port, timeout=5), settings=SETTINGS)
    session.refresh(message)
    assert message.status == "dead" and "email only" in message.last_error and server.connections == 0


def test_smtp_cannot_check_what_it_sent_so_a_crashed_message_goes_again_with_the_same_message_id(session):
    """The documented limit of SMTP: at least once, with a stable Message-ID to spot the copy."""
    message = queue(session)
    with SmtpServer() as server:
        adapter = SmtpAdapter(host="127.0.0.1", port=server.port, timeout=5)
        adapter.send(session, message)  # the server took it; then the process died
        message.status, message.sending_since, message.attempts = "sending", utcnow() - timedelta(minutes=11), 1
        session.commit()
        assert services.deliver_due(session, utcnow(), adapter=adapter, settings=SETTINGS)["sent"] == 1
    first, second = server.received
    assert first.message["Message-ID"] == second.message["Message-ID"]


# --- GOV.UK Notify ---------------------------------------------------------------------------


def notify(fake: FakeNotify, template_ids=None) -> NotifyAdapter:
    fake.templates = {EMAIL_TEMPLATE: {"type": "email", "placeholders": PLACEHOLDERS}, SMS_TEMPLATE: {"type": "sms", "placeholders": PLACEHOLDERS}}
    ids = template_ids if template_ids is not None else {"keep_in_touch_invitation:email": EMAIL_TEMPLATE, "keep_in_touch_invitation:sms": SMS_TEMPLATE}
    return adapter_from_config({"NOTIFICATIONS_ADAPTER": "notify", "NOTIFY_API_KEY": API_KEY, "NOTIFY_BASE_URL": fake.url, "NOTIFY_TEMPLATE_IDS": ids})


def test_notify_sends_email_and_text_with_the_idempotency_key_as_reference(session):
    email = queue(session, "kit-link:1")
    sms = queue(session, "kit-link:2", channel="sms", to="07700900982")
    with FakeNotify() as fake:
        counts = services.deliver_due(session, utcnow(), adapter=notify(fake), settings=SETTINGS)
    assert counts["sent"] == 2
    by_reference = {n["reference"]: n for n in fake.notifications}
    assert by_reference["kit-link:1"]["email_address"] == "sam@example.com"
    assert by_reference["kit-link:1"]["template"]["id"] == EMAIL_TEMPLATE
    assert by_reference["kit-link:2"]["phone_number"] == "07700900982"
    assert by_reference["kit-link:2"]["personalisation"] == PERSONALISATION
    session.refresh(email)
    session.refresh(sms)
    assert email.provider_reference == by_reference["kit-link:1"]["id"] and sms.provider_reference == by_reference["kit-link:2"]["id"]


def test_notify_template_ids_can_be_shared_by_both_channels(session):
    queue(session)
    with FakeNotify() as fake:
        services.deliver_due(session, utcnow(), adapter=notify(fake, {"keep_in_touch_invitation": EMAIL_TEMPLATE}), settings=SETTINGS)
    assert len(fake.notifications) == 1


def test_a_message_notify_already_has_is_recorded_not_sent_twice_after_a_crash(session):
    message = queue(session, "kit-invitation:7:2026-09-01")
    with FakeNotify() as fake:
        adapter = notify(fake)
        adapter.send(session, message)  # Notify accepted it; then the process died before recording
        message.status, message.sending_since, message.attempts = "sending", utcnow() - timedelta(minutes=11), 1
        session.commit()
        counts = services.deliver_due(session, utcnow(), adapter=adapter, settings=SETTINGS)
    assert counts["recovered"] == 1
    assert fake.posts == 1 and fake.lookups == 1 and len(fake.notifications) == 1
    session.refresh(message)
    assert message.status == "sent" and message.provider_reference == fake.notifications[0]["id"]


def test_a_crashed_message_notify_never_got_is_sent_once(session):
    message = queue(session)
    message.status, message.sending_since, message.attempts = "sending", utcnow() - timedelta(minutes=11), 1
    session.commit()
    with FakeNotify() as fake:
        services.deliver_due(session, utcnow(), adapter=notify(fake), settings=SETTINGS)
    assert fake.lookups == 1 and fake.posts == 1


def test_notify_server_errors_are_retried_and_a_bad_request_is_not(session):
    retried = queue(session, "a")
    refused = queue(session, "b", channel="sms", to="01234 567890")
    with FakeNotify() as fake:
        fake.fail_next = [500]
        services.deliver_due(session, utcnow(), adapter=notify(fake), settings=SETTINGS)
    session.refresh(retried)
    session.refresh(refused)
    assert retried.status == "failed" and "GOV.UK Notify answered 500" in retried.last_error
    assert refused.status == "dead" and "Not a UK mobile number" in refused.last_error and "01234" not in refused.last_error


def test_a_wrong_api_key_is_refused_by_notify_and_retried_until_fixed(session):
    message = queue(session)
    with FakeNotify() as fake:
        adapter = notify(fake)
        adapter.api_key = API_KEY[:-4] + "0000"
        services.deliver_due(session, utcnow(), adapter=adapter, settings=SETTINGS)
    session.refresh(message)
    assert message.status == "failed" and "403" in message.last_error


def test_a_missing_notify_template_id_is_a_permanent_error_saying_what_to_set(session):
    message = queue(session)
    with FakeNotify() as fake:
        services.deliver_due(session, utcnow(), adapter=notify(fake, {}), settings=SETTINGS)
    session.refresh(message)
    assert message.status == "dead" and "NOTIFY_TEMPLATE_IDS" in message.last_error and fake.posts == 0


def test_notify_unreachable_is_retried(session):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = queue(session)
    adapter = NotifyAdapter(api_key=API_KEY, template_ids={"keep_in_touch_invitation": EMAIL_TEMPLATE}, base_url=f"http://127.0.0.1:{port}", timeout=2)
    services.deliver_due(session, utcnow(), adapter=adapter, settings=SETTINGS)
    session.refresh(message)
    # The client reports a failed connection as its own 503.
    assert message.status == "failed" and message.last_error.startswith("GOV.UK Notify answered 503")
