"""The sustained-destination rule (DOMAIN.md section 7) and leaving cohorts, as plain functions.

A leaving cohort is Year 11 leavers of a summer, Year 13 leavers of a summer, or the young
people who reach the age of transition in an academic year. Their destination year is the
academic year after that summer, and the rule looks at two stretches of it, as the DfE's
destination measures do:

* the **window**, 1 October to 31 March: sustained education means education or training on
  at least one day in every one of the six months; sustained employment means employment on
  at least one day in at least five of them; education and employment that together cover
  all six months are a sustained combination;
* the **academic year**, 1 August to 31 July (the DfE's boundaries for apprenticeships):
  an apprenticeship (code 310) counts when it runs for six continuous months at any time in it.

Precedence, as in the DfE measure, where a young person is counted once: apprenticeship,
then education, then employment, then the combination. Everyone else is *not sustained* if
they took part in any education, training or employment in the window (or an apprenticeship
in the academic year), *NEET* if everything known about them in the window is that they were
not in education, employment or training, and *unknown* if nothing was recorded in the window
or only "not known" codes (810-830).

Which codes count as what (decided once here, by group, not scattered through callers):

* education and training groups are learning; the employment group (including supported
  employment S20 and apprenticeships) is work;
* the "other" group (710 custody, 720 refugee or asylum seeker, S10 adult social care day
  opportunities) counts as known but not participating, so on its own it gives *NEET*: the
  service knows where the young person is, so "unknown" would send keyworkers chasing
  someone they are already in touch with, and the DfE measure has no sustained destination
  for any of them (the council's return reports day opportunities as 610, a NEET code);
* of the codes for young people below school-leaving age, which appear when a leaver is
  still on a school roll, 110 (at school) and 120 (educated at home) are learning, 130
  (custodial sentence) and 140 (not registered at a school) are known but not participating,
  and 150 (not known) is not known;
* the not-known group (810-830) and codes the service does not recognise are ignored: they
  say nothing about what the young person was doing.

Records may overlap, contradict each other, start or end mid-month and leave gaps: the rule
only asks which months had at least one day of each kind. A record with no end date is still
going; pass ``as_of`` to treat ongoing records as ending that day (and ignore records that
start after it) when evaluating a cohort whose year has not closed.

The functions take plain values (no database, no Flask) so the outcome report can stream a
county's cohort through them.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from datetime import date, timedelta

from destinations.activities.codes import ACTIVITY_CODES, APPRENTICESHIP
from destinations.people import roll

OUTCOMES = ("education", "apprenticeship", "employment", "education_employment", "not_sustained", "neet", "unknown")
# The DfE's headline "sustained education, apprenticeships or employment".
SUSTAINED_OUTCOMES = frozenset(("education", "apprenticeship", "employment", "education_employment"))
OUTCOME_LABELS = {
    "education": "Education, sustained",
    "apprenticeship": "Apprenticeship, sustained",
    "employment": "Work, sustained",
    "education_employment": "Education and work together, sustained",
    "not_sustained": "Not sustained",
    "neet": "NEET",
    "unknown": "Destination unknown",
}

COHORT_KINDS = {
    "year11": "Year 11 leavers",
    "year13": "Year 13 leavers",
    "transition": "Reached the age of transition",
}
# The National Curriculum year group a cohort leaves at the end of.
_LEAVING_YEAR_GROUP = {"year11": 11, "year13": 13}
_EARLIEST_YEAR = 2000
_LATEST_YEAR = 2100
_COHORT_KEY = re.compile(r"([a-z0-9]+)-([0-9]{4})")

# Activity roles for the rule. Ignored codes map to 0 (and are absent from the table).
_LEARNING, _WORK, _KNOWN = 1, 2, 3
_ROLE_OF_GROUP = {"education": _LEARNING, "training": _LEARNING, "employment": _WORK, "neet": _KNOWN, "other": _KNOWN}
_ROLE_OF_COMPULSORY_CODE = {"110": _LEARNING, "120": _LEARNING, "130": _KNOWN, "140": _KNOWN}


def _role_of(code: str, group: str) -> int:
    if group == "compulsory":
        return _ROLE_OF_COMPULSORY_CODE.get(code, 0)
    return _ROLE_OF_GROUP.get(group, 0)


_ROLE = {a.code: _role_of(a.code, a.group) for a in ACTIVITY_CODES.values() if _role_of(a.code, a.group)}

_ALL_SIX_MONTHS = 0b111111
_OCTOBER = 10
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """One activity record as the rule sees it: a code and the days it covers (inclusive).

    ``ended_on`` None means the activity is still going.
    """

    code: str
    started_on: date
    ended_on: date | None = None

    def __post_init__(self) -> None:
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError(
                f"An activity cannot end ({self.ended_on.isoformat()}) before it starts "
                f"({self.started_on.isoformat()})."
            )

    @classmethod
    def from_record(cls, record) -> Period:
        """Build a Period from an ActivityRecord (or any row with the same attribute names)."""
        return cls(record.activity_code, record.started_on, record.ended_on)


@dataclass(frozen=True)
class Cohort:
    """A leaving cohort.

    ``year`` is the summer they left (``year11``, ``year13``), or for ``transition`` the
    summer that ends the academic year in which they reach the age of transition.
    """

    kind: str
    year: int

    def __post_init__(self) -> None:
        if self.kind not in COHORT_KINDS:
            raise ValueError(f"{self.kind!r} is not a kind of cohort. Use one of: {', '.join(COHORT_KINDS)}.")
        if not isinstance(self.year, int) or not _EARLIEST_YEAR <= self.year <= _LATEST_YEAR:
            raise ValueError(
                f"{self.year!r} is not a year the service reports on. Use a year from {_EARLIEST_YEAR} to {_LATEST_YEAR}."
            )

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.year}"

    @property
    def label(self) -> str:
        if self.kind == "transition":
            return f"{COHORT_KINDS[self.kind]} in {roll.academic_year_label(self.year - 1)}"
        return f"{COHORT_KINDS[self.kind]}, summer {self.year}"

    @property
    def window(self) -> tuple[date, date]:
        """The six months a sustained destination is measured over: October to March."""
        return date(self.year, 10, 1), date(self.year + 1, 3, 31)

    @cached_property
    def academic_year(self) -> tuple[date, date]:
        """The destination year for apprenticeships, on the DfE's boundaries (August to July)."""
        return date(self.year, 8, 1), date(self.year + 1, 7, 31)

    @property
    def destination_year_label(self) -> str:
        """The destination year written the way schools do, e.g. "2022/23" for summer 2022 leavers."""
        return roll.academic_year_label(self.year)


