"""/api/v1/outcome-reports: the report shape, files, errors, who may ask, and the audit trail."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.outcomes import services
from tests.api.conftest import bearer, envelope
from tests.factories import make_user
from tests.outcomes.cohort import CLOSED, COHORT, build_cohort

URL = "/api/v1/outcome-reports"
TABLE_KEYS = {"name", "title", "row_labels", "column_labels", "cells", "row_totals", "column_totals", "total", "percentages"}


@pytest.fixture(autouse=True)
def report_date(monkeypatch):
    monkeypatch.setattr("destinations.outcomes.api.today", lambda: CLOSED)


@pytest.fixture
def world(session):
    return build_cohort(session)


@pytest.fixture
def manager(session, world):
    return bearer(session, world.manager)


def exports(session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.object_type == "report").order_by(AuditEvent.id)))


def test_a_manager_gets_the_report_in_the_api_shape(client, world, manager):
    response = client.get(f"{URL}?cohort=year11-2022", headers=manager)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"generated_at", "parameters", "tables", "comparison"}
    assert body["parameters"]["cohort"] == "year11-2022" and body["parameters"]["basis"] == "live"
    assert [t["name"] for t in body["tables"]] == [
        "outcomes_by_sen_provision", "sustained_by_sen_provision",
        "outcomes_by_pathway", "sustained_by_pathway",
        "outcomes_by_primary_need", "sustained_by_primary_need",
    ]  # fmt: skip
    for t in body["tables"]:
        assert set(t) == TABLE_KEYS
        assert t["total"] == 22
        assert all(n == "c" or n == 0 or n >= 5 for row in t["cells"] for n in row)
    assert body["comparison"]["percentages"][-2][0] == 90.2


def test_the_stored_report_is_served_once_the_cohort_is_evaluated(client, session, world, manager):
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    body = client.get(f"{URL}?cohort=year11-2022", headers=manager).get_json()
    assert body["parameters"]["basis"] == "stored" and body["parameters"]["evaluated_at"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", "cohort=year11-2022"),
        ("?cohort=year12-2022", "year11, year13, transition"),
        ("?cohort=2022", "for example year11-2022"),
        ("?cohort=year11-1850", "from 2000"),
        ("?cohort=year11-2023", "1 October 2023"),  # its destination year has not begun
    ],
)
def test_a_bad_cohort_is_refused_with_what_to_write_instead(client, world, manager, query, words):
    body = envelope(client.get(f"{URL}{query}", headers=manager), 422)
    assert "cohort" in body["errors"]
    assert words in " ".join(body["errors"]["cohort"])


def test_a_bad_format_is_refused(client, world, manager):
    body = envelope(client.get(f"{URL}?cohort=year11-2022&format=pdf", headers=manager), 422)
    assert "format" in body["errors"]


def test_the_csv_has_the_same_numbers_and_the_download_is_audited(client, session, world, manager):
    body = client.get(f"{URL}?cohort=year11-2022", headers=manager).get_json()
    response = client.get(f"{URL}?cohort=year11-2022&format=csv", headers=manager)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="outcome-report-year11-2022.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_provision = body["tables"][0]
    title = rows.index([by_provision["title"]])
    assert rows[title + 1] == ["", *by_provision["column_labels"], "Total"]
    assert rows[title + 2] == ["EHC plan", *[str(n) for n in by_provision["cells"][0]], str(by_provision["row_totals"][0])]
    assert any(row[:2] == ["England, EHC plans, 2021/22", "90.2"] for row in rows)
    events = exports(session)
    assert len(events) == 1
    assert events[0].detail == {"kind": "cohort_outcomes", "cohort": "year11-2022", "format": "csv"}


def test_the_xlsx_has_a_sheet_per_table_and_is_audited(client, session, world, manager):
    response = client.get(f"{URL}?cohort=year11-2022&format=xlsx", headers=manager)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert "outcomes_by_pathway" in workbook.sheetnames and "comparison" in workbook.sheetnames
    assert exports(session)[0].detail["format"] == "xlsx"


def test_viewing_the_report_is_audited_without_personal_details(client, session, world, manager):
    client.get(f"{URL}?cohort=year11-2022", headers=manager)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.object_type == "report"))
    assert event.detail == {"kind": "cohort_outcomes", "cohort": "year11-2022", "format": "json"}
    assert event.object_id is None


@pytest.mark.parametrize("role", ["keyworker", "college", "admin"])
def test_only_managers_get_outcome_reports(client, session, world, role):
    headers = bearer(session, make_user(session, role))
    for path in (f"{URL}?cohort=year11-2022", f"{URL}?cohort=year11-2022&format=csv", f"{URL}/long-term?cohort=transition-2024", f"{URL}/cohorts"):
        envelope(client.get(path, headers=headers), 403)
    assert exports(session) == []


def test_without_a_token_the_report_needs_authentication(client, world):
    envelope(client.get(f"{URL}?cohort=year11-2022"), 401)


def test_the_cohorts_say_which_have_stored_outcomes(client, session, world, manager):
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    cohorts = client.get(f"{URL}/cohorts", headers=manager).get_json()
    assert cohorts == [
        {
            "key": "year11-2022", "label": "Year 11 leavers, summer 2022", "destination_year": "2022/23",
            "window_start": "2022-10-01", "window_end": "2023-03-31", "window_closed": True,
            "evaluated_at": cohorts[0]["evaluated_at"],
        }
    ]  # fmt: skip
    assert cohorts[0]["evaluated_at"]


def test_long_term_outcomes_are_for_transition_cohorts_only(client, world, manager):
    body = envelope(client.get(f"{URL}/long-term?cohort=year11-2022", headers=manager), 422)
    assert "transition-2022" in " ".join(body["errors"]["cohort"])


def test_the_openapi_document_describes_the_outcome_reports(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/outcome-reports" in paths and "/api/v1/outcome-reports/long-term" in paths
    parameters = {p["name"] for p in paths["/api/v1/outcome-reports"]["get"]["parameters"]}
    assert {"cohort", "format"} <= parameters
