"""The cohort outcome report at county scale: ``python -m benchmarks.outcome_report``.

Builds the demo council (young people, reviews and activity histories) and times, in process,
the whole cohort outcome report for one Year 11 cohort three ways:

* **open window**: the cohort whose October-March window is still running, streamed through the
  sustained-destination rule (what a manager sees during the year);
* **closed, live**: the latest cohort whose window has closed, before its outcomes are stored:
  streamed through the rule as the evaluation would be;
* **closed, stored**: the same cohort once ``evaluate_cohort`` has stored its outcomes: one
  GROUP BY.

Beside each it times the bare query the report cannot do without (the streamed SELECT with
every row fetched, or the GROUP BY alone) and prints the ratio. It also times evaluating the
cohort (first time, then again with nothing changed) and the long-term outcomes report of the
latest cohort reaching the age of transition with one-year checks due.

A county's case-management records run to about three per young person (60,000 for 20,000),
more than the demo's histories give, so before timing the benchmark tops the activity records up
to ``--activities`` with the copies real systems accumulate: the nightly import sending an
enrolment again, and young people's own keep-in-touch answers repeating what a keyworker
checked (unverified, so never the current record over the checked one). Neither changes anyone's
outcome or current activity; both are rows every query here has to read.

Beside the report it times the destinations follow-up worklist county-wide (a manager with no
keyworker chosen): the whole list, its count and its first page as the page asks for them.

Report and bare query are timed in alternating rounds, each in its own transaction, so a busy
moment on a shared machine slows both alike. Nothing here asserts a time: the figures are for
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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import joinedload

from benchmarks.common import Timing, describe, load_council
from destinations.activities import services as activity_services
from destinations.activities.models import ActivityRecord
from destinations.activities.sustained import Cohort, latest_closed_cohort, window_closed
from destinations.database import make_engine, new_session
from destinations.outcomes import long_term_report, report, services
from destinations.outcomes.models import DestinationOutcome
from destinations.people.models import YoungPerson
from destinations.reports.demand import ReportSettings
from tests import create_database

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dps_outcomes_bench"
WARM_UP = 2
TARGET_MS = 300
ACTIVITIES = 60000  # a county's case-management records for 20,000 young people
FOLLOW_UP_PAGE = 50  # the follow-up page's size


@dataclass
class Row:
    name: str
    cohort: str
    leavers: int
    report: Timing
    bare: Timing
    cpu: Timing  # the report's CPU time in this process (all of it on SQLite; not the server's on PostgreSQL)

    @property
    def ratio(self) -> float:
        return self.report.median_ms / self.bare.median_ms


@dataclass
class Result:
    name: str
    url: str
    people: int
    activities: int = 0
    added: int = 0  # copies added to reach --activities
    load_seconds: float = 0.0
    rows: list[Row] = field(default_factory=list)
    evaluate_ms: float = 0.0
    evaluated: dict = field(default_factory=dict)
    reevaluate_ms: float = 0.0
    reevaluated: dict = field(default_factory=dict)
    comparison: dict | None = None
    follow_up: list[tuple[str, int, Timing]] = field(default_factory=list)


def build(result: Result, *, reuse: bool, activities: int) -> None:
    """Load the demo council (or keep the one already there with ``reuse``), top its activity
    records up to ``activities``, then ANALYZE (PostgreSQL)."""
    result.people, result.load_seconds = load_council(result.url, result.people, reuse=reuse)
    engine = make_engine(result.url)
    try:
        with new_session(engine) as session:
            result.added = top_up_activities(session, activities)
            session.commit()
        if result.added and engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE activity_record")
        _count_activities(engine, result)
    finally:
        engine.dispose()


def top_up_activities(session, wanted: int, seed: int = 1) -> int:
    """Copy verified records until there are ``wanted``: returns how many were added.

    Most import records come again from the import (verified, as they were); the other
    checked records are repeated as the young person's own answer (unverified, unconfirmed).
    Neither changes a sustained outcome or what the current record says: the import's copy
    says the same, and an unverified record never outranks a verified one.
    """
    have = session.scalar(select(func.count()).select_from(ActivityRecord)) or 0
    if have >= wanted:
        return 0
    columns = [
        ActivityRecord.young_person_id, ActivityRecord.activity_code, ActivityRecord.started_on, ActivityRecord.ended_on,
        ActivityRecord.provider_id, ActivityRecord.provider_name, ActivityRecord.hours_per_week, ActivityRecord.level,
        ActivityRecord.source, ActivityRecord.verified, ActivityRecord.confirmed_on, ActivityRecord.recorded_at,
        ActivityRecord.recorded_by_id, ActivityRecord.updated_at,
    ]  # fmt: skip
    candidates = session.execute(select(*columns).where(ActivityRecord.verified.is_(True)).order_by(ActivityRecord.id)).all()
    rng = random.Random(f"{seed}:top-up")
    needed = wanted - have
    picked = [candidates[rng.randrange(len(candidates))] for _ in range(needed)]
    rows = []
    for row in picked:
        copy = row._asdict()
        if copy["source"] != "import" or rng.random() < 0.4:
            copy.update(source="young_person", verified=False, confirmed_on=None, recorded_by_id=None)
        rows.append(copy)
    for start in range(0, len(rows), 5000):
        session.execute(insert(ActivityRecord), rows[start : start + 5000])
    return needed


def _count_activities(engine, result: Result) -> None:
    with new_session(engine) as session:
        result.activities = session.scalar(select(func.count()).select_from(ActivityRecord)) or 0


def _alternate(session, report_run: Callable[[], object], bare_run: Callable[[], object], repeat: int) -> tuple[Timing, Timing, Timing, object]:
    report_times: list[float] = []
    cpu_times: list[float] = []
    bare_times: list[float] = []
    body = None
    for round_number in range(WARM_UP + repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        body = report_run()
        report_seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        session.rollback()
        started = time.perf_counter()
        bare_run()
        bare_seconds = time.perf_counter() - started
        session.rollback()
        if round_number >= WARM_UP:
            report_times.append(report_seconds)
            cpu_times.append(cpu_seconds)
            bare_times.append(bare_seconds)
    return Timing.of(report_times), Timing.of(bare_times), Timing.of(cpu_times), body


def _bare_stream(session, cohort: Cohort) -> None:
    """The streamed SELECT of :func:`services.stream_outcomes`, every row fetched, no rule applied."""
    for _row in session.connection().execute(services.stream_query(cohort)):
        pass


def _bare_stored(session, cohort: Cohort) -> None:
    report.count_stored(session, cohort)


def measure(result: Result, today: date, repeat: int) -> None:
    settings = ReportSettings()
    age = settings.roll.age_of_transition
    closed = latest_closed_cohort("year11", today)
    opened = Cohort("year11", closed.year + 1)
    if window_closed(opened, today) or today < opened.window[0]:
        opened = None  # between April and September no Year 11 window is open
    engine = make_engine(result.url)
    try:
        with new_session(engine) as session:
            def timed(name: str, cohort: Cohort, bare: Callable) -> None:
                def run():
                    return report.outcome_report(session, cohort, today, settings)

                report_timing, bare_timing, cpu_timing, body = _alternate(session, run, lambda: bare(session, cohort), repeat)
                leavers = body["tables"][0]["total"]
                result.rows.append(Row(name, cohort.key, leavers, report_timing, bare_timing, cpu_timing))
                if body["parameters"]["basis"] == "stored":
                    result.comparison = body["comparison"]
                print(f"  {name}: {report_timing.median_ms:.1f} ms ({body['parameters']['basis']})", flush=True)

            if opened is not None:
                timed("open window", opened, _bare_stream)
            # Start from nothing stored for the closed cohort, as on the night its window closes.
            session.execute(delete(DestinationOutcome).where(DestinationOutcome.cohort == closed.key))
            session.commit()
            timed("closed, live", closed, _bare_stream)
            started = time.perf_counter()
            result.evaluated = services.evaluate_cohort(session, closed, today=today, age_of_transition=age)
            session.commit()
            result.evaluate_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            result.reevaluated = services.evaluate_cohort(session, closed, today=today, age_of_transition=age)
            session.commit()
            result.reevaluate_ms = (time.perf_counter() - started) * 1000
            timed("closed, stored", closed, _bare_stored)

            time_follow_up(session, result, today, settings, repeat)

            transition = long_term_report.transition_cohorts(session, today, age)
            session.rollback()
            if transition:
                cohort = transition[0]

                def long_term():
                    return long_term_report.long_term_report(session, cohort, today, settings)

                def bare_long_term():
                    long_term_report.long_term_counts(session, cohort, today, age)

                report_timing, bare_timing, cpu_timing, body = _alternate(session, long_term, bare_long_term, repeat)
                people = body["tables"][0]["column_totals"][0]
                result.rows.append(Row("long-term", cohort.key, people, report_timing, bare_timing, cpu_timing))
    finally:
        engine.dispose()


def time_follow_up(session, result: Result, today: date, settings: ReportSettings, repeat: int) -> None:
    """The follow-up worklist for everyone (a manager's, no keyworker chosen): the whole list,
    then what its page asks for: the count and the first page with keyworkers."""
    def whole():
        return len(session.execute(activity_services.follow_up_query(today, settings=settings.roll)).all())

    def count():
        query = activity_services.follow_up_query(today, settings=settings.roll)
        return session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))

    def page():
        query = activity_services.follow_up_query(today, settings=settings.roll)
        return len(session.execute(query.options(joinedload(YoungPerson.keyworker)).limit(FOLLOW_UP_PAGE)).all())

    for name, run in (("whole list", whole), ("count", count), ("first page", page)):
        times, rows = [], 0
        for round_number in range(WARM_UP + repeat):
            started = time.perf_counter()
            rows = run()
            seconds = time.perf_counter() - started
            session.rollback()
            if round_number >= WARM_UP:
                times.append(seconds)
        result.follow_up.append((name, rows, Timing.of(times)))
        print(f"  follow-up {name}: {Timing.of(times).median_ms:.1f} ms ({rows:,})", flush=True)


def print_results(results: list[Result], repeat: int) -> None:
    print()
    print(f"Cohort outcome report: median and 95th percentile of {repeat} runs after {WARM_UP} warm-up runs")
    header = (
        f"{'database':<12}{'report':<16}{'cohort':<17}{'leavers':>8}{'report ms':>11}{'p95':>8}{'cpu ms':>8}"
        f"{'bare ms':>9}{'p95':>8}{'ratio':>7}{'target':>8}"
    )
    print(header)
    for r in results:
        for row in r.rows:
            mark = "" if row.report.median_ms < TARGET_MS else f"  <- over {TARGET_MS} ms"
            print(
                f"{r.name:<12}{row.name:<16}{row.cohort:<17}{row.leavers:>8,}{row.report.median_ms:>11.1f}{row.report.p95_ms:>8.1f}"
                f"{row.cpu.median_ms:>8.1f}{row.bare.median_ms:>9.1f}{row.bare.p95_ms:>8.1f}{row.ratio:>7.2f}{TARGET_MS:>8}{mark}"
            )
    print()
    print(f"Destinations follow-up worklist, everyone (a manager's): median and 95th percentile of {repeat} runs")
    print(f"{'database':<12}{'query':<16}{'rows':>8}{'ms':>9}{'p95':>8}")
    for r in results:
        for name, rows, timing in r.follow_up:
            print(f"{r.name:<12}{name:<16}{rows:>8,}{timing.median_ms:>9.1f}{timing.p95_ms:>8.1f}")
    print()
    for r in results:
        loaded = f"loaded in {r.load_seconds:.1f} s, " if r.load_seconds else ""
        added = f" ({r.added:,} of them copies added to reach --activities)" if r.added else ""
        print(
            f"{r.name} ({describe(r.url)}): {loaded}{r.people:,} young people, {r.activities:,} activity records{added}; "
            f"evaluating the closed cohort took {r.evaluate_ms:,.0f} ms ({_counts(r.evaluated)}), "
            f"again with nothing changed {r.reevaluate_ms:,.0f} ms ({_counts(r.reevaluated)})"
        )


def print_comparison(result: Result) -> None:
    """The stored cohort's percentages beside the national ones: how the demo data is calibrated."""
    compared = result.comparison
    if compared is None:
        return
    keys = ["overall", "education", "apprenticeship", "employment", "neet", "unknown"]
    print(f"{'':<34}" + "".join(f"{key[:11]:>12}" for key in keys))
    for label, values in zip(compared["row_labels"], compared["percentages"]):
        by_key = dict(zip(compared["keys"], values))
        print(f"{label:<34}" + "".join(f"{by_key[key]!s:>12}" for key in keys))


def _counts(counts: dict) -> str:
    return ", ".join(f"{value:,} {name}" for name, value in counts.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.outcome_report",
        description="Time the cohort outcome report (open and closed windows) on a demo council.",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both", help="default both")
    parser.add_argument("--people", type=int, default=20000, help="young people in the demo council (default 20,000)")
    parser.add_argument(
        "--activities", type=int, default=ACTIVITIES,
        help=f"top the activity records up to this many with imported and self-reported copies (default {ACTIVITIES:,}; 0: none)",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each (default 10)")
    parser.add_argument(
        "--reuse", action="store_true",
        help="keep a database that already holds at least --people young people instead of rebuilding it",
    )  # fmt: skip
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL,
        help="PostgreSQL database; created if missing, EMPTIED every run (unless --reuse)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    today = date.today()

    folder = Path(tempfile.mkdtemp(prefix="dps-bench-outcomes-"))
    results: list[Result] = []
    if args.database in ("sqlite", "both"):
        results.append(Result("SQLite", f"sqlite:///{folder / 'outcomes.db'}", args.people))
    if args.database in ("postgresql", "both"):
        create_database.main(args.pg_url)
        results.append(Result("PostgreSQL", args.pg_url, args.people))

    print(f"Load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    try:
        for result in results:
            print(f"{result.name}, {result.people:,} young people: building the demo council", flush=True)
            build(result, reuse=args.reuse, activities=args.activities)
            print(f"  timing {args.repeat} runs", flush=True)
            measure(result, today, args.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_results(results, args.repeat)
    if results:
        print()
        print_comparison(results[0])
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
