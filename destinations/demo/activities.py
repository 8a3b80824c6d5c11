"""Planning demo activity histories: a pure function of the council plan, a seed and the clock.

Everyone past Year 11 gets what they did next, as a keyworker, an import from the council's
case-management system or the young person's own keep-in-touch answer recorded it: sixth
forms, colleges, specialist colleges, apprenticeships, supported internships, jobs,
supported employment, day opportunities, NEET spells and spells nobody knows about, with
the mess of real records (mid-month starts, course changes, a young person's report beside
a verified record, an import and a keyworker recording the same enrolment).

The first year after Year 11 is planned from a destination drawn for each young person,
so the demo council's Year 11 leavers land near the national figures for young people with
EHC plans (DOMAIN.md section 7) and those on SEN support near theirs, with the differences by
pathway and primary need a council would see. Each outcome is written out as records that
the sustained-destination rule reads back as that outcome; later years follow on as a
chain of spells. :mod:`destinations.demo.generator` writes the plan.
"""
from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from destinations.demo.people import EHC_NEEDS, PATHWAY_WEIGHTS, SUPPORT_NEEDS
from destinations.demo.records import Clock, CouncilPlan, PersonPlan
from destinations.people import roll

# The first-year destinations, in the order first_year_probabilities gives their chances.
OUTCOME_ORDER = ("education", "education_employment", "apprenticeship", "employment", "not_sustained", "neet", "unknown")

# Per cent of Year 11 leavers. EHC plans: the national figures for 2021/22 (Table 5 of the
# seed report: 86.8 education, 0.9 apprenticeships, 2.5 work, 4.8 NEET, 1.9 unknown), with
# the remaining 3.1 not sustained and a few education-and-work combinations. SEN support has
# no national figure in the brief; the demo assumes the usual shape, with more
# apprenticeships and work and less education than for EHC plans.
TARGETS = {
    "E": {"education": 86.6, "education_employment": 0.2, "apprenticeship": 0.9, "employment": 2.5,
          "not_sustained": 3.1, "neet": 4.8, "unknown": 1.9},
    "K": {"education": 80.0, "education_employment": 0.4, "apprenticeship": 3.6, "employment": 4.6,
          "not_sustained": 4.6, "neet": 4.8, "unknown": 2.0},
}  # fmt: skip

# How much likelier than average each outcome is, by pathway and by primary need. The
# calibration below rescales them so the whole cohort still lands on TARGETS.
PATHWAY_FACTORS = {
    1: {"education": 1.1, "education_employment": 0.0, "apprenticeship": 0.0, "employment": 0.02,
        "not_sustained": 0.4, "neet": 0.5, "unknown": 0.5},
    2: {"education": 1.03, "education_employment": 0.6, "apprenticeship": 0.5, "employment": 0.7,
        "not_sustained": 0.85, "neet": 0.85, "unknown": 0.8},
    3: {"education": 0.97, "education_employment": 1.3, "apprenticeship": 1.5, "employment": 1.3,
        "not_sustained": 1.15, "neet": 1.15, "unknown": 1.2},
    None: {"education": 0.95, "education_employment": 1.0, "apprenticeship": 1.0, "employment": 1.0,
           "not_sustained": 1.2, "neet": 1.2, "unknown": 2.0},
}  # fmt: skip
NEED_FACTORS = {
    "SEMH": {"education": 0.9, "employment": 1.2, "not_sustained": 1.9, "neet": 2.3, "unknown": 1.7},
    "ASD": {"employment": 0.8, "apprenticeship": 0.8, "neet": 1.15},
    "SPLD": {"apprenticeship": 2.2, "employment": 1.7, "education_employment": 1.5},
    "MLD": {"apprenticeship": 1.3, "employment": 1.2},
    "SLCN": {"apprenticeship": 1.2},
    "PMLD": {"apprenticeship": 0.0, "employment": 0.0, "education_employment": 0.0, "not_sustained": 0.3,
             "neet": 0.35, "unknown": 0.3},
    "SLD": {"apprenticeship": 0.1, "employment": 0.2, "education_employment": 0.2, "not_sustained": 0.4,
            "neet": 0.45, "unknown": 0.4},
    "MSI": {"apprenticeship": 0.2, "employment": 0.3, "not_sustained": 0.5, "neet": 0.5, "unknown": 0.5},
    "PD": {"neet": 0.9},
}  # fmt: skip
UNDECIDED_SHARE = 0.06  # of people past Year 11 whose pathway was never agreed

