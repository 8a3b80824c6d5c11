"""The one table of scheduled jobs, and the schedules and periods it speaks in.

Each job has a default schedule here; ``SCHEDULE_<JOB NAME>`` in the environment (read into
the ``SCHEDULES`` setting) replaces it without touching code. A schedule is written as

- a crontab line, ``"0 7 * * mon"`` (minute hour day month day-of-week; days as names),
- ``"every 60 seconds"`` (or minutes, hours),
- dates in the year and a time, ``"10-01,02-01,05-01 at 06:00"``,
- ``"off"``: the job is not run by the scheduler (it can still be run by hand).

A job's *period* is what "once" means for it: a re-run inside the same period repeats nothing.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

PERIODS = ("minute", "day", "week", "term")


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: str  # "module:function", so the job store can find it by name
    schedule: str  # the default; may name settings as {SETTING}
    period: str
    title: str
    description: str
    # Jobs whose work is done by another area's service run at most once a period as a whole;
    # the others claim each subject (person, keyworker) they act on.
    once_per_period: bool = False
    nightly: bool = True


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "roll_end", "destinations.scheduler.jobs:roll_end", "0 1 * * *", "day",
        "Roll-end processing",
        "Moves young people past their roll end (and not extended) to 'left', reason end of roll, "
        "keeping their current activity as their final destination.",
    ),
    JobSpec(
        "retention", "destinations.scheduler.jobs:retention", "30 1 * * *", "day",
        "Retention",
        "Deletes the records of young people who left the roll more than RETENTION_YEARS ago. "
        "Published reports and the audit log are kept. Also forgets old job runs and old messages to staff.",
    ),
    JobSpec(
        "sustained_destinations", "destinations.scheduler.jobs:sustained_destinations", "0 2 * * *", "day",
        "Sustained destinations",
        "Works out sustained destinations for the leaving cohorts whose October to March window has closed.",
        once_per_period=True,
    ),
    JobSpec(
        "expire_links", "destinations.scheduler.jobs:expire_links", "30 2 * * *", "day",
        "Expire keep-in-touch links",
        "Marks keep-in-touch links past their expiry date as expired.",
        once_per_period=True,
    ),
    JobSpec(
        "kit_invitations", "destinations.scheduler.jobs:kit_invitations", "0 10 * * *", "day",
        "Keep-in-touch invitations",
        "Sends keep-in-touch links to young people who are due one on the cadence.",
        once_per_period=True,
    ),
    JobSpec(
        "review_digests", "destinations.scheduler.jobs:review_digests", "0 7 * * mon", "week",
        "Review digests",
        "Emails each keyworker, once a week, how many reviews on their caseload are overdue or due in the next 30 days.",
    ),
    JobSpec(
        "destination_chase", "destinations.scheduler.jobs:destination_chase", "15 7 * * mon", "week",
        "Chase unknown destinations",
        "Emails each keyworker, once a week, how many young people on their caseload are NEET, not known or "
        "unconfirmed for 3 months, and sends those who agreed to it a keep-in-touch link (at most once a month).",
    ),
    JobSpec(
        "publish_demand", "destinations.scheduler.jobs:publish_demand", "{DEMAND_PUBLICATION_DATES} at 06:00", "term",
        "Termly demand reports",
        "Publishes the demand reports for the next two academic years on each publication date.",
        nightly=False,
    ),
    JobSpec(
        "deliver_outbox", "destinations.scheduler.jobs:deliver_outbox", "every 60 seconds", "minute",
        "Deliver notifications",
        "Sends the emails and text messages waiting in the outbox, retrying failures with back-off.",
        nightly=False,
    ),
)
JOBS_BY_NAME = {spec.name: spec for spec in JOBS}


class ScheduleError(ValueError):
    """A schedule setting that cannot be read; the message says how to write it."""


_EVERY = re.compile(r"every\s+([0-9]+)\s+(second|minute|hour)s?", re.IGNORECASE)
_DATES = re.compile(r"((?:[0-9]{2}-[0-9]{2})(?:\s*,\s*[0-9]{2}-[0-9]{2})*)\s+at\s+([0-9]{1,2}):([0-9]{2})", re.IGNORECASE)
_DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
HOW_TO_WRITE = (
    'Write a crontab line such as "0 7 * * mon" (minute hour day month day-of-week, days as names), '
    '"every 60 seconds" (or minutes, hours), dates and a time such as "10-01,02-01 at 06:00", or "off".'
)


def schedule_text(spec: JobSpec, config: Mapping) -> str:
    """The schedule in force for ``spec``: the setting if there is one, else the table's default."""
    override = (config.get("SCHEDULES") or {}).get(spec.name)
    text = override if override else spec.schedule
    try:
        return text.format_map(config).strip()
    except (KeyError, IndexError, ValueError):
        raise ScheduleError(f"The schedule for {spec.name} ({text!r}) names a setting that does not exist. {HOW_TO_WRITE}") from None


