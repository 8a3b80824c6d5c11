"""Every kind of page passes an axe-core scan, reflows at 320 px and works from the keyboard."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from destinations.auth.models import User
from destinations.people import services as people_services
from destinations.people.models import YoungPerson
from tests.browser.conftest import NARROW, SCREENSHOTS, assert_accessible, needs_axe, signed_in_contexts
from tests.factories import DEFAULT_PASSWORD, make_person, make_provider, make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


@dataclass
class Staff:
    manager: User
    keyworker: User
    person: YoungPerson


@pytest.fixture(scope="module")
def staff(live_server) -> Staff:
    """A manager, a keyworker and one young person on the keyworker's caseload with some history."""
    with live_server.seed() as session:
        manager = make_user(session, "manager")
        keyworker = make_user(session, "keyworker")
        school = make_provider(session, kind="special_school")
        person = make_person(session, by=manager, keyworker=keyworker, pathway=1, school_id=school.id)
        people_services.change_pathway(session, person, 2, "Agreed at the annual review", manager)
    return Staff(manager, keyworker, person)


@pytest.fixture(scope="module")
def browsers(browser, live_server, staff):
    with signed_in_contexts(browser, live_server, {"manager": staff.manager, "keyworker": staff.keyworker}, visitor=True) as contexts:
        yield contexts


def show_sign_in_errors(page, staff):
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()


def show_filtered_caseload(page, staff):
    page.goto("/young-people")
    page.get_by_text("Filter the list").click()  # so the filter form is scanned too


def show_new_person_errors(page, staff):
    page.goto("/young-people/new")
    page.get_by_role("button", name="Add young person").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()


def show_pathway_change_errors(page, staff):
    page.goto(f"/young-people/{staff.person.id}/pathway")
    page.get_by_role("button", name="Save pathway").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()


def show_not_found(page, staff):
    response = page.goto("/young-people/999999999")
    assert response.status == 404


def go_to(path: str):
    return lambda page, staff: page.goto(path.format(person=staff.person.id))


# Who looks at the page, and how they get there.
PAGES = {
    "sign-in": ("visitor", go_to("/sign-in")),
    "sign-in-with-errors": ("visitor", show_sign_in_errors),
    "caseload-keyworker": ("keyworker", go_to("/young-people")),
    "caseload-manager": ("manager", show_filtered_caseload),
    "record": ("manager", go_to("/young-people/{person}")),
    "new-person-with-errors": ("manager", show_new_person_errors),
    "pathway-change": ("manager", go_to("/young-people/{person}/pathway")),
    "pathway-change-with-errors": ("manager", show_pathway_change_errors),
    "not-found": ("manager", show_not_found),
    "privacy": ("visitor", go_to("/privacy")),
}


@pytest.fixture
def open_as(browsers):
    """Open a page in the browser of ``PAGES[name]``'s visitor and go there."""
    pages = []

    def open_as(name: str, staff: Staff, viewport: dict | None = None):
        role, show = PAGES[name]
        page = browsers[role].new_page()
        pages.append(page)
        if viewport:
            page.set_viewport_size(viewport)
        show(page, staff)
        return page

    yield open_as
    for page in pages:
        page.close()


@needs_axe
@pytest.mark.parametrize("name", PAGES)
def test_the_page_has_no_accessibility_problems_axe_can_find(name, open_as, staff):
    assert_accessible(open_as(name, staff))


@pytest.mark.parametrize("name", ["sign-in", "caseload-keyworker", "caseload-manager", "record"])
def test_the_page_fits_a_320_pixel_wide_screen_without_scrolling_sideways(name, open_as, staff):
    page = open_as(name, staff, viewport=NARROW)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    # Names what sticks out, other than tables (which have their own check below).
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => !el.closest('.app-table-wrapper') && el.getBoundingClientRect().right > 320.5)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : ''))
            .slice(0, 10)"""
    )
    assert width <= 320, f"the page is {width} px wide in a 320 px window; sticking out: {wide or 'only tables'}"
    # Wide tables scroll inside their own region rather than pushing the page sideways.
    for wrapper in page.locator(".app-table-wrapper").all():
        overflow = wrapper.evaluate("el => getComputedStyle(el).overflowX")
        assert overflow in ("auto", "scroll"), f"a table wrapper has overflow-x: {overflow}, so its table widens the page"


def focused_element(page) -> str:
    """The focused element's name as a screen reader would start to announce it."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const label = el.tagName === 'INPUT' && el.labels.length ? el.labels[0].textContent : el.textContent;
            const name = el.getAttribute('aria-label') || label;
            return name.replace(/\\s+/g, ' ').trim();
        }"""
    )


def test_the_sign_in_form_can_be_used_with_the_keyboard_alone(page, staff, console_errors):
    page.goto("/sign-in")
    order = []
    while not order or order[-1] != "Sign in":
        page.keyboard.press("Tab")
        order.append(focused_element(page))
        assert len(order) < 12, f"Tab never reached the Sign in button: {order}"
    assert order == [
        "Skip to main content",
        "Northshire County Council",
        "Destinations and Progression Service",
        "Email address",
        "Password",
        "Show password",
        "Sign in",
    ]

    # The skip link jumps past the header, so the next Tab lands in the form.
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(staff.keyworker.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    assert console_errors == [], console_errors
