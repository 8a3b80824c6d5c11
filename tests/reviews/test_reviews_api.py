"""The reviews and actions API: logging, drafts, corrections with history, who may do what, audit."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.reviews.models import Review
from tests.api.conftest import bearer, envelope
from tests.factories import make_action, make_person, make_provider, make_review, make_user


def url(person, *parts) -> str:
    return "/".join([f"/api/v1/young-people/{person.id}", *map(str, parts)])


def body(**overrides) -> dict:
    today = date.today()
    values = {
        "held_on": (today - timedelta(days=2)).isoformat(),
        "review_type": "aspiration_conversation",
        "young_person_present": True,
        "participants": ["parent_carer", "health"],
        "young_persons_words": "I want to be a chef.",
        "aspirations": {"employment": "Work in a kitchen", "independent_living": "Cook my own meals", "community": None, "health": None},
        "next_steps": [
            {
                "start_year": f"{today.year + 1}/{(today.year + 2) % 100:02d}",
                "route": "study_programme",
                "level": "entry_3",
                "sector_subject_area": "7",
                "provider_ids": [],
                "attendance": "full_time",
                "support_needs": ["travel_training", "job_coach"],
            }
        ],
        "destinations_statement": "Starts a catering course at college.",
        "actions": [{"description": "Arrange a college visit", "owner": "Keyworker", "due_on": (today + timedelta(days=14)).isoformat(), "done": False}],
    }
    values.update(overrides)
    return values


@pytest.fixture
def keyworker(session):
    user = make_user(session, "keyworker")
    return user, bearer(session, user)


@pytest.fixture
def manager(session):
    user = make_user(session, "manager")
    return user, bearer(session, user)


@pytest.fixture
def person(session, keyworker):
    return make_person(session, keyworker=keyworker[0], date_of_birth=date(2009, 10, 15), pathway=2)


def created(client, person, headers, **overrides) -> dict:
    response = client.post(url(person, "reviews"), json=body(**overrides), headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


# --- logging a review ------------------------------------------------------------------------

def test_a_keyworker_logs_a_complete_review_for_someone_on_their_caseload(client, session, keyworker, person):
    user, headers = keyworker
    provider = make_provider(session, kind="college", ukprn="10012399")
    response = client.post(url(person, "reviews"), json=body(next_steps=[{**body()["next_steps"][0], "provider_ids": [provider.id]}]), headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    review = response.get_json()
    assert review["status"] == "complete"
    assert review["young_person_id"] == person.id
    assert review["created_by_id"] == user.id
    assert review["next_steps"][0]["start_year"] == body()["next_steps"][0]["start_year"]
    assert review["next_steps"][0]["provider_ids"] == [provider.id]
    assert review["next_steps"][0]["support_needs"] == ["travel_training", "job_coach"]
    assert review["aspirations"]["employment"] == "Work in a kitchen"
    assert review["actions"][0]["description"] == "Arrange a college visit" and review["actions"][0]["done"] is False
    assert review["amended"] is False
    assert response.headers["ETag"] == f'"{review["version"]}"'
    assert response.headers["Location"].endswith(f"/api/v1/young-people/{person.id}/reviews/{review['id']}")
    fetched = client.get(url(person, "reviews", review["id"]), headers=headers)
    assert fetched.status_code == 200 and fetched.get_json() == review


def test_a_draft_can_be_saved_half_finished_and_completed_later(client, session, keyworker, person):
    _user, headers = keyworker
    response = client.post(url(person, "reviews"), json={"status": "draft", "young_persons_words": "I like music", "next_steps": [{"route": "supported_internship"}]}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    draft = response.get_json()
    assert draft["status"] == "draft" and draft["held_on"] is None
    assert draft["next_steps"] == [{"start_year": None, "route": "supported_internship", "level": None, "sector_subject_area": None, "provider_ids": [], "attendance": None, "support_needs": []}]
    refused = envelope(client.patch(url(person, "reviews", draft["id"]), json={"status": "complete"}, headers=headers), 422)
    assert {"held_on", "review_type", "next_steps.0.start_year"} <= set(refused["errors"])
    finished = client.patch(url(person, "reviews", draft["id"]), json={**body(), "status": "complete"}, headers=headers)
    assert finished.status_code == 200, finished.get_data(as_text=True)
    assert finished.get_json()["status"] == "complete"
    assert finished.get_json()["amended"] is False


def test_a_mistake_is_refused_with_the_envelope_naming_the_field_and_what_to_fix(client, keyworker, person):
    _user, headers = keyworker
    step = {**body()["next_steps"][0], "provider_ids": [99999], "route": "gap_year"}
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(url(person, "reviews"), json=body(held_on=tomorrow, review_type="chat", next_steps=[step]), headers=headers)
    errors = envelope(response, 422)["errors"]
    assert errors["held_on"] == ["The date the review was held must be today or in the past"]
    assert errors["review_type"][0].startswith("Unknown review type 'chat': use one of year9_pfa_review,")
    assert errors["next_steps.0.provider_ids"] == ["There is no provider with id 99999"]
    assert errors["next_steps.0.route"][0].startswith("Unknown route 'gap_year'")


def test_a_start_year_earlier_than_the_review_is_refused(client, keyworker, person):
    _user, headers = keyworker
    step = {**body()["next_steps"][0], "start_year": "2019/20"}
    errors = envelope(client.post(url(person, "reviews"), json=body(next_steps=[step]), headers=headers), 422)["errors"]
    assert "cannot start before the academic year the review was held in" in errors["next_steps.0.start_year"][0]


def test_the_wrong_shape_is_refused_by_the_schema_with_dotted_field_names(client, keyworker, person):
    _user, headers = keyworker
    errors = envelope(client.post(url(person, "reviews"), json=body(next_steps=[{"route": 5}], shoe_size=9), headers=headers), 422)["errors"]
    assert "next_steps.0.route" in errors
    assert "shoe_size" in errors


def test_reviews_are_listed_newest_first_with_pagination_and_a_status_filter(client, session, keyworker, person):
    user, headers = keyworker
    for held_on in (date(2024, 3, 1), date(2025, 3, 1), date(2024, 9, 1)):
        make_review(session, person, user, held_on=held_on)
    draft = make_review(session, person, user, complete=False, young_persons_words="Started")
    listed = client.get(url(person, "reviews") + "?page_size=3", headers=headers)
    assert listed.status_code == 200
    assert [review["held_on"] for review in listed.get_json()] == [None, "2025-03-01", "2024-09-01"]
    assert listed.get_json()[0]["id"] == draft.id
    assert json.loads(listed.headers["X-Pagination"])["total"] == 4
    complete = client.get(url(person, "reviews") + "?status=complete", headers=headers).get_json()
    assert [review["held_on"] for review in complete] == ["2025-03-01", "2024-09-01", "2024-03-01"]


# --- corrections, history and concurrency -----------------------------------------------------

def test_correcting_a_review_keeps_the_earlier_version_and_shows_who_amended_it(client, session, keyworker, manager, person):
    _user, headers = keyworker
    review = created(client, person, headers)
    manager_user, manager_headers = manager
    response = client.patch(url(person, "reviews", review["id"]), json={"young_persons_words": "I want to be a baker."}, headers=manager_headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    amended = response.get_json()
    assert amended["young_persons_words"] == "I want to be a baker."
    assert amended["amended"] is True and amended["amended_by_id"] == manager_user.id and amended["amended_at"]
    assert amended["version"] == review["version"] + 1
    assert amended["actions"][0]["id"] == review["actions"][0]["id"]  # the actions were left alone
    revisions = client.get(url(person, "reviews", review["id"], "revisions"), headers=headers)
    assert revisions.status_code == 200
    [revision] = revisions.get_json()
    assert revision["revised_by_id"] == manager_user.id
    assert revision["review"]["young_persons_words"] == "I want to be a chef."
    assert revision["review"]["version"] == review["version"]


def test_a_stale_if_match_is_refused_with_412_and_a_current_one_is_accepted(client, keyworker, person):
    _user, headers = keyworker
    review = created(client, person, headers)
    first = client.patch(url(person, "reviews", review["id"]), json={"destinations_statement": "First"}, headers={**headers, "If-Match": f'"{review["version"]}"'})
    assert first.status_code == 200
    stale = client.patch(url(person, "reviews", review["id"]), json={"destinations_statement": "Second"}, headers={**headers, "If-Match": f'"{review["version"]}"'})
    assert "has changed since you fetched it" in envelope(stale, 412)["message"]
    current = client.patch(url(person, "reviews", review["id"]), json={"destinations_statement": "Second"}, headers={**headers, "If-Match": first.headers["ETag"]})
    assert current.status_code == 200 and current.get_json()["destinations_statement"] == "Second"


def test_a_completed_review_cannot_be_turned_back_into_a_draft(client, keyworker, person):
    _user, headers = keyworker
    review = created(client, person, headers)
    errors = envelope(client.patch(url(person, "reviews", review["id"]), json={"status": "draft"}, headers=headers), 422)["errors"]
    assert "status" in errors


def test_a_review_of_someone_else_is_not_found_under_this_young_person(client, session, manager, person):
    user, headers = manager
    other = make_person(session)
    review = make_review(session, other, user)
    envelope(client.get(url(person, "reviews", review.id), headers=headers), 404)
    envelope(client.patch(url(person, "reviews", review.id), json={}, headers=headers), 404)


# --- actions --------------------------------------------------------------------------------------

def test_actions_are_listed_and_can_be_marked_done(client, session, keyworker, person):
    user, headers = keyworker
    review = created(client, person, headers)
    standalone = make_action(session, person, user, description="Ring the college", due_on=date.today() + timedelta(days=3))
    make_action(session, person, user, description="Old one", done=True)
    listed = client.get(url(person, "actions"), headers=headers).get_json()
    assert [action["description"] for action in listed] == ["Ring the college", "Arrange a college visit", "Old one"]
    assert listed[1]["review_id"] == review["id"]
    open_only = client.get(url(person, "actions") + "?open=true", headers=headers).get_json()
    assert [action["description"] for action in open_only] == ["Ring the college", "Arrange a college visit"]
    done = client.patch(url(person, "actions", standalone.id), json={"done": True}, headers={**headers, "If-Match": f'"{standalone.version}"'})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["done"] is True and done.get_json()["done_by_id"] == user.id and done.get_json()["done_at"]
    assert [action["description"] for action in client.get(url(person, "actions") + "?open=true", headers=headers).get_json()] == ["Arrange a college visit"]


def test_marking_an_action_needs_done_and_a_fresh_version(client, session, keyworker, person):
    user, headers = keyworker
    action = make_action(session, person, user)
    assert "done" in envelope(client.patch(url(person, "actions", action.id), json={}, headers=headers), 422)["errors"]
    envelope(client.patch(url(person, "actions", action.id), json={"done": True}, headers={**headers, "If-Match": '"99"'}), 412)


def test_an_action_in_a_draft_review_is_not_agreed_yet(client, session, keyworker, person):
    user, headers = keyworker
    draft = make_review(session, person, user, complete=False, actions=[{"description": "Maybe", "owner": "Keyworker"}])
    assert client.get(url(person, "actions"), headers=headers).get_json() == []
    envelope(client.patch(url(person, "actions", draft.actions[0].id), json={"done": True}, headers=headers), 404)


# --- who may do what -------------------------------------------------------------------------------

def every_endpoint(person, review_id: int, action_id: int):
    return [
        ("GET", url(person, "reviews"), None),
        ("POST", url(person, "reviews"), body()),
        ("GET", url(person, "reviews", review_id), None),
        ("PATCH", url(person, "reviews", review_id), {"destinations_statement": "Changed"}),
        ("GET", url(person, "reviews", review_id, "revisions"), None),
        ("GET", url(person, "actions"), None),
        ("PATCH", url(person, "actions", action_id), {"done": True}),
    ]


@pytest.fixture
def records(session, keyworker, person):
    review = make_review(session, person, keyworker[0], held_on=date(2025, 1, 10))
    action = make_action(session, person, keyworker[0], review=review)
    return review, action


@pytest.mark.parametrize("role", ["keyworker", "manager"])
def test_the_young_persons_keyworker_and_managers_may_use_every_endpoint(client, session, keyworker, manager, person, records, role):
    _user, headers = keyworker if role == "keyworker" else manager
    review, action = records
    for method, address, payload in every_endpoint(person, review.id, action.id):
        response = client.open(address, method=method, json=payload, headers=headers)
        assert response.status_code in (200, 201), (method, address, response.get_data(as_text=True)[:500])


def test_a_keyworker_cannot_reach_reviews_of_someone_off_their_caseload(client, session, person, records):
    other = make_user(session, "keyworker")
    headers = bearer(session, other)
    review, action = records
    for method, address, payload in every_endpoint(person, review.id, action.id):
        envelope(client.open(address, method=method, json=payload, headers=headers), 404)
    assert session.scalar(select(Review.destinations_statement).where(Review.id == review.id)) is None


@pytest.mark.parametrize("role", ["college", "admin"])
def test_college_and_admin_users_are_refused(client, session, person, records, role):
    headers = bearer(session, make_user(session, role))
    review, action = records
    for method, address, payload in every_endpoint(person, review.id, action.id):
        envelope(client.open(address, method=method, json=payload, headers=headers), 403)


def test_a_read_only_token_cannot_log_a_review(client, session, keyworker, person):
    headers = bearer(session, keyworker[0], scopes=("read",))
    assert client.get(url(person, "reviews"), headers=headers).status_code == 200
    envelope(client.post(url(person, "reviews"), json=body(), headers=headers), 403)


# --- audit -------------------------------------------------------------------------------------------

def test_viewing_logging_and_correcting_are_audited_by_field_name_without_personal_values(client, session, keyworker, person):
    user, headers = keyworker
    review = created(client, person, headers)
    client.get(url(person, "reviews", review["id"]), headers=headers)
    client.get(url(person, "reviews"), headers=headers)
    client.patch(url(person, "reviews", review["id"]), json={"young_persons_words": "A baker"}, headers=headers)
    client.get(url(person, "actions"), headers=headers)
    client.patch(url(person, "actions", review["actions"][0]["id"]), json={"done": True}, headers=headers)
    events = session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id, AuditEvent.object_id == person.id).order_by(AuditEvent.id)).all()
    assert [(event.action, event.detail.get("part")) for event in events] == [
        ("create", "review"),
        ("view", "reviews"),
        ("view", "reviews"),
        ("update", "review"),
        ("view", "actions"),
        ("update", "action"),
    ]
    assert all(event.object_type == "young_person" for event in events)
    assert events[0].detail["review_id"] == review["id"] and "young_persons_words" in events[0].detail["fields"]
    assert events[3].detail["fields"] == ["young_persons_words"] and events[3].detail["amended"] is True
    assert events[5].detail == {"part": "action", "action_id": review["actions"][0]["id"], "fields": ["done"]}
    text = json.dumps([event.detail for event in events])
    assert "chef" not in text and "baker" not in text and "kitchen" not in text


def test_the_openapi_document_describes_the_reviews_and_actions_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, methods in {
        "/api/v1/young-people/{person_id}/reviews": {"get", "post"},
        "/api/v1/young-people/{person_id}/reviews/{review_id}": {"get", "patch"},
        "/api/v1/young-people/{person_id}/reviews/{review_id}/revisions": {"get"},
        "/api/v1/young-people/{person_id}/actions": {"get"},
        "/api/v1/young-people/{person_id}/actions/{action_id}": {"patch"},
    }.items():
        assert methods <= set(paths[path]), path


def test_text_a_database_cannot_store_is_refused_not_a_server_error(client, keyworker, person):
    _user, headers = keyworker
    errors = envelope(client.post(url(person, "reviews"), json=body(young_persons_words="chef\u0000", destinations_statement="ok"), headers=headers), 422)["errors"]
    assert list(errors) == ["young_persons_words"]


# --- fuzzing these endpoints from the OpenAPI document -------------------------------------------

def test_the_review_endpoints_never_fail_and_answer_as_documented(app, session, keyworker, person, records):
    """Like tests/api/test_api_fuzz.py, but with a review and an action that exist, so PATCH gets past 404."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    _user, headers = keyworker
    review, action = records
    known = {"person_id": person.id, "review_id": review.id, "action_id": action.id}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if "/reviews" not in operation.path and "/actions" not in operation.path:
            continue
        operations += 1
        names = {parameter.name for parameter in operation.path_parameters}
        fixed = {name: value for name, value in known.items() if name in names}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
            @given(case=operation.as_strategy(mode, path_parameters=fixed))
            def run(case):
                case.call_and_validate(app=app, headers=headers, checks=checks)

            try:
                run()
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - report every operation's failure
                failures.append(f"{operation.label} ({mode.value}):\n{error}")
    assert operations == 7
    assert not failures, "\n\n".join(failures)