# Spells after the first year: what comes next after each kind of activity, by pathway.
AFTER_SCHOOL = {  # leaving school or a post-16 course at 18 or 19
    1: {"specialist": 40, "day_opportunities": 40, "not_ready": 8, "illness": 5, "fe": 4, "not_known": 3},
    2: {"supported_internship": 30, "fe": 20, "specialist": 8, "supported_employment": 12, "job": 5,
        "part_time": 5, "day_opportunities": 6, "not_ready": 6, "seeking": 5, "not_known": 3},
    3: {"he": 22, "job": 24, "apprenticeship": 12, "fe": 14, "part_time": 8, "seeking": 12, "not_known": 8},
}  # fmt: skip
AFTER_WORKLESS = {  # after a NEET or not-known spell
    1: {"day_opportunities": 50, "specialist": 15, "not_ready": 25, "not_known": 10},
    2: {"fe": 20, "re_engagement": 10, "supported_internship": 15, "supported_employment": 10, "part_time": 10,
        "seeking": 20, "day_opportunities": 5, "not_known": 10},
    3: {"fe": 20, "re_engagement": 15, "job": 18, "part_time": 12, "apprenticeship": 5, "seeking": 20,
        "not_known": 10},
}  # fmt: skip
NEXT_KINDS = {
    "after_school": AFTER_SCHOOL,
    "after_workless": AFTER_WORKLESS,
    "supported_internship": {"supported_employment": 35, "job": 15, "part_time": 15, "seeking": 20, "fe": 10,
                             "not_known": 5},
    "job": {"job": 45, "part_time": 15, "seeking": 30, "fe": 5, "not_known": 5},
    "part_time": {"job": 30, "part_time": 30, "seeking": 30, "fe": 5, "not_known": 5},
    "temporary": {"job": 30, "temporary": 20, "part_time": 15, "seeking": 30, "not_known": 5},
    "apprenticeship": {"job": 75, "apprenticeship": 5, "seeking": 15, "not_known": 5},
    "he": {"job": 70, "part_time": 15, "seeking": 15},
    "re_engagement": {"fe": 35, "apprenticeship": 10, "job": 15, "part_time": 10, "seeking": 25, "not_known": 5},
}  # fmt: skip
# Where young people study after Year 11, by pathway and whether they were at a special school.
POST16_COURSES = {
    (1, True): {"sixth_form": 65, "specialist": 30, "fe": 5},
    (1, False): {"specialist": 70, "fe": 30},
    (2, True): {"sixth_form": 35, "fe": 40, "specialist": 20, "supported_internship": 5},
    (2, False): {"fe": 70, "sixth_form": 12, "specialist": 13, "supported_internship": 5},
    (3, True): {"fe": 55, "sixth_form": 30, "specialist": 10, "re_engagement": 5},
    (3, False): {"fe": 55, "sixth_form": 22, "sixth_form_college": 15, "specialist": 3, "re_engagement": 5},
}
WORKLESS = frozenset({"seeking", "not_ready", "inactive", "illness", "carer", "not_known"})
COURSES = frozenset({"sixth_form", "sixth_form_college", "fe", "specialist", "he", "supported_internship", "re_engagement"})
# Need-specific lean towards spells out of work after school (applied to WORKLESS weights).
WORKLESS_NEED_FACTOR = {"SEMH": 1.8, "ASD": 1.2, "SPLD": 0.8, "PMLD": 0.6}

# kind -> (code choices with weights, provider kind or None for a named employer)
KINDS = {
    "school": ({"110": 1}, "own_school"),
    "start_agreed": ({"616": 60, "615": 40}, None),
    "sixth_form": ({"210": 1}, "own_school"),
    "sixth_form_college": ({"220": 1}, "sixth_form_college"),
    "fe": ({"230": 92, "270": 5, "250": 3}, "college"),
    "specialist": ({"280": 1}, "specialist_college"),
    "he": ({"240": 1}, "university"),
    "supported_internship": ({"460": 1}, "internship"),
    "re_engagement": ({"530": 60, "430": 25, "440": 15}, "training"),
    "apprenticeship": ({"310": 1}, "training"),
    "job": ({"330": 60, "340": 20, "320": 8, "350": 8, "380": 4}, None),
    "part_time": ({"360": 85, "381": 5, "350": 10}, None),
    "temporary": ({"350": 1}, None),
    "supported_employment": ({"S20": 1}, None),
    "day_opportunities": ({"S10": 1}, "day_service"),
    "seeking": ({"619": 85, "615": 10, "680": 5}, None),
    "not_ready": ({"610": 1}, None),
    "inactive": ({"670": 1}, None),
    "illness": ({"640": 1}, None),
    "carer": ({"620": 60, "630": 30, "650": 10}, None),
    "not_known": ({"820": 60, "810": 35, "830": 5}, None),
}  # fmt: skip
# Hours a week (low, high) for work codes; every employment code needs them.
HOURS = {"310": (30, 37), "320": (30, 40), "330": (16, 40), "340": (20, 37), "350": (12, 37), "360": (6, 15),
         "380": (10, 30), "381": (8, 20), "S20": (8, 25)}  # fmt: skip
