import base64
import hashlib
import re


def test_every_inline_script_is_allowed_by_the_content_security_policy_hash(client):
    response = client.get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    for script in re.findall(r"<script(?:\s[^>]*)?>(.*?)</script>", response.get_data(as_text=True), re.S):
        if script.strip():
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy


def test_pages_are_not_cached_framed_or_leaking_referrers(client):
    response = client.get("/sign-in")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_text_the_database_cannot_store_is_refused_with_a_clear_message(client, session):
    from destinations.auth.services import create_token
    from tests.factories import make_person, make_user

    response = client.get("/sign-in?next=/young-people%00")
    assert response.status_code == 400
    assert "not allowed" in response.get_data(as_text=True)
    manager = make_user(session, "manager")
    person = make_person(session, by=manager)
    _, token = create_token(session, manager)
    session.flush()
    api = client.patch(f"/api/v1/young-people/{person.id}", json={"given_name": "A\u0000B"}, headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 422
    assert "not allowed" in api.json["message"]
