"""The scheduled jobs pages in a browser: an administrator finds a job and runs it now."""
from __future__ import annotations

import pytest

from tests.browser.conftest import NARROW, assert_accessible, needs_axe, sign_in
from tests.factories import make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


@needs_axe
def test_an_administrator_opens_scheduled_jobs_runs_one_now_and_sees_the_run(live_server, open_page, console_errors):
    with live_server.seed() as session:
        admin = make_user(session, "admin")
    page = open_page(bypass_csp=True)  # so axe-core can be injected
    console_errors.watch(page)
    sign_in(page, admin)

    page.get_by_role("link", name="Scheduled jobs").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheduled jobs")
    expect(page.get_by_text("No scheduler is running")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Retention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention")
    expect(page.get_by_text("It has not run yet.")).to_be_visible()
    page.get_by_role("button", name="Run now").click()

    expect(page.get_by_text("Retention ran:")).to_be_visible()
    runs = page.get_by_role("table", name="Runs of Retention, newest first")
    expect(runs.get_by_text("Done")).to_be_visible()
    expect(runs.get_by_text("Run now")).to_be_visible()
    assert_accessible(page)

    page.set_viewport_size(NARROW)
    assert_accessible(page)
    assert not console_errors
