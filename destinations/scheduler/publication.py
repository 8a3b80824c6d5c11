"""Termly publication of demand reports, and the account scheduled work acts as.

Publishing needs a manager (``reports.services.publish_demand`` checks), and every snapshot
names who published it. Scheduled publications are made by a dedicated "Scheduled jobs"
account rather than a real manager's, so nobody appears to have done what they did not.
The account is a manager that can never sign in: it is inactive and has no password.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from destinations.audit.services import record_event
from destinations.auth.models import User
from destinations.people import roll
from destinations.reports import services as report_services
from destinations.reports.demand import ReportSettings
from destinations.scheduler.runner import JobContext

SYSTEM_EMAIL = "scheduled-jobs@system.invalid"
SYSTEM_NAME = "Scheduled jobs"
YEARS_AHEAD = (1, 2)  # the next academic year and the one after (DOMAIN.md section 6)


def system_account(session: Session) -> User:
    """The account scheduled work acts as, made on first use."""
    user = session.scalar(select(User).where(User.email == SYSTEM_EMAIL))
    if user is None:
        user = User(email=SYSTEM_EMAIL, name=SYSTEM_NAME, role="manager", password_hash=None, active=False)
        session.add(user)
        session.flush()
    return user


def publish_termly(context: JobContext) -> dict[str, int]:
    """Publish the demand reports for the publication date this run belongs to, once each."""
    session, today = context.session, context.today
    current = roll.academic_year_of(today)
    years = [current + ahead for ahead in YEARS_AHEAD]
    fresh = context.claim_many(f"demand:{roll.academic_year_label(year)}" for year in years)
    counts = {"reports_published": 0, "college_slices_published": 0, "already_published": len(years) - len(fresh)}
    if not fresh:
        return counts
    by = system_account(session)
    settings = ReportSettings.from_config(context.config)
    for year in years:
        label = roll.academic_year_label(year)
        if f"demand:{label}" not in fresh:
            continue
        area, slices = report_services.publish_demand(session, year, by, today, settings)
        record_event(
            session, "create", actor_type="system", object_type="report", object_id=area.id,
            detail={"kind": report_services.DEMAND, "academic_year": label, "slices": len(slices), "job": context.spec.name},
        )  # fmt: skip
        counts["reports_published"] += 1
        counts["college_slices_published"] += len(slices)
    return counts
