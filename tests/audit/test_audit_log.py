import json

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from destinations.audit.models import AuditEvent
from destinations.audit.services import record_event
from destinations.auth import services as auth_services
from tests.conftest import csrf_from, sign_in
from tests.factories import make_person, make_user


def audit_events(session, action, object_type=None):
    query = select(AuditEvent).where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return list(session.scalars(query.order_by(AuditEvent.id)))


@pytest.fixture
def stored_event(session):
    event = record_event(session, "view", actor_type="user", actor_id=1, object_type="young_person", object_id=7, ip_address="192.0.2.1")
    session.flush()
    return event


@pytest.mark.parametrize(
    "statement",
    [
        lambda event: update(AuditEvent).where(AuditEvent.id == event.id).values(action="create"),
        lambda event: delete(AuditEvent).where(AuditEvent.id == event.id),
        lambda event: text("UPDATE audit_event SET ip_address = NULL"),
        lambda event: text("DELETE FROM audit_event"),
    ],
    ids=["orm update", "orm delete", "sql update", "sql delete"],
)
def test_the_database_refuses_to_change_or_delete_an_audit_event(session, stored_event, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        with session.begin_nested():  # so the refused statement does not spoil the test's transaction
            session.execute(statement(stored_event))
    session.expire_all()
    assert session.get(AuditEvent, stored_event.id).action == "view"


def test_signing_in_is_audited_with_who_and_where(client, session):
    keyworker = make_user(session, "keyworker")
    sign_in(client, keyworker)
    [event] = audit_events(session, "sign_in")
    assert (event.actor_type, event.actor_id) == ("user", keyworker.id)
    assert (event.object_type, event.object_id) == ("user", keyworker.id)
    assert event.ip_address == "127.0.0.1"
    assert event.occurred_at.tzinfo is not None


def test_a_failed_sign_in_is_audited_against_the_account_it_named(client, session):
    keyworker = make_user(session, "keyworker")
    page = client.get("/sign-in")
    client.post("/sign-in", data={"email": keyworker.email, "password": "not the password", "csrf_token": csrf_from(page.get_data(as_text=True))})
    [event] = audit_events(session, "sign_in_failed")
    assert (event.actor_type, event.actor_id) == ("anonymous", None)
    assert (event.object_type, event.object_id) == ("user", keyworker.id)
    assert event.ip_address == "127.0.0.1"
    assert "not the password" not in json.dumps(event.detail)


def test_viewing_a_young_person_through_the_api_is_audited_without_their_details(client, session):
    keyworker = make_user(session, "keyworker")
    person = make_person(session, keyworker=keyworker, given_name="Zebedee", family_name="Quartermaine")
    _, value = auth_services.create_token(session, keyworker, scopes=("read",))
    session.flush()

    response = client.get(f"/api/v1/young-people/{person.id}", headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 200

    [event] = audit_events(session, "view", "young_person")
    assert (event.actor_type, event.actor_id) == ("token", keyworker.id)
    assert event.object_id == person.id
    assert event.ip_address == "127.0.0.1"
    recorded = json.dumps(event.detail)
    for value in ("Zebedee", "Quartermaine", person.upn, person.date_of_birth.isoformat(), str(person.date_of_birth.year)):
        assert value not in recorded
