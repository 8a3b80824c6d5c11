"""The subject access request pack: everything held about one young person, for managers only."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from destinations.activities import services as activities
from destinations.audit.models import AuditEvent
from destinations.database import utcnow
from destinations.keep_in_touch.models import KeepInTouchLink, KeepInTouchReply
from destinations.notifications.models import OutboxMessage
from destinations.people import services as people
from destinations.reviews import services as review_services
from destinations.sar.services import person_tables
from tests.conftest import sign_in
from tests.factories import make_action, make_person, make_review, make_user
from tests.imports.conftest import csv_bytes, importing, manager, person_row, upn  # noqa: F401  (fixtures)

SECRET = "a" * 64


def full_record(session, manager, importing):  # noqa: F811
    """A young person with something in every part of the pack."""
    keyworker = make_user(session, "keyworker", name="Kim Keyworker")
    person = make_person(session, by=manager, upn=upn(42), given_name="Given42", family_name="Family42", keyworker=keyworker, pathway=2, date_of_birth=date(2006, 10, 15))
    people.change_pathway(session, person, 3, "Wants to go to college", manager)
    people.extend_roll(session, person, date(2027, 8, 31), "Staying on", date(2027, 3, 1), manager, people.RollSettings())
    people.record_leaving(session, person, date.today() - timedelta(days=1), "moved_out_of_area", "Moved to Leeds", manager)
    importing(csv_bytes([person_row(42, family_name="Renamed", date_of_birth="15/10/2006")]))
    people.update_details(session, person, {"primary_need": "SLCN"}, manager)
    review = make_review(session, person, keyworker, young_persons_words="I like cooking")
    review_services.update_review(session, review, {"young_persons_words": "I love cooking"}, manager, today=date.today(), complete=True)
    make_action(session, person, manager, description="Visit the college")
    activities.record_activity(session, person, {"activity_code": "230", "started_on": date(2025, 9, 1)}, source="keyworker", by=keyworker, today=date.today())
    link = KeepInTouchLink(young_person_id=person.id, token_hash=SECRET, channel="email", reason="staff", expires_at=utcnow() + timedelta(days=28))
    session.add(link)
    session.flush()
    session.add(KeepInTouchReply(young_person_id=person.id, link_id=link.id, kind="doing_now", answers={"doing": "college", "words": "Going well"}))
    session.add(
        OutboxMessage(
            idempotency_key="kit:secret-key", channel="email", recipient="young@example.com", template="keep_in_touch",
            personalisation={"link": "https://dps.example/keep-in-touch/" + "T" * 43}, young_person_id=person.id,
        )
    )
    session.flush()
    return person


def test_a_manager_gets_everything_held_as_json(session, client, manager, importing):  # noqa: F811
    person = full_record(session, manager, importing)
    sign_in(client, manager)
    client.get(f"/young-people/{person.id}")  # a view, to be in the audit trail
    response = client.get(f"/young-people/{person.id}/subject-access.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="subject-access-{person.id}.json"'
    pack = response.get_json()
    record = pack["record"]
    assert (record["upn"], record["given_name"], record["family_name"], record["keyworker"]) == (upn(42), "Given42", "Renamed", "Kim Keyworker (keyworker)")
    assert record["computed_today"]["status"] == "left"
    assert [(c["from_pathway"], c["to_pathway"]) for c in pack["pathway_changes"]] == [(None, 2), (2, 3)]
    assert pack["pathway_changes"][1]["reason"] == "Wants to go to college"
    assert [a["keyworker"] for a in pack["keyworker_history"]] == ["Kim Keyworker (keyworker)"]
    assert pack["roll_extensions"][0]["new_end"] == "2027-08-31"
    assert pack["status_changes"][0]["note"] == "Moved to Leeds"
    assert [(c["field"], c["old_value"], c["new_value"], c["source"]) for c in pack["detail_changes"]] == [
        ("family_name", "Family42", "Renamed", "import"), ("primary_need", "ASD", "SLCN", "edit"),
    ]
    [review] = pack["reviews"]
    assert review["young_persons_words"] == "I love cooking"
    assert [version["as_it_was"]["young_persons_words"] for version in review["earlier_versions"]] == ["I like cooking"]
    assert [action["description"] for action in pack["actions"]] == ["Visit the college"]
    assert [(a["activity_code"], a["source"]) for a in pack["activities"]] == [("230", "keyworker")]
    other = {section["table"]: section for section in pack["other_records"]}
    [link] = other["keep_in_touch_link"]["rows"]
    assert "token_hash" not in link and link["channel"] == "email"
    assert other["keep_in_touch_reply"]["rows"][0]["answers"] == {"doing": "college", "words": "Going well"}
    [message] = other["outbox_message"]["rows"]
    assert message["recipient"] == "young@example.com"
    assert "personalisation" not in message and "idempotency_key" not in message
    actions = [(event["action"], event["through"]) for event in pack["audit_trail"]]
    assert ("view", "the website") in actions and ("update", "the website") in actions
    text = json.dumps(pack)
    assert SECRET not in text and "T" * 43 not in text and "secret-key" not in text


def test_every_table_that_names_a_young_person_is_in_the_pack():
    # Gathered by name (next steps come with their review); everything else naming a young person is found.
    covered = {"young_person", "pathway_change", "keyworker_assignment", "roll_extension", "status_change", "detail_change", "review", "next_step", "review_action", "activity_record"}
    from destinations.database import Base

    naming = {table.name for table in Base.metadata.sorted_tables if any(key.column.table.name == "young_person" for column in table.columns for key in column.foreign_keys)}
    assert naming - covered <= {table.name for table in person_tables()}
    assert {"keep_in_touch_link", "keep_in_touch_reply"} <= {table.name for table in person_tables()}


def test_the_pack_is_a_readable_page_with_each_part(session, client, manager, importing):  # noqa: F811
    person = full_record(session, manager, importing)
    sign_in(client, manager)
    record_page = client.get(f"/young-people/{person.id}").get_data(as_text=True)
    assert f'href="/young-people/{person.id}/subject-access"' in record_page
    response = client.get(f"/young-people/{person.id}/subject-access")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for heading in ("The record", "Pathway history", "Keyworker history", "Roll extensions", "Status changes", "Changes to details", "Reviews", "Actions", "Destinations (activity records)", "Keep in touch link", "Keep in touch reply", "Who viewed or changed the record"):
        assert f">{heading}</h2>" in html, heading
    assert "I like cooking" in html and "Visit the college" in html and "Going well" in html
    assert SECRET not in html
    assert f'href="/young-people/{person.id}/subject-access.json"' in html


def test_keyworkers_and_others_cannot_get_a_pack_even_for_their_own_caseload(session, make_client):
    keyworker = make_user(session, "keyworker")
    person = make_person(session, keyworker=keyworker)
    for role_user in (keyworker, make_user(session, "admin"), make_user(session, "college")):
        client = make_client()
        sign_in(client, role_user)
        assert client.get(f"/young-people/{person.id}/subject-access").status_code == 403
        assert client.get(f"/young-people/{person.id}/subject-access.json").status_code == 403
    assert make_client().get(f"/young-people/{person.id}/subject-access").status_code == 302


def test_a_young_person_who_does_not_exist_is_not_found(session, client, manager):
    sign_in(client, manager)
    assert client.get("/young-people/1999999999/subject-access").status_code == 404
    assert client.get("/young-people/1999999999/subject-access.json").status_code == 404


def test_each_pack_is_audited_as_an_export_with_counts_only(session, client, manager):
    person = make_person(session, upn=upn(43), given_name="Given43")
    sign_in(client, manager)
    client.get(f"/young-people/{person.id}/subject-access")
    client.get(f"/young-people/{person.id}/subject-access.json")
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.object_type == "young_person", AuditEvent.object_id == person.id).order_by(AuditEvent.id)
    ).all()
    assert [(event.actor_id, event.detail["part"], event.detail["format"]) for event in events] == [(manager.id, "subject_access", "html"), (manager.id, "subject_access", "json")]
    assert events[0].detail["counts"]["reviews"] == 0 and "audit_trail" in events[0].detail["counts"]
    assert "Given43" not in json.dumps([event.detail for event in events]) and upn(43) not in json.dumps([event.detail for event in events])
