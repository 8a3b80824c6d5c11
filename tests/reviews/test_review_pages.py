"""The review pages: logging, finishing and amending a review, and the lists of what is due."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.people.roll import academic_year_label, academic_year_of
from destinations.reviews.models import Action, Review
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_action, make_person, make_provider, make_review, make_user

TODAY = date.today()
THIS_YEAR = academic_year_of(TODAY)


def day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def year(offset: int) -> str:
    return academic_year_label(THIS_YEAR + offset)


@pytest.fixture
def keyworker(session):
    return make_user(session, "keyworker", name="Kim Keyworker")


@pytest.fixture
def person(session, keyworker):
    return make_person(session, keyworker=keyworker, date_of_birth=date(TODAY.year - 16, 10, 15), pathway=2, given_name="Sam", family_name="Taylor")


@pytest.fixture
def college(session):
    return make_provider(session, name="Ashby Vale College", kind="college", ukprn="10000001")


def full_review(college, **overrides) -> dict:
    """Everything a keyworker types for a complete review with two next steps and one action."""
    data = {
        "held_on": day(TODAY),
        "review_type": "annual_ehcp_review",
        "young_person_present": "yes",
        "participants": ["parent_carer", "school_college"],
        "participants_other": "",
        "young_persons_words": "I want to work with animals.",
        "aspirations-employment": "Work at an animal rescue centre",
        "aspirations-independent_living": "Learn to cook simple meals",
        "aspirations-community": "Join a walking group",
        "aspirations-health": "Manage anxiety with support",
        "next_steps-0-start_year": year(1),
        "next_steps-0-route": "study_programme",
        "next_steps-0-level": "entry_3",
        "next_steps-0-sector_subject_area": "3",
        "next_steps-0-provider_ids": [str(college.id)],
        "next_steps-0-attendance": "full_time",
        "next_steps-0-support_needs": ["travel_training", "one_to_one_support"],
        "next_steps-1-start_year": year(2),
        "next_steps-1-route": "supported_internship",
        "next_steps-1-level": "not_applicable",
        "next_steps-1-sector_subject_area": "3",
        "next_steps-1-attendance": "part_time",
        "destinations_statement": "Sam will be on a land-based study programme by September.",
        "actions-0-description": "Arrange a taster day at the college",
        "actions-0-owner": "Keyworker",
        "actions-0-due_on": day(TODAY + timedelta(days=14)),
        "save": "1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_keyworker_logs_a_complete_review_and_finds_it_on_the_review_page(client, session, keyworker, person, college):
    sign_in(client, keyworker)
    response = post_form(client, f"/young-people/{person.id}/reviews/new", full_review(college))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    review = session.scalars(select(Review).where(Review.young_person_id == person.id)).one()
    assert review.status == "complete"
    assert [step.route for step in review.next_steps] == ["study_programme", "supported_internship"]
    assert [action.description for action in review.actions] == ["Arrange a taster day at the college"]
    assert response.headers["Location"].endswith(f"/young-people/{person.id}/reviews/{review.id}")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Review saved." in page
    assert "Annual EHCP review (PfA focus)" in page
    assert "I want to work with animals." in page
    assert "Work at an animal rescue centre" in page
    assert year(1) in page and year(2) in page
    assert "Study programme" in page and "Supported internship" in page
    assert "Agriculture, Horticulture and Animal Care" in page
    assert "Ashby Vale College" in page
    assert "Travel training" in page and "1:1 support" in page
    assert "Sam will be on a land-based study programme by September." in page
    assert "Arrange a taster day at the college" in page
    assert "Draft" not in page

    listing = client.get(f"/young-people/{person.id}/reviews").get_data(as_text=True)
    assert f"/young-people/{person.id}/reviews/{review.id}" in listing
    assert "Current intentions" in listing and "Ashby Vale College" in listing
    assert "Arrange a taster day at the college" in listing  # an open action
    events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "young_person", AuditEvent.object_id == person.id)).all()
    assert {(event.action, event.detail.get("part"), event.detail.get("review_id")) for event in events} >= {("create", "review", review.id), ("view", "reviews", review.id)}
    assert all("animals" not in str(event.detail) for event in events)  # no personal values in the log


def test_a_mistake_shows_the_error_summary_and_keeps_everything_typed(client, session, keyworker, person, college):
    sign_in(client, keyworker)
    data = full_review(
        college,
        held_on=day(TODAY + timedelta(days=7)),
        **{"next_steps-0-start_year": year(-2), "next_steps-1-route": ""},
    )
    response = post_form(client, f"/young-people/{person.id}/reviews/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Log a review" in html
    assert "There is a problem" in html
    summary = html[html.index("govuk-error-summary"):html.index("</ul>", html.index("govuk-error-summary"))]
    assert 'href="#held_on"' in summary and "must be today or in the past" in summary
    assert 'href="#next_steps-0-start_year"' in summary and "cannot start before" in summary
    assert 'href="#next_steps-1-route"' in summary and "Select the route" in summary
    # Everything typed is still there, in both next steps and the action.
    for text in ("I want to work with animals.", "Work at an animal rescue centre", "Manage anxiety with support",
                 "Sam will be on a land-based study programme by September.", "Arrange a taster day at the college"):
        assert text in html
    assert f'value="{(TODAY + timedelta(days=7)).day}"' in html
    assert re.search(rf'<option value="{re.escape(year(-2))}" selected', html)
    assert re.search(rf'<option value="{re.escape(year(2))}" selected', html)
    assert re.search(r'<option value="supported_internship"', html)
    assert re.search(rf'value="{college.id}" checked', html)
    assert re.search(r'value="travel_training" checked', html)
    assert re.search(r'value="part_time" checked', html)
    assert re.search(r'value="parent_carer" checked', html)
    assert session.scalars(select(Review)).all() == []


def test_a_date_that_cannot_be_read_is_shown_with_the_other_problems_and_nothing_is_saved(client, session, keyworker, person, college):
    sign_in(client, keyworker)
    data = full_review(college, held_on=["31", "2", str(TODAY.year)], review_type="")
    html = post_form(client, f"/young-people/{person.id}/reviews/new", data).get_data(as_text=True)
    assert "Date of the review must be a real date" in html
    assert "Select the type of review" in html
    assert session.scalars(select(Review)).all() == []


def test_add_another_next_step_keeps_what_was_typed_and_shows_no_errors(client, session, keyworker, person, college):
    sign_in(client, keyworker)
    data = full_review(college, review_type="", add_step="1", save=None)
    html = post_form(client, f"/young-people/{person.id}/reviews/new", data).get_data(as_text=True)
    assert "There is a problem" not in html
    assert "Next step 3" in html
    assert 'name="next_steps-2-route"' in html
    assert "I want to work with animals." in html
    assert re.search(rf'<option value="{re.escape(year(2))}" selected', html)
    assert re.search(rf'value="{college.id}" checked', html)
    assert session.scalars(select(Review)).all() == []

    # Another action, then removing the first next step: the rest move up and keep their answers.
    data = full_review(college, add_action="1", save=None)
    html = post_form(client, f"/young-people/{person.id}/reviews/new", data).get_data(as_text=True)
    assert "Action 2" in html and 'name="actions-1-description"' in html
    data = full_review(college, remove_step="0", save=None)
    html = post_form(client, f"/young-people/{person.id}/reviews/new", data).get_data(as_text=True)
    assert "Next step 2" not in html
    assert re.search(r'name="next_steps-0-route"', html)
    assert re.search(r'<option value="supported_internship" selected', html)
    assert "There is a problem" not in html


def test_a_draft_is_saved_half_finished_and_finished_later(client, session, keyworker, person, college):
    sign_in(client, keyworker)
    data = {"review_type": "aspiration_conversation", "young_persons_words": "I like computers.", "next_steps-0-route": "apprenticeship", "save_draft": "1"}
    response = post_form(client, f"/young-people/{person.id}/reviews/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    review = session.scalars(select(Review)).one()
    assert review.status == "draft"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft" in page and "Finish this review" in page

    edit_url = f"/young-people/{person.id}/reviews/{review.id}/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert "I like computers." in form
    assert re.search(r'<option value="apprenticeship" selected', form)
    assert "Save and finish later" in form

    # Finishing it: the rules for a complete review now apply.
    refused = post_form(client, edit_url, {"version": str(review.version), "review_type": "aspiration_conversation", "next_steps-0-route": "apprenticeship", "save": "1"})
    assert "Enter the date the review was held" in refused.get_data(as_text=True)
    done = post_form(client, edit_url, full_review(college, version=str(review.version), review_type="aspiration_conversation"))
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    session.refresh(review)
    assert review.status == "complete" and review.amended_at is None and review.revisions == []


def test_amending_a_complete_review_keeps_the_earlier_version(client, session, keyworker, person, college):
    sign_in(client, keyworker)
    assert post_form(client, f"/young-people/{person.id}/reviews/new", full_review(college)).status_code == 302
    review = session.scalars(select(Review)).one()
    edit_url = f"/young-people/{person.id}/reviews/{review.id}/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert "Save and finish later" not in form  # a complete review stays complete
    assert f'name="actions-0-id" type="hidden" value="{review.actions[0].id}"' in form
    data = full_review(college, version=str(review.version), destinations_statement="Sam will start an apprenticeship instead.")
    data["actions-0-id"] = str(review.actions[0].id)
    data["actions-0-done"] = "y"
    response = post_form(client, edit_url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sam will start an apprenticeship instead." in page
    assert "Amended by Kim Keyworker on" in page
    assert "Earlier versions" in page
    history = client.get(f"/young-people/{person.id}/reviews/{review.id}/revisions").get_data(as_text=True)
    assert "Before the change by Kim Keyworker" in history
    assert "Sam will be on a land-based study programme by September." in history
    assert "Annual EHCP review (PfA focus)" in history and "Ashby Vale College" in history
    session.refresh(review)
    assert len(review.revisions) == 1 and len(review.actions) == 1
    assert review.actions[0].done and review.actions[0].done_by_id == keyworker.id


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(client, session, keyworker, person, college):
    review = make_review(session, person, keyworker, destinations_statement="First")
    stale = str(review.version)
    review.destinations_statement = "Changed elsewhere"
    session.flush()
    sign_in(client, keyworker)
    response = post_form(client, f"/young-people/{person.id}/reviews/{review.id}/edit", full_review(college, version=stale, destinations_statement="My careful words"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this review" in html and "My careful words" in html


def test_a_keyworker_cannot_open_reviews_of_another_caseload(client, session, keyworker, person):
    colleague = make_user(session, "keyworker")
    theirs = make_person(session, keyworker=colleague)
    review = make_review(session, theirs, colleague)
    action = make_action(session, theirs, colleague, review=review)
    sign_in(client, keyworker)
    for url in (
        f"/young-people/{theirs.id}/reviews",
        f"/young-people/{theirs.id}/reviews/new",
        f"/young-people/{theirs.id}/reviews/{review.id}",
        f"/young-people/{theirs.id}/reviews/{review.id}/edit",
        f"/young-people/{theirs.id}/reviews/{review.id}/revisions",
        # Someone else's review, reached through a young person the keyworker may see.
        f"/young-people/{person.id}/reviews/{review.id}",
        f"/young-people/{person.id}/reviews/{review.id}/edit",
    ):
        assert client.get(url).status_code == 404, url
    page = client.get(f"/young-people/{person.id}/reviews")
    token = csrf_from(page.get_data(as_text=True))
    assert client.post(f"/young-people/{theirs.id}/actions/{action.id}/done", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/young-people/{person.id}/actions/{action.id}/done", data={"csrf_token": token}).status_code == 404
    session.refresh(action)
    assert action.done is False


@pytest.mark.parametrize("role", ["college", "admin"])
def test_college_and_admin_staff_cannot_use_the_review_pages(client, session, person, role):
    review = make_review(session, person, make_user(session, "manager"))
    sign_in(client, make_user(session, role))
    for url in (
        f"/young-people/{person.id}/reviews",
        f"/young-people/{person.id}/reviews/new",
        f"/young-people/{person.id}/reviews/{review.id}",
        f"/young-people/{person.id}/reviews/{review.id}/edit",
        f"/young-people/{person.id}/reviews/{review.id}/revisions",
        "/actions",
        "/reviews/due",
    ):
        assert client.get(url).status_code == 403, url


def test_a_keyworker_cannot_see_the_managers_due_page(client, keyworker):
    sign_in(client, keyworker)
    assert client.get("/reviews/due").status_code == 403


def test_my_actions_lists_open_actions_due_soon_on_my_caseload_overdue_first(client, session, keyworker, person):
    colleague = make_user(session, "keyworker")
    theirs = make_person(session, keyworker=colleague, given_name="Other")
    review = make_review(session, person, keyworker)
    make_action(session, person, keyworker, review=review, description="Book travel training", due_on=TODAY + timedelta(days=10))
    make_action(session, person, keyworker, review=review, description="Send the college application", due_on=TODAY - timedelta(days=3))
    make_action(session, person, keyworker, review=review, description="Plan next year", due_on=TODAY + timedelta(days=90))
    make_action(session, person, keyworker, review=review, description="Already finished", due_on=TODAY, done=True)
    make_action(session, theirs, colleague, description="Not mine", due_on=TODAY)
    sign_in(client, keyworker)
    html = client.get("/actions").get_data(as_text=True)
    assert "My actions due" in html
    assert html.index("Send the college application") < html.index("Book travel training")
    assert "Plan next year" not in html and "Already finished" not in html and "Not mine" not in html
    assert html.count("Overdue") == 1
    assert f'href="/young-people/{person.id}"' in html and "Sam Taylor" in html
    assert 'href="/actions"' in client.get("/young-people").get_data(as_text=True)  # in the navigation

    overdue = session.scalars(select(Action).where(Action.description == "Send the college application")).one()
    response = client.post(f"/young-people/{person.id}/actions/{overdue.id}/done", data={"csrf_token": csrf_from(html), "return_to": "actions"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/actions")
    html = client.get("/actions").get_data(as_text=True)
    assert "Action marked as done." in html and "Send the college application" not in html
    session.refresh(overdue)
    assert overdue.done and overdue.done_by_id == keyworker.id


def test_marking_an_action_done_from_the_reviews_list_goes_back_to_the_record(client, session, keyworker, person):
    review = make_review(session, person, keyworker)
    action = make_action(session, person, keyworker, review=review, description="Visit the college")
    sign_in(client, keyworker)
    page = client.get(f"/young-people/{person.id}/reviews").get_data(as_text=True)
    assert "Visit the college" in page and "Mark as done" in page
    response = client.post(f"/young-people/{person.id}/actions/{action.id}/done", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/young-people/{person.id}")
    assert client.post(f"/young-people/{person.id}/actions/{action.id}/done").status_code == 400  # no CSRF token


def test_the_manager_sees_reviews_due_per_keyworker_and_pathway(client, session, keyworker):
    manager = make_user(session, "manager")
    # Year 9 this year and never reviewed: due by 31 March of Year 9.
    make_person(session, by=manager, date_of_birth=date(THIS_YEAR - 14, 10, 1), pathway=None)
    # Reviewed 13 months ago on pathway 3 (every 12 months): overdue.
    overdue = make_person(session, by=manager, keyworker=keyworker, date_of_birth=date(TODAY.year - 16, 10, 15), pathway=3)
    make_review(session, overdue, keyworker, held_on=TODAY - timedelta(days=400), today=TODAY)
    # Reviewed a month ago: not due.
    recent = make_person(session, by=manager, date_of_birth=date(TODAY.year - 16, 10, 15), pathway=3)
    make_review(session, recent, manager, held_on=TODAY - timedelta(days=30), today=TODAY)
    sign_in(client, manager)
    html = client.get("/reviews/due").get_data(as_text=True)
    assert "Reviews due" in html and "By keyworker" in html and "By pathway" in html
    assert re.search(r"Young people in Year 9 without their first PfA review: <strong>1</strong>", html)
    row = html[html.index("Kim Keyworker"):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r'govuk-table__cell--numeric">(\d+)<', row)
    assert cells == ["0", "1"]  # due in 30 days, overdue
    pathway3 = html[html.index("3. Inclusive education"):]
    assert re.findall(r'govuk-table__cell--numeric">(\d+)<', pathway3[:pathway3.index("</tr>")])[1] == "1"
    assert client.get("/young-people").get_data(as_text=True).count('href="/reviews/due"') == 1  # in the navigation


def test_current_intentions_come_from_the_latest_complete_review_not_a_newer_draft(client, session, keyworker, person):
    steps = [{"start_year": year(1), "route": "apprenticeship", "level": "level_2", "sector_subject_area": "4", "attendance": "full_time"}]
    make_review(session, person, keyworker, held_on=TODAY - timedelta(days=60), next_steps=steps)
    make_review(session, person, keyworker, complete=False, next_steps=[{"route": "volunteering"}])
    sign_in(client, keyworker)
    html = client.get(f"/young-people/{person.id}/reviews").get_data(as_text=True)
    intentions = html[html.index('id="intentions"'):html.index('id="open-actions"')]
    assert f"{year(1)}: Apprenticeship" in intentions and "Engineering and Manufacturing Technologies" in intentions
    assert "Volunteering" not in intentions
    timeline = html[html.index('id="reviews"'):html.index('id="intentions"')]
    assert timeline.index("No date yet") < timeline.index(f"{(TODAY - timedelta(days=60)).day} ")  # the undated draft first
    assert "Draft" in timeline
