"""When a young person is due a PfA review (DOMAIN.md section 4), and the manager's summary of who is due."""
from __future__ import annotations

from datetime import date

import pytest

from destinations.people import services as people_services
from destinations.people.services import RollSettings, roll_facts
from destinations.reviews import services
from tests.conftest import count_statements
from tests.factories import make_person, make_review, make_user

TODAY = date(2025, 11, 20)  # in academic year 2025/26: Year 9 are born 1 Sep 2011 - 31 Aug 2012
SETTINGS = RollSettings()


def next_due(session, person, today: date = TODAY, settings: RollSettings = SETTINGS) -> date | None:
    last = services.last_review_dates(session, [person.id]).get(person.id)
    return roll_facts(person, today, settings, last).next_review_due




@pytest.fixture
def manager(session):
    return make_user(session, "manager")


# (what, date of birth, pathway, reviews as (held_on, complete), expected next review due)
DUE_DATES = [
    ("Year 9 with no review: 31 March of Year 9", date(2011, 10, 15), None, [], date(2026, 3, 31)),
    ("oldest in Year 9 (born 1 September)", date(2011, 9, 1), None, [], date(2026, 3, 31)),
    ("youngest in Year 9 (born 31 August)", date(2012, 8, 31), None, [], date(2026, 3, 31)),
    ("born a day later is in Year 8: due in the next year's March", date(2012, 9, 1), None, [], date(2027, 3, 31)),
    ("born 29 February 2012 is in Year 9 too", date(2012, 2, 29), 3, [], date(2026, 3, 31)),
    ("Year 11 never reviewed: the Year 9 date, long overdue", date(2009, 10, 15), 2, [], date(2024, 3, 31)),
    ("pathway 1: six months after the last review", date(2009, 10, 15), 1, [(date(2025, 6, 10), True)], date(2025, 12, 10)),
    ("pathway 2: six months, clamped to the end of February", date(2009, 10, 15), 2, [(date(2025, 8, 31), True)], date(2026, 2, 28)),
    ("pathway 3: twelve months", date(2009, 10, 15), 3, [(date(2025, 6, 10), True)], date(2026, 6, 10)),
    ("not yet decided: twelve months", date(2009, 10, 15), None, [(date(2025, 6, 10), True)], date(2026, 6, 10)),
    ("a draft review does not count", date(2009, 10, 15), 1, [(date(2025, 6, 10), False)], date(2024, 3, 31)),
    (
        "the latest completed review counts, not a later draft",
        date(2009, 10, 15),
        1,
        [(date(2024, 11, 1), True), (date(2025, 5, 1), True), (date(2025, 9, 1), False)],
        date(2025, 11, 1),
    ),
    ("a review held on 29 February, pathway 3", date(2007, 10, 15), 3, [(date(2024, 2, 29), True)], date(2025, 2, 28)),
    ("past the 20th birthday: off the roll, never due", date(2004, 10, 15), 1, [(date(2024, 6, 1), True)], None),
]


@pytest.mark.parametrize(("what", "dob", "pathway", "reviews", "expected"), DUE_DATES, ids=[case[0] for case in DUE_DATES])
def test_next_review_due_follows_the_rule(session, manager, what, dob, pathway, reviews, expected):
    person = make_person(session, by=manager, date_of_birth=dob, pathway=pathway)
    for held_on, complete in reviews:
        make_review(session, person, manager, held_on=held_on, complete=complete, today=TODAY)
    assert next_due(session, person) == expected


def test_cadence_comes_from_the_settings(session, manager):
    person = make_person(session, by=manager, date_of_birth=date(2009, 10, 15), pathway=1)
    make_review(session, person, manager, held_on=date(2025, 6, 10), today=TODAY)
    settings = RollSettings(review_cadence_months={"1": 3, "2": 6, "3": 12, "undecided": 12})
    assert next_due(session, person, settings=settings) == date(2025, 9, 10)


@pytest.mark.parametrize(("new_pathway", "expected"), [(1, date(2025, 12, 10)), (2, date(2025, 12, 10)), (None, date(2026, 6, 10))])
def test_a_pathway_change_moves_the_due_date(session, manager, new_pathway, expected):
    person = make_person(session, by=manager, date_of_birth=date(2009, 10, 15), pathway=3)
    make_review(session, person, manager, held_on=date(2025, 6, 10), today=TODAY)
    assert next_due(session, person) == date(2026, 6, 10)
    people_services.change_pathway(session, person, new_pathway, "Needs changed at the review", manager)
    assert next_due(session, person) == expected


def test_someone_who_has_left_the_roll_is_never_due(session, manager):
    person = make_person(session, by=manager, date_of_birth=date(2009, 10, 15), pathway=1)
    make_review(session, person, manager, held_on=date(2025, 6, 10), today=TODAY)
    people_services.record_leaving(session, person, date(2025, 10, 1), "moved_out_of_area", None, manager)
    assert next_due(session, person) is None


