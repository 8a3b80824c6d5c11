"""Columns of an import file: what each means, the headings it is known by, how its cells read.

Headings are the API's field names, and the usual headings of council case-management and
school census exports are recognised too ("UPN", "Legal Forename", "DOB", "SEN Provision"...).
Headings are compared ignoring case, spaces and punctuation, so "Date of Birth", "date_of_birth"
and "DateOfBirth" are the same heading.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from destinations.imports.files import cell_text

MAX_TEXT = 2000


@dataclass(frozen=True)
class Column:
    name: str  # the API field name, and the template's heading
    label: str  # plain English, for messages
    kind: str  # text, date, integer, number, boolean
    description: str  # format and allowed values, shown on the import page
    required: bool = False
    aliases: tuple[str, ...] = ()  # in order of preference when a file has more than one
    max_length: int | None = None
    example: str = ""

    @property
    def in_sentence(self) -> str:
        """The label mid-sentence: "date of birth", but "SEN provision" and "UPN" keep their capitals."""
        first = self.label.split()[0]
        return self.label if first.isupper() else self.label[0].lower() + self.label[1:]

    @property
    def requirement(self) -> str:
        return "Required" if self.required else "Optional"


def heading_key(heading: str) -> str:
    """A heading reduced to lower-case letters and digits: "Date of Birth" and "date_of_birth" match."""
    return re.sub(r"[^a-z0-9]", "", heading.lower())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a zero-based column index (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Problem:
    """One thing to fix: the row (1 is the heading row), the column's heading and what to do."""

    row: int | None  # None for a problem with the file as a whole
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Headings:
    """Which file column holds each field, the heading it had, and the columns not used."""

    index: dict[str, int] = field(default_factory=dict)
    heading: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    row: int = 1

    def column(self, name: str) -> str:
        """The heading to name in a message about field ``name``."""
        return self.heading.get(name, name)


def match_headings(cells: list[Any], columns: tuple[Column, ...], row: int = 1) -> Headings:
    """Map a heading row onto the columns; problems name duplicates and missing required columns."""
    result = Headings(row=row)
    by_key: dict[str, tuple[Column, int]] = {}
    for column in columns:
        by_key[heading_key(column.name)] = (column, 0)
        for rank, alias in enumerate(column.aliases, start=1):
            by_key.setdefault(heading_key(alias), (column, rank))
    seen: dict[str, int] = {}
    ranks: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        if not text:
            continue
        key = heading_key(text)
        if key in seen:
            result.problems.append(
                Problem(row, text, f"The heading '{text}' is used twice (columns {column_letter(seen[key])} and {column_letter(index)}). Remove or rename one of them.")
            )
            continue
        seen[key] = index
        match = by_key.get(key)
        if match is None:
            result.ignored.append(text)
            continue
        column, rank = match
        if column.name in result.index:
            if rank >= ranks[column.name]:
                result.ignored.append(text)
                continue
            result.ignored.append(result.heading[column.name])
        result.index[column.name] = index
        result.heading[column.name] = text
        ranks[column.name] = rank
    for column in columns:
        if column.required and column.name not in result.index:
            result.problems.append(Problem(row, column.name, missing_column_message(column, result.ignored)))
    return result


def missing_column_message(column: Column, unused: list[str]) -> str:
    names = [column.name, *column.aliases[:3]]
    message = f"There is no {column.in_sentence} column. Add a column headed {column.name}"
    if len(names) > 1:
        message += " (or " + " or ".join(names[1:]) + ")"
    message += "."
    suggestion = closest_heading(column, unused)
    if suggestion:
        message += f" If '{suggestion}' is the {column.in_sentence}, rename that heading to {column.name}."
    if unused:
        message += " Headings not recognised: " + ", ".join(f"'{heading}'" for heading in unused[:20]) + ("..." if len(unused) > 20 else "") + "."
    return message


def closest_heading(column: Column, headings: list[str]) -> str | None:
    keys = {heading_key(heading): heading for heading in headings}
    wanted = [heading_key(name) for name in (column.name, *column.aliases)]
    for key in wanted:
        close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.8)
        if close:
            return keys[close[0]]
    return None


