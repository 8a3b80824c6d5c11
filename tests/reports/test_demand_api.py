"""The demand reports API: live reports for managers, published snapshots for colleges, files, audit."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.reports.models import PublishedReport
from tests.api.conftest import bearer, envelope
from tests.factories import make_user
from tests.reports.test_demand import TODAY, build_world, cell, table

LIVE = "/api/v1/demand-reports"
PUBLISHED = "/api/v1/demand-reports/published"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def report_date(monkeypatch):
    monkeypatch.setattr("destinations.reports.api.today", lambda: TODAY)


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.fixture
def manager(session, world):
    return bearer(session, world.manager)


def publish(client, headers, year="2027/28") -> dict:
    response = client.post(PUBLISHED, json={"academic_year": year}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def college_headers(session, provider=None):
    return bearer(session, make_user(session, "college", provider_id=provider.id if provider else None))


def test_a_manager_gets_the_live_report_protected(client, world, manager):
    response = client.get(f"{LIVE}?academic_year=2027/28", headers=manager)
    assert response.status_code == 200
    report = response.get_json()
    assert set(report) == {"generated_at", "parameters", "tables"}
    assert report["parameters"] == {"academic_year": "2027/28", "k": 5, "round_to": None}
    assert cell(table(report, "route_by_level"), "Apprenticeship", "Level 2") == "c"
    assert table(report, "route_by_level")["total"] == 14


def test_the_live_report_defaults_to_next_academic_year(client, world, manager):
    assert client.get(LIVE, headers=manager).get_json()["parameters"]["academic_year"] == "2027/28"
    assert table(client.get(f"{LIVE}?academic_year=2029/30", headers=manager).get_json(), "route_by_level")["total"] == 0


def test_a_manager_gets_a_providers_slice(client, world, manager):
    report = client.get(f"{LIVE}?academic_year=2027/28&provider_id={world.other.id}", headers=manager).get_json()
    assert report["parameters"]["provider_id"] == world.other.id
    assert "coverage" not in {t["name"] for t in report["tables"]}
    envelope(client.get(f"{LIVE}?provider_id=999999", headers=manager), 404)


def test_a_bad_academic_year_is_refused(client, world, manager):
    body = envelope(client.get(f"{LIVE}?academic_year=2027/29", headers=manager), 422)
    assert "academic_year" in str(body["errors"])
    envelope(client.get(f"{LIVE}?format=pdf", headers=manager), 422)


def test_publishing_answers_with_the_area_wide_snapshot_and_the_number_of_slices(client, session, world, manager):
    result = publish(client, manager)
    assert result["slices"] == 2 and result["academic_year"] == "2027/28"
    snapshot = client.get(f"{PUBLISHED}/{result['id']}", headers=manager).get_json()
    assert snapshot["provider_id"] is None
    assert table(snapshot, "route_by_level")["total"] == 14
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.object_type == "report")).object_id == result["id"]


def test_a_published_snapshot_does_not_change_when_reviews_do(client, session, world, manager):
    from tests.reports.test_demand import intend, step

    result = publish(client, manager)
    before = client.get(f"{PUBLISHED}/{result['id']}", headers=manager).get_json()
    for _ in range(5):
        intend(session, world, [step("apprenticeship", "level_2", "4")])
    after = client.get(f"{PUBLISHED}/{result['id']}", headers=manager).get_json()
    assert after == before
    assert table(client.get(f"{LIVE}?academic_year=2027/28", headers=manager).get_json(), "route_by_level")["total"] == 19


def test_only_managers_publish_and_see_live_reports(client, session, world):
    college = college_headers(session, world.college)
    envelope(client.post(PUBLISHED, json={"academic_year": "2027/28"}, headers=college), 403)
    envelope(client.get(LIVE, headers=college), 403)
    envelope(client.get(PUBLISHED, headers=bearer(session, make_user(session, "keyworker"))), 403)


def test_a_college_sees_area_wide_snapshots_and_its_own_slice_only(client, session, world, manager):
    area_id = publish(client, manager)["id"]
    snapshots = {s.provider_id: s.id for s in session.scalars(select(PublishedReport))}
    college = college_headers(session, world.college)
    listed = client.get(PUBLISHED, headers=college).get_json()
    assert {item["id"] for item in listed} == {area_id, snapshots[world.college.id]}
    assert {item["provider_name"] for item in listed} == {None, "Northshire College"}
    own = client.get(f"{PUBLISHED}/{snapshots[world.college.id]}", headers=college)
    assert own.status_code == 200 and own.get_json()["parameters"]["provider_id"] == world.college.id
    envelope(client.get(f"{PUBLISHED}/{snapshots[world.other.id]}", headers=college), 404)
    envelope(client.get(f"{PUBLISHED}/{snapshots[world.other.id]}?format=csv", headers=college), 404)


def test_a_college_user_without_a_provider_sees_area_wide_snapshots_only(client, session, world, manager):
    area_id = publish(client, manager)["id"]
    unattached = college_headers(session)
    assert [item["id"] for item in client.get(PUBLISHED, headers=unattached).get_json()] == [area_id]
    slice_id = session.scalar(select(PublishedReport.id).where(PublishedReport.provider_id == world.college.id))
    envelope(client.get(f"{PUBLISHED}/{slice_id}", headers=unattached), 404)
    assert client.get(f"{PUBLISHED}/{area_id}", headers=unattached).status_code == 200


def csv_tables(text: str) -> dict[str, list[list[str]]]:
    """The CSV's blocks, by title: each a list of rows (the header row first)."""
    blocks, current = {}, None
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        if not row:
            current = None
        elif current is None and len(row) == 1:
            current = blocks.setdefault(row[0], [])
        elif current is not None:
            current.append(row)
    return blocks