def parse_cohort(key: str) -> Cohort:
    """Read a cohort key such as ``year11-2022``, ``year13-2023`` or ``transition-2024``.

    Raises ValueError with a message that says what is wrong and what to write instead.
    """
    match = _COHORT_KEY.fullmatch(key.strip().lower()) if isinstance(key, str) else None
    if match is None:
        raise ValueError(
            f"{key!r} is not a cohort. Write the kind of cohort, a hyphen and the year of the "
            "leaving summer, for example year11-2022, year13-2022 or transition-2022."
        )
    kind, year = match.group(1), int(match.group(2))
    if kind not in COHORT_KINDS:
        raise ValueError(f"{key!r} is not a cohort: the kind must be one of {', '.join(COHORT_KINDS)}, not {kind!r}.")
    try:
        return Cohort(kind, year)
    except ValueError as error:
        raise ValueError(f"{key!r} is not a cohort: {error}") from None


def cohort_birth_range(cohort: Cohort, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION) -> tuple[date, date]:
    """Return the first and last dates of birth (inclusive) of the young people in a cohort.

    Year 11 and Year 13 leavers of a summer are one chronological school year: the year
    group ends on 31 August of ``year``, so they are born 1 September to 31 August. Those
    reaching the age of transition ``T`` in academic year ``year - 1`` were born in the
    academic year ``T`` years earlier (a 29 February birthday moves to 1 March, which stays
    in the same academic year), so that is a 1 September to 31 August range too.
    """
    if cohort.kind == "transition":
        if not isinstance(age_of_transition, int) or not 16 <= age_of_transition <= roll.MAX_EXTENSION_AGE:
            raise ValueError(
                f"The age of transition must be a whole number from 16 to {roll.MAX_EXTENSION_AGE}, "
                f"not {age_of_transition!r}."
            )
        born_in = cohort.year - 1 - age_of_transition
    else:
        # year_group(dob, d) = A(d) - C(dob) - 5; the leaving summer is in academic year year - 1.
        born_in = cohort.year - 1 - 5 - _LEAVING_YEAR_GROUP[cohort.kind]
    return date(born_in, 9, 1), date(born_in + 1, 8, 31)


