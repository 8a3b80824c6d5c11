"""The young person's questions: each answer becomes a task, and verified data is never touched."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from destinations.activities.models import ActivityRecord
from destinations.keep_in_touch.models import KeepInTouchReply
from tests.factories import make_activity, make_link, make_reachable_person, make_user
from tests.keep_in_touch.helpers import MENU, answer, confirm

DOB = date(2008, 10, 15)


def signed_in(session, client, **values):
    person = make_reachable_person(session, **values)
    _link, raw = make_link(session, person)
    confirm(client, raw, DOB)
    return person


def replies(session, person):
    return session.scalars(select(KeepInTouchReply).where(KeepInTouchReply.young_person_id == person.id).order_by(KeepInTouchReply.id)).all()


def activities(session, person):
    return session.scalars(select(ActivityRecord).where(ActivityRecord.young_person_id == person.id).order_by(ActivityRecord.id)).all()


def test_saying_what_they_are_doing_adds_an_unverified_record_beside_the_verified_one(session, client):
    keyworker = make_user(session, "keyworker")
    person = make_reachable_person(session, keyworker=keyworker)
    verified = make_activity(session, person, "330", date(2025, 9, 1), by=keyworker, verified=True, hours_per_week=20)
    _link, raw = make_link(session, person)
    confirm(client, raw, DOB)
    response = answer(client, "/keep-in-touch/doing-now", {"choice": "college", "details": "Northshire College"})
    assert response.headers["Location"].endswith("/keep-in-touch/done")
    records = activities(session, person)
    assert len(records) == 2
    session.refresh(verified)
    assert (verified.activity_code, verified.verified, verified.ended_on, verified.version) == ("330", True, None, 1)
    added = records[1]
    assert (added.activity_code, added.source, added.verified, added.started_on) == ("230", "young_person", False, date.today())
    [reply] = replies(session, person)
    assert reply.kind == "doing_now" and reply.activity_record_id == added.id and reply.handled_at is None
    assert reply.answers == {"choice": "college", "details": "Northshire College", "activity_code": "230"}


def test_the_confirmation_says_what_they_told_us_and_what_happens_next(session, client):
    signed_in(session, client, given_name="Jordan")
    answer(client, "/keep-in-touch/doing-now", {"choice": "volunteering"})
    page = client.get("/keep-in-touch/done").get_data(as_text=True)
    assert "Thank you, Jordan" in page and "Volunteering" in page
    assert "What happens next" in page and "Your keyworker will see what you told us" in page


def test_the_same_activity_as_already_recorded_adds_no_second_record(session, client):
    person = make_reachable_person(session)
    make_activity(session, person, "230", date(2025, 9, 1))
    _link, raw = make_link(session, person)
    confirm(client, raw, DOB)
    answer(client, "/keep-in-touch/doing-now", {"choice": "college"})
    assert len(activities(session, person)) == 1
    assert replies(session, person)[0].answers["same_as_recorded"] is True


def test_paid_work_asks_for_hours_on_its_own_page_and_few_hours_is_part_time(session, client):
    person = signed_in(session, client)
    response = answer(client, "/keep-in-touch/doing-now", {"choice": "job"})
    assert response.headers["Location"].endswith("/keep-in-touch/doing-now/hours")
    assert activities(session, person) == []
    page = client.get("/keep-in-touch/doing-now/hours").get_data(as_text=True)
    assert "A paid job" in page and "About how many hours a week?" in page
    answer(client, "/keep-in-touch/doing-now/hours", {"hours": "12"})
    [record] = activities(session, person)
    assert (record.activity_code, record.hours_per_week, record.verified) == ("360", Decimal("12.0"), False)


def test_sixteen_hours_or_more_of_paid_work_is_employment(session, client):
    person = signed_in(session, client)
    answer(client, "/keep-in-touch/doing-now", {"choice": "job"})
    answer(client, "/keep-in-touch/doing-now/hours", {"hours": "37.5 hours"})
    assert activities(session, person)[0].activity_code == "330"


def test_hours_that_are_not_a_number_are_explained_and_kept(session, client):
    person = signed_in(session, client)
    answer(client, "/keep-in-touch/doing-now", {"choice": "apprenticeship"})
    response = answer(client, "/keep-in-touch/doing-now/hours", {"hours": "lots"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter a number of hours, like 16" in text and 'value="lots"' in text
    assert "Error: " in text.split("<title>")[1]
    assert activities(session, person) == [] and replies(session, person) == []


def test_the_hours_page_without_a_choice_goes_back_to_the_question(session, client):
    signed_in(session, client)
    assert client.get("/keep-in-touch/doing-now/hours").headers["Location"].endswith("/keep-in-touch/doing-now")


def test_something_else_keeps_their_words_and_adds_no_record(session, client):
    person = signed_in(session, client)
    answer(client, "/keep-in-touch/doing-now", {"choice": "other", "details": "Helping at my uncle's shop"})
    assert activities(session, person) == []
    assert replies(session, person)[0].answers == {"choice": "other", "details": "Helping at my uncle's shop"}


def test_no_choice_is_an_error_that_says_what_to_do(session, client):
    signed_in(session, client)
    response = answer(client, "/keep-in-touch/doing-now", {"details": "I typed this"})
    text = response.get_data(as_text=True)
    assert "Select what you are doing now" in text and "I typed this" in text


def test_asking_for_contact_takes_three_questions_and_becomes_one_task(session, client):
    person = signed_in(session, client)
    assert answer(client, "/keep-in-touch/contact", {"about": ["money", "work"], "about_details": "Help with PIP"}).headers["Location"].endswith("/contact/how")
    assert answer(client, "/keep-in-touch/contact/how", {"how": "phone"}).headers["Location"].endswith("/contact/when")
    response = answer(client, "/keep-in-touch/contact/when", {"when": "afternoon"})
    assert response.headers["Location"].endswith("/keep-in-touch/done")
    [reply] = replies(session, person)
    assert reply.kind == "contact_request"
    assert reply.answers == {"about": ["money", "work"], "about_details": "Help with PIP", "how": "phone", "when": "afternoon"}
    page = client.get("/keep-in-touch/done").get_data(as_text=True)
    assert "Your keyworker will contact you" in page and "Money or benefits" in page and "A phone call" in page


def test_the_later_contact_questions_need_the_earlier_answers(session, client):
    signed_in(session, client)
    assert client.get("/keep-in-touch/contact/how").headers["Location"].endswith("/keep-in-touch/contact")
    assert client.get("/keep-in-touch/contact/when").headers["Location"].endswith("/keep-in-touch/contact")


def test_updating_a_mobile_number_is_used_from_now_on_and_the_keyworker_is_told(session, client):
    person = signed_in(session, client, preferred_channel="email")
    response = answer(client, "/keep-in-touch/contact-details", {"mobile": "+44 7700 900123", "email": ""})
    assert response.headers["Location"].endswith("/keep-in-touch/done")
    session.refresh(person)
    assert person.mobile == "07700900123" and person.email == "young.person@example.com"
    assert person.preferred_channel == "sms"
    reply = replies(session, person)[0]
    assert reply.kind == "contact_details" and reply.answers["changed"] == ["mobile", "preferred_channel"]


def test_giving_both_contacts_asks_which_to_use(session, client):
    person = signed_in(session, client, preferred_channel="sms")
    response = answer(client, "/keep-in-touch/contact-details", {"mobile": "07700 900 555", "email": "New.Address@Example.com"})
    assert response.headers["Location"].endswith("/contact-details/send-by")
    session.refresh(person)
    assert person.mobile == "07700900982"  # nothing changes until the last answer
    answer(client, "/keep-in-touch/contact-details/send-by", {"preferred_channel": "email"})
    session.refresh(person)
    assert (person.mobile, person.email, person.preferred_channel) == ("07700900555", "new.address@example.com", "email")


def test_contact_details_that_are_not_valid_are_explained_and_what_was_typed_is_kept(session, client):
    person = signed_in(session, client)
    response = answer(client, "/keep-in-touch/contact-details", {"mobile": "12345", "email": "not-an-email"})
    text = response.get_data(as_text=True)
    assert "Enter a UK mobile number, like 07700 900 982" in text
    assert "Enter an email address in the correct format" in text
    assert 'value="12345"' in text and 'value="not-an-email"' in text
    session.refresh(person)
    assert person.mobile == "07700900982" and replies(session, person) == []


def test_saying_what_they_would_like_to_do_next_is_a_task(session, client):
    person = signed_in(session, client)
    answer(client, "/keep-in-touch/next-steps", {"choice": "apprenticeship", "details": "Something with cars"})
    reply = replies(session, person)[0]
    assert reply.kind == "next_steps" and reply.answers == {"choice": "apprenticeship", "details": "Something with cars"}


def test_stopping_messages_is_recorded_and_no_keeps_them(session, client):
    person = signed_in(session, client)
    assert answer(client, "/keep-in-touch/stop", {"confirm": "no"}).headers["Location"].endswith(MENU)
    session.refresh(person)
    assert person.messages_stopped_at is None
    answer(client, "/keep-in-touch/stop", {"confirm": "yes"})
    session.refresh(person)
    assert person.messages_stopped_at is not None
    assert replies(session, person)[0].kind == "stop_messages"
    assert "We will not send you any more messages" in client.get("/keep-in-touch/done").get_data(as_text=True)


def test_long_answers_are_refused_with_the_limit(session, client):
    signed_in(session, client)
    response = answer(client, "/keep-in-touch/next-steps", {"choice": "other", "details": "x" * 1001})
    assert "1000 characters or fewer" in response.get_data(as_text=True)


def test_answers_are_audited_as_the_young_person_without_their_words(session, client):
    from destinations.audit.models import AuditEvent

    person = signed_in(session, client)
    answer(client, "/keep-in-touch/next-steps", {"choice": "other", "details": "My private words"})
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.object_id == person.id, AuditEvent.actor_type == "young_person"))
    assert event.detail["kind"] == "next_steps"
    assert "My private words" not in str(event.detail)
