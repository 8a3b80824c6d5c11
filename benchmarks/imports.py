"""Imports at county scale: ``python -m benchmarks.imports``.

Imports a file of 20,000 young people (and one of 20,000 destinations) on SQLite and
PostgreSQL, through the same service the pages and the API use, and prints for each step the
wall time (reading, checking and committing), rows per second and the peak memory the step
allocated (tracemalloc). Each step is also run on a small file (2,000 rows): time should grow
with the rows (a ratio near 10) and memory should not (a ratio near 1), because the file is
read a batch at a time and each batch is checked in a fixed number of queries.

Memory is measured in a second pass over a fresh database, because tracing allocations slows
Python down and would spoil the timings. Nothing here asserts a time: the figures are for
people to read (see benchmarks/README.md).
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from benchmarks.common import describe
from destinations.auth import services as auth_services
from destinations.auth.models import User
from destinations.database import make_engine, new_session
from destinations.imports.kinds import KINDS
from destinations.imports.services import Actor, ImportSettings, run_import
from destinations.people.upn import make_upn
from destinations.providers import services as provider_services
from tests import create_database
from tests.conftest import reset_database

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dps_imports_bench"
KEYWORKERS = 40
SCHOOLS = 60
TODAY = date(2026, 11, 20)
NEEDS = ("ASD", "SEMH", "SLCN", "MLD", "SPLD", "SLD", "PMLD", "HI", "VI", "PD", "OTH")
CODES = ("110", "210", "220", "230", "310", "330", "460", "619", "610")
PEOPLE_HEADINGS = ["UPN", "Person ID", "Legal Forename", "Surname", "DOB", "SEN Provision", "Primary Need", "school_urn", "keyworker_email", "pathway", "Ethnicity"]
DESTINATION_HEADINGS = ["upn", "activity_code", "started_on", "ended_on", "provider_name", "hours_per_week", "level", "verified"]


def upn(n: int) -> str:
    return make_upn(938, 2000 + n // 1000, 10, n % 1000)


def people_rows(count: int, *, changed_every: int = 0):
    """Synthetic young people (no real person); every ``changed_every``th row differs a little."""
    generator = random.Random(1)
    for n in range(count):
        born = date(2004, 9, 1) + timedelta(days=generator.randrange(365 * 8))
        row = [
            upn(n), f"P{n:07d}", f"Given{n}", f"Family{n}", born.strftime("%d/%m/%Y"), "E" if n % 3 else "K",
            NEEDS[n % len(NEEDS)], f"{100000 + n % SCHOOLS}", f"keyworker{n % KEYWORKERS}@bench.example", str(1 + n % 3), "WBRI",
        ]
        if changed_every and n % changed_every == 0:
            row[3] = f"Changed{n}"
            row[6] = NEEDS[(n + 1) % len(NEEDS)]
            row[9] = str(1 + (n + 1) % 3)
        yield row


def destination_rows(count: int):
    for n in range(count):
        code = CODES[n % len(CODES)]
        hours = "30" if code in ("310", "330") else ""
        yield [upn(n), code, "01/09/2025", "" if n % 4 else "31/07/2026", f"Provider {n % 25}", hours, "2" if code in ("230", "310") else "", "yes" if n % 2 else "no"]


def write_csv(path: Path, headings, rows) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headings)
        writer.writerows(rows)
        writer.writerow([""] * len(headings))  # the blank trailing row spreadsheets leave


def _excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def write_xlsx(path: Path, headings, rows) -> None:
    """A workbook as Excel saves one: shared strings, a <dimension>, and dates as date-styled serial numbers.

    openpyxl writes strings inline, which it then reads back several times more slowly than
    the shared strings Excel and LibreOffice write, so a workbook written by openpyxl would
    time openpyxl's writer rather than a council's file.
    """
    strings: dict[str, int] = {}

    def shared(text: str) -> int:
        return strings.setdefault(text, len(strings))

    def cells(number: int, values) -> str:
        out = []
        for index, value in enumerate(values):
            reference = f"{column_name(index)}{number}"
            if isinstance(value, str) and len(value) == 10 and value[2] == "/" and value[5] == "/":
                day, month, year = (int(part) for part in value.split("/"))
                out.append(f'<c r="{reference}" s="1"><v>{_excel_serial(date(year, month, day))}</v></c>')
            elif value not in ("", None):
                out.append(f'<c r="{reference}" t="s"><v>{shared(str(value))}</v></c>')
        return f'<row r="{number}">{"".join(out)}</row>'

    rows = list(rows)
    last = f"{column_name(len(headings) - 1)}{len(rows) + 1}"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}"><dimension ref="A1:{last}"/><sheetData>'.encode())
            sheet.write(cells(1, headings).encode())
            for number, row in enumerate(rows, start=2):
                sheet.write(cells(number, row).encode())
            sheet.write(b"</sheetData></worksheet>")
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
        archive.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')
        archive.writestr("xl/styles.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="Young people" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{RELS}/styles" Target="styles.xml"/></Relationships>')
        archive.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)


def column_name(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Files:
    people_csv: Path
    people_updated_csv: Path
    people_xlsx: Path
    destinations_csv: Path


def make_files(folder: Path, count: int) -> Files:
    files = Files(folder / f"people-{count}.csv", folder / f"people-updated-{count}.csv", folder / f"people-{count}.xlsx", folder / f"destinations-{count}.csv")
    write_csv(files.people_csv, PEOPLE_HEADINGS, people_rows(count))
    write_csv(files.people_updated_csv, PEOPLE_HEADINGS, people_rows(count, changed_every=10))
    write_xlsx(files.people_xlsx, PEOPLE_HEADINGS, people_rows(count))
    write_csv(files.destinations_csv, DESTINATION_HEADINGS, destination_rows(count))
    return files


def prepare_database(url: str) -> int:
    """An empty database from the migrations, with a manager, keyworkers and schools; returns the manager's id."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    reset_database(url)
    engine = make_engine(url)
    with new_session(engine) as session:
        manager = auth_services.create_user(session, email="manager@bench.example", name="Manager", role="manager", password="benchmark-password")
        for n in range(KEYWORKERS):
            auth_services.create_user(session, email=f"keyworker{n}@bench.example", name=f"Keyworker {n}", role="keyworker", password="benchmark-password")
        for n in range(SCHOOLS):
            provider_services.create_provider(session, {"name": f"School {n}", "kind": "school", "urn": f"{100000 + n}", "ukprn": None})
        for n in range(25):
            provider_services.create_provider(session, {"name": f"Provider {n}", "kind": "college", "urn": None, "ukprn": None})
        session.commit()
        manager_id = manager.id
    engine.dispose()
    return manager_id


