"""Browser sessions kept on the server, sign-in throttling, CSRF, fixation and redirects."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.auth import services as auth_services
from destinations.auth.models import RateLimitCounter, StaffSession
from destinations.database import utcnow
from destinations.security import ratelimit
from tests.conftest import csrf_from, sign_in
from tests.factories import DEFAULT_PASSWORD, make_user

COOKIE = "dps_session"
PROTECTED = "/young-people"


def is_sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def live_sessions(session, user) -> list[StaffSession]:
    return session.scalars(select(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))).all()


def cookie_value(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def try_sign_in(client, email: str, password: str, url: str = "/sign-in"):
    page = client.get(url)
    return client.post(url, data={"email": email, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))})


@pytest.fixture
def keyworker(session):
    return make_user(session, "keyworker")


# --- idle and absolute timeouts ----------------------------------------------------------

def test_a_session_idle_for_more_than_30_minutes_is_ended(app, client, session, keyworker):
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    sign_in(client, keyworker)
    row = live_sessions(session, keyworker)[0]
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    session.flush()
    assert is_sent_to_sign_in(client.get(PROTECTED))
    session.refresh(row)
    assert row.ended_at is not None
    assert is_sent_to_sign_in(client.get(PROTECTED))  # ended for good, not just this once


def test_a_session_idle_for_less_than_the_limit_carries_on(client, session, keyworker):
    sign_in(client, keyworker)
    row = live_sessions(session, keyworker)[0]
    earlier = utcnow() - timedelta(minutes=29)
    row.last_seen_at = earlier
    session.flush()
    assert client.get(PROTECTED).status_code == 200
    session.refresh(row)
    assert row.ended_at is None
    assert row.last_seen_at > earlier + timedelta(minutes=28)


def test_a_session_older_than_the_absolute_limit_is_ended_even_when_in_use(app, client, session, keyworker):
    sign_in(client, keyworker)
    row = live_sessions(session, keyworker)[0]
    row.created_at = utcnow() - timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1)
    row.last_seen_at = utcnow()
    session.flush()
    assert is_sent_to_sign_in(client.get(PROTECTED))
    assert live_sessions(session, keyworker) == []


def test_an_idle_timeout_sends_the_person_back_where_they_were_after_signing_in(client, session, keyworker):
    sign_in(client, keyworker)
    live_sessions(session, keyworker)[0].last_seen_at = utcnow() - timedelta(hours=1)
    session.flush()
    response = client.get("/young-people?page=2")
    assert is_sent_to_sign_in(response)
    follow = try_sign_in(client, keyworker.email, DEFAULT_PASSWORD, url=response.headers["Location"])
    assert follow.headers["Location"] == "/young-people?page=2"


# --- ending sessions ---------------------------------------------------------------------

def test_signing_out_ends_the_session_on_the_server(make_client, session, keyworker):
    browser = make_client()
    sign_in(browser, keyworker)
    page = browser.get(PROTECTED)
    old_cookie = cookie_value(browser)
    response = browser.post("/sign-out", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert is_sent_to_sign_in(response)
    assert live_sessions(session, keyworker) == []
    replay = make_client()
    replay.set_cookie(COOKIE, old_cookie)
    assert is_sent_to_sign_in(replay.get(PROTECTED))
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_out", AuditEvent.actor_id == keyworker.id))


def test_signing_out_needs_the_csrf_token(client, session, keyworker):
    sign_in(client, keyworker)
    assert client.post("/sign-out").status_code == 400
    assert client.get(PROTECTED).status_code == 200
    assert len(live_sessions(session, keyworker)) == 1


def test_disabling_an_account_ends_every_session_it_has(make_client, session, keyworker):
    first, second = make_client(), make_client()
    sign_in(first, keyworker)
    sign_in(second, keyworker)
    assert len(live_sessions(session, keyworker)) == 2
    auth_services.set_active(session, keyworker, False)
    session.flush()
    assert live_sessions(session, keyworker) == []
    assert is_sent_to_sign_in(first.get(PROTECTED))
    assert is_sent_to_sign_in(second.get(PROTECTED))
    auth_services.set_active(session, keyworker, True)
    session.flush()
    assert is_sent_to_sign_in(first.get(PROTECTED))


def test_a_disabled_account_cannot_sign_in(client, session):
    disabled = make_user(session, "keyworker", active=False)
    response = try_sign_in(client, disabled.email, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert live_sessions(session, disabled) == []


def test_the_session_key_is_kept_only_as_a_hash(app, client, session, keyworker):
    sign_in(client, keyworker)
    data = app.session_interface.get_signing_serializer(app).loads(cookie_value(client))
    key = data["_user_id"]
    row = live_sessions(session, keyworker)[0]
    assert row.key_hash == auth_services.hash_secret(key)
    assert key not in row.key_hash


def test_the_session_cookie_is_http_only_and_same_site(client, keyworker):
    response = sign_in(client, keyworker)
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{COOKIE}="))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_every_sign_in_ok_or_failed_is_audited_with_the_address_and_no_email(make_client, session, keyworker):
    browser = make_client()
    browser.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    try_sign_in(browser, keyworker.email, "not the password")
    try_sign_in(browser, "stranger@council.example", "not the password")
    try_sign_in(browser, keyworker.email, DEFAULT_PASSWORD)
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(event.action, event.object_id) for event in events] == [("sign_in_failed", keyworker.id), ("sign_in_failed", None), ("sign_in", keyworker.id)]
    assert {event.ip_address for event in events} == {"192.0.2.44"}
    assert events[2].actor_id == keyworker.id
    for event in events:
        assert "@" not in str(event.detail) and "password" not in str(event.detail)


# --- throttling --------------------------------------------------------------------------

@pytest.fixture
def clock(monkeypatch):
    """Hold sign-in time still in the middle of a throttle window, so a test never straddles two."""
    window = timedelta(minutes=15)
    state = {"now": ratelimit.window_start(utcnow(), window) + timedelta(minutes=7)}
    monkeypatch.setattr("destinations.auth.views.utcnow", lambda: state["now"])
    return state


def fail(client, email: str, times: int, csrf: str):
    for _ in range(times):
        response = client.post("/sign-in", data={"email": email, "password": "not the password", "csrf_token": csrf})
        assert response.status_code == 200
        assert "Enter a correct email address and password" in response.get_data(as_text=True)


def sign_in_form_token(client) -> str:
    return csrf_from(client.get("/sign-in").get_data(as_text=True))


def test_after_five_failures_even_the_right_password_is_refused_with_429(app, client, session, keyworker, clock):
    assert app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"] == 5
    csrf = sign_in_form_token(client)
    fail(client, keyworker.email, 5, csrf)
    response = client.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf})
    assert response.status_code == 429
    assert "too many failed attempts" in response.get_data(as_text=True)
    assert live_sessions(session, keyworker) == []
    assert is_sent_to_sign_in(client.get(PROTECTED))
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_throttled"))


def test_four_failures_still_let_the_right_password_in_and_reset_the_count(client, session, keyworker, clock):
    csrf = sign_in_form_token(client)
    fail(client, keyworker.email, 4, csrf)
    assert client.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf}).status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_from(client.get(PROTECTED).get_data(as_text=True))})
    csrf = sign_in_form_token(client)
    fail(client, keyworker.email, 4, csrf)
    assert client.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf}).status_code == 302


def test_an_unknown_email_is_throttled_the_same_way_so_accounts_cannot_be_discovered(client, clock):
    csrf = sign_in_form_token(client)
    fail(client, "nobody@council.example", 5, csrf)
    response = client.post("/sign-in", data={"email": "nobody@council.example", "password": "anything at all", "csrf_token": csrf})
    assert response.status_code == 429


def test_throttling_is_per_account_and_the_email_case_does_not_matter(client, session, keyworker, clock):
    other = make_user(session, "keyworker")
    csrf = sign_in_form_token(client)
    fail(client, keyworker.email.upper(), 5, csrf)
    assert client.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf}).status_code == 429
    assert client.post("/sign-in", data={"email": other.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf}).status_code == 302


def test_the_throttle_lifts_when_the_window_has_passed(client, session, keyworker, clock):
    csrf = sign_in_form_token(client)
    fail(client, keyworker.email, 5, csrf)
    assert client.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf}).status_code == 429
    clock["now"] += timedelta(minutes=15)
    assert client.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf}).status_code == 302


def test_one_address_is_throttled_across_different_accounts(app, make_client, session, keyworker, clock):
    limit = app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"]
    attacker = make_client()
    attacker.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    csrf = sign_in_form_token(attacker)
    for n in range(limit):
        fail(attacker, f"guess{n}@council.example", 1, csrf)
    refused = attacker.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf})
    assert refused.status_code == 429
    elsewhere = make_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert elsewhere.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": sign_in_form_token(elsewhere)}).status_code == 302


def test_failure_counts_live_in_the_database_under_hashed_keys(client, session, keyworker, clock):
    csrf = sign_in_form_token(client)
    fail(client, keyworker.email, 3, csrf)
    rows = session.scalars(select(RateLimitCounter)).all()
    account_key = ratelimit.bucket_key("sign-in", "account", keyworker.email)
    address_key = ratelimit.bucket_key("sign-in", "address", "127.0.0.1")
    assert {row.key: row.count for row in rows} == {account_key: 3, address_key: 3}
    for row in rows:
        assert len(row.key) == 64 and all(character in "0123456789abcdef" for character in row.key)
        assert "@" not in row.key and keyworker.email not in row.key and "127.0.0.1" not in row.key


# --- CSRF, fixation and redirects --------------------------------------------------------

def test_a_sign_in_without_a_csrf_token_is_refused_and_nothing_is_recorded(client, session, keyworker):
    response = client.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert session.scalars(select(AuditEvent)).all() == []
    assert session.scalars(select(RateLimitCounter)).all() == []
    assert session.scalars(select(StaffSession)).all() == []
    assert is_sent_to_sign_in(client.get(PROTECTED))


def test_a_sign_in_with_a_forged_csrf_token_is_refused(client, session, keyworker):
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert session.scalars(select(StaffSession)).all() == []


def test_the_session_cookie_changes_on_sign_in_and_the_old_one_stays_signed_out(make_client, session, keyworker):
    browser = make_client()
    page = browser.get("/sign-in")
    before = cookie_value(browser)
    assert before
    browser.post("/sign-in", data={"email": keyworker.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
    after = cookie_value(browser)
    assert after and after != before
    planted = make_client()
    planted.set_cookie(COOKIE, before)
    assert is_sent_to_sign_in(planted.get(PROTECTED))


def stays_on_the_service(location: str) -> bool:
    """True when a browser would resolve ``location`` to this host (backslashes count as slashes)."""
    browser_view = location.replace("\\", "/")
    return browser_view.startswith("/") and not browser_view.startswith("//") and not urlsplit(browser_view).netloc


def test_sign_in_with_an_outside_next_goes_to_the_home_page(client, keyworker):
    response = try_sign_in(client, keyworker.email, DEFAULT_PASSWORD, url="/sign-in?next=https://evil.example/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "/\t/evil.example",
    ],
)
def test_sign_in_never_redirects_off_the_service(client, keyworker, target):
    response = try_sign_in(client, keyworker.email, DEFAULT_PASSWORD, url=f"/sign-in?next={quote(target, safe='')}")
    assert response.status_code == 302
    assert stays_on_the_service(response.headers["Location"]), response.headers["Location"]


def test_sign_in_returns_to_a_page_on_the_service(client, keyworker):
    response = try_sign_in(client, keyworker.email, DEFAULT_PASSWORD, url="/sign-in?next=%2Fyoung-people%3Fpage%3D2")
    assert response.headers["Location"] == "/young-people?page=2"
