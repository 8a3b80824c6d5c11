"""Keep-in-touch links, the young person's short sessions, and their replies."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from destinations.database import Base, utcnow

if TYPE_CHECKING:
    from destinations.auth.models import User
    from destinations.people.models import YoungPerson

LINK_CHANNELS = {"email": "Email", "sms": "Text message", "print": "Given by hand"}
LINK_REASONS = {
    "staff": "Sent by staff",
    "cadence": "Regular check-in",
    "requested": "Asked for by the young person",
    "support": "Support command",
    "chase": "Destination follow-up",
}
LINK_STATUSES = {
    "sent": "Sent",
    "opened": "Opened",
    "used": "Used",
    "locked": "Locked (wrong date of birth)",
    "expired": "Expired",
    "revoked": "Revoked",
}


class KeepInTouchLink(Base):
    """A personal link. Only the SHA-256 of its token is stored; the token itself is sent once.

    A link works once: confirming the date of birth uses it up. "Opened" means someone tried
    a date of birth on it, because merely loading the page changes nothing (mail scanners
    load links before people do).
    """

    __tablename__ = "keep_in_touch_link"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms', 'print')", name="channel"),
        Index("ix_keep_in_touch_link_person_created", "young_person_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(5))
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    date_of_birth_tries: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    expired_at: Mapped[datetime | None] = mapped_column(index=True)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))

    young_person: Mapped[YoungPerson] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.used_at is not None:
            return "used"
        if self.locked_at is not None:
            return "locked"
        if self.expired_at is not None or self.expires_at <= now:
            return "expired"
        if self.opened_at is not None:
            return "opened"
        return "sent"


class KeepInTouchSession(Base):
    """A young person's short session after confirming their date of birth.

    Kept on the server, separate from staff sessions: its key lives only in its own cookie
    (path /keep-in-touch), and ``draft`` holds answers between the pages of one question.
    """

    __tablename__ = "keep_in_touch_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("keep_in_touch_link.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    draft: Mapped[dict] = mapped_column(JSON, default=dict)
    last_reply_id: Mapped[int | None]

    young_person: Mapped[YoungPerson] = relationship()
    link: Mapped[KeepInTouchLink] = relationship()


REPLY_KINDS = {
    "doing_now": "What they are doing now",
    "contact_request": "Wants someone to contact them",
    "contact_details": "Changed their contact details",
    "next_steps": "What they would like to do next",
    "stop_messages": "Asked to stop messages",
    "link_locked": "Link locked after wrong dates of birth",
}


class KeepInTouchReply(Base):
    """One answer from a young person: a task for their keyworker until marked as handled.

    ``answers`` holds what the young person told the service, in their words and choices.
    It never changes a verified record: "what are you doing now" adds an unverified activity.
    """

    __tablename__ = "keep_in_touch_reply"
    __table_args__ = (
        Index("ix_keep_in_touch_reply_person_created", "young_person_id", "created_at"),
        Index("ix_keep_in_touch_reply_handled", "handled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("keep_in_touch_link.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    activity_record_id: Mapped[int | None] = mapped_column(ForeignKey("activity_record.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    young_person: Mapped[YoungPerson] = relationship()
    handled_by: Mapped[User | None] = relationship()

    @property
    def kind_name(self) -> str:
        return REPLY_KINDS.get(self.kind, self.kind)
