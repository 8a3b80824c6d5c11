"""The scheduler process: wait to lead, then run the job table until stopped.

Only ``flask --app wsgi scheduler`` calls ``run_forever``; creating the app (as every web
worker does) never starts a scheduler.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import delete, select

from destinations.database import utcnow
from destinations.extensions import db
from destinations.scheduler import runner
from destinations.scheduler.leader import Leadership, leadership_for
from destinations.scheduler.models import JobRun, SchedulerHeartbeat
from destinations.scheduler.table import JOBS, JobSpec, make_trigger, period_of, previous_fire_time, schedule_text

log = logging.getLogger(__name__)

JOB_DEFAULTS = {
    # A run missed while the process was busy or asleep still happens, once, however late.
    "coalesce": True,
    "max_instances": 1,
    "misfire_grace_time": None,
}


def behind(session, spec: JobSpec, config: Mapping, now: datetime, tz: ZoneInfo) -> date | None:
    """The day of the job's most recent due time when that has no successful run for its
    period, else None. The catch-up runs as if on that day, so it fills that period: run as
    if today, between midnight and today's due time, it would fill the wrong one and the
    missed period would be caught up again at every restart."""
    trigger = make_trigger(schedule_text(spec, config), tz)
    if trigger is None:
        return None
    due = previous_fire_time(trigger, now.astimezone(tz))
    if due is None:
        return None
    local_due = due.astimezone(tz)
    period = period_of(spec, local_due.date(), local_due, config)
    done = session.scalar(select(JobRun.id).where(JobRun.job == spec.name, JobRun.period == period, JobRun.outcome == "ok").limit(1))
    return local_due.date() if done is None else None


def build_scheduler(config: Mapping, now: datetime | None = None) -> tuple[BlockingScheduler, list[str]]:
    """The scheduler with every job in the table that is not off, and a one-off catch-up run
    for each job that is behind. Returns it and the names of the jobs being caught up."""
    tz = ZoneInfo(config["SCHEDULER_TIMEZONE"])
    now = now or utcnow()
    # One worker: jobs take turns, so they never compete for rows (or, on SQLite, the write lock).
    scheduler = BlockingScheduler(timezone=tz, executors={"default": ThreadPoolExecutor(1)}, job_defaults=JOB_DEFAULTS)
    catching_up = []
    with db.session_factory() as session:
        for spec in JOBS:
            trigger = make_trigger(schedule_text(spec, config), tz)
            if trigger is None:
                continue
            scheduler.add_job(spec.func, trigger, id=spec.name, name=spec.title, kwargs={"trigger": "schedule"})
            missed = behind(session, spec, config, now, tz)
            if missed is not None:
                catching_up.append(spec.name)
                scheduler.add_job(
                    spec.func, "date", run_date=now, id=f"{spec.name}.catch_up", name=f"{spec.title} (catching up)",
                    kwargs={"trigger": "catch_up", "today": missed.isoformat()},
                )  # fmt: skip
    return scheduler, catching_up


class SchedulerProcess:
    def __init__(self, app: Flask, leadership: Leadership | None = None):
        self.app = app
        self.config = app.config
        self.leadership = leadership or leadership_for(app.config["DATABASE_URL"])
        self.stopping = threading.Event()
        self.scheduler: BlockingScheduler | None = None
        self.leader_since: datetime | None = None

    # --- signals ------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum, _frame) -> None:
        if self.stopping.is_set():
            raise SystemExit(1)  # asked twice: stop now
        log.info("scheduler stopping (signal %s); letting a running job finish", signum)
        self.stopping.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    # --- the loop -----------------------------------------------------------------------

    def run_forever(self) -> None:
        runner.use_app(self.app)
        # APScheduler says "Running job..." for every run (the leadership check every few
        # seconds); the runner logs each job's outcome, which is what an operator reads.
        for name in ("apscheduler.scheduler", "apscheduler.executors"):
            logging.getLogger(name).setLevel(logging.WARNING)
        retry = float(self.config["SCHEDULER_LOCK_RETRY_SECONDS"])
        waiting_said = False
        while not self.stopping.is_set():
            if not self.leadership.try_acquire():
                if not waiting_said:
                    log.info("another scheduler is running jobs; this one (%s) waits to take over", runner.runner_name())
                    waiting_said = True
                self.stopping.wait(retry)
                continue
            waiting_said = False
            try:
                self.lead()
            except Exception as error:  # the database went away, say: wait, then try to lead again
                log.error("scheduler stopped running jobs: %s; trying again shortly", runner.summarise_error(error))
                self.stopping.wait(retry)
            finally:
                self.scheduler = None
                self.leadership.release()
        log.info("scheduler stopped")

    def lead(self) -> None:
        self.leader_since = utcnow()
        log.info("scheduler %s is the leader: running jobs", runner.runner_name())
        with self.app.app_context():
            with db.session_factory() as session:
                closed = runner.mark_interrupted(session, self.leader_since)
                session.commit()
            if closed:
                log.warning("closed %s job runs left unfinished by a scheduler that stopped", closed)
            self.scheduler, catching_up = build_scheduler(self.config)
            self.beat()
        if catching_up:
            log.info("catching up once: %s", ", ".join(catching_up))
        heartbeat = float(self.config["SCHEDULER_HEARTBEAT_SECONDS"])
        self.scheduler.add_executor(ThreadPoolExecutor(1), "leadership")
        self.scheduler.add_job(self.check_leadership, "interval", seconds=heartbeat, id="leadership", name="Leadership check", executor="leadership")
        if self.stopping.is_set():
            return
        self.scheduler.start()  # blocks until shutdown
        self.scheduler = None

    def check_leadership(self) -> None:
        if self.stopping.is_set():
            self.scheduler.shutdown(wait=False)  # asked to stop before the scheduler had started
            return
        if not self.leadership.still_held():
            log.error("scheduler %s lost its lock: it stops running jobs and waits to lead again", runner.runner_name())
            self.scheduler.shutdown(wait=False)
            return
        try:
            with self.app.app_context():
                self.beat()
        except Exception as error:  # a missed heartbeat row is not worth stopping for
            log.warning("could not record the scheduler heartbeat: %s", type(error).__name__)

    def beat(self) -> None:
        with db.session_factory() as session:
            session.execute(delete(SchedulerHeartbeat).where(SchedulerHeartbeat.id != 1))
            row = session.get(SchedulerHeartbeat, 1)
            now = utcnow()
            if row is None:
                session.add(SchedulerHeartbeat(id=1, runner=runner.runner_name(), leader_since=self.leader_since or now, beat_at=now))
            else:
                row.runner, row.leader_since, row.beat_at = runner.runner_name(), self.leader_since or now, now
            session.commit()

