"""Reading the job table and its history for the admin page and ``jobs list``; running a job by name."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import ref_to_obj
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from destinations.database import utcnow
from destinations.scheduler.models import JobRun, SchedulerHeartbeat
from destinations.scheduler.table import JOBS, JOBS_BY_NAME, JobSpec, describe, make_trigger, schedule_text


@dataclass
class JobOverview:
    spec: JobSpec
    schedule: str  # in words
    schedule_text: str
    next_run: datetime | None
    last_run: JobRun | None
    last_failure: JobRun | None


def check_schedules(config: Mapping) -> None:
    """Raise ScheduleError for the first schedule setting that cannot be read."""
    tz = ZoneInfo(config["SCHEDULER_TIMEZONE"])
    unknown = sorted(set(config.get("SCHEDULES") or {}) - set(JOBS_BY_NAME))
    if unknown:
        from destinations.scheduler.table import ScheduleError

        raise ScheduleError(
            f"SCHEDULE_{unknown[0].upper()} names no job. Jobs: {', '.join(JOBS_BY_NAME)} (as SCHEDULE_ROLL_END, for example)."
        )
    for spec in JOBS:
        make_trigger(schedule_text(spec, config), tz)


def next_run(spec: JobSpec, config: Mapping, last_run: JobRun | None, now: datetime | None = None) -> datetime | None:
    """When the scheduler will next run ``spec`` (an interval job: one interval after its last run)."""
    tz = ZoneInfo(config["SCHEDULER_TIMEZONE"])
    trigger = make_trigger(schedule_text(spec, config), tz)
    if trigger is None:
        return None
    now = (now or utcnow()).astimezone(tz)
    if isinstance(trigger, IntervalTrigger):
        return max(now, last_run.started_at + trigger.interval) if last_run else now
    return trigger.get_next_fire_time(None, now)


def latest_runs(session: Session, *, outcome: str | None = None) -> dict[str, JobRun]:
    """Each job's most recent run (with ``outcome``, if given), in one query."""
    newest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job)
    if outcome:
        newest = newest.where(JobRun.outcome == outcome)
    newest = newest.subquery()
    runs = session.scalars(select(JobRun).join(newest, newest.c.id == JobRun.id))
    return {run.job: run for run in runs}


def job_overview(session: Session, config: Mapping) -> list[JobOverview]:
    last = latest_runs(session)
    failures = latest_runs(session, outcome="failed")
    rows = []
    for spec in JOBS:
        text = schedule_text(spec, config)
        latest = last.get(spec.name)
        rows.append(JobOverview(spec, describe(text), text, next_run(spec, config, latest), latest, failures.get(spec.name)))
    return rows


def recent_runs(session: Session, name: str, *, limit: int = 20, offset: int = 0, failed_only: bool = False) -> tuple[list[JobRun], int]:
    query = select(JobRun).where(JobRun.job == name)
    if failed_only:
        query = query.where(JobRun.outcome == "failed")
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    runs = session.scalars(query.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit).offset(offset))
    return list(runs), int(total)


def heartbeat(session: Session) -> SchedulerHeartbeat | None:
    return session.get(SchedulerHeartbeat, 1)


def heartbeat_is_fresh(beat: SchedulerHeartbeat | None, config: Mapping, now: datetime | None = None) -> bool:
    """Whether a scheduler process has said it holds the lock recently enough to believe it."""
    if beat is None:
        return False
    limit = timedelta(seconds=max(60.0, 4 * float(config["SCHEDULER_HEARTBEAT_SECONDS"])))
    return (now or utcnow()) - beat.beat_at <= limit


def run_job(name: str, on: str | None = None, *, trigger: str = "command", requested_by_id: int | None = None) -> dict:
    """Run a job by its table name, the way the scheduler does (by its import path)."""
    callable_ = ref_to_obj(JOBS_BY_NAME[name].func)
    return callable_(on, trigger=trigger, requested_by_id=requested_by_id)


def local_time(moment: datetime | None, config: Mapping) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(config["SCHEDULER_TIMEZONE"])).strftime("%Y-%m-%d %H:%M")
