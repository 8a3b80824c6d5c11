"""The staff and provider APIs: who manages accounts, who lists them, and provider identifiers."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.auth.models import StaffSession, User
from destinations.providers.models import Provider
from tests.api.conftest import envelope
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_provider, make_user

USERS = "/api/v1/users"
PROVIDERS = "/api/v1/providers"


@pytest.fixture
def admin(api_user):
    return api_user("admin")


@pytest.fixture
def manager(api_user):
    return api_user("manager")


# --- staff -------------------------------------------------------------------------------

def test_an_administrator_creates_a_user_who_can_then_sign_in(client, session, admin, make_client):
    _admin, headers = admin
    response = client.post(
        USERS, json={"email": "New.Keyworker@Council.example", "name": "New Keyworker", "role": "keyworker", "password": DEFAULT_PASSWORD}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["email"] == "new.keyworker@council.example"
    assert (body["role"], body["active"], body["provider_id"]) == ("keyworker", True, None)
    assert "password" not in body and "password_hash" not in body
    user = session.get(User, body["id"])
    assert user.password_hash and DEFAULT_PASSWORD not in user.password_hash
    sign_in(make_client(), user)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.object_type == "user", AuditEvent.object_id == user.id))


def test_an_administrator_creates_a_college_user_for_a_provider(client, session, admin):
    _admin, headers = admin
    college = make_provider(session, kind="college", ukprn="10001234")
    response = client.post(USERS, json={"email": "tutor@college.example", "name": "Tutor", "role": "college", "provider_id": college.id}, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["provider_id"] == college.id


def test_a_duplicate_email_is_a_422_on_the_email_field(client, session, admin):
    _admin, headers = admin
    existing = make_user(session, "keyworker")
    body = envelope(client.post(USERS, json={"email": existing.email.upper(), "name": "Again", "role": "keyworker"}, headers=headers), 422)
    assert list(body["errors"]) == ["email"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"role": "superuser"}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"name": ""}, "name"),
        ({"provider_id": 999999, "role": "college"}, "provider_id"),
    ],
)
def test_bad_user_details_are_a_422_naming_the_field(client, admin, change, field):
    _admin, headers = admin
    values = {"email": "someone@council.example", "name": "Someone", "role": "keyworker", **change}
    body = envelope(client.post(USERS, json=values, headers=headers), 422)
    assert field in body["errors"]


def test_only_college_users_belong_to_a_provider(client, session, admin):
    _admin, headers = admin
    provider = make_provider(session)
    body = envelope(client.post(USERS, json={"email": "kw@council.example", "name": "Kw", "role": "keyworker", "provider_id": provider.id}, headers=headers), 422)
    assert list(body["errors"]) == ["provider_id"]


def test_a_manager_lists_keyworkers_to_assign_caseloads(client, session, manager):
    _manager, headers = manager
    keyworkers = {make_user(session, "keyworker").id, make_user(session, "keyworker").id}
    make_user(session, "college")
    response = client.get(f"{USERS}?role=keyworker", headers=headers)
    assert response.status_code == 200
    assert {user["id"] for user in response.get_json()} == keyworkers
    assert {user["role"] for user in response.get_json()} == {"keyworker"}
    assert json.loads(response.headers["X-Pagination"])["total"] == 2


def test_the_active_filter_leaves_out_disabled_keyworkers(client, session, manager):
    _manager, headers = manager
    active = make_user(session, "keyworker")
    make_user(session, "keyworker", active=False)
    response = client.get(f"{USERS}?role=keyworker&active=true", headers=headers)
    assert {user["id"] for user in response.get_json()} == {active.id}


def test_a_manager_never_sees_administrator_or_college_accounts(client, session, manager):
    _manager, headers = manager
    admin = make_user(session, "admin")
    college = make_user(session, "college")
    listed = {user["id"] for user in client.get(USERS, headers=headers).get_json()}
    assert admin.id not in listed and college.id not in listed
    assert client.get(f"{USERS}?role=admin", headers=headers).get_json() == []
    envelope(client.get(f"{USERS}/{admin.id}", headers=headers), 404)
    envelope(client.get(f"{USERS}/{college.id}", headers=headers), 404)
    assert client.get(f"{USERS}/{make_user(session, 'keyworker').id}", headers=headers).status_code == 200


def test_a_manager_cannot_create_or_change_accounts(client, session, manager):
    _manager, headers = manager
    keyworker = make_user(session, "keyworker")
    envelope(client.post(USERS, json={"email": "x@council.example", "name": "X", "role": "admin"}, headers=headers), 403)
    envelope(client.patch(f"{USERS}/{keyworker.id}", json={"active": False}, headers=headers), 403)
    assert session.scalar(select(User.id).where(User.email == "x@council.example")) is None
    assert session.get(User, keyworker.id).active is True


@pytest.mark.parametrize("role", ["keyworker", "college"])
def test_keyworkers_and_college_users_cannot_list_staff(client, api_user, role):
    _user, headers = api_user(role)
    envelope(client.get(USERS, headers=headers), 403)


def test_disabling_an_account_ends_its_browser_sessions_and_tokens(client, session, admin, make_client):
    _admin, headers = admin
    keyworker = make_user(session, "keyworker")
    browser = make_client()
    sign_in(browser, keyworker)
    assert browser.get("/young-people").status_code == 200
    response = client.patch(f"{USERS}/{keyworker.id}", json={"active": False}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["active"] is False
    page = browser.get("/young-people")
    assert page.status_code == 302 and page.headers["Location"].startswith("/sign-in")
    assert session.scalars(select(StaffSession).where(StaffSession.user_id == keyworker.id, StaffSession.ended_at.is_(None))).all() == []
    # Turning the account back on does not bring the old session back.
    assert client.patch(f"{USERS}/{keyworker.id}", json={"active": True}, headers=headers).status_code == 200
    assert browser.get("/young-people").status_code == 302


def test_an_administrator_cannot_disable_their_own_account(client, admin):
    user, headers = admin
    body = envelope(client.patch(f"{USERS}/{user.id}", json={"active": False}, headers=headers), 422)
    assert list(body["errors"]) == ["active"]


def test_an_administrator_renames_an_account_and_it_is_audited_by_field(client, session, admin):
    _admin, headers = admin
    keyworker = make_user(session, "keyworker")
    response = client.patch(f"{USERS}/{keyworker.id}", json={"name": "Renamed Person"}, headers=headers)
    assert response.get_json()["name"] == "Renamed Person"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.object_type == "user", AuditEvent.object_id == keyworker.id))
    assert event.detail == {"fields": ["name"]}


def test_an_unknown_user_is_404(client, admin):
    _admin, headers = admin
    envelope(client.get(f"{USERS}/999999", headers=headers), 404)
    envelope(client.patch(f"{USERS}/999999", json={"name": "X"}, headers=headers), 404)


# --- providers ---------------------------------------------------------------------------

def test_an_administrator_adds_a_provider_with_a_urn_and_ukprn(client, session, admin):
    _admin, headers = admin
    response = client.post(PROVIDERS, json={"name": "Fernhill School", "kind": "special_school", "urn": "123456", "ukprn": "10012345", "postcode": "ns1 2ab"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["urn"], body["ukprn"], body["postcode"], body["active"]) == ("123456", "10012345", "NS1 2AB", True)
    assert session.get(Provider, body["id"]).name == "Fernhill School"


@pytest.mark.parametrize(
    "values, field",
    [
        ({"urn": "12345"}, "urn"),
        ({"urn": "12345A"}, "urn"),
        ({"urn": "12345678"}, "urn"),
        ({"ukprn": "20001234"}, "ukprn"),
        ({"ukprn": "1000123"}, "ukprn"),
        ({"ukprn": "1000123X"}, "ukprn"),
        ({"kind": "spaceship"}, "kind"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_provider_identifiers_are_a_422_naming_the_field(client, admin, values, field):
    _admin, headers = admin
    body = envelope(client.post(PROVIDERS, json={"name": "A provider", "kind": "college", **values}, headers=headers), 422)
    assert field in body["errors"]


def test_a_urn_or_ukprn_already_in_use_is_a_422(client, session, admin):
    _admin, headers = admin
    make_provider(session, urn="7654321", ukprn="10099999")
    body = envelope(client.post(PROVIDERS, json={"name": "Copy", "kind": "school", "urn": "7654321", "ukprn": "10099999"}, headers=headers), 422)
    assert set(body["errors"]) == {"urn", "ukprn"}


def test_patching_a_provider_checks_identifiers_too(client, session, admin):
    _admin, headers = admin
    provider = make_provider(session, urn="100001")
    make_provider(session, urn="100002")
    assert "urn" in envelope(client.patch(f"{PROVIDERS}/{provider.id}", json={"urn": "100002"}, headers=headers), 422)["errors"]
    assert "ukprn" in envelope(client.patch(f"{PROVIDERS}/{provider.id}", json={"ukprn": "99"}, headers=headers), 422)["errors"]
    response = client.patch(f"{PROVIDERS}/{provider.id}", json={"urn": "100001", "ukprn": "10000001", "active": False}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["ukprn"], response.get_json()["active"]) == ("10000001", False)


def test_every_staff_role_can_read_providers_and_search_them(client, session, api_user):
    fernhill = make_provider(session, name="Fernhill School", urn="222222")
    make_provider(session, name="Brook College", kind="college", ukprn="10055555")
    for role in ("admin", "manager", "keyworker", "college"):
        _user, headers = api_user(role)
        assert {item["id"] for item in client.get(f"{PROVIDERS}?q=fernhill", headers=headers).get_json()} == {fernhill.id}, role
        assert {item["id"] for item in client.get(f"{PROVIDERS}?q=222222", headers=headers).get_json()} == {fernhill.id}, role
        assert client.get(f"{PROVIDERS}/{fernhill.id}", headers=headers).get_json()["name"] == "Fernhill School"
    _user, headers = api_user("keyworker")
    assert {item["kind"] for item in client.get(f"{PROVIDERS}?kind=college", headers=headers).get_json()} == {"college"}


@pytest.mark.parametrize("role", ["manager", "keyworker", "college"])
def test_only_administrators_change_providers(client, session, api_user, role):
    _user, headers = api_user(role)
    provider = make_provider(session)
    envelope(client.post(PROVIDERS, json={"name": "New", "kind": "school"}, headers=headers), 403)
    envelope(client.patch(f"{PROVIDERS}/{provider.id}", json={"name": "Renamed"}, headers=headers), 403)
    assert session.get(Provider, provider.id).name != "Renamed"


def test_an_unknown_provider_is_404(client, admin):
    _admin, headers = admin
    envelope(client.get(f"{PROVIDERS}/999999", headers=headers), 404)
