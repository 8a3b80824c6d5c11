"""A keyworker records what a young person is doing on a 320 px wide screen, and the activity
pages pass an axe-core scan."""
from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest

from destinations.people.roll import add_months
from tests.browser.conftest import NARROW, assert_accessible, needs_axe, sign_in
from tests.factories import make_activity, make_person, make_provider, make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser
TODAY = date.today()


def fits_the_screen(page) -> None:
    """Nothing but a table (which scrolls in its own region) is wider than the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => !el.closest('.app-table-wrapper') && el.getBoundingClientRect().right > 320.5)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : ''))
            .slice(0, 10)"""
    )
    assert width <= NARROW["width"], f"the page is {width} px wide in a {NARROW['width']} px window; sticking out: {wide or 'only tables'}"


def fill_date(page, group: str, value: date) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(value.day))
    fields.get_by_label("Month").fill(str(value.month))
    fields.get_by_label("Year").fill(str(value.year))


@needs_axe
def test_keyworker_adds_an_activity_on_a_small_phone_fixing_a_mistake(live_server, open_page, console_errors):
    tag = secrets.token_hex(3)
    with live_server.seed() as session:
        keyworker = make_user(session, "keyworker", name=f"Kit Keyworker {tag}")
        person = make_person(session, keyworker=keyworker, date_of_birth=date(TODAY.year - 17, 3, 1), given_name="Robin", family_name=f"Ash {tag}")
        make_activity(session, person, "230", add_months(TODAY, -8), source="import", verified=True)
        make_provider(session, name=f"Greenway Garden Centre {tag}", kind="employer")
    page = open_page(viewport=NARROW, bypass_csp=True)
    console_errors.watch(page)
    sign_in(page, keyworker)

    page.goto(f"/young-people/{person.id}")
    section = page.locator("#activities")
    expect(section).to_have_text("Destinations: what they are doing")
    expect(page.get_by_text("Needs confirming")).to_be_visible()
    fits_the_screen(page)
    assert_accessible(page)

    page.get_by_role("button", name="Add an activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an activity")
    page.get_by_label("What are they doing?").select_option("310")
    fill_date(page, "Start date", TODAY - timedelta(days=7))
    page.get_by_label("Provider from the directory (optional)").select_option(label=f"Greenway Garden Centre {tag}")
    page.get_by_label("Verified: I have checked this").check()
    # Hours a week are forgotten: the mistake to fix.
    page.get_by_role("button", name="Add activity").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the hours a week for work")
    expect(page.get_by_label("What are they doing?")).to_have_value("310")
    fits_the_screen(page)
    assert_accessible(page)

    summary.get_by_role("link", name="Enter the hours a week for work").click()
    expect(page.get_by_label("Hours a week")).to_be_focused()
    page.get_by_label("Hours a week").fill("30")
    page.get_by_role("button", name="Add activity").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Activity added.")
    current = page.locator(".govuk-summary-card").filter(has_text="Current activity")
    expect(current).to_contain_text("310 Apprenticeship")
    expect(current).to_contain_text(f"Greenway Garden Centre {tag}")
    timeline = page.locator("#activity-timeline > li")
    expect(timeline).to_have_count(2)
    ended = TODAY - timedelta(days=8)
    expect(timeline.nth(1)).to_contain_text(f"to {ended.day} {ended.strftime('%B')} {ended.year}")  # the college place was ended
    fits_the_screen(page)
    assert_accessible(page)
    assert not console_errors, console_errors


@needs_axe
def test_the_follow_up_list_and_the_export_page_pass_axe(live_server, open_page):
    tag = secrets.token_hex(3)
    with live_server.seed() as session:
        manager = make_user(session, "manager", name=f"Mo Manager {tag}")
        keyworker = make_user(session, "keyworker", name=f"Kai Keyworker {tag}")
        person = make_person(session, keyworker=keyworker, date_of_birth=date(TODAY.year - 17, 3, 1), family_name=f"Stale {tag}")
        make_activity(session, person, "230", add_months(TODAY, -5))
        make_person(session, keyworker=keyworker, date_of_birth=date(TODAY.year - 17, 3, 1), family_name=f"Missing {tag}")
    page = open_page(viewport=NARROW, bypass_csp=True)
    sign_in(page, keyworker)
    page.goto("/destinations/follow-up")
    expect(page.get_by_role("link", name=f"Stale {tag}, ", exact=False)).to_be_visible()
    fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("button", name=f"Confirm still doing this: {person.given_name} Stale {tag}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Activity confirmed")
    expect(page.get_by_role("link", name=f"Stale {tag}, ", exact=False)).to_have_count(0)

    manager_page = open_page(bypass_csp=True)
    sign_in(manager_page, manager)
    manager_page.goto("/destinations/nccis-export")
    manager_page.get_by_role("group", name="Reference date").get_by_label("Month").fill("13")
    manager_page.get_by_role("button", name="Download CSV").click()
    expect(manager_page.locator(".govuk-error-summary")).to_contain_text("Reference date must be a real date")
    assert_accessible(manager_page)