def window_closed(cohort: Cohort, today: date) -> bool:
    """True once the October-March window is over, so education and employment outcomes are final.

    A sustained apprenticeship can still be completed until the academic year ends
    (see :func:`year_closed`), so an outcome of "not sustained" may yet become "apprenticeship".
    """
    return today > cohort.window[1]


def year_closed(cohort: Cohort, today: date) -> bool:
    """True once the destination academic year is over, so no outcome can change any more."""
    return today > cohort.academic_year[1]


def latest_closed_cohort(kind: str, today: date) -> Cohort:
    """The most recent cohort of ``kind`` whose October-March window has closed by ``today``."""
    year = today.year - 1 if today > date(today.year, 3, 31) else today.year - 2
    return Cohort(kind, year)


def sustained_outcome(periods: Iterable[Period], cohort: Cohort, *, as_of: date | None = None) -> str:
    """Return the young person's outcome for ``cohort``: one of OUTCOMES (see the module notes).

    ``periods`` are their activity records in any order. Runs in one pass over them with
    integer month arithmetic, because a report calls it for every leaver in a county.
    """
    first_month = cohort.year * 12 + _OCTOBER - 1  # months counted from year 0, January = 0
    last_month = first_month + 5
    year_start = year_end = None
    learning = work = 0
    known = participated = False
    apprenticeships: list[tuple[date, date]] | None = None
    roles = _ROLE
    for period in periods:
        code = period.code
        role = roles.get(code)
        if role is None:
            if not isinstance(code, str):
                continue
            code = code.strip().upper()
            role = roles.get(code)
            if role is None:
                continue
        started_on, ended_on = period.started_on, period.ended_on
        if as_of is not None:
            if started_on > as_of:
                continue
            if ended_on is None or ended_on > as_of:
                ended_on = as_of
        if code == APPRENTICESHIP:
            if year_start is None:
                year_start, year_end = cohort.academic_year
            start = started_on if started_on > year_start else year_start
            end = year_end if ended_on is None or ended_on > year_end else ended_on
            if start <= end:
                participated = True
                if apprenticeships is None:
                    apprenticeships = []
                apprenticeships.append((start, end))
        low = started_on.year * 12 + started_on.month - 1
        if low > last_month:
            continue
        high = last_month if ended_on is None else ended_on.year * 12 + ended_on.month - 1
        if high < first_month:
            continue
        if low < first_month:
            low = first_month
        if high > last_month:
            high = last_month
        months = ((1 << (high - low + 1)) - 1) << (low - first_month)
        if role == _LEARNING:
            learning |= months
        elif role == _WORK:
            work |= months
        else:
            known = True
    if apprenticeships is not None and _six_continuous_months(apprenticeships):
        return "apprenticeship"
    if learning == _ALL_SIX_MONTHS:
        return "education"
    if work.bit_count() >= 5:
        return "employment"
    if learning | work == _ALL_SIX_MONTHS:
        return "education_employment"
    if learning or work or participated:
        return "not_sustained"
    if known:
        return "neet"
    return "unknown"


def _six_continuous_months(spells: list[tuple[date, date]]) -> bool:
    """True if spells joined end to start (overlapping or on consecutive days) last six months.

    Six months from 1 February is 1 February to 31 July; from 31 August it is 31 August to
    27 February (or 28 in a leap year), counting as a calendar would.
    """
    spells.sort()
    start, end = spells[0]
    for next_start, next_end in spells[1:]:
        if next_start <= end + _ONE_DAY:
            if next_end > end:
                end = next_end
            continue
        if _lasts_six_months(start, end):
            return True
        start, end = next_start, next_end
    return _lasts_six_months(start, end)


def _lasts_six_months(start: date, end: date) -> bool:
    """``end >= roll.add_months(start, 6) - 1 day``, without building dates in the usual case."""
    after = end + _ONE_DAY
    months = (after.year - start.year) * 12 + after.month - start.month
    if months != 6:
        return months > 6
    # Six months on from the 31st can only reach the last day of a shorter month.
    return after.day >= start.day or after.day == calendar.monthrange(after.year, after.month)[1]
