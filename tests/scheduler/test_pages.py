"""The scheduled jobs pages: who sees them, what they show, and "Run now"."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta

from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.database import utcnow
from destinations.scheduler.models import JobRun, SchedulerHeartbeat
from tests.conftest import csrf_from, sign_in
from tests.factories import make_person, make_user


def test_an_administrator_sees_every_job_with_its_schedule_and_last_run(client, session, run_job):
    run_job("roll_end", "2026-11-23")
    sign_in(client, make_user(session, "admin"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Roll-end processing" in page and "Every day at 01:00" in page
    assert "Termly demand reports" in page and "On 1 February, 1 May and 1 October at 06:00" in page
    assert "Done" in page
    assert "No scheduler is running" in page


def test_the_page_says_when_a_scheduler_is_running(client, session):
    session.add(SchedulerHeartbeat(id=1, runner="host:42", leader_since=utcnow() - timedelta(hours=1), beat_at=utcnow()))
    session.commit()
    sign_in(client, make_user(session, "manager"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "No scheduler is running" not in page and "The scheduler last checked in" in page


def test_a_jobs_page_lists_its_recent_runs_with_counts_and_failures(client, session, run_job, app):
    from destinations.scheduler.runner import execute

    def broken(context):
        raise KeyError("x")

    with app.app_context():
        execute("roll_end", broken, "2026-11-22")
    make_person(session, date_of_birth=date(2005, 3, 10))
    session.commit()
    run_job("roll_end", "2025-03-11")
    sign_in(client, make_user(session, "admin"))
    page = client.get("/admin/jobs/roll_end").get_data(as_text=True)
    assert "left the roll 1" in page
    assert "Failed" in page and "KeyError at destinations/scheduler/runner.py" in page
    failed = client.get("/admin/jobs/roll_end?show=failed").get_data(as_text=True)
    assert "KeyError" in failed and "left the roll 1" not in failed


def test_run_now_runs_the_job_records_who_asked_and_audits_it(client, session):
    admin = make_user(session, "admin")
    sign_in(client, admin)
    page = client.get("/admin/jobs/retention").get_data(as_text=True)
    response = client.post("/admin/jobs/retention/run", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/jobs/retention")
    run = session.scalar(select(JobRun).where(JobRun.job == "retention"))
    assert (run.trigger, run.requested_by_id, run.outcome) == ("manual", admin.id, "ok")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "run_job"))
    assert (event.actor_id, event.object_type, event.object_id, event.detail["job"]) == (admin.id, "scheduled_job", run.id, "retention")
    assert "Retention ran" in client.get("/admin/jobs/retention").get_data(as_text=True)


def test_run_now_needs_the_csrf_token(client, session):
    sign_in(client, make_user(session, "admin"))
    assert client.post("/admin/jobs/retention/run", data={}).status_code == 400
    assert session.scalar(select(JobRun.id)) is None


def test_managers_can_look_but_not_run_and_keyworkers_and_colleges_cannot_look(client, make_client, session):
    sign_in(client, make_user(session, "manager"))
    page = client.get("/admin/jobs/retention")
    assert page.status_code == 200 and "Run now" not in page.get_data(as_text=True)
    assert client.post("/admin/jobs/retention/run", data={"csrf_token": csrf_from(page.get_data(as_text=True))}).status_code == 403
    for role in ("keyworker", "college"):
        other = make_client()
        sign_in(other, make_user(session, role))
        assert other.get("/admin/jobs").status_code == 403


def test_a_job_that_does_not_exist_is_not_found(client, session):
    sign_in(client, make_user(session, "admin"))
    assert client.get("/admin/jobs/not_a_job").status_code == 404


def test_building_the_web_app_and_serving_requests_never_starts_a_scheduler(tmp_path):
    script = (
        "import sys, threading\n"
        "from destinations import create_app\n"
        "app = create_app('test')\n"
        "app.test_client().get('/healthz')\n"
        "print('apscheduler.schedulers.blocking' in sys.modules, 'destinations.scheduler.process' in sys.modules,"
        " any('APScheduler' in thread.name for thread in threading.enumerate()))\n"
    )
    env = {**os.environ, "TEST_DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True, env=env)
    assert result.stdout.split() == ["False", "False", "False"]


def test_the_record_shows_the_final_destination_kept_at_the_end_of_the_roll(client, session, run_job):
    from tests.factories import make_activity

    manager = make_user(session, "manager")
    person = make_person(session, by=manager, date_of_birth=date(2005, 3, 10))
    make_activity(session, person, "330", date(2024, 1, 1), today=date(2025, 3, 11))
    session.commit()
    run_job("roll_end", "2025-03-11")
    sign_in(client, manager)
    page = client.get(f"/young-people/{person.id}").get_data(as_text=True)
    assert "Taken off the roll automatically the day after the roll end" in page
    assert "Final destination: 330 Employment without training" in page
