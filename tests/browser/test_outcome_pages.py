"""The outcome report pages and the long-term check form pass an axe-core scan and reflow at 320 px."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from destinations.outcomes import long_term
from tests.browser.conftest import NARROW, SCREENSHOTS, assert_accessible, needs_axe, page_opener, signed_in_contexts
from tests.outcomes.cohort import build_cohort

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


@dataclass
class Seeded:
    manager: object
    keyworker: object
    person_id: int


@pytest.fixture(scope="module")
def seeded(live_server) -> Seeded:
    """The hand-worked Year 11 cohort of summer 2022 (who reached 18 in 2023/24), one with a one-year check."""
    with live_server.seed() as session:
        world = build_cohort(session)
        person = world.people["employment"][1]
        values = {
            "recorded_on": long_term.checkpoint_date(person.date_of_birth, "1y"),
            "living_arrangement": "tenancy",
            "paid_work_16_plus": "yes",
            **{f"progress_{area}": "progressing" for area in ("employment", "independent_living", "community", "health")},
        }
        long_term.save(session, person, "1y", values, world.manager, today=date.today())
    return Seeded(world.manager, world.keyworker, person.id)


@pytest.fixture(scope="module")
def browsers(browser, live_server, seeded):
    with signed_in_contexts(browser, live_server, {"manager": seeded.manager, "keyworker": seeded.keyworker}) as contexts:
        yield contexts


PAGES = {
    "cohort-report": ("manager", lambda s: "/reports/outcomes?cohort=year11-2022"),
    "cohort-report-error": ("manager", lambda s: "/reports/outcomes?cohort=year12-2022"),
    "long-term-report": ("manager", lambda s: "/reports/long-term-outcomes?cohort=transition-2024"),
    "check-form": ("keyworker", lambda s: f"/young-people/{s.person_id}/long-term-outcomes/2y"),
    "record-with-checks": ("keyworker", lambda s: f"/young-people/{s.person_id}"),
}


@pytest.fixture
def open_as(browsers, seeded):
    with page_opener(browsers, PAGES, seeded, expect_error=lambda name: name.endswith("error")) as open_as:
        yield open_as


@needs_axe
@pytest.mark.parametrize("name", PAGES)
def test_the_page_has_no_accessibility_problems_axe_can_find(name, open_as):
    assert_accessible(open_as(name))


@needs_axe
def test_the_check_form_with_errors_has_no_accessibility_problems(open_as):
    page = open_as("check-form")
    page.get_by_role("button", name="Save the check").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)


@pytest.mark.parametrize("name", ["cohort-report", "long-term-report", "check-form"])
def test_the_page_fits_a_320_pixel_wide_screen_without_scrolling_sideways(name, open_as):
    page = open_as(name, viewport=NARROW)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"outcomes-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => !el.closest('.app-table-wrapper') && el.getBoundingClientRect().right > 320.5)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className.baseVal ?? el.className).trim().split(/\\s+/).join('.') : ''))
            .slice(0, 10)"""
    )
    assert width <= 320, f"the page is {width} px wide in a 320 px window; sticking out: {wide or 'only tables'}"
    for wrapper in page.locator(".app-table-wrapper").all():
        assert wrapper.evaluate("el => getComputedStyle(el).overflowX") in ("auto", "scroll")


def test_a_manager_chooses_another_cohort_from_the_list(open_as):
    page = open_as("cohort-report")
    page.get_by_label("Cohort").select_option("year11-2022")
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Year 11 leavers, summer 2022")
    expect(page.get_by_role("link", name="Download as CSV")).to_be_visible()


# Last: it saves the check the other tests open empty.
def test_a_keyworker_records_the_two_year_check_by_its_questions(open_as):
    page = open_as("check-form")
    page.get_by_role("group", name="Date of the check").get_by_label("Day").fill("4")
    page.get_by_role("group", name="Date of the check").get_by_label("Month").fill("11")
    page.get_by_role("group", name="Date of the check").get_by_label("Year").fill("2025")
    page.get_by_role("group", name="Where do they live?").get_by_label("Supported living").check()
    page.get_by_role("group", name="Are they in paid work of 16 hours a week or more?").get_by_label("No", exact=True).check()
    for area in ("employment (including further and higher education)", "independent living", "friends, relationships and community", "good health"):
        page.get_by_role("group", name=f"Progress on {area}").get_by_label("Progressing").check()
    page.get_by_role("button", name="Save the check").click()
    expect(page.get_by_text("Check saved: two years after the age of transition.")).to_be_visible()
    expect(page.locator("#long-term-outcomes ~ .govuk-summary-card").nth(1)).to_contain_text("Supported living")
