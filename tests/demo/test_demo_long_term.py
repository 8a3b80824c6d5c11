"""Demo long-term checks: due checks are mostly done, valid, and lean by pathway."""
from collections import Counter
from datetime import date, datetime, timezone

from sqlalchemy import select

from destinations.activities.sustained import Cohort
from destinations.demo.generator import load_demo
from destinations.demo.long_term import plan_long_term_checks
from destinations.demo.plan import plan_council
from destinations.demo.records import Clock
from destinations.outcomes import long_term
from destinations.outcomes.long_term_report import long_term_report
from destinations.outcomes.models import LongTermOutcome
from destinations.people import roll
from destinations.people.models import YoungPerson
from destinations.reports.demand import ReportSettings

TODAY = date(2025, 11, 3)
NOW = datetime(2025, 11, 3, 12, 0, tzinfo=timezone.utc)
AGE = roll.DEFAULT_AGE_OF_TRANSITION


def test_checks_fall_between_their_anniversary_and_today_while_the_young_person_was_on_the_roll(session):
    summary = load_demo(session, people=600, seed=1, today=TODAY)
    checks = session.execute(select(LongTermOutcome, YoungPerson).join(YoungPerson)).all()
    assert summary["long_term_checks"] == len(checks) > 0
    for check, person in checks:
        due = long_term.checkpoint_date(person.date_of_birth, check.checkpoint, AGE)
        assert due <= check.recorded_on < TODAY
        assert person.left_on is None or check.recorded_on < person.left_on
        # Each stored check passes the rules a keyworker's check must pass.
        values = {
            "recorded_on": check.recorded_on,
            "living_arrangement": check.living_arrangement,
            "paid_work_16_plus": check.paid_work_16_plus,
            **{f"progress_{area}": getattr(check, f"progress_{area}") for area in long_term.OUTCOME_AREAS},
        }
        long_term.clean(values, person, check.checkpoint, today=TODAY, age_of_transition=AGE)


def test_most_due_checks_are_done_and_pathway_3_is_more_often_in_paid_work_than_pathway_1():
    council = plan_council(4000, 1, TODAY, NOW, age_of_transition=AGE)
    checks = plan_long_term_checks(council, 1, Clock(TODAY, NOW), age_of_transition=AGE)
    due = sum(
        1
        for person in council.people
        for checkpoint in ("1y", "2y")
        if (when := long_term.checkpoint_date(person.date_of_birth, checkpoint, AGE)) < TODAY
        and (person.left_on is None or person.left_on > when)
    )
    assert 0.7 * due <= len(checks) <= 0.9 * due
    in_work = Counter()
    seen = Counter()
    for check in checks:
        pathway = council.people[check.person].pathway
        seen[pathway] += 1
        in_work[pathway] += check.paid_work_16_plus is True
    assert seen[1] and seen[3]
    assert in_work[3] / seen[3] > 2 * in_work[1] / seen[1]
    assert {check.living_arrangement for check in checks} >= {"family_home", "supported_living", "tenancy"}


def test_the_same_seed_plans_the_same_checks_and_another_seed_different_ones():
    council = plan_council(800, 1, TODAY, NOW, age_of_transition=AGE)
    first = plan_long_term_checks(council, 1, Clock(TODAY, NOW), age_of_transition=AGE)
    assert first == plan_long_term_checks(council, 1, Clock(TODAY, NOW), age_of_transition=AGE)
    assert first != plan_long_term_checks(council, 2, Clock(TODAY, NOW), age_of_transition=AGE)


def test_the_demo_long_term_report_has_checks_to_count(session):
    load_demo(session, people=1500, seed=1, today=TODAY)
    cohort = Cohort("transition", TODAY.year - 1)
    report = long_term_report(session, cohort, TODAY, ReportSettings())
    living = next(table for table in report["tables"] if "living" in table["name"])
    assert living["total"] not in (0, "c")