EMPLOYERS = (
    "Northshire County Council", "Castle Norton Co-operative", "Millbridge Garden Centre", "Redbrook Leisure Centre",
    "The Kingsmere Arms", "Ashby Vale Care Home", "Fenby Farm Shop", "Westmarsh Warehouse Ltd",
    "Lowfield Bakery", "Saltmarsh Caravan Park", "Greystone Motors", "Thornbury Cross Supermarket",
    "Harbour Café", "Birchwood Cleaning Services", "Denby Moor Stables", "Marbury Print and Post",
)  # fmt: skip
NHS_EMPLOYER, GARDEN_EMPLOYER = "Northshire Hospitals NHS Trust", "Greystone Garden Centre"
INTERNSHIP_COLLEGE = "Northshire College"

# Where records come from. Imports arrive verified from the council's case-management
# system; keyworkers verify most of what they record; young people's own answers wait
# for a keyworker to check them.
IMPORT_SHARE, SELF_REPORT_SHARE = 0.32, 0.08
KEYWORKER_VERIFIED, SELF_REPORT_VERIFIED = 0.85, 0.2
SIDE_JOB_SHARE = {3: 0.15, 2: 0.05}  # a part-time job beside a course year, by pathway
YEAR11_RECORD_SHARE = 0.7  # people whose Year 11 at school came in with the census import
START_AGREED_SHARE = 0.25  # a summer "start date agreed" before a course at a new provider
DUPLICATE_SHARE = 0.05  # an enrolment imported and recorded by a keyworker as well
STALE_SHARE = 0.25  # current activities nobody has confirmed for over three months

_GOLDEN = 0.6180339887498949
_DRAW_ORDER = tuple(OUTCOME_ORDER.index(outcome) for outcome in reversed(OUTCOME_ORDER))


class ActivityPlan(NamedTuple):
    person: int  # position in the council plan
    code: str
    started_on: date
    ended_on: date | None
    provider: int | None  # provider position in the council plan
    provider_name: str | None
    hours_per_week: Decimal | None
    level: str | None
    source: str
    verified: bool
    confirmed_on: date | None
    recorded_at: datetime
    recorded_by: int | None  # staff position; None for imports and young people's own reports
    updated_at: datetime


def plan_activities(council: CouncilPlan, seed: int, clock: Clock) -> list[ActivityPlan]:
    """Every planned person's activity records, grouped by person, from one seeded stream.

    Records stop where the service stopped knowing: today, or the day before the person left
    the roll (the plan's leaving dates already follow the age of transition).
    """
    planner = _ActivityPlanner(random.Random(f"{seed}:activities"), council, clock)
    records: list[ActivityPlan] = []
    for position, person in enumerate(council.people):
        records.extend(planner.history(position, person))
    return records


def first_year_probabilities(provision: str, pathway: int | None, need: str) -> tuple[float, ...]:
    """The chance of each first-year destination (OUTCOME_ORDER) for a young person."""
    return _calibrated(provision)[(pathway, need)]