def test_last_review_dates_reads_everyone_in_one_query(session, manager):
    people = [make_person(session, by=manager, date_of_birth=date(2009, 10, 15)) for _ in range(6)]
    for n, person in enumerate(people[:4]):
        make_review(session, person, manager, held_on=date(2025, 1, 1 + n), today=TODAY)
        make_review(session, person, manager, held_on=date(2025, 3, 1 + n), today=TODAY)
    make_review(session, people[4], manager, held_on=date(2025, 9, 1), complete=False, today=TODAY)
    session.flush()
    with count_statements() as statements:
        dates = services.last_review_dates(session, [person.id for person in people])
    assert len(statements) == 1
    assert dates == {person.id: date(2025, 3, 1 + n) for n, person in enumerate(people[:4])}
    assert services.last_review_dates(session, []) == {}


@pytest.mark.parametrize(
    ("due", "expected"),
    [(date(2025, 11, 19), "overdue"), (TODAY, "due"), (date(2025, 12, 20), "due"), (date(2025, 12, 21), None), (None, None)],
)
def test_review_due_state_marks_overdue_and_due_within_30_days(due, expected):
    assert services.review_due_state(due, TODAY) == expected


def test_due_summary_counts_due_and_overdue_per_keyworker_and_pathway(session, manager):
    ash = make_user(session, "keyworker", name="Ash Keyworker")
    bea = make_user(session, "keyworker", name="Bea Keyworker")
    idle = make_user(session, "keyworker", name="Cal Keyworker")

    def person(keyworker, pathway, dob=date(2009, 10, 15), last_review=None, draft=None):
        someone = make_person(session, by=manager, keyworker=keyworker, pathway=pathway, date_of_birth=dob)
        if last_review:
            make_review(session, someone, manager, held_on=last_review, today=TODAY)
        if draft:
            make_review(session, someone, manager, held_on=draft, complete=False, today=TODAY)
        return someone

    person(ash, 1, last_review=date(2025, 5, 1))  # due 1 Nov 2025: overdue
    person(ash, 1, last_review=date(2025, 6, 10))  # due 10 Dec 2025: due in 30 days
    person(ash, 3, last_review=date(2025, 6, 10))  # due June 2026: not yet
    person(bea, 2, last_review=date(2025, 5, 15), draft=date(2025, 11, 1))  # the draft does not count: overdue
    person(bea, None, dob=date(2011, 10, 15))  # Year 9, no review: due 31 March 2026, not within 30 days
    person(bea, None, dob=date(2012, 1, 5), last_review=date(2025, 10, 1))  # Year 9, reviewed already
    person(None, 3, dob=date(2009, 10, 15))  # no keyworker, never reviewed: overdue
    left = person(ash, 1)  # left the roll: never due
    people_services.record_leaving(session, left, date(2025, 9, 30), "opted_out", None, manager)
    person(ash, 1, dob=date(2004, 10, 15))  # past roll end: never due

    summary = services.due_summary(session, TODAY, SETTINGS)

    assert summary["by_keyworker"] == [
        (ash.id, "Ash Keyworker", 1, 1),
        (bea.id, "Bea Keyworker", 0, 1),
        (idle.id, "Cal Keyworker", 0, 0),
        (None, "No keyworker", 0, 1),
    ]
    assert summary["by_pathway"] == [(1, 1, 1), (2, 0, 1), (3, 0, 1), (None, 0, 0)]
    assert summary["year9_without_first_review"] == 1
    assert (summary["due_30"], summary["overdue"]) == (1, 3)


def test_due_summary_counts_year9_without_a_first_review_only_among_people_still_on_the_roll(session, manager):
    for dob in (date(2011, 9, 1), date(2012, 8, 31), date(2012, 9, 1), date(2010, 8, 31)):
        make_person(session, by=manager, date_of_birth=dob)
    gone = make_person(session, by=manager, date_of_birth=date(2011, 12, 1))
    people_services.record_leaving(session, gone, date(2025, 10, 1), "moved_out_of_area", None, manager)
    assert services.due_summary(session, TODAY, SETTINGS)["year9_without_first_review"] == 2


def test_due_summary_uses_a_fixed_number_of_queries_however_many_people(session, manager):
    keyworker = make_user(session, "keyworker")
    for n in range(3):
        make_review(session, make_person(session, by=manager, keyworker=keyworker, pathway=1), manager, held_on=date(2025, 1, 1 + n), today=TODAY)
    with count_statements() as few:
        services.due_summary(session, TODAY, SETTINGS)
    for n in range(20):
        make_review(session, make_person(session, by=manager, keyworker=keyworker, pathway=1 + n % 3), manager, held_on=date(2025, 2, 1 + n), today=TODAY)
    session.flush()
    with count_statements() as many:
        services.due_summary(session, TODAY, SETTINGS)
    assert len(many) == len(few) <= 2
