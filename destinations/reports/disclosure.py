"""Disclosure control for every report, screen and export (DOMAIN.md section 6).

A report is a list of :class:`Table` s of true counts. :func:`protect_report` returns the
tables as they may be published:

* a count from 1 to k-1 is shown as ``c``; 0 is shown as 0;
* a total from 1 to k-1 is ``c`` too (and so, being smaller, is every count in its line);
  whenever a total is ``c``, so are the zeros it adds up, since a reader who could count
  the non-zero cells under a hidden total of at most k-1 might pin them (k-1 of them
  could only all be 1);
* where a row or column with a published total has exactly one ``c``, the next-smallest
  non-zero number in it is also suppressed (preferring one that also helps the crossing
  line, then the first), or, when there is none, the line's total;
* then the auditor (:mod:`destinations.reports.auditor`) looks at the whole report, linked
  tables together, as a reader would, and for every ``c`` that can still be worked out
  exactly one more number in a line through it is suppressed, until none can. Each round
  hides at least one more number, so this ends; at worst every table sharing a total with
  the leaky one is hidden whole, which the auditor always accepts;
* optionally, shown counts and totals are then rounded to the nearest multiple of
  ``round_to`` each on its own (the auditor allows for that when it checks);
* percentages are worked out from the shown numbers, so they tell nobody anything more;
  a percentage whose part or whole is ``c`` is ``c``.

Everything here is a pure function of its arguments: no database, no Flask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from destinations.reports.auditor import (
    SUPPRESSED,
    Key,
    Line,
    Link,
    PublicationError,
    link_classes,
    table_keys,
    table_lines,
    unsafe_groups,
)

__all__ = [
    "SUPPRESSED",
    "DisclosureSettings",
    "Link",
    "Table",
    "TableSuppression",
    "protect_report",
    "round_count",
    "share_total",
    "suppress_table",
]

_PERCENTAGE_BASES = (None, "row", "column", "total")


@dataclass
class Table:
    """A table of true counts, before protection.

    Totals are normally worked out from the cells. Give them when the table is a breakdown
    whose rows overlap (``additive=False``: a young person with two support needs is in two
    rows): then each row is still the sum of its columns, but a column total is the number
    of young people, which only bounds each cell; ``column_totals`` are required and
    ``total`` defaults to their sum. Totals given for an additive table must add up.
    """

    name: str
    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int]]
    row_totals: list[int] | None = None
    column_totals: list[int] | None = None
    total: int | None = None
    percentages_of: str | None = None  # None, "row", "column" or "total"
    additive: bool = True

    def margins(self) -> tuple[list[int], list[int], int]:
        """The row totals, column totals and grand total, checked against the cells."""
        rows, columns = len(self.row_labels), len(self.column_labels)
        if len(self.cells) != rows or any(len(row) != columns for row in self.cells):
            raise ValueError(f"table {self.name!r}: cells do not match {rows} rows x {columns} columns")
        if any(not _is_count(n) for row in self.cells for n in row):
            raise ValueError(f"table {self.name!r}: every cell must be a whole number, 0 or more")
        if self.percentages_of not in _PERCENTAGE_BASES:
            raise ValueError(f"table {self.name!r}: percentages_of must be one of {_PERCENTAGE_BASES}")
        row_totals = [sum(row) for row in self.cells]
        if self.additive:
            column_totals = [sum(row[j] for row in self.cells) for j in range(columns)]
        elif self.column_totals is None:
            raise ValueError(f"table {self.name!r}: a table whose rows overlap needs its column totals")
        elif len(self.column_totals) != columns:
            raise ValueError(f"table {self.name!r}: there must be one column total for each column")
        else:
            column_totals = list(self.column_totals)
        total = sum(column_totals)
        for given, worked_out, what in (
            (self.row_totals, row_totals, "row totals"),
            (self.column_totals, column_totals, "column totals"),
            (self.total, total, "total"),
        ):
            if given is not None and given != worked_out:
                raise ValueError(f"table {self.name!r}: the {what} given do not add up")
        if any(not _is_count(n) for n in column_totals):
            raise ValueError(f"table {self.name!r}: every total must be a whole number, 0 or more")
        if not self.additive:
            if any(self.cells[i][j] > column_totals[j] for i in range(rows) for j in range(columns)):
                raise ValueError(f"table {self.name!r}: a cell is bigger than its column total")
            if any(n > total for n in row_totals):
                raise ValueError(f"table {self.name!r}: a row total is bigger than the grand total")
        return row_totals, column_totals, total


@dataclass(frozen=True)
class DisclosureSettings:
    """``k``: the smallest count that may be shown. ``round_to``: round shown counts to this."""

    k: int = 5
    round_to: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.k, int) or self.k < 3:
            raise ValueError("k must be a whole number of at least 3 (with k = 2 a c could only mean 1)")
        if self.round_to is not None and (not isinstance(self.round_to, int) or self.round_to < 1):
            raise ValueError("round_to must be a whole number of at least 1, or None")


@dataclass(frozen=True)
class TableSuppression:
    """Which numbers of a table are shown as ``c``."""

    cells: list[list[bool]]
    row_totals: list[bool]
    column_totals: list[bool]
    total: bool


def round_count(n: int, round_to: int | None) -> int:
    """``n`` to the nearest multiple of ``round_to`` (halves go up). 0 stays 0, and any other
    count is at least ``round_to``, so a rounded table never shows a false 0."""
    if not round_to or round_to == 1 or n == 0:
        return n
    return max(round_to, (2 * n + round_to) // (2 * round_to) * round_to)


def share_total(*names: str) -> list[Link]:
    """Links saying that the named tables break down the same group (share a grand total)."""
    return [((names[0], "total"), (name, "total")) for name in names[1:]]


def protect_report(tables: Sequence[Table], settings: DisclosureSettings = DisclosureSettings(), *,
                   linked: Iterable[Link] | None = None) -> list[dict[str, Any]]:
    """The tables as they may be published: API-shaped dicts with ``c`` for suppressed numbers.

    ``linked`` declares which totals of different tables are the same number (see
    :data:`destinations.reports.auditor.MarginRef` and :func:`share_total`); the tables are
    then protected together, so no table gives away what another hides. Raises ValueError
    for a table whose numbers do not add up or linked numbers that are not equal.
    """
    protection = _Protection(tables, settings, linked)
    protection.run()
    return protection.publish()


def suppress_table(table: Table, settings: DisclosureSettings = DisclosureSettings()) -> TableSuppression:
    """Which numbers of one table, protected on its own, are shown as ``c``."""
    protection = _Protection([table], settings, None)
    protection.run()
    return protection.suppression(table)


def _is_count(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


class _Protection:
    def __init__(self, tables: Sequence[Table], settings: DisclosureSettings, linked: Iterable[Link] | None):
        self.tables = list(tables)
        self.settings = settings
        self.linked = list(linked or ())
        names = [t.name for t in self.tables]
        if len(set(names)) != len(names):
            raise ValueError("two tables in the report have the same name")
        self.shapes = {t.name: (len(t.row_labels), len(t.column_labels)) for t in self.tables}
        self.non_additive = {t.name for t in self.tables if not t.additive}
        self.value: dict[Key, int] = {}
        for t in self.tables:
            row_totals, column_totals, total = t.margins()
            rows, columns = self.shapes[t.name]
            for i in range(rows):
                for j in range(columns):
                    self.value[(t.name, i, j)] = t.cells[i][j]
                self.value[(t.name, i, None)] = row_totals[i]
            for j in range(columns):
                self.value[(t.name, None, j)] = column_totals[j]
            self.value[(t.name, None, None)] = total
        try:
            self.rep = link_classes(self.shapes, self.linked, self.non_additive)
        except PublicationError as error:
            raise ValueError(str(error)) from error
        self.members: dict[Key, list[Key]] = {}
        for key, r in self.rep.items():
            self.members.setdefault(r, []).append(key)
            if self.value[key] != self.value[r]:
                raise ValueError(f"linked numbers {r} and {key} are not equal")
        reading = (key for t in self.tables for key in table_keys(t.name, *self.shapes[t.name]))
        self.order = {key: n for n, key in enumerate(reading)}
        self.lines: list[Line] = [
            line for t in self.tables for line in table_lines(t.name, *self.shapes[t.name], t.additive) if line.sums
        ]
        self.lines_through: dict[Key, list[int]] = {}
        for n, line in enumerate(self.lines):
            for key in (*line.members, line.total):
                through = self.lines_through.setdefault(self.rep[key], [])
                if n not in through:
                    through.append(n)
        self.hidden: set[Key] = set()

    # --- choosing what to hide ----------------------------------------------------------

    def run(self) -> None:
        k = self.settings.k
        for r in self.members:
            if 0 < self.value[r] < k:
                self.hide(r)
        while self._lone_c_round():
            pass
        hint = {r: self.value[r] for r in self.members}
        while True:
            groups = unsafe_groups(self.publish(), k, round_to=self.settings.round_to, linked=self.linked,
                                   non_additive=self.non_additive, hint=hint)
            if not groups:
                return
            # One more number per group of c's that are worked out together: hiding it
            # often frees the others, and hiding one for each would hide too much.
            progress = False
            for unsafe in groups:
                fix = next((fix for fix in map(self._fix, unsafe) if fix is not None), None)
                if fix is not None:
                    self.hide(fix[1])
                    progress = True
            if not progress:
                unsafe = [r for group in groups for r in group]
                # Nothing left to hide in a line through them: hide their tables whole, then
                # every table linked to those (a hidden total may be implied by another's).
                for names in ({name for name, _, _ in unsafe}, self._linked_tables(unsafe)):
                    before = len(self.hidden)
                    self.hide_tables(names)
                    if len(self.hidden) > before:
                        break
                else:
                    raise RuntimeError("disclosure control could not protect the report")

    def _linked_tables(self, keys: Iterable[Key]) -> set[str]:
        """The tables of these keys and every table linked to them, directly or not."""
        names = {name for name, _, _ in keys}
        while True:
            more = {key[0] for r in self.members if any(m[0] in names for m in self.members[r])
                    for key in self.members[r]}
            if more <= names:
                return names
            names |= more

    def hide(self, r: Key) -> None:
        """Suppress a number; with a total, also the zeros it adds up, so that a reader cannot
        count the non-zero cells under a hidden total (k-1 of them could only all be 1)."""
        work = [r]
        while work:
            r = work.pop()
            if r in self.hidden:
                continue
            self.hidden.add(r)
            for name, i, j in self.members[r]:
                rows, columns = self.shapes[name]
                if i is None and j is None:
                    under = [(name, i, None) for i in range(rows)] + [(name, None, j) for j in range(columns)]
                elif j is None:
                    under = [(name, i, j) for j in range(columns)]
                elif i is None:
                    under = [(name, i, j) for i in range(rows)]
                else:
                    under = []
                work += [self.rep[key] for key in under if self.value[key] == 0]

    def hide_tables(self, names: Iterable[str]) -> None:
        """Suppress every number of these tables."""
        for name in names:
            for key in table_keys(name, *self.shapes[name]):
                self.hide(self.rep[key])

    def _hidden_in(self, line: Line) -> list[Key]:
        return [r for r in dict.fromkeys(self.rep[m] for m in line.members) if r in self.hidden]

    def _lone_c_round(self) -> bool:
        """Give every line with a published total and exactly one c a second one."""
        changed = False
        for line in self.lines:
            if self.rep[line.total] in self.hidden:
                continue
            hidden = self._hidden_in(line)
            if len(hidden) == 1 and self.value[hidden[0]]:
                self.hide(self._next_smallest(line) or self.rep[line.total])
                changed = True
        return changed

    def _next_smallest(self, line: Line) -> Key | None:
        """The smallest non-zero shown number in the line; on a tie, one whose crossing line
        also has a lone c, then the first."""
        candidates = [r for r in dict.fromkeys(self.rep[m] for m in line.members)
                      if r not in self.hidden and self.value[r] > 0]
        if not candidates:
            return None
        return min(candidates, key=lambda r: (self.value[r], not self._helps(r, line), self.order[r]))

    def _helps(self, r: Key, line: Line) -> bool:
        for n in self.lines_through.get(r, ()):
            other = self.lines[n]
            if other is not line and r in (self.rep[m] for m in other.members) \
                    and self.rep[other.total] not in self.hidden and len(self._hidden_in(other)) == 1:
                return True
        return False

    def _fix(self, r: Key) -> tuple[int, Key] | None:
        """One more number to hide for a c that can be worked out: the smallest non-zero shown
        number in the line through it with the fewest non-zero c's (the likeliest culprit);
        only when no line through it has one, a line's total, one that other tables do not
        share and that is not a grand total if possible (hiding those costs most)."""
        through = sorted(self.lines_through.get(r, ()), key=lambda n: (self._weight(self.lines[n]), n))
        for n in through:
            target = self._next_smallest(self.lines[n])
            if target is not None:
                return n, target
        totals = [n for n in through if self.rep[self.lines[n].total] not in self.hidden
                  and self.value[self.rep[self.lines[n].total]] > 0]
        if not totals:
            return None
        n = min(totals, key=lambda n: (self._costly(self.rep[self.lines[n].total]), through.index(n)))
        return n, self.rep[self.lines[n].total]

    def _weight(self, line: Line) -> int:
        return sum(1 for r in self._hidden_in(line) if self.value[r])

    def _costly(self, r: Key) -> bool:
        return len(self.members[r]) > 1 or any(i is None and j is None for _, i, j in self.members[r])

    # --- what is published --------------------------------------------------------------

    def shown(self, key: Key) -> int | str:
        r = self.rep[key]
        return SUPPRESSED if r in self.hidden else round_count(self.value[r], self.settings.round_to)

    def publish(self) -> list[dict[str, Any]]:
        return [self._publish(t) for t in self.tables]

    def _publish(self, t: Table) -> dict[str, Any]:
        rows, columns = self.shapes[t.name]
        cells = [[self.shown((t.name, i, j)) for j in range(columns)] for i in range(rows)]
        row_totals = [self.shown((t.name, i, None)) for i in range(rows)]
        column_totals = [self.shown((t.name, None, j)) for j in range(columns)]
        total = self.shown((t.name, None, None))
        published: dict[str, Any] = {
            "name": t.name,
            "title": t.title,
            "row_labels": list(t.row_labels),
            "column_labels": list(t.column_labels),
            "cells": cells,
            "row_totals": row_totals,
            "column_totals": column_totals,
            "total": total,
        }
        if t.percentages_of:
            def whole(i: int, j: int) -> int | str:
                if t.percentages_of == "row":
                    return row_totals[i]
                return column_totals[j] if t.percentages_of == "column" else total

            published["percentages"] = [[_percentage(cells[i][j], whole(i, j)) for j in range(columns)]
                                        for i in range(rows)]
        return published

    def suppression(self, t: Table) -> TableSuppression:
        rows, columns = self.shapes[t.name]

        def hidden(key: Key) -> bool:
            return self.rep[key] in self.hidden

        return TableSuppression(
            cells=[[hidden((t.name, i, j)) for j in range(columns)] for i in range(rows)],
            row_totals=[hidden((t.name, i, None)) for i in range(rows)],
            column_totals=[hidden((t.name, None, j)) for j in range(columns)],
            total=hidden((t.name, None, None)),
        )


def _percentage(part: int | str, whole: int | str) -> float | str | None:
    """``part`` as a percentage of ``whole`` to one decimal place; None for a whole of 0."""
    if part == SUPPRESSED or whole == SUPPRESSED:
        return SUPPRESSED
    if whole == 0:
        return None
    exact = Decimal(100 * part) / Decimal(whole)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
