"""Planning synthetic young people: who they are, their needs, school, roll history and pathway.

The mixes below are shaped on the school census and SEND statistics for England, so that
pages, filters and reports show what a council would really see.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import accumulate

from destinations.demo import catalogue
from destinations.demo.names import BOYS_NAMES, FAMILY_NAMES, GIRLS_NAMES
from destinations.demo.records import Clock, Extension, PathwayEvent, PersonPlan, ProviderPlan, StatusEvent, Taken
from destinations.people import roll
from destinations.people.upn import make_upn

LA_NUMBER = 938

# Stands for "the young person's keyworker" in a planned event until caseloads are shared out.
THEIR_KEYWORKER = -1

# Share of the roll in each National Curriculum year group today. Year 8 is pre-registration;
# Years 16-17 are people past their 20th birthday (left, or still on through an extension).
YEAR_GROUP_WEIGHTS = {8: 6, 9: 11, 10: 11.5, 11: 11.5, 12: 10.5, 13: 9.5, 14: 8, 15: 7.5, 16: 3, 17: 1.5}

# Primary need mixes (per cent): plans lean to autism and learning difficulties,
# SEN support to speech and language, SEMH and specific learning difficulties.
EHC_NEEDS = {
    "ASD": 30, "SEMH": 14, "SLCN": 14, "SLD": 10, "MLD": 10, "PMLD": 3, "PD": 5,
    "HI": 2, "VI": 1.2, "MSI": 0.4, "SPLD": 4, "OTH": 3,
}  # fmt: skip
SUPPORT_NEEDS = {
    "SLCN": 24, "SEMH": 21, "MLD": 17, "SPLD": 15, "ASD": 9, "NSA": 5, "OTH": 3,
    "PD": 1.5, "HI": 1.2, "VI": 0.6, "SLD": 0.4, "MSI": 0.1,
}  # fmt: skip

# Pathway weights (1, 2, 3) by primary need for someone with an EHC plan.
PATHWAY_WEIGHTS = {
    "PMLD": (88, 12, 0), "SLD": (45, 50, 5), "MSI": (40, 45, 15), "PD": (20, 40, 40),
    "ASD": (4, 46, 50), "SLCN": (2, 40, 58), "MLD": (1, 45, 54), "HI": (2, 28, 70),
    "VI": (3, 30, 67), "SEMH": (0, 18, 82), "SPLD": (0, 6, 94), "OTH": (5, 30, 65), "NSA": (0, 5, 95),
}  # fmt: skip

# Chance that a primary need means a special school (EHC plans only).
SPECIAL_SCHOOL_CHANCE = {
    "PMLD": 0.95, "SLD": 0.85, "MSI": 0.7, "PD": 0.35, "ASD": 0.35, "MLD": 0.3,
    "SEMH": 0.25, "HI": 0.2, "VI": 0.2, "SLCN": 0.15,
}  # fmt: skip

# Chance of a boy's name by primary need: SEND, and autism above all, is identified more in boys.
BOY_CHANCE = {"ASD": 0.78, "SEMH": 0.74, "SLCN": 0.7}
DEFAULT_BOY_CHANCE = 0.6

NO_UPN_SHARE = 0.02  # known only by the council's case-management id
MOVED_IN_SHARE = 0.06  # UPN issued by a neighbouring council
EXTENDED_SHARE = 0.2  # of those past their 20th birthday
MOVED_AWAY_SHARE, OPTED_OUT_SHARE = 0.015, 0.005
LATER_PATHWAY_CHANGE_SHARE = 0.12
# First PfA reviews: most in the spring term of Year 9, before the 31 March deadline; a few late.
SPRING_TERM_FIRST_REVIEW_SHARE, LATE_FIRST_REVIEW_SHARE = 0.55, 0.08


def weekday(day: date, latest: date | None = None) -> date:
    """``day``, or a working day near it when it falls at a weekend: reviews are held in the week.

    A Saturday moves back to the Wednesday, Thursday or Friday before it, a Sunday on to the
    Monday, Tuesday or Wednesday after it (back instead if that would pass ``latest``). The
    date itself picks which, so no random draw is spent and the weekdays stay evenly used.
    """
    if day.weekday() < 5:
        return day
    spread = 1 + day.toordinal() % 3
    if day.weekday() == 6:
        later = day + timedelta(days=spread)
        if latest is None or later <= latest:
            return later
        return day - timedelta(days=1 + spread)
    return day - timedelta(days=spread)


def _cumulative(weights: dict) -> tuple[list, list[float]]:
    return list(weights), list(accumulate(weights.values()))


class UpnAllocator:
    """Hands out unique UPNs; serials run through each (LA, school, year) in a scrambled order."""

    _STEPS = (7, 11, 13, 17, 19, 23, 29, 31, 37)  # coprime to 1000, so a stream visits every serial

    def __init__(self, rng: random.Random, taken: frozenset[str]):
        self.rng, self.taken = rng, set(taken)
        self.streams: dict[tuple[int, int, int], list[int]] = {}  # key -> [used, start, step]

    def allocate(self, la_number: int, establishment: int, year: int) -> str:
        for year_offset in range(100):  # a full (school, year) moves on to the next year's numbers
            key = (la_number, establishment, (year + year_offset) % 100)
            stream = self.streams.get(key)
            if stream is None:
                stream = self.streams[key] = [0, self.rng.randrange(1000), self.rng.choice(self._STEPS)]
            while stream[0] < 1000:
                serial = (stream[1] + stream[0] * stream[2]) % 1000
                stream[0] += 1
                upn = make_upn(*key, serial)
                if serial and upn not in self.taken:
                    self.taken.add(upn)
                    return upn
        raise RuntimeError(f"No UPN serials are left for establishment {establishment}.")


class PeoplePlanner:
    """Plans one young person at a time from a seeded random stream."""

    def __init__(
        self, rng: random.Random, upn_rng: random.Random, taken: Taken, providers: list[ProviderPlan],
        managers: list[int], clock: Clock, age_of_transition: int,
    ):  # fmt: skip
        self.rng, self.clock, self.managers, self.age = rng, clock, managers, age_of_transition
        self.upns = UpnAllocator(upn_rng, taken.upns)
        self.next_council_number = taken.next_council_number
        self.year_groups = _cumulative(YEAR_GROUP_WEIGHTS)
        self.ehc_needs, self.support_needs = _cumulative(EHC_NEEDS), _cumulative(SUPPORT_NEEDS)
        self.academic_year = roll.academic_year_of(clock.today)
        self.providers = providers
        self.mainstream = [i for i, p in enumerate(providers) if p.kind == "school" and not p.specialisms]
        self.mainstream_sizes = list(accumulate(rng.uniform(0.6, 1.6) for _ in self.mainstream))
        self.special = {need: [i for i, p in enumerate(providers) if need in p.specialisms] for need in PATHWAY_WEIGHTS}

    def _pick(self, cumulative: tuple[list, list[float]]):
        return self.rng.choices(cumulative[0], cum_weights=cumulative[1])[0]

    def _day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def person(self) -> PersonPlan:
        rng, today = self.rng, self.clock.today
        group = self._pick(self.year_groups)
        cohort = self.academic_year - group - 5
        cohort_start = date(cohort, 9, 1)
        cohort_days = (date(cohort + 1, 9, 1) - cohort_start).days
        # A slight lean to summer birthdays: the youngest in a year are identified with SEND more often.
        date_of_birth = cohort_start + timedelta(days=int(cohort_days * rng.random() ** 0.85))
        support_chance = 0.55 if group <= 11 else 0.42 if group <= 13 else 0.3
        provision = "K" if rng.random() < support_chance else "E"
        need = self._pick(self.support_needs if provision == "K" else self.ehc_needs)
        boy = rng.random() < BOY_CHANCE.get(need, DEFAULT_BOY_CHANCE)
        given_name = rng.choice(BOYS_NAMES if boy else GIRLS_NAMES)
        family_name = rng.choice(FAMILY_NAMES)
        school = self._school(provision, need)
        upn, council_person_id = self._identifiers(cohort, school)

        start = roll.roll_start(date_of_birth)
        if start > today:  # pre-registered in Year 8
            created_on = today - timedelta(days=rng.randint(1, 150))
        else:
            created_on = min(start - timedelta(days=rng.randint(0, 120)), today - timedelta(days=1))
        person = PersonPlan(
            upn, council_person_id, given_name, family_name, date_of_birth, provision, need, school,
            created_at=self.clock.at(rng, created_on),
        )  # fmt: skip
        self._roll_history(person, start)
        self._pathway_history(person, start, group)
        unassigned_chance = 0.12 if group == 8 else 0.05 if group == 9 else 0.023
        person.wants_keyworker = person.left_on is not None or rng.random() >= unassigned_chance
        return person

    def _identifiers(self, cohort: int, school: int) -> tuple[str | None, str | None]:
        rng = self.rng
        if rng.random() < NO_UPN_SHARE:
            council_person_id = f"NS-{self.next_council_number:06d}"
            self.next_council_number += 1
            return None, council_person_id
        if rng.random() < MOVED_IN_SHARE:  # issued by a neighbouring council's primary school
            la_number = rng.choice(catalogue.NEIGHBOURING_LA_NUMBERS)
            return self.upns.allocate(la_number, rng.randint(2000, 2999), cohort + rng.randint(5, 12)), None
        # UPNs are issued on entry to Reception, in academic year C(dob) + 5.
        return self.upns.allocate(LA_NUMBER, self.providers[school].establishment, cohort + 5), None

    def _school(self, provision: str, need: str) -> int:
        rng = self.rng
        if provision == "E" and self.special.get(need) and rng.random() < SPECIAL_SCHOOL_CHANCE.get(need, 0.05):
            return rng.choice(self.special[need])
        return rng.choices(self.mainstream, cum_weights=self.mainstream_sizes)[0]

    def _roll_history(self, person: PersonPlan, start: date) -> None:
        """Leaving (end of roll, moved away, opted out) and extensions past the 20th birthday."""
        rng, today = self.rng, self.clock.today
        base_end = roll.base_roll_end(person.date_of_birth, self.age)
        if start > today:
            return
        if base_end < today:
            if rng.random() < EXTENDED_SHARE:
                self._extend(person, base_end)
            else:  # taken off by the roll-end job the day after the roll end
                person.left_on, person.left_reason = base_end + timedelta(days=1), "end_of_roll"
                at = self.clock.at(rng, person.left_on)
                person.status_changes.append(StatusEvent("left", "end_of_roll", None, person.left_on, at, None))
            return
        chance = rng.random()
        if chance < MOVED_AWAY_SHARE + OPTED_OUT_SHARE and start < today - timedelta(days=1):
            left_on = self._day_between(max(start, today - timedelta(days=3 * 365)), today - timedelta(days=1))
            if chance < MOVED_AWAY_SHARE:
                reason, note = "moved_out_of_area", rng.choice(catalogue.MOVED_AWAY_NOTES)
            else:
                reason, note = "opted_out", catalogue.OPTED_OUT_NOTE
            person.left_on, person.left_reason = left_on, reason
            at = self.clock.at(rng, left_on)
            person.status_changes.append(StatusEvent("left", reason, note, left_on, at, THEIR_KEYWORKER))

    def _extend(self, person: PersonPlan, base_end: date) -> None:
        rng, today = self.rng, self.clock.today
        previous_end = base_end
        middle = roll.add_months(base_end, 12)
        if rng.random() < 0.25 and middle < today - timedelta(days=30):  # extensions stack
            self._add_extension(person, previous_end, middle)
            previous_end = middle
        new_end = roll.add_months(previous_end, rng.choice((6, 12, 12, 18, 24)))
        if new_end <= today:
            new_end = today + timedelta(days=rng.randint(30, 400))
        self._add_extension(person, previous_end, min(new_end, roll.extension_limit(person.date_of_birth)))

    def _add_extension(self, person: PersonPlan, previous_end: date, new_end: date) -> None:
        rng = self.rng
        decided_on = min(previous_end - timedelta(days=rng.randint(14, 90)), self.clock.today - timedelta(days=1))
        review_on = min(max(roll.add_months(new_end, -3), previous_end + timedelta(days=1)), new_end)
        reason = rng.choice(catalogue.EXTENSION_REASONS)
        at = self.clock.at(rng, decided_on)
        person.extensions.append(Extension(previous_end, new_end, reason, review_on, at, rng.choice(self.managers)))

    def _first_review_day(self, start: date, due: date) -> date:
        chance = self.rng.random()
        if chance < LATE_FIRST_REVIEW_SHARE:
            return weekday(self._day_between(due + timedelta(days=1), due + timedelta(days=180)))
        if chance < LATE_FIRST_REVIEW_SHARE + SPRING_TERM_FIRST_REVIEW_SHARE:
            return weekday(self._day_between(date(due.year, 1, 6), due), latest=due)
        return weekday(self._day_between(start + timedelta(days=20), due), latest=due)

    def _pathway_history(self, person: PersonPlan, start: date, group: int) -> None:
        """The pathway agreed at the first PfA review and, now and then, a later change."""
        rng, today = self.rng, self.clock.today
        first_review = self._first_review_day(start, roll.first_review_due(person.date_of_birth))
        ends = min(today, person.left_on or today)
        if first_review >= ends or rng.random() >= (0.85 if group == 9 else 0.94):
            return
        weights = PATHWAY_WEIGHTS[person.primary_need]
        if person.sen_provision == "K":  # SEN support: almost always the inclusive pathway
            weights = (0, weights[1] * 0.25, weights[2] + 1)
        pathway = rng.choices((1, 2, 3), weights=weights)[0]
        at, by = self.clock.at(rng, first_review), rng.choice(self.managers)
        person.pathway_changes.append(PathwayEvent(None, pathway, catalogue.FIRST_PATHWAY_REASON, at, by))
        if rng.random() < LATER_PATHWAY_CHANGE_SHARE:
            changed_on = weekday(first_review + timedelta(days=rng.randint(330, 900)))
            to_pathway = {1: 2, 2: 3 if rng.random() < 0.7 else 1, 3: 2}[pathway]
            if changed_on < ends:
                reason = catalogue.PATHWAY_CHANGE_REASONS[(pathway, to_pathway)]
                at, by = self.clock.at(rng, changed_on), rng.choice(self.managers)
                person.pathway_changes.append(PathwayEvent(pathway, to_pathway, reason, at, by))
                pathway = to_pathway
        person.pathway = pathway
