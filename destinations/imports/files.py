"""Reading an uploaded CSV or XLSX file row by row, whatever a council's systems produced.

Nothing here reads a whole file into memory: CSV is decoded and split a chunk at a time, and
XLSX is read with openpyxl's read-only (streaming) mode. Every way a file can be unreadable
ends in a ``FileProblem`` whose message says what is wrong and what to do about it, so a bad
upload gets an answer a person can act on rather than a server error.
"""
from __future__ import annotations

import codecs
import csv
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
# Unpacked size allowed per byte of uploaded workbook. Real workbooks unpack to 5-20 times
# their size; a "zip bomb" unpacks to thousands of times and would exhaust the server.
XLSX_EXPANSION_LIMIT = 100
XLSX_FORMAT = "xlsx"
CSV_FORMAT = "csv"
SAVE_AS = "Save it from your spreadsheet as 'CSV UTF-8 (comma delimited)' or as an Excel workbook (.xlsx) and upload it again."


class FileProblem(Exception):
    """The file as a whole cannot be read; ``message`` tells a person what to do."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


class FileTooLarge(FileProblem):
    def __init__(self, size: int, limit: int):
        super().__init__(
            f"The file is {describe_size(size)}, which is over the {describe_size(limit)} limit. "
            "Split it into smaller files (each with the heading row) and import them one after another."
        )
        self.size = size
        self.limit = limit


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def file_size(stream: IO[bytes]) -> int:
    """The size of a seekable stream, leaving it at the start."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def check_size(stream: IO[bytes], limit: int) -> int:
    size = file_size(stream)
    if size > limit:
        raise FileTooLarge(size, limit)
    return size


def sniff_format(head: bytes) -> str:
    """``csv`` or ``xlsx`` from the first bytes of a file, or a FileProblem saying what it is instead.

    The file's contents decide, not its name: exports are often renamed, and a name proves nothing.
    """
    if not head or not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileProblem("The file is empty. Choose the file with your data in it.")
    if head.startswith(b"PK\x03\x04"):
        return XLSX_FORMAT
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            "This is an older Excel file (.xls) or another Office document, which cannot be imported. " + SAVE_AS
        )
    if head.startswith(b"%PDF"):
        raise FileProblem("This is a PDF, not a CSV or Excel file. " + SAVE_AS)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem("This file is saved as 'Unicode text' (UTF-16), which cannot be imported. " + SAVE_AS)
    if b"\x00" in head:
        raise FileProblem("This is not a CSV or Excel (.xlsx) file: it contains data that is not text. " + SAVE_AS)
    return CSV_FORMAT


# --- CSV --------------------------------------------------------------------------------------

class UndecodableText(Exception):
    """Bytes that are not text in the file's encoding; ``text`` is what came before them."""

    def __init__(self, text: str):
        super().__init__("undecodable bytes")
        self.text = text


class SniffingDecoder:
    """Decodes UTF-8 (with or without a byte order mark) or, failing that, Windows-1252.

    The choice is made on the first chunk that has any non-ASCII byte in it: until then both
    encodings read the bytes the same way, so a Windows-1252 file whose first accented name
    is on row 5,000 is not mistaken for UTF-8. Once chosen, the encoding holds for the rest
    of the file; bytes that do not fit it raise UndecodableText with the text before them, so
    the row they are on can be named.
    """

    def __init__(self) -> None:
        self.encoding: str | None = None
        self._carry = b""
        self._started = False

    def decode(self, data: bytes, final: bool = False) -> str:
        if not self._started:
            self._started = True
            if data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8):]
                self.encoding = "utf-8"
        data, self._carry = self._carry + data, b""
        if self.encoding is None:
            if data.isascii() and not final:
                return data.decode("ascii")
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as error:
                cut = not final and error.reason == "unexpected end of data" and error.end == len(data)
                if cut and data[: error.start].isascii():
                    # Only a lone lead byte at the very end: the next chunk decides.
                    self._carry = data[error.start:]
                    return data[: error.start].decode("ascii")
                self.encoding = "utf-8" if cut else "cp1252"
            else:
                self.encoding = "utf-8"
        try:
            return data.decode(self.encoding)
        except UnicodeDecodeError as error:
            before = data[: error.start].decode(self.encoding)
            if self.encoding == "utf-8" and not final and error.reason == "unexpected end of data" and error.end == len(data):
                self._carry = data[error.start:]  # the rest of the character is in the next chunk
                return before
            raise UndecodableText(before) from None


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)")


def decoded_lines(stream: IO[bytes], decoder: SniffingDecoder) -> Iterator[str]:
    """The file's lines, decoded, each with its line ending (as the csv module wants them).

    Only text up to the chunk's last line ending is split, so a very long line (a quote
    never closed) costs time in proportion to its length, not its square.
    """
    pending = ""
    while True:
        chunk = stream.read(CHUNK)
        final = not chunk
        failed = None
        try:
            text = decoder.decode(chunk, final)
        except UndecodableText as error:
            text, failed = error.text, error
        # A "\r" at the very end may be the first half of a "\r\n" still to come.
        hold = not final and failed is None and text.endswith("\r")
        searched = text[:-1] if hold else text
        cut = max(searched.rfind("\n"), searched.rfind("\r"))
        if cut < 0:
            pending += text
        else:
            complete, pending = pending + text[: cut + 1], text[cut + 1:]
            for match in _LINE.finditer(complete):
                yield match.group()
        if failed is not None:
            raise failed  # the lines before the bad bytes are read, so the row can be named
        if final:
            if pending:
                yield pending
            return


