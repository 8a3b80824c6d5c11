"""API fixtures: staff with bearer tokens, and helpers to read the JSON error envelope."""
from __future__ import annotations

import pytest

from destinations.auth import services as auth_services
from tests.factories import make_user

ENVELOPE_KEYS = {"code", "status", "message", "errors"}


def bearer(session, user, scopes: tuple[str, ...] = auth_services.TOKEN_SCOPES) -> dict[str, str]:
    """Headers that authenticate as ``user`` with a new API token holding ``scopes``."""
    _token, value = auth_services.create_token(session, user, scopes=scopes, name="tests")
    session.flush()
    return {"Authorization": f"Bearer {value}"}


def envelope(response, code: int) -> dict:
    """Assert ``response`` is the API error envelope with ``code`` and return its body."""
    assert response.status_code == code, (response.status_code, response.get_data(as_text=True)[:1000])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ENVELOPE_KEYS, body
    assert body["code"] == code
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    return body


@pytest.fixture
def api_user(session):
    """Make a user of ``role`` and return ``(user, headers)`` for calling the API as them."""

    def make(role: str, scopes: tuple[str, ...] = auth_services.TOKEN_SCOPES, **kwargs):
        user = make_user(session, role, **kwargs)
        return user, bearer(session, user, scopes)

    return make
