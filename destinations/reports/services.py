"""Published reports: publishing demand snapshots, and who may see which.

Managers publish and see everything. A college user sees published snapshots only: the
area-wide ones and the slices for their own provider (none when their account has no
provider). Anything else is treated as if it did not exist. Services add and flush; the view
that owns the unit of work audits and commits.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session, defer, joinedload

from destinations.auth.models import User
from destinations.database import utcnow
from destinations.people import roll
from destinations.reports import demand
from destinations.reports.models import PublishedReport

DEMAND = "demand"


class NotAllowed(PermissionError):
    """Only managers publish reports."""


def start_year(academic_year: int | str) -> int:
    """The start year of an academic year given as 2027 or "2027/28"."""
    return academic_year if isinstance(academic_year, int) else roll.parse_academic_year_label(academic_year)


def publish_demand(
    session: Session,
    academic_year: int | str,
    by: User,
    today: date,
    settings: demand.ReportSettings | None = None,
) -> tuple[PublishedReport, list[PublishedReport]]:
    """Freeze the demand report for ``academic_year``: the area-wide snapshot and one slice per
    provider named for that year, each protected on its own, written together."""
    if by.role != "manager":
        raise NotAllowed("Only managers can publish reports.")
    settings = settings or demand.ReportSettings()
    year = start_year(academic_year)
    area, slices = demand.demand_reports_for_publication(session, year, today, settings)
    published_at = utcnow()

    def snapshot(report: dict[str, Any], provider_id: int | None) -> PublishedReport:
        return PublishedReport(
            kind=DEMAND,
            academic_year=roll.academic_year_label(year),
            provider_id=provider_id,
            published_at=published_at,
            published_by_id=by.id,
            parameters=report["parameters"],
            report=report,
        )

    area_snapshot = snapshot(area, None)
    slice_snapshots = [snapshot(report, provider_id) for provider_id, report in slices.items()]
    session.add_all([area_snapshot, *slice_snapshots])
    session.flush()
    return area_snapshot, slice_snapshots


def visible_reports(user: User) -> Select:
    """Every published report ``user`` may see."""
    query = select(PublishedReport)
    if user.role == "manager":
        return query
    if user.role == "college":
        own = PublishedReport.provider_id == user.provider_id if user.provider_id is not None else false()
        return query.where(or_(PublishedReport.provider_id.is_(None), own))
    return query.where(false())


def get_visible_report(session: Session, user: User, report_id: int) -> PublishedReport | None:
    """The snapshot if ``user`` may see it; None otherwise, so callers answer 404."""
    return session.scalar(visible_reports(user).where(PublishedReport.id == report_id))


def list_reports(
    session: Session, user: User, *, kind: str = DEMAND, academic_year: str | None = None, limit: int = 20, offset: int = 0
) -> tuple[list[PublishedReport], int]:
    """One page of the snapshots ``user`` may see, newest first, and how many there are."""
    query = visible_reports(user).where(PublishedReport.kind == kind)
    if academic_year:
        query = query.where(PublishedReport.academic_year == academic_year)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(joinedload(PublishedReport.provider), defer(PublishedReport.report), defer(PublishedReport.parameters))
        .order_by(PublishedReport.published_at.desc(), PublishedReport.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)
