"""Staff pages: contact details and consent, sending and revoking links, and the replies list."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.database import utcnow
from destinations.keep_in_touch.models import KeepInTouchLink, KeepInTouchReply
from destinations.notifications.models import OutboxMessage
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_link, make_person, make_reachable_person, make_user
from tests.keep_in_touch.helpers import answer, confirm

DOB = date(2008, 10, 15)


def page_url(person) -> str:
    return f"/young-people/{person.id}/keep-in-touch"


def audits(session, person, part):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "young_person", AuditEvent.object_id == person.id).order_by(AuditEvent.id)
    ).all()


def test_a_keyworker_sees_the_page_for_their_caseload_only(session, client):
    keyworker = make_user(session, "keyworker")
    mine = make_reachable_person(session, keyworker=keyworker)
    theirs = make_reachable_person(session, keyworker=make_user(session, "keyworker"))
    sign_in(client, keyworker)
    assert client.get(page_url(mine)).status_code == 200
    assert client.get(page_url(theirs)).status_code == 404
    assert client.post(f"{page_url(theirs)}/send", data={"csrf_token": csrf_from(client.get(page_url(mine)).get_data(as_text=True))}).status_code == 404


def test_viewing_the_page_is_audited(session, client):
    manager = make_user(session, "manager")
    person = make_reachable_person(session)
    sign_in(client, manager)
    client.get(page_url(person))
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.object_id == person.id))
    assert event.detail == {"part": "keep_in_touch"} and event.actor_id == manager.id


def test_saving_contact_details_and_consent(session, client):
    manager = make_user(session, "manager")
    person = make_person(session)
    sign_in(client, manager)
    page = client.get(page_url(person))
    response = client.post(page_url(person), data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "version": str(person.version),
        "mobile": "07700 900 444", "email": "", "preferred_channel": "sms", "keep_in_touch_consent": "y",
    })
    assert response.status_code == 302
    session.refresh(person)
    assert (person.mobile, person.email, person.preferred_channel, person.keep_in_touch_consent) == ("07700900444", None, "sms", True)
    event = audits(session, person, "keep_in_touch")[-1]
    assert event.action == "update" and event.detail["fields"] == ["keep_in_touch_consent", "mobile", "preferred_channel"]
    assert "07700" not in str(event.detail)


def test_contact_details_with_mistakes_are_explained_and_kept(session, client):
    manager = make_user(session, "manager")
    person = make_person(session)
    sign_in(client, manager)
    response = post_form(client, page_url(person), {"version": str(person.version), "mobile": "0123", "email": "bad@", "keep_in_touch_consent": "y"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a UK mobile number" in text and "Enter an email address in the correct format" in text
    assert 'value="0123"' in text and 'value="bad@"' in text
    assert text.count('govuk-error-summary') >= 1
    session.refresh(person)
    assert person.mobile is None and person.keep_in_touch_consent is False


def test_consent_needs_somewhere_to_send_links(session, client):
    manager = make_user(session, "manager")
    person = make_person(session)
    sign_in(client, manager)
    response = post_form(client, page_url(person), {"version": str(person.version), "keep_in_touch_consent": "y"})
    assert "enter an email address or a mobile number" in response.get_data(as_text=True)


def test_someone_elses_change_is_not_overwritten(session, client):
    manager = make_user(session, "manager")
    person = make_reachable_person(session)
    sign_in(client, manager)
    stale = str(person.version)
    person.given_name = "Changed"
    session.commit()
    response = post_form(client, page_url(person), {"version": stale, "mobile": "07700900111", "keep_in_touch_consent": "y"})
    assert "Someone else changed this record" in response.get_data(as_text=True)
    session.refresh(person)
    assert person.mobile == "07700900982"


def test_sending_a_link_now_queues_a_message_with_a_new_link_and_is_audited(session, client):
    keyworker = make_user(session, "keyworker")
    person = make_reachable_person(session, keyworker=keyworker)
    sign_in(client, keyworker)
    response = client.post(
        f"{page_url(person)}/send", data={"csrf_token": csrf_from(client.get(page_url(person)).get_data(as_text=True))}
    )
    assert response.status_code == 302
    [message] = session.scalars(select(OutboxMessage)).all()
    link = session.scalar(select(KeepInTouchLink))
    assert (message.channel, message.recipient, message.status, message.idempotency_key) == ("email", person.email, "queued", f"kit-link:{link.id}")
    assert (link.created_by_id, link.reason, link.outbox_message_id) == (keyworker.id, "staff", message.id)
    assert message.personalisation["link"].endswith("/keep-in-touch/" + message.personalisation["link"].rsplit("/", 1)[1])
    event = audits(session, person, "")[-1]
    assert event.detail["part"] == "keep_in_touch_link" and event.detail["message_id"] == message.id
    page = client.get(page_url(person)).get_data(as_text=True)
    assert "A new link is on its way by email" in page
    # A double click does not send a second link.
    client.post(f"{page_url(person)}/send", data={"csrf_token": csrf_from(page)})
    assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_the_page_never_shows_a_token_or_its_hash(session, client):
    manager = make_user(session, "manager")
    person = make_reachable_person(session)
    link, raw = make_link(session, person)
    sign_in(client, manager)
    text = client.get(page_url(person)).get_data(as_text=True)
    assert raw not in text and link.token_hash not in text
    assert "Sent" in text


def test_a_link_cannot_be_sent_without_consent_and_the_page_says_why(session, client):
    manager = make_user(session, "manager")
    person = make_reachable_person(session, consent=False)
    sign_in(client, manager)
    page = client.get(page_url(person)).get_data(as_text=True)
    assert "has not agreed to keep-in-touch messages" in page and "Send a link now" not in page
    response = client.post(f"{page_url(person)}/send", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "The link was not sent" in response.get_data(as_text=True)
    assert session.scalars(select(OutboxMessage)).all() == []


def test_links_are_not_sent_before_the_end_of_year_11(session, client):
    manager = make_user(session, "manager")
    person = make_reachable_person(session, date_of_birth=date(2011, 3, 1))
    sign_in(client, manager)
    assert "finished Year 11" in client.get(page_url(person)).get_data(as_text=True)


def test_revoking_a_link_stops_it_working_and_the_history_says_so(session, client, make_client):
    manager = make_user(session, "manager")
    person = make_reachable_person(session)
    link, raw = make_link(session, person)
    sign_in(client, manager)
    page = client.get(page_url(person)).get_data(as_text=True)
    response = client.post(f"{page_url(person)}/links/{link.id}/revoke", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "Revoked" in response.get_data(as_text=True)
    assert make_client().get(f"/keep-in-touch/{raw}").status_code == 404


def test_the_history_shows_used_locked_and_expired_links(session, client, make_client):
    manager = make_user(session, "manager")
    person = make_reachable_person(session)
    _used, raw = make_link(session, person)
    confirm(make_client(), raw, DOB)
    from datetime import timedelta

    make_link(session, person, now=utcnow() - timedelta(days=30))
    sign_in(client, manager)
    text = client.get(page_url(person)).get_data(as_text=True)
    assert "Used" in text and "Expired" in text


def test_replies_appear_on_the_keyworkers_list_with_a_count_and_can_be_marked_handled(session, client, make_client):
    keyworker = make_user(session, "keyworker")
    person = make_reachable_person(session, keyworker=keyworker, given_name="Sam")
    other = make_reachable_person(session, keyworker=make_user(session, "keyworker"), given_name="Other")
    for someone in (person, other):
        young = make_client()
        _link, raw = make_link(session, someone)
        confirm(young, raw, DOB)
        answer(young, "/keep-in-touch/next-steps", {"choice": "college"})
    sign_in(client, keyworker)
    page = client.get("/keep-in-touch-replies").get_data(as_text=True)
    assert "1 reply to handle" in page and "Go to college" in page and "Young person&#39;s own report" in page
    assert "Other" not in page
    assert "Replies from young people" in page  # in the navigation too
    mine = session.scalar(select(KeepInTouchReply).where(KeepInTouchReply.young_person_id == person.id))
    theirs = session.scalar(select(KeepInTouchReply).where(KeepInTouchReply.young_person_id == other.id))
    assert client.post(f"/keep-in-touch-replies/{theirs.id}/handled", data={"csrf_token": csrf_from(page)}).status_code == 404
    client.post(f"/keep-in-touch-replies/{mine.id}/handled", data={"csrf_token": csrf_from(page)})
    session.refresh(mine)
    assert mine.handled_at is not None and mine.handled_by_id == keyworker.id
    assert "0 replies to handle" in client.get("/keep-in-touch-replies").get_data(as_text=True)
    assert "Go to college" in client.get("/keep-in-touch-replies?show=handled").get_data(as_text=True)
    event = session.scalar(select(AuditEvent).where(AuditEvent.object_id == person.id, AuditEvent.action == "update", AuditEvent.actor_id == keyworker.id))
    assert event.detail["fields"] == ["handled"]


def test_a_manager_sees_every_reply_and_colleges_see_none(session, client, make_client):
    person = make_reachable_person(session)
    young = make_client()
    _link, raw = make_link(session, person)
    confirm(young, raw, DOB)
    answer(young, "/keep-in-touch/stop", {"confirm": "yes"})
    manager = make_user(session, "manager")
    sign_in(client, manager)
    assert "Asked to stop messages" in client.get("/keep-in-touch-replies").get_data(as_text=True)
    college = make_client()
    sign_in(college, make_user(session, "college"))
    assert college.get("/keep-in-touch-replies").status_code == 403


def test_the_record_shows_replies_marked_as_the_young_persons_own_report(session, client, make_client):
    manager = make_user(session, "manager")
    person = make_reachable_person(session)
    young = make_client()
    _link, raw = make_link(session, person)
    confirm(young, raw, DOB)
    answer(young, "/keep-in-touch/doing-now", {"choice": "training"})
    sign_in(client, manager)
    text = client.get(f"/young-people/{person.id}").get_data(as_text=True)
    assert "Keep in touch" in text and "Young person&#39;s own report" in text and "A training course" in text
    assert f'href="/young-people/{person.id}/keep-in-touch"' in text
