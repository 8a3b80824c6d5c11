"""The NCCIS-style current-activity export: who is in it, what each row says, who may have it."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from destinations.activities import nccis
from destinations.audit.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import make_activity, make_person, make_user

ON = date(2026, 1, 31)


def export(session, on=ON) -> list[dict]:
    text = "".join(nccis.csv_chunks(session, on, chunk=2))
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("date_of_birth", "sen_provision", "included"),
    [
        (date(2010, 2, 1), "K", False),  # 16 tomorrow
        (date(2010, 1, 31), "K", True),  # 16 today
        (date(2007, 2, 1), "K", True),  # 19 tomorrow
        (date(2007, 1, 31), "K", False),  # 19 today
        (date(2007, 1, 31), "E", True),  # 19 today with an EHC plan
        (date(2001, 2, 1), "E", True),  # 25 tomorrow with an EHC plan
        (date(2001, 1, 31), "E", False),  # 25 today
    ],
)
def test_the_return_covers_16_to_18_and_up_to_24_with_an_ehc_plan(session, date_of_birth, sen_provision, included):
    person = make_person(session, date_of_birth=date_of_birth, sen_provision=sen_provision)
    assert (person.upn in {row["UPN"] for row in export(session)}) is included
    assert nccis.count_rows(session, ON) == int(included)


def test_someone_born_on_29_february_turns_19_on_1_march_in_a_common_year(session):
    person = make_person(session, date_of_birth=date(2008, 2, 29), sen_provision="K")
    assert [row["UPN"] for row in export(session, date(2027, 2, 28))] == [person.upn]
    assert export(session, date(2027, 3, 1)) == []


def test_people_who_left_the_roll_before_the_reference_date_are_left_out(session):
    person = make_person(session, date_of_birth=date(2009, 5, 5))
    person.left_on, person.left_reason = date(2026, 1, 1), "moved_out_of_area"
    session.flush()
    assert export(session) == []
    assert len(export(session, date(2025, 12, 31))) == 1


def test_each_row_has_the_current_activity_as_an_nccis_code(session):
    person = make_person(session, date_of_birth=date(2009, 5, 5), given_name="Sam", family_name="Taylor", council_person_id="C-42")
    make_activity(session, person, "230", date(2025, 9, 1), ended_on=date(2025, 12, 19), today=ON)
    make_activity(session, person, "S20", date(2026, 1, 5), hours_per_week=16, verified=True, confirmed_on=date(2026, 1, 20), today=ON)
    [row] = export(session)
    assert row == {
        "UPN": person.upn,
        "LAPersonID": "C-42",
        "FamilyName": "Taylor",
        "GivenName": "Sam",
        "DateOfBirth": "2009-05-05",
        "SENProvision": "E",
        "CurrentActivityCode": "340",
        "CurrentActivityStartDate": "2026-01-05",
        "CurrentActivityEndDate": "",
        "CurrentActivityVerificationDate": "2026-01-20",
        "CurrentActivityVerified": "Y",
        "ServiceActivityCode": "S20",
    }


def test_someone_with_nothing_recorded_is_not_known(session):
    make_person(session, date_of_birth=date(2009, 5, 5))
    [row] = export(session)
    assert (row["CurrentActivityCode"], row["CurrentActivityStartDate"], row["CurrentActivityVerified"]) == ("810", "", "N")


def test_a_name_that_looks_like_a_formula_is_written_as_text(session):
    make_person(session, date_of_birth=date(2009, 5, 5), family_name="=HYPERLINK(1)")
    assert export(session)[0]["FamilyName"] == "'=HYPERLINK(1)"


def test_rows_come_in_chunks_and_all_arrive(session):
    people = [make_person(session, date_of_birth=date(2009, 5, 5)) for _ in range(5)]
    assert [row["UPN"] for row in export(session)] == [person.upn for person in sorted(people, key=lambda p: p.id)]


def test_managers_download_it_and_the_download_is_audited_with_its_count(client, session):
    manager = make_user(session, "manager")
    for _ in range(3):
        make_person(session, date_of_birth=date(2009, 5, 5))
    sign_in(client, manager)
    assert "NCCIS current activity export" in client.get("/destinations/nccis-export").get_data(as_text=True)
    response = client.get("/destinations/nccis-export?reference_date=31&reference_date=1&reference_date=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="nccis-current-activity-2026-01-31.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == list(nccis.COLUMNS) and len(rows) == 4
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.detail == {"part": "nccis_current_activity", "count": 3, "reference_date": "2026-01-31"}


def test_a_bad_reference_date_is_explained(client, session):
    sign_in(client, make_user(session, "manager"))
    html = client.get("/destinations/nccis-export?reference_date=31&reference_date=2&reference_date=2026").get_data(as_text=True)
    assert "Reference date must be a real date" in html


def test_keyworkers_may_not_download_it(client, session):
    sign_in(client, make_user(session, "keyworker"))
    assert client.get("/destinations/nccis-export?reference_date=31&reference_date=1&reference_date=2026").status_code == 403
