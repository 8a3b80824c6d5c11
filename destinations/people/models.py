from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from destinations.database import Base, utcnow

if TYPE_CHECKING:
    from destinations.auth.models import User
    from destinations.providers.models import Provider


class YoungPerson(Base):
    """A young person on (or coming onto) the roll. Roll dates are computed, never stored."""

    __tablename__ = "young_person"
    __table_args__ = (
        CheckConstraint("sen_provision IN ('E', 'K')", name="sen_provision"),
        CheckConstraint("pathway IS NULL OR pathway IN (1, 2, 3)", name="pathway"),
        Index("ix_young_person_keyworker_family", "keyworker_id", "family_name"),
        Index("ix_young_person_family_given", "family_name", "given_name"),
        # Covers the year group and status filters, so counting their matches never reads the table.
        Index("ix_young_person_dob_left_on", "date_of_birth", "left_on"),
        # Keep-in-touch: "send me a new link" finds a young person by the contact they type.
        Index("ix_young_person_email", "email"),
        Index("ix_young_person_mobile", "mobile"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upn: Mapped[str | None] = mapped_column(String(13), unique=True)
    council_person_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    sen_provision: Mapped[str] = mapped_column(String(1))
    primary_need: Mapped[str] = mapped_column(String(4))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    keyworker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    pathway: Mapped[int | None]
    left_on: Mapped[date | None] = mapped_column(index=True)
    left_reason: Mapped[str | None] = mapped_column(String(30))
    # Keep-in-touch contact and consent (DOMAIN section 8); see destinations/keep_in_touch.
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(20))
    preferred_channel: Mapped[str | None] = mapped_column(String(5))
    keep_in_touch_consent: Mapped[bool] = mapped_column(default=False)
    messages_stopped_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    school: Mapped[Provider | None] = relationship()
    keyworker: Mapped[User | None] = relationship(foreign_keys=[keyworker_id])
    pathway_changes: Mapped[list[PathwayChange]] = relationship(
        back_populates="young_person", order_by="PathwayChange.changed_at", cascade="all, delete-orphan"
    )
    keyworker_assignments: Mapped[list[KeyworkerAssignment]] = relationship(
        back_populates="young_person", order_by="KeyworkerAssignment.assigned_at", cascade="all, delete-orphan"
    )
    extensions: Mapped[list[RollExtension]] = relationship(
        back_populates="young_person", order_by="RollExtension.created_at", cascade="all, delete-orphan"
    )
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="young_person", order_by="StatusChange.created_at", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class PathwayChange(Base):
    """Every change of pathway, with its reason and who made it (pathways describe an offer)."""

    __tablename__ = "pathway_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"), index=True)
    from_pathway: Mapped[int | None]
    to_pathway: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    young_person: Mapped[YoungPerson] = relationship(back_populates="pathway_changes")
    changed_by: Mapped[User | None] = relationship()


class KeyworkerAssignment(Base):
    """Keyworker history: who held the young person's case, from when, assigned by whom."""

    __tablename__ = "keyworker_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"), index=True)
    keyworker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    young_person: Mapped[YoungPerson] = relationship(back_populates="keyworker_assignments")
    keyworker: Mapped[User | None] = relationship(foreign_keys=[keyworker_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])


class RollExtension(Base):
    """An extension of time on the roll; extensions stack and are kept as history."""

    __tablename__ = "roll_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"), index=True)
    previous_end: Mapped[date]
    new_end: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    review_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    young_person: Mapped[YoungPerson] = relationship(back_populates="extensions")
    created_by: Mapped[User | None] = relationship()


LEAVING_REASONS = {
    "end_of_roll": "Reached the end of the roll",
    "moved_out_of_area": "Moved out of the area",
    "opted_out": "Opted out",
    "died": "Died",
    "other": "Other",
}


class StatusChange(Base):
    """A dated, attributed change of roll status (leaving, or coming back on)."""

    __tablename__ = "status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    # On leaving: the activity code they had on their last day on the roll (their final destination).
    final_activity_code: Mapped[str | None] = mapped_column(String(4))
    effective_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    young_person: Mapped[YoungPerson] = relationship(back_populates="status_changes")
    created_by: Mapped[User | None] = relationship()
