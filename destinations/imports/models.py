from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from destinations.database import Base, utcnow

if TYPE_CHECKING:
    from destinations.auth.models import User

IMPORT_KINDS = {"young_people": "Young people", "destinations": "Destinations"}
OUTCOMES = {
    "checked": "Checked (nothing imported)",
    "imported": "Imported",
    "refused": "Not imported: the file has problems",
    "unreadable": "Not imported: the file could not be read",
}


class ImportRun(Base):
    """One upload of a file: what kind, by whom, and what it did, in counts only.

    Neither the file nor its name is kept (a file name can name a child); the SHA-256
    digest is what lets a confirmation prove it is the file that was previewed.
    """

    __tablename__ = "import_run"
    __table_args__ = (
        CheckConstraint("kind IN ('young_people', 'destinations')", name="kind"),
        CheckConstraint("outcome IN ('checked', 'imported', 'refused', 'unreadable')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))  # "web" or "api"
    dry_run: Mapped[bool]
    outcome: Mapped[str] = mapped_column(String(20))
    file_format: Mapped[str | None] = mapped_column(String(4))
    file_size: Mapped[int] = mapped_column(default=0)
    file_digest: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    by: Mapped[User | None] = relationship()

    @property
    def kind_name(self) -> str:
        return IMPORT_KINDS.get(self.kind, self.kind)

    @property
    def outcome_name(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)


class DetailChange(Base):
    """A change to one of a young person's details, with the value before and after.

    Pathway and keyworker changes keep their own histories (PathwayChange,
    KeyworkerAssignment); this keeps the rest, so an import or a manager's edit that corrects
    a date of birth or a primary need can be traced and, if wrong, put back. ``source`` is
    "import" (with ``import_run_id``) or "edit" (a change made on the record's page or by PATCH).
    """

    __tablename__ = "detail_change"
    __table_args__ = (Index("ix_detail_change_person_changed", "young_person_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="import")
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id", ondelete="SET NULL"), index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    changed_by: Mapped[User | None] = relationship()