# --- reading cells ----------------------------------------------------------------------------

class CellError(ValueError):
    """A cell that cannot be read as its column's kind; the message says what to write instead."""


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_SHORT_YEAR = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")
_MIDNIGHT = re.compile(r"^(.*?)(?:[ T]00:00(?::00(?:\.0+)?)?(?:Z|\+00:00)?)$")


def parse_date(value: Any, label: str) -> date:
    """A date from a spreadsheet date cell, DD/MM/YYYY or YYYY-MM-DD (a midnight time is allowed)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    how = f"{label} must be a date written DD/MM/YYYY (like 31/08/2010) or YYYY-MM-DD (like 2010-08-31)"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(f"{how}. This cell holds a number: format the column as a date in your spreadsheet.")
    text = cell_text(value)
    match = _MIDNIGHT.match(text)
    if match and match.group(1):
        text = match.group(1).strip()
    if _SHORT_YEAR.match(text):
        raise CellError(f"{label} must have a four-digit year, like 31/08/2010.")
    iso = _ISO.match(text)
    uk = _UK.match(text)
    if iso:
        year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    elif uk:
        day, month, year = int(uk.group(1)), int(uk.group(2)), int(uk.group(3))
        if month > 12 and day <= 12:
            raise CellError(f"{label} has no month {month}: it may be written month first. {how}.")
    else:
        raise CellError(f"{how}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"{label} is not a real date: check the day and month, written DD/MM/YYYY (like 31/08/2010) or YYYY-MM-DD.") from None


_TRUE = {"yes", "y", "true", "t", "1", "verified"}
_FALSE = {"no", "n", "false", "f", "0", "unverified", "not verified"}


def parse_boolean(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"{label} must be yes or no (Y/N and TRUE/FALSE are fine too).")


def parse_integer(value: Any, label: str) -> int:
    text = cell_text(value)
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise CellError(f"{label} must be a whole number, like 12.")
    return int(text)


def parse_number(value: Any, label: str) -> Decimal:
    if isinstance(value, bool):
        raise CellError(f"{label} must be a number, like 16 or 22.5.")
    text = cell_text(value) if not isinstance(value, float) else repr(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"{label} must be a number, like 16 or 22.5.") from None
    if not number.is_finite():
        raise CellError(f"{label} must be a number, like 16 or 22.5.")
    return number


def parse_text(text: str, column: Column) -> str:
    if "\x00" in text:
        raise CellError(f"{column.label} contains a NUL character. Remove it.")
    limit = column.max_length or MAX_TEXT
    if len(text) > limit:
        raise CellError(f"{column.label} must be {limit} characters or fewer; this one has {len(text)}.")
    return text


def read_cell(value: Any, column: Column) -> Any:
    """The cell as its column's kind, or None when it is blank; CellError when it cannot be read."""
    text = value.strip() if isinstance(value, str) else cell_text(value)
    if text == "":
        return None
    if column.kind == "text":
        return parse_text(text, column)
    if column.kind == "date":
        return parse_date(value, column.label)
    if column.kind == "boolean":
        return parse_boolean(value, column.label)
    if column.kind == "integer":
        return parse_integer(value, column.label)
    if column.kind == "number":
        return parse_number(value, column.label)
    return parse_text(text, column)


@dataclass
class Row:
    """One data row: its number in the file, the cells read by field name, and its problems."""

    number: int
    values: dict[str, Any]
    problems: list[Problem]


def read_row(number: int, cells: list[Any], headings: Headings, columns: tuple[Column, ...]) -> Row:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in columns:
        index = headings.index.get(column.name)
        if index is None:
            continue
        raw = cells[index] if index < len(cells) else None
        try:
            values[column.name] = read_cell(raw, column)
        except CellError as error:
            problems.append(Problem(number, headings.column(column.name), str(error)))
            values[column.name] = None
    return Row(number, values, problems)
