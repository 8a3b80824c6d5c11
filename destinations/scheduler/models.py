from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from destinations.database import Base, utcnow
from destinations.keep_in_touch.models import KeepInTouchLink
from destinations.reviews.models import NextStep

OUTCOMES = {"running": "Running", "ok": "Done", "failed": "Failed", "skipped": "Skipped"}
TRIGGERS = {"schedule": "On schedule", "catch_up": "Catching up", "manual": "Run now", "command": "Command line"}


class JobRun(Base):
    """One run of a scheduled job: when, for which period, how it ended and what it did.

    ``counts`` holds numbers only and ``error`` the kind and place of a failure, never its
    message, so nothing about a young person can reach this table.
    """

    __tablename__ = "job_run"
    __table_args__ = (
        CheckConstraint("outcome IN ('running', 'ok', 'failed', 'skipped')", name="outcome"),
        CheckConstraint("trigger IN ('schedule', 'catch_up', 'manual', 'command')", name="trigger"),
        # The admin page and catch-up read a job's runs newest first.
        Index("ix_job_run_job_started", "job", "started_at"),
        Index("ix_job_run_job_period", "job", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(20))
    run_on: Mapped[date]  # the date the job ran "as if on"
    trigger: Mapped[str] = mapped_column(String(10))
    runner: Mapped[str] = mapped_column(String(120))  # host:pid, so operators can tell which process ran it
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(10), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def outcome_name(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class JobClaim(Base):
    """That a job has done its work for one subject in one period.

    The unique key is what makes a job safe to repeat: a second run for the same period finds
    the claim and leaves the subject alone. A claim is written in the same transaction as the
    work it stands for, so a run that fails leaves no claim and the next run does the work.
    """

    __tablename__ = "job_claim"
    __table_args__ = (UniqueConstraint("job", "subject", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(60))  # "keyworker:12", "person:345", "run": ids only
    period: Mapped[str] = mapped_column(String(20))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_run.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SchedulerHeartbeat(Base):
    """The scheduler process that holds the leadership lock, and when it last said so.

    One row, rewritten by the leader every few seconds, so the admin page can say whether
    jobs are running at all.
    """

    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    runner: Mapped[str] = mapped_column(String(120))
    leader_since: Mapped[datetime]
    beat_at: Mapped[datetime]


# Retention deletes young people and everything that hangs off them. Each deleted row makes
# the database check (or cascade to) the rows that point at it, which without an index on the
# pointing column is a scan of that table per deleted row: at county scale, 549 people took
# 17 seconds, all of it scanning next_step. These indexes belong to that job, so they are
# declared here, beside it.
Index("ix_next_step_current_person", NextStep.current_person_id)
Index("ix_keep_in_touch_link_outbox_message", KeepInTouchLink.outbox_message_id)
