"""Each job's effect on a small dataset on its date, and that running it again repeats nothing."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, inspect, select, text

from destinations.audit.models import AuditEvent
from destinations.auth.models import User
from destinations.keep_in_touch import services as keep_in_touch
from destinations.keep_in_touch.models import KeepInTouchLink
from destinations.notifications.models import LoggedMessage, OutboxMessage
from destinations.notifications.services import enqueue
from destinations.outcomes.models import DestinationOutcome
from destinations.people import services as people_services
from destinations.people.models import StatusChange, YoungPerson
from destinations.providers.models import Provider
from destinations.reports.models import PublishedReport
from destinations.reviews.models import NextStep
from destinations.scheduler.models import JobRun
from destinations.scheduler.publication import SYSTEM_EMAIL
from tests.factories import make_activity, make_person, make_provider, make_review, make_user


def _count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _contactable(session, person: YoungPerson, email: str) -> YoungPerson:
    person.email, person.keep_in_touch_consent, person.preferred_channel = email, True, "email"
    session.flush()
    return person


# --- roll-end processing -------------------------------------------------------------------

def test_roll_end_takes_people_off_the_day_after_their_roll_end_with_their_final_destination(session, run_job):
    manager = make_user(session, "manager")
    ended = make_person(session, by=manager, date_of_birth=date(2005, 3, 10))  # roll end 10 March 2025
    make_activity(session, ended, "330", date(2024, 1, 1), today=date(2025, 3, 11))
    ends_today = make_person(session, by=manager, date_of_birth=date(2005, 3, 11))  # the roll end day is still on the roll
    extended = make_person(session, by=manager, date_of_birth=date(2005, 1, 5))
    people_services.extend_roll(session, extended, date(2025, 9, 1), "College course finishing", date(2025, 8, 1), manager, people_services.RollSettings())
    session.commit()

    result = run_job("roll_end", "2025-03-11")

    assert result["counts"] == {"left_the_roll": 1, "final_destination_recorded": 1, "kept_on_by_a_manager": 0}
    session.expire_all()
    assert (ended.left_on, ended.left_reason) == (date(2025, 3, 11), "end_of_roll")
    assert ends_today.left_on is None and extended.left_on is None
    [change] = session.scalars(select(StatusChange).where(StatusChange.young_person_id == ended.id, StatusChange.status == "left")).all()
    assert (change.final_activity_code, change.reason, change.effective_on, change.created_by_id) == ("330", "end_of_roll", date(2025, 3, 11), None)
    event = session.scalar(select(AuditEvent).where(AuditEvent.object_type == "young_person", AuditEvent.object_id == ended.id, AuditEvent.action == "update"))
    assert event.actor_type == "system" and event.detail["fields"] == ["left_on", "left_reason"]


def test_roll_end_run_twice_for_the_same_date_changes_nothing_twice(session, run_job):
    person = make_person(session, date_of_birth=date(2005, 3, 10))
    session.commit()
    assert run_job("roll_end", "2025-03-11")["counts"]["left_the_roll"] == 1
    assert run_job("roll_end", "2025-03-11")["counts"]["left_the_roll"] == 0
    assert _count(session, StatusChange, StatusChange.young_person_id == person.id, StatusChange.status == "left") == 1
    assert _count(session, AuditEvent, AuditEvent.object_id == person.id, AuditEvent.action == "update", AuditEvent.actor_type == "system") == 1


def test_roll_end_leaves_alone_someone_a_manager_brought_back_but_takes_them_off_when_an_extension_ends(session, run_job):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager, date_of_birth=date(2005, 3, 10))
    session.commit()
    run_job("roll_end", "2025-03-11")
    session.expire_all()
    person.left_on = person.left_reason = None  # brought back onto the roll by hand
    session.commit()
    assert run_job("roll_end", "2025-03-12")["counts"] == {"left_the_roll": 0, "final_destination_recorded": 0, "kept_on_by_a_manager": 1}

    session.expire_all()
    people_services.extend_roll(session, person, date(2025, 6, 30), "Supported internship", date(2025, 6, 1), manager, people_services.RollSettings())
    session.commit()
    assert run_job("roll_end", "2025-06-30")["counts"]["left_the_roll"] == 0
    assert run_job("roll_end", "2025-07-01")["counts"]["left_the_roll"] == 1
    session.expire_all()
    assert person.left_on == date(2025, 7, 1)


# --- retention -------------------------------------------------------------------------------

def _tables_with_person_column(session):
    names = inspect(session.get_bind()).get_table_names()
    return [name for name in names if "young_person_id" in {column["name"] for column in inspect(session.get_bind()).get_columns(name)}]


def test_retention_deletes_everything_about_people_who_left_more_than_the_retention_period_ago(app, session, run_job):
    manager = make_user(session, "manager")
    keyworker = make_user(session, "keyworker")
    gone = make_person(session, by=manager, keyworker=keyworker, pathway=2, date_of_birth=date(2000, 5, 1))
    college = make_provider(session, kind="college")
    step = {"start_year": "2017/18", "route": "study_programme", "level": "entry_3", "sector_subject_area": "14",
            "attendance": "full_time", "provider_ids": [college.id], "support_needs": ["travel_training"]}  # fmt: skip
    # The earlier review's steps are no longer current: they belong to the person only through their review.
    make_review(session, gone, keyworker, today=date(2017, 3, 1), held_on=date(2016, 9, 1), next_steps=[step])
    make_review(session, gone, keyworker, today=date(2017, 3, 1), held_on=date(2017, 3, 1), next_steps=[step])
    make_activity(session, gone, "230", date(2016, 9, 1), today=date(2017, 3, 1))
    _contactable(session, gone, "gone@example.org")
    with app.app_context():
        keep_in_touch.send_invitation(session, gone, now=datetime(2017, 3, 1, tzinfo=timezone.utc), reason="staff", check=False)
    people_services.record_leaving(session, gone, date(2017, 6, 1), "moved_out_of_area", "Family moved to Wales", manager)
    aged_out = make_person(session, by=manager, date_of_birth=date(1996, 2, 1))  # roll end 1 Feb 2016, never marked
    recent = make_person(session, by=manager, date_of_birth=date(1999, 1, 1))  # roll end 1 Jan 2019: inside 6 years
    session.add(PublishedReport(kind="demand", academic_year="2017/18", parameters={}, report={"tables": []}, published_by_id=manager.id))
    session.add(AuditEvent(actor_type="user", actor_id=manager.id, action="view", object_type="young_person", object_id=gone.id, detail={}))
    session.commit()
    gone_id, aged_out_id = gone.id, aged_out.id

    result = run_job("retention", "2024-01-02")  # cut-off 2 January 2018

    assert result["outcome"] == "ok"
    assert result["counts"]["people_deleted"] == 2
    assert result["counts"]["rows_deleted"] > 8
    session.expire_all()
    for table in _tables_with_person_column(session):
        left = session.execute(text(f"SELECT count(*) FROM {table} WHERE young_person_id IN (:a, :b)"), {"a": gone_id, "b": aged_out_id}).scalar()
        assert left == 0, table
    assert session.get(YoungPerson, recent.id) is not None
    assert _count(session, NextStep) == 0
    assert session.execute(text("SELECT count(*) FROM next_step_provider")).scalar() == 0
    assert session.execute(text("SELECT count(*) FROM next_step_support_need")).scalar() == 0
    assert session.get(Provider, college.id) is not None  # shared reference data stays
    assert _count(session, PublishedReport) == 1
    assert _count(session, AuditEvent, AuditEvent.object_id == gone_id, AuditEvent.action == "view") == 1
    deletion = session.scalar(select(AuditEvent).where(AuditEvent.object_id == gone_id, AuditEvent.action == "delete"))
    assert deletion.actor_type == "system" and deletion.detail["reason"] == "retention"

    again = run_job("retention", "2024-01-02")
    assert again["counts"]["people_deleted"] == 0


def test_retention_forgets_old_job_history_but_keeps_recent_runs(session, run_job):
    old = JobRun(job="deliver_outbox", period="2023-01-01T10:00", run_on=date(2023, 1, 1), trigger="schedule", runner="x:1",
                 started_at=datetime(2023, 1, 1, 10, tzinfo=timezone.utc), outcome="ok", counts={})  # fmt: skip
    session.add(old)
    session.commit()
    result = run_job("retention", "2024-01-02")
    assert result["counts"]["old_job_runs_removed"] == 1
    assert _count(session, JobRun, JobRun.job == "retention") == 1


def test_retention_deletes_messages_to_staff_sent_or_given_up_on_long_enough_ago(app, session, run_job):
    keyworker = make_user(session, "keyworker")
    person = _contactable(session, make_person(session), "sam@example.org")
    old, recent = datetime(2023, 6, 1, tzinfo=timezone.utc), datetime(2023, 12, 20, tzinfo=timezone.utc)  # 90 days before 2 January 2024: 4 October

    def message(key: str, status: str, updated_at: datetime, **owner) -> int:
        digest = {"name": "Kim", "overdue": 1, "due_soon": 2, "link": "http://localhost/", "council_name": "Northshire"}
        queued = enqueue(session, channel="email", to="someone@example.org", template="review_digest", personalisation=digest, idempotency_key=key, **owner)
        queued.status, queued.updated_at = status, updated_at
        session.flush()
        return queued.id

    sent_long_ago = message("review_digests:1", "sent", old, user_id=keyworker.id)
    message("review_digests:2", "dead", old, user_id=keyworker.id)
    kept = [
        message("review_digests:3", "failed", old, user_id=keyworker.id),  # still being retried
        message("review_digests:4", "queued", old, user_id=keyworker.id),
        message("review_digests:5", "sent", recent, user_id=keyworker.id),
        message("kit-link:1", "sent", old, young_person_id=person.id),  # part of the young person's record
    ]
    session.add(LoggedMessage(outbox_message_id=sent_long_ago, channel="email", recipient="someone@example.org", subject="s", body="b"))
    session.commit()

    result = run_job("retention", "2024-01-02")

    assert result["counts"]["old_staff_messages_removed"] == 2
    assert session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all() == kept
    assert _count(session, LoggedMessage) == 0
    assert run_job("retention", "2024-01-03")["counts"]["old_staff_messages_removed"] == 0


# --- review digests --------------------------------------------------------------------------

def test_review_digests_email_each_keyworker_with_reviews_due_the_counts_once_a_week(session, run_job):
    behind = make_user(session, "keyworker", name="Keyworker Behind")
    up_to_date = make_user(session, "keyworker")
    make_person(session, keyworker=behind, date_of_birth=date(2010, 10, 15), given_name="Zebedee")  # first review due 31 March 2025
    reviewed = make_person(session, keyworker=up_to_date, date_of_birth=date(2010, 10, 15))
    make_review(session, reviewed, up_to_date, today=date(2025, 5, 1))
    session.commit()

    first = run_job("review_digests", "2025-06-02")
    assert first["counts"] == {"digests_sent": 1, "already_sent_this_week": 0, "reviews_overdue": 1, "reviews_due_soon": 0}
    [message] = session.scalars(select(OutboxMessage).where(OutboxMessage.template == "review_digest")).all()
    assert (message.recipient, message.user_id, message.channel) == (behind.email, behind.id, "email")
    assert message.personalisation["overdue"] == 1 and message.personalisation["link"].endswith("/young-people")
    assert "Zebedee" not in str(message.personalisation)

    assert run_job("review_digests", "2025-06-05")["counts"]["already_sent_this_week"] == 1
    assert _count(session, OutboxMessage, OutboxMessage.template == "review_digest") == 1
    assert run_job("review_digests", "2025-06-09")["counts"]["digests_sent"] == 1  # a new week
    assert _count(session, OutboxMessage, OutboxMessage.template == "review_digest") == 2


# --- chasing unknown destinations ------------------------------------------------------------

def test_destination_chase_sends_keyworkers_counts_and_consenting_young_people_a_link(session, run_job):
    keyworker = make_user(session, "keyworker")
    neet = _contactable(session, make_person(session, keyworker=keyworker, date_of_birth=date(2007, 10, 15)), "neet@example.org")
    make_activity(session, neet, "619", date(2025, 1, 1), today=date(2025, 6, 2))
    no_consent = make_person(session, keyworker=keyworker, date_of_birth=date(2007, 11, 20))
    no_consent.email = "quiet@example.org"
    settled = _contactable(session, make_person(session, keyworker=keyworker, date_of_birth=date(2007, 12, 1)), "settled@example.org")
    make_activity(session, settled, "230", date(2025, 5, 1), today=date(2025, 6, 2))
    session.commit()

    result = run_job("destination_chase", "2025-06-02")

    assert result["counts"] == {"young_people_to_chase": 2, "digests_sent": 1, "already_sent_this_week": 0, "links_sent": 1, "links_already_sent": 0}
    digest = session.scalar(select(OutboxMessage).where(OutboxMessage.template == "destination_chase"))
    assert digest.recipient == keyworker.email
    assert {key: digest.personalisation[key] for key in ("total", "neet", "missing", "not_known", "not_confirmed")} == {
        "total": 2, "neet": 1, "missing": 1, "not_known": 0, "not_confirmed": 0,
    }  # fmt: skip
    [link] = session.scalars(select(KeepInTouchLink)).all()
    assert (link.young_person_id, link.reason) == (neet.id, "chase")
    assert session.scalar(select(OutboxMessage.recipient).where(OutboxMessage.young_person_id == neet.id)) == "neet@example.org"

    again = run_job("destination_chase", "2025-06-04")
    assert (again["counts"]["digests_sent"], again["counts"]["links_sent"]) == (0, 0)
    next_week = run_job("destination_chase", "2025-06-09")
    assert (next_week["counts"]["digests_sent"], next_week["counts"]["links_sent"]) == (1, 0)  # links at most monthly
    assert _count(session, KeepInTouchLink) == 1


# --- keep in touch -----------------------------------------------------------------------------

def test_kit_invitations_send_the_links_due_on_the_cadence_once_a_day(session, run_job):
    due = _contactable(session, make_person(session, date_of_birth=date(2007, 10, 15)), "due@example.org")
    session.commit()
    assert run_job("kit_invitations", "2025-06-02")["counts"] == {"invitations_sent": 1}
    repeat = run_job("kit_invitations", "2025-06-02")
    assert repeat["outcome"] == "skipped"
    assert _count(session, KeepInTouchLink, KeepInTouchLink.young_person_id == due.id) == 1


def test_expire_links_marks_links_past_their_expiry(app, session, run_job):
    person = _contactable(session, make_person(session, date_of_birth=date(2007, 10, 15)), "p@example.org")
    with app.app_context():
        link, _raw = keep_in_touch.create_link(session, person, channel="email", now=datetime(2025, 5, 1, tzinfo=timezone.utc))
    session.commit()
    assert run_job("expire_links", "2025-05-28")["counts"] == {"links_expired": 0}
    assert run_job("expire_links", "2025-06-02")["counts"] == {"links_expired": 1}
    session.expire_all()
    assert link.expired_at is not None
    assert run_job("expire_links", "2025-06-02")["outcome"] == "skipped"


# --- sustained destinations ------------------------------------------------------------------

def test_sustained_destinations_are_stored_once_the_window_has_closed(session, run_job):
    leaver = make_person(session, date_of_birth=date(2007, 10, 15))  # left Year 11 in summer 2024
    make_activity(session, leaver, "230", date(2024, 9, 1), today=date(2025, 4, 1))
    session.commit()
    assert run_job("sustained_destinations", "2025-03-31")["counts"].get("outcomes_created", 0) == 0
    result = run_job("sustained_destinations", "2025-04-01")
    assert result["counts"]["outcomes_created"] >= 1
    stored = session.scalar(select(DestinationOutcome).where(DestinationOutcome.young_person_id == leaver.id, DestinationOutcome.cohort == "year11-2024"))
    assert stored.outcome == "education"
    assert run_job("sustained_destinations", "2025-04-01")["outcome"] == "skipped"


# --- termly publication ------------------------------------------------------------------------

def test_demand_reports_are_published_once_per_publication_date_by_the_scheduled_jobs_account(session, run_job):
    first = run_job("publish_demand", "2026-10-01")
    assert first["counts"] == {"reports_published": 2, "college_slices_published": 0, "already_published": 0}
    published = session.scalars(select(PublishedReport).order_by(PublishedReport.academic_year)).all()
    assert [report.academic_year for report in published] == ["2027/28", "2028/29"]
    account = session.scalar(select(User).where(User.email == SYSTEM_EMAIL))
    assert {report.published_by_id for report in published} == {account.id}
    assert (account.role, account.active, account.password_hash) == ("manager", False, None)
    assert _count(session, AuditEvent, AuditEvent.object_type == "report", AuditEvent.actor_type == "system") == 2

    assert run_job("publish_demand", "2026-10-20")["counts"]["already_published"] == 2
    assert _count(session, PublishedReport) == 2
    assert run_job("publish_demand", "2027-02-01")["counts"]["reports_published"] == 2
    assert _count(session, PublishedReport) == 4


# --- the outbox ------------------------------------------------------------------------------

def test_deliver_outbox_sends_what_is_waiting_and_nothing_twice(app, session, run_job):
    with app.app_context():
        enqueue(session, channel="email", to="kw@example.org", template="review_digest",
                personalisation={"name": "K", "overdue": 1, "due_soon": 0, "link": "http://x", "council_name": "C"}, idempotency_key="test:1")  # fmt: skip
    session.commit()
    assert run_job("deliver_outbox")["counts"]["sent"] == 1
    assert run_job("deliver_outbox")["counts"]["sent"] == 0
    assert session.scalar(select(OutboxMessage.status).where(OutboxMessage.idempotency_key == "test:1")) == "sent"
