"""Reports as files: CSV, XLSX and JSON, written from the protected (API-shaped) tables.

Exports never see a count the screen does not show: they take the report after disclosure
control, so a ``c`` stays a ``c`` and a rounded count stays rounded. Labels come from
reference data and provider names that administrators type, so anything a spreadsheet would
read as a formula is written as plain text.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
TOTAL = "Total"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_LIMIT = 31


def _text(value: Any) -> str:
    """A label as spreadsheet-safe text: a leading formula character is escaped with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _has_row_totals(table: Mapping) -> bool:
    return table.get("row_totals") is not None


def table_rows(table: Mapping) -> list[list[Any]]:
    """The table as a grid: a header row, a row per row label, then the totals row."""
    with_totals = _has_row_totals(table)
    header = ["", *table["column_labels"]] + ([TOTAL] if with_totals else [])
    rows = [header]
    for i, label in enumerate(table["row_labels"]):
        row = [label, *table["cells"][i]]
        if with_totals:
            row.append(table["row_totals"][i])
        rows.append(row)
    if table.get("column_totals") is not None or table.get("total") is not None:
        columns = table.get("column_totals") or [""] * len(table["column_labels"])
        rows.append([TOTAL, *columns] + ([table.get("total")] if with_totals else []))
    return rows


def percentage_rows(table: Mapping) -> list[list[Any]] | None:
    """The percentages grid with its labels, or None when the table has none."""
    percentages = table.get("percentages")
    if not percentages:
        return None
    return [["", *table["column_labels"]]] + [[label, *percentages[i]] for i, label in enumerate(table["row_labels"])]


def describe_parameters(report: Mapping) -> list[tuple[str, Any]]:
    """What the report is, as (name, value) pairs for the head of a file."""
    parameters = report.get("parameters", {})
    lines = [("Generated at", report.get("generated_at"))]
    lines += [(name, parameters[name]) for name in sorted(parameters) if parameters[name] is not None]
    return lines


def to_csv(report: Mapping) -> str:
    """One block per table: a title line, a header row, the rows, the totals row, a blank line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for name, value in describe_parameters(report):
        writer.writerow([_text(name), _text(value)])
    writer.writerow([])
    for table in report["tables"]:
        writer.writerow([_text(table["title"])])
        for row in table_rows(table):
            writer.writerow([_text(value) if isinstance(value, str) else value for value in row])
        percentages = percentage_rows(table)
        if percentages:
            writer.writerow([_text(f"{table['title']}: percentages")])
            for row in percentages:
                writer.writerow([_text(value) if isinstance(value, str) else value for value in row])
        writer.writerow([])
    return out.getvalue()


def sheet_names(tables: Sequence[Mapping]) -> list[str]:
    """A unique, valid sheet name per table (Excel allows 31 characters and no []:*?/\\)."""
    names: list[str] = []
    for table in tables:
        base = _SHEET_NAME_FORBIDDEN.sub(" ", str(table.get("name") or "table")).strip()[:_SHEET_NAME_LIMIT] or "table"
        name, n = base, 2
        while name.lower() in (taken.lower() for taken in names) or name.lower() == "report":
            suffix = f" {n}"
            name = base[: _SHEET_NAME_LIMIT - len(suffix)] + suffix
            n += 1
        names.append(name)
    return names


def to_xlsx(report: Mapping) -> bytes:
    """A workbook: a "Report" sheet saying what it is, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    about = workbook.active
    about.title = "Report"
    for name, value in describe_parameters(report):
        _append(about, [name, value])
    for table, sheet_name in zip(report["tables"], sheet_names(report["tables"])):
        sheet = workbook.create_sheet(sheet_name)
        _append(sheet, [table["title"]])
        sheet.cell(row=1, column=1).font = bold
        rows = table_rows(table)
        for row in rows:
            _append(sheet, row)
        header_row = 2
        for cell in sheet[header_row]:
            cell.font = bold
        percentages = percentage_rows(table)
        if percentages:
            sheet.append([])
            _append(sheet, [f"{table['title']}: percentages"])
            for row in percentages:
                _append(sheet, row)
        sheet.column_dimensions["A"].width = max(12, min(60, max(len(str(label)) for label in ["", *table["row_labels"]]) + 2))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _append(sheet, values: Sequence[Any]) -> None:
    """Append a row, keeping text as text: openpyxl would otherwise store "=..." as a formula."""
    sheet.append([None if value is None else value for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def to_json(report: Mapping) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str)


def render(report: Mapping, format: str) -> tuple[bytes, str]:
    """The report in ``format`` ("csv", "xlsx" or "json"), and its media type."""
    if format == "csv":
        # A byte order mark so Excel opens the file as UTF-8 (labels can have accents).
        return ("\ufeff" + to_csv(report)).encode("utf-8"), FORMATS["csv"] + "; charset=utf-8"
    if format == "xlsx":
        return to_xlsx(report), FORMATS["xlsx"]
    if format == "json":
        return to_json(report).encode("utf-8"), FORMATS["json"]
    raise ValueError(f"unknown export format {format!r}")
