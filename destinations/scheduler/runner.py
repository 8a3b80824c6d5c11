"""Running one job once: the clock, the run record, the claims and the unit of work.

Every way a job is started (the scheduler, catch-up, ``jobs run``, the admin page's "Run now")
comes through ``execute``, so each run is recorded the same way:

1. a ``JobRun`` row is written and committed ("running"), so a run in progress shows;
2. the job's work runs in one transaction with its claims, committed once;
3. the row is finished with the outcome and counts, in its own transaction, so a failed
   job's rollback never loses the record of its failure.

Nothing here ever puts a message from an exception into the database or the log: database
errors quote the values they choke on, and those could be anyone's details. The kind of
error and the line it came from are enough to find it.
"""
from __future__ import annotations

import logging
import os
import socket
import traceback
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from destinations.database import utcnow
from destinations.extensions import db
from destinations.scheduler.models import JobClaim, JobRun
from destinations.scheduler.table import JOBS_BY_NAME, JobSpec, period_of

log = logging.getLogger(__name__)

# Advisory lock namespace for "this job is running" (two-int form; the leadership lock uses
# the one-bigint form, and PostgreSQL keeps the two key spaces apart).
JOB_LOCK_NAMESPACE = 0x44505331  # "DPS1"
_CHUNK = 500
_registered_app: Flask | None = None


class JobError(RuntimeError):
    """A failure whose message is safe to keep: it names no person and no value."""


def use_app(app: Flask) -> None:
    """The app that jobs run in when they are called outside one (the scheduler's threads)."""
    global _registered_app
    _registered_app = app


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()
    if _registered_app is None:
        raise JobError("Jobs run inside the app: start them with 'flask --app wsgi jobs run' or the scheduler.")
    return _registered_app


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


@dataclass(frozen=True)
class Clock:
    """When a run happens "as if": ``today`` in the council's time zone, and ``now`` in UTC."""

    today: date
    now: datetime
    tz: ZoneInfo

    @classmethod
    def for_run(cls, on: date | str | None, tz: ZoneInfo, real_now: datetime | None = None) -> Clock:
        real_now = (real_now or utcnow()).astimezone(tz)
        if on is None:
            return cls(real_now.date(), real_now.astimezone(timezone.utc), tz)
        day = parse_day(on) if isinstance(on, str) else on
        moment = datetime.combine(day, real_now.time().replace(tzinfo=None), tzinfo=tz)
        return cls(day, moment.astimezone(timezone.utc), tz)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD, for example 2026-11-23.") from None


@dataclass
class JobContext:
    """What a job's work gets: its session, the clock, the settings and its claims."""

    spec: JobSpec
    session: Session
    clock: Clock
    config: Mapping[str, Any]
    period: str
    run_id: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.clock.today

    @property
    def now(self) -> datetime:
        return self.clock.now

    def claim(self, subject: str, period: str | None = None) -> bool:
        """Claim one subject for this period; False when an earlier run already did it."""
        return subject in self.claim_many([subject], period)

    def claim_many(self, subjects: Iterable[str], period: str | None = None) -> set[str]:
        """Claim each subject for this period; returns those no earlier run has claimed.

        The claims are written in the job's own transaction, so they hold only if the work
        they stand for is committed with them.
        """
        period = period or self.period
        wanted = list(dict.fromkeys(subjects))
        if not wanted:
            return set()
        taken: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            taken.update(
                self.session.scalars(
                    select(JobClaim.subject).where(JobClaim.job == self.spec.name, JobClaim.period == period, JobClaim.subject.in_(chunk))
                )
            )
        fresh = [subject for subject in wanted if subject not in taken]
        if fresh:
            claimed_at = utcnow()
            self.session.execute(
                insert(JobClaim),
                [
                    {"job": self.spec.name, "subject": subject, "period": period, "run_id": self.run_id, "claimed_at": claimed_at}
                    for subject in fresh
                ],
            )
        return set(fresh)

    def claim_pairs(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Claim (subject, period) pairs whose periods differ (roll ends, say); returns the fresh ones."""
        by_period: dict[str, list[str]] = {}
        for subject, period in pairs:
            by_period.setdefault(period, []).append(subject)
        fresh: set[tuple[str, str]] = set()
        for period, subjects in by_period.items():
            fresh.update((subject, period) for subject in self.claim_many(subjects, period))
        return fresh


Work = Callable[[JobContext], Mapping[str, int] | None]


@dataclass(frozen=True)
class RunResult:
    run_id: int
    job: str
    period: str
    outcome: str
    counts: dict[str, int]
    error: str | None


def summarise_error(error: BaseException) -> str:
    """The kind of error and the project line it came from; the message only for JobError."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if "/destinations/" in frame.filename.replace(os.sep, "/")]
    where = ""
    if ours:
        frame = ours[-1]
        path = frame.filename.replace(os.sep, "/")
        where = f" at {path[path.rindex('/destinations/') + 1:]} line {frame.lineno} ({frame.name})"
    message = f": {error}" if isinstance(error, JobError) else ""
    return f"{type(error).__name__}{message}{where}"[:500]


def _log_failure(spec: JobSpec, run_id: int, error: BaseException) -> None:
    # The frames, never the message: see the module docstring.
    ours = [frame for frame in traceback.extract_tb(error.__traceback__) if "/destinations/" in frame.filename.replace(os.sep, "/")]
    frames = "".join(traceback.format_list(ours))
    log.error("job %s (run %s) failed: %s\n%s", spec.name, run_id, summarise_error(error), frames, extra={"job": spec.name, "run_id": run_id})


def _start(spec: JobSpec, clock: Clock, period: str, trigger: str, requested_by_id: int | None) -> int:
    with db.session_factory() as session:
        run = JobRun(
            job=spec.name, period=period, run_on=clock.today, trigger=trigger, runner=runner_name(),
            started_at=utcnow(), outcome="running", counts={}, requested_by_id=requested_by_id,
        )  # fmt: skip
        session.add(run)
        session.commit()
        return run.id


def _finish(run_id: int, outcome: str, counts: Mapping[str, int], error: str | None) -> None:
    with db.session_factory() as session:
        session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(outcome=outcome, counts=dict(counts), error=error, finished_at=utcnow())
        )
        session.commit()


