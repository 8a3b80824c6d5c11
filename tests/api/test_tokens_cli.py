"""`flask users create` and `flask tokens create`: accounts and API tokens from the command line."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.auth.models import ApiToken, User
from tests.api.conftest import envelope
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_provider, make_user


@pytest.fixture
def cli(app):
    """Run a command as `flask` would: `flask` pushes an app context around every command."""
    runner = app.test_cli_runner()

    def run(*args: str):
        with app.app_context():
            return runner.invoke(args=list(args))

    return run


def user_by_email(session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def test_users_create_makes_an_account_that_can_sign_in(cli, session, make_client):
    result = cli("users", "create", "--email", "Lead@Council.example", "--role", "manager", "--password", DEFAULT_PASSWORD, "--name", "Pat Lead")
    assert result.exit_code == 0, result.output
    user = user_by_email(session, "lead@council.example")
    assert (user.role, user.name, user.active) == ("manager", "Pat Lead", True)
    assert f"id {user.id}" in result.output
    assert DEFAULT_PASSWORD not in result.output
    sign_in(make_client(), user)


def test_users_create_without_a_password_prints_a_generated_one_once(cli, session, make_client):
    result = cli("users", "create", "--email", "kw@council.example", "--role", "keyworker")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Password (shown once): "))
    password = line.removeprefix("Password (shown once): ")
    assert len(password) >= 12
    user = user_by_email(session, "kw@council.example")
    assert user.name == "kw"
    sign_in(make_client(), user, password=password)


def test_users_create_puts_a_college_user_with_their_provider(cli, session):
    college = make_provider(session, kind="college", ukprn="10004444")
    result = cli("users", "create", "--email", "tutor@college.example", "--role", "college", "--provider-id", str(college.id), "--password", DEFAULT_PASSWORD)
    assert result.exit_code == 0, result.output
    assert user_by_email(session, "tutor@college.example").provider_id == college.id


@pytest.mark.parametrize(
    "args, complaint",
    [
        (("--role", "superuser"), "superuser"),
        (("--role", "keyworker", "--password", "short"), "12 characters"),
        (("--role", "college", "--provider-id", "999999"), "no provider"),
    ],
)
def test_users_create_refuses_bad_details_and_creates_nothing(cli, session, args, complaint):
    result = cli("users", "create", "--email", "bad@council.example", *args)
    assert result.exit_code != 0
    assert complaint in result.output
    assert user_by_email(session, "bad@council.example") is None


def test_users_create_refuses_an_email_already_in_use(cli, session):
    existing = make_user(session, "keyworker")
    result = cli("users", "create", "--email", existing.email, "--role", "manager", "--password", DEFAULT_PASSWORD)
    assert result.exit_code != 0
    assert "already an account" in result.output
    assert user_by_email(session, existing.email).role == "keyworker"


def test_tokens_create_prints_a_token_that_acts_as_the_user(cli, session, client):
    manager = make_user(session, "manager")
    result = cli("tokens", "create", "--email", manager.email.upper(), "--name", "case management sync")
    assert result.exit_code == 0, result.output
    value = result.output.strip()
    assert value.startswith("dps_")
    headers = {"Authorization": f"Bearer {value}"}
    assert client.get("/api/v1/young-people", headers=headers).status_code == 200
    assert client.post("/api/v1/young-people", json={}, headers=headers).status_code == 422  # write allowed, body refused


def test_a_token_is_stored_hashed_never_in_plain(cli, session):
    manager = make_user(session, "manager")
    value = cli("tokens", "create", "--email", manager.email).output.strip()
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == manager.id))
    assert token.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in (token.token_hash, token.prefix, token.name, token.scopes)
    assert value.startswith(token.prefix) and len(token.prefix) < len(value) // 2
    assert token.scopes.split() == ["read", "write"]


def test_tokens_create_with_the_read_scope_gives_a_read_only_token(cli, session, client):
    manager = make_user(session, "manager")
    value = cli("tokens", "create", "--email", manager.email, "--scope", "read").output.strip()
    headers = {"Authorization": f"Bearer {value}"}
    assert client.get("/api/v1/young-people", headers=headers).status_code == 200
    envelope(client.post("/api/v1/young-people", json={}, headers=headers), 403)


def test_tokens_create_is_audited_without_the_token(cli, session):
    manager = make_user(session, "manager")
    value = cli("tokens", "create", "--email", manager.email).output.strip()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "token_created", AuditEvent.object_id == manager.id))
    assert event.actor_type == "system"
    assert value not in str(event.detail) and value[4:] not in str(event.detail)


@pytest.mark.parametrize(
    "args, complaint",
    [
        (("--email", "nobody@council.example"), "no user"),
        (("--scope", "admin"), "admin"),
    ],
)
def test_tokens_create_refuses_an_unknown_user_or_scope(cli, session, args, complaint):
    manager = make_user(session, "manager")
    result = cli("tokens", "create", *(args if args[0] == "--email" else ("--email", manager.email, *args)))
    assert result.exit_code != 0
    assert complaint in result.output
    assert session.scalars(select(ApiToken)).all() == []


def test_tokens_create_refuses_a_disabled_account(cli, session):
    disabled = make_user(session, "manager", active=False)
    result = cli("tokens", "create", "--email", disabled.email)
    assert result.exit_code != 0
    assert "disabled" in result.output
    assert session.scalars(select(ApiToken)).all() == []
