"""Stored outcomes: each young person's sustained destination for a leaving cohort, and what
they are doing one and two years after the age of transition."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from destinations.database import Base, utcnow
from destinations.reviews.reference import OUTCOME_AREAS

if TYPE_CHECKING:
    from destinations.auth.models import User
    from destinations.people.models import YoungPerson

CHECKPOINTS = {"1y": "One year after the age of transition", "2y": "Two years after the age of transition"}
CHECKPOINT_YEARS = {"1y": 1, "2y": 2}

LIVING_ARRANGEMENTS = {
    "family_home": "Family home",
    "supported_living": "Supported living",
    "tenancy": "Shared or independent tenancy",
    "residential_care": "Residential care",
    "other": "Other",
}

PROGRESS = {
    "achieved": "Achieved",
    "progressing": "Progressing",
    "no_progress": "No progress",
    "not_known": "Not known",
}

AREA_LABELS = {
    "employment": "Employment (including further and higher education)",
    "independent_living": "Independent living",
    "community": "Friends, relationships and community",
    "health": "Good health",
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class DestinationOutcome(Base):
    """A young person's sustained-destination outcome for one leaving cohort, as last worked out.

    Written by :func:`destinations.outcomes.services.evaluate_cohort` once the cohort's
    destination year is over; ``evaluated_at`` is when the outcome was first found or last
    changed, so evaluating again when nothing changed writes nothing.
    """

    __tablename__ = "destination_outcome"
    __table_args__ = (
        # Cohort first: the report and the evaluation read one cohort's rows on this index.
        UniqueConstraint("cohort", "young_person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"), index=True)
    cohort: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(30))
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)

    young_person: Mapped[YoungPerson] = relationship()


class LongTermOutcome(Base):
    """What a keyworker found at a check one or two years after the age of transition."""

    __tablename__ = "long_term_outcome"
    __table_args__ = (
        UniqueConstraint("young_person_id", "checkpoint"),
        CheckConstraint(_in("checkpoint", CHECKPOINTS), name="checkpoint"),
        CheckConstraint(_in("living_arrangement", LIVING_ARRANGEMENTS), name="living_arrangement"),
        *(
            CheckConstraint(_in(f"progress_{area}", PROGRESS), name=f"progress_{area}")
            for area in OUTCOME_AREAS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    checkpoint: Mapped[str] = mapped_column(String(2))
    recorded_on: Mapped[date]
    living_arrangement: Mapped[str] = mapped_column(String(20))
    # None: not known. Activity records with hours for paid work count too (see the report).
    paid_work_16_plus: Mapped[bool | None]
    progress_employment: Mapped[str] = mapped_column(String(20))
    progress_independent_living: Mapped[str] = mapped_column(String(20))
    progress_community: Mapped[str] = mapped_column(String(20))
    progress_health: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    young_person: Mapped[YoungPerson] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def progress(self, area: str) -> str:
        return getattr(self, f"progress_{area}")
