"""Real scheduler processes: only one runs jobs, another takes over when it dies, catch-up
happens once, and a failing job does not stop the others.

Each test starts ``flask --app wsgi scheduler`` processes against a database of its own (a
SQLite file, or a PostgreSQL database beside the test database when the suite runs on
PostgreSQL), with every job off except the one it watches, on a one-second schedule.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from destinations.database import Base, make_engine, new_session
from destinations.scheduler.models import JobRun, SchedulerHeartbeat
from destinations.scheduler.table import JOBS
from tests import create_database
from tests.conftest import reset_database

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 45  # importing the app and taking the lock, on a busy machine
pytestmark = [pytest.mark.no_transaction, pytest.mark.slow]


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'scheduler.db'}"
    else:
        base = _postgres_url()
        if base is None:
            pytest.skip("runs when the suite runs on PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://...)")
        target = make_url(base)
        url = target.set(database=f"{target.database}_processes").render_as_string(hide_password=False)
        create_database.main(url)
    reset_database(url)
    yield url


@dataclass
class Scheduler:
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text()


@pytest.fixture
def start(database, tmp_path) -> Iterator[Callable[..., Scheduler]]:
    started: list[Scheduler] = []

    def launch(name: str, **schedules: str) -> Scheduler:
        env = {key: value for key, value in os.environ.items() if not key.startswith("SCHEDULE_")}
        env.update(
            {
                "DESTINATIONS_ENV": "test",
                "DATABASE_URL": database,
                "TEST_DATABASE_URL": database,
                "SCHEDULER_LOCK_RETRY_SECONDS": "0.2",
                "SCHEDULER_HEARTBEAT_SECONDS": "0.5",
                "PYTHONUNBUFFERED": "1",
                **{f"SCHEDULE_{spec.name.upper()}": "off" for spec in JOBS},
                **{f"SCHEDULE_{job.upper()}": schedule for job, schedule in schedules.items()},
            }
        )
        log = tmp_path / f"{name}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        scheduler = Scheduler(process, log)
        started.append(scheduler)
        return scheduler

    yield launch
    for scheduler in started:
        if scheduler.process.poll() is None:
            scheduler.process.kill()
            scheduler.process.wait()


@pytest.fixture
def engine(database):
    engine = make_engine(database)
    yield engine
    engine.dispose()


def runs(engine, job: str) -> list[JobRun]:
    with new_session(engine) as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.started_at, JobRun.id)))


def pid_of(run: JobRun) -> int:
    return int(run.runner.rsplit(":", 1)[1])


def wait_for(condition: Callable[[], bool], what: str, timeout: float = START_SECONDS, logs: list[Scheduler] = ()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    output = "\n".join(f"--- {scheduler.log.name}\n{scheduler.output()[-3000:]}" for scheduler in logs)
    raise AssertionError(f"timed out waiting for {what}\n{output}")


def stop(scheduler: Scheduler) -> int:
    scheduler.process.send_signal(signal.SIGTERM)
    return scheduler.process.wait(timeout=20)


def test_of_two_schedulers_started_together_only_one_runs_jobs_and_the_other_takes_over_when_it_dies(start, engine):
    first = start("first", roll_end="every 1 second")
    second = start("second", roll_end="every 1 second")
    both = [first, second]

    wait_for(lambda: len([run for run in runs(engine, "roll_end") if run.outcome == "ok"]) >= 3, "three runs", logs=both)
    time.sleep(1.5)  # long enough for a second leader to show itself, if there were one
    before = runs(engine, "roll_end")
    assert len({run.runner for run in before}) == 1, [run.runner for run in before]
    leader = first if pid_of(before[0]) == first.pid else second
    follower = second if leader is first else first
    assert pid_of(before[0]) == leader.pid
    assert "waits to take over" in follower.output()

    killed_at = datetime.now(timezone.utc)
    leader.process.kill()
    leader.process.wait()
    wait_for(lambda: any(pid_of(run) == follower.pid for run in runs(engine, "roll_end")), "the other scheduler to take over", logs=both)
    wait_for(lambda: sum(pid_of(run) == follower.pid and run.outcome == "ok" for run in runs(engine, "roll_end")) >= 2, "runs by the new leader", logs=both)

    after = runs(engine, "roll_end")
    assert {pid_of(run) for run in after} == {leader.pid, follower.pid}
    assert all(run.started_at <= killed_at for run in after if pid_of(run) == leader.pid)
    assert all(run.started_at > killed_at for run in after if pid_of(run) == follower.pid)
    with new_session(engine) as session:
        assert session.get(SchedulerHeartbeat, 1).runner.endswith(f":{follower.pid}")
    assert stop(follower) == 0
    assert "scheduler stopped" in follower.output()


def test_after_a_gap_the_scheduler_catches_up_once_and_not_again_on_restart(start, engine):
    three_days_ago = datetime.now(ZoneInfo("Europe/London")).date() - timedelta(days=3)
    with new_session(engine) as session:
        session.add(JobRun(job="roll_end", period=three_days_ago.isoformat(), run_on=three_days_ago, trigger="schedule", runner="before:1", outcome="ok", counts={}))
        session.commit()
    scheduler = start("catching-up", roll_end="0 1 * * *")  # daily: three due times were missed

    wait_for(lambda: len(runs(engine, "roll_end")) >= 2 and runs(engine, "roll_end")[-1].outcome == "ok", "the catch-up run", logs=[scheduler])
    time.sleep(2)
    caught_up = runs(engine, "roll_end")[1:]
    assert [(run.trigger, run.outcome) for run in caught_up] == [("catch_up", "ok")]
    assert stop(scheduler) == 0

    restarted = start("restarted", roll_end="0 1 * * *")
    wait_for(lambda: "is the leader" in restarted.output(), "the restarted scheduler to lead", logs=[restarted])
    time.sleep(2)
    assert len(runs(engine, "roll_end")) == 2  # up to date: nothing to catch up
    assert stop(restarted) == 0


def test_a_failing_job_is_recorded_and_retried_while_the_others_carry_on(start, engine):
    outcomes = Base.metadata.tables["destination_outcome"]
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE destination_outcome"))  # a database fault the job cannot get past
    scheduler = start("failing", roll_end="every 1 second", sustained_destinations="every 1 second")

    def failed_twice_while_roll_end_ran() -> bool:
        sustained = runs(engine, "sustained_destinations")
        return sum(run.outcome == "failed" for run in sustained) >= 2 and sum(run.outcome == "ok" for run in runs(engine, "roll_end")) >= 2

    wait_for(failed_twice_while_roll_end_ran, "failures beside successful runs", logs=[scheduler])
    failure = next(run for run in runs(engine, "sustained_destinations") if run.outcome == "failed")
    assert failure.error.startswith("ProgrammingError at destinations/") or failure.error.startswith("OperationalError at destinations/")

    outcomes.create(engine)  # fixed: the next run succeeds
    wait_for(lambda: any(run.outcome == "ok" for run in runs(engine, "sustained_destinations")), "a successful retry", logs=[scheduler])
    assert scheduler.process.poll() is None
    assert stop(scheduler) == 0
