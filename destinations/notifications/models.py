"""The notification outbox: every message is written here first, then delivered by a job."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from destinations.database import Base, utcnow

STATUSES = {
    "queued": "Waiting to be sent",
    "sending": "Being sent",
    "sent": "Sent",
    "failed": "Failed, will try again",
    "dead": "Not sent (gave up)",
}
CHANNELS = {"email": "Email", "sms": "Text message"}


class OutboxMessage(Base):
    """One message to one recipient, sent at most once per idempotency key.

    ``personalisation`` holds what the template needs (a keep-in-touch link among it) only
    until the message is sent; then it is cleared, so the database keeps no usable link.
    ``last_error`` describes a failure without the message's content or recipient.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'dead')", name="status"),
        CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        # The delivery job reads due messages in this order.
        Index("ix_outbox_message_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(5))
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(60))
    personalisation: Mapped[dict] = mapped_column(JSON, default=dict)
    young_person_id: Mapped[int | None] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    sending_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]
    content_cleared_at: Mapped[datetime | None]
    adapter: Mapped[str | None] = mapped_column(String(10))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(String(300))
    resent_count: Mapped[int] = mapped_column(default=0)
    resent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @property
    def status_name(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def channel_name(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


class LoggedMessage(Base):
    """What the ``log`` adapter "sent": kept for the development page, never used in production."""

    __tablename__ = "logged_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), unique=True)
    channel: Mapped[str] = mapped_column(String(5))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
