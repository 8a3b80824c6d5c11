"""Validating activity records: every refusal says what is wrong and how to fix it."""
from __future__ import annotations

from datetime import date

import pytest

from destinations.activities import codes
from destinations.activities.services import validate_activity

TODAY = date(2026, 11, 23)


def check(**values):
    return validate_activity({"activity_code": "230", "started_on": date(2026, 9, 1), "source": "keyworker", **values}, today=TODAY)


def test_a_complete_education_record_is_valid():
    assert check() == {}


def test_an_unknown_code_is_refused_with_the_list_of_valid_codes():
    errors = check(activity_code="999")
    assert list(errors) == ["activity_code"]
    message = errors["activity_code"][0]
    assert message.startswith("999 is not an activity code. Use one of:")
    assert "230 (Further education)" in message and "S20 (Supported employment)" in message
    assert message.endswith(codes.describe_valid_codes())


def test_codes_are_read_whatever_their_case_and_spacing():
    assert check(activity_code=" s10 ") == {}


def test_a_missing_code_asks_for_one():
    assert check(activity_code="")["activity_code"] == ["Enter the activity code, for example 230 (Further education)"]


def test_an_end_before_the_start_is_refused():
    errors = check(ended_on=date(2026, 8, 31))
    assert errors == {"ended_on": ["The end date must be the same as or after the start date (1 September 2026)"]}


def test_a_one_day_activity_is_allowed():
    assert check(ended_on=date(2026, 9, 1)) == {}


@pytest.mark.parametrize("code", codes.codes_in("employment"))
def test_hours_a_week_are_required_for_every_employment_code(code):
    errors = check(activity_code=code)
    assert list(errors) == ["hours_per_week"]
    assert "Enter the hours a week" in errors["hours_per_week"][0]
    assert check(activity_code=code, hours_per_week=16) == {}


def test_hours_are_optional_for_education():
    assert check(hours_per_week=None) == {}


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("lots", "lots is not a number. Enter the hours a week as a number, for example 16 or 37.5"),
        (0, "Hours a week must be more than 0 and no more than 168"),
        (169, "Hours a week must be more than 0 and no more than 168"),
        ("37.25", "Hours a week can have at most one decimal place, for example 37.5"),
        ("NaN", "Hours a week must be more than 0 and no more than 168"),
    ],
)
def test_impossible_hours_are_refused(hours, message):
    assert check(activity_code="330", hours_per_week=hours) == {"hours_per_week": [message]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("started_on", date(1989, 12, 31), "The start date must be on or after 1 January 1990. Check the year"),
        ("started_on", date(2027, 11, 25), "The start date must be no later than 24 November 2027 (a year from today). Check the year"),
        ("ended_on", date(2027, 11, 25), "The end date must be no later than 24 November 2027 (a year from today). Check the year"),
        ("started_on", "2026-02-30", "2026-02-30 is not a date. Write the start date as YYYY-MM-DD, for example 2026-09-01"),
        ("started_on", None, "Enter the date the activity started"),
    ],
)
def test_absurd_dates_are_refused(field, value, message):
    assert check(**{field: value})[field] == [message]


def test_a_start_up_to_a_year_ahead_is_allowed_for_an_agreed_start():
    assert check(activity_code="615", started_on=date(2027, 11, 24)) == {}


def test_a_date_before_the_young_person_was_born_is_refused():
    errors = validate_activity(
        {"activity_code": "230", "started_on": date(2000, 1, 1), "source": "keyworker"}, today=TODAY, date_of_birth=date(2008, 5, 5)
    )
    assert errors == {"started_on": ["The start date must be after the young person's date of birth. Check the year"]}


def test_the_source_must_be_one_of_the_three():
    errors = check(source="parent")
    assert errors == {"source": ["parent is not a source. Use one of: keyworker (Keyworker), young_person (The young person (keep in touch)), import (Imported)"]}


@pytest.mark.parametrize("source", list(codes.SOURCES))
def test_each_source_is_accepted(source):
    assert check(source=source) == {}


def test_a_provider_is_optional_but_not_both_kinds_at_once():
    assert check(provider_id=None, provider_name=None) == {}
    assert check(provider_name="Ashby Vale College") == {}
    assert check(provider_id=4) == {}
    errors = check(provider_id=4, provider_name="Ashby Vale College")
    assert list(errors) == ["provider_name"]
    assert "not both" in errors["provider_name"][0]


def test_an_unknown_level_lists_the_levels():
    errors = check(level="A-level")
    assert errors["level"][0].startswith("Level must be one of: entry (Entry level), 1 (Level 1)")


def test_every_problem_is_reported_at_once():
    errors = validate_activity({"activity_code": "330", "started_on": None, "source": "x", "level": "99"}, today=TODAY)
    assert set(errors) == {"started_on", "source", "level", "hours_per_week"}
