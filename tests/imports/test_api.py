"""The imports API: dry runs, imports, scopes, the envelope for bad files, and the OpenAPI document."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from destinations.people.models import YoungPerson
from tests.api.conftest import api_user, envelope  # noqa: F401  (api_user is a fixture)
from tests.imports.conftest import csv_bytes, person_row, upn, xlsx_bytes

URL = "/api/v1/imports/young-people"


def post(client, headers, data: bytes | None, dry_run: str | None = "true", url: str = URL, name: str = "people.csv"):
    form = {}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    if dry_run is not None:
        form["dry_run"] = dry_run
    return client.post(url, data=form, headers=headers, content_type="multipart/form-data")


def people_count(session) -> int:
    return session.scalar(select(func.count()).select_from(YoungPerson))


def test_a_dry_run_answers_the_counts_and_writes_nothing(session, client, api_user):
    _manager, headers = api_user("manager")
    before = people_count(session)
    response = post(client, headers, csv_bytes([person_row(1), person_row(2)]))
    assert response.status_code == 200
    body = response.get_json()
    assert {key: body[key] for key in ("created", "updated", "unchanged", "errors", "dry_run", "imported", "rows", "error_count")} == {
        "created": 2, "updated": 0, "unchanged": 0, "errors": [], "dry_run": True, "imported": False, "rows": 2, "error_count": 0
    }
    assert isinstance(body["import_id"], int)
    assert people_count(session) == before


def test_dry_run_false_imports_and_a_second_time_changes_nothing(session, client, api_user):
    _manager, headers = api_user("manager")
    data = xlsx_bytes([person_row(1), person_row(2)])
    first = post(client, headers, data, "false", name="people.xlsx").get_json()
    assert (first["created"], first["imported"]) == (2, True)
    second = post(client, headers, data, "false", name="people.xlsx").get_json()
    assert (second["created"], second["updated"], second["unchanged"], second["imported"]) == (0, 0, 2, True)


def test_row_problems_come_back_as_row_column_and_message_and_nothing_is_written(session, client, api_user):
    _manager, headers = api_user("manager")
    before = people_count(session)
    body = post(client, headers, csv_bytes([person_row(1), person_row(2, primary_need="NOPE")]), "false").get_json()
    assert body["imported"] is False and body["error_count"] == 1
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 0)
    [error] = body["errors"]
    assert (error["row"], error["column"]) == (3, "primary_need")
    assert error["message"].startswith("Primary need must be one of the school census codes")
    assert people_count(session) == before


def test_dry_run_defaults_to_true(session, client, api_user):
    _manager, headers = api_user("manager")
    body = post(client, headers, csv_bytes([person_row(1)]), None).get_json()
    assert body["dry_run"] is True and body["imported"] is False


def test_a_token_without_the_write_scope_cannot_import(session, client, api_user):
    _manager, headers = api_user("manager", scopes=("read",))
    response = post(client, headers, csv_bytes([person_row(1)]), "false")
    body = envelope(response, 403)
    assert "needs an API token with the 'write' scope" in body["message"]
    assert "dry_run=true" in body["message"]
    assert body["errors"] == {"dry_run": [body["message"]]}
    assert session.scalar(select(YoungPerson).where(YoungPerson.upn == upn(1))) is None


def test_a_read_only_token_can_check_a_file_with_a_dry_run(session, client, api_user):
    _manager, headers = api_user("manager", scopes=("read",))
    for url in (URL, "/api/v1/imports/destinations"):
        response = post(client, headers, csv_bytes([person_row(1)]), "true", url=url)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["dry_run"] is True and response.get_json()["imported"] is False
    body = post(client, headers, csv_bytes([person_row(1)]), None).get_json()
    assert (body["dry_run"], body["created"]) == (True, 1)
    assert session.scalar(select(YoungPerson).where(YoungPerson.upn == upn(1))) is None


def test_a_read_only_token_cannot_import_destinations_either(session, client, api_user):
    _manager, headers = api_user("manager", scopes=("read",))
    assert "'write' scope" in envelope(post(client, headers, csv_bytes([person_row(1)]), "false", url="/api/v1/imports/destinations"), 403)["message"]


def test_a_write_only_token_can_import_but_not_check(session, client, api_user):
    _manager, headers = api_user("manager", scopes=("write",))
    assert "'read' scope" in envelope(post(client, headers, csv_bytes([person_row(1)]), "true"), 403)["message"]
    assert post(client, headers, csv_bytes([person_row(1)]), "false").get_json()["imported"] is True


def test_only_managers_may_import(session, client, api_user):
    for role in ("keyworker", "college", "admin"):
        _user, headers = api_user(role)
        envelope(post(client, headers, csv_bytes([person_row(1)])), 403)
    envelope(post(client, {}, csv_bytes([person_row(1)])), 401)


def test_a_missing_file_or_a_bad_dry_run_value_is_a_422(session, client, api_user):
    _manager, headers = api_user("manager")
    assert "file" in envelope(post(client, headers, None), 422)["errors"]
    assert "dry_run" in envelope(post(client, headers, csv_bytes([person_row(1)]), "perhaps"), 422)["errors"]


def test_an_unreadable_file_is_a_422_saying_why(session, client, api_user):
    _manager, headers = api_user("manager")
    body = envelope(post(client, headers, b"\xd0\xcf\x11\xe0" + b"\x00" * 64, name="old.xls"), 422)
    assert "older Excel file (.xls)" in body["message"]
    assert body["errors"]["file"] == [body["message"]]


def test_a_file_over_the_limit_is_a_413_with_the_envelope(session, client, api_user, app, monkeypatch):
    _manager, headers = api_user("manager")
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 3000)
    body = envelope(post(client, headers, csv_bytes([person_row(n) for n in range(1, 60)])), 413)
    assert "over the 3 KB limit" in body["message"]


def test_a_request_far_over_the_limit_is_refused_before_its_body_is_read(session, client, api_user, app, monkeypatch):
    _manager, headers = api_user("manager")
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1000)
    body = envelope(post(client, headers, b"upn\r\n" + b"x" * 200_000), 413)
    assert "Split it into smaller files" in body["message"]


def test_destinations_import_through_the_api(session, client, api_user):
    from datetime import date

    from tests.factories import make_person

    make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    _manager, headers = api_user("manager")
    data = csv_bytes([[upn(1), "230", "01/09/2025"]], ["upn", "activity_code", "started_on"])
    body = post(client, headers, data, "false", url="/api/v1/imports/destinations").get_json()
    assert (body["created"], body["imported"]) == (1, True), body


def test_the_imports_are_documented_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/imports/young-people", "/api/v1/imports/destinations"):
        operation = spec["paths"][path]["post"]
        body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
        schema = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]] if "$ref" in body else body
        assert schema["properties"]["file"] == {"type": "string", "format": "binary", "description": schema["properties"]["file"]["description"]}
        assert schema["properties"]["dry_run"]["type"] == "boolean"
        assert {"200", "413", "422"} <= set(operation["responses"])
