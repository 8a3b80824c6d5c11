"""List pages must not issue a query per row: the count stays flat as the page grows."""
from __future__ import annotations

from tests.conftest import count_statements, sign_in
from tests.factories import make_person, make_user


def _statements_for(client, url: str) -> int:
    client.get(url)  # warm up: first request loads the session user
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_caseload_page_query_count_does_not_grow_with_the_number_of_rows(client, session):
    manager = make_user(session, "manager")
    keyworkers = [make_user(session, "keyworker") for _ in range(3)]
    for n in range(5):
        make_person(session, by=manager, keyworker=keyworkers[n % 3], pathway=1 + n % 3)
    sign_in(client, manager)
    few = _statements_for(client, "/young-people")
    for n in range(45):
        person = make_person(session, by=manager, keyworker=keyworkers[n % 3], pathway=1 + n % 3)
        person.extensions  # noqa: B018 - loaded; extensions are part of what the page reads
    session.flush()
    many = _statements_for(client, "/young-people")
    assert many == few


def test_young_people_api_query_count_does_not_grow_with_page_size(client, session):
    from destinations.auth.services import create_token

    manager = make_user(session, "manager")
    keyworker = make_user(session, "keyworker")
    for _ in range(40):
        make_person(session, by=manager, keyworker=keyworker)
    _, value = create_token(session, manager)
    session.flush()
    headers = {"Authorization": f"Bearer {value}"}
    client.get("/api/v1/young-people?page_size=5", headers=headers)
    with count_statements() as small:
        client.get("/api/v1/young-people?page_size=5", headers=headers)
    with count_statements() as large:
        client.get("/api/v1/young-people?page_size=40", headers=headers)
    assert len(large) == len(small)
