"""The invitation cadence (DOMAIN section 8), expiring links, and the ``kit invite`` command."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.database import utcnow
from destinations.keep_in_touch import services
from destinations.keep_in_touch.models import KeepInTouchLink, KeepInTouchSession
from destinations.notifications.models import OutboxMessage
from tests.factories import make_activity, make_link, make_reachable_person

BORN = date(2008, 10, 15)  # cohort 2008: Year 11 ends on 31 August 2025


@pytest.mark.parametrize(
    "today, change, expected",
    [
        (date(2025, 8, 31), None, None),  # still in Year 11
        (date(2025, 9, 1), None, date(2025, 9, 1)),  # first period starts the day after
        (date(2025, 11, 30), None, date(2025, 9, 1)),
        (date(2025, 12, 1), None, date(2025, 12, 1)),  # every 3 months
        (date(2026, 3, 1), None, date(2026, 3, 1)),
        (date(2026, 11, 23), None, date(2026, 9, 1)),
        # Monthly for 3 months after a change of destination, from a month after it...
        (date(2026, 1, 14), date(2026, 1, 15), date(2025, 12, 1)),
        (date(2026, 2, 14), date(2026, 1, 15), date(2025, 12, 1)),
        (date(2026, 2, 15), date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 3, 20), date(2026, 1, 15), date(2026, 3, 15)),
        (date(2026, 4, 15), date(2026, 1, 15), date(2026, 4, 15)),
        # ...then back to the quarters.
        (date(2026, 5, 15), date(2026, 1, 15), date(2026, 3, 1)),
        # 31 January plus a month is the end of February.
        (date(2026, 2, 28), date(2026, 1, 31), date(2026, 2, 28)),
        (date(2025, 10, 1), date(2025, 7, 20), date(2025, 9, 20)),  # a change in Year 11's summer
    ],
)
def test_the_invitation_period(today, change, expected):
    assert services.invitation_period(BORN, today, change) == expected


def queued(session):
    return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_everyone_due_gets_one_invitation_and_running_again_sends_nothing(app, session):
    due = make_reachable_person(session)
    with app.app_context():
        assert services.send_due_invitations(session, date.today()) == 1
        assert services.send_due_invitations(session, date.today()) == 0
    [message] = queued(session)
    assert message.young_person_id == due.id and message.template == "keep_in_touch_invitation"
    assert message.idempotency_key == f"kit-invitation:{due.id}:{services.invitation_period(BORN, date.today(), None).isoformat()}"


def test_a_run_over_several_batches_gives_each_person_one_link_and_one_message_and_a_rerun_adds_nothing(app, session):
    channels = ["email", "sms", "email", "email", "sms"]
    people = [make_reachable_person(session, email=f"person{n}@example.com", preferred_channel=channel) for n, channel in enumerate(channels)]
    make_link(session, people[2])  # sent a link this period already
    with app.app_context():
        assert services.send_due_invitations(session, date.today(), batch=2) == 4
        session.commit()
        assert services.send_due_invitations(session, date.today(), batch=2) == 0
    session.expire_all()
    period = services.invitation_period(BORN, date.today(), None).isoformat()
    messages = {message.young_person_id: message for message in queued(session)}
    links = session.scalars(select(KeepInTouchLink).where(KeepInTouchLink.reason == "cadence")).all()
    invited = [person for person in people if person is not people[2]]
    assert sorted(messages) == sorted(link.young_person_id for link in links) == sorted(person.id for person in invited)
    for person in invited:
        message = messages[person.id]
        [link] = [link for link in links if link.young_person_id == person.id]
        raw = message.personalisation["link"].rsplit("/", 1)[1]
        assert message.idempotency_key == f"kit-invitation:{person.id}:{period}"
        assert (link.outbox_message_id, link.channel, link.token_hash) == (message.id, message.channel, services.hash_secret(raw))
        assert services.find_link(session, raw) == link and link.status(utcnow()) == "sent"
        assert message.recipient == (person.mobile if person.preferred_channel == "sms" else person.email)
        assert message.personalisation == {
            "first_name": person.given_name, "link": f"{app.config['SERVICE_BASE_URL']}/keep-in-touch/{raw}",
            "council_name": app.config["COUNCIL_NAME"], "expires_on": services.long_local_date(link.expires_at),
        }  # fmt: skip
        assert link.expires_at - link.created_at == timedelta(days=app.config["KIT_LINK_EXPIRY_DAYS"])
    assert len({link.token_hash for link in links}) == len(links)


def test_an_invitation_already_queued_under_its_key_is_not_made_again(app, session):
    first, second = make_reachable_person(session), make_reachable_person(session)
    period = services.invitation_period(BORN, date.today(), None).isoformat()
    with app.app_context():
        services.send_invitation(session, first, now=utcnow(), reason="cadence", idempotency_key=f"kit-invitation:{first.id}:{period}", check=False)
        due = [(first, f"kit-invitation:{first.id}:{period}"), (second, f"kit-invitation:{second.id}:{period}")]
        assert services.send_invitations(session, due, now=utcnow(), reason="cadence") == 1
    assert [message.young_person_id for message in queued(session)] == [first.id, second.id]
    assert session.scalars(select(KeepInTouchLink.young_person_id).order_by(KeepInTouchLink.id)).all() == [first.id, second.id]


def test_no_invitation_without_consent_after_stopping_off_the_roll_or_before_year_11_ends(app, session):
    make_reachable_person(session, consent=False)
    stopped = make_reachable_person(session)
    stopped.messages_stopped_at = utcnow()
    left = make_reachable_person(session)
    left.left_on = date.today() - timedelta(days=3)
    make_reachable_person(session, date_of_birth=date(2011, 1, 1))
    make_reachable_person(session, email=None, mobile=None)
    make_reachable_person(session, date_of_birth=date(2004, 1, 1))  # past the end of the roll
    session.flush()
    with app.app_context():
        assert services.send_due_invitations(session, date.today()) == 0


def test_a_link_already_sent_this_period_means_no_invitation(app, session):
    person = make_reachable_person(session)
    make_link(session, person)
    with app.app_context():
        assert services.send_due_invitations(session, date.today()) == 0


def test_a_change_of_destination_brings_monthly_invitations(app, session):
    person = make_reachable_person(session)
    start = date(2026, 3, 1)
    make_activity(session, person, "230", date(2025, 9, 1), today=start)
    make_activity(session, person, "330", date(2026, 3, 10), today=start)
    days = [date(2026, 3, 20), date(2026, 4, 9), date(2026, 4, 10), date(2026, 5, 10), date(2026, 5, 20), date(2026, 6, 10), date(2026, 7, 10)]
    sent = []
    with app.app_context():
        for day in days:
            sent.append(services.send_due_invitations(session, day))
            for link in session.scalars(select(KeepInTouchLink).where(KeepInTouchLink.created_at > utcnow() - timedelta(minutes=5))):
                link.created_at = services.start_of_local_day(day) + timedelta(hours=12)  # as if sent that day
    # 20 March: the quarter from 1 March; 10 April, 10 May, 10 June: a month, two and three
    # after the change; 10 July: back in the quarter from 1 June, already invited on 10 June.
    assert sent == [1, 0, 1, 1, 0, 1, 0]
    keys = [message.idempotency_key.rsplit(":", 1)[1] for message in queued(session)]
    assert keys == ["2026-03-01", "2026-04-10", "2026-05-10", "2026-06-10"]


def test_text_messages_go_to_people_who_prefer_them(app, session):
    make_reachable_person(session, preferred_channel="sms")
    make_reachable_person(session, email=None, preferred_channel=None)
    with app.app_context():
        services.send_due_invitations(session, date.today())
    assert [message.channel for message in queued(session)] == ["sms", "sms"]


def test_expiring_links_marks_them_forgets_their_unsent_messages_and_ends_old_sessions(app, session):
    person = make_reachable_person(session)
    with app.app_context():
        message = services.send_invitation(session, person, now=utcnow() - timedelta(days=30), reason="staff", check=False)
        fresh, _raw = make_link(session, person)
        assert services.expire_links(session, utcnow()) == 1
        assert services.expire_links(session, utcnow()) == 0
    link = session.scalar(select(KeepInTouchLink).where(KeepInTouchLink.outbox_message_id == message.id))
    assert link.expired_at is not None and link.status(utcnow()) == "expired"
    session.refresh(message)
    assert message.personalisation == {} and message.status == "dead" and "expired" in message.last_error
    assert fresh.expired_at is None


def test_kit_invite_queues_a_link_prints_it_on_request_and_is_audited(app, session):
    person = make_reachable_person(session)
    session.commit()
    with app.app_context():  # as `flask` runs every command
        result = app.test_cli_runner().invoke(args=["kit", "invite", "--young-person-id", str(person.id), "--print-link"])
    assert result.exit_code == 0, result.output
    assert "Queued message" in result.output
    printed = result.output.strip().rsplit(" ", 1)[1]
    assert "/keep-in-touch/" in printed
    link = session.scalar(select(KeepInTouchLink).where(KeepInTouchLink.young_person_id == person.id))
    assert link.token_hash == services.hash_secret(printed.rsplit("/", 1)[1])
    event = session.scalar(select(AuditEvent).where(AuditEvent.object_id == person.id, AuditEvent.actor_type == "system"))
    assert event.detail == {"part": "keep_in_touch_link", "link_id": link.id, "sent": True, "printed": True}


def test_kit_invite_without_consent_refuses_unless_asked_to_print(app, session):
    person = make_reachable_person(session, consent=False)
    session.commit()
    runner = app.test_cli_runner()
    with app.app_context():
        refused = runner.invoke(args=["kit", "invite", "--young-person-id", str(person.id)])
    assert refused.exit_code != 0 and "has not agreed" in refused.output
    with app.app_context():
        printed = runner.invoke(args=["kit", "invite", "--young-person-id", str(person.id), "--print-link"])
    assert printed.exit_code == 0 and "Not sent" in printed.output and "/keep-in-touch/" in printed.output
    assert session.scalars(select(OutboxMessage)).all() == []
    with app.app_context():
        missing = runner.invoke(args=["kit", "invite", "--young-person-id", "999999"])
    assert missing.exit_code != 0 and "there is no young person with id 999999" in missing.output


def test_sessions_end_with_expiry_of_their_absolute_limit(app, session):
    person = make_reachable_person(session)
    link, _raw = make_link(session, person)
    row, _key = services.start_session(session, link, utcnow() - timedelta(hours=2))
    with app.app_context():
        services.expire_links(session, utcnow())
    session.refresh(row)
    assert row.ended_at is not None
    assert session.scalar(select(KeepInTouchSession).where(KeepInTouchSession.ended_at.is_(None))) is None
