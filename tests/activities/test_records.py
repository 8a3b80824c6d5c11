"""Recording activities, choosing the current one, and the follow-up list (services, on the database)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from destinations.activities import services
from destinations.activities.models import ActivityRecord
from destinations.activities.services import ActivityError, StaleActivity
from destinations.people.services import RollSettings
from tests.factories import make_activity, make_person, make_provider, make_user

TODAY = date(2026, 11, 23)
SIXTEEN = date(2009, 10, 15)  # Year 12 on TODAY


@pytest.fixture
def person(session):
    return make_person(session, date_of_birth=SIXTEEN)


def test_recording_an_activity_adds_and_flushes_without_committing(session, person):
    keyworker = make_user(session, "keyworker")
    record = services.record_activity(
        session, person, {"activity_code": "230", "started_on": date(2026, 9, 1), "level": "2", "verified": True}, source="keyworker", by=keyworker, today=TODAY
    )
    assert record.id is not None and session.in_transaction()
    assert (record.activity_code, record.level, record.recorded_by_id, record.version) == ("230", "2", keyworker.id, 1)
    assert record.confirmed_on == TODAY  # staff who record a checked, current activity have just confirmed it


def test_recording_refuses_bad_input_with_every_error(session, person):
    with pytest.raises(ActivityError) as caught:
        services.record_activity(session, person, {"activity_code": "999", "started_on": date(2026, 9, 1)}, source="keyworker", today=TODAY)
    assert list(caught.value.errors) == ["activity_code"]
    assert session.scalar(select(ActivityRecord.id)) is None


def test_an_unknown_provider_is_refused(session, person):
    with pytest.raises(ActivityError) as caught:
        services.record_activity(session, person, {"activity_code": "230", "started_on": date(2026, 9, 1), "provider_id": 2_000_000}, source="keyworker", today=TODAY)
    assert caught.value.errors["provider_id"][0].startswith("There is no provider with id 2000000")


def test_a_self_report_never_replaces_ends_or_outranks_a_verified_record(session, person):
    verified = make_activity(session, person, "230", date(2026, 9, 1), verified=True, today=TODAY)
    said = services.record_activity(
        session, person, {"activity_code": "619", "started_on": date(2026, 11, 1), "verified": True}, source="young_person", today=TODAY, end_current=True
    )
    session.refresh(verified)
    assert verified.ended_on is None and verified.activity_code == "230" and verified.version == 1
    assert said.verified is False  # only staff can verify
    assert services.current_activities(session, [person.id], TODAY)[person.id].id == verified.id
    assert [flag.kind for flag in services.activity_flags(services.timeline(session, person.id))] == ["self_report_differs"]


def test_a_keyworker_recording_a_move_can_end_the_previous_activity(session, person):
    college = make_activity(session, person, "230", date(2025, 9, 1), verified=True, today=TODAY)
    said = make_activity(session, person, "619", date(2026, 1, 1), source="young_person", today=TODAY)
    job = services.record_activity(
        session, person, {"activity_code": "310", "started_on": date(2026, 10, 1), "hours_per_week": 30, "verified": True}, source="keyworker", today=TODAY, end_current=True
    )
    session.refresh(college)
    session.refresh(said)
    assert college.ended_on == date(2026, 9, 30)
    assert said.ended_on is None  # what the young person said stays as they said it
    assert services.current_activities(session, [person.id], TODAY)[person.id].id == job.id


def test_current_activities_picks_one_per_person_in_one_query(session):
    people = [make_person(session, date_of_birth=SIXTEEN) for _ in range(3)]
    make_activity(session, people[0], "230", date(2025, 9, 1), today=TODAY)
    later = make_activity(session, people[0], "240", date(2026, 9, 20), today=TODAY)
    make_activity(session, people[1], "230", date(2025, 9, 1), ended_on=date(2026, 7, 31), today=TODAY)
    from tests.conftest import count_statements

    session.flush()
    with count_statements() as statements:
        current = services.current_activities(session, [person.id for person in people], TODAY)
    assert len(statements) <= 1
    assert {person_id: record.id for person_id, record in current.items()} == {people[0].id: later.id}


def test_the_database_and_the_page_choose_the_same_current_record(session, person):
    make_activity(session, person, "230", date(2025, 9, 1), verified=True, today=TODAY)
    make_activity(session, person, "330", date(2026, 9, 1), hours_per_week=37, verified=False, today=TODAY)
    make_activity(session, person, "240", date(2026, 10, 1), verified=True, today=TODAY)
    records = services.timeline(session, person.id)
    for on in (date(2025, 8, 31), date(2025, 9, 1), date(2026, 9, 15), date(2026, 10, 1), TODAY):
        chosen = services.current_activities(session, [person.id], on).get(person.id)
        assert chosen is services.pick_current(records, on) or chosen.id == services.pick_current(records, on).id


def test_updating_keeps_the_source_and_refuses_a_stale_version(session, person):
    record = make_activity(session, person, "230", date(2025, 9, 1), source="young_person", today=TODAY)
    changed = services.update_activity(session, record, {"level": "3", "source": "keyworker", "verified": True}, today=TODAY)
    assert sorted(changed) == ["level", "verified"] and record.source == "young_person" and record.version == 2
    with pytest.raises(StaleActivity):
        services.update_activity(session, record, {"level": "2"}, today=TODAY, version=1)


def test_updating_checks_the_record_as_a_whole(session, person):
    record = make_activity(session, person, "230", date(2025, 9, 1), today=TODAY)
    with pytest.raises(ActivityError) as caught:
        services.update_activity(session, record, {"activity_code": "330"}, today=TODAY)
    assert list(caught.value.errors) == ["hours_per_week"]
    with pytest.raises(ActivityError) as caught:
        services.update_activity(session, record, {"ended_on": date(2025, 1, 1)}, today=TODAY)
    assert caught.value.errors["ended_on"] == ["The end date must be the same as or after the start date (1 September 2025)"]


def test_choosing_a_directory_provider_replaces_a_typed_name(session, person):
    college = make_provider(session, kind="college")
    record = make_activity(session, person, "230", date(2025, 9, 1), provider_name="Some college", today=TODAY)
    services.update_activity(session, record, {"provider_id": college.id}, today=TODAY)
    assert (record.provider_id, record.provider_name) == (college.id, None)


def test_confirming_sets_the_day_and_verifies(session, person):
    record = make_activity(session, person, "230", date(2025, 9, 1), today=TODAY)
    services.confirm_activity(session, record, today=TODAY)
    assert (record.confirmed_on, record.verified) == (TODAY, True)


def test_an_ended_activity_cannot_be_confirmed_as_still_going_on(session, person):
    record = make_activity(session, person, "230", date(2025, 9, 1), ended_on=date(2026, 7, 31), today=TODAY)
    with pytest.raises(ActivityError) as caught:
        services.confirm_activity(session, record, today=TODAY)
    assert "ended on 31 July 2026" in caught.value.errors["confirmed_on"][0]


def follow_up(session, on=TODAY, **kwargs):
    return {row[0].id: row.reason for row in session.execute(services.follow_up_query(on, settings=RollSettings(), **kwargs))}


def test_the_follow_up_list_gives_each_reason(session):
    missing = make_person(session, date_of_birth=SIXTEEN)
    neet = make_person(session, date_of_birth=SIXTEEN)
    unknown = make_person(session, date_of_birth=SIXTEEN)
    stale = make_person(session, date_of_birth=SIXTEEN)
    fine = make_person(session, date_of_birth=SIXTEEN)
    confirmed = make_person(session, date_of_birth=SIXTEEN)
    make_activity(session, neet, "619", date(2026, 11, 1), today=TODAY)
    make_activity(session, unknown, "820", date(2026, 11, 1), today=TODAY)
    make_activity(session, stale, "230", date(2026, 8, 22), today=TODAY)  # 3 months and a day ago
    make_activity(session, fine, "230", date(2026, 8, 23), today=TODAY)  # exactly 3 months ago
    make_activity(session, confirmed, "230", date(2025, 9, 1), confirmed_on=date(2026, 10, 1), today=TODAY)
    assert follow_up(session) == {missing.id: "missing", neet.id: "neet", unknown.id: "not_known", stale.id: "not_confirmed"}
    assert follow_up(session, reason="neet") == {neet.id: "neet"}
    assert list(session.scalars(services.follow_up_query(TODAY, reason="missing"))) == [missing]


def test_the_follow_up_list_is_for_young_people_on_the_roll_aged_16_or_over(session):
    fifteen = make_person(session, date_of_birth=date(2010, 11, 24))  # 16 tomorrow
    sixteen_today = make_person(session, date_of_birth=date(2010, 11, 23))
    past_roll_end = make_person(session, date_of_birth=date(2005, 1, 1))  # 20 in January 2025
    left = make_person(session, date_of_birth=SIXTEEN)
    left.left_on, left.left_reason = date(2026, 10, 1), "moved_out_of_area"
    session.flush()
    assert follow_up(session) == {sixteen_today.id: "missing"}
    assert fifteen.id not in follow_up(session) and past_roll_end.id not in follow_up(session)


def test_the_follow_up_list_can_be_narrowed_to_a_caseload(session):
    keyworker = make_user(session, "keyworker")
    mine = make_person(session, date_of_birth=SIXTEEN, keyworker=keyworker)
    make_person(session, date_of_birth=SIXTEEN)
    assert follow_up(session, keyworker_id=keyworker.id) == {mine.id: "missing"}


def test_a_verified_record_decides_the_follow_up_reason_over_a_self_report(session, person):
    make_activity(session, person, "230", date(2026, 10, 1), verified=True, today=TODAY)
    make_activity(session, person, "619", date(2026, 11, 1), source="young_person", today=TODAY)
    assert follow_up(session) == {}


def follow_up_in_python(session, on, keyworker_id=None):
    """The follow-up list worked out person by person from loaded records, for comparison."""
    from destinations.activities import codes
    from destinations.people import roll
    from destinations.people.models import YoungPerson
    from destinations.people.services import roll_facts

    expected = []
    for person in session.scalars(select(YoungPerson)):
        if keyworker_id is not None and person.keyworker_id != keyworker_id:
            continue
        if roll.birthday(person.date_of_birth, 16) > on or roll_facts(person, on, RollSettings()).status not in ("active", "extended"):
            continue
        records = session.scalars(select(ActivityRecord).where(ActivityRecord.young_person_id == person.id))
        current = services.pick_current(records, on)
        if current is None:
            expected.append((person, "missing", None, None))
            continue
        last_confirmed = current.confirmed_on or current.started_on
        if current.activity_code in codes.codes_in("neet"):
            reason = "neet"
        elif current.activity_code in services.UNKNOWN_CODES:
            reason = "not_known"
        elif services.needs_confirming(current, on):
            reason = "not_confirmed"
        else:
            continue
        expected.append((person, reason, current.activity_code, last_confirmed))
    expected.sort(key=lambda row: (row[0].family_name, row[0].given_name, row[0].id))
    return [(person.id, reason, code, last) for person, reason, code, last in expected]


def test_the_follow_up_list_matches_working_it_out_person_by_person(session):
    keyworker = make_user(session, "keyworker")

    def person(family_name, **values):
        return make_person(session, date_of_birth=SIXTEEN, family_name=family_name, keyworker=keyworker, **values)

    person("Nothing")
    overlapping = person("Overlapping")  # two open verified records: the later start decides
    make_activity(session, overlapping, "230", date(2025, 9, 1), verified=True, confirmed_on=date(2026, 11, 1), today=TODAY)
    make_activity(session, overlapping, "619", date(2026, 10, 1), verified=True, confirmed_on=date(2026, 11, 1), today=TODAY)
    same_day = person("Sameday")  # same start, both unverified: the one recorded last decides
    make_activity(session, same_day, "230", date(2026, 10, 1), today=TODAY)
    make_activity(session, same_day, "619", date(2026, 10, 1), today=TODAY)
    neet = person("Neet")
    make_activity(session, neet, "540", date(2026, 6, 1), ended_on=date(2026, 9, 30), today=TODAY)
    make_activity(session, neet, "619", date(2026, 10, 1), today=TODAY)
    stale = person("Stale")  # confirmed once, more than 3 months ago
    make_activity(session, stale, "230", date(2025, 9, 1), confirmed_on=date(2026, 8, 1), today=TODAY)
    fine = person("Fine")  # confirmed lately; a NEET spell planned for next month changes nothing yet
    make_activity(session, fine, "230", date(2025, 9, 1), ended_on=date(2026, 12, 15), confirmed_on=date(2026, 11, 1), today=TODAY)
    make_activity(session, fine, "619", date(2026, 12, 16), today=TODAY)
    future = person("Future")  # only a record starting next month
    make_activity(session, future, "230", date(2026, 12, 1), today=TODAY)
    ended = person("Ended")  # the last record ended yesterday
    make_activity(session, ended, "230", date(2025, 9, 1), ended_on=date(2026, 11, 22), confirmed_on=date(2026, 11, 1), today=TODAY)
    unknown = person("Unknown")
    make_activity(session, unknown, "810", date(2026, 11, 1), today=TODAY)
    trusted = person("Trusted")  # a newer self-report of being NEET does not outrank a checked record
    make_activity(session, trusted, "230", date(2026, 9, 1), verified=True, confirmed_on=date(2026, 11, 20), today=TODAY)
    make_activity(session, trusted, "619", date(2026, 11, 1), source="young_person", today=TODAY)
    make_person(session, date_of_birth=date(2011, 1, 1), family_name="Young")  # under 16: not on the list
    elsewhere = make_person(session, date_of_birth=SIXTEEN, family_name="Elsewhere")  # another caseload
    make_activity(session, elsewhere, "619", date(2026, 10, 1), today=TODAY)

    def from_query(**kwargs):
        return [(row[0].id, row.reason, row.activity_code, row.last_confirmed) for row in session.execute(services.follow_up_query(TODAY, settings=RollSettings(), **kwargs))]

    expected = follow_up_in_python(session, TODAY)
    assert [reason for _, reason, _, _ in expected] == ["neet", "missing", "missing", "neet", "missing", "neet", "neet", "not_confirmed", "not_known"]
    assert from_query() == expected
    assert from_query(keyworker_id=keyworker.id) == follow_up_in_python(session, TODAY, keyworker.id)
    assert from_query(reason="neet") == [row for row in expected if row[1] == "neet"]
