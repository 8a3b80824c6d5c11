"""Running a job: its record, its claims, failures, the clock, and runs a dead process left behind."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from destinations.database import utcnow
from destinations.extensions import db
from destinations.scheduler import runner
from destinations.scheduler.models import JobClaim, JobRun
from destinations.scheduler.runner import Clock, JobContext, execute


def _runs(session, job: str) -> list[JobRun]:
    session.expire_all()
    return list(session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.id)))


def test_a_run_is_recorded_with_its_date_period_outcome_counts_and_runner(session, run_job):
    result = run_job("roll_end", "2026-11-23")
    [run] = _runs(session, "roll_end")
    assert result["outcome"] == "ok" and result["run_id"] == run.id
    assert (run.run_on, run.period, run.trigger, run.outcome) == (date(2026, 11, 23), "2026-11-23", "command", "ok")
    assert run.counts == {"left_the_roll": 0, "final_destination_recorded": 0, "kept_on_by_a_manager": 0}
    assert run.finished_at >= run.started_at
    assert run.runner.endswith(f":{__import__('os').getpid()}")


def test_a_failing_job_is_recorded_without_its_message_and_the_next_job_still_runs(app, session, run_job, caplog):
    def leaky(context: JobContext):
        context.claim("person:1")
        raise ValueError("Jane Example, born 2010-10-15")  # what a database error could quote

    with app.app_context():
        failed = execute("roll_end", leaky, "2026-11-23")
    following = run_job("retention", "2026-11-23")
    [run] = _runs(session, "roll_end")
    assert failed.outcome == run.outcome == "failed"
    assert run.error.startswith("ValueError at destinations/scheduler/runner.py line ")
    assert "Jane" not in run.error and "2010" not in run.error
    assert "Jane" not in caplog.text
    assert session.scalar(select(JobClaim.id).where(JobClaim.job == "roll_end")) is None  # rolled back with the work
    assert following["outcome"] == "ok"


def test_a_job_error_written_for_people_keeps_its_message(app, session):
    def refuses(context):
        raise runner.JobError("The notification adapter is not configured.")

    with app.app_context():
        result = execute("deliver_outbox", refuses)
    assert result.error.startswith("JobError: The notification adapter is not configured.")


def test_a_job_done_as_a_whole_is_skipped_when_run_again_for_the_same_period(session, run_job):
    first = run_job("sustained_destinations", "2026-11-23")
    again = run_job("sustained_destinations", "2026-11-23")
    next_day = run_job("sustained_destinations", "2026-11-24")
    assert (first["outcome"], again["outcome"], next_day["outcome"]) == ("ok", "skipped", "ok")
    assert "Already done for 2026-11-23" in again["error"]


def test_a_failed_run_leaves_no_claim_so_the_next_run_for_the_period_does_the_work(app, session, run_job):
    def broken(context):
        raise RuntimeError("the outcomes table is missing")

    with app.app_context():
        assert execute("sustained_destinations", broken, "2026-11-23").outcome == "failed"
    assert run_job("sustained_destinations", "2026-11-23")["outcome"] == "ok"


def test_claims_are_granted_once_per_subject_and_period(app, session):
    seen = {}

    def work(context):
        seen["first"] = context.claim_many(["keyworker:1", "keyworker:2"])
        seen["again"] = context.claim_many(["keyworker:2", "keyworker:3"])
        seen["other period"] = context.claim("keyworker:1", "2026-W49")
        return {}

    with app.app_context():
        execute("review_digests", work, "2026-11-23")
    assert seen == {"first": {"keyworker:1", "keyworker:2"}, "again": {"keyworker:3"}, "other period": True}


def test_the_clock_runs_a_job_as_if_on_the_date_given_at_the_current_time_of_day():
    real = datetime(2026, 11, 23, 22, 30, tzinfo=timezone.utc)  # 22:30 in London in winter
    clock = Clock.for_run("2027-07-01", runner.ZoneInfo("Europe/London"), real)
    assert clock.today == date(2027, 7, 1)
    assert clock.now == datetime(2027, 7, 1, 21, 30, tzinfo=timezone.utc)  # 22:30 BST
    today = Clock.for_run(None, runner.ZoneInfo("Europe/London"), datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc))
    assert today.today == date(2026, 7, 1)  # already 1 July in London


def test_a_date_that_is_not_a_date_is_refused_with_the_format_to_use():
    with pytest.raises(ValueError, match="write it as YYYY-MM-DD"):
        runner.parse_day("23/11/2026")


def test_runs_left_running_by_a_scheduler_that_stopped_are_closed_as_interrupted(session):
    leader_since = utcnow()
    old = JobRun(job="roll_end", period="2026-11-22", run_on=date(2026, 11, 22), trigger="schedule", runner="old:1", started_at=leader_since - timedelta(minutes=5), outcome="running", counts={})
    by_hand = JobRun(job="retention", period="2026-11-22", run_on=date(2026, 11, 22), trigger="manual", runner="web:2", started_at=leader_since - timedelta(minutes=5), outcome="running", counts={})
    session.add_all([old, by_hand])
    session.flush()
    assert runner.mark_interrupted(session, leader_since) == 1
    session.refresh(old)
    session.refresh(by_hand)
    assert (old.outcome, by_hand.outcome) == ("failed", "running")
    assert old.error.startswith("Interrupted")


def test_on_postgresql_a_run_finding_the_job_already_running_does_nothing(app, session):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the per-job lock is PostgreSQL's; SQLite runs take turns on its write lock")
    key = runner.zlib.crc32(b"retention") & 0x7FFFFFFF
    with db.engine.connect() as other:  # another process's transaction, holding the job
        other.execute(text("BEGIN"))
        assert other.scalar(text("SELECT pg_try_advisory_xact_lock(:n, :k)"), {"n": runner.JOB_LOCK_NAMESPACE, "k": key})
        with app.app_context():
            result = execute("retention", lambda context: {"people_deleted": 1}, "2026-11-23")
        other.execute(text("ROLLBACK"))
    assert result.outcome == "skipped" and "in progress" in result.error
