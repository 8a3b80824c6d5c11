"""A young person walks every keep-in-touch page with the keyboard alone, on a 320 px phone and
on a desktop, and every page passes an axe-core scan (WCAG 2.2 A and AA)."""
from __future__ import annotations

from datetime import date

import pytest

from destinations.database import utcnow
from destinations.keep_in_touch import services as kit_services
from destinations.people.models import YoungPerson
from tests.browser.conftest import NARROW, SCREENSHOTS, assert_accessible, needs_axe, new_context
from tests.factories import make_reachable_person, make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, needs_axe]
DOB = date(2008, 10, 15)
DESKTOP = {"width": 1280, "height": 900}
# Each page is loaded, then scanned by axe: on a busy machine a page can take a few seconds.
NAVIGATION_TIMEOUT_MS = 15000


def focused(page) -> str:
    """The focused element's accessible name, roughly as a screen reader starts to read it."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el) return '';
            const label = (el.labels && el.labels.length) ? el.labels[0].textContent : el.textContent;
            return (el.getAttribute('aria-label') || label || el.value || '').replace(/\\s+/g, ' ').trim();
        }"""
    )


def tab_to(page, name: str, limit: int = 40) -> None:
    """Press Tab until the element named ``name`` has focus (fails if it never does)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(focused(page))
        if seen[-1].startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}; it went through {seen}")


def check_page(page, heading: str, narrow: bool) -> None:
    """The page is the one expected, passes axe, and (on a phone) does not scroll sideways."""
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_accessible(page)
    if narrow:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = "".join(character if character.isalnum() else "-" for character in heading.lower()).strip("-")
        page.screenshot(path=str(SCREENSHOTS / f"keep-in-touch-{slug}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"{page.url} is {width} px wide in a {NARROW['width']} px window"


def follow(page, name: str) -> None:
    """Tab to the link or button named ``name`` and press Enter, waiting for the page it leads to."""
    tab_to(page, name)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture(scope="module")
def young_people(live_server):
    with live_server.seed() as session:
        keyworker = make_user(session, "keyworker")
        walker = make_reachable_person(session, keyworker=keyworker, given_name="Alex", email="alex@example.com")
        asker = make_reachable_person(session, keyworker=keyworker, given_name="Bea", email="bea@example.com")
    return {"walker": walker, "asker": asker}


def fresh_link(live_server, person) -> str:
    with live_server.seed() as session:
        _link, raw = kit_services.create_link(session, session.get(YoungPerson, person.id), channel="email", now=utcnow(), settings=kit_services.KitSettings())
    return raw


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "desktop"])
def test_a_young_person_can_do_everything_with_the_keyboard_alone(browser, live_server, young_people, viewport):
    narrow = viewport is NARROW
    context = new_context(browser, live_server, bypass_csp=True, viewport=viewport)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    try:
        walk(page, live_server, young_people["walker"], narrow)
    finally:
        context.close()


def walk(page, live_server, person, narrow: bool) -> None:
    raw = fresh_link(live_server, person)
    page.goto(f"/keep-in-touch/{raw}")
    check_page(page, "Check it is you", narrow)

    # A wrong date first: the error summary takes focus and names the problem.
    tab_to(page, "Day")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.type("2008")
    follow(page, "Continue")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("You have 4 tries left")
    check_page(page, "Check it is you", narrow)
    for field, value in (("Day", DOB.day), ("Month", DOB.month), ("Year", DOB.year)):
        tab_to(page, field)
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
    follow(page, "Continue")
    assert page.url.endswith("/keep-in-touch/menu") and raw not in page.url
    check_page(page, f"Hello {person.given_name}", narrow)

    # What are you doing now? Nothing chosen is an error; then a paid job and its hours.
    follow(page, "Tell us what you are doing now")
    check_page(page, "What are you doing now?", narrow)
    follow(page, "Continue")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page(page, "What are you doing now?", narrow)
    tab_to(page, "Select what you are doing now")  # the error summary's link
    page.keyboard.press("Enter")  # moves focus to the first choice
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("A paid job")).to_be_checked()
    follow(page, "Continue")
    check_page(page, "About how many hours a week?", narrow)
    tab_to(page, "About how many hours a week?")
    page.keyboard.type("20")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page, "Thank you", narrow)
    expect(page.locator(".govuk-summary-list")).to_contain_text("A paid job")

    # Do you want someone to contact you? Three questions, one per page.
    follow(page, "Do something else")
    follow(page, "Ask someone to contact you")
    check_page(page, "What do you want to talk about?", narrow)
    tab_to(page, "Work or an apprenticeship")
    page.keyboard.press("Space")
    follow(page, "Continue")
    check_page(page, "How would you like us to contact you?", narrow)
    tab_to(page, "A phone call")
    page.keyboard.press("Space")
    follow(page, "Continue")
    check_page(page, "When is a good time?", narrow)
    tab_to(page, "In the morning")
    page.keyboard.press("ArrowDown")
    follow(page, "Send")
    check_page(page, "Thank you", narrow)
    expect(page.get_by_text("Your keyworker will contact you")).to_be_visible()

    # Update my contact details: both given, so which to use is its own question.
    follow(page, "Do something else")
    follow(page, "Update my contact details")
    check_page(page, "Update my contact details", narrow)
    tab_to(page, "Mobile number")
    page.keyboard.type("07700 900 123")
    tab_to(page, "Email address")
    page.keyboard.type("not an email")
    follow(page, "Continue")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page(page, "Update my contact details", narrow)
    tab_to(page, "Email address")
    page.keyboard.press("Control+A")
    page.keyboard.type("alex.new@example.com")
    follow(page, "Continue")
    check_page(page, "How should we send you messages?", narrow)
    tab_to(page, "By text message")
    page.keyboard.press("Space")
    follow(page, "Save")
    check_page(page, "Thank you", narrow)

    # What would you like to do next?
    follow(page, "Do something else")
    follow(page, "Tell us what you would like to do next")
    check_page(page, "What would you like to do next?", narrow)
    tab_to(page, "Go to college")
    page.keyboard.press("Space")
    tab_to(page, "Tell us more (optional)")
    page.keyboard.type("Animal care")
    follow(page, "Send")
    check_page(page, "Thank you", narrow)

    # Stop messages, then finish.
    follow(page, "Do something else")
    follow(page, "Stop messages")
    check_page(page, "Do you want to stop getting messages from us?", narrow)
    tab_to(page, "Yes, stop messages")
    page.keyboard.press("Space")
    follow(page, "Continue")
    check_page(page, "Thank you", narrow)
    expect(page.get_by_text("We will not send you any more messages")).to_be_visible()
    follow(page, "Finish")
    check_page(page, "You have finished", narrow)

    # After finishing, the pages need a new link; the used link does not work again.
    page.goto("/keep-in-touch/menu")
    check_page(page, "Your session has ended", narrow)
    page.goto(f"/keep-in-touch/{raw}")
    check_page(page, "This link does not work", narrow)
    follow(page, "Get a new link")
    check_page(page, "Get a new link", narrow)
    tab_to(page, "Your mobile number or email address")
    page.keyboard.type("alex.new@example.com")
    for field, value in (("Day", DOB.day), ("Month", DOB.month), ("Year", DOB.year)):
        tab_to(page, field)
        page.keyboard.type(str(value))
    follow(page, "Send me a new link")
    check_page(page, "Check your messages", narrow)


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "desktop"])
def test_the_locked_link_page_passes_axe_and_fits_a_phone(browser, live_server, young_people, viewport):
    raw = fresh_link(live_server, young_people["asker"])
    context = new_context(browser, live_server, bypass_csp=True, viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"/keep-in-touch/{raw}")
        for _ in range(5):
            page.get_by_label("Day").fill("2")
            page.get_by_label("Month").fill("2")
            page.get_by_label("Year").fill("2002")
            page.get_by_role("button", name="Continue").click()
        check_page(page, "This link is locked", viewport is NARROW)
    finally:
        context.close()


def test_the_staff_keep_in_touch_pages_pass_axe_and_fit_a_phone(browser, live_server):
    from destinations.keep_in_touch import answers
    from destinations.notifications import services as outbox
    from destinations.notifications.adapters import LogAdapter
    from tests.browser.conftest import signed_in_contexts

    with live_server.seed() as session:
        manager = make_user(session, "manager")
        person = make_reachable_person(session, given_name="Casey")
        settings = kit_services.KitSettings()
        kit_services.send_invitation(session, person, now=utcnow(), reason="staff", settings=settings, check=False)
        failed = kit_services.send_invitation(session, person, now=utcnow(), reason="cadence", settings=settings, check=False, idempotency_key=f"browser:{person.id}")
        failed.status, failed.attempts, failed.last_error = "dead", 6, "SMTP server answered 421"
        link, _raw = kit_services.create_link(session, person, channel="email", now=utcnow(), settings=settings)
        kit_services.try_date_of_birth(session, link, date(2001, 1, 1), utcnow(), settings)
        kit_session, _key = kit_services.start_session(session, link, utcnow())
        answers.record_contact_request(session, kit_session, about=["work", "money"], about_details="About my job", how="phone", when="any", now=utcnow())
        session.flush()
        outbox.deliver_due(session, utcnow(), adapter=LogAdapter(), settings=outbox.OutboxSettings())
    with signed_in_contexts(browser, live_server, {"manager": manager}) as contexts:
        for viewport in (NARROW, DESKTOP):
            page = contexts["manager"].new_page()
            page.set_viewport_size(viewport)
            for url, heading in (
                (f"/young-people/{person.id}/keep-in-touch", "Keep in touch"),
                ("/keep-in-touch-replies", "Replies from young people"),
                ("/messages/problems", "Messages not sent"),
                ("/messages/development", "Messages (development)"),
                (f"/young-people/{person.id}", "Casey"),
            ):
                page.goto(url)
                expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
                assert_accessible(page)
                if viewport is NARROW:
                    width = page.evaluate(
                        "() => Math.max(...[...document.querySelectorAll('body *')].filter(el => !el.closest('.app-table-wrapper')).map(el => el.getBoundingClientRect().right))"
                    )
                    assert width <= NARROW["width"] + 0.5, f"{url} has something {width} px wide outside a table region"
            page.close()
