"""Helpers for the import tests: files built in memory, and running an import as a manager."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from destinations.imports.kinds import KINDS
from destinations.imports.services import Actor, ImportSettings, run_import
from destinations.people.upn import make_upn
from tests.factories import make_user

HEADINGS = ["upn", "council_person_id", "given_name", "family_name", "date_of_birth", "sen_provision", "primary_need"]


def upn(n: int) -> str:
    """A valid UPN, different for each ``n`` (up to 999,999)."""
    return make_upn(938, 2000 + n // 1000, 10, n % 1000)


def person_row(n: int, **overrides) -> dict:
    row = {
        "upn": upn(n),
        "council_person_id": "",
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "date_of_birth": "15/10/2010",
        "sen_provision": "E",
        "primary_need": "ASD",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list, headings: list[str] | None = None, *, encoding: str = "utf-8", bom: bool = False, newline: str = "\r\n", delimiter: str = ",") -> bytes:
    """A CSV file: ``rows`` are dicts (written under ``headings``) or lists (written as they are)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline, delimiter=delimiter)
    if headings is None and rows and isinstance(rows[0], dict):
        headings = list(rows[0])
    if headings is not None:
        writer.writerow(headings)
    for row in rows:
        writer.writerow([row.get(name, "") for name in headings] if isinstance(row, dict) else row)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


# A workbook's bytes are the same whenever it is made: its properties and its ZIP entries are
# dated this, not now (property-based tests draw from the bytes and must see the same ones again).
FIXED_TIME = datetime(2026, 1, 1)


def xlsx_bytes(rows: list, headings: list[str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    sheet = workbook.active
    if headings is None and rows and isinstance(rows[0], dict):
        headings = list(rows[0])
    if headings is not None:
        sheet.append(headings)
    for row in rows:
        sheet.append([row.get(name) for name in headings] if isinstance(row, dict) else list(row))
    out = io.BytesIO()
    workbook.save(out)
    return dated(out.getvalue())


def dated(archive: bytes) -> bytes:
    """The workbook with its modified time (which saving sets to now) and every ZIP entry dated FIXED_TIME."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), content)
            target.writestr(zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6]), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def as_excel_date(text: str):
    day, month, year = (int(part) for part in text.split("/"))
    return datetime(year, month, day)


@pytest.fixture
def manager(session):
    return make_user(session, "manager")


@pytest.fixture
def importing(session, manager):
    """Run an import of ``data`` as the manager; ``kind`` is "young-people" or "destinations"."""

    def run(data: bytes, *, dry_run: bool = False, kind: str = "young-people", settings: ImportSettings | None = None, today: date | None = None):
        today = today or date.today()
        result = run_import(
            session, KINDS[kind].importer(today), io.BytesIO(data), actor=Actor(manager), dry_run=dry_run,
            channel="web", today=today, settings=settings or ImportSettings(),
        )
        session.flush()
        return result

    return run


def messages(result) -> list[str]:
    return [problem.message for problem in result.problems]


def problem_cells(result) -> list[tuple]:
    return [(problem.row, problem.column) for problem in result.problems]
