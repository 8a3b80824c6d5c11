"""Roll date rules (DOMAIN.md sections 3 and 4), with the awkward dates spelled out."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from destinations.people.roll import (
    DEFAULT_AGE_OF_TRANSITION,
    DEFAULT_REVIEW_CADENCE_MONTHS,
    MAX_EXTENSION_AGE,
    ExtensionError,
    TransitionPoint,
    academic_year_label,
    academic_year_of,
    add_months,
    age_of_transition_date,
    base_roll_end,
    birthday,
    cohort_of,
    extension_limit,
    first_review_due,
    next_review_due,
    next_transition_point,
    parse_academic_year_label,
    roll_end,
    roll_start,
    roll_status,
    transition_points,
    validate_extension,
    year_group,
)

ONE_DAY = timedelta(days=1)

dates_of_birth = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


def test_defaults_match_the_brief():
    assert DEFAULT_AGE_OF_TRANSITION == 18
    assert MAX_EXTENSION_AGE == 25
    assert DEFAULT_REVIEW_CADENCE_MONTHS == {"1": 6, "2": 6, "3": 12, "undecided": 12}


# --- Worked examples from the brief ----------------------------------------------------

WORKED_EXAMPLES = [
    # dob, T, roll start, age of transition reached, roll end
    (date(2010, 10, 15), 18, date(2024, 9, 1), date(2028, 10, 15), date(2030, 10, 15)),
    (date(2011, 8, 31), 18, date(2024, 9, 1), date(2029, 8, 31), date(2031, 8, 31)),
    (date(2011, 9, 1), 18, date(2025, 9, 1), date(2029, 9, 1), date(2031, 9, 1)),
    (date(2012, 2, 29), 18, date(2025, 9, 1), date(2030, 3, 1), date(2032, 2, 29)),
    (date(2012, 2, 29), 19, date(2025, 9, 1), date(2031, 3, 1), date(2033, 3, 1)),
]
WORKED_EXAMPLE_IDS = [
    "born 15 Oct 2010",
    "born 31 Aug 2011, youngest in the year",
    "born 1 Sep 2011, oldest in the next year",
    "born 29 Feb 2012",
    "born 29 Feb 2012 with age of transition 19",
]


@pytest.mark.parametrize(
    ("dob", "age_of_transition", "start", "transition", "end"),
    WORKED_EXAMPLES,
    ids=WORKED_EXAMPLE_IDS,
)
def test_worked_examples_give_the_roll_dates_in_the_brief(
    dob, age_of_transition, start, transition, end
):
    assert roll_start(dob) == start
    assert age_of_transition_date(dob, age_of_transition) == transition
    assert base_roll_end(dob, age_of_transition) == end
    assert roll_end(dob, age_of_transition) == end


# --- Academic years --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 8, 31), 2024),
        (date(2025, 9, 1), 2025),
        (date(2026, 1, 1), 2025),
        (date(2025, 12, 31), 2025),
    ],
    ids=["31 August is the last day of the old year", "1 September starts the new year",
         "New Year's Day is mid academic year", "New Year's Eve is mid academic year"],
)
def test_academic_year_of_a_date_starts_on_1_september(d, expected):
    assert academic_year_of(d) == expected


@pytest.mark.parametrize(
    ("start_year", "label"),
    [(2026, "2026/27"), (1999, "1999/00"), (2009, "2009/10"), (2099, "2099/00")],
    ids=["an ordinary year", "the turn of the century wraps to 00",
         "a decade boundary", "the next century wraps to 00"],
)
def test_academic_year_labels_are_written_start_year_slash_two_digits(start_year, label):
    assert academic_year_label(start_year) == label
    assert parse_academic_year_label(label) == start_year


def test_a_label_with_surrounding_spaces_is_still_read():
    assert parse_academic_year_label(" 2026/27 ") == 2026


@pytest.mark.parametrize(
    "label",
    ["2026/28", "2026/26", "2026-27", "26/27", "2026/2027", "2026/7", "2026", "", "abcd/ef",
     "２０２６/２７", "1999/99"],
    ids=["second year is not the next one", "second year is the same year", "a dash not a slash",
         "a two-digit start year", "a four-digit end year", "a one-digit end year",
         "only a start year", "empty", "letters", "full-width digits", "1999 followed by 99"],
)
def test_a_label_that_is_not_a_real_academic_year_is_rejected_clearly(label):
    with pytest.raises(ValueError, match="is not an academic year"):
        parse_academic_year_label(label)


def test_a_mismatched_label_suggests_the_right_one():
    with pytest.raises(ValueError, match="2026/27"):
        parse_academic_year_label("2026/28")


# --- Cohorts and year groups -----------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "cohort"),
    [(date(2010, 9, 1), 2010), (date(2011, 8, 31), 2010), (date(2011, 9, 1), 2011),
     (date(2012, 2, 29), 2011)],
    ids=["born 1 September is oldest in the cohort", "born 31 August is youngest in the cohort",
         "born 1 September starts the next cohort", "born 29 February belongs to the cohort "
         "that started the September before"],
)
def test_cohort_is_the_academic_year_of_birth(dob, cohort):
    assert cohort_of(dob) == cohort


@pytest.mark.parametrize(
    ("dob", "on", "expected"),
    [
        (date(2011, 8, 31), date(2024, 8, 31), 8),
        (date(2011, 8, 31), date(2024, 9, 1), 9),
        (date(2011, 9, 1), date(2024, 9, 1), 8),
        (date(2011, 9, 1), date(2025, 8, 31), 8),
        (date(2011, 9, 1), date(2025, 9, 1), 9),
        (date(2010, 10, 15), date(2015, 9, 1), 0),
        (date(2010, 10, 15), date(2015, 8, 31), -1),
        (date(2010, 10, 15), date(2030, 9, 1), 15),
    ],
    ids=[
        "31 August birthday is in Year 8 on 31 August",
        "31 August birthday moves to Year 9 on 1 September",
        "1 September birthday is a year behind on the same day",
        "1 September birthday is still Year 8 on the next 31 August",
        "1 September birthday reaches Year 9 a year later",
        "Reception is year group 0",
        "before Reception the year group is negative",
        "after Year 14 the year group is not clamped",
    ],
)
def test_year_group_changes_on_1_september(dob, on, expected):
    assert year_group(dob, on) == expected


# --- Birthdays -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "age", "expected"),
    [
        (date(2012, 2, 29), 18, date(2030, 3, 1)),
        (date(2012, 2, 29), 20, date(2032, 2, 29)),
        (date(2012, 2, 28), 18, date(2030, 2, 28)),
        (date(2012, 3, 1), 18, date(2030, 3, 1)),
        (date(2010, 10, 15), 0, date(2010, 10, 15)),
    ],
    ids=["29 February reaches an age on 1 March in a non-leap year",
         "29 February keeps the birthday in a leap year",
         "28 February is unaffected", "1 March is unaffected", "age 0 is the date of birth"],
)
def test_birthday_is_the_date_a_person_reaches_an_age(dob, age, expected):
    assert birthday(dob, age) == expected


def test_the_extension_limit_is_the_25th_birthday():
    assert extension_limit(date(2010, 10, 15)) == date(2035, 10, 15)
    assert extension_limit(date(2012, 2, 29)) == date(2037, 3, 1)


# --- Extensions ------------------------------------------------------------------------

BORN = date(2010, 10, 15)  # roll end 15 Oct 2030, 25th birthday 15 Oct 2035


@pytest.mark.parametrize(
    ("current_end", "new_end"),
    [
        (date(2030, 10, 15), date(2030, 10, 16)),
        (date(2030, 10, 15), date(2035, 10, 15)),
        (date(2032, 1, 1), date(2033, 1, 1)),
    ],
    ids=["one day after the current end", "exactly the 25th birthday",
         "a second extension stacked on the first"],
)
def test_an_extension_after_the_current_end_and_by_the_25th_birthday_is_allowed(
    current_end, new_end
):
    validate_extension(BORN, current_end, new_end)


@pytest.mark.parametrize(
    ("current_end", "new_end", "message"),
    [
        (date(2030, 10, 15), date(2030, 10, 15),
         "must be after the current roll end of 15 October 2030"),
        (date(2030, 10, 15), date(2030, 1, 1),
         "must be after the current roll end of 15 October 2030"),
        (date(2032, 1, 1), date(2031, 6, 1),
         "must be after the current roll end of 1 January 2032"),
        (date(2030, 10, 15), date(2035, 10, 16),
         "cannot be extended past their 25th birthday, 15 October 2035"),
    ],
    ids=["the same day as the current end", "before the current end",
         "shortening an earlier extension", "the day after the 25th birthday"],
)
def test_an_extension_that_breaks_the_rules_is_refused_in_plain_english(
    current_end, new_end, message
):
    with pytest.raises(ExtensionError, match=message):
        validate_extension(BORN, current_end, new_end)


def test_an_extension_error_is_a_value_error():
    assert issubclass(ExtensionError, ValueError)


@pytest.mark.parametrize(
    ("extension_ends", "expected"),
    [
        ((), date(2030, 10, 15)),
        ((date(2031, 6, 1),), date(2031, 6, 1)),
        ((date(2031, 6, 1), date(2032, 6, 1)), date(2032, 6, 1)),
        ((date(2032, 6, 1), date(2031, 6, 1)), date(2032, 6, 1)),
        ((date(2029, 1, 1),), date(2030, 10, 15)),
    ],
    ids=["no extension ends on the base roll end", "one extension moves the end",
         "stacked extensions use the latest", "history order does not matter",
         "an extension before the base end does not shorten the roll"],
)
def test_roll_end_is_the_later_of_base_end_and_latest_extension(extension_ends, expected):
    assert roll_end(BORN, 18, extension_ends) == expected


def test_roll_end_accepts_a_one_shot_iterator_of_extensions():
    assert roll_end(BORN, 18, iter([date(2031, 6, 1)])) == date(2031, 6, 1)


# --- Status ----------------------------------------------------------------------------

EXTENDED_TO = (date(2031, 6, 30),)


@pytest.mark.parametrize(
    ("on", "extension_ends", "left_on", "expected"),
    [
        (date(2024, 8, 31), (), None, "upcoming"),
        (date(2024, 9, 1), (), None, "active"),
        (date(2030, 10, 15), (), None, "active"),
        (date(2030, 10, 16), (), None, "left"),
        (date(2030, 10, 15), EXTENDED_TO, None, "active"),
        (date(2030, 10, 16), EXTENDED_TO, None, "extended"),
        (date(2031, 6, 30), EXTENDED_TO, None, "extended"),
        (date(2031, 7, 1), EXTENDED_TO, None, "left"),
        (date(2027, 3, 1), (), date(2027, 3, 1), "left"),
        (date(2027, 2, 28), (), date(2027, 3, 1), "active"),
        (date(2031, 1, 1), EXTENDED_TO, date(2030, 12, 1), "left"),
        (date(2024, 5, 1), (), date(2024, 4, 1), "left"),
    ],
    ids=[
        "upcoming the day before roll start",
        "active from the first day of Year 9",
        "active on the roll end day itself",
        "left the day after the roll end",
        "active on the base end when extended",
        "extended the day after the base end",
        "extended on the last day of the extension",
        "left the day after the extension ends",
        "left from the day they left",
        "active the day before they left",
        "left during an extension once they have left",
        "left before the roll started once they have left",
    ],
)
def test_roll_status_on_each_side_of_every_boundary(on, extension_ends, left_on, expected):
    assert roll_status(BORN, on, 18, extension_ends, left_on) == expected


def test_roll_status_uses_the_age_of_transition_setting():
    assert roll_status(BORN, date(2031, 10, 15), age_of_transition=19) == "active"
    assert roll_status(BORN, date(2031, 10, 16), age_of_transition=19) == "left"


# --- Transition points -----------------------------------------------------------------


def test_transition_points_for_the_first_worked_example_are_in_date_order():
    assert transition_points(BORN) == [
        TransitionPoint("year9", "Year 9 (first PfA review)", date(2024, 9, 1)),
        TransitionPoint("end_of_year11", "End of Year 11", date(2027, 8, 31)),
        TransitionPoint("age_of_transition", "Age of transition (18)", date(2028, 10, 15)),
        TransitionPoint("end_of_year13", "End of Year 13", date(2029, 8, 31)),
        TransitionPoint("roll_end", "Roll end", date(2030, 10, 15)),
    ]


@pytest.mark.parametrize(
    ("dob", "age_of_transition", "extension_ends", "expected_keys"),
    [
        (date(2011, 8, 31), 18, (),
         ["year9", "end_of_year11", "end_of_year13", "age_of_transition", "roll_end"]),
        (date(2010, 10, 15), 16, (),
         ["year9", "age_of_transition", "end_of_year11", "roll_end", "end_of_year13"]),
        (date(2010, 10, 15), 19, (),
         ["year9", "end_of_year11", "end_of_year13", "age_of_transition", "roll_end"]),
    ],
    ids=["a 31 August birthday turns 18 on the last day of Year 13 and ties keep their order",
         "an age of transition of 16 falls inside Year 11",
         "an age of transition of 19 falls after Year 13"],
)
def test_transition_points_follow_the_calendar_whatever_the_age_of_transition(
    dob, age_of_transition, extension_ends, expected_keys
):
    points = transition_points(dob, age_of_transition, extension_ends)
    assert [point.key for point in points] == expected_keys


def test_the_age_of_transition_point_names_the_age():
    points = {p.key: p for p in transition_points(BORN, 19)}
    assert points["age_of_transition"].name == "Age of transition (19)"
    assert points["age_of_transition"].date == date(2029, 10, 15)


def test_the_roll_end_point_includes_extensions():
    points = {p.key: p for p in transition_points(BORN, 18, EXTENDED_TO)}
    assert points["roll_end"].date == date(2031, 6, 30)


@pytest.mark.parametrize(
    ("on", "expected_key"),
    [
        (date(2020, 1, 1), "year9"),
        (date(2024, 9, 1), "year9"),
        (date(2024, 9, 2), "end_of_year11"),
        (date(2027, 8, 31), "end_of_year11"),
        (date(2027, 9, 1), "age_of_transition"),
        (date(2028, 10, 16), "end_of_year13"),
        (date(2030, 10, 15), "roll_end"),
        (date(2030, 10, 16), None),
    ],
    ids=["before the roll it is Year 9", "on the day it is still that point",
         "the day after Year 9 starts it is the end of Year 11", "the last day of Year 11",
         "after Year 11 it is the age of transition",
         "after the 18th birthday it is the end of Year 13",
         "on the roll end day it is the roll end", "after the roll end there is none"],
)
def test_next_transition_point_is_the_first_on_or_after_the_date(on, expected_key):
    point = next_transition_point(BORN, on)
    assert (point.key if point else None) == expected_key


# --- Reviews ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        (date(2010, 10, 15), date(2025, 3, 31)),
        (date(2011, 8, 31), date(2025, 3, 31)),
        (date(2011, 9, 1), date(2026, 3, 31)),
        (date(2012, 2, 29), date(2026, 3, 31)),
    ],
    ids=["born 15 Oct 2010", "born 31 Aug 2011", "born 1 Sep 2011", "born 29 Feb 2012"],
)
def test_first_review_is_due_by_31_march_of_year_9(dob, expected):
    assert first_review_due(dob) == expected
    assert year_group(dob, expected) == 9


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 3, 31), 6, date(2025, 9, 30)),
        (date(2025, 3, 15), 12, date(2026, 3, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 11, 30), 2, date(2026, 1, 30)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 3, 31), 0, date(2025, 3, 31)),
    ],
    ids=["31 January plus a month clamps to 28 February", "and to 29 February in a leap year",
         "31 August plus six months clamps to February",
         "31 March plus six months clamps to 30 September",
         "a mid-month date keeps its day", "29 February plus a year clamps to 28 February",
         "crossing a year end", "going back a month also clamps", "adding nothing changes nothing"],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(d, months, expected):
    assert add_months(d, months) == expected


CADENCE = DEFAULT_REVIEW_CADENCE_MONTHS
TODAY = date(2026, 1, 10)


@pytest.mark.parametrize(
    ("pathway", "last_review_on", "left_on", "expected"),
    [
        (None, None, None, date(2025, 3, 31)),
        (1, date(2025, 8, 31), None, date(2026, 2, 28)),
        (2, date(2025, 9, 15), None, date(2026, 3, 15)),
        (3, date(2025, 9, 15), None, date(2026, 9, 15)),
        (None, date(2025, 9, 15), None, date(2026, 9, 15)),
        (1, date(2025, 9, 15), date(2026, 1, 10), None),
        (None, None, date(2025, 12, 1), None),
    ],
    ids=["with no review yet the first review is due even when already past",
         "pathway 1 is every 6 months",
         "pathway 2 is every 6 months",
         "pathway 3 is every 12 months",
         "not yet decided is every 12 months",
         "someone who has left is never due",
         "someone who left before their first review is never due"],
)
def test_next_review_due_follows_the_pathway_cadence(pathway, last_review_on, left_on, expected):
    due = next_review_due(BORN, TODAY, pathway, last_review_on, CADENCE, left_on=left_on)
    assert due == expected


def test_next_review_due_uses_the_cadence_setting():
    assert next_review_due(BORN, TODAY, 3, date(2025, 9, 15), {"3": 3}) == date(2025, 12, 15)


def test_a_partial_cadence_setting_falls_back_to_the_default_for_missing_pathways():
    assert next_review_due(BORN, TODAY, 1, date(2025, 9, 15), {"3": 3}) == date(2026, 3, 15)


@pytest.mark.parametrize(
    ("on", "extension_ends", "last_review_on", "expected"),
    [
        (date(2030, 10, 16), (), date(2030, 10, 1), None),
        (date(2030, 10, 16), EXTENDED_TO, date(2030, 10, 1), date(2031, 4, 1)),
        (date(2024, 5, 1), (), None, date(2025, 3, 31)),
    ],
    ids=["nobody is due after their roll end", "someone on an extension is still due",
         "someone pre-registered in Year 8 is due by March of Year 9"],
)
def test_next_review_due_depends_on_roll_status(on, extension_ends, last_review_on, expected):
    due = next_review_due(BORN, on, 1, last_review_on, CADENCE, extension_ends=extension_ends)
    assert due == expected


def test_an_unknown_pathway_is_rejected():
    with pytest.raises(ValueError, match="Pathway must be 1, 2, 3"):
        next_review_due(BORN, TODAY, 4, date(2025, 9, 15), CADENCE)


# --- Properties ------------------------------------------------------------------------


@given(dates_of_birth)
def test_roll_start_is_always_a_1_september(dob):
    start = roll_start(dob)
    assert (start.month, start.day) == (9, 1)


@given(dates_of_birth)
def test_a_young_person_is_in_year_9_on_the_first_day_of_the_roll(dob):
    assert year_group(dob, roll_start(dob)) == 9


@given(dates_of_birth)
def test_a_young_person_is_in_year_8_the_day_before_the_roll_starts(dob):
    assert year_group(dob, roll_start(dob) - ONE_DAY) == 8


@given(dates_of_birth, st.integers(min_value=16, max_value=25))
def test_base_roll_end_is_never_before_roll_start(dob, age_of_transition):
    assert base_roll_end(dob, age_of_transition) >= roll_start(dob)


@given(dates_of_birth, st.lists(st.integers(min_value=-400, max_value=3000), max_size=6))
def test_accepted_extensions_never_take_the_roll_past_the_25th_birthday(dob, offsets_in_days):
    accepted: list[date] = []
    for offset in offsets_in_days:
        current_end = roll_end(dob, extension_ends=accepted)
        candidate = current_end + timedelta(days=offset)
        try:
            validate_extension(dob, current_end, candidate)
        except ExtensionError:
            continue
        accepted.append(candidate)
    assert roll_end(dob, extension_ends=accepted) <= extension_limit(dob)


@given(dates_of_birth, st.integers(min_value=0, max_value=40))
def test_a_birthday_is_within_a_day_of_the_same_month_and_day(dob, age):
    reached = birthday(dob, age)
    year = dob.year + age
    same_day = date(year, dob.month, min(dob.day, calendar.monthrange(year, dob.month)[1]))
    assert abs(reached - same_day) <= ONE_DAY
    if (dob.month, dob.day) != (2, 29) or calendar.isleap(year):
        assert (reached.month, reached.day) == (dob.month, dob.day)


@given(dates_of_birth, st.integers(min_value=16, max_value=23),
       st.lists(st.integers(min_value=1, max_value=2000), max_size=3))
def test_transition_points_are_in_date_order(dob, age_of_transition, extension_days):
    base = base_roll_end(dob, age_of_transition)
    extensions = [base + timedelta(days=days) for days in extension_days]
    dates = [point.date for point in transition_points(dob, age_of_transition, extensions)]
    assert dates == sorted(dates)


@given(st.integers(min_value=1, max_value=9998))
def test_academic_year_labels_round_trip(start_year):
    assert parse_academic_year_label(academic_year_label(start_year)) == start_year


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))
def test_every_date_lies_inside_its_academic_year(d):
    start_year = academic_year_of(d)
    assert date(start_year, 9, 1) <= d <= date(start_year + 1, 8, 31)


@given(dates_of_birth, st.dates(min_value=date(1990, 1, 1), max_value=date(2070, 12, 31)))
def test_next_review_is_never_due_for_someone_who_has_left(dob, on):
    if roll_status(dob, on) == "left":
        assert next_review_due(dob, on, 3, on, CADENCE) is None
    else:
        assert next_review_due(dob, on, 3, on, CADENCE) is not None

