"""Reading files: encodings, kinds of file, headings and cells, each bad case with a clear message."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest

from destinations.imports.columns import CellError, column_letter, match_headings, parse_date
from destinations.imports.files import SniffingDecoder, open_rows, sniff_format
from destinations.imports.young_people import COLUMNS
from tests.imports.conftest import csv_bytes, messages, person_row, problem_cells, xlsx_bytes


def rows_of(data: bytes) -> list[list]:
    return [cells for _number, cells in open_rows(io.BytesIO(data), limit=10**8).rows]


# --- encodings --------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_names_with_accents_read_the_same_in_utf8_with_or_without_bom_and_windows_1252(encoding, bom):
    data = csv_bytes([{"given_name": "Zoë", "family_name": "O’Brien-Núñez"}], encoding=encoding, bom=bom)
    assert rows_of(data) == [["given_name", "family_name"], ["Zoë", "O’Brien-Núñez"]]


def test_a_windows_1252_file_whose_first_accent_is_far_down_is_not_mistaken_for_utf8():
    rows = [{"given_name": f"Plain{n}", "family_name": "Ascii"} for n in range(5000)] + [{"given_name": "Chloé", "family_name": "Smith"}]
    data = csv_bytes(rows, encoding="cp1252")
    assert len(data) > 64 * 1024
    assert rows_of(data)[-1] == ["Chloé", "Smith"]


def test_a_byte_order_mark_does_not_become_part_of_the_first_heading():
    data = csv_bytes([person_row(1)], bom=True)
    assert rows_of(data)[0][0] == "upn"


def test_a_utf8_file_with_a_windows_1252_row_later_on_is_refused_naming_the_row(importing):
    good = csv_bytes([person_row(n, given_name="Zoë") for n in range(3000)])
    bad = ",".join(person_row(3001, given_name="Chlo\xe9").values()) + "\r\n"
    result = importing(good + bad.encode("cp1252"), dry_run=True)
    assert not result.ok and not result.imported
    assert result.problems[-1].row == 3002
    assert "not UTF-8" in result.problems[-1].message
    assert "CSV UTF-8" in result.problems[-1].message


def test_bytes_that_are_text_in_neither_encoding_are_refused_clearly(importing):
    data = csv_bytes([person_row(1)]) + b"\r\n\x81\x8d\x8f,\x90\x9d\r\n"
    result = importing(data, dry_run=True)
    assert "not text in UTF-8 or Windows-1252" in messages(result)[-1]


def test_a_utf16_file_is_refused_with_what_to_do(importing):
    data = csv_bytes([person_row(1)], encoding="utf-16")
    result = importing(data, dry_run=True)
    assert result.unreadable and "UTF-16" in result.unreadable and "CSV UTF-8" in result.unreadable


def test_the_decoder_decides_on_the_first_chunk_with_non_ascii_bytes():
    decoder = SniffingDecoder()
    assert decoder.decode(b"plain ascii,") == "plain ascii,"
    assert decoder.encoding is None
    assert decoder.decode("Zoë,".encode("cp1252")) == "Zoë,"
    assert decoder.encoding == "cp1252"


def test_a_character_cut_in_two_by_the_end_of_a_chunk_is_still_read_as_utf8():
    decoder = SniffingDecoder()
    encoded = "Zoë".encode("utf-8")
    assert decoder.decode(encoded[:-1]) + decoder.decode(encoded[-1:] + b",", final=True) == "Zoë,"
    assert decoder.encoding == "utf-8"


# --- not CSV or XLSX --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "data, says",
    [
        (b"", "empty"),
        (b"   \r\n\r\n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_refused_saying_what_they_are(importing, data, says):
    result = importing(data, dry_run=True)
    assert result.unreadable and says in result.unreadable
    assert result.rows == 0 and not result.imported


def test_a_zip_that_is_not_a_workbook_is_refused(importing):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    result = importing(out.getvalue(), dry_run=True)
    assert "ZIP archive, not an Excel workbook" in result.unreadable


def test_a_damaged_workbook_is_refused(importing):
    data = xlsx_bytes([person_row(1)])
    result = importing(data[: len(data) // 2], dry_run=True)
    assert "damaged" in result.unreadable


def test_a_workbook_that_unpacks_to_far_more_than_its_size_is_refused_before_it_is_read(importing):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<" + "a" * 20_000_000 + ">")
    result = importing(out.getvalue(), dry_run=True)
    assert "unpacks to far more data" in result.unreadable


def test_sniffing_goes_by_the_contents_not_the_name():
    assert sniff_format(xlsx_bytes([["upn"]])[:100]) == "xlsx"
    assert sniff_format(b"upn,given_name\r\n") == "csv"


# --- CSV shapes -------------------------------------------------------------------------------

def test_semicolon_and_tab_separated_exports_are_read():
    assert rows_of(b"upn;given_name\r\nX;Y\r\n") == [["upn", "given_name"], ["X", "Y"]]
    assert rows_of(b"upn\tgiven_name\nX\tY\n") == [["upn", "given_name"], ["X", "Y"]]


def test_quoted_cells_may_hold_commas_and_line_breaks_and_rows_keep_spreadsheet_numbers():
    data = b'upn,note\r\nA,"one, two"\r\nB,"line one\r\nline two"\r\nC,x\r\n'
    opened = open_rows(io.BytesIO(data), limit=10**6)
    assert [(number, cells) for number, cells in opened.rows] == [
        (1, ["upn", "note"]), (2, ["A", "one, two"]), (3, ["B", "line one\r\nline two"]), (4, ["C", "x"])
    ]


def test_old_mac_line_endings_are_read():
    assert rows_of(b"upn,given_name\rA,B\rC,D") == [["upn", "given_name"], ["A", "B"], ["C", "D"]]


def test_a_quote_that_is_never_closed_is_refused_naming_the_row(importing):
    data = csv_bytes([person_row(1)]) + b'"' + b"x" * 200_000 + b"\r\n"
    result = importing(data, dry_run=True)
    assert result.problems[-1].row == 3
    assert "quote mark" in result.problems[-1].message


def test_a_nul_character_in_a_cell_is_a_problem_for_that_cell(importing):
    rows = [person_row(n) for n in range(1, 3000)] + [person_row(3000, given_name="Sa\x00m")]
    result = importing(csv_bytes(rows), dry_run=True)
    assert problem_cells(result) == [(3001, "given_name")]
    assert "NUL" in messages(result)[0]


# --- headings ---------------------------------------------------------------------------------

def test_case_management_headings_are_recognised():
    headings = match_headings(["UPN", "Person ID", "Legal Forename", "Surname", "DOB", "SEN Provision", "Primary Need", "Ethnicity"], COLUMNS)
    assert headings.problems == []
    assert headings.index == {"upn": 0, "council_person_id": 1, "given_name": 2, "family_name": 3, "date_of_birth": 4, "sen_provision": 5, "primary_need": 6}
    assert headings.ignored == ["Ethnicity"]


def test_headings_ignore_case_spaces_and_punctuation():
    headings = match_headings(["U.P.N.", "given name", "FAMILY-NAME", "Date Of Birth", "sen_provision", "PrimaryNeed"], COLUMNS)
    assert headings.problems == [] and len(headings.index) == 6


def test_the_legal_forename_is_preferred_to_a_forename_column_beside_it():
    headings = match_headings(["UPN", "Forename", "Legal Forename", "Surname", "DOB", "SEN Provision", "Primary Need"], COLUMNS)
    assert headings.index["given_name"] == 2
    assert headings.ignored == ["Forename"]


def test_a_missing_column_is_named_with_what_to_call_it_and_what_was_found():
    headings = match_headings(["UPN", "Forename", "Surname", "Date of Brith", "SEN Provision", "Primary Need"], COLUMNS)
    [problem] = headings.problems
    assert problem.row == 1 and problem.column == "date_of_birth"
    assert "There is no date of birth column" in problem.message
    assert "If 'Date of Brith' is the date of birth, rename that heading to date_of_birth" in problem.message


def test_a_heading_used_twice_is_a_problem():
    headings = match_headings(["UPN", "Surname", "upn"], COLUMNS)
    assert any("used twice (columns A and C)" in problem.message for problem in headings.problems)


def test_column_letters_follow_spreadsheets():
    assert [column_letter(index) for index in (0, 25, 26, 51, 701, 702)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]


# --- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("31/08/2010", date(2010, 8, 31)),
        ("1/9/2010", date(2010, 9, 1)),
        ("29/02/2012", date(2012, 2, 29)),
        ("2010-08-31", date(2010, 8, 31)),
        ("31-08-2010", date(2010, 8, 31)),
        ("31.08.2010", date(2010, 8, 31)),
        ("31/08/2010 00:00", date(2010, 8, 31)),
        ("2010-08-31T00:00:00", date(2010, 8, 31)),
        (" 31/08/2010 ", date(2010, 8, 31)),
        (datetime(2010, 8, 31), date(2010, 8, 31)),
        (date(2010, 8, 31), date(2010, 8, 31)),
    ],
)
def test_dates_are_read_in_uk_order_or_iso(value, expected):
    assert parse_date(value, "Date of birth") == expected


@pytest.mark.parametrize(
    "value, says",
    [
        ("31/08/10", "four-digit year"),
        ("08/31/2010", "month first"),
        ("29/02/2011", "not a real date"),
        ("2010-02-30", "not a real date"),
        ("31 August 2010", "DD/MM/YYYY"),
        (40000, "holds a number"),
        ("yesterday", "DD/MM/YYYY"),
    ],
)
def test_dates_that_cannot_be_read_say_how_to_write_them(value, says):
    with pytest.raises(CellError) as raised:
        parse_date(value, "Date of birth")
    assert says in str(raised.value)
    assert str(raised.value).startswith("Date of birth")
