"""Importing destinations (activity records): NCCIS history in, without duplicates."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from destinations.activities import services as activities
from destinations.activities.models import ActivityRecord
from destinations.audit.models import AuditEvent
from tests.factories import make_person, make_provider, make_user
from tests.imports.conftest import as_excel_date, csv_bytes, messages, problem_cells, upn, xlsx_bytes

TODAY = date(2026, 11, 20)
HEADINGS = ["upn", "activity_code", "started_on", "ended_on", "provider_name", "hours_per_week", "level", "verified"]


def row(n: int, **values) -> dict:
    base = {"upn": upn(n), "activity_code": "230", "started_on": "01/09/2025", "ended_on": "", "provider_name": "", "hours_per_week": "", "level": "", "verified": ""}
    base.update(values)
    return base


def records(session, person) -> list[ActivityRecord]:
    return list(session.scalars(select(ActivityRecord).where(ActivityRecord.young_person_id == person.id).order_by(ActivityRecord.started_on)))


def test_an_nccis_history_imports_as_activity_records(session, importing):
    college = make_provider(session, name="Northshire College", kind="college")
    person = make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    rows = [
        row(1, activity_code="230", started_on="01/09/2024", ended_on="31/07/2025", provider_name="northshire college", level="2", verified="Y"),
        row(1, activity_code="310", started_on="2025-09-01", provider_name="Acme Ltd", hours_per_week="30", level="Level 2"),
    ]
    result = importing(csv_bytes(rows, HEADINGS), kind="destinations", today=TODAY)
    assert result.imported and (result.created, result.updated, result.unchanged) == (2, 0, 0), result.problems
    first, second = records(session, person)
    assert (first.activity_code, first.started_on, first.ended_on, first.provider_id, first.provider_name, first.level, first.verified, first.source) == (
        "230", date(2024, 9, 1), date(2025, 7, 31), college.id, None, "2", True, "import"
    )
    assert (second.activity_code, second.provider_id, second.provider_name, second.hours_per_week, second.level, second.verified) == ("310", None, "Acme Ltd", Decimal("30.0"), "2", False)


def test_reimporting_the_same_rows_creates_nothing_new(session, importing):
    person = make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    data = csv_bytes([row(1), row(1, activity_code="619", started_on="01/08/2025", ended_on="31/08/2025")], HEADINGS)
    assert importing(data, kind="destinations", today=TODAY).created == 2
    again = importing(data, kind="destinations", today=TODAY)
    assert (again.created, again.updated, again.unchanged, again.imported) == (0, 0, 2, True)
    assert len(records(session, person)) == 2


def test_a_later_export_with_an_end_date_updates_the_imported_activity(session, importing):
    person = make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    importing(csv_bytes([row(1)], HEADINGS), kind="destinations", today=TODAY)
    [record] = records(session, person)
    result = importing(csv_bytes([row(1, ended_on="31/07/2026", verified="yes")], HEADINGS), kind="destinations", today=TODAY)
    assert (result.created, result.updated) == (0, 1)
    session.refresh(record)
    assert (record.ended_on, record.verified, record.version) == (date(2026, 7, 31), True, 2)


def test_an_import_never_changes_what_a_keyworker_recorded(session, importing):
    person = make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    keyworker = make_user(session, "keyworker")
    mine = activities.record_activity(session, person, {"activity_code": "230", "started_on": date(2025, 9, 1), "verified": True}, source="keyworker", by=keyworker, today=TODAY)
    result = importing(csv_bytes([row(1, ended_on="01/10/2025", verified="no")], HEADINGS), kind="destinations", today=TODAY)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    session.refresh(mine)
    assert (mine.ended_on, mine.verified, mine.source) == (None, True, "keyworker")


def test_rows_for_young_people_not_on_the_service_or_with_bad_values_are_problems(session, importing):
    make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    rows = [
        row(2),
        row(1, activity_code="999"),
        row(1, activity_code="310", started_on="01/10/2025"),
        row(1, activity_code="240", started_on="01/09/2025", ended_on="01/08/2025"),
        row(1, activity_code="250", started_on="01/09/2025", hours_per_week="lots"),
        row(1, activity_code="260", started_on="01/09/2025", level="Level 9"),
        row(1, activity_code="230", started_on="01/09/2025"),
        row(1, activity_code="230", started_on="01/09/2025"),
        row(1, activity_code="270", started_on="01/09/2025", verified="maybe"),
    ]
    result = importing(csv_bytes(rows, HEADINGS), kind="destinations", today=TODAY)
    assert not result.imported
    found = {(problem.row, problem.column): problem.message for problem in result.problems}
    assert "No young person on the service has this UPN" in found[(2, "upn")]
    assert "999 is not an activity code" in found[(3, "activity_code")]
    assert "hours a week" in found[(4, "hours_per_week")].lower()
    assert "end date must be the same as or after the start date" in found[(5, "ended_on")]
    assert "not a number" in found[(6, "hours_per_week")]
    assert "Level must be one of" in found[(7, "level")]
    assert "also on row 8" in found[(9, "activity_code")]
    assert "yes or no" in found[(10, "verified")]
    assert session.scalar(select(func.count()).select_from(ActivityRecord)) == 0


def test_provider_ids_and_numbers_in_the_provider_column_are_checked(session, importing):
    make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    provider = make_provider(session, kind="college")
    headings = ["upn", "activity_code", "started_on", "Provider"]
    ok = importing(csv_bytes([[upn(1), "230", "01/09/2025", str(provider.id)]], headings), kind="destinations", today=TODAY)
    assert ok.created == 1, ok.problems
    missing = importing(csv_bytes([[upn(1), "220", "01/09/2025", "99999999"]], headings), kind="destinations", today=TODAY)
    assert problem_cells(missing) == [(2, "Provider")]
    assert "no provider with id 99999999" in messages(missing)[0]


def test_a_provider_name_of_digits_other_than_0_to_9_is_kept_as_a_name(session, importing):
    # "²" and "①" count as digits to str.isdigit() but are not numbers int() can read.
    person = make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    headings = ["upn", "activity_code", "started_on", "Provider"]
    result = importing(csv_bytes([[upn(1), "230", "01/09/2025", "²"], [upn(1), "220", "01/09/2025", "①２"]], headings), kind="destinations", today=TODAY)
    assert (result.created, result.problems) == (2, [])
    assert {(record.activity_code, record.provider_id, record.provider_name) for record in records(session, person)} == {("230", None, "²"), ("220", None, "①２")}


def test_destinations_import_from_excel_with_nccis_headings(session, importing):
    person = make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    headings = ["UPN", "NCCIS Code", "Start Date", "End Date", "Verified"]
    result = importing(xlsx_bytes([[upn(1), 230, as_excel_date("01/09/2025"), None, True]], headings), kind="destinations", today=TODAY)
    assert result.created == 1, result.problems
    [record] = records(session, person)
    assert (record.activity_code, record.started_on, record.verified) == ("230", date(2025, 9, 1), True)


def test_destination_imports_audit_each_young_persons_record_with_counts(session, importing):
    person = make_person(session, upn=upn(1), date_of_birth=date(2008, 10, 1))
    result = importing(csv_bytes([row(1), row(1, activity_code="619", started_on="01/08/2025")], HEADINGS), kind="destinations", today=TODAY)
    event = session.scalar(select(AuditEvent).where(AuditEvent.object_type == "young_person", AuditEvent.object_id == person.id, AuditEvent.action == "update"))
    assert event.detail == {"import_run_id": result.run_id, "fields": ["activities"], "activities_created": 2, "activities_updated": 0}
