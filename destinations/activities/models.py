from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from destinations.database import Base, utcnow

if TYPE_CHECKING:
    from destinations.auth.models import User
    from destinations.people.models import YoungPerson
    from destinations.providers.models import Provider


class ActivityRecord(Base):
    """What a young person is (or was) doing, from when to when, and how we know.

    Records may overlap or contradict each other (real data is messy); the service flags
    that rather than refusing it. A record from the young person's own report is kept beside
    verified records and never replaces one.
    """

    __tablename__ = "activity_record"
    __table_args__ = (
        CheckConstraint("source IN ('keyworker', 'young_person', 'import')", name="source"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates_in_order"),
        CheckConstraint("hours_per_week IS NULL OR (hours_per_week >= 0 AND hours_per_week <= 168)", name="hours"),
        # Timelines, the current activity and the sustained-destination rule read a person's
        # records in date order.
        Index("ix_activity_record_person_started", "young_person_id", "started_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    activity_code: Mapped[str] = mapped_column(String(4))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    provider_name: Mapped[str | None] = mapped_column(String(200))
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    level: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    verified: Mapped[bool] = mapped_column(default=False)
    # The last day someone confirmed this activity was still going on.
    confirmed_on: Mapped[date | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    young_person: Mapped[YoungPerson] = relationship()
    provider: Mapped[Provider | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
