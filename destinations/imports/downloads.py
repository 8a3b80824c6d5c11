"""Import templates to download: the heading row, as CSV or as an Excel workbook with notes."""
from __future__ import annotations

import codecs
import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from destinations.imports.columns import Column

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_csv(columns: tuple[Column, ...]) -> bytes:
    """The heading row, UTF-8 with a byte order mark so Excel opens it with the right characters."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([column.name for column in columns])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def template_xlsx(columns: tuple[Column, ...], title: str) -> bytes:
    """A workbook: the heading row on the first sheet (the one imported), and notes on a second."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.name)
        cell.font = bold
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
        if column.kind == "date":
            sheet.column_dimensions[letter].number_format = "DD/MM/YYYY"
        elif column.kind == "text":
            # Text, so Excel keeps leading zeros and never turns a code into a number or a date.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("How to fill this in")
    notes.append(["Column", "Required", "What to put in it", "Example"])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        notes.append([column.name, column.requirement, column.description, column.example])
    notes.append([])
    notes.append(["Only the first sheet is imported. Leave this sheet as it is or delete it."])
    for letter, width in (("A", 22), ("B", 10), ("C", 100), ("D", 24)):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