@cache
def _calibrated(provision: str) -> dict[tuple[int | None, str], tuple[float, ...]]:
    """Per-person chances, rescaled until the expected cohort lands on TARGETS.

    The cohort is weighted as the people planner makes it (need mix, pathway by need); a
    few rounds of rescaling each outcome by target / expected converge, as in raking.
    """
    needs = EHC_NEEDS if provision == "E" else SUPPORT_NEEDS
    total_need = sum(needs.values())
    cells: dict[tuple[int | None, str], float] = {}
    for need, share in needs.items():
        weights = PATHWAY_WEIGHTS[need]
        if provision == "K":
            weights = (0, weights[1] * 0.25, weights[2] + 1)
        total = sum(weights)
        for pathway, weight in zip((1, 2, 3), weights):
            cells[(pathway, need)] = share / total_need * weight / total * (1 - UNDECIDED_SHARE)
        cells[(None, need)] = share / total_need * UNDECIDED_SHARE
    target = TARGETS[provision]
    raw = {
        cell: [PATHWAY_FACTORS[cell[0]][o] * NEED_FACTORS.get(cell[1], {}).get(o, 1.0) for o in OUTCOME_ORDER]
        for cell in cells
    }
    scale = [target[o] for o in OUTCOME_ORDER]
    for _ in range(60):
        chances = {}
        for cell, factors in raw.items():
            weights = [s * f for s, f in zip(scale, factors)]
            total = sum(weights)
            chances[cell] = [w / total for w in weights]
        expected = [sum(cells[cell] * chances[cell][i] for cell in cells) * 100 for i in range(len(OUTCOME_ORDER))]
        scale = [s * target[o] / e if e else s for s, o, e in zip(scale, OUTCOME_ORDER, expected)]
    return {cell: tuple(values) for cell, values in chances.items()}


class _Weights:
    """A weighted choice prepared once (the planner makes tens of thousands)."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, weights: dict):
        self.items = tuple(weights)
        self.cumulative = []
        running = 0.0
        for weight in weights.values():
            running += weight
            self.cumulative.append(running)
        self.total = running

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


_SPANS = [timedelta(days=days) for days in range(1200)]  # made once: the planner draws hundreds of thousands
_OFFICE_HOURS = [timedelta(hours=hour, minutes=minute) for hour in range(8, 17) for minute in range(0, 60, 5)]
_MIDNIGHT_UTC = time(0, tzinfo=timezone.utc)


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    """A whole number of days from low to high inclusive (quicker than randint)."""
    days = low + int(rng.random() * (high - low + 1))
    return _SPANS[days] if days >= 0 else timedelta(days=days)


def _term_start(rng: random.Random, year: int) -> date:
    """A first day at college or sixth form: a weekday in the first fortnight of September."""
    day = date(year, 9, 2) + _days(rng, 0, 10)
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _term_end(rng: random.Random, year: int) -> date:
    """The last day of a course: mid to late July (``year`` is the calendar year)."""
    return date(year, 7, 8) + _days(rng, 0, 16)


class _Person:
    """One young person's records as they are planned, cut off where the service stops knowing."""

    __slots__ = ("horizon", "keyworker", "plan", "position", "providers", "records")

    def __init__(self, position: int, plan: PersonPlan, horizon: date, keyworker: int | None):
        self.position, self.plan, self.horizon, self.keyworker = position, plan, horizon, keyworker
        self.records: list[ActivityPlan] = []
        self.providers: dict[str, int | None | str] = {}


