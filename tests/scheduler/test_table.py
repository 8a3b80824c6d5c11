"""The job table, schedules in words and as triggers, periods, and finding the last due time."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from apscheduler.util import ref_to_obj

from destinations.scheduler import table
from destinations.scheduler.services import check_schedules
from destinations.scheduler.table import JOBS, JOBS_BY_NAME, ScheduleError, describe, make_trigger, period_of, previous_fire_time

LONDON = ZoneInfo("Europe/London")
CONFIG = {"DEMAND_PUBLICATION_DATES": "10-01,02-01,05-01", "SCHEDULES": {}, "SCHEDULER_TIMEZONE": "Europe/London"}


def test_every_job_in_the_table_is_importable_by_its_name_and_takes_plain_arguments():
    for spec in JOBS:
        job = ref_to_obj(spec.func)
        assert job.__name__ == spec.name
        assert callable(job.work)
        assert spec.period in table.PERIODS


def test_the_table_covers_every_job_the_brief_names():
    assert set(JOBS_BY_NAME) == {
        "review_digests", "kit_invitations", "roll_end", "sustained_destinations", "destination_chase",
        "expire_links", "deliver_outbox", "publish_demand", "retention",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0 1 * * *", "Every day at 01:00"),
        ("15 7 * * mon", "Mondays at 07:15"),
        ("every 60 seconds", "Every 60 seconds"),
        ("every 1 hour", "Every hour"),
        ("10-01,02-01,05-01 at 06:00", "On 1 February, 1 May and 1 October at 06:00"),
        ("*/5 * * * *", "Cron: */5 * * * *"),
        ("off", "Off (run by hand only)"),
    ],
)
def test_schedules_are_described_in_words(text, words):
    assert describe(text) == words


def test_a_setting_replaces_a_jobs_schedule_and_off_turns_it_off():
    config = {**CONFIG, "SCHEDULES": {"roll_end": "30 3 * * *", "deliver_outbox": "off"}}
    assert table.schedule_text(JOBS_BY_NAME["roll_end"], config) == "30 3 * * *"
    assert make_trigger(table.schedule_text(JOBS_BY_NAME["deliver_outbox"], config), LONDON) is None
    assert table.schedule_text(JOBS_BY_NAME["publish_demand"], CONFIG) == "10-01,02-01,05-01 at 06:00"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0 7 * * 1", "day of the week as a name"),
        ("every day", "is not a schedule"),
        ("61 7 * * *", "is not a schedule"),
        ("02-30 at 06:00", "is not a date in the year"),
        ("10-01 at 25:00", "between 00:00 and 23:59"),
    ],
)
def test_a_schedule_that_cannot_be_read_is_refused_with_how_to_write_it(text, says):
    with pytest.raises(ScheduleError, match=says):
        make_trigger(text, LONDON)


def test_a_schedule_setting_for_a_job_that_does_not_exist_is_refused():
    with pytest.raises(ScheduleError, match="SCHEDULE_ROLL_ENDS names no job"):
        check_schedules({**CONFIG, "SCHEDULES": {"roll_ends": "off"}})


def test_periods_say_what_once_means_for_each_job():
    day = date(2026, 11, 25)  # a Wednesday
    now = datetime(2026, 11, 25, 14, 7, tzinfo=LONDON)
    assert period_of(JOBS_BY_NAME["roll_end"], day, now, CONFIG) == "2026-11-25"
    assert period_of(JOBS_BY_NAME["review_digests"], day, now, CONFIG) == "2026-W48"
    assert period_of(JOBS_BY_NAME["review_digests"], date(2026, 11, 29), now, CONFIG) == "2026-W48"  # Sunday: same week
    assert period_of(JOBS_BY_NAME["review_digests"], date(2026, 11, 30), now, CONFIG) == "2026-W49"
    assert period_of(JOBS_BY_NAME["deliver_outbox"], day, now, CONFIG) == "2026-11-25T14:07"
    assert period_of(JOBS_BY_NAME["publish_demand"], day, now, CONFIG) == "2026-10-01"
    assert period_of(JOBS_BY_NAME["publish_demand"], date(2027, 1, 31), now, CONFIG) == "2026-10-01"
    assert period_of(JOBS_BY_NAME["publish_demand"], date(2027, 2, 1), now, CONFIG) == "2027-02-01"
    assert period_of(JOBS_BY_NAME["publish_demand"], date(2026, 9, 30), now, CONFIG) == "2026-05-01"


def test_the_last_due_time_of_a_daily_job_is_found_looking_back():
    trigger = make_trigger("0 1 * * *", LONDON)
    assert previous_fire_time(trigger, datetime(2026, 11, 25, 0, 30, tzinfo=LONDON)) == datetime(2026, 11, 24, 1, 0, tzinfo=LONDON)
    assert previous_fire_time(trigger, datetime(2026, 11, 25, 1, 0, tzinfo=LONDON)) == datetime(2026, 11, 25, 1, 0, tzinfo=LONDON)


def test_the_last_due_time_of_a_weekly_and_a_termly_job_is_found_looking_back():
    weekly = make_trigger("0 7 * * mon", LONDON)
    assert previous_fire_time(weekly, datetime(2026, 11, 29, 12, 0, tzinfo=LONDON)) == datetime(2026, 11, 23, 7, 0, tzinfo=LONDON)
    termly = make_trigger("10-01,02-01,05-01 at 06:00", LONDON)
    assert previous_fire_time(termly, datetime(2026, 11, 29, 12, 0, tzinfo=LONDON)) == datetime(2026, 10, 1, 6, 0, tzinfo=LONDON)
    assert previous_fire_time(termly, datetime(2026, 9, 30, 12, 0, tzinfo=LONDON)) == datetime(2026, 5, 1, 6, 0, tzinfo=LONDON)


def test_the_last_due_time_of_an_interval_job_is_one_interval_ago():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
    assert previous_fire_time(make_trigger("every 60 seconds", LONDON), now) == now - timedelta(seconds=60)
