import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.providers.models import Provider
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_provider, make_user

URN_MESSAGE = "URN must be 6 or 7 digits, like 123456"
UKPRN_MESSAGE = "UKPRN must be 8 digits starting with 1, like 10001234"
STALE_MESSAGE = "Someone else changed this provider while you were editing. Check the current details below and save again."


@pytest.fixture
def admin(client, session):
    user = make_user(session, "admin")
    sign_in(client, user)
    return user


def provider_form(**values):
    return {"name": "Northshire College", "kind": "college", "urn": "", "ukprn": "10004567", "postcode": "ns1 2ab", "active": "y", **values}


def test_administrator_searches_providers_by_name_urn_and_ukprn(client, session, admin):
    make_provider(session, name="Hilltop School", urn="123456")
    make_provider(session, name="Riverside College", kind="college", ukprn="10001234")
    by_name = client.get("/admin/providers?q=hill").get_data(as_text=True)
    assert "Hilltop School" in by_name and "Riverside College" not in by_name
    assert "Riverside College" in client.get("/admin/providers?q=10001234").get_data(as_text=True)
    assert "Hilltop School" in client.get("/admin/providers?q=123456").get_data(as_text=True)
    assert "No providers match" in client.get("/admin/providers?q=nowhere").get_data(as_text=True)


def test_provider_list_is_paginated_fifty_to_a_page_keeping_the_search(client, session, admin):
    for n in range(55):
        make_provider(session, name=f"Paged Academy {n:02d}")
    first = client.get("/admin/providers?q=paged").get_data(as_text=True)
    assert "Showing 1 to 50 of 55 providers" in first
    assert "Paged Academy 49" in first and "Paged Academy 50" not in first
    assert 'href="/admin/providers?page=2&amp;q=paged"' in first
    second = client.get("/admin/providers?q=paged&page=2").get_data(as_text=True)
    assert "Showing 51 to 55 of 55 providers" in second and "Paged Academy 54" in second


@pytest.mark.parametrize("role", ["keyworker", "college", "manager"])
@pytest.mark.parametrize("url", ["/admin/providers", "/admin/providers/new", "/admin/providers/{id}/edit"])
def test_provider_pages_are_refused_to_everyone_but_administrators(client, session, role, url):
    provider = make_provider(session)
    sign_in(client, make_user(session, role))
    assert client.get(url.format(id=provider.id)).status_code == 403


def test_administrator_adds_a_provider(client, session, admin):
    response = post_form(client, "/admin/providers/new", provider_form())
    assert response.status_code == 302
    provider = session.scalar(select(Provider).where(Provider.ukprn == "10004567"))
    assert provider.name == "Northshire College" and provider.postcode == "NS1 2AB" and provider.active
    assert "Northshire College has been added" in client.get(response.headers["Location"]).get_data(as_text=True)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.object_type == "provider"))
    assert event.object_id == provider.id and event.actor_id == admin.id


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"urn": "12345"}, "urn", URN_MESSAGE),
        ({"urn": "12345678"}, "urn", URN_MESSAGE),
        ({"urn": "12A456"}, "urn", URN_MESSAGE),
        ({"ukprn": "20001234"}, "ukprn", UKPRN_MESSAGE),
        ({"ukprn": "1000123"}, "ukprn", UKPRN_MESSAGE),
        ({"name": ""}, "name", "Enter the provider&#39;s name"),
        ({"kind": ""}, "kind", "Select the type of provider"),
    ],
)
def test_provider_details_are_checked_and_what_was_typed_is_kept(client, session, admin, values, field, message):
    response = post_form(client, "/admin/providers/new", provider_form(**values))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add a provider" in html
    assert f'href="#{field}">{message}' in html
    assert 'value="NS1 2AB"' in html or 'value="ns1 2ab"' in html
    assert session.scalar(select(Provider).where(Provider.postcode.in_(("NS1 2AB", "ns1 2ab")))) is None


def test_a_urn_another_provider_has_is_refused(client, session, admin):
    make_provider(session, urn="765432")
    html = post_form(client, "/admin/providers/new", provider_form(urn="765432", kind="school")).get_data(as_text=True)
    assert 'href="#urn">Another provider already has this URN' in html


def test_administrator_changes_a_provider_and_closes_it(client, session, admin):
    provider = make_provider(session, name="Old Name School", urn="111111")
    page = client.get(f"/admin/providers/{provider.id}/edit").get_data(as_text=True)
    assert 'value="Old Name School"' in page and f'name="version" type="hidden" value="{provider.version}"' in page
    data = {"name": "New Name School", "kind": "school", "urn": "111111", "ukprn": "", "postcode": "", "version": str(provider.version), "csrf_token": csrf_from(page)}
    response = client.post(f"/admin/providers/{provider.id}/edit", data=data)
    assert response.status_code == 302
    session.refresh(provider)
    assert provider.name == "New Name School" and provider.active is False
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.object_id == provider.id))
    assert event.object_type == "provider" and event.detail == {"fields": ["active", "name"]}


def test_a_stale_provider_edit_is_refused_keeping_what_was_typed(client, session, admin):
    provider = make_provider(session, name="Shared School", urn="222222")
    page = client.get(f"/admin/providers/{provider.id}/edit").get_data(as_text=True)
    opened_version = provider.version
    # Someone else saves first.
    provider.postcode = "NS9 9ZZ"
    session.flush()
    assert provider.version == opened_version + 1

    data = {"name": "My Typed Name", "kind": "school", "urn": "222222", "ukprn": "", "postcode": "", "active": "y", "version": str(opened_version), "csrf_token": csrf_from(page)}
    response = client.post(f"/admin/providers/{provider.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Change Shared School" in html
    assert f'href="#current-details">{STALE_MESSAGE}' in html
    assert 'id="current-details"' in html and "NS9 9ZZ" in html
    assert 'value="My Typed Name"' in html
    assert f'name="version" type="hidden" value="{provider.version}"' in html
    session.refresh(provider)
    assert provider.name == "Shared School"

    # Saving again, having seen the other change, goes through.
    again = client.post(f"/admin/providers/{provider.id}/edit", data={**data, "version": str(provider.version)})
    assert again.status_code == 302
    session.refresh(provider)
    assert provider.name == "My Typed Name"


def test_an_unknown_provider_is_not_found(client, session, admin):
    assert client.get("/admin/providers/999999/edit").status_code == 404
