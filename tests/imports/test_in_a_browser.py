"""The import journey and the subject access pack in a real Chromium, with an accessibility scan of each page."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from destinations.database import make_engine
from destinations.people.models import YoungPerson
from tests import create_database
from tests.browser.conftest import (
    LAUNCH_ARGS,
    NARROW,
    ROOT,
    LiveServer,
    _read_port,
    _wait_until_healthy,
    assert_accessible,
    missing_browser,
    needs_axe,
    signed_in_contexts,
)
from tests.conftest import reset_database
from tests.factories import make_user
from tests.imports.conftest import csv_bytes, person_row, upn

pytestmark = [pytest.mark.browser, pytest.mark.skipif(missing_browser() is not None, reason=missing_browser() or "")]
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture(scope="module")
def import_server():
    """The app in its own process, on a database of its own (not the browser tests' one: both may run at once)."""
    folder = Path(tempfile.mkdtemp(prefix="dps-imports-live-"))
    shared = os.environ.get("TEST_DATABASE_URL")
    if shared and make_url(shared).get_backend_name() == "postgresql":
        url = make_url(shared)
        database_url = url.set(database=f"{url.database}_imports_live").render_as_string(hide_password=False)
        create_database.main(database_url)
    else:
        database_url = f"sqlite:///{folder / 'live.db'}"
    reset_database(database_url)
    log = folder / "server.log"
    env = {**os.environ, "DESTINATIONS_ENV": "test", "TEST_DATABASE_URL": database_url, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "tests.browser.serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log_file, text=True)
    engine = make_engine(database_url)
    try:
        url = f"http://127.0.0.1:{_read_port(process, log)}"
        _wait_until_healthy(url, process, log)
        yield LiveServer(url=url, database_url=database_url, engine=engine)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def in_own_thread(journey) -> None:
    """Run ``journey(browser)`` with a Chromium of its own, in a thread of its own.

    Playwright's sync API refuses to start in a thread where another sync Playwright (the
    browser tests' session-wide one) is already running, so this one gets a fresh thread.
    """
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM

    failures: list[BaseException] = []

    def run():
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
                try:
                    journey(browser)
                finally:
                    browser.close()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's own thread
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the browser journey did not finish in 5 minutes"
    if failures:
        raise failures[0]


@needs_axe
def test_a_manager_checks_fixes_and_imports_a_file_and_opens_a_subject_access_pack(import_server, tmp_path):
    with import_server.seed() as session:
        manager = make_user(session, "manager")
    bad, good = tmp_path / "with-problems.csv", tmp_path / "young-people.csv"
    bad.write_bytes(csv_bytes([person_row(1), person_row(2, date_of_birth="31/02/2010")]))
    good.write_bytes(csv_bytes([person_row(1), person_row(2)]))
    in_own_thread(lambda chromium: journey(chromium, import_server, manager, bad, good))


def journey(chromium, import_server, manager, bad: Path, good: Path) -> None:
    with signed_in_contexts(chromium, import_server, {"manager": manager}) as contexts:
        page = contexts["manager"].new_page()
        page.goto("/")
        page.get_by_role("link", name="Import data").click()
        assert_accessible(page)
        page.get_by_role("link", name="Import young people").click()
        assert_accessible(page)

        page.get_by_label("Upload a file").set_input_files(str(bad))
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_role("heading", name="The file has 1 problem")).to_be_visible()
        expect(page.get_by_role("region", name="Problems to fix")).to_contain_text("Date of birth is not a real date")
        assert_accessible(page)

        page.get_by_label("Upload a file").set_input_files(str(good))
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_role("heading", name="The file is ready to import")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Choose the same file again").set_input_files(str(good))
        page.get_by_role("button", name="Import").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Young people imported: 2 added, 0 updated and 0 unchanged.")
        assert_accessible(page)

        with import_server.seed() as session:
            person_id = session.scalar(select(YoungPerson.id).where(YoungPerson.upn == upn(1)))
        page.goto(f"/young-people/{person_id}")
        page.get_by_role("link", name="Subject access request pack").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Given1 Family1")
        assert_accessible(page)

        page.set_viewport_size(NARROW)
        page.goto("/imports/young-people")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