def parse_dates(text: str) -> list[tuple[int, int]]:
    """(month, day) pairs from "10-01,02-01", each checked against a leap year's calendar."""
    pairs = []
    for item in text.split(","):
        item = item.strip()
        match = re.fullmatch(r"([0-9]{2})-([0-9]{2})", item)
        if not match:
            raise ScheduleError(f"{item!r} is not a date in the year: write month-day, like 10-01 for 1 October.")
        month, day = int(match.group(1)), int(match.group(2))
        try:
            date(2028, month, day)
        except ValueError:
            raise ScheduleError(f"{item!r} is not a date in the year: write month-day, like 10-01 for 1 October.") from None
        pairs.append((month, day))
    return sorted(set(pairs))


def make_trigger(text: str, tz: ZoneInfo) -> BaseTrigger | None:
    """The APScheduler trigger for a schedule, or None when it is "off"."""
    text = text.strip()
    if text.lower() == "off":
        return None
    every = _EVERY.fullmatch(text)
    if every:
        amount, unit = int(every.group(1)), every.group(2).lower()
        if amount < 1:
            raise ScheduleError(f"{text!r}: the interval must be at least 1 {unit}.")
        return IntervalTrigger(timezone=tz, **{f"{unit}s": amount})
    dates = _DATES.fullmatch(text)
    if dates:
        hour, minute = int(dates.group(2)), int(dates.group(3))
        if hour > 23 or minute > 59:
            raise ScheduleError(f"{text!r}: the time must be between 00:00 and 23:59.")
        triggers = [CronTrigger(month=month, day=day, hour=hour, minute=minute, timezone=tz) for month, day in parse_dates(dates.group(1))]
        return OrTrigger(triggers)
    fields = text.split()
    if len(fields) != 5:
        raise ScheduleError(f"{text!r} is not a schedule. {HOW_TO_WRITE}")
    if re.search(r"[0-9]", fields[4]):
        # APScheduler 3 counts 0 as Monday where cron counts 0 as Sunday: names avoid the trap.
        raise ScheduleError(f"{text!r}: write the day of the week as a name (mon, tue, ... sun), not a number.")
    try:
        return CronTrigger.from_crontab(text, timezone=tz)
    except ValueError as error:
        raise ScheduleError(f"{text!r} is not a schedule ({error}). {HOW_TO_WRITE}") from None


def describe(text: str) -> str:
    """The schedule in words for the admin page and ``jobs list``."""
    text = text.strip()
    if text.lower() == "off":
        return "Off (run by hand only)"
    every = _EVERY.fullmatch(text)
    if every:
        amount, unit = int(every.group(1)), every.group(2).lower()
        return f"Every {unit}" if amount == 1 else f"Every {amount} {unit}s"
    dates = _DATES.fullmatch(text)
    if dates:
        days = [f"{day} {_MONTHS[month - 1]}" for month, day in parse_dates(dates.group(1))]
        listed = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " and " + days[-1]
        return f"On {listed} at {int(dates.group(2)):02d}:{dates.group(3)}"
    fields = text.split()
    if len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit() and fields[2] == "*" and fields[3] == "*":
        at = f"{int(fields[1]):02d}:{int(fields[0]):02d}"
        if fields[4] == "*":
            return f"Every day at {at}"
        if fields[4].lower() in _DAY_KEYS:
            return f"{_DAY_NAMES[_DAY_KEYS.index(fields[4].lower())]} at {at}"
    return f"Cron: {text}"


# --- periods ------------------------------------------------------------------------------

def publication_date(today: date, config: Mapping) -> date:
    """The latest demand publication date on or before ``today``."""
    pairs = parse_dates(config["DEMAND_PUBLICATION_DATES"])
    candidates = []
    for year in (today.year, today.year - 1):
        for month, day in pairs:
            try:
                candidates.append(date(year, month, day))
            except ValueError:  # 29 February in a common year
                candidates.append(date(year, 3, 1))
    return max(candidate for candidate in candidates if candidate <= today)


def period_of(spec: JobSpec, today: date, local_now: datetime, config: Mapping) -> str:
    """What "once" means for ``spec`` on ``today``: a key that sorts in time order."""
    if spec.period == "minute":
        return local_now.strftime("%Y-%m-%dT%H:%M")
    if spec.period == "day":
        return today.isoformat()
    if spec.period == "week":
        year, week, _day = today.isocalendar()
        return f"{year}-W{week:02d}"
    if spec.period == "term":
        return publication_date(today, config).isoformat()
    raise ValueError(spec.period)


def previous_fire_time(trigger: BaseTrigger, now: datetime) -> datetime | None:
    """The latest time at or before ``now`` the trigger was due, or None if it never was.

    Triggers only look forward, so this looks back over widening windows and walks forward
    from the start of the first window that holds a due time.
    """
    if isinstance(trigger, IntervalTrigger):
        return now - trigger.interval
    for lookback in (timedelta(hours=2), timedelta(days=2), timedelta(days=9), timedelta(days=63), timedelta(days=800)):
        fire = trigger.get_next_fire_time(None, now - lookback)
        if fire is None or fire > now:
            continue
        latest = fire
        for _ in range(10_000):
            following = trigger.get_next_fire_time(latest, latest + timedelta(seconds=1))
            if following is None or following > now:
                return latest
            latest = following
        return latest
    return None


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)
