"""Importing young people: preview, all or nothing, matching, updates with history, audit."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from destinations.audit.models import AuditEvent
from destinations.imports.models import DetailChange, ImportRun
from destinations.imports.services import ImportSettings
from destinations.people.models import KeyworkerAssignment, PathwayChange, YoungPerson
from tests.factories import make_person, make_provider, make_user
from tests.imports.conftest import HEADINGS, as_excel_date, csv_bytes, messages, person_row, problem_cells, upn, xlsx_bytes


def people_count(session) -> int:
    return session.scalar(select(func.count()).select_from(YoungPerson))


def by_upn(session, value: str) -> YoungPerson:
    return session.scalar(select(YoungPerson).where(YoungPerson.upn == value))


def test_a_dry_run_counts_what_would_happen_and_writes_nothing(session, importing):
    existing = make_person(session, upn=upn(1), given_name="Given1", family_name="Family1", date_of_birth=date(2010, 10, 15))
    before = people_count(session)
    rows = [person_row(1), person_row(2, given_name="New"), person_row(3)]
    rows[0]["family_name"] = "Changed"
    result = importing(csv_bytes(rows), dry_run=True)
    assert (result.rows, result.created, result.updated, result.unchanged, result.error_count) == (3, 2, 1, 0, 0)
    assert result.ok and not result.imported
    assert people_count(session) == before
    session.refresh(existing)
    assert existing.family_name == "Family1"


def test_an_import_creates_young_people_with_what_the_file_says(session, importing):
    school = make_provider(session, urn="123456")
    keyworker = make_user(session, "keyworker", email="kim@council.example")
    row = person_row(1, school_urn="123456", keyworker_email="KIM@council.example ", pathway="2", council_person_id="P-77")
    result = importing(csv_bytes([row]))
    assert result.ok, result.problems
    assert result.imported and result.created == 1
    person = by_upn(session, upn(1))
    assert (person.given_name, person.family_name, person.date_of_birth, person.sen_provision, person.primary_need) == ("Given1", "Family1", date(2010, 10, 15), "E", "ASD")
    assert (person.school_id, person.keyworker_id, person.pathway, person.council_person_id) == (school.id, keyworker.id, 2, "P-77")
    assert [(a.keyworker_id, a.assigned_by_id) for a in person.keyworker_assignments] == [(keyworker.id, result_run_by(session, result))]
    assert [(c.from_pathway, c.to_pathway) for c in person.pathway_changes] == [(None, 2)]
    assert person.version == 1


def result_run_by(session, result) -> int:
    return session.get(ImportRun, result.run_id).by_id


def test_reimporting_the_same_file_changes_nothing(session, importing):
    keyworker = make_user(session, "keyworker")
    rows = [person_row(n, keyworker_id=str(keyworker.id), pathway="1") for n in range(1, 6)]
    data = csv_bytes(rows)
    assert importing(data).created == 5
    versions = {p.id: p.version for p in session.scalars(select(YoungPerson))}
    changes = session.scalar(select(func.count()).select_from(DetailChange))
    again = importing(data)
    assert (again.created, again.updated, again.unchanged, again.imported) == (0, 0, 5, True)
    session.expire_all()
    assert {p.id: p.version for p in session.scalars(select(YoungPerson))} == versions
    assert session.scalar(select(func.count()).select_from(DetailChange)) == changes
    assert session.scalar(select(func.count()).select_from(PathwayChange)) == 5
    assert session.scalar(select(func.count()).select_from(KeyworkerAssignment)) == 5


def test_an_updated_file_changes_only_what_differs_and_keeps_each_change_as_history(session, importing, manager):
    first, second = make_user(session, "keyworker"), make_user(session, "keyworker")
    rows = [person_row(1, keyworker_id=str(first.id), pathway="1"), person_row(2)]
    importing(csv_bytes(rows))
    person = by_upn(session, upn(1))
    untouched = by_upn(session, upn(2))
    version = person.version
    rows[0].update(family_name="Married-Name", date_of_birth="16/10/2010", primary_need="SLCN", keyworker_id=str(second.id), pathway="3")
    result = importing(csv_bytes(rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    session.expire_all()
    assert (person.family_name, person.date_of_birth, person.primary_need, person.keyworker_id, person.pathway) == ("Married-Name", date(2010, 10, 16), "SLCN", second.id, 3)
    assert person.given_name == "Given1"
    assert person.version == version + 1
    assert untouched.version == 1
    history = session.execute(
        select(DetailChange.field, DetailChange.old_value, DetailChange.new_value, DetailChange.source, DetailChange.import_run_id, DetailChange.changed_by_id)
        .where(DetailChange.young_person_id == person.id).order_by(DetailChange.field)
    ).all()
    assert history == [
        ("date_of_birth", "2010-10-15", "2010-10-16", "import", result.run_id, manager.id),
        ("family_name", "Family1", "Married-Name", "import", result.run_id, manager.id),
        ("primary_need", "ASD", "SLCN", "import", result.run_id, manager.id),
    ]
    assert [(c.from_pathway, c.to_pathway) for c in person.pathway_changes] == [(None, 1), (1, 3)]
    assert [a.keyworker_id for a in person.keyworker_assignments] == [first.id, second.id]


def test_a_blank_optional_cell_leaves_what_is_held(session, importing):
    keyworker = make_user(session, "keyworker")
    importing(csv_bytes([person_row(1, council_person_id="P1", keyworker_id=str(keyworker.id), pathway="2")]))
    result = importing(csv_bytes([person_row(1, council_person_id="", keyworker_id="", pathway="")]))
    assert result.unchanged == 1
    person = by_upn(session, upn(1))
    assert (person.council_person_id, person.keyworker_id, person.pathway) == ("P1", keyworker.id, 2)


def test_young_people_without_a_upn_are_matched_on_the_council_person_id(session, importing):
    importing(csv_bytes([person_row(1, upn="", council_person_id="CP-1")]))
    person = session.scalar(select(YoungPerson).where(YoungPerson.council_person_id == "CP-1"))
    assert person.upn is None
    result = importing(csv_bytes([person_row(1, upn="", council_person_id="CP-1", given_name="Renamed")]))
    assert (result.created, result.updated) == (0, 1)
    session.refresh(person)
    assert person.given_name == "Renamed"


def test_a_upn_given_later_is_added_to_the_young_person_found_by_council_person_id(session, importing):
    importing(csv_bytes([person_row(1, upn="", council_person_id="CP-1")]))
    result = importing(csv_bytes([person_row(1, council_person_id="CP-1")]))
    assert (result.created, result.updated) == (0, 1)
    person = session.scalar(select(YoungPerson).where(YoungPerson.council_person_id == "CP-1"))
    assert person.upn == upn(1)
    assert [(c.field, c.old_value, c.new_value) for c in session.scalars(select(DetailChange).where(DetailChange.young_person_id == person.id))] == [("upn", None, upn(1))]


def test_a_upn_and_a_council_person_id_of_two_different_people_is_a_problem(session, importing):
    make_person(session, upn=upn(1))
    make_person(session, upn=upn(2), council_person_id="CP-2")
    result = importing(csv_bytes([person_row(1, council_person_id="CP-2")]), dry_run=True)
    assert problem_cells(result) == [(2, "council_person_id")]
    assert "different young person" in messages(result)[0]


def test_any_problem_means_nothing_at_all_is_written(session, importing):
    before = people_count(session)
    rows = [person_row(n) for n in range(1, 1201)]
    rows[-1]["sen_provision"] = "X"
    result = importing(csv_bytes(rows), settings=ImportSettings(batch_size=100))
    assert not result.imported and result.error_count == 1
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert problem_cells(result) == [(1201, "sen_provision")]
    assert "SEN provision must be E (EHC plan) or K (SEN support)" in messages(result)[0]
    assert people_count(session) == before
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "create", AuditEvent.object_type == "young_person")) == 0


def test_every_problem_is_listed_by_row_and_column_with_what_to_fix(session, importing):
    rows = [
        person_row(1),
        person_row(2, upn="A123"),
        person_row(3, given_name=""),
        person_row(4, date_of_birth="2010-02-30"),
        person_row(5, primary_need="XYZ"),
        person_row(6, date_of_birth="01/01/2999"),
        person_row(1, given_name="Again"),
        person_row(7, upn="", council_person_id=""),
        person_row(8, pathway="4", keyworker_email="nobody@council.example", school_id="999999"),
    ]
    result = importing(csv_bytes(rows, HEADINGS + ["pathway", "keyworker_email", "school_id"]), dry_run=True)
    found = {(problem.row, problem.column): problem.message for problem in result.problems}
    assert "UPN must be 13 characters" in found[(3, "upn")]
    assert found[(4, "given_name")] == "Enter the young person's given name."
    assert "not a real date" in found[(5, "date_of_birth")]
    assert "Primary need must be one of the school census codes" in found[(6, "primary_need")]
    assert found[(7, "date_of_birth")] == "Date of birth must be in the past"
    assert "also on row 2" in found[(8, "upn")]
    assert "Enter the UPN, or the council person id" in found[(9, "upn")]
    assert "Pathway must be 1, 2 or 3" in found[(10, "pathway")]
    assert "no active keyworker with this email" in found[(10, "keyworker_email")]
    assert "no provider with id 999999" in found[(10, "school_id")]
    assert result.error_count == len(result.problems) == 10


def test_duplicate_council_person_ids_in_a_file_are_a_problem(session, importing):
    result = importing(csv_bytes([person_row(1, upn="", council_person_id="X"), person_row(2, upn="", council_person_id="X")]), dry_run=True)
    assert problem_cells(result) == [(3, "council_person_id")]


def test_duplicates_are_found_across_batches(session, importing):
    rows = [person_row(n) for n in range(1, 30)] + [person_row(3)]
    result = importing(csv_bytes(rows), dry_run=True, settings=ImportSettings(batch_size=7))
    assert problem_cells(result) == [(31, "upn")]
    assert "also on row 4" in messages(result)[0]


def test_a_council_export_with_its_own_headings_and_extra_columns_imports(session, importing):
    headings = ["Person ID", "UPN", "Legal Forename", "Forename", "Surname", "DOB", "Gender", "SEN Provision", "Primary Need", "Ethnicity"]
    rows = [
        ["P1", upn(1), "Alexandra", "Alex", "Jones", "01/09/2009", "F", "EHC plan", "Autistic spectrum disorder", "WBRI"],
        ["P2", " " + upn(2).lower(), "Mo", "Mo", "Khan", "2009-12-31", "M", "k", "slcn", "ABAN"],
    ]
    result = importing(csv_bytes(rows, headings))
    assert result.imported and result.created == 2
    assert sorted(result.ignored_columns) == ["Ethnicity", "Forename", "Gender"]
    first, second = by_upn(session, upn(1)), by_upn(session, upn(2))
    assert (first.given_name, first.council_person_id, first.sen_provision, first.primary_need) == ("Alexandra", "P1", "E", "ASD")
    assert (second.date_of_birth, second.sen_provision, second.primary_need) == (date(2009, 12, 31), "K", "SLCN")


def test_an_excel_workbook_imports_with_date_cells_and_number_cells(session, importing):
    rows = [dict(person_row(1), date_of_birth=as_excel_date("31/08/2010"), council_person_id=12345), dict(person_row(2), date_of_birth="01/09/2010")]
    result = importing(xlsx_bytes(rows))
    assert result.imported and result.file_format == "xlsx" and result.created == 2
    assert by_upn(session, upn(1)).date_of_birth == date(2010, 8, 31)
    assert by_upn(session, upn(1)).council_person_id == "12345"
    assert by_upn(session, upn(2)).date_of_birth == date(2010, 9, 1)


def test_blank_rows_anywhere_and_at_the_end_are_skipped_and_rows_keep_their_numbers(session, importing):
    data = csv_bytes([person_row(1), {}, person_row(2, sen_provision="Q")]) + b",,,,,,\r\n\r\n ,  ,\r\n"
    result = importing(data, dry_run=True)
    assert result.rows == 2
    assert problem_cells(result) == [(4, "sen_provision")]


def test_a_file_with_headings_and_no_rows_is_a_problem(session, importing):
    result = importing(csv_bytes([], ["upn", "given_name", "family_name", "date_of_birth", "sen_provision", "primary_need"]), dry_run=True)
    assert not result.ok and "no rows of data" in messages(result)[0]


def test_a_file_without_a_upn_or_council_person_id_column_says_to_add_one(session, importing):
    result = importing(csv_bytes([["Sam", "Taylor", "01/01/2010", "E", "ASD"]], ["given_name", "family_name", "date_of_birth", "sen_provision", "primary_need"]), dry_run=True)
    assert problem_cells(result) == [(1, "upn")]
    assert "There is no UPN column" in messages(result)[0]


def test_a_file_over_the_row_limit_is_refused(session, importing):
    result = importing(csv_bytes([person_row(n) for n in range(1, 12)]), dry_run=True, settings=ImportSettings(max_rows=10))
    assert "more than 10 rows" in messages(result)[-1]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(session, importing):
    result = importing(csv_bytes([person_row(n) for n in range(1, 50)]), dry_run=True, settings=ImportSettings(max_bytes=1000))
    assert result.too_large and "over the 1000 bytes limit" in result.unreadable


def test_imports_are_audited_with_counts_and_every_record_change_with_field_names_only(session, importing, manager):
    importing(csv_bytes([person_row(1), person_row(2)]), dry_run=True)
    result = importing(csv_bytes([person_row(1), person_row(2)]))
    changed = importing(csv_bytes([person_row(1, family_name="Other"), person_row(2)]))
    runs = session.scalars(select(AuditEvent).where(AuditEvent.action == "import").order_by(AuditEvent.id)).all()
    assert [(event.object_type, event.actor_id, event.detail["dry_run"], event.detail["outcome"]) for event in runs] == [
        ("import_run", manager.id, True, "checked"), ("import_run", manager.id, False, "imported"), ("import_run", manager.id, False, "imported")
    ]
    assert {key: runs[1].detail[key] for key in ("rows", "created", "updated", "unchanged", "errors")} == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": 0}
    person = by_upn(session, upn(1))
    events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "young_person", AuditEvent.object_id == person.id).order_by(AuditEvent.id)).all()
    assert [(event.action, event.detail["import_run_id"]) for event in events] == [("create", result.run_id), ("update", changed.run_id)]
    assert events[1].detail["fields"] == ["family_name"]
    flat = str([event.detail for event in runs + events])
    for personal in ("Given1", "Family1", "Other", upn(1), "2010-10-15"):
        assert personal not in flat


def test_the_import_run_keeps_counts_and_a_digest_but_not_the_file_or_its_name(session, importing):
    result = importing(csv_bytes([person_row(1)]))
    run = session.get(ImportRun, result.run_id)
    assert (run.kind, run.outcome, run.rows, run.created, run.file_format, run.dry_run) == ("young_people", "imported", 1, 1, "csv", False)
    assert run.file_digest == result.digest and len(run.file_digest) == 64
    assert not hasattr(run, "file_name") and not hasattr(run, "content")
