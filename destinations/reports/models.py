from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from destinations.database import Base, utcnow
from destinations.reviews.models import Review

if TYPE_CHECKING:
    from destinations.auth.models import User
    from destinations.providers.models import Provider

REPORT_KINDS = {"demand": "Demand report"}


class PublishedReport(Base):
    """A report as it was published: who, when, for what, and the protected tables themselves.

    A snapshot never changes once written, so what a college downloaded can always be shown
    again exactly; later changes to reviews only reach the next publication.
    """

    __tablename__ = "published_report"
    __table_args__ = (Index("ix_published_report_kind_year", "kind", "academic_year", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    academic_year: Mapped[str] = mapped_column(String(7))
    # None for the area-wide report; otherwise the slice of young people who named this provider.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)

    provider: Mapped[Provider | None] = relationship()
    published_by: Mapped[User | None] = relationship()


class SnapshotIsImmutable(RuntimeError):
    """Raised on any attempt to change a published report."""


@event.listens_for(PublishedReport, "before_update")
def _refuse_update(_mapper, _connection, target: PublishedReport) -> None:
    raise SnapshotIsImmutable(f"published report {target.id} cannot be changed; publish a new one instead")


# How each young person's latest complete review is found when the current next steps are
# marked (reviews.current): on PostgreSQL one backward walk of this index, in the order wanted
# (young person, then latest held, then latest logged), reading no table rows.
Index(
    "ix_review_complete_person_held_id",
    Review.young_person_id,
    Review.held_on,
    Review.id,
    postgresql_where=text("status = 'complete'"),
    sqlite_where=text("status = 'complete'"),
)
