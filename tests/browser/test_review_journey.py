"""A keyworker logs a PfA review in the browser, and the review pages pass an axe-core scan."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from destinations.auth.models import User
from destinations.people.models import YoungPerson
from destinations.people.roll import academic_year_label, academic_year_of
from destinations.reviews.models import Review
from tests.browser.conftest import assert_accessible, needs_axe, sign_in, signed_in_contexts
from tests.factories import make_action, make_person, make_provider, make_review, make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser
TODAY = date.today()


def next_year(offset: int = 1) -> str:
    return academic_year_label(academic_year_of(TODAY) + offset)


def summary_row(page, key: str):
    """The rows of GOV.UK summary lists whose key is ``key``."""
    return page.locator(".govuk-summary-list__row").filter(has=page.get_by_text(key, exact=True))


def test_keyworker_logs_a_full_review_fixing_a_mistake_then_finds_it_on_the_record(live_server, page, console_errors):
    tag = secrets.token_hex(3)
    with live_server.seed() as session:
        keyworker = make_user(session, "keyworker", name=f"Kit Keyworker {tag}")
        person = make_person(session, keyworker=keyworker, date_of_birth=date(TODAY.year - 16, 10, 15), pathway=2)
        college = make_provider(session, name=f"Ashby Vale College {tag}", kind="college")
        trainer = make_provider(session, name=f"Brightstart Training {tag}", kind="training")
    sign_in(page, keyworker)

    page.goto(f"/young-people/{person.id}")
    expect(page.get_by_text("No reviews have been logged yet.")).to_be_visible()
    page.get_by_role("button", name="Log a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a review")
    held = page.get_by_role("group", name="Date of the review")
    held.get_by_label("Day").fill(str(TODAY.day))
    held.get_by_label("Month").fill(str(TODAY.month))
    held.get_by_label("Year").fill(str(TODAY.year))
    page.get_by_label("Annual EHCP review (PfA focus)").check()
    page.get_by_role("group", name="Was the young person there?").get_by_label("Yes").check()
    page.get_by_label("Parent or carer").check()
    page.get_by_label("School or college").check()
    page.get_by_label("In their own words").fill("I want to work outdoors with animals.")
    aspirations = page.get_by_role("group", name="Aspirations")
    aspirations.get_by_label("Employment (including further and higher education)").fill("Work at a garden centre")
    aspirations.get_by_label("Independent living").fill("Travel to college on my own")
    aspirations.get_by_label("Friends, relationships and community").fill("Join the young farmers club")
    aspirations.get_by_label("Good health").fill("Keep active")

    first = page.get_by_role("group", name="Next step 1")
    first.get_by_label("Academic year they would start").select_option(next_year())
    first.get_by_label("Route").select_option(label="Study programme")
    first.get_by_label("Level").select_option(label="Entry level 3")
    first.get_by_label("Sector subject area").select_option(label="Agriculture, Horticulture and Animal Care")
    first.get_by_label(college.name).check()
    first.get_by_label("Full time", exact=True).check()
    first.get_by_label("Travel training").check()

    # A second next step, without JavaScript doing it: the page comes back with one more block.
    page.get_by_role("button", name="Add another next step").click()
    second = page.get_by_role("group", name="Next step 2")
    expect(second).to_be_visible()
    expect(first.get_by_label("Route")).to_have_value("study_programme")
    expect(first.get_by_label(college.name)).to_be_checked()
    expect(page.get_by_label("In their own words")).to_have_value("I want to work outdoors with animals.")
    second.get_by_label("Academic year they would start").select_option(next_year(2))
    second.get_by_label("Route").select_option(label="Apprenticeship")
    second.get_by_label("Level").select_option(label="Level 2")
    # The sector subject area is forgotten: the mistake to fix.
    second.get_by_label(trainer.name).check()
    second.get_by_label("Part time").check()

    page.get_by_label("Destinations statement").fill("On a land-based study programme at college from September.")
    action = page.get_by_role("group", name="Action 1")
    action.get_by_label("What will be done").fill("Arrange a taster day at the college")
    action.get_by_label("Who will do it").fill("Keyworker")
    due = TODAY + timedelta(days=10)
    action.get_by_label("Day").fill(str(due.day))
    action.get_by_label("Month").fill(str(due.month))
    action.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Save review", exact=True).click()

    error_summary = page.locator(".govuk-error-summary")
    expect(error_summary).to_be_focused()
    expect(page).to_have_title("Error: Log a review – Destinations and Progression Service – Northshire County Council")
    expect(error_summary.get_by_role("link")).to_have_text(["Select the sector subject area (it can be left out only for an adult social care day opportunity, volunteering or other)"])
    expect(second.get_by_label("Route")).to_have_value("apprenticeship")
    expect(second.get_by_label(trainer.name)).to_be_checked()
    expect(action.get_by_label("What will be done")).to_have_value("Arrange a taster day at the college")
    error_summary.get_by_role("link").click()
    expect(second.get_by_label("Sector subject area")).to_be_focused()
    second.get_by_label("Sector subject area").select_option(label="Agriculture, Horticulture and Animal Care")
    page.get_by_role("button", name="Save review", exact=True).click()

    expect(page.get_by_text("Review saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual EHCP review (PfA focus), {TODAY.day} {TODAY:%B} {TODAY.year}")
    expect(page.get_by_text("I want to work outdoors with animals.")).to_be_visible()
    expect(summary_row(page, "Preferred providers").first).to_contain_text(college.name)
    expect(page.get_by_role("heading", name="Next step 2")).to_be_visible()

    # The review is on the young person's reviews, as their current intentions and open actions.
    page.get_by_role("link", name=f"All reviews for {person.full_name}").click()
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews.get_by_role("row")).to_have_count(2)
    expect(reviews).to_contain_text("Annual EHCP review (PfA focus)")
    expect(page.get_by_role("heading", name=f"{next_year()}: Study programme")).to_be_visible()
    expect(page.get_by_role("heading", name=f"{next_year(2)}: Apprenticeship")).to_be_visible()
    expect(page.get_by_role("region", name="Open actions")).to_contain_text("Arrange a taster day at the college")

    # And on the young person's record, where the action can be marked as done.
    page.get_by_role("link", name=f"Back to {person.full_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(person.full_name)
    expect(page.get_by_role("region", name="Reviews")).to_contain_text("Annual EHCP review (PfA focus)")
    expect(page.get_by_role("heading", name=f"{next_year()}: Study programme")).to_be_visible()
    open_actions = page.get_by_role("region", name="Open actions")
    open_actions.get_by_role("row").filter(has_text="Arrange a taster day at the college").get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Action marked as done.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(person.full_name)
    expect(page.get_by_text("No open actions.")).to_be_visible()
    assert console_errors == [], console_errors


# --- the accessibility scan ---------------------------------------------------------------


@dataclass
class Seeded:
    manager: User
    keyworker: User
    person: YoungPerson
    review: Review


@pytest.fixture(scope="module")
def seeded(live_server) -> Seeded:
    """A young person with an amended review (two next steps, actions) on a keyworker's caseload."""
    with live_server.seed() as session:
        manager = make_user(session, "manager")
        keyworker = make_user(session, "keyworker")
        person = make_person(session, by=manager, keyworker=keyworker, date_of_birth=date(TODAY.year - 16, 10, 15), pathway=3)
        college = make_provider(session, kind="college")
        steps = [
            {"start_year": next_year(), "route": "study_programme", "level": "level_1", "sector_subject_area": "6", "provider_ids": [college.id], "attendance": "full_time", "support_needs": ["assistive_technology"]},
            {"start_year": next_year(2), "route": "supported_internship", "level": "not_applicable", "sector_subject_area": "6", "provider_ids": [], "attendance": "part_time", "support_needs": []},
        ]
        review = make_review(
            session, person, keyworker, young_persons_words="I like computers.", next_steps=steps,
            destinations_statement="A digital skills course at college.",
            actions=[{"description": "Visit the college open day", "owner": "Parent", "due_on": TODAY + timedelta(days=5), "done": False}],
        )
        from destinations.reviews import services

        services.update_review(session, review, {"destinations_statement": "A digital skills course at college, part time at first."}, keyworker, today=TODAY, complete=True)
        make_action(session, person, keyworker, review=review, description="Send the application", due_on=TODAY - timedelta(days=2))
    return Seeded(manager, keyworker, person, review)