def expected_rows(t: dict) -> list[list[str]]:
    rows = [["", *t["column_labels"], "Total"]]
    rows += [[label, *map(str, cells), str(total)] for label, cells, total in zip(t["row_labels"], t["cells"], t["row_totals"])]
    rows.append(["Total", *map(str, t["column_totals"]), str(t["total"])])
    return rows


def test_csv_and_xlsx_hold_the_same_numbers_and_cs_as_the_json(client, session, world, manager):
    area_id = publish(client, manager)["id"]
    college = college_headers(session, world.college)
    report = client.get(f"{PUBLISHED}/{area_id}", headers=college).get_json()

    response = client.get(f"{PUBLISHED}/{area_id}?format=csv", headers=college)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    blocks = csv_tables(response.get_data(as_text=True))
    for t in report["tables"]:
        assert blocks[t["title"]][: len(t["row_labels"]) + 2] == expected_rows(t)
    assert "c" in {value for row in blocks[table(report, "route_by_level")["title"]] for value in row}

    response = client.get(f"{PUBLISHED}/{area_id}?format=xlsx", headers=college)
    assert response.status_code == 200 and response.mimetype == XLSX
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames[0] == "Report"
    for t in report["tables"]:
        sheet = workbook[t["name"][:31]]
        assert sheet["A1"].value == t["title"]
        rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(min_row=2, max_row=len(t["row_labels"]) + 3, values_only=True)]
        assert rows == expected_rows(t)
        counts = [value for row in sheet.iter_rows(min_row=3, max_row=len(t["row_labels"]) + 3, values_only=True) for value in row[1:]]
        assert all(isinstance(value, int) or value == "c" for value in counts)  # numbers stay numbers


def test_the_live_report_downloads_as_files_too(client, world, manager):
    csv_response = client.get(f"{LIVE}?academic_year=2027/28&format=csv", headers=manager)
    assert csv_response.status_code == 200 and 'filename="demand-report-2027-28.csv"' in csv_response.headers["Content-Disposition"]
    json_response = client.get(f"{LIVE}?academic_year=2027/28&format=json", headers=manager)
    assert json_response.mimetype == "application/json" and json_response.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"{LIVE}?academic_year=2027/28&format=xlsx", headers=manager).mimetype == XLSX


def test_every_view_and_export_of_a_report_is_audited_without_personal_data(client, session, world, manager):
    area_id = publish(client, manager)["id"]
    college = college_headers(session, world.college)
    client.get(f"{PUBLISHED}/{area_id}", headers=college)
    client.get(f"{PUBLISHED}/{area_id}?format=xlsx", headers=college)
    client.get(f"{LIVE}?academic_year=2027/28&format=csv", headers=manager)
    events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "report").order_by(AuditEvent.id)).all()
    seen = [(event.action, event.object_id, event.detail.get("format")) for event in events]
    assert ("view", area_id, "json") in seen
    assert ("export", area_id, "xlsx") in seen
    assert ("export", None, "csv") in seen
    for event in events:
        assert set(event.detail) <= {"kind", "academic_year", "provider_id", "format", "slices", "count", "page"}
