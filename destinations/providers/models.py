from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from destinations.database import Base, utcnow

PROVIDER_KINDS = {
    "school": "School",
    "special_school": "Special school",
    "college": "Further education college",
    "sixth_form_college": "Sixth form college",
    "specialist_college": "Independent specialist college",
    "training": "Training provider",
    "university": "University",
    "employer": "Employer",
    "day_service": "Adult social care day service",
    "other": "Other",
}


class Provider(Base):
    """A school, college or other provider young people attend or want to attend."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    urn: Mapped[str | None] = mapped_column(String(7), unique=True)
    ukprn: Mapped[str | None] = mapped_column(String(8), unique=True)
    postcode: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_name(self) -> str:
        return PROVIDER_KINDS.get(self.kind, self.kind)
