from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from destinations.database import Base, utcnow

if TYPE_CHECKING:
    from destinations.auth.models import User
    from destinations.people.models import YoungPerson
    from destinations.providers.models import Provider

REVIEW_STATUSES = ("draft", "complete")


class ReferenceItem(Base):
    """One entry in a council-editable list (review types, routes, levels...), by stable code."""

    __tablename__ = "reference_item"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Review(Base):
    """A preparation-for-adulthood review; a draft until the keyworker completes it."""

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'complete')", name="status"),
        CheckConstraint("status = 'draft' OR held_on IS NOT NULL", name="complete_has_date"),
        Index("ix_review_person_status_held", "young_person_id", "status", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    held_on: Mapped[date | None]
    review_type: Mapped[str | None] = mapped_column(String(40))
    young_person_present: Mapped[bool | None]
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    participants_other: Mapped[str | None] = mapped_column(Text)
    young_persons_words: Mapped[str | None] = mapped_column(Text)
    aspiration_employment: Mapped[str | None] = mapped_column(Text)
    aspiration_independent_living: Mapped[str | None] = mapped_column(Text)
    aspiration_community: Mapped[str | None] = mapped_column(Text)
    aspiration_health: Mapped[str | None] = mapped_column(Text)
    destinations_statement: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    amended_at: Mapped[datetime | None]
    amended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    young_person: Mapped[YoungPerson] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    amended_by: Mapped[User | None] = relationship(foreign_keys=[amended_by_id])
    next_steps: Mapped[list[NextStep]] = relationship(
        back_populates="review", order_by="NextStep.position", cascade="all, delete-orphan", passive_deletes=True
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="review", order_by="Action.id", cascade="all, delete-orphan", passive_deletes=True
    )
    revisions: Mapped[list[ReviewRevision]] = relationship(
        back_populates="review", order_by="ReviewRevision.id", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_complete(self) -> bool:
        return self.status == "complete"

    @property
    def amended(self) -> bool:
        return self.amended_at is not None


class NextStep(Base):
    """An intended next step agreed at a review: what, at what level, from which academic year."""

    __tablename__ = "next_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # Nullable only so a half-finished draft keeps what was typed; a complete review has them all.
    start_year: Mapped[int | None] = mapped_column(index=True)
    route: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[str | None] = mapped_column(String(40))
    sector_subject_area: Mapped[str | None] = mapped_column(String(40))
    attendance: Mapped[str | None] = mapped_column(String(40))
    # The young person's id while this step is on their latest complete review, else NULL
    # (kept by reviews.current; reports read current intentions through it).
    current_person_id: Mapped[int | None] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    current_held_on: Mapped[date | None]  # the date that review was held, while the step is current

    review: Mapped[Review] = relationship(back_populates="next_steps")
    provider_links: Mapped[list[NextStepProvider]] = relationship(
        back_populates="next_step", order_by="NextStepProvider.position", cascade="all, delete-orphan", passive_deletes=True
    )
    support_need_links: Mapped[list[NextStepSupportNeed]] = relationship(
        back_populates="next_step", order_by="NextStepSupportNeed.position", cascade="all, delete-orphan", passive_deletes=True
    )
    providers: Mapped[list[Provider]] = relationship(
        secondary="next_step_provider", order_by="NextStepProvider.position", viewonly=True
    )

    @property
    def provider_ids(self) -> list[int]:
        return [link.provider_id for link in self.provider_links]

    @property
    def support_need_codes(self) -> list[str]:
        return [link.code for link in self.support_need_links]


class NextStepProvider(Base):
    """A preferred provider for a next step, in order of preference."""

    __tablename__ = "next_step_provider"

    next_step_id: Mapped[int] = mapped_column(ForeignKey("next_step.id", ondelete="CASCADE"), primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    next_step: Mapped[NextStep] = relationship(back_populates="provider_links")


class NextStepSupportNeed(Base):
    """A support need for a next step (a ``support_need`` reference code)."""

    __tablename__ = "next_step_support_need"

    next_step_id: Mapped[int] = mapped_column(ForeignKey("next_step.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    next_step: Mapped[NextStep] = relationship(back_populates="support_need_links")


class CurrentIntention(Base):
    """What one young person intends for one academic year: one row per young person and start
    year, from the next steps of their latest complete review (kept with the current mark by
    ``reviews.current``), so the demand report counts young people from one row each instead of
    ranking their steps and looking up each step's support needs and providers.

    ``route``, ``level`` and ``sector_subject_area`` are those of the first step in the year.
    ``support_needs``, ``provider_ids`` and ``attendance`` are the sets named across all the
    year's steps, written as distinct comma-separated codes (NULL when there are none); a step
    with no attendance recorded adds an empty code to ``attendance``. The report groups by the
    whole set, so the database returns one row per combination, and splits it afterwards.
    """

    __tablename__ = "current_intention"

    start_year: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"), primary_key=True, index=True)
    held_on: Mapped[date]
    route: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[str | None] = mapped_column(String(40))
    sector_subject_area: Mapped[str | None] = mapped_column(String(40))
    support_needs: Mapped[str | None] = mapped_column(Text)
    provider_ids: Mapped[str | None] = mapped_column(Text)
    attendance: Mapped[str | None] = mapped_column(Text)


class Action(Base):
    """An action agreed for a young person, with an owner, a due date and whether it is done."""

    __tablename__ = "review_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None]
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    young_person: Mapped[YoungPerson] = relationship()
    review: Mapped[Review | None] = relationship(back_populates="actions")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    __mapper_args__ = {"version_id_col": version}

    def is_overdue(self, today: date) -> bool:
        return not self.done and self.due_on is not None and self.due_on < today


class ReviewRevision(Base):
    """A completed review as it was before someone changed it (the amendment history)."""

    __tablename__ = "review_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    revised_at: Mapped[datetime] = mapped_column(default=utcnow)
    revised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    review: Mapped[Review] = relationship(back_populates="revisions")
    revised_by: Mapped[User | None] = relationship()
