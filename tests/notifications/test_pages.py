"""Managers see messages that were not sent and can send them again; the development page."""
from __future__ import annotations

from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.database import utcnow
from destinations.keep_in_touch import services as kit_services
from destinations.notifications.models import LoggedMessage, OutboxMessage
from tests.conftest import csrf_from, sign_in
from tests.factories import make_reachable_person, make_user


def dead_message(session, person) -> OutboxMessage:
    message = kit_services.send_invitation(session, person, now=utcnow(), reason="staff", settings=kit_services.KitSettings(), check=False)
    message.status, message.attempts, message.last_error, message.next_attempt_at = "dead", 6, "SMTP server answered 421", None
    session.commit()
    return message


def test_managers_see_messages_not_sent_without_their_content(session, client):
    person = make_reachable_person(session, family_name="Whitfield")
    message = dead_message(session, person)
    sign_in(client, make_user(session, "manager"))
    text = client.get("/messages/problems").get_data(as_text=True)
    assert f"Number {message.id}" in text and "SMTP server answered 421" in text and "Whitfield" in text
    assert message.personalisation["link"] not in text and person.email not in text


def test_a_manager_can_send_a_dead_message_again_and_it_is_audited(session, client):
    manager = make_user(session, "manager")
    person = make_reachable_person(session)
    message = dead_message(session, person)
    sign_in(client, manager)
    page = client.get("/messages/problems").get_data(as_text=True)
    response = client.post(f"/messages/{message.id}/resend", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "will be sent again" in response.get_data(as_text=True)
    session.refresh(message)
    assert (message.status, message.attempts, message.resent_by_id) == ("queued", 0, manager.id)
    event = session.scalar(select(AuditEvent).where(AuditEvent.actor_id == manager.id, AuditEvent.action == "update"))
    assert (event.object_type, event.object_id, event.detail["message_id"]) == ("young_person", person.id, message.id)


def test_a_message_whose_link_expired_cannot_be_sent_again_and_the_page_says_what_to_do(session, client):
    person = make_reachable_person(session)
    message = dead_message(session, person)
    from destinations.notifications import services

    services.clear_content(session, [message.id], utcnow(), "The link expired before the message could be sent.")
    session.commit()
    sign_in(client, make_user(session, "manager"))
    page = client.get("/messages/problems").get_data(as_text=True)
    assert "send a new link instead" in page
    response = client.post(f"/messages/{message.id}/resend", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "The message was not sent again" in response.get_data(as_text=True)


def test_only_managers_reach_the_messages_pages(session, make_client):
    for role, expected in (("keyworker", 403), ("admin", 403), ("college", 403)):
        client = make_client()
        sign_in(client, make_user(session, role))
        assert client.get("/messages/problems").status_code == expected, role


def test_the_development_page_shows_what_the_log_adapter_kept_and_can_deliver_now(session, client):
    person = make_reachable_person(session, given_name="Robin")
    kit_services.send_invitation(session, person, now=utcnow(), reason="staff", settings=kit_services.KitSettings(), check=False)
    session.commit()
    sign_in(client, make_user(session, "manager"))
    page = client.get("/messages/development").get_data(as_text=True)
    assert "1 message is waiting" in page
    response = client.post("/messages/development/deliver", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Delivered 1 messages" in text and "Hello Robin" in text and "/keep-in-touch/" in text
    assert session.scalar(select(LoggedMessage)).recipient == person.email


def test_the_development_page_does_not_exist_where_it_is_switched_off(app, session, client):
    sign_in(client, make_user(session, "manager"))
    app.config["NOTIFICATIONS_DEV_PAGE"] = False
    try:
        assert client.get("/messages/development").status_code == 404
    finally:
        app.config["NOTIFICATIONS_DEV_PAGE"] = True
    app.config["NOTIFICATIONS_ADAPTER"] = "smtp"
    try:
        assert client.get("/messages/development").status_code == 404
    finally:
        app.config["NOTIFICATIONS_ADAPTER"] = "log"
