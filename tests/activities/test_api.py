"""The destinations API: /api/v1/young-people/{id}/destinations."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from destinations.activities.models import ActivityRecord
from destinations.audit.models import AuditEvent
from tests.api.conftest import bearer, envelope
from tests.factories import make_activity, make_person, make_provider, make_user

TODAY = date.today()
SEVENTEEN = date(TODAY.year - 17, 3, 1)
READ_ONLY = {"id", "label", "group", "confirmed_on"}
API_FIELDS = {"activity_code", "started_on", "ended_on", "provider_id", "provider_name", "hours_per_week", "level", "source", "verified"}


@pytest.fixture
def keyworker(session):
    return make_user(session, "keyworker")


@pytest.fixture
def person(session, keyworker):
    return make_person(session, keyworker=keyworker, date_of_birth=SEVENTEEN)


@pytest.fixture
def headers(session, keyworker):
    return bearer(session, keyworker)


def url(person, activity=None) -> str:
    base = f"/api/v1/young-people/{person.id}/destinations"
    return base if activity is None else f"{base}/{activity.id if hasattr(activity, 'id') else activity}"


def test_posting_a_destination_answers_it_with_its_etag_and_location(client, session, person, headers):
    body = {"activity_code": "310", "started_on": (TODAY - timedelta(days=10)).isoformat(), "hours_per_week": 37.5, "provider_name": "Greenway Garden Centre", "level": "2", "verified": True}
    response = client.post(url(person), json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert set(out) == API_FIELDS | READ_ONLY
    assert (out["activity_code"], out["label"], out["group"], out["hours_per_week"], out["source"]) == ("310", "Apprenticeship", "employment", 37.5, "keyworker")
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(url(person, out["id"]))
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "create"))
    assert event.detail["part"] == "activity" and "Greenway" not in str(event.detail)


def test_bad_input_gets_422_with_the_error_envelope(client, person, headers):
    response = client.post(url(person), json={"activity_code": "999", "started_on": TODAY.isoformat(), "ended_on": (TODAY - timedelta(days=1)).isoformat()}, headers=headers)
    body = envelope(response, 422)
    assert body["errors"]["activity_code"][0].startswith("999 is not an activity code. Use one of: 110 (At school in the area)")
    assert body["errors"]["ended_on"] == [f"The end date must be the same as or after the start date ({TODAY.day} {TODAY.strftime('%B')} {TODAY.year})"]


def test_hours_are_required_for_employment_over_the_api(client, person, headers):
    body = envelope(client.post(url(person), json={"activity_code": "330", "started_on": TODAY.isoformat()}, headers=headers), 422)
    assert list(body["errors"]) == ["hours_per_week"]


def test_a_wrongly_typed_field_is_422_too(client, person, headers):
    body = envelope(client.post(url(person), json={"activity_code": "230", "started_on": "last week"}, headers=headers), 422)
    assert "started_on" in body["errors"]


def test_listing_gives_newest_first_and_the_current_one_on_request(client, session, person, headers):
    old = make_activity(session, person, "230", TODAY - timedelta(days=700), ended_on=TODAY - timedelta(days=400))
    new = make_activity(session, person, "240", TODAY - timedelta(days=100))
    listed = client.get(url(person), headers=headers).get_json()
    assert [item["id"] for item in listed] == [new.id, old.id]
    current = client.get(url(person) + f"?current_on={(TODAY - timedelta(days=500)).isoformat()}", headers=headers).get_json()
    assert [item["id"] for item in current] == [old.id]


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(client, session, person, headers):
    record = make_activity(session, person, "230", TODAY - timedelta(days=100))
    response = client.patch(url(person, record), json={"level": "3"}, headers={**headers, "If-Match": '"1"'})
    assert response.status_code == 200 and response.headers["ETag"] == '"2"'
    assert response.get_json()["level"] == "3"
    stale = client.patch(url(person, record), json={"level": "2"}, headers={**headers, "If-Match": '"1"'})
    envelope(stale, 412)
    session.refresh(record)
    assert record.level == "3"


def test_patch_refuses_a_change_of_source(client, session, person, headers):
    record = make_activity(session, person, "619", TODAY - timedelta(days=10), source="young_person")
    body = envelope(client.patch(url(person, record), json={"source": "keyworker", "verified": True}, headers=headers), 422)
    assert "source" in body["errors"]
    assert client.patch(url(person, record), json={"source": "young_person", "verified": True}, headers=headers).status_code == 200


def test_patch_can_swap_a_typed_provider_name_for_a_directory_provider(client, session, person, headers):
    college = make_provider(session, kind="college")
    record = make_activity(session, person, "230", TODAY - timedelta(days=10), provider_name="Typed college")
    out = client.patch(url(person, record), json={"provider_id": college.id}, headers=headers).get_json()
    assert (out["provider_id"], out["provider_name"]) == (college.id, None)


def test_delete_removes_a_mistaken_record(client, session, person, headers):
    record = make_activity(session, person, "230", TODAY - timedelta(days=10))
    record_id = record.id
    assert client.delete(url(person, record_id), headers={**headers, "If-Match": '"1"'}).status_code == 204
    assert session.get(ActivityRecord, record_id) is None
    envelope(client.get(url(person, record_id), headers=headers), 404)


def test_a_self_report_posted_as_verified_is_stored_unverified(client, session, person, headers):
    verified = make_activity(session, person, "230", TODAY - timedelta(days=100), verified=True)
    out = client.post(url(person), json={"activity_code": "619", "started_on": TODAY.isoformat(), "source": "young_person", "verified": True}, headers=headers).get_json()
    assert out["verified"] is False
    session.refresh(verified)
    assert verified.ended_on is None
    current = client.get(url(person) + f"?current_on={TODAY.isoformat()}", headers=headers).get_json()
    assert [item["id"] for item in current] == [verified.id]


def test_a_keyworker_gets_404_for_someone_off_their_caseload(client, session, person):
    other = bearer(session, make_user(session, "keyworker"))
    record = make_activity(session, person, "230", TODAY - timedelta(days=10))
    envelope(client.get(url(person), headers=other), 404)
    envelope(client.get(url(person, record), headers=other), 404)
    envelope(client.post(url(person), json={"activity_code": "230", "started_on": TODAY.isoformat()}, headers=other), 404)
    envelope(client.patch(url(person, record), json={"level": "2"}, headers=other), 404)
    envelope(client.delete(url(person, record), headers=other), 404)


def test_a_record_of_another_person_answers_404(client, session, keyworker, person, headers):
    someone_else = make_person(session, keyworker=keyworker, date_of_birth=SEVENTEEN)
    record = make_activity(session, someone_else, "230", TODAY - timedelta(days=10))
    envelope(client.get(url(person, record), headers=headers), 404)


def test_reading_is_audited(client, session, person, headers):
    record = make_activity(session, person, "230", TODAY - timedelta(days=10))
    client.get(url(person, record), headers=headers)
    client.get(url(person), headers=headers)
    details = [event.detail for event in session.scalars(select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.object_id == person.id))]
    assert details == [{"part": "activity", "activity_id": record.id}, {"part": "activities", "count": 1}]
