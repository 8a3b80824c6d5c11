"""Throw random and malformed files at the importer: every one ends in a clear message or a clean import."""
from __future__ import annotations

import io
import os
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from hypothesis import strategies as st
from sqlalchemy import func, select

from destinations.activities.models import ActivityRecord
from destinations.imports.kinds import KINDS
from destinations.people.models import YoungPerson
from tests.api.conftest import api_user  # noqa: F401  (a fixture)
from tests.factories import make_person, make_provider
from tests.imports.conftest import csv_bytes, upn, xlsx_bytes

KNOWN_HEADINGS = sorted({name for kind in KINDS.values() for column in kind.columns for name in (column.name, *column.aliases)})
# IMPORT_FUZZ_EXAMPLES=500 runs a longer search locally.
EXAMPLES = int(os.environ.get("IMPORT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

cells = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=24),
    st.sampled_from(["", " ", '"', '""', ",", ";", "\r\n", "\n", "\r", "=1+1", "E", "K", "ASD", "SLCN", "230", "310", "yes", "0", "-1", "1e9", "NaN", "16.5", "²", "①", "٣", "１２", "1e-999999", "sNaN"]),
    st.sampled_from(["31/08/2010", "2010-08-31", "29/02/2011", "08/31/2010", "31/08/10", "01/09/2025", "2025-09-01T00:00:00"]),
    st.integers(0, 999_999).map(upn),
)
tables = st.tuples(
    st.lists(st.one_of(st.sampled_from(KNOWN_HEADINGS), cells), max_size=12),
    st.lists(st.lists(cells, max_size=14), max_size=12),
)


def csv_file(table, encoding: str, delimiter: str) -> bytes:
    headings, rows = table
    text = csv_bytes(rows, headings, delimiter=delimiter).decode("utf-8")
    bom = encoding == "utf-8-sig"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8" if bom else encoding, errors="ignore")


xlsx_values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(lambda d: datetime(d.year, d.month, d.day)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=24),
    st.integers(0, 999_999).map(upn),
)


def xlsx_file(headings, rows) -> bytes:
    return xlsx_bytes(rows, headings)


@st.composite
def mangled(draw, files):
    """A file, then up to three cuts, insertions, deletions or changed bytes."""
    data = bytearray(draw(files))
    for _ in range(draw(st.integers(0, 3))):
        if not data:
            break
        where = draw(st.integers(0, len(data) - 1))
        change = draw(st.sampled_from(["truncate", "insert", "delete", "flip"]))
        if change == "truncate":
            del data[where:]
        elif change == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=16))
        elif change == "delete":
            del data[where:where + draw(st.integers(1, 64))]
        else:
            data[where] ^= draw(st.integers(1, 255))
    return bytes(data)


csv_files = st.builds(csv_file, tables, st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]), st.sampled_from([",", ";", "\t"]))
spreadsheet_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
xlsx_files = st.builds(xlsx_file, st.lists(st.one_of(st.sampled_from(KNOWN_HEADINGS), spreadsheet_text), max_size=10), st.lists(st.lists(xlsx_values, max_size=12), max_size=8))


def fuzzed_file(draw, rows: list[list[str]], headings: list[str]) -> bytes:
    """``rows`` with up to three cells replaced by fuzz, as CSV or XLSX."""
    for _ in range(draw(st.integers(0, 3))):
        row, column = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(headings) - 1))
        rows[row][column] = draw(cells)
    if draw(st.booleans()):
        # A spreadsheet cannot hold control characters, so none reach a workbook.
        return xlsx_bytes([[ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row] for row in rows], headings)
    return csv_bytes(rows, headings)


@st.composite
def realistic(draw):
    """A proper file of young people with a few cells (or none) replaced by fuzz, as CSV or XLSX."""
    headings = ["upn", "given_name", "family_name", "date_of_birth", "sen_provision", "primary_need", "pathway"]
    numbers = draw(st.lists(st.integers(0, 999_999), min_size=1, max_size=8, unique=True))
    rows = [[upn(n), f"Given{n}", f"Family{n}", "15/10/2010", "E", "ASD", "2"] for n in numbers]
    return fuzzed_file(draw, rows, headings)


