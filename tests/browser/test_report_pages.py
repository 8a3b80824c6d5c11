"""The demand report pages pass an axe-core scan and reflow at 320 px, for managers and colleges."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from destinations.reports import services
from tests.browser.conftest import NARROW, SCREENSHOTS, assert_accessible, needs_axe, page_opener, signed_in_contexts
from tests.factories import make_user
from tests.reports.test_demand import TODAY, build_world

pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser


@dataclass
class Reports:
    manager: object
    college: object
    area_id: int
    slice_id: int


@pytest.fixture(scope="module")
def reports(live_server) -> Reports:
    """A small council with intentions for 2027/28, its demand report published, and a college user."""
    with live_server.seed() as session:
        world = build_world(session)
        area, slices = services.publish_demand(session, "2027/28", world.manager, TODAY)
        college = make_user(session, "college", provider_id=world.college.id)
        own = next(s for s in slices if s.provider_id == world.college.id)
    return Reports(world.manager, college, area.id, own.id)


@pytest.fixture(scope="module")
def browsers(browser, live_server, reports):
    with signed_in_contexts(browser, live_server, {"manager": reports.manager, "college": reports.college}) as contexts:
        yield contexts


PAGES = {
    "live-report": ("manager", lambda r: "/reports/demand"),
    "published-list-manager": ("manager", lambda r: "/reports/demand/published"),
    "published-list-college": ("college", lambda r: "/reports/demand/published"),
    "published-area-wide": ("college", lambda r: f"/reports/demand/published/{r.area_id}"),
    "published-slice": ("college", lambda r: f"/reports/demand/published/{r.slice_id}"),
}


@pytest.fixture
def open_as(browsers, reports):
    with page_opener(browsers, PAGES, reports) as open_as:
        yield open_as


@needs_axe
@pytest.mark.parametrize("name", PAGES)
def test_the_report_page_has_no_accessibility_problems_axe_can_find(name, open_as):
    assert_accessible(open_as(name))


@pytest.mark.parametrize("name", ["live-report", "published-slice"])
def test_the_report_page_fits_a_320_pixel_wide_screen_without_scrolling_sideways(name, open_as):
    page = open_as(name, viewport=NARROW)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
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
