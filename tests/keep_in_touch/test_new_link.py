""""Send me a new link": the same answer whoever asks, links only to the right person, limited."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from destinations.database import utcnow
from destinations.keep_in_touch.models import KeepInTouchLink
from destinations.notifications.models import OutboxMessage
from tests.conftest import csrf_from
from tests.factories import make_reachable_person
from tests.keep_in_touch.helpers import dob_fields

DOB = date(2008, 10, 15)
URL = "/keep-in-touch/new-link"


def ask(client, contact: str, born: date = DOB):
    page = client.get(URL)
    return client.post(URL, data={"contact": contact, "date_of_birth": dob_fields(born), "csrf_token": csrf_from(page.get_data(as_text=True))})


def queued(session) -> list[OutboxMessage]:
    return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def body(response) -> str:
    return response.get_data(as_text=True)


def test_a_known_and_an_unknown_person_get_the_same_status_and_page(session, make_client):
    person = make_reachable_person(session, email="known@example.com")
    known = ask(make_client(), "known@example.com")
    unknown = ask(make_client(), "nobody@example.com")
    wrong_birthday = ask(make_client(), "known@example.com", date(2008, 1, 1))
    assert known.status_code == unknown.status_code == wrong_birthday.status_code == 200
    assert body(known) == body(unknown) == body(wrong_birthday)
    assert "If your details match what we have, we have sent you a new link" in body(known)
    [message] = queued(session)
    assert (message.young_person_id, message.channel, message.recipient, message.template) == (person.id, "email", "known@example.com", "keep_in_touch_new_link")
    link = session.scalar(select(KeepInTouchLink).where(KeepInTouchLink.outbox_message_id == message.id))
    assert link.reason == "requested" and link.created_by_id is None


def test_the_contact_can_be_a_mobile_number_written_any_usual_way(session, client):
    person = make_reachable_person(session, mobile="07700900777", preferred_channel="email")
    ask(client, "+44 (0)7700 900777".replace("(0)", ""))
    [message] = queued(session)
    assert (message.young_person_id, message.channel, message.recipient) == (person.id, "sms", "07700900777")


def test_no_link_goes_to_someone_who_has_not_agreed_or_has_stopped_messages_but_the_page_is_the_same(session, make_client):
    make_reachable_person(session, email="no-consent@example.com", consent=False)
    stopped = make_reachable_person(session, email="stopped@example.com")
    stopped.messages_stopped_at = utcnow()
    session.flush()
    answers = [ask(make_client(), "no-consent@example.com"), ask(make_client(), "stopped@example.com"), ask(make_client(), "nobody@example.com")]
    assert len({(response.status_code, body(response)) for response in answers}) == 1
    assert queued(session) == []


def test_asking_again_and_again_for_one_contact_sends_only_a_few_links_and_still_says_the_same(app, session, make_client):
    make_reachable_person(session, email="known@example.com")
    answers = [ask(make_client(), "Known@Example.com") for _ in range(app.config["KIT_NEW_LINK_MAX_PER_CONTACT"] + 2)]
    assert {response.status_code for response in answers} == {200}
    assert len({body(response) for response in answers}) == 1
    assert len(queued(session)) == app.config["KIT_NEW_LINK_MAX_PER_CONTACT"]


def test_one_address_asking_too_often_is_refused_whoever_it_asks_about(app, session, client):
    make_reachable_person(session, email="known@example.com")
    limit = app.config["KIT_NEW_LINK_MAX_PER_ADDRESS"]
    for number in range(limit):
        assert ask(client, f"person{number}@example.com").status_code == 200
    assert ask(client, "known@example.com").status_code == 429
    assert ask(client, "nobody@example.com").status_code == 429
    assert queued(session) == []


def test_the_request_counters_are_kept_in_the_database(session, client):
    from destinations.auth.models import RateLimitCounter

    ask(client, "someone@example.com")
    counters = session.scalars(select(RateLimitCounter)).all()
    assert len(counters) == 2  # one for the address, one for the contact, both hashed
    assert all("@" not in counter.key for counter in counters)


def test_a_form_with_mistakes_is_explained_and_keeps_what_was_typed(session, client):
    page = client.get(URL)
    response = client.post(URL, data={"contact": "me@example.com", "date_of_birth": ["31", "2", "2008"], "csrf_token": csrf_from(body(page))})
    assert response.status_code == 200
    assert "must be a real date" in body(response) and 'value="me@example.com"' in body(response)
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
