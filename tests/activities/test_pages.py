"""The activity pages: the record's section, adding, changing, ending, confirming and deleting."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from destinations.activities.models import ActivityRecord
from destinations.audit.models import AuditEvent
from destinations.people.roll import add_months
from tests.conftest import count_statements, csrf_from, post_form, sign_in
from tests.factories import make_activity, make_person, make_provider, make_user

TODAY = date.today()
SEVENTEEN = date(TODAY.year - 17, 3, 1)


def day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


@pytest.fixture
def keyworker(session):
    return make_user(session, "keyworker", name="Kim Keyworker")


@pytest.fixture
def person(session, keyworker):
    return make_person(session, keyworker=keyworker, date_of_birth=SEVENTEEN, given_name="Sam", family_name="Taylor")


def events(session, **where):
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(session.scalars(query))


def new_activity(**overrides) -> dict:
    data = {
        "activity_code": "230",
        "started_on": day(TODAY - timedelta(days=30)),
        "ended_on": ["", "", ""],
        "provider_id": "",
        "provider_name": "Ashby Vale College",
        "hours_per_week": "",
        "level": "2",
        "verified": "y",
        "end_current": "y",
    }
    data.update(overrides)
    return data


def test_the_record_shows_the_current_activity_and_the_timeline_with_badges(client, session, keyworker, person):
    make_activity(session, person, "230", TODAY - timedelta(days=400), source="import", verified=True, provider_name="Ashby Vale College")
    make_activity(session, person, "619", TODAY - timedelta(days=10), source="young_person")
    sign_in(client, keyworker)
    html = client.get(f"/young-people/{person.id}").get_data(as_text=True)
    assert "Destinations: what they are doing" in html
    current = html.split('id="activities"')[1].split("activity-timeline")[0]
    assert "230 Further education" in current and "Ashby Vale College" in current
    assert "Needs confirming" in current  # started over a year ago and never confirmed
    assert "Young person said" in html and "Imported" in html and "Not verified" in html and "Verified" in html
    assert "The young person told us 619 Seeking employment, education or training, but the verified record says 230" in html


def test_a_keyworker_adds_an_activity_and_it_is_audited(client, session, keyworker, person):
    sign_in(client, keyworker)
    response = post_form(client, f"/young-people/{person.id}/activities/new", new_activity())
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/young-people/{person.id}#activities")
    record = session.scalar(select(ActivityRecord).where(ActivityRecord.young_person_id == person.id))
    assert (record.activity_code, record.provider_name, record.level, record.source, record.verified, record.recorded_by_id) == (
        "230", "Ashby Vale College", "2", "keyworker", True, keyworker.id
    )
    [event] = events(session, action="create", object_id=person.id)
    assert event.detail["part"] == "activity" and event.detail["activity_id"] == record.id
    assert "Ashby" not in str(event.detail)  # field names only, never what was typed


def test_a_rejected_form_says_how_to_fix_it_and_keeps_what_was_typed(client, session, keyworker, person):
    sign_in(client, keyworker)
    response = post_form(
        client,
        f"/young-people/{person.id}/activities/new",
        new_activity(activity_code="330", ended_on=day(TODAY - timedelta(days=60)), provider_name="Greenway Garden Centre"),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "The end date must be the same as or after the start date" in html
    assert "Enter the hours a week for work" in html
    assert 'value="Greenway Garden Centre"' in html
    assert re.search(r'<option value="330" selected', html)
    assert session.scalar(select(ActivityRecord.id)) is None


def test_a_half_typed_date_is_reported_beside_the_other_problems(client, session, keyworker, person):
    sign_in(client, keyworker)
    response = post_form(client, f"/young-people/{person.id}/activities/new", new_activity(activity_code="", started_on=["1", "", "2026"]))
    html = response.get_data(as_text=True)
    assert "Start date must include a month" in html
    assert "Enter the activity code" in html


def test_a_keyworker_cannot_reach_activities_of_someone_off_their_caseload(client, session, person):
    other = make_user(session, "keyworker")
    record = make_activity(session, person, "230", TODAY - timedelta(days=30))
    sign_in(client, other)
    for url in (
        f"/young-people/{person.id}/activities/new",
        f"/young-people/{person.id}/activities/{record.id}/edit",
        f"/young-people/{person.id}/activities/{record.id}/end",
        f"/young-people/{person.id}/activities/{record.id}/delete",
    ):
        assert client.get(url).status_code == 404, url
    token = csrf_from(client.get("/young-people").get_data(as_text=True))
    for url in (f"/young-people/{person.id}/activities/{record.id}/confirm", f"/young-people/{person.id}/activities/{record.id}/delete"):
        assert client.post(url, data={"csrf_token": token, "version": "1"}).status_code == 404, url
    session.refresh(record)
    assert record.confirmed_on is None


def test_an_activity_of_another_young_person_answers_404(client, session, keyworker, person):
    someone_else = make_person(session, keyworker=keyworker, date_of_birth=SEVENTEEN)
    record = make_activity(session, someone_else, "230", TODAY - timedelta(days=30))
    sign_in(client, keyworker)
    assert client.get(f"/young-people/{person.id}/activities/{record.id}/edit").status_code == 404


def test_a_manager_may_change_anyones_activity(client, session, person):
    manager = make_user(session, "manager")
    record = make_activity(session, person, "230", TODAY - timedelta(days=30))
    sign_in(client, manager)
    response = post_form(client, f"/young-people/{person.id}/activities/{record.id}/edit", new_activity(activity_code="240", level="4", end_current=None))
    assert response.status_code == 302
    session.refresh(record)
    assert (record.activity_code, record.level, record.version) == ("240", "4", 2)
    [event] = events(session, action="update", object_id=person.id)
    assert set(event.detail["fields"]) >= {"activity_code", "level"}


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(client, session, keyworker, person):
    record = make_activity(session, person, "230", TODAY - timedelta(days=30))
    sign_in(client, keyworker)
    url = f"/young-people/{person.id}/activities/{record.id}/edit"
    page = client.get(url).get_data(as_text=True)
    record.level = "3"  # someone else saves first
    session.flush()
    data = {**new_activity(provider_name="Typed Before The Clash"), "version": "1", "csrf_token": csrf_from(page)}
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this activity while you were editing" in html
    assert 'value="Typed Before The Clash"' in html
    session.refresh(record)
    assert record.provider_name is None and record.level == "3"
    again = client.post(url, data={**data, "version": str(record.version)})
    assert again.status_code == 302


def test_ending_an_activity(client, session, keyworker, person):
    record = make_activity(session, person, "230", TODAY - timedelta(days=300))
    sign_in(client, keyworker)
    response = post_form(client, f"/young-people/{person.id}/activities/{record.id}/end", {"ended_on": day(TODAY - timedelta(days=1))})
    assert response.status_code == 302
    session.refresh(record)
    assert record.ended_on == TODAY - timedelta(days=1)
    bad = post_form(client, f"/young-people/{person.id}/activities/{record.id}/end", {"ended_on": day(TODAY - timedelta(days=400))})
    assert "The end date must be the same as or after the start date" in bad.get_data(as_text=True)


def test_confirm_still_doing_this_sets_the_day_and_takes_them_off_the_follow_up_list(client, session, keyworker, person):
    record = make_activity(session, person, "230", add_months(TODAY, -6))
    sign_in(client, keyworker)
    assert "Sam" in client.get("/destinations/follow-up").get_data(as_text=True)
    page = client.get(f"/young-people/{person.id}").get_data(as_text=True)
    response = client.post(
        f"/young-people/{person.id}/activities/{record.id}/confirm", data={"csrf_token": csrf_from(page), "version": str(record.version)}
    )
    assert response.status_code == 302
    session.refresh(record)
    assert (record.confirmed_on, record.verified) == (TODAY, True)
    assert "Nobody needs following up" in client.get("/destinations/follow-up").get_data(as_text=True)
    assert events(session, action="update", object_id=person.id)[-1].detail["fields"] == ["confirmed_on", "verified"]


def test_confirming_a_record_someone_changed_meanwhile_is_refused(client, session, keyworker, person):
    record = make_activity(session, person, "230", add_months(TODAY, -6))
    sign_in(client, keyworker)
    page = client.get(f"/young-people/{person.id}").get_data(as_text=True)
    record.level = "2"
    session.flush()
    response = client.post(
        f"/young-people/{person.id}/activities/{record.id}/confirm", data={"csrf_token": csrf_from(page), "version": "1"}, follow_redirects=True
    )
    assert "Someone else changed this activity after you opened it" in response.get_data(as_text=True)
    session.refresh(record)
    assert record.confirmed_on is None


def test_deleting_a_mistaken_activity(client, session, keyworker, person):
    record = make_activity(session, person, "230", TODAY - timedelta(days=30))
    record_id = record.id
    sign_in(client, keyworker)
    response = post_form(client, f"/young-people/{person.id}/activities/{record_id}/delete", {})
    assert response.status_code == 302
    assert session.get(ActivityRecord, record_id) is None
    assert events(session, action="update", object_id=person.id)[-1].detail == {"part": "activity", "activity_id": record_id, "deleted": True}


def test_viewing_an_activity_to_change_it_is_audited(client, session, keyworker, person):
    record = make_activity(session, person, "230", TODAY - timedelta(days=30))
    sign_in(client, keyworker)
    client.get(f"/young-people/{person.id}/activities/{record.id}/edit")
    assert events(session, action="view", object_id=person.id)[-1].detail == {"part": "activity", "activity_id": record.id}


def test_the_provider_list_offers_the_directory(client, session, keyworker, person):
    college = make_provider(session, name="Ashby Vale College", kind="college", ukprn="10000001")
    sign_in(client, keyworker)
    response = post_form(client, f"/young-people/{person.id}/activities/new", new_activity(provider_id=str(college.id), provider_name=""))
    assert response.status_code == 302
    assert session.scalar(select(ActivityRecord.provider_id)) == college.id


# --- caseload and worklists -------------------------------------------------------------------

def test_the_caseload_shows_each_current_activity(client, session, keyworker, person):
    make_activity(session, person, "310", TODAY - timedelta(days=30), hours_per_week=30)
    make_person(session, keyworker=keyworker, date_of_birth=SEVENTEEN, family_name="Zed")
    sign_in(client, keyworker)
    html = client.get("/young-people").get_data(as_text=True)
    assert "Current activity" in html and "310 Apprenticeship" in html and "None recorded" in html


def test_the_caseload_query_count_stays_flat_with_activities(client, session, keyworker):
    def statements() -> int:
        client.get("/young-people")
        with count_statements() as seen:
            assert client.get("/young-people").status_code == 200
        return len(seen)

    for _ in range(3):
        make_activity(session, make_person(session, keyworker=keyworker, date_of_birth=SEVENTEEN), "230", TODAY - timedelta(days=30))
    sign_in(client, keyworker)
    few = statements()
    for _ in range(20):
        make_activity(session, make_person(session, keyworker=keyworker, date_of_birth=SEVENTEEN), "230", TODAY - timedelta(days=30))
    assert statements() == few


def test_the_keyworker_worklist_shows_only_their_caseload_with_the_reason(client, session, keyworker, person):
    someone_elses = make_person(session, date_of_birth=SEVENTEEN, family_name="Elsewhere")
    make_activity(session, person, "619", TODAY - timedelta(days=5))
    sign_in(client, keyworker)
    html = client.get("/destinations/follow-up").get_data(as_text=True)
    assert "Taylor, Sam" in html and "Not in education, employment or training" in html
    assert "Elsewhere" not in html
    assert events(session, action="list")[-1].detail["part"] == "destinations_follow_up"
    assert someone_elses.id


def test_the_manager_worklist_filters_by_keyworker_and_reason_and_pages(client, session, keyworker, person):
    manager = make_user(session, "manager")
    other = make_user(session, "keyworker", name="Olu Other")
    for n in range(55):
        make_person(session, keyworker=other, date_of_birth=SEVENTEEN, family_name=f"Missing{n:02d}")
    make_activity(session, person, "619", TODAY - timedelta(days=5))
    sign_in(client, manager)
    html = client.get("/destinations/follow-up").get_data(as_text=True)
    assert "Showing 1 to 50 of 56 young people" in html and "Olu Other" in html
    assert "Showing 51 to 56 of 56" in client.get("/destinations/follow-up?page=2").get_data(as_text=True)
    only_neet = client.get("/destinations/follow-up?reason=neet").get_data(as_text=True)
    assert "Taylor, Sam" in only_neet and "Missing00" not in only_neet
    only_kim = client.get(f"/destinations/follow-up?keyworker={keyworker.id}").get_data(as_text=True)
    assert "Showing 1 to 1 of 1 young person" in only_kim


def test_the_keyworker_filter_is_ignored_for_keyworkers(client, session, keyworker, person):
    other = make_user(session, "keyworker")
    make_person(session, keyworker=other, date_of_birth=SEVENTEEN, family_name="Elsewhere")
    sign_in(client, keyworker)
    assert "Elsewhere" not in client.get(f"/destinations/follow-up?keyworker={other.id}").get_data(as_text=True)


def test_navigation_offers_the_worklist(client, session, keyworker):
    sign_in(client, keyworker)
    assert "Destinations to follow up" in client.get("/young-people").get_data(as_text=True)
