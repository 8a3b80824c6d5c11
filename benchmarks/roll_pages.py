"""The roll pages at county scale: ``python -m benchmarks.roll_pages`` (or ``make bench``).

Builds the demo council on each database twice, small (1,500 young people) and county
scale (20,000), serves both from their own processes, and times real HTTP requests to the
caseload page, the record page and the list API. It prints each median against the median
of ``/healthz`` on the same server, and how each page's time grows from the small roll to
the big one: a page that does the same work whatever the size of the roll stays near 1.

Both rolls are timed in the same rounds, one request to each in turn, so a busy moment on
a shared machine slows both alike instead of skewing their ratio. Nothing here asserts a
time: the figures are for people to read (see benchmarks/README.md).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from benchmarks.common import Client, Timing, describe, served
from destinations.auth import services as auth_services
from destinations.auth.models import User
from destinations.database import make_engine, new_session
from destinations.demo.generator import DEMO_PASSWORD, demo_sign_ins, load_demo
from destinations.people.models import RollExtension, YoungPerson
from tests import create_database
from tests.conftest import reset_database

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dps_bench"
SMALL_ROLL = 1500
WARM_UP = 3
RECORDS = 5  # record pages are timed over this many different young people
# Figures past these are marked in the table for someone to look into.
SLOW_MEDIAN_MS = 150
SLOW_GROWTH = 2.0


@dataclass(frozen=True)
class Endpoint:
    label: str
    user: str  # "anyone", "keyworker", "manager" or "api" (the manager's API token)
    paths: tuple[str, ...]  # taken in turn, one per round


def endpoints(record_ids: list[int]) -> list[Endpoint]:
    api = "/api/v1/young-people?page_size=50"
    return [
        Endpoint("/healthz", "anyone", ("/healthz",)),
        Endpoint("caseload page, keyworker", "keyworker", ("/young-people",)),
        Endpoint("roll page 1, manager", "manager", ("/young-people",)),
        Endpoint("roll, active", "manager", ("/young-people?status=active",)),
        Endpoint("roll, active Year 11", "manager", ("/young-people?status=active&year_group=11",)),
        Endpoint("roll, search 'smith'", "manager", ("/young-people?q=smith",)),
        Endpoint("roll, left the roll", "manager", ("/young-people?status=left",)),
        Endpoint("record page, manager", "manager", tuple(f"/young-people/{person_id}" for person_id in record_ids)),
        Endpoint("API list page 1", "api", (api,)),
        Endpoint("API list, active Year 11", "api", (f"{api}&status=active&year_group=11",)),
        Endpoint("API list, extended", "api", (f"{api}&status=extended",)),
    ]


@dataclass
class Roll:
    """One database holding one demo council, and what timing it needs."""

    people: int
    url: str
    load_seconds: float = 0.0
    record_ids: list[int] = field(default_factory=list)
    token: str = ""
    timings: dict[str, Timing] = field(default_factory=dict)


def build(roll: Roll) -> None:
    """Empty the database and load the demo council, timing the load and its commit."""
    reset_database(roll.url)
    engine = make_engine(roll.url)
    try:
        with new_session(engine) as session:
            started = time.perf_counter()
            load_demo(session, people=roll.people, seed=1)
            session.commit()
            roll.load_seconds = time.perf_counter() - started
            ids = session.scalars(select(YoungPerson.id).order_by(YoungPerson.id)).all()
            roll.record_ids = [ids[len(ids) * k // RECORDS] for k in range(RECORDS - 1)]
            extended = session.scalar(select(RollExtension.young_person_id).order_by(RollExtension.id).limit(1))
            roll.record_ids.append(extended if extended is not None else ids[-1])
            manager = session.scalar(select(User).where(User.email == _email("manager")))
            _, roll.token = auth_services.create_token(session, manager, name="benchmark")
            session.commit()
        if engine.dialect.name == "postgresql":
            # Autovacuum gathers planner statistics soon after a bulk load; do it now, not mid-run.
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def _email(role: str) -> str:
    return next(email for account_role, email in demo_sign_ins() if account_role == role)


def _clients(port: int, token: str) -> dict[str, Client]:
    clients = {
        "anyone": Client(port),
        "keyworker": Client(port),
        "manager": Client(port),
        "api": Client(port, {"Authorization": f"Bearer {token}", "Accept": "application/json"}),
    }
    clients["keyworker"].sign_in(_email("keyworker"), DEMO_PASSWORD)
    clients["manager"].sign_in(_email("manager"), DEMO_PASSWORD)
    return clients


def measure(rolls: list[Roll], ports: list[int], repeat: int) -> None:
    """Time every endpoint on every roll, round by round; fills in each roll's timings."""
    clients = [_clients(port, roll.token) for roll, port in zip(rolls, ports)]
    try:
        plans = [endpoints(roll.record_ids) for roll in rolls]
        for plan, roll_clients in zip(plans, clients):
            for endpoint in plan:
                for number in range(WARM_UP):
                    roll_clients[endpoint.user].timed_get(endpoint.paths[number % len(endpoint.paths)])
        seconds: list[dict[str, list[float]]] = [{endpoint.label: [] for endpoint in plan} for plan in plans]
        for number in range(repeat):
            for position in range(len(plans[0])):
                for plan, roll_clients, collected in zip(plans, clients, seconds):
                    endpoint = plan[position]
                    path = endpoint.paths[number % len(endpoint.paths)]
                    collected[endpoint.label].append(roll_clients[endpoint.user].timed_get(path))
        for roll, collected in zip(rolls, seconds):
            roll.timings = {label: Timing.of(values) for label, values in collected.items()}
    finally:
        for roll_clients in clients:
            for client in roll_clients.values():
                client.close()


