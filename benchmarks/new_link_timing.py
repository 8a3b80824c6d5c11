"""Does "send me a new link" take as long for someone unknown as for someone it sends a link to?

    .venv/bin/python -m benchmarks.new_link_timing [--requests 60]

Serves the app (as the other benchmarks do) on a fresh SQLite database with one young person
who may get links, then alternates requests naming them and naming nobody, and prints the
median and 95th percentile of each and their ratio: first with no minimum answer time (the
raw difference: the known path writes a link and a message), then with the service's
default minimum (KIT_NEW_LINK_MIN_MILLISECONDS), which should make the two the same.
Rate limits are raised for the run so every request does the full work.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.common import Client, Timing, served
from tests.conftest import csrf_from, reset_database

BORN = date(2008, 10, 15)


def seed(url: str) -> None:
    from sqlalchemy.orm import Session

    from destinations.database import make_engine
    from tests.factories import make_reachable_person

    engine = make_engine(url)
    with Session(engine) as session:
        make_reachable_person(session, email="known@example.com", date_of_birth=BORN)
        session.commit()
    engine.dispose()


def ask(client: Client, contact: str) -> float:
    status, page = client.get("/keep-in-touch/new-link")
    if status != 200:
        raise RuntimeError(f"GET /keep-in-touch/new-link answered {status}")
    body = urlencode(
        [("contact", contact), ("date_of_birth", str(BORN.day)), ("date_of_birth", str(BORN.month)), ("date_of_birth", str(BORN.year)), ("csrf_token", csrf_from(page.decode()))]
    )
    started = time.perf_counter()
    status, content = client.request("POST", "/keep-in-touch/new-link", body, {"Content-Type": "application/x-www-form-urlencoded"})
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"POST /keep-in-touch/new-link answered {status}: {content[:300]!r}")
    return elapsed


def measure(url: str, requests: int, floor_ms: int | None) -> tuple[Timing, Timing]:
    overrides = {"KIT_NEW_LINK_MAX_PER_ADDRESS": "1000000", "KIT_NEW_LINK_MAX_PER_CONTACT": "1000000"}
    overrides["KIT_NEW_LINK_MIN_MILLISECONDS"] = str(floor_ms if floor_ms is not None else 400)
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        with served(url) as port:
            client = Client(port)
            ask(client, "warm-up@example.com")
            known, unknown = [], []
            for number in range(requests):
                known.append(ask(client, "known@example.com"))
                unknown.append(ask(client, f"nobody{number}@example.com"))
            client.close()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return Timing.of(known), Timing.of(unknown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60, help="requests of each kind")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dps-bench-new-link-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    reset_database(url)
    seed(url)
    print(f"'Send me a new link': {arguments.requests} requests naming a young person, {arguments.requests} naming nobody")
    for label, floor in (("no minimum time", 0), ("default minimum (400 ms)", None)):
        known, unknown = measure(url, arguments.requests, floor)
        print(
            f"  {label:<26} known: median {known.median_ms:7.1f} ms, p95 {known.p95_ms:7.1f} ms | "
            f"unknown: median {unknown.median_ms:7.1f} ms, p95 {unknown.p95_ms:7.1f} ms | "
            f"median ratio {known.median_ms / unknown.median_ms:.3f}"
        )


if __name__ == "__main__":
    main()
