"""The sustained-destination rule and leaving cohorts (DOMAIN.md section 7), with the awkward cases spelled out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from destinations.activities.codes import ACTIVITY_CODES
from destinations.activities.sustained import (
    OUTCOME_LABELS,
    OUTCOMES,
    SUSTAINED_OUTCOMES,
    Cohort,
    Period,
    cohort_birth_range,
    latest_closed_cohort,
    parse_cohort,
    sustained_outcome,
    window_closed,
    year_closed,
)
from destinations.people import roll

ONE_DAY = timedelta(days=1)
COHORT = Cohort("year11", 2022)  # window 1 Oct 2022 - 31 Mar 2023; academic year 1 Aug 2022 - 31 Jul 2023


def d(text: str) -> date:
    return date.fromisoformat(text)


def p(code: str, start: str, end: str | None = None) -> Period:
    return Period(code, d(start), d(end) if end else None)


# --- The rule, case by case ------------------------------------------------------------

CASES = [
    # (name, periods, expected)
    ("college all year", [p("230", "2022-09-05", "2023-07-14")], "education"),
    ("still at college with no end date", [p("230", "2022-09-05")], "education"),
    ("starts on the last day of October and ends on the first of March",
     [p("280", "2022-10-31", "2023-03-01")], "education"),
    ("starts on the first of November, missing October", [p("230", "2022-11-01", "2023-07-14")], "not_sustained"),
    ("ends on the last day of February, missing March", [p("230", "2022-09-05", "2023-02-28")], "not_sustained"),
    ("a whole month's gap in December", [p("230", "2022-09-05", "2022-11-30"), p("230", "2023-01-03", "2023-07-14")],
     "not_sustained"),
    ("a gap inside December still leaves a day in it",
     [p("230", "2022-09-05", "2022-12-10"), p("230", "2022-12-20", "2023-07-14")], "education"),
    ("overlapping records at two providers", [p("230", "2022-09-05", "2022-12-31"), p("280", "2022-12-01", "2023-07-14")],
     "education"),
    ("a contradictory NEET record overlapping college",
     [p("230", "2022-09-05", "2023-07-14"), p("619", "2022-11-01", "2022-12-31")], "education"),
    ("a supported internship is training, which counts as education", [p("460", "2022-09-05", "2023-07-14")],
     "education"),
    ("still at school after Year 11 counts as education", [p("110", "2022-09-01", "2023-07-20")], "education"),
    ("education then employment covering the six months together",
     [p("230", "2022-09-05", "2022-12-16"), p("330", "2023-01-09")], "education_employment"),
    ("training then part-time work covering the six months together",
     [p("460", "2022-09-05", "2022-12-16"), p("360", "2023-01-09", "2023-06-30")], "education_employment"),
    ("five months of employment, October to February", [p("330", "2022-10-03", "2023-02-24")], "employment"),
    ("five months of employment, November to March", [p("330", "2022-11-14", "2023-04-30")], "employment"),
    ("five months of employment with December out of work",
     [p("350", "2022-10-03", "2022-11-30"), p("330", "2023-01-04", "2023-06-30")], "employment"),
    ("four months of employment", [p("330", "2022-10-03", "2023-01-31")], "not_sustained"),
    ("supported employment is employment", [p("S20", "2022-09-12")], "employment"),
    ("sustained education comes before sustained employment",
     [p("230", "2022-09-05", "2023-07-14"), p("360", "2022-10-01", "2023-03-31")], "education"),
    ("an apprenticeship for six continuous months outside October to March",
     [p("310", "2023-02-01", "2023-07-31")], "apprenticeship"),
    ("an apprenticeship one day short of six months", [p("310", "2023-02-01", "2023-07-30")], "not_sustained"),
    ("an apprenticeship from August to January", [p("310", "2022-08-01", "2023-01-31")], "apprenticeship"),
    ("six months from 31 August end on 27 February", [p("310", "2022-08-31", "2023-02-27")], "apprenticeship"),
    ("six months from 31 January end on 30 July", [p("310", "2023-01-31", "2023-07-30")], "apprenticeship"),
    ("a day short of six months from 31 January", [p("310", "2023-01-31", "2023-07-29")], "not_sustained"),
    ("an apprenticeship across October to March", [p("310", "2022-10-01", "2023-03-31")], "apprenticeship"),
    ("an apprenticeship that started before the academic year only counts from August",
     [p("310", "2022-07-01", "2022-12-31")], "not_sustained"),
    ("an apprenticeship still going after six months", [p("310", "2023-01-16")], "apprenticeship"),
    ("an apprenticeship in two back-to-back records", [p("310", "2022-08-01", "2022-10-31"), p("310", "2022-11-01", "2023-01-31")],
     "apprenticeship"),
    ("an apprenticeship in two records with a day between them is not continuous",
     [p("310", "2022-08-01", "2022-10-30"), p("310", "2022-11-01", "2023-01-31")], "not_sustained"),
    ("an apprenticeship short of six months can still be five months of work",
     [p("310", "2022-10-17", "2023-03-10")], "employment"),
    ("a sustained apprenticeship is reported as an apprenticeship even beside education",
     [p("230", "2022-09-05", "2023-07-14"), p("310", "2022-09-05", "2023-03-31")], "apprenticeship"),
    ("some education then NEET", [p("230", "2022-09-05", "2022-11-18"), p("619", "2022-11-19")], "not_sustained"),
    ("an apprenticeship in the summer only is some participation", [p("310", "2023-05-01", "2023-07-31")],
     "not_sustained"),
    ("NEET all through the window", [p("619", "2022-09-01")], "neet"),
    ("left college in September and NEET after", [p("230", "2022-09-05", "2022-09-30"), p("610", "2022-10-01")], "neet"),
    ("adult social care day opportunities only", [p("S10", "2022-09-01")], "neet"),
    ("custody only", [p("710", "2022-06-01", "2023-05-31")], "neet"),
    ("NEET beside not known records", [p("810", "2022-09-01", "2022-12-31"), p("640", "2023-01-01")], "neet"),
    ("only 810 to 830 codes", [p("810", "2022-09-01", "2022-11-30"), p("820", "2022-12-01", "2023-01-31"),
                               p("830", "2023-02-01")], "unknown"),
    ("no records at all", [], "unknown"),
    ("records only before the window", [p("110", "2020-09-01", "2022-07-20"), p("230", "2022-09-05", "2022-09-30")],
     "unknown"),
    ("records only after the window", [p("230", "2023-04-17")], "unknown"),
    ("an unrecognised code says nothing", [p("999", "2022-09-01")], "unknown"),
    ("codes are read whatever their case and spacing", [p(" s10 ", "2022-09-01")], "neet"),
    ("an apprenticeship code with spaces round it", [p(" 310 ", "2023-02-01", "2023-07-31")], "apprenticeship"),
]  # fmt: skip


@pytest.mark.parametrize("periods, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_sustained_outcome_for_each_awkward_case(periods, expected):
    assert sustained_outcome(periods, COHORT) == expected
    assert sustained_outcome(list(reversed(periods)), COHORT) == expected


def test_the_same_rule_applies_to_year13_and_transition_cohorts_in_their_own_year():
    periods = [p("240", "2024-09-23", "2025-06-06")]
    assert sustained_outcome(periods, Cohort("year13", 2024)) == "education"
    assert sustained_outcome(periods, Cohort("transition", 2024)) == "education"
    assert sustained_outcome(periods, Cohort("year13", 2023)) == "unknown"


def test_ongoing_records_end_on_as_of_while_the_window_is_open():
    periods = [p("230", "2022-09-05")]
    assert sustained_outcome(periods, COHORT, as_of=d("2022-12-15")) == "not_sustained"
    assert sustained_outcome(periods, COHORT, as_of=d("2023-03-01")) == "education"


def test_records_starting_after_as_of_are_ignored():
    periods = [p("619", "2022-09-01", "2022-12-31"), p("230", "2023-01-09")]
    assert sustained_outcome(periods, COHORT, as_of=d("2022-12-31")) == "neet"


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot end"):
        Period("230", d("2023-01-02"), d("2023-01-01"))


def test_a_period_can_be_built_from_an_activity_record():
    class Record:
        activity_code, started_on, ended_on = "230", d("2022-09-05"), None

    assert Period.from_record(Record()) == Period("230", d("2022-09-05"), None)


def test_outcomes_are_labelled_and_the_sustained_ones_named():
    assert set(OUTCOME_LABELS) == set(OUTCOMES)
    assert SUSTAINED_OUTCOMES == {"education", "apprenticeship", "employment", "education_employment"}


# --- Properties ------------------------------------------------------------------------

# Codes from every group, weighted towards the ones the rule treats differently.
CODES = ["230", "280", "210", "460", "410", "110", "310", "330", "360", "S20", "619", "610", "S10", "710", "810", "820", "150", "999"]
FIRST_DAY, LAST_DAY = date(2022, 6, 1), date(2023, 9, 30)


@st.composite
def periods(draw):
    start = draw(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
    end = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=LAST_DAY)))
    return Period(draw(st.sampled_from(CODES)), start, end)


histories = st.lists(periods(), max_size=6)


def reference_outcome(history: list[Period], cohort: Cohort) -> str:
    """The rule written the slow, obvious way: day by day, for comparison."""
    window_start, window_end = cohort.window
    year_start, year_end = cohort.academic_year

    def group(code: str) -> str | None:
        activity = ACTIVITY_CODES.get(code.strip().upper())
        if activity is None or activity.group == "not_known" or activity.code == "150":
            return None
        if activity.code in ("110", "120") or activity.group in ("education", "training"):
            return "learning"
        return "work" if activity.group == "employment" else "known"

    def covers(period: Period, day: date) -> bool:
        return period.started_on <= day and (period.ended_on is None or day <= period.ended_on)

    learning, work, known = set(), set(), False
    day = window_start
    while day <= window_end:
        for period in history:
            kind = group(period.code)
            if kind and covers(period, day):
                if kind == "learning":
                    learning.add(day.month)
                elif kind == "work":
                    work.add(day.month)
                else:
                    known = True
        day += ONE_DAY
    apprenticeship_days, run_start, sustained_apprenticeship = 0, None, False
    day = year_start
    while day <= year_end:
        if any(period.code.strip() == "310" and covers(period, day) for period in history):
            apprenticeship_days += 1
            run_start = run_start or day
            if day >= roll.add_months(run_start, 6) - ONE_DAY:
                sustained_apprenticeship = True
        else:
            run_start = None
        day += ONE_DAY
    if sustained_apprenticeship:
        return "apprenticeship"
    if len(learning) == 6:
        return "education"
    if len(work) >= 5:
        return "employment"
    if len(learning | work) == 6:
        return "education_employment"
    if learning or work or apprenticeship_days:
        return "not_sustained"
    return "neet" if known else "unknown"


@settings(max_examples=300, deadline=None)
@given(histories)
def test_the_rule_agrees_with_a_day_by_day_reading_of_it(history):
    assert sustained_outcome(history, COHORT) == reference_outcome(history, COHORT)


@given(histories, st.randoms())
def test_the_order_of_records_does_not_matter(history, random):
    shuffled = list(history)
    random.shuffle(shuffled)
    assert sustained_outcome(shuffled, COHORT) == sustained_outcome(history, COHORT)


@given(histories, st.data())
def test_splitting_a_record_into_two_adjacent_ones_changes_nothing(history, data):
    # An open record is split before the last day the strategy draws, so it needs two days before then.
    splittable = [i for i, period in enumerate(history) if (period.ended_on or LAST_DAY) > period.started_on]
    if not splittable:
        return
    i = data.draw(st.sampled_from(splittable))
    period = history[i]
    last_day = period.ended_on or LAST_DAY
    split_after = data.draw(st.dates(min_value=period.started_on, max_value=last_day - ONE_DAY))
    halves = [Period(period.code, period.started_on, split_after), Period(period.code, split_after + ONE_DAY, period.ended_on)]
    assert sustained_outcome(history[:i] + halves + history[i + 1:], COHORT) == sustained_outcome(history, COHORT)


@given(histories, periods())
def test_adding_a_record_never_turns_a_sustained_outcome_into_an_unsustained_one(history, extra):
    before = sustained_outcome(history, COHORT)
    after = sustained_outcome([*history, extra], COHORT)
    if before in SUSTAINED_OUTCOMES:
        assert after in SUSTAINED_OUTCOMES
    if before != "unknown":
        assert after != "unknown"


@given(histories, st.sampled_from(["810", "820", "830"]), st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
def test_not_known_records_never_change_the_outcome(history, code, start):
    assert sustained_outcome([*history, Period(code, start)], COHORT) == sustained_outcome(history, COHORT)


@given(histories)
def test_records_outside_the_academic_year_change_nothing(history):
    outside = [Period("230", date(2021, 9, 1), date(2022, 7, 31)), Period("310", date(2023, 8, 1))]
    assert sustained_outcome(history + outside, COHORT) == sustained_outcome(history, COHORT)


@given(histories)
def test_the_outcome_is_always_one_of_the_outcomes(history):
    assert sustained_outcome(history, COHORT) in OUTCOMES


# --- Cohorts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, label, window, academic_year",
    [
        ("year11-2022", "Year 11 leavers, summer 2022", ("2022-10-01", "2023-03-31"), ("2022-08-01", "2023-07-31")),
        ("year13-2024", "Year 13 leavers, summer 2024", ("2024-10-01", "2025-03-31"), ("2024-08-01", "2025-07-31")),
        ("transition-2023", "Reached the age of transition in 2022/23", ("2023-10-01", "2024-03-31"),
         ("2023-08-01", "2024-07-31")),
    ],
)  # fmt: skip
def test_a_cohort_key_gives_its_label_window_and_academic_year(key, label, window, academic_year):
    cohort = parse_cohort(key)
    assert cohort.key == key
    assert cohort.label == label
    assert cohort.window == (d(window[0]), d(window[1]))
    assert cohort.academic_year == (d(academic_year[0]), d(academic_year[1]))


def test_cohort_keys_are_read_whatever_their_case_and_spacing():
    assert parse_cohort("  Year11-2022 ") == Cohort("year11", 2022)


@pytest.mark.parametrize(
    "key, message",
    [
        ("", "for example year11-2022"),
        ("year11", "for example year11-2022"),
        ("year11-22", "for example year11-2022"),
        ("year11 2022", "for example year11-2022"),
        ("year12-2022", "must be one of year11, year13, transition"),
        ("year11-1999", "Use a year from 2000 to 2100"),
        (2022, "for example year11-2022"),
        (None, "for example year11-2022"),
    ],
)
def test_a_bad_cohort_key_is_refused_with_what_to_write_instead(key, message):
    with pytest.raises(ValueError, match=message):
        parse_cohort(key)


def test_a_cohort_cannot_be_built_with_an_unknown_kind():
    with pytest.raises(ValueError, match="not a kind of cohort"):
        Cohort("year12", 2022)


BIRTH_RANGES = [
    ("year11-2022", 18, "2005-09-01", "2006-08-31"),
    ("year13-2022", 18, "2003-09-01", "2004-08-31"),
    ("transition-2022", 18, "2003-09-01", "2004-08-31"),
    ("transition-2022", 19, "2002-09-01", "2003-08-31"),
    ("transition-2022", 16, "2005-09-01", "2006-08-31"),
]


@pytest.mark.parametrize("key, age_of_transition, first, last", BIRTH_RANGES)
def test_cohort_birth_ranges_run_from_1_september_to_31_august(key, age_of_transition, first, last):
    assert cohort_birth_range(parse_cohort(key), age_of_transition) == (d(first), d(last))


def test_a_31_august_birthday_leaves_year_11_a_year_before_a_1_september_birthday():
    first, last = cohort_birth_range(Cohort("year11", 2022), 18)
    assert last == date(2006, 8, 31) and roll.year_group(last, date(2022, 7, 1)) == 11
    assert cohort_birth_range(Cohort("year11", 2023), 18)[0] == date(2006, 9, 1)
    assert roll.year_group(date(2006, 9, 1), date(2022, 7, 1)) == 10


def test_a_29_february_birthday_reaches_the_age_of_transition_in_the_cohort_it_is_counted_in():
    born = date(2004, 2, 29)
    assert roll.age_of_transition_date(born, 18) == date(2022, 3, 1)
    first, last = cohort_birth_range(Cohort("transition", 2022), 18)
    assert first <= born <= last


@given(st.dates(min_value=date(1985, 1, 1), max_value=date(2070, 12, 31)), st.integers(min_value=16, max_value=25))
def test_everyone_is_in_the_cohorts_the_roll_rules_put_them_in(born, age_of_transition):
    points = {point.key: point.date for point in roll.transition_points(born, age_of_transition)}
    reached = roll.academic_year_of(roll.age_of_transition_date(born, age_of_transition)) + 1
    for cohort in (
        Cohort("year11", points["end_of_year11"].year),
        Cohort("year13", points["end_of_year13"].year),
        Cohort("transition", reached),
    ):
        if 2000 <= cohort.year <= 2100:
            first, last = cohort_birth_range(cohort, age_of_transition)
            assert first <= born <= last


def test_the_age_of_transition_must_be_sensible_for_a_transition_cohort():
    with pytest.raises(ValueError, match="age of transition must be a whole number from 16 to 25"):
        cohort_birth_range(Cohort("transition", 2022), 12)


def test_the_window_closes_after_31_march_and_the_year_after_31_july():
    assert not window_closed(COHORT, date(2023, 3, 31))
    assert window_closed(COHORT, date(2023, 4, 1))
    assert not year_closed(COHORT, date(2023, 7, 31))
    assert year_closed(COHORT, date(2023, 8, 1))


@pytest.mark.parametrize(
    "today, year",
    [("2025-03-31", 2023), ("2025-04-01", 2024), ("2025-12-31", 2024), ("2026-01-01", 2024)],
)
def test_the_latest_closed_cohort_is_the_one_whose_window_ended_most_recently(today, year):
    cohort = latest_closed_cohort("year11", d(today))
    assert cohort == Cohort("year11", year)
    assert window_closed(cohort, d(today))
    assert not window_closed(Cohort("year11", year + 1), d(today))
