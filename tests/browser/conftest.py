"""Browser tests: the real app in its own process, driven by the system's headless Chromium.

The server runs in a subprocess (``tests.browser.serve``) because ``destinations.extensions.db``
is one module-level object: a second app in this process would re-bind it to another
database under the feet of every other test. The subprocess gets a database of its own,
built from the migrations, so rows made here never change the counts other tests see.
Tests seed it through ``live_server.seed()`` and commit before the browser looks.

Playwright drives the Debian ``chromium`` package (``CHROMIUM`` to point elsewhere); the
browser download that ``playwright install`` makes is never used. Without Chromium every
test in this directory is skipped, with the reason.
"""
from __future__ import annotations

import importlib.util
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from destinations.database import make_engine
from tests import create_database
from tests.conftest import reset_database
from tests.factories import DEFAULT_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERVER_START_SECONDS = 30
# Short, so a missing element fails in seconds rather than after Playwright's default 30.
ACTION_TIMEOUT_MS = 5000


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium` (never `playwright install`)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = missing_browser()
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class LiveServer:
    url: str
    database_url: str
    engine: Engine

    @contextmanager
    def seed(self) -> Iterator[Session]:
        """A session on the server's database, committed on leaving so the server sees the rows."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.commit()


def live_database_url(folder: Path) -> str:
    """A database only the live server uses: ``<test database>_live`` on PostgreSQL, else a new SQLite file."""
    shared = os.environ.get("TEST_DATABASE_URL")
    if shared and make_url(shared).get_backend_name() == "postgresql":
        url = make_url(shared)
        live = url.set(database=f"{url.database}_live").render_as_string(hide_password=False)
        create_database.main(live)
        return live
    return f"sqlite:///{folder / 'live.db'}"


def _read_port(process: subprocess.Popen, log: Path) -> int:
    ready, _, _ = select.select([process.stdout], [], [], SERVER_START_SECONDS)
    line = process.stdout.readline().strip() if ready else ""
    if not line.isdigit():
        process.kill()
        raise RuntimeError(f"the live server did not start:\n{log.read_text()[-4000:]}")
    return int(line)


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the live server never answered /healthz:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """The app served over HTTP from a subprocess, on a database of its own."""
    folder = Path(tempfile.mkdtemp(prefix="dps-live-"))
    database_url = live_database_url(folder)
    reset_database(database_url)
    log = folder / "server.log"
    env = {**os.environ, "DESTINATIONS_ENV": "test", "TEST_DATABASE_URL": database_url, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log_file, text=True
        )
    engine = make_engine(database_url)
    try:
        url = f"http://127.0.0.1:{_read_port(process, log)}"
        _wait_until_healthy(url, process, log)
        yield LiveServer(url=url, database_url=database_url, engine=engine)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        engine.dispose()
        errors = log.read_text()
        shutil.rmtree(folder, ignore_errors=True)
        if "Traceback" in errors:
            # A 500 in the server shows in the browser only as an error page; say why here.
            print(f"\nThe live server logged errors:\n{errors[-4000:]}", file=sys.stderr)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def new_context(browser, live_server: LiveServer, **options):
    """A fresh browser context (no cookies) pointed at the live server; ``options`` go to Playwright."""
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


@pytest.fixture
def open_page(browser, live_server):
    """Open a page in a fresh browser context, closed after the test."""
    contexts = []

    def open_page(**options):
        context = new_context(browser, live_server, **options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


class ConsoleErrors(list):
    """Errors the page reported: script failures and Content-Security-Policy refusals show up here."""

    def watch(self, page) -> None:
        page.on("console", lambda message: self.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.append(str(error)))


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def page(open_page, console_errors):
    """A page with the service's real Content-Security-Policy, its console errors collected."""
    page = open_page()
    console_errors.watch(page)
    return page


def sign_in(page, user, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def axe_violations(page) -> list[dict]:
    """Run axe-core against the page as it is now, for WCAG 2.2 A and AA."""
    page.add_script_tag(path=str(AXE))
    # resultTypes: only violations get their full node details, which makes the scan much quicker.
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return results["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {' '.join(str(part) for part in node['target'])}: {summary}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found problems on {page.url}:\n{describe_violations(violations)}"


NARROW = {"width": 320, "height": 640}
SCREENSHOTS = Path("/tmp/dps-shots")
needs_axe = pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run `npm ci`")


@contextmanager
def signed_in_contexts(browser, live_server: LiveServer, users: dict, *, visitor: bool = False):
    """One browser context per role in ``users``, each signed in once (and an anonymous "visitor").

    They ignore the Content-Security-Policy so axe-core can be injected as a script.
    """
    contexts = {"visitor": new_context(browser, live_server, bypass_csp=True)} if visitor else {}
    try:
        for role, user in users.items():
            contexts[role] = new_context(browser, live_server, bypass_csp=True)
            page = contexts[role].new_page()
            sign_in(page, user)
            page.close()
        yield contexts
    finally:
        for context in contexts.values():
            context.close()


@contextmanager
def page_opener(browsers: dict, pages: dict, state, *, expect_error: Callable[[str], bool] = lambda name: False):
    """``open_as(name, viewport=None)``: open page ``name`` of ``pages`` (name -> (role, path of
    ``state``)) in that role's signed-in context, checking it answered 200 (or 422 where
    ``expect_error(name)``); every page opened is closed afterwards."""
    opened = []

    def open_as(name: str, viewport: dict | None = None):
        role, path = pages[name]
        page = browsers[role].new_page()
        opened.append(page)
        if viewport:
            page.set_viewport_size(viewport)
        response = page.goto(path(state))
        assert response.status == (422 if expect_error(name) else 200), response.status
        return page

    try:
        yield open_as
    finally:
        for page in opened:
            page.close()