@dataclass(frozen=True)
class Step:
    label: str
    kind: str
    file: str
    dry_run: bool
    expect: str  # which count should equal the rows: created, updated (some), unchanged


STEPS = (
    Step("young people: check only (CSV)", "young-people", "people_csv", True, "created"),
    Step("young people: import, all new (CSV)", "young-people", "people_csv", False, "created"),
    Step("young people: same file again", "young-people", "people_csv", False, "unchanged"),
    Step("young people: check only (XLSX)", "young-people", "people_xlsx", True, "unchanged"),
    Step("young people: 10% changed", "young-people", "people_updated_csv", False, "updated"),
    Step("destinations: import, all new", "destinations", "destinations_csv", False, "created"),
    Step("destinations: same file again", "destinations", "destinations_csv", False, "unchanged"),
)


@dataclass
class Measure:
    seconds: float = 0.0
    rows: int = 0
    peak_mb: float = 0.0
    outcome: str = ""


@contextmanager
def traced(enabled: bool):
    if not enabled:
        yield lambda: 0.0
        return
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def run_steps(url: str, files: Files, *, trace: bool) -> list[Measure]:
    manager_id = prepare_database(url)
    engine = make_engine(url)
    measures = []
    try:
        for step in STEPS:
            path = getattr(files, step.file)
            with new_session(engine) as session, traced(trace) as peak:
                started = time.perf_counter()
                with path.open("rb") as stream:
                    result = run_import(
                        session, KINDS[step.kind].importer(TODAY), stream, actor=Actor(session.get(User, manager_id), "user"),
                        dry_run=step.dry_run, channel="api", today=TODAY, settings=ImportSettings(max_bytes=64 * 1024 * 1024),
                    )
                session.commit()
                seconds = time.perf_counter() - started
                measure = Measure(seconds, result.rows, peak(), f"{result.created}/{result.updated}/{result.unchanged}")
            if not result.ok:
                raise RuntimeError(f"{step.label}: {result.unreadable or result.problems[:3]}")
            if step.expect != "updated" and getattr(result, step.expect) != result.rows:
                raise RuntimeError(f"{step.label}: expected every row {step.expect}, got created/updated/unchanged {measure.outcome}")
            measures.append(measure)
    finally:
        engine.dispose()
    return measures


