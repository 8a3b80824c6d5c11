"""A small leaving cohort whose outcomes are worked out by hand in the comments below.

Year 11 leavers of summer 2022 (born 1 September 2005 to 31 August 2006): their destination
year is 2022/23, the window 1 October 2022 to 31 March 2023, and apprenticeships count within
1 August 2022 to 31 July 2023.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from destinations.activities.sustained import Cohort
from tests.factories import make_activity, make_person, make_user

COHORT = Cohort("year11", 2022)
IN_WINDOW = date(2023, 1, 15)  # the window is still open: the report projects
CLOSED = date(2023, 4, 20)  # the window has closed; the academic year has not
LATER = date(2023, 9, 20)  # the academic year is over too
BORN = date(2005, 11, 3)
RECORDED_ON = date(2024, 1, 1)  # when the activities were recorded (any day after they started)

# The true outcome counts of the cohort below.
EXPECTED = {
    "education": 6,
    "apprenticeship": 1,
    "employment": 5,
    "education_employment": 2,
    "not_sustained": 3,
    "neet": 2,
    "unknown": 3,
}


@dataclass
class World:
    manager: object
    keyworker: object
    people: dict[str, list] = field(default_factory=dict)

    def add(self, kind: str, person) -> None:
        self.people.setdefault(kind, []).append(person)


def activity(session, person, code: str, started_on: date, ended_on: date | None = None, **values):
    return make_activity(session, person, code, started_on, ended_on=ended_on, today=RECORDED_ON, **values)


def build_cohort(session, *, keyworker=None) -> World:
    manager = make_user(session, "manager")
    world = World(manager, keyworker or make_user(session, "keyworker"))

    def person(kind: str, **values):
        values.setdefault("date_of_birth", BORN)
        young_person = make_person(session, by=manager, keyworker=world.keyworker, **values)
        world.add(kind, young_person)
        return young_person

    # Education from September, still going: every month of the window.
    for n in range(6):
        activity(session, person("education", pathway=3, primary_need="ASD", date_of_birth=date(2005, 9, 1 + n)), "230", date(2022, 9, 5))
    # Work from September, 30 hours a week, still going. One was born on the last day of the cohort.
    for n in range(5):
        born = date(2006, 8, 31) if n == 0 else BORN
        activity(session, person("employment", pathway=3, primary_need="MLD", date_of_birth=born), "330", date(2022, 9, 5))
    # An apprenticeship of ten months, SEN support.
    activity(session, person("apprenticeship", pathway=2, primary_need="SLD", sen_provision="K"), "310", date(2022, 9, 1), date(2023, 6, 30))
    # College to December, then work from January: together they cover the window.
    for _ in range(2):
        young_person = person("education_employment", pathway=2, primary_need="ASD")
        activity(session, young_person, "230", date(2022, 9, 5), date(2022, 12, 20))
        activity(session, young_person, "360", date(2023, 1, 9), hours_per_week=16)
    # College that stopped at the end of November: some participation, not sustained.
    for _ in range(3):
        activity(session, person("not_sustained", pathway=None, primary_need="ASD", sen_provision="K"), "230", date(2022, 9, 5), date(2022, 11, 30))
    # Seeking work all year.
    for _ in range(2):
        activity(session, person("neet", pathway=1, primary_need="PMLD"), "619", date(2022, 9, 1))
    # Unknown: nothing recorded; only "cannot be contacted"; and one who opted out of the service.
    person("unknown", pathway=1, primary_need="PMLD")
    activity(session, person("unknown", pathway=1, primary_need="PMLD"), "820", date(2022, 9, 1))
    opted_out = person("unknown", pathway=1, primary_need="PMLD")
    opted_out.left_on, opted_out.left_reason = date(2022, 9, 1), "opted_out"

    # Not in the cohort: the next year group, and someone who moved away before the window.
    activity(session, person("not_in_cohort", date_of_birth=date(2006, 9, 1)), "230", date(2022, 9, 5))
    moved = person("not_in_cohort")
    activity(session, moved, "230", date(2022, 9, 5))
    moved.left_on, moved.left_reason = date(2022, 9, 20), "moved_out_of_area"
    session.flush()
    return world
