"""Overlapping and contradictory records are kept but flagged; the current activity is chosen the same way everywhere."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from destinations.activities.services import activity_flags, is_full_time, overlaps, pick_current


@dataclass
class Record:
    id: int
    activity_code: str
    started_on: date
    ended_on: date | None = None
    source: str = "keyworker"
    verified: bool = True
    hours_per_week: Decimal | None = None


def test_records_that_share_a_day_overlap_and_those_that_follow_on_do_not():
    college = Record(1, "230", date(2025, 9, 1), date(2026, 7, 31))
    job = Record(2, "330", date(2026, 8, 1), hours_per_week=Decimal(37))
    last_day = Record(3, "360", date(2026, 7, 31), date(2026, 7, 31), hours_per_week=Decimal(10))
    assert overlaps([job, college, last_day]) == [(college, last_day)]


def test_an_open_record_overlaps_everything_after_its_start():
    open_record = Record(1, "230", date(2025, 9, 1))
    later = Record(2, "619", date(2030, 1, 1))
    assert overlaps([open_record, later]) == [(open_record, later)]


def test_two_full_time_activities_at_once_are_flagged():
    college = Record(1, "230", date(2025, 9, 1))
    job = Record(2, "330", date(2026, 1, 5), hours_per_week=Decimal(37))
    [flag] = activity_flags([college, job])
    assert flag.kind == "two_full_time"
    assert "Two full-time activities overlap from 5 January 2026" in flag.message


def test_college_and_a_part_time_job_together_are_not_flagged():
    college = Record(1, "230", date(2025, 9, 1))
    job = Record(2, "360", date(2026, 1, 5), hours_per_week=Decimal(12))
    assert overlaps([college, job]) and activity_flags([college, job]) == []


def test_neet_and_education_at_the_same_time_contradict_each_other():
    college = Record(1, "230", date(2025, 9, 1), date(2026, 7, 31))
    neet = Record(2, "619", date(2026, 3, 1))
    [flag] = activity_flags([college, neet])
    assert flag.kind == "contradiction"
    assert "from 1 March 2026 to 31 July 2026" in flag.message


def test_a_self_report_that_differs_from_a_verified_record_is_flagged():
    verified = Record(1, "230", date(2025, 9, 1))
    said = Record(2, "619", date(2026, 2, 1), source="young_person", verified=False)
    [flag] = activity_flags([verified, said])
    assert flag.kind == "self_report_differs"
    assert flag.message.startswith("The young person told us 619 Seeking employment, education or training, but the verified record says 230 Further education")


def test_the_same_activity_recorded_twice_is_flagged_as_a_possible_duplicate():
    first = Record(1, "230", date(2025, 9, 1))
    second = Record(2, "230", date(2025, 9, 1), verified=False)
    assert [flag.kind for flag in activity_flags([first, second])] == ["duplicate"]


def test_employment_is_full_time_from_30_hours():
    assert is_full_time(Record(1, "330", date(2026, 1, 1), hours_per_week=Decimal(30)))
    assert not is_full_time(Record(1, "330", date(2026, 1, 1), hours_per_week=Decimal("29.5")))
    assert not is_full_time(Record(1, "250", date(2026, 1, 1)))


def test_a_verified_record_is_current_over_a_later_unverified_one_covering_the_same_day():
    verified = Record(1, "230", date(2025, 9, 1))
    said = Record(2, "619", date(2026, 2, 1), source="young_person", verified=False)
    assert pick_current([verified, said], date(2026, 3, 1)) is verified


def test_among_equals_the_latest_start_is_current_and_ended_records_are_not():
    old = Record(1, "230", date(2024, 9, 1))
    new = Record(2, "310", date(2025, 9, 1), hours_per_week=Decimal(30))
    ended = Record(3, "240", date(2025, 10, 1), date(2025, 12, 1))
    assert pick_current([old, new, ended], date(2026, 1, 1)) is new
    assert pick_current([old, new, ended], date(2024, 8, 31)) is None


day = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def records(draw):
    count = draw(st.integers(min_value=0, max_value=6))
    out = []
    for n in range(count):
        start = draw(day)
        end = draw(st.one_of(st.none(), day.filter(lambda d, s=start: d >= s)))
        out.append(Record(n + 1, draw(st.sampled_from(["230", "330", "619", "810", "S10"])), start, end, verified=draw(st.booleans()), hours_per_week=Decimal(35)))
    return out


@given(records(), day)
def test_the_current_record_always_covers_the_day_and_is_never_outranked(items, on):
    current = pick_current(items, on)
    covering = [r for r in items if r.started_on <= on and (r.ended_on is None or r.ended_on >= on)]
    if current is None:
        assert covering == []
    else:
        assert current in covering
        assert not any((r.verified, r.started_on, r.id) > (current.verified, current.started_on, current.id) for r in covering)


@given(records())
def test_every_pair_overlaps_exactly_when_their_dates_share_a_day(items):
    found = {(a.id, b.id) for a, b in overlaps(items)} | {(b.id, a.id) for a, b in overlaps(items)}
    for a in items:
        for b in items:
            if a.id < b.id:
                share = a.started_on <= (b.ended_on or date.max) and b.started_on <= (a.ended_on or date.max)
                assert ((a.id, b.id) in found) == share
