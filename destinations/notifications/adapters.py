"""Delivery adapters: how an outbox message leaves the service.

Each adapter sends one message and returns the provider's reference for it. An adapter that
can ask its provider "did you already get this message?" (``can_check``) lets the outbox
recover from a crash between sending and recording without sending twice:

- ``log`` writes the message to the database in the same transaction that records it as
  sent, so there is nothing to recover.
- ``notify`` passes the idempotency key as Notify's ``reference`` and looks it up
  (GET /v2/notifications?reference=...) before sending a message found half-sent.
- ``smtp`` cannot check: SMTP has no way to ask a server what it has accepted. A message
  found half-sent is sent again, with the same Message-ID (derived from the idempotency key)
  so mail systems that drop duplicate Message-IDs can drop the copy. This is the one case
  where a young person may get a message twice.

Errors never carry the message's content or its recipient.
"""
from __future__ import annotations

import hashlib
import smtplib
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Mapping, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from destinations.notifications import templates
from destinations.notifications.models import LoggedMessage, OutboxMessage

ADAPTERS = ("log", "smtp", "notify")


class DeliveryError(Exception):
    """A failed delivery. ``permanent`` errors (a bad address, a missing template) are not retried."""

    def __init__(self, description: str, *, permanent: bool = False):
        super().__init__(description)
        self.description = description[:300]
        self.permanent = permanent


class AdapterConfigError(RuntimeError):
    """The configuration does not allow this adapter (for example ``log`` in production)."""


class Adapter(Protocol):
    name: str
    channels: frozenset[str]
    can_check: bool

    def send(self, session: Session, message: OutboxMessage) -> str: ...

    def find_sent(self, session: Session, message: OutboxMessage) -> str | None: ...


def _scrub(text: str, message: OutboxMessage) -> str:
    """Keep a provider's error text, minus anything that could be the recipient."""
    return text.replace(message.recipient, "[recipient]") if message.recipient else text


@dataclass
class LogAdapter:
    """Keeps each message in the database for the development page. Refused in production."""

    name: str = "log"
    channels: frozenset[str] = frozenset({"email", "sms"})
    can_check: bool = True

    def send(self, session: Session, message: OutboxMessage) -> str:
        rendered = _render(message)
        logged = LoggedMessage(
            outbox_message_id=message.id, channel=message.channel, recipient=message.recipient, subject=rendered.subject, body=rendered.body
        )
        session.add(logged)
        session.flush()
        return f"log-{logged.id}"

    def find_sent(self, session: Session, message: OutboxMessage) -> str | None:
        logged_id = session.scalar(select(LoggedMessage.id).where(LoggedMessage.outbox_message_id == message.id))
        return f"log-{logged_id}" if logged_id is not None else None


@dataclass
class SmtpAdapter:
    """Email through an SMTP server (STARTTLS and login when configured). No text messages."""

    host: str
    port: int = 587
    username: str = ""
    password: str = ""
    starttls: bool = True
    sender: str = "no-reply@localhost"
    timeout: float = 30
    name: str = "smtp"
    channels: frozenset[str] = frozenset({"email"})
    can_check: bool = False

    def message_id(self, message: OutboxMessage) -> str:
        domain = self.sender.rpartition("@")[2] or "localhost"
        return f"<{hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:40]}@{domain}>"

    def send(self, session: Session, message: OutboxMessage) -> str:
        if message.channel != "email":
            raise DeliveryError("The SMTP adapter sends email only; this message is a text message.", permanent=True)
        rendered = _render(message)
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = rendered.subject or ""
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = self.message_id(message)
        email.set_content(rendered.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
                server.ehlo()
                if self.starttls and server.has_extn("starttls"):
                    server.starttls()
                    server.ehlo()
                if self.username:
                    server.login(self.username, self.password)
                refused = server.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _text in error.recipients.values()})
            raise DeliveryError(f"SMTP server refused the recipient (code {', '.join(map(str, codes))})", permanent=all(code >= 500 for code in codes)) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(f"SMTP server answered {error.smtp_code}", permanent=error.smtp_code >= 500 and error.smtp_code != 535) from None
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            raise DeliveryError(f"Could not reach the SMTP server ({type(error).__name__})") from None
        if refused:
            raise DeliveryError("SMTP server refused the recipient", permanent=True)
        return self.message_id(message)

    def find_sent(self, session: Session, message: OutboxMessage) -> str | None:
        return None


