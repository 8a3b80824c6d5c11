"""The demand report at county (and national) scale: ``python -m benchmarks.demand_report``.

Builds the demo council (people, their PfA reviews and intended next steps) and times the
whole live demand report for one target academic year, in process: the counting statement,
the labels, building the tables and disclosure control. Beside it, it times the bare SQL
aggregate (route by level, the report's main GROUP BY, alone) on the same data, and prints
the ratio of the two: what the report costs beyond the one query nobody could do without.

Report and bare query are timed in alternating rounds, each in its own transaction, so a
busy moment on a shared machine slows both alike. Nothing here asserts a time: the figures
are for people to read (see benchmarks/README.md).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.common import Timing, describe, load_council
from destinations.auth.models import User
from destinations.database import make_engine, new_session
from destinations.people import roll
from destinations.reports import demand, services
from destinations.reports.demand import ReportSettings
from destinations.reviews.models import NextStep, Review
from tests import create_database

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dps_bench_demand"
NATIONAL_PEOPLE = 600_000
NATIONAL_BATCH = 50_000  # people per demo load at national scale, each committed, for progress
WARM_UP = 2
TARGETS_MS = {"SQLite": 200, "PostgreSQL": 200}
NATIONAL_TARGET_MS = 2000
RATIO_AIM = 1.5


@dataclass
class Result:
    name: str
    url: str
    people: int
    reviews: int = 0
    steps: int = 0
    counted: object = 0
    load_seconds: float = 0.0
    report: Timing | None = None
    bare: Timing | None = None
    ratio: float = 0.0
    publish_ms: float = 0.0
    slices: int = 0
    target_ms: int = 200


def build(result: Result, *, reuse: bool) -> None:
    """Load the demo council (or keep the one already there with ``reuse``), then ANALYZE."""
    result.people, result.load_seconds = load_council(result.url, result.people, reuse=reuse, batch=NATIONAL_BATCH)
    engine = make_engine(result.url)
    try:
        _describe_data(engine, result)
    finally:
        engine.dispose()


def _describe_data(engine, result: Result) -> None:
    with new_session(engine) as session:
        result.reviews = session.scalar(select(func.count()).select_from(Review)) or 0
        result.steps = session.scalar(select(func.count()).select_from(NextStep)) or 0


def measure(result: Result, year: int, today: date, repeat: int, *, publish: bool) -> None:
    settings = ReportSettings()
    engine = make_engine(result.url)
    bare_query = demand.bare_main_query(year, today, settings.roll)
    report_times: list[float] = []
    bare_times: list[float] = []
    try:
        with new_session(engine) as session:
            for round_number in range(WARM_UP + repeat):
                started = time.perf_counter()
                report = demand.demand_report(session, year, today, settings)
                report_seconds = time.perf_counter() - started
                session.rollback()
                started = time.perf_counter()
                demand.tune_for_reports(session)
                session.execute(bare_query).all()
                bare_seconds = time.perf_counter() - started
                session.rollback()
                if round_number >= WARM_UP:
                    report_times.append(report_seconds)
                    bare_times.append(bare_seconds)
            result.counted = next(t for t in report["tables"] if t["name"] == "route_by_level")["total"]
            if publish:
                manager = session.scalar(select(User).where(User.role == "manager").limit(1))
                started = time.perf_counter()
                _, slices = services.publish_demand(session, year, manager, today, settings)
                result.publish_ms = (time.perf_counter() - started) * 1000
                result.slices = len(slices)
                session.rollback()  # a benchmark publishes nothing
    finally:
        engine.dispose()
    result.report, result.bare = Timing.of(report_times), Timing.of(bare_times)
    result.ratio = statistics.median(report_times) / statistics.median(bare_times)


def print_results(results: list[Result], year: int, repeat: int) -> None:
    print()
    print(f"Demand report for {roll.academic_year_label(year)}: median and 95th percentile of {repeat} runs after {WARM_UP} warm-up runs")
    header = f"{'database':<12}{'people':>9}{'reviews':>11}{'counted':>9}{'report ms':>11}{'p95':>8}{'bare ms':>9}{'p95':>8}{'ratio':>7}{'target':>8}"
    print(header)
    for r in results:
        met = r.report.median_ms < r.target_ms
        marks = [] if met else [f"over {r.target_ms} ms"]
        if r.ratio >= RATIO_AIM:
            marks.append(f"ratio over {RATIO_AIM}")
        print(
            f"{r.name:<12}{r.people:>9,}{r.reviews:>11,}{r.counted!s:>9}{r.report.median_ms:>11.1f}{r.report.p95_ms:>8.1f}"
            f"{r.bare.median_ms:>9.1f}{r.bare.p95_ms:>8.1f}{r.ratio:>7.2f}{r.target_ms:>8}"
            + ("  <- " + ", ".join(marks) if marks else "")
        )
    for r in results:
        loaded = f"loaded in {r.load_seconds:.1f} s, " if r.load_seconds else ""
        published = f"; publishing (area-wide + {r.slices} provider slices) took {r.publish_ms:,.0f} ms" if r.publish_ms else ""
        print(f"{r.name} ({describe(r.url)}): {loaded}{r.steps:,} next steps{published}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.demand_report",
        description="Time the demand report against its bare GROUP BY on a demo council.",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both", help="default both")
    parser.add_argument("--people", type=int, default=20000, help="young people in the demo council (default 20,000)")
    parser.add_argument(
        "--national", action="store_true",
        help=f"also time {NATIONAL_PEOPLE:,} young people on PostgreSQL (<pg-url>_national; loading takes many minutes)",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each (default 10)")
    parser.add_argument("--year", help="target academic year, for example 2027/28 (default: the next one)")
    parser.add_argument("--publish", action="store_true", help="also time publishing once (area-wide and every slice), rolled back")
    parser.add_argument(
        "--reuse", action="store_true",
        help="keep a database that already holds at least --people young people instead of rebuilding it",
    )  # fmt: skip
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL,
        help="PostgreSQL database for the county-scale run; created if missing, EMPTIED every run (unless --reuse)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    today = date.today()
    year = roll.parse_academic_year_label(args.year) if args.year else roll.academic_year_of(today) + 1

    folder = Path(tempfile.mkdtemp(prefix="dps-bench-demand-"))
    results: list[Result] = []
    if args.database in ("sqlite", "both"):
        results.append(Result("SQLite", f"sqlite:///{folder / 'demand.db'}", args.people, target_ms=TARGETS_MS["SQLite"]))
    if args.database in ("postgresql", "both"):
        create_database.main(args.pg_url)
        results.append(Result("PostgreSQL", args.pg_url, args.people, target_ms=TARGETS_MS["PostgreSQL"]))
    if args.national:
        national_url = args.pg_url + "_national"
        create_database.main(national_url)
        results.append(Result("PostgreSQL", national_url, NATIONAL_PEOPLE, target_ms=NATIONAL_TARGET_MS))

    print(f"Load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    try:
        for result in results:
            print(f"{result.name}, {result.people:,} young people: building the demo council", flush=True)
            build(result, reuse=args.reuse)
            print(f"  timing {args.repeat} runs", flush=True)
            measure(result, year, today, args.repeat, publish=args.publish)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_results(results, year, args.repeat)
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
