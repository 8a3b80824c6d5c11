"""The nightly scheduled jobs at county scale: ``python -m benchmarks.nightly_jobs``.

Loads the demo council (20,000 young people by default) into an empty database, then runs
every nightly job once, in the order of the job table, the way the scheduler does (each run
recorded, its claims written, its work committed once), as if on the Monday after the demo's
"today": the weekly digests have work to do, and a week of roll ends has passed. The demo
keeps nobody who left the roll six years ago, so retention runs with RETENTION_YEARS=1 (a
flag) to have real deletions to make. The demo gives most young people past Year 11 a contact
and keep-in-touch consent; ``--kit-share`` can give a further share of the roll the same. Then the outbox is delivered once (the per-minute job, as it
would next run), and the nightly set is run a second time for the same date to show that it
repeats nothing. ``--with-publication`` also times the termly demand publication, which is
not a nightly job (it runs three times a year).

It prints each job's time and what it did, and the total for the nightly set, against the
target of under a minute. Nothing here asserts a time: the figures are for people to read
(see benchmarks/README.md).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import String, cast, func, select, text, update

from benchmarks.common import describe
from config import Test
from destinations import create_app
from destinations.database import make_engine, new_session
from destinations.demo.generator import load_demo
from destinations.extensions import db
from destinations.people.models import YoungPerson
from destinations.scheduler import services
from destinations.scheduler.table import JOBS
from tests import create_database
from tests.conftest import reset_database

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dps_scheduler_bench"
TARGET_SECONDS = 60
NIGHTLY = [spec.name for spec in JOBS if spec.nightly]


def next_monday(today: date) -> date:
    """The first Monday after ``today``: a week of roll ends has passed since the demo's "today"."""
    return today + timedelta(days=7 - today.weekday())


def load(url: str, people: int, seed: int, kit_share: float) -> float:
    reset_database(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with new_session(engine) as session:
        load_demo(session, people=people, seed=seed)
        session.commit()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))  # as autovacuum would soon after a bulk load
    seconds = time.perf_counter() - started
    with new_session(engine) as session:
        loaded = session.scalar(select(func.count()).select_from(YoungPerson))
        contactable = give_contacts(session, kit_share)
        session.commit()
    with new_session(engine) as session:
        consenting = session.scalar(select(func.count()).select_from(YoungPerson).where(YoungPerson.keep_in_touch_consent.is_(True)))
    extra = f" ({contactable:,} of them added here)" if contactable else ""
    print(f"  loaded {loaded:,} young people in {seconds:.1f} s; {consenting:,} with keep-in-touch consent{extra}")
    engine.dispose()
    return seconds


def give_contacts(session, share: float) -> int:
    """Give a further share of the roll consent and an address, to try a larger keep-in-touch list."""
    if share <= 0:
        return 0
    every = max(1, round(1 / share))
    result = session.execute(
        update(YoungPerson)
        .where(YoungPerson.id % every == 0)
        .values(email="person" + cast(YoungPerson.id, String) + "@example.invalid", keep_in_touch_consent=True, preferred_channel="email")
    )
    return result.rowcount or 0


def run(app, name: str, on: str) -> tuple[float, dict]:
    started = time.perf_counter()
    with app.app_context():
        result = services.run_job(name, on, trigger="command")
    return time.perf_counter() - started, result


def summary(result: dict) -> str:
    if result["outcome"] == "failed":
        return f"FAILED: {result['error']}"
    if result["outcome"] == "skipped":
        return f"skipped: {result['error']}"
    shown = {key: value for key, value in result["counts"].items() if value}
    return ", ".join(f"{key.replace('_', ' ')} {value:,}" for key, value in shown.items()) or "nothing to do"


def measure(label: str, url: str, args: argparse.Namespace, on: date) -> dict:
    people, seed, retention_years, publication = args.people, args.seed, args.retention_years, args.with_publication
    print(f"\n{label}: {describe(url)}")
    load(url, people, seed, args.kit_share)
    config = type("BenchmarkConfig", (Test,), {"DATABASE_URL": url, "RETENTION_YEARS": retention_years})
    app = create_app(config)
    day = on.isoformat()
    print(f"  nightly jobs as if on {on:%A} {day}:")
    total = 0.0
    failures = 0
    for name in NIGHTLY:
        seconds, result = run(app, name, day)
        total += seconds
        failures += result["outcome"] == "failed"
        print(f"    {name:<24} {seconds:6.2f} s  {summary(result)}")
    print(f"    {'total':<24} {total:6.2f} s  (target under {TARGET_SECONDS} s: {'met' if total < TARGET_SECONDS and not failures else 'NOT met'})")
    delivery, result = run(app, "deliver_outbox", day)
    print(f"  then deliver_outbox once     {delivery:6.2f} s  {summary(result)}")
    if publication:
        seconds, result = run(app, "publish_demand", day)
        print(f"  termly publish_demand        {seconds:6.2f} s  {summary(result)}")
    again = 0.0
    repeated = []
    for name in NIGHTLY:
        seconds, result = run(app, name, day)
        again += seconds
        if result["outcome"] == "ok" and any(value for key, value in result["counts"].items() if key.endswith(("_sent", "left_the_roll", "people_deleted", "_published"))):
            repeated.append(name)
    print(f"  the nightly set again, same date: {again:.2f} s, repeated work: {', '.join(repeated) or 'none'}")
    db.engine.dispose()
    return {"label": label, "total": total, "failures": failures, "again": again}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--people", type=int, default=20_000, help="young people in the demo council (default 20,000: a large county)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--on", type=date.fromisoformat, help="run as if on this date (default: the next Monday)")
    parser.add_argument(
        "--retention-years", type=int, default=1,
        help="RETENTION_YEARS for the run (default 1: the demo holds nobody who left 6 years ago, so 1 gives retention real deletions)",
    )  # fmt: skip
    parser.add_argument("--kit-share", type=float, default=0, help="a further share of the roll to give consent and an email address (default 0)")
    parser.add_argument("--with-publication", action="store_true", help="also time the termly demand publication (not a nightly job)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help=f"PostgreSQL database, emptied first (default {DEFAULT_PG_URL})")
    args = parser.parse_args(argv)
    on = args.on or next_monday(date.today())
    print(f"Nightly jobs at {args.people:,} young people, as if on {on:%A} {on.isoformat()}, RETENTION_YEARS={args.retention_years}")
    results = []
    if args.database in ("sqlite", "both"):
        folder = Path(tempfile.mkdtemp(prefix="dps-bench-jobs-"))
        try:
            results.append(measure("SQLite", f"sqlite:///{folder / 'jobs.db'}", args, on))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.database in ("postgresql", "both"):
        create_database.main(args.pg_url)
        results.append(measure("PostgreSQL", args.pg_url, args, on))
    print(f"\nNightly jobs, {args.people:,} young people:")
    for result in results:
        verdict = "under" if result["total"] < TARGET_SECONDS else "OVER"
        print(f"  {result['label']:<11} {result['total']:6.2f} s  ({verdict} the {TARGET_SECONDS} s target; {result['failures']} failed)")
    return 1 if any(result["failures"] for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