def _job_lock(session: Session, spec: JobSpec) -> bool:
    """Hold "this job is running" for the transaction; False if another run holds it.

    On SQLite every transaction starts with the write lock (BEGIN IMMEDIATE), so two runs
    already take turns; PostgreSQL needs telling.
    """
    if session.get_bind().dialect.name != "postgresql":
        session.execute(select(JobRun.id).limit(1))  # starts the transaction, taking the write lock
        return True
    key = zlib.crc32(spec.name.encode()) & 0x7FFFFFFF
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:namespace, :key)"), {"namespace": JOB_LOCK_NAMESPACE, "key": key}))


def execute(name: str, work: Work, on: date | str | None = None, *, trigger: str = "command", requested_by_id: int | None = None) -> RunResult:
    """Run job ``name``'s ``work`` once, as if on ``on`` (today when None), and record it."""
    spec = JOBS_BY_NAME[name]
    app = _app()
    with app.app_context():
        config = app.config
        clock = Clock.for_run(on, ZoneInfo(config["SCHEDULER_TIMEZONE"]))
        period = period_of(spec, clock.today, clock.local_now, config)
        run_id = _start(spec, clock, period, trigger, requested_by_id)
        counts: dict[str, int] = {}
        outcome, error = "ok", None
        try:
            with db.session_factory() as session:
                context = JobContext(spec, session, clock, config, period, run_id)
                if not _job_lock(session, spec):
                    outcome, error = "skipped", "Another run of this job was in progress, so this one did nothing."
                elif spec.once_per_period and not context.claim("run"):
                    outcome, error = "skipped", f"Already done for {period}: nothing was repeated."
                else:
                    result = work(context)
                    counts = {key: int(value) for key, value in {**context.counts, **(result or {})}.items()}
                session.commit()
        except Exception as failure:  # a failing job is recorded and the scheduler carries on
            outcome, error, counts = "failed", summarise_error(failure), {}
            _log_failure(spec, run_id, failure)
        _finish(run_id, outcome, counts, error)
        log.info("job %s %s for %s: %s", name, outcome, period, counts, extra={"job": name, "run_id": run_id})
        return RunResult(run_id, name, period, outcome, counts, error)


def job(name: str) -> Callable[[Work], Callable[..., dict]]:
    """Turn ``work(context)`` into the job callable the scheduler calls by name.

    The callable takes plain values only (the date as ISO text, who asked), so it can be
    stored and sent anywhere; ``work`` stays reachable as ``.work`` for tests and benchmarks.
    """
    if name not in JOBS_BY_NAME:
        raise ValueError(f"{name} is not in the job table")

    def decorate(work: Work) -> Callable[..., dict]:
        def run(today: str | None = None, trigger: str = "schedule", requested_by_id: int | None = None) -> dict:
            result = execute(name, work, today, trigger=trigger, requested_by_id=requested_by_id)
            return {"run_id": result.run_id, "outcome": result.outcome, "period": result.period, "counts": result.counts, "error": result.error}

        run.__name__ = run.__qualname__ = work.__name__
        run.__module__ = work.__module__
        run.__doc__ = work.__doc__
        run.work = work
        return run

    return decorate


def stale_before(hours: int = 6) -> datetime:
    return utcnow() - timedelta(hours=hours)


def mark_interrupted(session: Session, since: datetime) -> int:
    """Runs left "running" by a scheduler that stopped: started on schedule before ``since``,
    or by hand long ago. Returns how many were closed as failed."""
    interrupted = session.execute(
        update(JobRun)
        .where(
            JobRun.outcome == "running",
            ((JobRun.trigger.in_(("schedule", "catch_up")) & (JobRun.started_at < since)) | (JobRun.started_at < stale_before())),
        )
        .values(outcome="failed", error="Interrupted: the process running it stopped before it finished.", finished_at=utcnow())
    )
    return interrupted.rowcount or 0