ON_THE_ROLL = range(1, 4)  # the young people the roll fixture adds, by upn(n)


@st.composite
def realistic_destinations(draw):
    """A proper file of destinations for young people on the roll, with a few cells replaced by fuzz."""
    headings = ["upn", "activity_code", "started_on", "ended_on", draw(st.sampled_from(["provider_name", "Provider", "provider_id"])), "hours_per_week", "level", "verified"]
    people = draw(st.lists(st.sampled_from([*ON_THE_ROLL, 999_999]), min_size=1, max_size=6))
    rows = [[upn(n), draw(st.sampled_from(["230", "310", "619", "S10"])), "01/09/2025", "", "Northshire College", "16", "2", "yes"] for n in people]
    return fuzzed_file(draw, rows, headings)


any_file = st.one_of(
    realistic(), realistic_destinations(), st.binary(max_size=3000), csv_files, xlsx_files, mangled(csv_files), mangled(xlsx_files))


@pytest.fixture
def roll(session):
    """Young people for destinations files to name, added once for all of a test's examples."""
    for n in ON_THE_ROLL:
        make_person(session, upn=upn(n), date_of_birth=date(2008, 10, 1))
    make_provider(session, name="Northshire College", kind="college")
    session.flush()


@contextmanager
def undone(savepoint):
    """Each example starts from the same database: whatever it wrote is rolled back after it.

    Without this, what one example imported is there for the next, so a failure could depend
    on the examples before it and not come back when Hypothesis replays it on its own.
    """
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


def counts(session) -> tuple[int, int]:
    return session.scalar(select(func.count()).select_from(YoungPerson)), session.scalar(select(func.count()).select_from(ActivityRecord))


def check_outcome(result, before, after) -> None:
    """A clear message, or a clean import; never a half-written one."""
    if result.unreadable is not None:
        assert isinstance(result.unreadable, str) and len(result.unreadable) > 20
        assert result.rows == 0 or result.too_large is False
        assert after == before
        return
    for problem in result.problems:
        assert isinstance(problem.message, str) and len(problem.message) > 10, problem
        assert problem.row is None or problem.row >= 1
    if result.problems:
        assert not result.imported and after == before
        return
    assert result.created + result.updated + result.unchanged == result.rows
    if result.dry_run:
        assert after == before and not result.imported
    else:
        assert result.imported
        if result.created:
            assert after != before


@pytest.fixture
def manager_headers(session, api_user):  # noqa: F811
    """A manager's API token, made once for all of a test's examples."""
    _manager, headers = api_user("manager")
    session.flush()
    return headers


@FUZZ
@given(data=any_file, kind=st.sampled_from(sorted(KINDS)), dry_run=st.booleans())
def test_any_file_ends_in_a_clear_message_or_a_clean_import(session, importing, roll, data, kind, dry_run):
    with undone(session.begin_nested()):
        before = counts(session)
        result = importing(data, dry_run=dry_run, kind=kind)
        check_outcome(result, before, counts(session))
    session.expire_all()


@settings(max_examples=max(30, EXAMPLES // 3), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=any_file, kind=st.sampled_from(sorted(KINDS)), dry_run=st.sampled_from(["true", "false"]))
def test_the_api_answers_any_file_with_a_result_or_the_envelope_never_a_server_error(session, transaction, client, manager_headers, roll, data, kind, dry_run):
    with undone(transaction.begin_nested()):
        response = client.post(
            f"/api/v1/imports/{kind}", data={"file": (io.BytesIO(data), "upload.bin"), "dry_run": dry_run},
            headers=manager_headers, content_type="multipart/form-data",
        )
    assert response.status_code in (200, 413, 422), response.get_data(as_text=True)[:500]
    body = response.get_json()
    if response.status_code == 200:
        assert {"created", "updated", "unchanged", "errors"} <= set(body)
        assert all(error["message"] for error in body["errors"])
    else:
        assert body["message"] and body["errors"]