@dataclass
class NotifyAdapter:
    """GOV.UK Notify through the official client. The idempotency key is Notify's ``reference``."""

    api_key: str
    template_ids: Mapping[str, str]
    base_url: str = "https://api.notifications.service.gov.uk"
    timeout: float = 30
    name: str = "notify"
    channels: frozenset[str] = frozenset({"email", "sms"})
    can_check: bool = True

    def client(self):
        from notifications_python_client.notifications import NotificationsAPIClient

        return NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=self.timeout)

    def send(self, session: Session, message: OutboxMessage) -> str:
        template_id = templates.notify_template_id(self.template_ids, message.template, message.channel)
        if not template_id:
            raise DeliveryError(
                f"No GOV.UK Notify template id for {message.template} ({message.channel}): add it to NOTIFY_TEMPLATE_IDS.", permanent=True
            )
        client = self.client()
        personalisation = {key: str(value) for key, value in (message.personalisation or {}).items()}
        try:
            if message.channel == "sms":
                answer = client.send_sms_notification(message.recipient, template_id, personalisation=personalisation, reference=message.idempotency_key)
            else:
                answer = client.send_email_notification(message.recipient, template_id, personalisation=personalisation, reference=message.idempotency_key)
        except Exception as error:  # noqa: BLE001 - every client failure becomes a DeliveryError
            raise _notify_error(error, message) from None
        return str(answer["id"])

    def find_sent(self, session: Session, message: OutboxMessage) -> str | None:
        try:
            answer = self.client().get_all_notifications(reference=message.idempotency_key)
        except Exception as error:  # noqa: BLE001
            raise _notify_error(error, message) from None
        found = answer.get("notifications") or []
        return str(found[0]["id"]) if found else None


def _notify_error(error: Exception, message: OutboxMessage) -> DeliveryError:
    from notifications_python_client.errors import HTTPError

    if isinstance(error, HTTPError):
        status = error.status_code
        detail = _scrub("; ".join(f"{item.get('error', '')}: {item.get('message', '')}" for item in (error.message if isinstance(error.message, list) else [])) or str(error.message), message)
        # 400 means Notify will never accept this message as it is (bad address, template
        # or personalisation); anything else (403 key problems, 429, 5xx, no answer) may pass later.
        return DeliveryError(f"GOV.UK Notify answered {status}: {detail}", permanent=status == 400)
    return DeliveryError(f"Could not reach GOV.UK Notify ({type(error).__name__})")


def _render(message: OutboxMessage) -> templates.Rendered:
    try:
        return templates.render(message.template, message.channel, message.personalisation or {})
    except templates.TemplateError as error:
        raise DeliveryError(str(error), permanent=True) from None


def adapter_from_config(config: Mapping) -> Adapter:
    """The adapter NOTIFICATIONS_ADAPTER names, built from the rest of the configuration."""
    name = (config.get("NOTIFICATIONS_ADAPTER") or "log").lower()
    if name == "log":
        # Only where the development page is on (never in production): the log adapter keeps
        # messages instead of sending them, and that page is the only way to read them.
        if not config.get("NOTIFICATIONS_DEV_PAGE"):
            raise AdapterConfigError("The log adapter keeps messages instead of sending them, so it is refused in production: set NOTIFICATIONS_ADAPTER to smtp or notify.")
        return LogAdapter()
    if name == "smtp":
        if not config.get("SMTP_HOST"):
            raise AdapterConfigError("NOTIFICATIONS_ADAPTER=smtp needs SMTP_HOST (and SMTP_PORT, SMTP_FROM).")
        return SmtpAdapter(
            host=config["SMTP_HOST"],
            port=int(config.get("SMTP_PORT") or 587),
            username=config.get("SMTP_USERNAME") or "",
            password=config.get("SMTP_PASSWORD") or "",
            starttls=bool(config.get("SMTP_STARTTLS", True)),
            sender=config.get("SMTP_FROM") or "no-reply@localhost",
            timeout=float(config.get("SMTP_TIMEOUT_SECONDS") or 30),
        )
    if name == "notify":
        if not config.get("NOTIFY_API_KEY"):
            raise AdapterConfigError("NOTIFICATIONS_ADAPTER=notify needs NOTIFY_API_KEY (and NOTIFY_TEMPLATE_IDS).")
        return NotifyAdapter(
            api_key=config["NOTIFY_API_KEY"],
            template_ids=dict(config.get("NOTIFY_TEMPLATE_IDS") or {}),
            base_url=config.get("NOTIFY_BASE_URL") or "https://api.notifications.service.gov.uk",
        )
    raise AdapterConfigError(f"NOTIFICATIONS_ADAPTER={name!r} is not known: use one of {', '.join(ADAPTERS)}.")