class _ActivityPlanner:
    def __init__(self, rng: random.Random, council: CouncilPlan, clock: Clock):
        self.rng, self.clock = rng, clock
        self.today, self.yesterday = clock.today, clock.today - timedelta(days=1)
        self.latest = clock.now - timedelta(minutes=1)
        self.providers = council.providers
        self.managers = [i for i, member in enumerate(council.staff) if member.role == "manager"]
        self.by_kind: dict[str, list[int]] = {}
        self.by_name: dict[str, int] = {}
        for i, provider in enumerate(council.providers):
            self.by_kind.setdefault(provider.kind, []).append(i)
            self.by_name[provider.name] = i
        self.by_kind["internship"] = [
            self.by_name[name] for name in (INTERNSHIP_COLLEGE, NHS_EMPLOYER, GARDEN_EMPLOYER) if name in self.by_name
        ]
        self.codes = {kind: _Weights(codes) for kind, (codes, _) in KINDS.items()}
        self.next_kinds: dict[tuple[str, int, str], _Weights] = {}
        self.courses: dict[tuple[int, bool, str | None], _Weights] = {}
        # One evenly spread stream of draws per leaving year, provision, pathway and need keeps a
        # small council's cohort close to its targets, while each draw is still uniform.
        self.draws: dict[tuple[int, str, int | None, str], float] = {}
        self.hours = {code: [Decimal(h) for h in range(low, high + 1)] + ([Decimal("37.5")] if high >= 37 else [])
                      for code, (low, high) in HOURS.items()}  # fmt: skip

    # --- a person's history ----------------------------------------------------------------

    def history(self, position: int, plan: PersonPlan) -> list[ActivityPlan]:
        born_in = roll.cohort_of(plan.date_of_birth)
        left_school = born_in + 17  # the summer they finished Year 11
        first_day = date(left_school, 9, 1)
        horizon = self.today - timedelta(days=1)
        if plan.left_on is not None:
            horizon = min(horizon, plan.left_on - timedelta(days=1))
        if horizon < first_day:
            return []
        keyworker = plan.keyworker if plan.keyworker is not None else (self.managers[0] if self.managers else None)
        person = _Person(position, plan, horizon, keyworker)
        if self.rng.random() < YEAR11_RECORD_SHARE:  # Year 11, as the school census import had it
            self._add(person, "school", date(left_school - 1, 9, 1) + _days(self.rng, 0, 6),
                      date(left_school, 6, 24) + _days(self.rng, 0, 8), source="import")  # fmt: skip
        outcome = self._draw(plan, left_school, plan.pathway)
        kind, start, min_end = self._first_year(person, outcome, left_school, self._pathway_or_likely(plan))
        self._chain(person, kind, start, min_end)
        return person.records

    def _pathway_or_likely(self, plan: PersonPlan) -> int:
        if plan.pathway is not None:
            return plan.pathway
        return 2 if plan.sen_provision == "E" and plan.primary_need in ("PMLD", "SLD", "MSI", "ASD") else 3

    def _draw(self, plan: PersonPlan, left_school: int, pathway: int | None) -> str:
        key = (left_school, plan.sen_provision, pathway, plan.primary_need)
        draw = self.draws.get(key)
        draw = self.rng.random() if draw is None else (draw + _GOLDEN) % 1.0
        self.draws[key] = draw
        chances = _calibrated(plan.sen_provision).get((pathway, plan.primary_need))
        if chances is None:
            chances = _calibrated(plan.sen_provision)[(pathway, "OTH")]
        # The rare outcomes come first, so their share of the evenly spread draws moves
        # little from one need to another.
        running = 0.0
        for index in _DRAW_ORDER:
            running += chances[index]
            if draw < running:
                return OUTCOME_ORDER[index]
        return "education"

    # --- the first year after Year 11: the outcome drawn, written as records ----------------

    def _first_year(self, person: _Person, outcome: str, year: int, pathway: int) -> tuple[str, date, date]:
        """Records for September ``year`` to July ``year + 1`` that read back as ``outcome``.

        Returns the spell that carries on afterwards: (kind, start, earliest end), with an
        earliest end after the academic year so nothing later can change the outcome.
        """
        rng = self.rng
        after_year = date(year + 1, 8, 1)
        plan = person.plan
        if outcome == "education":
            kind = self._post16_course(person, pathway)
            start = _term_start(rng, year) if rng.random() > 0.05 else date(year, 9, 20) + _days(rng, 0, 25)
            if rng.random() < 0.12:  # changed course part-way through the year, with at most a short gap
                switch = date(year, 10, 20) + _days(rng, 0, 120)
                self._add(person, kind, start, switch, first_of_course=True)
                restart = switch + _days(rng, -7, 18)
                if restart > switch and rng.random() < 0.3:
                    self._add(person, "seeking", switch + timedelta(days=1), restart - timedelta(days=1),
                              source="young_person")  # fmt: skip
                kind = self._post16_course(person, pathway, instead_of=kind)
                start = restart
            elif start.month == 9 and rng.random() < START_AGREED_SHARE:
                self._add(person, "start_agreed", date(year, 7, 3) + _days(rng, 0, 10), start - timedelta(days=1))
            self._maybe_side_job(person, pathway, date(year, 10, 1) + _days(rng, 0, 150))
            return kind, start, date(year + 1, 7, 10)
        if outcome == "education_employment":
            kind = self._post16_course(person, pathway)
            left_on = date(year, 11, 15) + _days(rng, 0, 70)
            self._add(person, kind, _term_start(rng, year), left_on)
            job_start = (left_on.replace(day=1) + timedelta(days=32)).replace(day=1) + _days(rng, 0, 9)
            return ("part_time" if rng.random() < 0.4 else "job"), job_start, after_year
        if outcome == "apprenticeship":
            start = date(year, 9, 1) + _days(rng, 0, 150)
            if start > date(year, 9, 25):
                before = "fe" if rng.random() < 0.5 else "seeking"
                self._add(person, before, date(year, 9, 1) + _days(rng, 0, 10), start - _days(rng, 1, 10))
            return "apprenticeship", start, max(after_year, roll.add_months(start, 6))
        if outcome == "employment":
            start = date(year, 9, 1) + _days(rng, 0, 60)
            if start > date(year, 9, 20):
                self._add(person, "seeking", date(year, 9, 1), start - timedelta(days=1))
            kind = "supported_employment" if pathway == 2 and rng.random() < 0.4 else "job" if rng.random() < 0.6 else "part_time"
            if rng.random() < 0.2:  # out of work for December between two jobs
                self._add(person, kind, start, date(year, 11, 20) + _days(rng, 0, 10))
                self._add(person, "seeking", date(year, 12, 1), date(year, 12, 31), source="young_person")
                return "job", date(year + 1, 1, 2) + _days(rng, 0, 20), after_year
            return kind, start, after_year
        if outcome == "not_sustained":
            variant = rng.random()
            if variant < 0.6:  # dropped out of a course
                kind = self._post16_course(person, pathway)
                dropped = date(year, 10, 15) + _days(rng, 0, 136)
                self._add(person, kind, _term_start(rng, year), dropped)
                return self._workless(plan), dropped + timedelta(days=1), after_year
            if variant < 0.8:  # a temporary job that ended
                self._add(person, "seeking", date(year, 9, 1), date(year, 10, 5) + _days(rng, 0, 20))
                job_start = date(year, 10, 26) + _days(rng, 0, 5)
                job_end = date(year, 12, 5) + _days(rng, 0, 50)
                self._add(person, "temporary", job_start, job_end)
                return "seeking", job_end + timedelta(days=1), after_year
            # out of education until a January start
            january = date(year + 1, 1, 6) + _days(rng, 0, 30)
            self._add(person, self._workless(plan), date(year, 9, 1) + _days(rng, 0, 10), january - timedelta(days=1))
            return "re_engagement" if rng.random() < 0.5 else "fe", january, after_year
        if outcome == "neet":
            if rng.random() < 0.25:  # started in September and left within weeks
                kind = self._post16_course(person, pathway)
                start = _term_start(rng, year)
                left_on = min(start + _days(rng, 5, 20), date(year, 9, 30))
                self._add(person, kind, start, left_on)
                return self._workless(plan), left_on + timedelta(days=1), after_year
            return self._workless(plan), date(year, 9, 1) + _days(rng, 0, 20), after_year
        # unknown: nothing known in the window, perhaps a record saying so
        variant = rng.random()
        if variant < 0.3:
            start = _term_start(rng, year)
            left_on = min(start + _days(rng, 5, 20), date(year, 9, 30))
            self._add(person, self._post16_course(person, pathway), start, left_on)
        if variant < 0.75:
            return "not_known", date(year, 10, 1) + _days(rng, 0, 45), after_year
        # no record at all until someone finds them the following year
        return self._workless(plan), date(year + 1, 8, 1) + _days(rng, 20, 200), after_year

    def _post16_course(self, person: _Person, pathway: int, instead_of: str | None = None) -> str:
        special = self.providers[person.plan.school].kind == "special_school"
        key = (pathway, special, instead_of)
        weights = self.courses.get(key)
        if weights is None:
            options = POST16_COURSES[(min(pathway, 3), special)]
            if instead_of is not None and len(options) > 1:
                options = {kind: weight for kind, weight in options.items() if kind != instead_of}
            weights = self.courses[key] = _Weights(options)
        return weights.pick(self.rng)

    def _workless(self, plan: PersonPlan) -> str:
        rng = self.rng
        if plan.pathway == 1 or plan.primary_need in ("PMLD", "SLD"):
            chance = rng.random()
            return "not_ready" if chance < 0.55 else "illness" if chance < 0.85 else "inactive"
        chance = rng.random()
        if chance < 0.7:
            return "seeking"
        if chance < 0.82:
            return "not_ready"
        return "illness" if chance < 0.94 else "carer"

    def _maybe_side_job(self, person: _Person, pathway: int, start: date) -> None:
        """A part-time job beside a course, as the young person told the service about it."""
        rng = self.rng
        if rng.random() < SIDE_JOB_SHARE.get(pathway, 0.0):
            end = start + _days(rng, 60, 300)  # still going if that is after today
            self._add(person, "part_time", start, end, source="young_person", verified=rng.random() < 0.5)

    # --- later years: a chain of spells ----------------------------------------------------

    def _chain(self, person: _Person, kind: str, start: date, min_end: date) -> None:
        rng, plan = self.rng, person.plan
        pathway = self._pathway_or_likely(plan)
        while start <= person.horizon:
            end = self._spell_end(kind, start)
            if end is not None and end < min_end:
                end = min_end if kind not in COURSES else _term_end(rng, min_end.year)
            self._add(person, kind, start, end, first_of_course=kind in COURSES)
            if end is None or end >= person.horizon:
                return
            finished_course = kind in COURSES and end.month in (6, 7)
            if finished_course and kind in ("sixth_form", "sixth_form_college", "fe", "specialist"):
                if self._continues(person, kind, end):
                    start = min_end = _term_start(rng, end.year)  # the next year of the course, after the summer
                    continue
                table = "after_school"
            elif finished_course or kind in ("job", "part_time", "temporary", "apprenticeship"):
                table = kind
            else:  # out of work, not known, or a course left part-way through
                table = "after_workless"
            next_kind = self._next_kind(table, pathway, plan.primary_need)
            if next_kind in COURSES:  # courses start in September
                start = _term_start(rng, end.year)
                if start <= end:
                    start = _term_start(rng, end.year + 1)
                if finished_course and start.month == 9 and rng.random() < START_AGREED_SHARE:
                    self._add(person, "start_agreed", end + _days(rng, 1, 10), start - timedelta(days=1))
                if next_kind != "he":
                    self._maybe_side_job(person, pathway, start + _days(rng, 20, 200))
            else:
                start = end + _days(rng, 1, 40)
            kind, min_end = next_kind, start

    def _next_kind(self, table: str, pathway: int, need: str) -> str:
        """What comes next after a spell, leaning towards spells out of work for some needs."""
        key = (table, pathway, need)
        weights = self.next_kinds.get(key)
        if weights is None:
            raw = NEXT_KINDS[table]
            if table in ("after_school", "after_workless"):
                raw = raw[pathway]
            factor = WORKLESS_NEED_FACTOR.get(need, 1.0)
            weights = _Weights({kind: w * (factor if kind in WORKLESS else 1.0) for kind, w in raw.items()})
            self.next_kinds[key] = weights
        return weights.pick(self.rng)

    def _continues(self, person: _Person, kind: str, end: date) -> bool:
        """Whether another year of the same course follows (sixth forms run to Year 13 or 14)."""
        born_in = roll.cohort_of(person.plan.date_of_birth)
        year_done = roll.academic_year_of(end) - born_in - 5  # the year group just finished
        if kind == "sixth_form":
            special = self.providers[person.plan.school].kind == "special_school"
            return year_done < (14 if special else 13)
        if kind in ("fe", "sixth_form_college", "specialist"):
            return year_done < 13 or (kind == "specialist" and year_done < 15 and self.rng.random() < 0.5)
        return False

    def _spell_end(self, kind: str, start: date) -> date | None:
        rng = self.rng
        # Courses run to the summer: the one after a September start, or the next one.
        summer = start.year + (1 if start.month >= 8 else 0)
        if kind == "he":
            return _term_end(rng, summer + 2) - timedelta(days=30)
        if kind in COURSES:
            if rng.random() < 0.06:  # left part-way through
                return start + _days(rng, 40, 250)
            return _term_end(rng, summer)
        if kind == "apprenticeship":
            return roll.add_months(start, 12 + int(rng.random() * 18))
        if kind in ("day_opportunities", "supported_employment"):
            return None if rng.random() < 0.85 else start + _days(rng, 200, 900)
        if kind in ("job", "part_time"):
            return None if rng.random() < 0.55 else start + _days(rng, 90, 900)
        if kind == "temporary":
            return start + _days(rng, 30, 150)
        if kind == "not_known":
            return start + _days(rng, 60, 400)
        return start + _days(rng, 30, 330)  # out of work for a while

    # --- one record ------------------------------------------------------------------------

    def _add(
        self, person: _Person, kind: str, start: date, end: date | None, *, source: str | None = None,
        verified: bool | None = None, first_of_course: bool = False,
    ) -> None:  # fmt: skip
        """Add a record, cut off where the service stopped knowing (today, or leaving the roll)."""
        rng = self.rng
        if start > person.horizon:
            return
        if end is not None and end > person.horizon:
            end = None
        if end is not None and end < start:
            end = start
        code = self.codes[kind].pick(rng)
        provider, name = self._provider(person, kind)
        hours_range = self.hours.get(code)
        hours = hours_range[int(rng.random() * len(hours_range))] if hours_range else None
        level = self._level(person, kind, code)
        if source is None:
            chance = rng.random()
            source = "import" if chance < IMPORT_SHARE else "young_person" if chance > 1 - SELF_REPORT_SHARE else "keyworker"
            if source == "young_person" and kind in ("not_known",):
                source = "keyworker"
        if verified is None:
            verified = source == "import" or rng.random() < (
                KEYWORKER_VERIFIED if source == "keyworker" else SELF_REPORT_VERIFIED
            )
        if first_of_course and source != "import" and start.month == 9 and rng.random() < DUPLICATE_SHARE:
            # The enrolment came in from the import too, dated from the start of term.
            person.records.append(self._record(person, code, date(start.year, 9, 1), end, provider, name, hours,
                                               level, "import", True))  # fmt: skip
        person.records.append(self._record(person, code, start, end, provider, name, hours, level, source, verified))

    def _record(
        self, person: _Person, code: str, start: date, end: date | None, provider: int | None, name: str | None,
        hours: Decimal | None, level: str | None, source: str, verified: bool,
    ) -> ActivityPlan:  # fmt: skip
        rng, today = self.rng, self.today
        yesterday = self.yesterday
        recorded_on = min(start + _days(rng, 0, 40 if source == "import" else 21), yesterday)
        if end is None:
            if rng.random() < STALE_SHARE:
                confirmed = today - _days(rng, 95, 300)
            else:
                confirmed = today - _days(rng, 1, 85)
            confirmed_on = max(confirmed, start) if source != "young_person" or verified else None
            if confirmed_on is not None and confirmed_on > person.horizon:
                confirmed_on = person.horizon if person.horizon >= start else start
        else:
            confirmed_on = end if source != "young_person" or verified else None
        recorded_at = self._at(recorded_on)
        updated_on = max(recorded_on, min(end + _days(rng, 0, 14), yesterday)) if end else recorded_on
        if confirmed_on is not None and confirmed_on > updated_on:
            updated_on = min(confirmed_on, yesterday)
        updated_at = recorded_at if updated_on == recorded_on else max(recorded_at, self._at(updated_on))
        by = person.keyworker if source == "keyworker" else None
        return ActivityPlan(
            person.position, code, start, end, provider, name, hours, level, source, verified, confirmed_on,
            recorded_at, by, updated_at,
        )  # fmt: skip

    def _at(self, day: date) -> datetime:
        """A moment in office hours on ``day``, never after the clock's now."""
        moment = datetime.combine(day, _MIDNIGHT_UTC) + _OFFICE_HOURS[int(self.rng.random() * len(_OFFICE_HOURS))]
        return moment if moment < self.latest else self.latest

    def _provider(self, person: _Person, kind: str) -> tuple[int | None, str | None]:
        """The provider for a spell: the same one again for the next year of a course."""
        remembered = person.providers.get(kind)
        if remembered is not None and self.rng.random() < 0.85:
            return (remembered, None) if isinstance(remembered, int) else (None, remembered)
        _, provider_kind = KINDS[kind]
        rng = self.rng
        found: int | str | None
        if provider_kind == "own_school":
            found = person.plan.school
        elif provider_kind is None:
            if kind in ("job", "part_time", "temporary", "supported_employment"):
                found = EMPLOYERS[int(rng.random() * len(EMPLOYERS))]
                if rng.random() < 0.1:
                    found = self.by_name.get(NHS_EMPLOYER if rng.random() < 0.5 else GARDEN_EMPLOYER, found)
            else:
                return None, None
        else:
            pool = self.by_kind.get(provider_kind) or self.by_kind.get("college", [])
            found = pool[int(rng.random() * len(pool))] if pool else None
        person.providers[kind] = found
        if found is None:
            return None, None
        return (found, None) if isinstance(found, int) else (None, found)

    def _level(self, person: _Person, kind: str, code: str) -> str | None:
        rng = self.rng
        if code == "310":
            return "2" if rng.random() < 0.6 else "3"
        if kind == "he":
            return "6" if rng.random() < 0.85 else "4"
        if kind not in COURSES or kind == "supported_internship":
            return None
        pathway = self._pathway_or_likely(person.plan)
        if pathway == 1:
            return "entry"
        if pathway == 2:
            return "entry" if rng.random() < 0.55 else "1"
        return _LEVELS_PATHWAY_3[int(rng.random() * len(_LEVELS_PATHWAY_3))]


_LEVELS_PATHWAY_3: Sequence[str] = ("1", "2", "2", "2", "3", "3", "3", "entry")