def print_table(title: str, small: int, big: int, timed_small, timed_big, memory_small, memory_big) -> None:
    print(f"\n{title}")
    print(f"{'':38}{small:>7,} rows{'':14}{big:>7,} rows{'':22}")
    print(f"{'step':38}{'s':>8}{'rows/s':>9}{'peak MB':>9}{'s':>9}{'rows/s':>9}{'peak MB':>9}{'time ×':>9}{'memory ×':>10}")
    for step, ts, tb, ms, mb in zip(STEPS, timed_small, timed_big, memory_small, memory_big):
        print(
            f"{step.label:38}{ts.seconds:8.2f}{ts.rows / ts.seconds:9,.0f}{ms.peak_mb:9.1f}"
            f"{tb.seconds:9.2f}{tb.rows / tb.seconds:9,.0f}{mb.peak_mb:9.1f}"
            f"{tb.seconds / ts.seconds:9.1f}{mb.peak_mb / max(ms.peak_mb, 0.01):10.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.imports", description="Time imports of 20,000 rows on SQLite and PostgreSQL.")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both", help="default both")
    parser.add_argument("--rows", type=int, default=20000, help="rows in the big files (default 20,000)")
    parser.add_argument("--small-rows", type=int, default=2000, help="rows in the small files it is compared with (default 2,000)")
    parser.add_argument("--pg-url", default=os.environ.get("PG_IMPORTS_BENCH_URL", DEFAULT_PG_URL), help=f"emptied at the start (default {DEFAULT_PG_URL})")
    parser.add_argument("--no-memory", action="store_true", help="skip the second, traced pass")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="dps-bench-imports-"))
    try:
        print(f"Load average at start: {', '.join(f'{load:.1f}' for load in os.getloadavg())}")
        started = time.perf_counter()
        small, big = make_files(folder, args.small_rows), make_files(folder, args.rows)
        print(f"Files written in {time.perf_counter() - started:.1f} s: {big.people_csv.stat().st_size / 1e6:.1f} MB of CSV and "
              f"{big.people_xlsx.stat().st_size / 1e6:.1f} MB of XLSX for {args.rows:,} young people")
        databases = []
        if args.database in ("sqlite", "both"):
            databases.append(("SQLite", lambda: f"sqlite:///{folder / 'bench.db'}"))
        if args.database in ("postgresql", "both"):
            create_database.main(args.pg_url)
            databases.append((f"PostgreSQL ({describe(args.pg_url)})", lambda: args.pg_url))
        for title, url in databases:
            timed_small, timed_big = run_steps(url(), small, trace=False), run_steps(url(), big, trace=False)
            if args.no_memory:
                memory_small, memory_big = [Measure(peak_mb=0)] * len(STEPS), [Measure(peak_mb=0)] * len(STEPS)
            else:
                memory_small, memory_big = run_steps(url(), small, trace=True), run_steps(url(), big, trace=True)
            print_table(title, args.small_rows, args.rows, timed_small, timed_big, memory_small, memory_big)
        print(f"\nLoad average at end: {', '.join(f'{load:.1f}' for load in os.getloadavg())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
