"""Who is in a leaving cohort, and storing their outcomes once the window closes."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from destinations.activities.models import ActivityRecord
from destinations.activities.sustained import Cohort
from destinations.outcomes import report, services
from destinations.outcomes.models import DestinationOutcome
from tests.conftest import count_statements
from tests.factories import make_person
from tests.outcomes.cohort import CLOSED, COHORT, EXPECTED, IN_WINDOW, LATER, activity, build_cohort


@pytest.fixture
def world(session):
    return build_cohort(session)


def outcomes_of(counts: Counter) -> dict[str, int]:
    by_outcome: Counter = Counter()
    for (outcome, *_), n in counts.items():
        by_outcome[outcome] += n
    return dict(by_outcome)


def stored(session) -> dict[int, tuple[str, object]]:
    rows = session.execute(select(DestinationOutcome.young_person_id, DestinationOutcome.outcome, DestinationOutcome.evaluated_at).where(DestinationOutcome.cohort == COHORT.key))
    return {person_id: (outcome, when) for person_id, outcome, when in rows}


def test_the_cohort_is_everyone_born_in_the_year_group_less_those_who_moved_away_before_it_began(session, world):
    members = set(session.scalars(select(services.YoungPerson.id).where(services.in_cohort(COHORT))))
    expected = {person.id for kind, people in world.people.items() if kind != "not_in_cohort" for person in people}
    assert members == expected
    assert services.cohort_size(session, COHORT) == sum(EXPECTED.values())


def test_someone_who_moved_away_after_the_year_began_stays_in_the_cohort(session, world):
    late_mover = make_person(session, by=world.manager, date_of_birth=date(2005, 12, 1))
    late_mover.left_on, late_mover.left_reason = date(2022, 10, 1), "moved_out_of_area"
    session.flush()
    assert late_mover.id in set(session.scalars(select(services.YoungPerson.id).where(services.in_cohort(COHORT))))


def test_streaming_the_cohort_gives_each_member_the_outcome_worked_out_by_hand(session, world):
    found = {member.person_id: member.outcome for member in services.stream_outcomes(session, COHORT, as_of=CLOSED)}
    for kind, people in world.people.items():
        for person in people:
            if kind == "not_in_cohort":
                assert person.id not in found
            else:
                assert found[person.id] == kind, (kind, person.id)


def test_live_counts_while_the_window_is_open_project_ongoing_activities_to_the_end_of_march(session, world):
    counts = report.count_live(session, COHORT, as_of=None, age_of_transition=18)
    assert outcomes_of(counts) == EXPECTED


def test_the_live_report_reads_the_whole_cohort_in_one_query_whatever_its_size(session, world):
    with count_statements() as statements:
        report.count_live(session, COHORT, as_of=CLOSED, age_of_transition=18)
    first = len(statements)
    for n in range(10):
        activity(session, make_person(session, by=world.manager, date_of_birth=date(2006, 1, 1 + n)), "230", date(2022, 9, 5))
    with count_statements() as statements:
        counts = report.count_live(session, COHORT, as_of=CLOSED, age_of_transition=18)
    assert len(statements) == first == 1
    assert outcomes_of(counts)["education"] == EXPECTED["education"] + 10


def test_evaluating_stores_one_outcome_per_member(session, world):
    result = services.evaluate_cohort(session, COHORT, today=CLOSED)
    assert result == {"people": 22, "created": 22, "updated": 0, "unchanged": 0, "removed": 0}
    assert Counter(outcome for outcome, _ in stored(session).values()) == Counter(EXPECTED)


def test_the_stored_report_counts_the_same_as_the_live_one(session, world):
    live = report.count_live(session, COHORT, as_of=CLOSED, age_of_transition=18)
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    with count_statements() as statements:
        counts = report.count_stored(session, COHORT)
    assert counts == live
    assert len(statements) == 1 and "GROUP BY" in statements[0]


def test_evaluating_again_when_nothing_changed_changes_nothing(session, world):
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    before = stored(session)
    again = services.evaluate_cohort(session, COHORT, today=CLOSED)
    assert again == {"people": 22, "created": 0, "updated": 0, "unchanged": 22, "removed": 0}
    assert stored(session) == before


def test_evaluating_again_after_a_record_changes_updates_that_outcome_only(session, world):
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    before = stored(session)
    changed = world.people["education"][0]
    record = session.scalar(select(ActivityRecord).where(ActivityRecord.young_person_id == changed.id))
    record.ended_on = date(2022, 12, 31)
    session.flush()
    result = services.evaluate_cohort(session, COHORT, today=CLOSED)
    assert (result["updated"], result["unchanged"]) == (1, 21)
    after = stored(session)
    assert after[changed.id][0] == "not_sustained"
    assert after[changed.id][1] >= before[changed.id][1]
    assert {key: value for key, value in after.items() if key != changed.id} == {key: value for key, value in before.items() if key != changed.id}


def test_someone_no_longer_in_the_cohort_loses_their_stored_outcome(session, world):
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    corrected = world.people["neet"][0]
    corrected.date_of_birth = date(2004, 5, 5)  # a corrected date of birth: the year before
    session.flush()
    result = services.evaluate_cohort(session, COHORT, today=CLOSED)
    assert result["removed"] == 1 and result["people"] == 21
    assert corrected.id not in stored(session)


def test_a_newcomer_to_a_stored_cohort_is_added_when_it_is_evaluated_again(session, world):
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    newcomer = make_person(session, by=world.manager, date_of_birth=date(2006, 3, 3))
    result = services.evaluate_cohort(session, COHORT, today=CLOSED)
    assert result["created"] == 1
    assert stored(session)[newcomer.id][0] == "unknown"


def test_an_apprenticeship_counts_once_it_has_run_six_months(session, world):
    apprentice = make_person(session, by=world.manager, date_of_birth=date(2006, 2, 2))
    activity(session, apprentice, "310", date(2023, 1, 9))  # still going
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    assert stored(session)[apprentice.id][0] == "not_sustained"  # three months so far
    services.evaluate_cohort(session, COHORT, today=date(2023, 7, 20))
    assert stored(session)[apprentice.id][0] == "apprenticeship"


def test_outcomes_are_not_stored_before_the_window_closes(session, world):
    with pytest.raises(ValueError, match="2023-03-31"):
        services.evaluate_cohort(session, COHORT, today=IN_WINDOW)
    assert session.scalar(select(func.count()).select_from(DestinationOutcome)) == 0


def test_due_cohorts_are_the_closed_ones_not_stored_yet_and_the_most_recent(session, world):
    older = make_person(session, by=world.manager, date_of_birth=date(2002, 1, 1))  # Year 11 in summer 2018
    assert older
    due = {cohort.key for cohort in services.due_cohorts(session, LATER)}
    # The open window of the 2023 leavers (nobody is in it anyway) is never due.
    assert "year11-2022" in due and "year11-2018" in due
    results = services.evaluate_due_cohorts(session, LATER)
    assert results["year11-2022"]["created"] == 22 and results["year11-2018"]["created"] == 1
    # Later, the 2018 leavers are stored and old: not due again. 2022 is one of the two most recent.
    due = {cohort.key for cohort in services.due_cohorts(session, date(2024, 9, 1))}
    assert "year11-2018" not in due and "year11-2022" in due
    assert {cohort.key for cohort in services.due_cohorts(session, date(2026, 9, 1))} & {"year11-2018", "year11-2022"} == set()


def test_a_cohort_whose_year_is_still_running_is_always_due(session, world):
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    assert COHORT in services.due_cohorts(session, CLOSED, reevaluate=0)
    assert COHORT not in services.due_cohorts(session, LATER, reevaluate=0)


@pytest.mark.parametrize(
    ("kind", "born", "year"),
    [
        ("year11", date(2005, 9, 1), 2022),
        ("year11", date(2006, 8, 31), 2022),
        ("year13", date(2005, 9, 1), 2024),
        ("transition", date(2005, 9, 1), 2024),
        ("transition", date(2004, 2, 29), 2022),  # 18 on 1 March 2022, in 2021/22
    ],
)
def test_the_cohort_of_a_date_of_birth_is_the_one_whose_birth_range_holds_it(kind, born, year):
    from destinations.activities.sustained import cohort_birth_range

    assert services.cohort_year(kind, born) == year
    first, last = cohort_birth_range(Cohort(kind, year))
    assert first <= born <= last


def test_the_cohorts_on_the_roll_are_those_with_members_whose_year_has_begun(session, world):
    assert [cohort.key for cohort in services.cohorts_on_roll(session, LATER)] == ["year11-2022"]
    # From 1 October 2023 the next year group's destination year has begun too.
    assert [cohort.key for cohort in services.cohorts_on_roll(session, date(2023, 10, 1))] == ["year11-2023", "year11-2022"]
    assert "year13-2024" in [cohort.key for cohort in services.cohorts_on_roll(session, date(2024, 10, 1))]


def test_evaluating_logs_its_counts_at_info_level_without_failing(session, world, caplog):
    """The scheduler logs at INFO: a count named like a LogRecord attribute once broke every run."""
    with caplog.at_level("INFO", logger="destinations.outcomes.services"):
        services.evaluate_cohort(session, COHORT, today=CLOSED)
    record = next(r for r in caplog.records if r.getMessage() == "cohort outcomes evaluated")
    assert record.outcomes_created == sum(EXPECTED.values())
