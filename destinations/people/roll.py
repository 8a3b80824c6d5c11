"""Roll dates: when a young person joins and leaves the DPS roll, and when they are due a review.

Everything here is a pure function of dates (DOMAIN.md section 3 and 4), so it can be
tested without Flask or a database and reused by pages, the API, reports and scheduled jobs.

Two notations from the brief are used throughout: ``A(d)`` is the academic year containing
``d`` (the calendar year of the 1 September on or before it) and ``C(dob) = A(dob)`` is the
academic-year cohort a child is born into.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

DEFAULT_AGE_OF_TRANSITION = 18
MAX_EXTENSION_AGE = 25

# Settings may override these; keys are the pathway number as text, or "undecided".
DEFAULT_REVIEW_CADENCE_MONTHS: Mapping[str, int] = {"1": 6, "2": 6, "3": 12, "undecided": 12}

_ACADEMIC_YEAR_START_MONTH = 9
_ROLL_START_YEAR_GROUP = 9
_ACADEMIC_YEAR_LABEL = re.compile(r"([0-9]{4})/([0-9]{2})")

# Month names are spelled out here rather than via strftime("%B"), which follows the
# process locale and could print "octobre" on a misconfigured server.
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class ExtensionError(ValueError):
    """A roll extension that the rules do not allow; the message is fit to show a manager."""


def _long_date(d: date) -> str:
    """Format a date the GOV.UK way: 15 October 2030."""
    return f"{d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


# --- Academic years --------------------------------------------------------------------


def academic_year_of(d: date) -> int:
    """Return ``A(d)``: the calendar year of the 1 September on or before ``d``."""
    return d.year if d.month >= _ACADEMIC_YEAR_START_MONTH else d.year - 1


def academic_year_label(start_year: int) -> str:
    """Write an academic year the way schools do: 2026 -> "2026/27", 1999 -> "1999/00"."""
    if not 1 <= start_year <= 9998:
        raise ValueError(f"{start_year} is not a year an academic year can start in.")
    return f"{start_year:04d}/{(start_year + 1) % 100:02d}"


def parse_academic_year_label(label: str) -> int:
    """Read a label such as "2026/27" and return its start year (2026).

    Raises ValueError unless the label is exactly four digits, a slash and the last two
    digits of the following year, so typos like "2026/28" are caught rather than guessed at.
    """
    match = _ACADEMIC_YEAR_LABEL.fullmatch(label.strip()) if isinstance(label, str) else None
    if match is None:
        raise ValueError(
            f"{label!r} is not an academic year. Write it as the year it starts, a slash "
            "and the last two digits of the next year, for example 2026/27."
        )
    start_year = int(match.group(1))
    if int(match.group(2)) != (start_year + 1) % 100 or start_year == 0:
        raise ValueError(
            f"{label!r} is not an academic year: an academic year starting in {start_year} "
            f"is written {academic_year_label(max(start_year, 1))}."
        )
    return start_year


# --- Year groups and birthdays ---------------------------------------------------------


def cohort_of(date_of_birth: date) -> int:
    """Return ``C(dob)``, the academic year a child is born into (it fixes their school year)."""
    return academic_year_of(date_of_birth)


def year_group(date_of_birth: date, on: date) -> int:
    """Return the chronological National Curriculum year group on a date (0 = Reception).

    Not clamped: it is negative before Reception and above 14 after Year 14, because callers
    compare it with ranges and a clamped value would hide that someone is out of range.
    """
    return academic_year_of(on) - cohort_of(date_of_birth) - 5


def birthday(date_of_birth: date, age: int) -> date:
    """Return the date a person reaches ``age``.

    People born on 29 February reach an age on 1 March in a non-leap year, as English law
    treats them (and as the brief's worked example requires).
    """
    year = date_of_birth.year + age
    try:
        return date_of_birth.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


# --- The roll --------------------------------------------------------------------------


def roll_start(date_of_birth: date) -> date:
    """Return the first day on the roll: 1 September of the start of Year 9."""
    start_year = cohort_of(date_of_birth) + 5 + _ROLL_START_YEAR_GROUP
    return date(start_year, _ACADEMIC_YEAR_START_MONTH, 1)


def age_of_transition_date(
    date_of_birth: date, age_of_transition: int = DEFAULT_AGE_OF_TRANSITION
) -> date:
    """Return the birthday on which the young person moves to adult services."""
    return birthday(date_of_birth, age_of_transition)


def base_roll_end(date_of_birth: date, age_of_transition: int = DEFAULT_AGE_OF_TRANSITION) -> date:
    """Return the last day on the roll before any extension: the (T + 2)th birthday."""
    return birthday(date_of_birth, age_of_transition + 2)


def extension_limit(date_of_birth: date) -> date:
    """Return the 25th birthday: no extension may end after it."""
    return birthday(date_of_birth, MAX_EXTENSION_AGE)


def validate_extension(date_of_birth: date, current_end: date, new_end: date) -> None:
    """Check that a manager may extend the roll from ``current_end`` to ``new_end``.

    ``current_end`` is the roll end in force now (with earlier extensions), because
    extensions stack: each one has to move the end later, never back or sideways.
    Raises ExtensionError with a message that can be shown to the manager as it is.
    """
    if new_end <= current_end:
        raise ExtensionError(
            f"The new roll end must be after the current roll end of {_long_date(current_end)}."
        )
    limit = extension_limit(date_of_birth)
    if new_end > limit:
        raise ExtensionError(
            "The roll cannot be extended past their 25th birthday, "
            f"{_long_date(limit)}. Choose a date on or before it."
        )


def roll_end(
    date_of_birth: date,
    age_of_transition: int = DEFAULT_AGE_OF_TRANSITION,
    extension_ends: Iterable[date] = (),
) -> date:
    """Return the last day on the roll: the later of the base roll end and the latest extension.

    Earlier extensions stay in the history that callers pass in; only the latest counts.
    """
    return max((base_roll_end(date_of_birth, age_of_transition), *extension_ends))


def roll_status(
    date_of_birth: date,
    on: date,
    age_of_transition: int = DEFAULT_AGE_OF_TRANSITION,
    extension_ends: Iterable[date] = (),
    left_on: date | None = None,
) -> str:
    """Return "upcoming", "active", "extended" or "left" for a young person on a date.

    ``left_on`` is the date they were taken off the roll early (moved away, opted out...);
    it wins over the date rules from that day on. The roll end date itself is still on the roll.
    """
    if left_on is not None and left_on <= on:
        return "left"
    if on < roll_start(date_of_birth):
        return "upcoming"
    if on <= base_roll_end(date_of_birth, age_of_transition):
        return "active"
    if on <= roll_end(date_of_birth, age_of_transition, extension_ends):
        return "extended"
    return "left"


# --- Key transition points -------------------------------------------------------------


@dataclass(frozen=True)
class TransitionPoint:
    """A dated milestone in a young person's transition, shown on every record."""

    key: str
    name: str
    date: date


def transition_points(
    date_of_birth: date,
    age_of_transition: int = DEFAULT_AGE_OF_TRANSITION,
    extension_ends: Iterable[date] = (),
) -> list[TransitionPoint]:
    """Return the key transition points in date order.

    They are Year 9, the ends of Years 11 and 13, the age of transition and the roll end.

    They are sorted rather than listed in a fixed order because the age of transition moves
    with the setting: at 18 it falls inside Year 13, at 16 inside Year 11.
    Ties keep that order (a 31 August birthday turns 18 on the last day of Year 13).
    """
    cohort = cohort_of(date_of_birth)
    points = [
        TransitionPoint("year9", "Year 9 (first PfA review)", roll_start(date_of_birth)),
        # The end of NCY 11 is 31 August of academic year C + 16, which is calendar year C + 17.
        TransitionPoint("end_of_year11", "End of Year 11", date(cohort + 17, 8, 31)),
        TransitionPoint("end_of_year13", "End of Year 13", date(cohort + 19, 8, 31)),
        TransitionPoint(
            "age_of_transition",
            f"Age of transition ({age_of_transition})",
            age_of_transition_date(date_of_birth, age_of_transition),
        ),
        TransitionPoint(
            "roll_end", "Roll end", roll_end(date_of_birth, age_of_transition, extension_ends)
        ),
    ]
    return sorted(points, key=lambda point: point.date)  # sorted() is stable, so ties keep order


def next_transition_point(
    date_of_birth: date,
    on: date,
    age_of_transition: int = DEFAULT_AGE_OF_TRANSITION,
    extension_ends: Iterable[date] = (),
) -> TransitionPoint | None:
    """Return the first transition point on or after ``on``, or None once all have passed."""
    for point in transition_points(date_of_birth, age_of_transition, extension_ends):
        if point.date >= on:
            return point
    return None


# --- Reviews ---------------------------------------------------------------------------


def first_review_due(date_of_birth: date) -> date:
    """Return the date the first PfA review is due: 31 March of Year 9."""
    return date(roll_start(date_of_birth).year + 1, 3, 31)


def add_months(d: date, months: int) -> date:
    """Add calendar months, clamping to the end of a shorter month (31 Jan + 1 month = 28/29 Feb).

    Clamping keeps a review "6 months after 31 August" in February rather than spilling
    into March, which is what a keyworker would count on a calendar.
    """
    month_index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _cadence_key(pathway: int | None) -> str:
    if pathway is None:
        return "undecided"
    key = str(pathway)
    if key not in ("1", "2", "3"):
        raise ValueError(f"Pathway must be 1, 2, 3 or None (not yet decided), not {pathway!r}.")
    return key


def next_review_due(
    date_of_birth: date,
    on: date,
    pathway: int | None,
    last_review_on: date | None,
    cadence_months: Mapping[str, int] = DEFAULT_REVIEW_CADENCE_MONTHS,
    age_of_transition: int = DEFAULT_AGE_OF_TRANSITION,
    extension_ends: Iterable[date] = (),
    left_on: date | None = None,
) -> date | None:
    """Return the date the next PfA review is due, or None if the person has left the roll.

    With no review yet it is the first review date, even when that is already past (the
    person is then overdue). Otherwise it is the last review plus the pathway's cadence;
    ``pathway`` None means "not yet decided". A cadence mapping from settings that leaves
    out a key falls back to the default for that key, so a partial setting cannot break
    every caseload page.
    """
    if roll_status(date_of_birth, on, age_of_transition, extension_ends, left_on) == "left":
        return None
    if last_review_on is None:
        return first_review_due(date_of_birth)
    key = _cadence_key(pathway)
    months = cadence_months.get(key, DEFAULT_REVIEW_CADENCE_MONTHS[key])
    return add_months(last_review_on, months)

