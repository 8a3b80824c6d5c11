"""The attacks on keep-in-touch links: each one is refused, and the young person is not locked out."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from destinations.audit.models import AuditEvent
from destinations.database import utcnow
from destinations.keep_in_touch import services
from destinations.keep_in_touch.models import KeepInTouchLink, KeepInTouchReply, KeepInTouchSession
from tests.conftest import csrf_from, sign_in
from tests.factories import make_link, make_reachable_person, make_user
from tests.keep_in_touch.helpers import MENU, confirm, dob_fields, kit_cookie, try_dob

DOB = date(2008, 10, 15)
WRONG = date(2008, 10, 16)


def test_a_mail_scanner_opening_the_link_first_changes_nothing_and_the_young_person_can_still_use_it(session, make_client):
    person = make_reachable_person(session)
    link, raw = make_link(session, person)
    scanner = make_client()
    for _ in range(3):
        page = scanner.get(f"/keep-in-touch/{raw}")
        assert page.status_code == 200
        assert scanner.head(f"/keep-in-touch/{raw}").status_code == 200
    session.refresh(link)
    assert (link.date_of_birth_tries, link.opened_at, link.used_at) == (0, None, None)
    assert session.scalar(select(func.count()).select_from(KeepInTouchSession)) == 0
    assert person.given_name not in page.get_data(as_text=True)  # nothing about them before the check

    response = confirm(make_client(), raw, DOB)
    assert raw not in response.headers["Location"]


def test_the_link_takes_the_young_person_to_pages_whose_addresses_carry_no_token(session, client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person)
    response = confirm(client, raw, DOB)
    menu = client.get(response.headers["Location"])
    assert menu.status_code == 200
    assert f"Hello {person.given_name}" in menu.get_data(as_text=True)
    assert raw not in menu.get_data(as_text=True)


def test_a_link_works_only_once(session, make_client):
    person = make_reachable_person(session)
    link, raw = make_link(session, person)
    confirm(make_client(), raw, DOB)
    again = make_client()
    assert again.get(f"/keep-in-touch/{raw}").status_code == 404
    page = make_client().get(f"/keep-in-touch/{raw}")
    assert "This link does not work" in page.get_data(as_text=True)
    # Even a request carrying a valid CSRF token from elsewhere cannot use it again.
    other = make_client()
    token = csrf_from(other.get("/keep-in-touch/new-link").get_data(as_text=True))
    reuse = other.post(f"/keep-in-touch/{raw}", data={"date_of_birth": dob_fields(DOB), "csrf_token": token})
    assert reuse.status_code == 404
    assert kit_cookie(other) is None
    assert session.scalar(select(func.count()).select_from(KeepInTouchSession).where(KeepInTouchSession.link_id == link.id)) == 1


def test_an_expired_link_does_not_work_and_counts_no_tries(session, client):
    person = make_reachable_person(session)
    link, raw = make_link(session, person, now=utcnow() - timedelta(days=29))
    assert client.get(f"/keep-in-touch/{raw}").status_code == 404
    token = csrf_from(client.get("/keep-in-touch/new-link").get_data(as_text=True))
    response = client.post(f"/keep-in-touch/{raw}", data={"date_of_birth": dob_fields(DOB), "csrf_token": token})
    assert response.status_code == 404
    session.refresh(link)
    assert link.date_of_birth_tries == 0 and link.used_at is None


def test_a_link_expires_at_the_configured_time_and_not_before(session, client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person, now=utcnow() - timedelta(days=27, hours=23))
    confirm(client, raw, DOB)


def test_a_revoked_link_does_not_work_and_its_open_session_ends(session, client, make_client):
    person = make_reachable_person(session)
    link, raw = make_link(session, person)
    confirm(client, raw, DOB)
    assert client.get(MENU).status_code == 200
    services.revoke_link(session, link, None, utcnow())
    session.commit()
    assert client.get(MENU).headers["Location"].endswith("/keep-in-touch/session-ended")
    _other, raw2 = make_link(session, person)
    services.revoke_link(session, _other, None, utcnow())
    session.commit()
    assert make_client().get(f"/keep-in-touch/{raw2}").status_code == 404


def test_a_guessed_token_gets_exactly_the_page_an_expired_or_used_link_gets(session, make_client):
    person = make_reachable_person(session)
    _expired, expired_raw = make_link(session, person, now=utcnow() - timedelta(days=40))
    _used, used_raw = make_link(session, person)
    confirm(make_client(), used_raw, DOB)
    guessed = services.secrets.token_urlsafe(32)
    answers = [make_client().get(f"/keep-in-touch/{raw}") for raw in (guessed, expired_raw, used_raw)]
    assert {response.status_code for response in answers} == {404}
    bodies = {response.get_data(as_text=True).replace(raw, "") for response, raw in zip(answers, (guessed, expired_raw, used_raw))}
    assert len(bodies) == 1


def test_tokens_are_long_random_and_stored_only_as_a_hash(session):
    person = make_reachable_person(session)
    link, raw = make_link(session, person)
    assert len(raw) >= 43  # 32 random bytes, URL-safe: 256 bits
    assert link.token_hash == services.hash_secret(raw) and raw not in link.token_hash
    stored = session.execute(select(KeepInTouchLink.__table__)).all()
    assert all(raw not in str(row) for row in stored)


def test_five_wrong_dates_of_birth_lock_the_link_even_from_different_browsers(session, make_client):
    keyworker = make_user(session, "keyworker")
    person = make_reachable_person(session, keyworker=keyworker)
    link, raw = make_link(session, person)
    for tries_left in (4, 3, 2, 1):
        response = try_dob(make_client(), raw, WRONG)  # a new browser each time: the count is in the database
        assert response.status_code == 200
        assert f"You have {tries_left} {'try' if tries_left == 1 else 'tries'} left" in response.get_data(as_text=True)
    locked = try_dob(make_client(), raw, WRONG)
    assert locked.status_code == 403
    assert "This link is locked" in locked.get_data(as_text=True)
    # The right date of birth no longer helps, and nothing more is compared.
    page = make_client().get(f"/keep-in-touch/{raw}")
    assert page.status_code == 403
    session.refresh(link)
    assert link.locked_at is not None and link.used_at is None and link.date_of_birth_tries == 5
    task = session.scalar(select(KeepInTouchReply).where(KeepInTouchReply.link_id == link.id))
    assert task.kind == "link_locked"


def test_the_fifth_try_can_still_be_the_right_one(session, make_client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person)
    for _ in range(4):
        try_dob(make_client(), raw, WRONG)
    confirm(make_client(), raw, DOB)


def test_an_incomplete_date_is_an_error_to_fix_not_a_try(session, client):
    person = make_reachable_person(session)
    link, raw = make_link(session, person)
    page = client.get(f"/keep-in-touch/{raw}")
    response = client.post(f"/keep-in-touch/{raw}", data={"date_of_birth": ["15", "", "2008"], "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "must include a month" in text and 'value="15"' in text and 'value="2008"' in text
    session.refresh(link)
    assert link.date_of_birth_tries == 0


def test_many_tries_from_one_address_across_links_are_refused(app, session, make_client):
    app.config["KIT_MAX_TRIES_PER_ADDRESS"] = 3
    try:
        people = [make_reachable_person(session) for _ in range(4)]
        raws = [make_link(session, person)[1] for person in people]
        statuses = [try_dob(make_client(), raw, WRONG).status_code for raw in raws]
    finally:
        app.config["KIT_MAX_TRIES_PER_ADDRESS"] = 20
    assert statuses == [200, 200, 200, 429]


def test_every_keep_in_touch_form_refuses_a_post_without_its_csrf_token(session, client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person)
    assert client.post(f"/keep-in-touch/{raw}", data={"date_of_birth": dob_fields(DOB)}).status_code == 400
    assert client.post("/keep-in-touch/new-link", data={"contact": person.email, "date_of_birth": dob_fields(DOB)}).status_code == 400
    confirm(client, raw, DOB)
    for url, data in (
        ("/keep-in-touch/doing-now", {"choice": "college"}),
        ("/keep-in-touch/contact", {"about": "work"}),
        ("/keep-in-touch/contact-details", {"mobile": "07700900123"}),
        ("/keep-in-touch/next-steps", {"choice": "job"}),
        ("/keep-in-touch/stop", {"confirm": "yes"}),
        ("/keep-in-touch/finish", {}),
    ):
        assert client.post(url, data=data).status_code == 400, url
    session.refresh(person)
    assert person.mobile == "07700900982" and person.messages_stopped_at is None
    assert session.scalar(select(func.count()).select_from(KeepInTouchReply)) == 0


def test_a_session_key_planted_before_the_check_is_replaced_not_adopted(session, client, make_client):
    """Session fixation: whatever cookie the browser had, confirming gives a new key."""
    attacker = make_client()
    attacker_person = make_reachable_person(session, given_name="Mallory")
    _link, attacker_raw = make_link(session, attacker_person)
    confirm(attacker, attacker_raw, DOB)
    attacker_key = kit_cookie(attacker)

    victim = make_reachable_person(session, given_name="Victoria")
    _link, raw = make_link(session, victim)
    client.set_cookie("dps_kit", attacker_key, path="/keep-in-touch")
    before_csrf = csrf_from(client.get(f"/keep-in-touch/{raw}").get_data(as_text=True))
    with client.session_transaction() as flask_session:
        planted_csrf = flask_session.get("csrf_token")
    confirm(client, raw, DOB)
    new_key = kit_cookie(client)
    assert new_key and new_key != attacker_key
    with client.session_transaction() as flask_session:
        assert flask_session.get("csrf_token") != planted_csrf  # the CSRF secret is new too
    assert before_csrf
    # The victim's answers go to the victim; the planted key never reaches the victim's record.
    assert "Hello Victoria" in client.get(MENU).get_data(as_text=True)
    attacker_view = attacker.get(MENU)
    assert "Victoria" not in attacker_view.get_data(as_text=True)
    # A key made up by an attacker is simply not a session.
    stranger = make_client()
    stranger.set_cookie("dps_kit", "made-up-key", path="/keep-in-touch")
    assert stranger.get(MENU).status_code == 302


def test_the_session_cookie_is_http_only_lax_and_limited_to_the_keep_in_touch_pages(session, client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person)
    response = confirm(client, raw, DOB)
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("dps_kit="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/keep-in-touch" in header
    stored = session.scalar(select(KeepInTouchSession))
    assert stored.key_hash == services.hash_secret(kit_cookie(client))


def test_a_young_persons_session_is_short_and_ends_when_idle(app, session, client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person)
    confirm(client, raw, DOB)
    row = session.scalar(select(KeepInTouchSession))
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["KIT_SESSION_IDLE_MINUTES"] + 1)
    session.commit()
    assert client.get(MENU).headers["Location"].endswith("/keep-in-touch/session-ended")
    session.refresh(row)
    assert row.ended_at is not None


def test_a_young_persons_session_ends_after_its_absolute_limit_however_active(app, session, client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person)
    confirm(client, raw, DOB)
    row = session.scalar(select(KeepInTouchSession))
    row.created_at = utcnow() - timedelta(minutes=app.config["KIT_SESSION_ABSOLUTE_MINUTES"] + 1)
    session.commit()
    assert client.get(MENU).status_code == 302


def test_finishing_ends_the_session_and_the_back_button_shows_nothing(session, client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person)
    confirm(client, raw, DOB)
    menu = client.get(MENU)
    response = client.post("/keep-in-touch/finish", data={"csrf_token": csrf_from(menu.get_data(as_text=True))})
    assert response.headers["Location"].endswith("/keep-in-touch/finished")
    assert client.get(MENU).headers["Location"].endswith("/keep-in-touch/session-ended")


def test_a_keep_in_touch_session_is_not_a_staff_session_and_a_staff_session_is_not_a_young_persons(session, client):
    keyworker = make_user(session, "keyworker")
    person = make_reachable_person(session, keyworker=keyworker)
    _link, raw = make_link(session, person)
    confirm(client, raw, DOB)
    staff_page = client.get(f"/young-people/{person.id}")
    assert staff_page.status_code == 302 and "/sign-in" in staff_page.headers["Location"]

    staff = client.application.test_client()
    sign_in(staff, keyworker)
    assert staff.get(MENU).headers["Location"].endswith("/keep-in-touch/session-ended")


def test_young_peoples_pages_are_never_cached_and_send_no_referrer(session, client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person)
    pages = [client.get(f"/keep-in-touch/{raw}"), client.get("/keep-in-touch/new-link")]
    confirm(client, raw, DOB)
    pages += [client.get(MENU), client.get("/keep-in-touch/doing-now")]
    for page in pages:
        assert page.status_code == 200
        assert "no-store" in page.headers["Cache-Control"]
        assert page.headers["Referrer-Policy"] == "no-referrer"


def test_the_pages_show_the_first_name_and_nothing_else_the_service_holds(session, client):
    person = make_reachable_person(session, given_name="Aisha", family_name="Okonkwo-Smith", upn=None, council_person_id="C-1234")
    _link, raw = make_link(session, person)
    confirm(client, raw, DOB)
    for url in (MENU, "/keep-in-touch/doing-now", "/keep-in-touch/contact", "/keep-in-touch/contact-details", "/keep-in-touch/next-steps", "/keep-in-touch/stop"):
        text = client.get(url).get_data(as_text=True)
        for secret in ("Okonkwo-Smith", "C-1234", person.email, person.mobile, "2008", "15 October"):
            assert secret not in text, (url, secret)


def test_confirming_and_failing_are_audited_without_the_date_of_birth(session, make_client):
    person = make_reachable_person(session)
    _link, raw = make_link(session, person)
    try_dob(make_client(), raw, WRONG)
    confirm(make_client(), raw, DOB)
    events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "young_person", AuditEvent.object_id == person.id, AuditEvent.actor_type == "young_person")).all()
    assert [event.action for event in events] == ["sign_in_failed", "sign_in"]
    assert all("2008" not in str(event.detail) for event in events)
