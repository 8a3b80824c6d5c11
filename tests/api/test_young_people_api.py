"""The young people API: listing and filters, who sees whom, changes, history and tokens."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.auth import services as auth_services
from destinations.imports.models import DetailChange
from destinations.people import roll
from destinations.people.models import YoungPerson
from destinations.people.upn import make_upn
from tests.api.conftest import bearer, envelope
from tests.conftest import sign_in
from tests.factories import make_person, make_provider, make_user

URL = "/api/v1/young-people"
COMPUTED = ("year_group", "roll_start", "age_of_transition_date", "roll_end", "status", "next_transition_point", "next_review_due")


def born_in_year_group(year_group: int, today: date | None = None) -> date:
    """A date of birth (15 October) that puts someone in ``year_group`` today."""
    cohort = roll.academic_year_of(today or date.today()) - year_group - 5
    return date(cohort, 10, 15)


def years_and_months_ago(years: int, months: int) -> date:
    return roll.add_months(date.today(), -(12 * years + months))


def new_person_body(**overrides) -> dict:
    body = {
        "upn": make_upn(938, 4321, 10, 7),
        "given_name": "Robin",
        "family_name": "Ashdown",
        "date_of_birth": born_in_year_group(10).isoformat(),
        "sen_provision": "E",
        "primary_need": "ASD",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return {item["id"] for item in response.get_json()}


@pytest.fixture
def manager(api_user):
    return api_user("manager")


# --- listing, pagination and filters -----------------------------------------------------

def test_the_list_is_paginated_with_an_x_pagination_header(client, session, manager):
    _user, headers = manager
    people = [make_person(session, family_name=f"Paged{letter}") for letter in "ABC"]
    first = client.get(f"{URL}?page=1&page_size=2", headers=headers)
    second = client.get(f"{URL}?page=2&page_size=2", headers=headers)
    assert [item["family_name"] for item in first.get_json()] == ["PagedA", "PagedB"]
    assert [item["id"] for item in second.get_json()] == [people[2].id]
    pagination = json.loads(first.headers["X-Pagination"])
    assert pagination["total"] == 3
    assert pagination["total_pages"] == 2
    assert pagination["page"] == 1
    assert pagination["next_page"] == 2
    assert json.loads(second.headers["X-Pagination"])["page"] == 2


def test_a_page_size_over_the_maximum_is_refused_with_the_envelope(client, manager):
    _user, headers = manager
    body = envelope(client.get(f"{URL}?page_size=100000", headers=headers), 422)
    assert "page_size" in body["errors"]


@pytest.mark.parametrize("collection", [URL, "/api/v1/users", "/api/v1/providers"])
def test_a_page_past_the_end_is_empty(client, session, manager, collection):
    _user, headers = manager
    make_person(session)
    make_provider(session)
    response = client.get(f"{collection}?page=50", headers=headers)
    assert response.status_code == 200
    assert response.get_json() == []
    assert json.loads(response.headers["X-Pagination"])["total"] >= 1


@pytest.mark.parametrize("collection", [URL, "/api/v1/users", "/api/v1/providers"])
def test_a_page_number_too_large_for_the_database_is_answered_not_a_server_error(client, session, manager, collection):
    _user, headers = manager
    make_person(session)
    response = client.get(f"{collection}?page={10**20}", headers=headers)
    if response.status_code == 200:
        assert response.get_json() == []
    else:
        assert "page" in envelope(response, 422)["errors"]


def test_the_openapi_document_describes_x_pagination_as_the_text_it_is(client):
    """A header with an object schema is read as comma-separated pairs; X-Pagination is JSON text."""
    document = client.get("/api/v1/openapi.json").get_json()
    header = document["components"]["headers"]["PAGINATION"]
    if "schema" in header:
        assert header["schema"].get("type") == "string", header
    else:
        assert "application/json" in header["content"], header


@pytest.mark.parametrize("suffix", ["", "/pathway-changes", "/extensions", "/keyworker-assignments"])
def test_an_id_too_large_for_the_database_is_a_404_not_a_server_error(client, manager, suffix):
    _user, headers = manager
    envelope(client.get(f"{URL}/{2**64}{suffix}", headers=headers), 404)


def test_the_year_group_filter_keeps_only_that_year_group(client, session, manager):
    _user, headers = manager
    year10 = make_person(session, date_of_birth=born_in_year_group(10))
    year12 = make_person(session, date_of_birth=born_in_year_group(12))
    assert ids(client.get(f"{URL}?year_group=10", headers=headers)) == {year10.id}
    assert ids(client.get(f"{URL}?year_group=12", headers=headers)) == {year12.id}
    assert ids(client.get(f"{URL}?year_group=11", headers=headers)) == set()


def test_the_year_group_filter_follows_the_1_september_boundary(client, session, manager):
    _user, headers = manager
    cohort = roll.academic_year_of(date.today()) - 10 - 5
    first_of_year = make_person(session, date_of_birth=date(cohort, 9, 1))
    last_of_year = make_person(session, date_of_birth=date(cohort + 1, 8, 31))
    make_person(session, date_of_birth=date(cohort, 8, 31))  # the year above
    make_person(session, date_of_birth=date(cohort + 1, 9, 1))  # the year below
    assert ids(client.get(f"{URL}?year_group=10", headers=headers)) == {first_of_year.id, last_of_year.id}


def test_the_pathway_filter_matches_a_number_or_none_for_not_yet_decided(client, session, manager):
    _user, headers = manager
    pathway1 = make_person(session, pathway=1)
    pathway2 = make_person(session, pathway=2)
    undecided = make_person(session, pathway=None)
    assert ids(client.get(f"{URL}?pathway=1", headers=headers)) == {pathway1.id}
    assert ids(client.get(f"{URL}?pathway=2", headers=headers)) == {pathway2.id}
    assert ids(client.get(f"{URL}?pathway=3", headers=headers)) == set()
    assert ids(client.get(f"{URL}?pathway=none", headers=headers)) == {undecided.id}


def test_an_unknown_pathway_filter_is_a_422_naming_the_field(client, manager):
    _user, headers = manager
    body = envelope(client.get(f"{URL}?pathway=4", headers=headers), 422)
    assert "pathway" in body["errors"]


def test_the_status_filter_matches_the_computed_status(client, session, manager):
    _user, headers = manager
    today = date.today()
    upcoming = make_person(session, date_of_birth=born_in_year_group(7))
    active = make_person(session, date_of_birth=born_in_year_group(10))
    aged_out = make_person(session, date_of_birth=years_and_months_ago(21, 0))
    left_early = make_person(session, date_of_birth=born_in_year_group(11))
    left_early.left_on, left_early.left_reason = today - timedelta(days=1), "moved_out_of_area"
    extended = make_person(session, date_of_birth=years_and_months_ago(20, 4))
    session.flush()
    response = client.post(
        f"{URL}/{extended.id}/extensions",
        json={"new_end": (today + timedelta(days=180)).isoformat(), "reason": "Finishing college course", "review_on": (today + timedelta(days=90)).isoformat()},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    expected = {"upcoming": {upcoming.id}, "active": {active.id}, "extended": {extended.id}, "left": {aged_out.id, left_early.id}}
    for status, people in expected.items():
        assert ids(client.get(f"{URL}?status={status}", headers=headers)) == people, status
        for person_id in people:
            assert client.get(f"{URL}/{person_id}", headers=headers).get_json()["status"] == status


def test_the_next_transition_point_filter_agrees_with_the_computed_point(client, session, manager):
    _user, headers = manager
    today = date.today()
    people = [make_person(session, date_of_birth=born_in_year_group(year)) for year in (7, 9, 10, 11, 12, 13, 14)]
    people.append(make_person(session, date_of_birth=years_and_months_ago(19, 6)))
    expected: dict[str, set[int]] = {}
    for person in people:
        point = roll.next_transition_point(person.date_of_birth, today)
        if point is not None:
            expected.setdefault(point.key, set()).add(person.id)
    assert len(expected) >= 3  # the data really spreads over several points
    for key in ("year9", "end_of_year11", "end_of_year13", "age_of_transition", "roll_end"):
        assert ids(client.get(f"{URL}?next_transition_point={key}", headers=headers)) == expected.get(key, set()), key
    for item in client.get(f"{URL}?page_size=200", headers=headers).get_json():
        point = roll.next_transition_point(date.fromisoformat(item["date_of_birth"]), today)
        assert item["next_transition_point"] == {"key": point.key, "name": point.name, "date": point.date.isoformat()}


def test_the_keyworker_filter_keeps_only_their_caseload(client, session, manager):
    _user, headers = manager
    first, second = make_user(session, "keyworker"), make_user(session, "keyworker")
    mine = make_person(session, keyworker=first)
    make_person(session, keyworker=second)
    make_person(session)
    assert ids(client.get(f"{URL}?keyworker_id={first.id}", headers=headers)) == {mine.id}


def test_the_search_matches_part_of_a_name_in_any_case_or_a_whole_upn(client, session, manager):
    _user, headers = manager
    upn = make_upn(938, 5555, 11, 42)
    fenwick = make_person(session, family_name="Fenwick", given_name="Sam")
    by_upn = make_person(session, family_name="Other", upn=upn)
    make_person(session, family_name="Hartley", given_name="Jo")
    assert ids(client.get(f"{URL}?q=fenw", headers=headers)) == {fenwick.id}
    assert ids(client.get(f"{URL}?q=SAM", headers=headers)) == {fenwick.id}
    assert ids(client.get(f"{URL}?q={upn.lower()}", headers=headers)) == {by_upn.id}
    assert ids(client.get(f"{URL}?q={upn[:6]}", headers=headers)) == set()
    assert ids(client.get(f"{URL}?q=nobody", headers=headers)) == set()


def test_filters_combine(client, session, manager):
    _user, headers = manager
    keyworker = make_user(session, "keyworker")
    match = make_person(session, keyworker=keyworker, pathway=2, date_of_birth=born_in_year_group(10))
    make_person(session, keyworker=keyworker, pathway=1, date_of_birth=born_in_year_group(10))
    make_person(session, keyworker=keyworker, pathway=2, date_of_birth=born_in_year_group(11))
    assert ids(client.get(f"{URL}?keyworker_id={keyworker.id}&pathway=2&year_group=10", headers=headers)) == {match.id}


# --- who sees whom -----------------------------------------------------------------------

def test_a_keyworker_lists_only_their_own_caseload(client, session, api_user):
    keyworker, headers = api_user("keyworker")
    mine = make_person(session, keyworker=keyworker)
    make_person(session, keyworker=make_user(session, "keyworker"))
    make_person(session)
    assert ids(client.get(URL, headers=headers)) == {mine.id}
    assert ids(client.get(f"{URL}?page_size=200&status=active", headers=headers)) == {mine.id}


def test_a_keyworker_cannot_widen_their_view_with_filters(client, session, api_user):
    keyworker, headers = api_user("keyworker")
    other = make_user(session, "keyworker")
    theirs = make_person(session, keyworker=other, family_name="Elsewhere")
    assert ids(client.get(f"{URL}?keyworker_id={other.id}", headers=headers)) == set()
    assert ids(client.get(f"{URL}?q=elsewhere", headers=headers)) == set()
    assert ids(client.get(f"{URL}?q={theirs.upn}", headers=headers)) == set()


@pytest.mark.parametrize("suffix", ["", "/pathway-changes", "/extensions", "/keyworker-assignments"])
def test_a_keyworker_gets_404_for_someone_elses_record_and_its_history(client, session, api_user, suffix):
    _keyworker, headers = api_user("keyworker")
    other = make_person(session, keyworker=make_user(session, "keyworker"))
    body = envelope(client.get(f"{URL}/{other.id}{suffix}", headers=headers), 404)
    assert body["errors"] == {}


def test_a_keyworker_gets_the_same_404_for_a_record_that_does_not_exist(client, session, api_user):
    _keyworker, headers = api_user("keyworker")
    other = make_person(session)
    hidden = envelope(client.get(f"{URL}/{other.id}", headers=headers), 404)
    missing = envelope(client.get(f"{URL}/{other.id + 100000}", headers=headers), 404)
    assert hidden == missing


def test_a_keyworker_opens_a_record_on_their_caseload(client, session, api_user):
    keyworker, headers = api_user("keyworker")
    mine = make_person(session, keyworker=keyworker)
    response = client.get(f"{URL}/{mine.id}", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["keyworker_id"] == keyworker.id


@pytest.mark.parametrize("role", ["college", "admin"])
def test_college_and_admin_tokens_are_refused_the_roll(client, session, api_user, role):
    _user, headers = api_user(role)
    person = make_person(session)
    envelope(client.get(URL, headers=headers), 403)
    envelope(client.get(f"{URL}/{person.id}", headers=headers), 403)


def test_a_keyworker_cannot_add_or_change_young_people(client, session, api_user):
    keyworker, headers = api_user("keyworker")
    mine = make_person(session, keyworker=keyworker)
    envelope(client.post(URL, json=new_person_body(), headers=headers), 403)
    envelope(client.patch(f"{URL}/{mine.id}", json={"given_name": "Changed"}, headers=headers), 403)
    envelope(client.post(f"{URL}/{mine.id}/pathway-changes", json={"pathway": 1, "reason": "x"}, headers=headers), 403)
    assert session.scalar(select(YoungPerson.given_name).where(YoungPerson.id == mine.id)) != "Changed"
    assert session.scalar(select(YoungPerson.id).where(YoungPerson.family_name == "Ashdown")) is None


# --- creating ----------------------------------------------------------------------------

def test_a_manager_adds_a_young_person_and_gets_the_computed_roll(client, session, manager):
    _user, headers = manager
    keyworker = make_user(session, "keyworker")
    dob = born_in_year_group(10)
    response = client.post(URL, json=new_person_body(date_of_birth=dob.isoformat(), keyworker_id=keyworker.id, pathway=2), headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    today = date.today()
    point = roll.next_transition_point(dob, today)
    assert body["upn"] == make_upn(938, 4321, 10, 7)
    assert body["keyworker_id"] == keyworker.id
    assert body["pathway"] == 2
    assert body["year_group"] == 10
    assert body["roll_start"] == roll.roll_start(dob).isoformat()
    assert body["age_of_transition_date"] == roll.age_of_transition_date(dob).isoformat()
    assert body["roll_end"] == roll.roll_end(dob).isoformat()
    assert body["status"] == "active"
    assert body["next_transition_point"] == {"key": point.key, "name": point.name, "date": point.date.isoformat()}
    assert body["next_review_due"] == roll.next_review_due(dob, today, 2, None).isoformat()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert session.get(YoungPerson, body["id"]).family_name == "Ashdown"


def test_a_young_person_whose_roll_has_ended_can_be_recorded_and_has_left(client, manager):
    _user, headers = manager
    response = client.post(URL, json=new_person_body(date_of_birth=years_and_months_ago(22, 3).isoformat()), headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "left"
    assert response.get_json()["next_review_due"] is None


def test_a_young_person_with_a_council_id_and_no_upn_can_be_added(client, manager):
    _user, headers = manager
    response = client.post(URL, json=new_person_body(upn=None, council_person_id="NS-000123"), headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["upn"] is None


def test_a_upn_with_the_wrong_check_letter_is_a_422_on_the_upn_field(client, manager):
    _user, headers = manager
    good = make_upn(938, 4321, 10, 7)
    wrong_letter = next(letter for letter in "ABCDEFGH" if letter != good[0]) + good[1:]
    body = envelope(client.post(URL, json=new_person_body(upn=wrong_letter), headers=headers), 422)
    assert list(body["errors"]) == ["upn"]
    assert body["errors"]["upn"][0]


def test_missing_fields_are_each_named_in_the_422(client, manager):
    _user, headers = manager
    body = envelope(client.post(URL, json={}, headers=headers), 422)
    assert {"given_name", "family_name", "date_of_birth", "sen_provision", "primary_need"} <= set(body["errors"])


def test_a_young_person_needs_a_upn_or_a_council_id(client, manager):
    _user, headers = manager
    body = envelope(client.post(URL, json=new_person_body(upn=...), headers=headers), 422)
    assert "upn" in body["errors"]


def test_an_unknown_primary_need_is_a_422(client, manager):
    _user, headers = manager
    body = envelope(client.post(URL, json=new_person_body(primary_need="XYZ"), headers=headers), 422)
    assert list(body["errors"]) == ["primary_need"]


def test_a_date_of_birth_in_the_future_is_a_422(client, manager):
    _user, headers = manager
    tomorrow = date.today() + timedelta(days=1)
    body = envelope(client.post(URL, json=new_person_body(date_of_birth=tomorrow.isoformat()), headers=headers), 422)
    assert list(body["errors"]) == ["date_of_birth"]


def test_a_duplicate_upn_is_a_422(client, session, manager):
    _user, headers = manager
    existing = make_person(session)
    body = envelope(client.post(URL, json=new_person_body(upn=existing.upn), headers=headers), 422)
    assert list(body["errors"]) == ["upn"]


def test_unknown_api_paths_and_methods_answer_with_the_envelope(client, session, manager):
    _user, headers = manager
    person = make_person(session)
    envelope(client.get("/api/v1/no-such-thing", headers=headers), 404)
    envelope(client.delete(f"{URL}/{person.id}", headers=headers), 405)
    envelope(client.put(URL, json={}, headers=headers), 405)


def test_a_body_that_is_not_json_is_refused_without_a_server_error(client, manager):
    _user, headers = manager
    response = client.post(URL, data="not json", headers={**headers, "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    envelope(response, response.status_code)


# --- changing ----------------------------------------------------------------------------

def test_patch_assigns_an_active_keyworker(client, session, manager):
    _user, headers = manager
    person = make_person(session)
    keyworker = make_user(session, "keyworker")
    response = client.patch(f"{URL}/{person.id}", json={"keyworker_id": keyworker.id}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["keyworker_id"] == keyworker.id


@pytest.mark.parametrize("who", ["manager", "inactive keyworker", "nobody"])
def test_patch_refuses_a_keyworker_id_that_is_not_an_active_keyworker(client, session, manager, who):
    _user, headers = manager
    person = make_person(session)
    keyworker_id = {
        "manager": lambda: make_user(session, "manager").id,
        "inactive keyworker": lambda: make_user(session, "keyworker", active=False).id,
        "nobody": lambda: 999999,
    }[who]()
    body = envelope(client.patch(f"{URL}/{person.id}", json={"keyworker_id": keyworker_id}, headers=headers), 422)
    assert list(body["errors"]) == ["keyworker_id"]
    assert session.get(YoungPerson, person.id).keyworker_id is None


def test_patch_changing_the_pathway_needs_a_reason(client, session, manager):
    _user, headers = manager
    person = make_person(session, pathway=1)
    body = envelope(client.patch(f"{URL}/{person.id}", json={"pathway": 2}, headers=headers), 422)
    assert "pathway_reason" in body["errors"]
    assert session.get(YoungPerson, person.id).pathway == 1
    response = client.patch(f"{URL}/{person.id}", json={"pathway": 2, "pathway_reason": "Agreed at review"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["pathway"] == 2


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(client, session, manager):
    _user, headers = manager
    person = make_person(session)
    etag = client.get(f"{URL}/{person.id}", headers=headers).headers["ETag"]
    first = client.patch(f"{URL}/{person.id}", json={"given_name": "First"}, headers={**headers, "If-Match": etag})
    assert first.status_code == 200
    new_etag = first.headers["ETag"]
    assert new_etag != etag
    envelope(client.patch(f"{URL}/{person.id}", json={"given_name": "Second"}, headers={**headers, "If-Match": etag}), 412)
    assert session.get(YoungPerson, person.id).given_name == "First"
    third = client.patch(f"{URL}/{person.id}", json={"given_name": "Third"}, headers={**headers, "If-Match": new_etag})
    assert third.status_code == 200
    assert third.get_json()["given_name"] == "Third"
    assert third.headers["ETag"] not in (etag, new_etag)


def test_patch_keeps_each_changed_detail_as_history(client, session, manager):
    user, headers = manager
    person = make_person(session, given_name="Before")
    response = client.patch(f"{URL}/{person.id}", json={"given_name": "After", "primary_need": "ASD"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    history = session.execute(
        select(DetailChange.field, DetailChange.old_value, DetailChange.new_value, DetailChange.source, DetailChange.changed_by_id)
        .where(DetailChange.young_person_id == person.id)
    ).all()
    assert history == [("given_name", "Before", "After", "edit", user.id)]


def test_patch_validates_details_like_create(client, session, manager):
    _user, headers = manager
    person = make_person(session)
    version = person.version
    future = (date.today() + timedelta(days=3)).isoformat()
    assert list(envelope(client.patch(f"{URL}/{person.id}", json={"date_of_birth": future}, headers=headers), 422)["errors"]) == ["date_of_birth"]
    assert list(envelope(client.patch(f"{URL}/{person.id}", json={"primary_need": "XYZ"}, headers=headers), 422)["errors"]) == ["primary_need"]
    assert list(envelope(client.patch(f"{URL}/{person.id}", json={"given_name": "  "}, headers=headers), 422)["errors"]) == ["given_name"]
    assert session.get(YoungPerson, person.id).version == version


def test_patch_cannot_remove_the_only_identifier(client, session, manager):
    _user, headers = manager
    person = make_person(session)
    body = envelope(client.patch(f"{URL}/{person.id}", json={"upn": None}, headers=headers), 422)
    assert "upn" in body["errors"]
    assert session.get(YoungPerson, person.id).upn is not None


def test_patch_may_swap_the_upn_for_a_council_id(client, session, manager):
    _user, headers = manager
    person = make_person(session)
    response = client.patch(f"{URL}/{person.id}", json={"upn": None, "council_person_id": "NS-42"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["upn"], response.get_json()["council_person_id"]) == (None, "NS-42")


# --- history sub-resources ---------------------------------------------------------------

def test_pathway_changes_are_recorded_with_reasons_oldest_first(client, session, manager):
    user, headers = manager
    person = make_person(session)
    first = client.post(f"{URL}/{person.id}/pathway-changes", json={"pathway": 2, "reason": "Initial decision"}, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["pathway"] == 2
    assert first.get_json()["from_pathway"] is None
    second = client.post(f"{URL}/{person.id}/pathway-changes", json={"pathway": None, "reason": "Reopened"}, headers=headers)
    assert second.status_code == 201, second.get_json()
    history = client.get(f"{URL}/{person.id}/pathway-changes", headers=headers).get_json()
    assert [(item["from_pathway"], item["pathway"], item["reason"]) for item in history] == [(None, 2, "Initial decision"), (2, None, "Reopened")]
    assert {item["changed_by_id"] for item in history} == {user.id}
    assert client.get(f"{URL}/{person.id}", headers=headers).get_json()["pathway"] is None


def test_a_pathway_change_without_a_reason_or_to_the_same_pathway_is_a_422(client, session, manager):
    _user, headers = manager
    person = make_person(session, pathway=1)
    assert "reason" in envelope(client.post(f"{URL}/{person.id}/pathway-changes", json={"pathway": 2}, headers=headers), 422)["errors"]
    assert "pathway" in envelope(client.post(f"{URL}/{person.id}/pathway-changes", json={"pathway": 1, "reason": "Again"}, headers=headers), 422)["errors"]


def test_an_extension_past_the_25th_birthday_is_refused_with_a_message(client, session, manager):
    _user, headers = manager
    dob = years_and_months_ago(20, 4)
    person = make_person(session, date_of_birth=dob)
    too_late = roll.birthday(dob, 25) + timedelta(days=1)
    body = envelope(
        client.post(f"{URL}/{person.id}/extensions", json={"new_end": too_late.isoformat(), "reason": "Course", "review_on": date.today().isoformat()}, headers=headers),
        422,
    )
    assert "25th birthday" in body["errors"]["new_end"][0]
    assert client.get(f"{URL}/{person.id}/extensions", headers=headers).get_json() == []


def test_an_extension_after_the_base_roll_end_makes_the_status_extended(client, session, manager):
    _user, headers = manager
    today = date.today()
    dob = years_and_months_ago(20, 4)
    person = make_person(session, date_of_birth=dob)
    assert client.get(f"{URL}/{person.id}", headers=headers).get_json()["status"] == "left"
    new_end = today + timedelta(days=200)
    response = client.post(
        f"{URL}/{person.id}/extensions",
        json={"new_end": new_end.isoformat(), "reason": "Finishing supported internship", "review_on": (today + timedelta(days=100)).isoformat()},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["previous_end"] == roll.base_roll_end(dob).isoformat()
    record = client.get(f"{URL}/{person.id}", headers=headers).get_json()
    assert record["status"] == "extended"
    assert record["roll_end"] == new_end.isoformat()
    assert [item["new_end"] for item in client.get(f"{URL}/{person.id}/extensions", headers=headers).get_json()] == [new_end.isoformat()]


def test_keyworker_assignments_are_kept_as_history(client, session, manager):
    user, headers = manager
    first, second = make_user(session, "keyworker"), make_user(session, "keyworker")
    created = client.post(URL, json=new_person_body(keyworker_id=first.id), headers=headers).get_json()
    assert client.patch(f"{URL}/{created['id']}", json={"keyworker_id": second.id}, headers=headers).status_code == 200
    assert client.patch(f"{URL}/{created['id']}", json={"keyworker_id": None}, headers=headers).status_code == 200
    history = client.get(f"{URL}/{created['id']}/keyworker-assignments", headers=headers).get_json()
    assert [item["keyworker_id"] for item in history] == [first.id, second.id, None]
    assert {item["assigned_by_id"] for item in history} == {user.id}


def test_recording_leaving_makes_the_status_left(client, session, manager):
    _user, headers = manager
    person = make_person(session)
    today = date.today()
    response = client.post(f"{URL}/{person.id}/leaving", json={"left_on": today.isoformat(), "reason": "moved_out_of_area"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "left"
    assert response.get_json()["left_on"] == today.isoformat()
    assert response.get_json()["left_reason"] == "moved_out_of_area"
    again = envelope(client.post(f"{URL}/{person.id}/leaving", json={"left_on": today.isoformat(), "reason": "other"}, headers=headers), 422)
    assert "left_on" in again["errors"]


def test_leaving_in_the_future_or_for_an_unknown_reason_is_a_422(client, session, manager):
    _user, headers = manager
    person = make_person(session)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert "left_on" in envelope(client.post(f"{URL}/{person.id}/leaving", json={"left_on": tomorrow, "reason": "other"}, headers=headers), 422)["errors"]
    assert "reason" in envelope(client.post(f"{URL}/{person.id}/leaving", json={"left_on": date.today().isoformat(), "reason": "bored"}, headers=headers), 422)["errors"]


# --- audit -------------------------------------------------------------------------------

def test_viewing_a_record_is_audited_without_personal_values(client, session, manager):
    user, headers = manager
    person = make_person(session, given_name="Morwenna", family_name="Trelawney")
    assert client.get(f"{URL}/{person.id}", headers=headers).status_code == 200
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.object_type == "young_person", AuditEvent.object_id == person.id)
    ).all()
    assert len(events) == 1
    event = events[0]
    assert (event.actor_type, event.actor_id) == ("token", user.id)
    assert event.ip_address == "127.0.0.1"
    detail = json.dumps(event.detail)
    for value in ("Morwenna", "Trelawney", person.upn, person.date_of_birth.isoformat(), str(person.date_of_birth.year)):
        assert value not in detail


def test_listing_creating_and_changing_are_audited_by_field_name(client, session, manager):
    user, headers = manager
    client.get(URL, headers=headers)
    created = client.post(URL, json=new_person_body(), headers=headers).get_json()
    client.patch(f"{URL}/{created['id']}", json={"given_name": "Rowan"}, headers=headers)
    events = session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)).all()
    assert [(event.action, event.actor_type) for event in events] == [("list", "token"), ("create", "token"), ("update", "token")]
    assert events[2].object_id == created["id"]
    assert events[2].detail["fields"] == ["given_name"]
    everything = json.dumps([event.detail for event in events])
    assert "Rowan" not in everything and "Robin" not in everything and "Ashdown" not in everything


@pytest.mark.parametrize("suffix", ["/pathway-changes", "/extensions", "/keyworker-assignments"])
def test_viewing_history_is_audited_against_the_young_person(client, session, manager, suffix):
    user, headers = manager
    person = make_person(session)
    assert client.get(f"{URL}/{person.id}{suffix}", headers=headers).status_code == 200
    event = session.scalar(select(AuditEvent).where(AuditEvent.actor_id == user.id, AuditEvent.object_id == person.id))
    assert (event.action, event.object_type, event.actor_type) == ("view", "young_person", "token")


# --- tokens ------------------------------------------------------------------------------

def test_a_read_only_token_can_read_but_not_write(client, session):
    manager = make_user(session, "manager")
    headers = bearer(session, manager, scopes=("read",))
    person = make_person(session)
    assert client.get(URL, headers=headers).status_code == 200
    assert "write" in envelope(client.post(URL, json=new_person_body(), headers=headers), 403)["message"]
    envelope(client.patch(f"{URL}/{person.id}", json={"given_name": "Changed"}, headers=headers), 403)
    envelope(client.post(f"{URL}/{person.id}/leaving", json={"left_on": date.today().isoformat(), "reason": "other"}, headers=headers), 403)
    assert session.get(YoungPerson, person.id).left_on is None


def test_a_write_only_token_cannot_read(client, session):
    manager = make_user(session, "manager")
    headers = bearer(session, manager, scopes=("write",))
    envelope(client.get(URL, headers=headers), 403)


def test_a_revoked_token_is_401(client, session):
    manager = make_user(session, "manager")
    token, value = auth_services.create_token(session, manager)
    headers = {"Authorization": f"Bearer {value}"}
    assert client.get(URL, headers=headers).status_code == 200
    auth_services.revoke_token(token)
    session.flush()
    envelope(client.get(URL, headers=headers), 401)


def test_a_token_of_a_disabled_account_is_401(client, session):
    manager = make_user(session, "manager")
    headers = bearer(session, manager)
    auth_services.set_active(session, manager, False)
    session.flush()
    envelope(client.get(URL, headers=headers), 401)


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer ", "Bearer dps_not-a-real-token", "Basic dXNlcjpwYXNz", "Token abc"])
def test_no_or_a_wrong_token_is_401_with_the_envelope(client, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get(URL, headers=headers)
    envelope(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_browser_session_does_not_authenticate_the_api(client, session):
    manager = make_user(session, "manager")
    sign_in(client, manager)
    assert client.get("/young-people").status_code == 200
    envelope(client.get(URL), 401)
    envelope(client.post(URL, json=new_person_body()), 401)
    assert session.scalar(select(YoungPerson.id).where(YoungPerson.family_name == "Ashdown")) is None


def test_token_use_is_recorded_on_the_token(client, session):
    manager = make_user(session, "manager")
    token, value = auth_services.create_token(session, manager)
    assert token.last_used_at is None
    client.get(URL, headers={"Authorization": f"Bearer {value}"})
    session.refresh(token)
    assert token.last_used_at is not None