def run(rolls: list[Roll], repeat: int) -> None:
    for roll in rolls:
        print(f"  {roll.people:,} young people: loading...", end="", flush=True)
        build(roll)
        print(f" {roll.load_seconds:.1f} s", flush=True)
    print(f"  timing {repeat} rounds...", end="", flush=True)
    started = time.perf_counter()
    with ExitStack() as stack:
        ports = [stack.enter_context(served(roll.url)) for roll in rolls]
        measure(rolls, ports, repeat)
    print(f" {time.perf_counter() - started:.0f} s", flush=True)


def report(name: str, rolls: list[Roll]) -> list[str]:
    """Print the table for one database; returns the endpoints worth looking into."""
    small, big = rolls[0], rolls[-1]
    labels = list(big.timings)
    width = max(len(label) for label in labels) + 2
    print()
    print(f"{name}: demo council loaded and committed in "
          + ", ".join(f"{roll.load_seconds:.1f} s ({roll.people:,} people)" for roll in rolls))
    print(f"{'':<{width}}" + "".join(f"{f'{roll.people:,} people':>30}" for roll in rolls))
    columns = "".join(f"{'median ms':>11}{'p95 ms':>9}{'/healthz':>10}" for _ in rolls)
    growth_header = f"{big.people / 1000:g}k/{small.people / 1000:g}k" if len(rolls) > 1 else ""
    print(f"{'endpoint':<{width}}{columns}{growth_header:>11}")
    flagged = []
    for label in labels:
        line = f"{label:<{width}}"
        for roll in rolls:
            timing, health = roll.timings[label], roll.timings["/healthz"].median_ms
            line += f"{timing.median_ms:>11.1f}{timing.p95_ms:>9.1f}{timing.median_ms / health:>10.1f}"
        growth = big.timings[label].median_ms / small.timings[label].median_ms
        if len(rolls) > 1:
            line += f"{growth:>11.2f}"
        if big.timings[label].median_ms > SLOW_MEDIAN_MS or (len(rolls) > 1 and growth > SLOW_GROWTH):
            line += "  <- look into this"
            flagged.append(f"{name} {label}")
        print(line)
    return flagged


def _small_pg_url(url: str) -> str:
    """The small roll's PostgreSQL database: the big one's name with ``_small`` added."""
    target = make_url(url)
    return target.set(database=f"{target.database}_small").render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.roll_pages",
        description="Time the roll pages on a small and a county-scale demo council.",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both", help="default both")
    parser.add_argument("--people", type=int, default=20000, help="the county-scale roll (default 20,000)")
    parser.add_argument(
        "--small-people", type=int, default=SMALL_ROLL, help="the roll it is compared with (default 1,500; 0 for none)"
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per endpoint and roll (default 30)")
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG_URL,
        help="PostgreSQL database for the big roll (the small one goes in <name>_small); "
        "created if missing, emptied every run",
    )
    args = parser.parse_args(argv)
    sizes = [args.small_people, args.people] if 0 < args.small_people < args.people else [args.people]

    folder = Path(tempfile.mkdtemp(prefix="dps-bench-"))
    databases: list[tuple[str, list[Roll]]] = []
    if args.database in ("sqlite", "both"):
        databases.append(("SQLite", [Roll(people, f"sqlite:///{folder / f'roll-{people}.db'}") for people in sizes]))
    if args.database in ("postgresql", "both"):
        urls = [_small_pg_url(args.pg_url), args.pg_url][-len(sizes):]
        for url in urls:
            create_database.main(url)
        databases.append(("PostgreSQL", [Roll(people, url) for people, url in zip(sizes, urls)]))

    print(f"Load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    try:
        for name, rolls in databases:
            print(f"{name} ({', '.join(describe(roll.url) for roll in rolls)})")
            run(rolls, args.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    flagged = [line for name, rolls in databases for line in report(name, rolls)]
    print()
    print(f"Median and 95th percentile of {args.repeat} requests each over loopback, after {WARM_UP} warm-up requests.")
    print("'/healthz' is the median divided by the /healthz median on the same server.")
    if len(sizes) > 1:
        print(f"The last column is the median at {sizes[1]:,} people divided by the median at {sizes[0]:,}.")
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    if flagged:
        print(f"Past {SLOW_MEDIAN_MS} ms or growing more than {SLOW_GROWTH:g}x: " + "; ".join(flagged))
    return 0


if __name__ == "__main__":
    sys.exit(main())
