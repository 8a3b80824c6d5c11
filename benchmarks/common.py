"""What every benchmark needs: the app served from its own process, an HTTP client, timings.

The server runs in a subprocess (``tests.browser.serve``, the browser tests' server) because
``destinations.extensions.db`` is one module-level object: building the app here as well
would bind it twice. Requests go over loopback on one kept-alive connection per user, so a
timing covers the whole stack (WSGI server, sign-in checks, queries, templates, audit writes)
without a new TCP connection each time.
"""
from __future__ import annotations

import http.client
import math
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy.engine import make_url

from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parent.parent
SERVER_START_SECONDS = 30


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ordered = sorted(seconds)
        p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
        return cls(statistics.median(ordered) * 1000, p95 * 1000)


def describe(url: str) -> str:
    """The database URL without its password, for printing."""
    return make_url(url).render_as_string(hide_password=True)


class Client:
    """One user's kept-alive HTTP connection with its cookies (the session cookie, mostly)."""

    def __init__(self, port: int, headers: dict[str, str] | None = None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.headers = dict(headers or {})

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        content = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()  # http.client reconnects on the next request
        return response.status, content

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def timed_get(self, path: str) -> float:
        """Seconds from sending the request to having the whole body; fails on anything but 200."""
        started = time.perf_counter()
        status, content = self.get(path)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {content[:500]!r}")
        return elapsed

    def sign_in(self, email: str, password: str) -> None:
        status, page = self.get("/sign-in")
        if status != 200:
            raise RuntimeError(f"GET /sign-in answered {status}")
        form = urlencode({"email": email, "password": password, "csrf_token": csrf_from(page.decode())})
        status, content = self.request("POST", "/sign-in", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"signing in as {email} answered {status}: {content[:500]!r}")

    def close(self) -> None:
        self.connection.close()


@contextmanager
def served(database_url: str) -> Iterator[int]:
    """Serve the app on ``database_url`` from a subprocess; yields its port."""
    folder = Path(tempfile.mkdtemp(prefix="dps-bench-server-"))
    log = folder / "server.log"
    env = {
        **os.environ,
        "DESTINATIONS_ENV": "test",
        "TEST_DATABASE_URL": database_url,
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.serve"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log_file, text=True,
        )  # fmt: skip
    try:
        ready, _, _ = select.select([process.stdout], [], [], SERVER_START_SECONDS)
        line = process.stdout.readline().strip() if ready else ""
        if not line.isdigit():
            raise RuntimeError(f"the server did not start:\n{log.read_text()[-4000:]}")
        port = int(line)
        _wait_until_healthy(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        errors = log.read_text()
        if "Traceback" in errors:
            print(f"\nThe server logged errors:\n{errors[-4000:]}", file=sys.stderr)
        log.unlink()
        folder.rmdir()


def _wait_until_healthy(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        client = Client(port)
        try:
            if client.get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        finally:
            client.close()
        time.sleep(0.1)
    raise RuntimeError(f"the server never answered /healthz:\n{log.read_text()[-4000:]}")


def load_council(url: str, people: int, *, reuse: bool, batch: int | None = None) -> tuple[int, float]:
    """Build a demo council of ``people`` from the migrations at ``url``, or with ``reuse`` keep
    one that already holds at least that many. Returns (young people there, seconds loading;
    0 when reused). ``batch`` loads in commits of that many, printing progress.

    On PostgreSQL it then runs VACUUM ANALYZE, as autovacuum would soon after a bulk load or
    a migration: planner statistics, and the visibility map that lets index-only scans skip the
    table.
    """
    from sqlalchemy import func, inspect, select

    from destinations.database import make_engine, new_session
    from destinations.demo.generator import load_demo
    from destinations.migrate import upgrade
    from destinations.people.models import YoungPerson
    from tests.conftest import reset_database

    engine = make_engine(url)
    try:
        if reuse and inspect(engine).has_table(YoungPerson.__tablename__):
            with new_session(engine) as session:
                existing = session.scalar(select(func.count()).select_from(YoungPerson)) or 0
            if existing >= people:
                # A database kept from an earlier run is brought up to the current schema first.
                upgrade(engine)
                _vacuum_analyze(engine)
                print(f"  reusing the {existing:,} young people already loaded", flush=True)
                return existing, 0.0
        reset_database(url)
        started = time.perf_counter()
        size = min(people, batch or people)
        loaded, seed = 0, 1
        while loaded < people:
            with new_session(engine) as session:
                load_demo(session, people=min(size, people - loaded), seed=seed)
                session.commit()
            loaded += min(size, people - loaded)
            seed += 1
            if people > size:
                print(f"  loaded {loaded:,} of {people:,} young people ({time.perf_counter() - started:.0f} s)", flush=True)
        seconds = time.perf_counter() - started
        _vacuum_analyze(engine)
        return people, seconds
    finally:
        engine.dispose()


def _vacuum_analyze(engine) -> None:
    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