@pytest.fixture(scope="module")
def browsers(browser, live_server, seeded):
    with signed_in_contexts(browser, live_server, {"manager": seeded.manager, "keyworker": seeded.keyworker}) as contexts:
        yield contexts


def show_new_review_errors(page, seeded):
    page.goto(f"/young-people/{seeded.person.id}/reviews/new")
    page.get_by_role("button", name="Save review", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()


def show_two_next_steps(page, seeded):
    page.goto(f"/young-people/{seeded.person.id}/reviews/new")
    page.get_by_role("button", name="Add another next step").click()
    expect(page.get_by_role("group", name="Next step 2")).to_be_visible()


def go_to(path: str):
    return lambda page, seeded: page.goto(path.format(person=seeded.person.id, review=seeded.review.id))


PAGES = {
    "new-review": ("keyworker", go_to("/young-people/{person}/reviews/new")),
    "new-review-with-errors": ("keyworker", show_new_review_errors),
    "new-review-two-next-steps": ("keyworker", show_two_next_steps),
    "review": ("keyworker", go_to("/young-people/{person}/reviews/{review}")),
    "change-review": ("keyworker", go_to("/young-people/{person}/reviews/{review}/edit")),
    "earlier-versions": ("keyworker", go_to("/young-people/{person}/reviews/{review}/revisions")),
    "reviews-and-actions": ("keyworker", go_to("/young-people/{person}/reviews")),
    "my-actions": ("keyworker", go_to("/actions")),
    "reviews-due": ("manager", go_to("/reviews/due")),
}


@needs_axe
@pytest.mark.parametrize("name", PAGES)
def test_the_review_page_has_no_accessibility_problems_axe_can_find(name, browsers, seeded):
    role, show = PAGES[name]
    page = browsers[role].new_page()
    try:
        show(page, seeded)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    finally:
        page.close()


def test_pressing_enter_in_a_box_saves_the_review_rather_than_removing_a_block(browsers, seeded):
    page = browsers["keyworker"].new_page()
    try:
        page.goto(f"/young-people/{seeded.person.id}/reviews/new")
        page.get_by_role("button", name="Add another next step").click()
        expect(page.get_by_role("button", name="Remove next step 1")).to_be_visible()
        page.get_by_label("Anyone else who took part (optional)").fill("Youth worker")
        page.get_by_label("Anyone else who took part (optional)").press("Enter")
        expect(page.locator(".govuk-error-summary")).to_be_focused()  # "Save review": the date is missing
        expect(page.get_by_role("group", name="Next step 2")).to_be_visible()
        expect(page.get_by_label("Anyone else who took part (optional)")).to_have_value("Youth worker")
    finally:
        page.close()


@pytest.mark.parametrize("name", ["new-review-with-errors", "review", "reviews-and-actions", "my-actions", "reviews-due"])
def test_the_review_page_fits_a_320_pixel_wide_screen(name, browsers, seeded):
    role, show = PAGES[name]
    page = browsers[role].new_page()
    try:
        page.set_viewport_size({"width": 320, "height": 640})
        show(page, seeded)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{name} is {width} px wide in a 320 px window"
    finally:
        page.close()
