"""The NCCIS-style current-activity export: one row per young person in the return's age range.

The council's return to the DfE covers young people aged 16 to 18, and those up to 24 with
an EHC plan. Each row carries the person's identifiers and their current activity on the
reference date as the NCCIS code (the service's own codes become their nearest NCCIS code,
with the service code kept beside it). Rows are read in keyset chunks, so a county-sized
export never holds the roll in memory.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Iterator

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from destinations.activities import codes
from destinations.activities.services import aged_at_least_condition, current_activities
from destinations.people.models import YoungPerson

CHUNK = 2000
NOT_KNOWN = "810"
# Column names follow the NCCIS current-activity items as councils and the National Pupil
# Database name them (Current Activity Code / Start Date / Verification Date).
COLUMNS = (
    "UPN",
    "LAPersonID",
    "FamilyName",
    "GivenName",
    "DateOfBirth",
    "SENProvision",
    "CurrentActivityCode",
    "CurrentActivityStartDate",
    "CurrentActivityEndDate",
    "CurrentActivityVerificationDate",
    "CurrentActivityVerified",
    "ServiceActivityCode",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def in_return_condition(on: date):
    """Aged 16 to 18 on ``on``, or 16 to 24 with an EHC plan, and not left the roll by then."""
    under_19 = ~aged_at_least_condition(19, on)
    under_25 = ~aged_at_least_condition(25, on)
    return and_(
        aged_at_least_condition(16, on),
        or_(under_19, and_(YoungPerson.sen_provision == "E", under_25)),
        or_(YoungPerson.left_on.is_(None), YoungPerson.left_on > on),
    )


def count_rows(session: Session, on: date) -> int:
    return int(session.scalar(select(func.count()).select_from(YoungPerson).where(in_return_condition(on))) or 0)


def _text(value) -> str:
    """Spreadsheet-safe text: a leading formula character is escaped with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def row_for(person: YoungPerson, record) -> list[str]:
    if record is None:
        activity = [NOT_KNOWN, "", "", "", "N", ""]
    else:
        found = codes.activity_code(record.activity_code)
        return_code = found.return_code if found else NOT_KNOWN
        activity = [
            return_code,
            _date(record.started_on),
            _date(record.ended_on),
            _date(record.confirmed_on),
            "Y" if record.verified else "N",
            record.activity_code if found is not None and found.service_code else "",
        ]
    return [
        _text(person.upn),
        _text(person.council_person_id),
        _text(person.family_name),
        _text(person.given_name),
        _date(person.date_of_birth),
        person.sen_provision,
        *activity,
    ]


def rows(session: Session, on: date, chunk: int = CHUNK) -> Iterator[list[str]]:
    """Every row of the return, in id order, a chunk of people (and their activities) at a time."""
    after = 0
    while True:
        people = list(
            session.scalars(
                select(YoungPerson).where(in_return_condition(on), YoungPerson.id > after).order_by(YoungPerson.id).limit(chunk)
            )
        )
        if not people:
            return
        current = current_activities(session, [person.id for person in people], on)
        for person in people:
            yield row_for(person, current.get(person.id))
        after = people[-1].id
        for written in [*people, *current.values()]:
            session.expunge(written)  # what has been written need not stay in memory


def csv_chunks(session: Session, on: date, chunk: int = CHUNK) -> Iterator[str]:
    """The CSV text: the heading row, then one piece per chunk of people."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows(session, on, chunk):
        writer.writerow(row)
        count += 1
        if count % chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
