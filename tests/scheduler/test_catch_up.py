"""Catching up after downtime: once per job that is behind, however many runs were missed."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from destinations.scheduler.models import JobRun
from destinations.scheduler.process import JOB_DEFAULTS, behind, build_scheduler
from destinations.scheduler.table import JOBS, JOBS_BY_NAME

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=LONDON)  # roll_end was due at 01:00 today


def config_with(app, **schedules):
    everything_off = {spec.name: "off" for spec in JOBS}
    return {**app.config, "SCHEDULES": {**everything_off, **schedules}}


def ran(session, job: str, period: str, outcome: str = "ok") -> None:
    run_on = date.fromisoformat(period[:10])
    session.add(JobRun(job=job, period=period, run_on=run_on, trigger="schedule", runner="earlier:1", outcome=outcome, counts={}))
    session.flush()


def test_a_job_whose_last_success_is_days_old_is_caught_up_exactly_once(app, session):
    ran(session, "roll_end", "2026-11-21")  # then three nights missed
    config = config_with(app, roll_end="0 1 * * *")
    scheduler, catching_up = build_scheduler(config, now=NOW)
    assert catching_up == ["roll_end"]
    assert sorted(job.id for job in scheduler.get_jobs()) == ["roll_end", "roll_end.catch_up"]
    catch_up = scheduler.get_job("roll_end.catch_up")
    assert catch_up.kwargs == {"trigger": "catch_up", "today": "2026-11-25"}
    assert catch_up.func_ref == JOBS_BY_NAME["roll_end"].func


def test_a_job_that_already_ran_for_its_latest_due_time_is_not_caught_up(app, session):
    ran(session, "roll_end", "2026-11-25")
    assert not behind(session, JOBS_BY_NAME["roll_end"], config_with(app, roll_end="0 1 * * *"), NOW, LONDON)


def test_a_job_that_failed_at_its_latest_due_time_is_tried_again_on_start(app, session):
    ran(session, "roll_end", "2026-11-25", outcome="failed")
    assert behind(session, JOBS_BY_NAME["roll_end"], config_with(app, roll_end="0 1 * * *"), NOW, LONDON)


def test_before_todays_due_time_the_job_is_judged_on_yesterdays(app, session):
    ran(session, "roll_end", "2026-11-24")
    early = datetime(2026, 11, 25, 0, 30, tzinfo=LONDON)
    assert not behind(session, JOBS_BY_NAME["roll_end"], config_with(app, roll_end="0 1 * * *"), early, LONDON)


def test_catching_up_before_todays_due_time_fills_yesterdays_period_so_a_restart_does_not_repeat_it(app, session):
    ran(session, "roll_end", "2026-11-21")
    early = datetime(2026, 11, 25, 0, 30, tzinfo=LONDON)
    scheduler, _ = build_scheduler(config_with(app, roll_end="0 1 * * *"), now=early)
    assert scheduler.get_job("roll_end.catch_up").kwargs["today"] == "2026-11-24"


def test_a_weekly_job_is_judged_on_its_week(app, session):
    ran(session, "review_digests", "2026-W48")
    config = config_with(app, review_digests="0 7 * * mon")
    assert not behind(session, JOBS_BY_NAME["review_digests"], config, datetime(2026, 11, 29, 20, 0, tzinfo=LONDON), LONDON)
    assert behind(session, JOBS_BY_NAME["review_digests"], config, datetime(2026, 11, 30, 8, 0, tzinfo=LONDON), LONDON)


def test_jobs_that_are_off_are_neither_scheduled_nor_caught_up(app, session):
    scheduler, catching_up = build_scheduler(config_with(app), now=NOW)
    assert catching_up == [] and scheduler.get_jobs() == []


def test_missed_runs_are_coalesced_into_one_and_run_however_late():
    assert JOB_DEFAULTS == {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
