import re

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.auth import services as auth_services
from destinations.auth.models import StaffSession, User
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_person, make_provider, make_user

BANNER_PASSWORD = re.compile(r'Their password is <strong class="app-break-anywhere">([^<]+)</strong>')


def events(session, action, object_type="user", object_id=None):
    query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    return list(session.scalars(query))


def signed_in_admin(client, session):
    admin = make_user(session, "admin")
    sign_in(client, admin)
    return admin


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/new"])
def test_administrator_can_open_the_staff_pages(client, session, url):
    signed_in_admin(client, session)
    response = client.get(url)
    assert response.status_code == 200
    assert "govuk-heading-l" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["keyworker", "college", "manager"])
@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/new", "/admin/users/{id}", "/admin/users/{id}/reset-password"])
def test_staff_pages_are_refused_to_everyone_but_administrators(client, session, role, url):
    other = make_user(session, "keyworker")
    sign_in(client, make_user(session, role))
    assert client.get(url.format(id=other.id)).status_code == 403


def test_staff_list_shows_each_account_and_filters_by_role(client, session):
    signed_in_admin(client, session)
    college = make_provider(session, name="Riverside College", kind="college")
    make_user(session, "college", name="Cora College", provider_id=college.id)
    make_user(session, "keyworker", name="Kit Keyworker", active=False)
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Cora College" in html and "Riverside College" in html
    assert "Kit Keyworker" in html and "Disabled" in html
    filtered = client.get("/admin/users?role=college").get_data(as_text=True)
    assert "Cora College" in filtered
    assert "Kit Keyworker" not in filtered


def test_new_staff_form_offers_only_college_kinds_of_provider(client, session):
    signed_in_admin(client, session)
    make_provider(session, name="Hilltop Sixth Form", kind="sixth_form_college")
    make_provider(session, name="Lowfield Primary", kind="school")
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert "None (area-wide reports only)" in html
    assert "Hilltop Sixth Form" in html
    assert "Lowfield Primary" not in html


def test_administrator_adds_a_keyworker_and_sees_the_generated_password_once(client, session):
    admin = signed_in_admin(client, session)
    response = post_form(client, "/admin/users/new", {"name": "Pat Keyworker", "email": "Pat.Keyworker@council.example", "role": "keyworker", "provider_id": "", "password": ""})
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "pat.keyworker@council.example"))
    assert user.role == "keyworker" and user.active and user.provider_id is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    password = BANNER_PASSWORD.search(page).group(1)
    assert "Pass it on securely" in page
    assert len(password) >= auth_services.MIN_PASSWORD_LENGTH
    assert password not in client.get(response.headers["Location"]).get_data(as_text=True)
    [event] = events(session, "create", object_id=user.id)
    assert event.actor_id == admin.id and event.detail["password_generated"] is True
    assert password not in str(event.detail)
    # The new person can sign in with it.
    sign_in(client.application.test_client(), user, password)


def test_administrator_adds_a_college_user_for_their_provider(client, session):
    signed_in_admin(client, session)
    college = make_provider(session, name="Riverside College", kind="college")
    response = post_form(client, "/admin/users/new", {"name": "Cy Tutor", "email": "cy@riverside.example", "role": "college", "provider_id": str(college.id), "password": "a long chosen password"})
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "cy@riverside.example"))
    assert user.provider_id == college.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "with the password you chose" in page and "a long chosen password" not in page


def test_a_provider_left_selected_is_ignored_when_the_role_is_not_college(client, session):
    signed_in_admin(client, session)
    college = make_provider(session, kind="college")
    response = post_form(client, "/admin/users/new", {"name": "Mo Manager", "email": "mo@council.example", "role": "manager", "provider_id": str(college.id)})
    assert response.status_code == 302
    assert session.scalar(select(User).where(User.email == "mo@council.example")).provider_id is None