def _delimiter(heading_line: str) -> str:
    """Comma, unless the heading row plainly uses semicolons or tabs (some systems export those)."""
    counts = {delimiter: heading_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


def _encoding_problem(decoder: SniffingDecoder, row: int) -> FileProblem:
    if decoder.encoding == "utf-8":
        return FileProblem(
            f"Row {row} has characters that are not UTF-8, though the rows before it are. "
            "The file may have been pasted together from files saved in different ways. " + SAVE_AS,
            row=row,
        )
    return FileProblem(
        f"Row {row} has bytes that are not text in UTF-8 or Windows-1252, so this may not be a CSV file. " + SAVE_AS,
        row=row,
    )


def csv_rows(stream: IO[bytes]) -> Iterator[list[str]]:
    """The records of a CSV file as lists of strings (one per spreadsheet row)."""
    decoder = SniffingDecoder()
    lines = decoded_lines(stream, decoder)
    row = 0
    try:
        first = next(lines, None)
        if first is None:
            return
        delimiter = _delimiter(first)

        def all_lines():
            yield first
            yield from lines

        reader = csv.reader(all_lines(), delimiter=delimiter, strict=False)
        for record in reader:
            row += 1
            yield record
    except UndecodableText:
        raise _encoding_problem(decoder, row + 1) from None
    except csv.Error as error:
        raise FileProblem(
            f"Row {row + 1} could not be read as CSV ({_csv_reason(error)}). "
            "Check it for a quote mark (\") that is not closed, or re-save the file from your spreadsheet.",
            row=row + 1,
        ) from None


def _csv_reason(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return "a cell is far too long, usually because a quote mark is not closed"
    if "NUL" in text:
        return "it contains a NUL character, which text never does"
    return text


# --- XLSX -------------------------------------------------------------------------------------

def _check_workbook_size(stream: IO[bytes], size: int) -> None:
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileProblem("The file looks like an Excel workbook (.xlsx) but is damaged or incomplete. " + SAVE_AS) from None
    finally:
        stream.seek(0)
    if "xl/workbook.xml" not in names:
        raise FileProblem("The file is a ZIP archive, not an Excel workbook (.xlsx). " + SAVE_AS)
    if unpacked > max(size, 1) * XLSX_EXPANSION_LIMIT:
        raise FileProblem("The workbook unpacks to far more data than a spreadsheet of this size holds, so it cannot be imported. " + SAVE_AS)


def _unreadable_workbook() -> FileProblem:
    return FileProblem("The file could not be read as an Excel workbook (.xlsx): it may be damaged, or protected with a password. " + SAVE_AS)


def xlsx_rows(stream: IO[bytes], size: int) -> Iterator[tuple[Any, ...]]:
    """The rows of the workbook's first worksheet, as tuples of cell values."""
    _check_workbook_size(stream, size)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types on a malformed workbook
        log.info("unreadable workbook", extra={"error_type": type(error).__name__})
        raise _unreadable_workbook() from None
    try:
        if not workbook.worksheets:
            raise FileProblem("The workbook has no worksheets. Put the data on the first worksheet.")
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        row = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except FileProblem:
                raise
            except Exception as error:  # a damaged sheet fails part-way through
                log.info("unreadable worksheet row", extra={"error_type": type(error).__name__})
                raise FileProblem(f"Row {row + 1} of the worksheet could not be read: the workbook may be damaged. " + SAVE_AS, row=row + 1) from None
            row += 1
            yield values
    finally:
        workbook.close()


# --- either ---------------------------------------------------------------------------------

@dataclass
class OpenedFile:
    format: str
    size: int
    rows: Iterator[tuple[int, list[Any]]]


def open_rows(stream: IO[bytes], *, limit: int) -> OpenedFile:
    """Check the file's size and kind, and give its rows numbered as a spreadsheet numbers them."""
    size = check_size(stream, limit)
    head = stream.read(CHUNK)
    stream.seek(0)
    kind = sniff_format(head)
    records = csv_rows(stream) if kind == CSV_FORMAT else xlsx_rows(stream, size)
    return OpenedFile(kind, size, ((number, list(values)) for number, values in enumerate(records, start=1)))


# --- cell values ------------------------------------------------------------------------------

def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0", dates as DD/MM/YYYY, whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def is_blank(values: list[Any]) -> bool:
    """True when every cell is empty or only spaces (what cell_text would make "")."""
    for value in values:
        if value is None:
            continue
        if isinstance(value, str) and not value.strip():
            continue
        return False
    return True