def test_duplicate_email_is_refused_on_the_email_field_and_the_typed_name_is_kept(client, session):
    signed_in_admin(client, session)
    existing = make_user(session, "keyworker")
    response = post_form(client, "/admin/users/new", {"name": "Sam Second-Account", "email": existing.email.upper(), "role": "manager"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add a staff member" in html
    assert "There is a problem" in html
    assert f'href="#email">There is already an account for {existing.email}.' in html
    assert 'value="Sam Second-Account"' in html
    assert 'value="manager" checked' in html


def test_missing_answers_are_each_explained(client, session):
    signed_in_admin(client, session)
    html = post_form(client, "/admin/users/new", {"name": "", "email": "", "password": "short"}).get_data(as_text=True)
    assert "Enter the person&#39;s full name" in html
    assert "Enter their email address" in html
    assert "Select their role" in html


def test_a_chosen_password_that_is_too_short_is_refused_on_the_password_field(client, session):
    signed_in_admin(client, session)
    html = post_form(client, "/admin/users/new", {"name": "Al", "email": "al@council.example", "role": "keyworker", "password": "short"}).get_data(as_text=True)
    assert 'href="#password">Password must be at least 12 characters long.' in html
    assert 'value="al@council.example"' in html
    assert session.scalar(select(User).where(User.email == "al@council.example")) is None


def test_administrator_renames_a_staff_member(client, session):
    signed_in_admin(client, session)
    other = make_user(session, "keyworker", name="Old Name")
    page = client.get(f"/admin/users/{other.id}/name").get_data(as_text=True)
    assert 'value="Old Name"' in page
    response = client.post(f"/admin/users/{other.id}/name", data={"name": "New Name", "version": str(other.version), "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    session.refresh(other)
    assert other.name == "New Name"
    assert events(session, "update", object_id=other.id)[0].detail == {"fields": ["name"]}


def test_a_stale_rename_is_refused_keeping_what_was_typed(client, session):
    signed_in_admin(client, session)
    other = make_user(session, "keyworker", name="First Name")
    page = client.get(f"/admin/users/{other.id}/name").get_data(as_text=True)
    opened_version = other.version
    other.name = "Changed Elsewhere"
    session.flush()
    data = {"name": "My Typed Name", "version": str(opened_version), "csrf_token": csrf_from(page)}
    html = client.post(f"/admin/users/{other.id}/name", data=data).get_data(as_text=True)
    assert 'href="#current-details">Someone else changed this account while you were editing.' in html
    assert "Changed Elsewhere" in html and 'value="My Typed Name"' in html
    assert f'name="version" type="hidden" value="{other.version}"' in html


def test_disabling_a_user_ends_the_session_they_already_have(app, client, session):
    signed_in_admin(client, session)
    keyworker = make_user(session, "keyworker")
    theirs = app.test_client()
    sign_in(theirs, keyworker)
    assert theirs.get("/young-people").status_code == 200

    confirm = client.get(f"/admin/users/{keyworker.id}/disable")
    assert "Disable account" in confirm.get_data(as_text=True)
    response = client.post(f"/admin/users/{keyworker.id}/disable", data={"csrf_token": csrf_from(confirm.get_data(as_text=True))})
    assert response.status_code == 302
    assert "is disabled and they have been signed out" in client.get(response.headers["Location"]).get_data(as_text=True)

    after = theirs.get("/young-people")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/sign-in")
    session.expire_all()
    assert not session.get(User, keyworker.id).active
    assert all(row.ended_at is not None for row in session.scalars(select(StaffSession).where(StaffSession.user_id == keyworker.id)))
    assert events(session, "disable", object_id=keyworker.id)


def test_a_disabled_user_can_be_enabled_again(client, session):
    signed_in_admin(client, session)
    other = make_user(session, "manager", active=False)
    page = client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    assert "Enable account" in page
    response = client.post(f"/admin/users/{other.id}/enable", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, other.id).active
    assert events(session, "update", object_id=other.id)[0].detail == {"fields": ["active"]}


def test_administrator_cannot_disable_their_own_account(client, session):
    admin = signed_in_admin(client, session)
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Disable account" not in page
    response = client.post(f"/admin/users/{admin.id}/disable", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert "You cannot disable your own account" in client.get(response.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert session.get(User, admin.id).active


def test_resetting_a_password_shows_the_new_one_once_and_signs_them_out(app, client, session):
    signed_in_admin(client, session)
    keyworker = make_user(session, "keyworker")
    theirs = app.test_client()
    sign_in(theirs, keyworker)

    confirm = client.get(f"/admin/users/{keyworker.id}/reset-password")
    response = client.post(f"/admin/users/{keyworker.id}/reset-password", data={"csrf_token": csrf_from(confirm.get_data(as_text=True))})
    assert response.status_code == 302
    password = BANNER_PASSWORD.search(client.get(response.headers["Location"]).get_data(as_text=True)).group(1)

    assert theirs.get("/young-people").status_code == 302
    fresh = app.test_client()
    page = fresh.get("/sign-in")
    old = fresh.post("/sign-in", data={"email": keyworker.email, "password": "correct horse battery staple", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert old.status_code == 200  # the old password no longer works
    sign_in(fresh, keyworker, password)
    [event] = events(session, "update", object_id=keyworker.id)
    assert event.detail["fields"] == ["password"]


def test_revoking_a_token_stops_it_reaching_the_api(client, session):
    signed_in_admin(client, session)
    keyworker = make_user(session, "keyworker")
    make_person(session, keyworker=keyworker)
    token, value = auth_services.create_token(session, keyworker, name="Case system")
    session.flush()
    headers = {"Authorization": f"Bearer {value}"}
    assert client.get("/api/v1/young-people", headers=headers).status_code == 200

    page = client.get(f"/admin/users/{keyworker.id}").get_data(as_text=True)
    assert token.prefix in page and "Case system" in page and "read, write" in page
    response = client.post(f"/admin/users/{keyworker.id}/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert "Revoked" in client.get(f"/admin/users/{keyworker.id}").get_data(as_text=True)

    assert client.get("/api/v1/young-people", headers=headers).status_code == 401
    [event] = events(session, "token_revoked", object_id=keyworker.id)
    assert event.detail == {"token_id": token.id}


def test_a_token_of_another_user_cannot_be_revoked_through_the_wrong_account(client, session):
    signed_in_admin(client, session)
    owner, other = make_user(session, "keyworker"), make_user(session, "keyworker")
    token, _ = auth_services.create_token(session, owner)
    page = client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    assert client.post(f"/admin/users/{other.id}/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(page)}).status_code == 404


def test_state_changing_staff_actions_need_the_csrf_token(client, session):
    signed_in_admin(client, session)
    other = make_user(session, "keyworker")
    assert client.post(f"/admin/users/{other.id}/disable").status_code == 400
    session.expire_all()
    assert session.get(User, other.id).active
