"""Reviews: reference data, the checks on a review, drafts, amendments, intentions and actions."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from destinations.reviews import reference, services
from destinations.reviews.models import (
    Action,
    NextStep,
    NextStepProvider,
    NextStepSupportNeed,
    ReferenceItem,
    Review,
    ReviewRevision,
)
from destinations.reviews.rules import ReviewError, clean_review
from tests.factories import make_action, make_person, make_provider, make_review, make_user

TODAY = date(2025, 11, 20)

STABLE_CODES = {
    "review_type": ["year9_pfa_review", "annual_ehcp_review", "aspiration_conversation", "transition_planning_meeting", "post_transition_check_in", "keep_in_touch_follow_up"],
    "participant": ["parent_carer", "school_college", "health", "social_care", "adult_services", "other"],
    "route": [
        "study_programme", "supported_internship", "apprenticeship", "employment", "supported_employment",
        "higher_education", "adult_social_care_day_opportunity", "volunteering", "other",
    ],
    "level": ["entry_1", "entry_2", "entry_3", "level_1", "level_2", "level_3", "level_4_plus", "not_applicable"],
    "sector_subject_area": [str(n) for n in range(1, 16)],
    "support_need": [
        "learning_support_in_class", "one_to_one_support", "job_coach", "travel_training", "personal_care",
        "speech_and_language_therapy", "occupational_therapy", "physiotherapy", "mental_health_support", "behaviour_support",
        "sensory_support", "assistive_technology", "communication_support", "nursing_or_medical_care",
        "independent_living_skills", "supported_accommodation",
    ],
    "outcome_area": ["employment", "independent_living", "community", "health"],
    "attendance": ["full_time", "part_time"],
}  # fmt: skip


@pytest.fixture
def manager(session):
    return make_user(session, "manager")


@pytest.fixture
def person(session, manager):
    return make_person(session, by=manager, date_of_birth=date(2009, 10, 15), pathway=2)


def step(**overrides) -> dict:
    values = {
        "start_year": "2026/27",
        "route": "study_programme",
        "level": "entry_3",
        "sector_subject_area": "14",
        "provider_ids": [],
        "attendance": "full_time",
        "support_needs": ["travel_training"],
    }
    values.update(overrides)
    return values


def review_values(**overrides) -> dict:
    values = {
        "held_on": date(2025, 11, 3),
        "review_type": "annual_ehcp_review",
        "young_person_present": True,
        "participants": ["parent_carer", "school_college"],
        "young_persons_words": "I want to work with animals.",
        "aspirations": {"employment": "Work at a farm park", "independent_living": "Travel to college alone"},
        "next_steps": [step()],
        "destinations_statement": "Starts a Preparation for Life and Work course in September 2026.",
        "actions": [{"description": "Book a taster day", "owner": "Keyworker", "due_on": date(2025, 12, 1), "done": False}],
    }
    values.update(overrides)
    return values


# --- reference data ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(STABLE_CODES))
def test_reference_data_is_seeded_with_stable_codes_in_order(session, kind):
    assert [item.code for item in services.reference_items(session, kind)] == STABLE_CODES[kind]


def test_reference_labels_give_a_label_for_every_code(session):
    labels = services.reference_labels(session)
    assert labels["sector_subject_area"]["6"] == "Digital Technology (formerly ICT)"
    assert labels["sector_subject_area"]["14"] == "Preparation for Life and Work"
    assert labels["review_type"]["year9_pfa_review"] == "Year 9 PfA review"
    assert labels["outcome_area"]["community"] == "Friends, relationships and community"
    assert all(set(labels[kind]) == set(codes) for kind, codes in STABLE_CODES.items())


def test_a_council_can_add_a_code_without_a_code_change(session, manager, person):
    session.add(ReferenceItem(kind="route", code="traineeship", label="Traineeship", position=20))
    session.flush()
    review = make_review(session, person, manager, today=TODAY, **review_values(next_steps=[step(route="traineeship")]))
    assert review.next_steps[0].route == "traineeship"


def test_a_retired_code_is_refused_on_new_reviews_but_older_reviews_can_still_be_corrected(session, manager, person):
    review = make_review(session, person, manager, today=TODAY, **review_values(next_steps=[step(route="apprenticeship", level="level_2")]))
    item = session.scalar(select(ReferenceItem).where(ReferenceItem.kind == "route", ReferenceItem.code == "apprenticeship"))
    item.active = False
    session.flush()
    assert "apprenticeship" not in [item.code for item in services.reference_items(session, "route")]
    assert "apprenticeship" in [item.code for item in services.reference_items(session, "route", active_only=False)]
    with pytest.raises(ReviewError) as refused:
        make_review(session, person, manager, today=TODAY, **review_values(next_steps=[step(route="apprenticeship")]))
    assert "Unknown route 'apprenticeship'" in refused.value.errors["next_steps.0.route"]
    services.update_review(session, review, {"young_persons_words": "Corrected words"}, manager, today=TODAY, complete=True)
    assert review.next_steps[0].route == "apprenticeship"


def test_reference_items_refuses_a_kind_that_does_not_exist(session):
    with pytest.raises(ValueError):
        reference.reference_items(session, "colour")


# --- the checks, rule by rule (pure: no database) ------------------------------------------

KNOWN = {kind: list(codes) for kind, codes in STABLE_CODES.items()}


def check(values: dict, *, complete: bool = True, providers=frozenset({7})) -> dict[str, str]:
    try:
        clean_review(values, known=KNOWN, provider_ids=set(providers), today=TODAY, complete=complete)
    except ReviewError as error:
        return error.errors
    return {}


RULES = [
    ("held_on missing", {"held_on": None}, "held_on", "Enter the date the review was held"),
    ("held_on in the future", {"held_on": TODAY + timedelta(days=1)}, "held_on", "The date the review was held must be today or in the past"),
    ("held_on before 1990", {"held_on": date(1989, 12, 31)}, "held_on", "1990 or later"),
    ("held_on not a date", {"held_on": "3rd of May"}, "held_on", "must be a real date"),
    ("review type missing", {"review_type": None}, "review_type", "Select the type of review"),
    ("review type unknown", {"review_type": "chat"}, "review_type", "Unknown review type 'chat': use one of year9_pfa_review, annual_ehcp_review"),
    ("participant unknown", {"participants": ["parent_carer", "granny"]}, "participants", "Unknown participant 'granny': use one of parent_carer"),
    ("two participants unknown", {"participants": ["granny", "uncle"]}, "participants", "Unknown participants 'granny', 'uncle'"),
    ("other participant not described", {"participants": ["other"]}, "participants_other", "Say who else took part"),
    ("presence not a yes or no", {"young_person_present": "maybe"}, "young_person_present", "true or false"),
    ("unknown outcome area", {"aspirations": {"wealth": "Rich"}}, "aspirations", "Unknown outcome area 'wealth'"),
    ("words with a NUL character", {"young_persons_words": "I want\x00 to"}, "young_persons_words", "not text (such as NUL)"),
    ("action owner with a lone surrogate", {"actions": [{"description": "Visit", "owner": "Mum\ud800"}]}, "actions.0.owner", "not text"),
    ("aspiration too long", {"aspirations": {"health": "x" * 10_001}}, "aspirations.health", "10,000 characters or fewer"),
    ("start year missing", {"next_steps": [step(start_year=None)]}, "next_steps.0.start_year", "Enter the academic year the next step would start, for example 2027/28"),
    ("start year not a label", {"next_steps": [step(start_year="2027")]}, "next_steps.0.start_year", "'2027' is not an academic year"),
    ("start year years not consecutive", {"next_steps": [step(start_year="2027/29")]}, "next_steps.0.start_year", "is written 2027/28"),
    (
        "start year before the review's academic year",
        {"next_steps": [step(start_year="2024/25")]},
        "next_steps.0.start_year",
        "cannot start before the academic year the review was held in (2025/26): enter 2025/26 or later",
    ),
    ("route missing", {"next_steps": [step(route=None)]}, "next_steps.0.route", "Select the route"),
    ("route unknown", {"next_steps": [step(route="gap_year")]}, "next_steps.0.route", "Unknown route 'gap_year': use one of study_programme"),
    ("level missing", {"next_steps": [step(level=None)]}, "next_steps.0.level", "Select the level"),
    ("level unknown", {"next_steps": [step(level="level_9")]}, "next_steps.0.level", "Unknown level 'level_9'"),
    ("sector subject area missing", {"next_steps": [step(sector_subject_area=None)]}, "next_steps.0.sector_subject_area", "Select the sector subject area"),
    ("sector subject area unknown", {"next_steps": [step(sector_subject_area="16")]}, "next_steps.0.sector_subject_area", "Unknown sector subject area '16'"),
    ("attendance missing", {"next_steps": [step(attendance=None)]}, "next_steps.0.attendance", "full time or part time"),
    ("attendance unknown", {"next_steps": [step(attendance="weekends")]}, "next_steps.0.attendance", "Unknown attendance 'weekends'"),
    ("support need unknown", {"next_steps": [step(support_needs=["job_coach", "butler"])]}, "next_steps.0.support_needs", "Unknown support need 'butler'"),
    ("provider that does not exist", {"next_steps": [step(provider_ids=[7, 99999])]}, "next_steps.0.provider_ids", "There is no provider with id 99999"),
    ("provider id not a number", {"next_steps": [step(provider_ids=["abc"])]}, "next_steps.0.provider_ids", "'abc' is not a provider id"),
    ("second step wrong", {"next_steps": [step(), step(route="nope")]}, "next_steps.1.route", "Unknown route 'nope'"),
    ("action without a description", {"actions": [{"owner": "Parent", "due_on": None}]}, "actions.0.description", "Describe the action"),
    ("action without an owner", {"actions": [{"description": "Visit college"}]}, "actions.0.owner", "Enter who will do the action"),
    ("action owner too long", {"actions": [{"description": "Visit", "owner": "x" * 201}]}, "actions.0.owner", "200 characters or fewer"),
    ("action due date not a date", {"actions": [{"description": "Visit", "owner": "Parent", "due_on": "soon"}]}, "actions.0.due_on", "must be a real date"),
    ("action id not on the review", {"actions": [{"id": 5, "description": "Visit", "owner": "Parent"}]}, "actions.0.id", "There is no action with id 5 on this review"),
]


@pytest.mark.parametrize(("what", "change", "field", "message"), RULES, ids=[rule[0] for rule in RULES])
def test_a_complete_review_is_refused_with_a_message_that_says_what_to_fix(what, change, field, message):
    errors = check(review_values(**change))
    assert field in errors, errors
    assert message in errors[field]


def test_a_complete_review_that_keeps_every_rule_is_accepted():
    assert check(review_values()) == {}


@pytest.mark.parametrize("route", sorted(reference.ROUTES_WITHOUT_SECTOR))
def test_a_sector_subject_area_may_be_left_out_only_where_it_does_not_apply(route):
    assert check(review_values(next_steps=[step(route=route, sector_subject_area=None, level="not_applicable")])) == {}


def test_a_review_may_record_no_next_steps_and_no_actions():
    assert check(review_values(next_steps=[], actions=[])) == {}


def test_every_problem_is_reported_at_once():
    errors = check(review_values(held_on=None, review_type="chat", next_steps=[step(route="nope", provider_ids=[42])]))
    assert {"held_on", "review_type", "next_steps.0.route", "next_steps.0.provider_ids"} <= set(errors)


def test_the_start_year_may_be_the_academic_year_the_review_was_held_in():
    assert check(review_values(held_on=date(2025, 9, 1), next_steps=[step(start_year="2025/26")])) == {}
    assert "next_steps.0.start_year" in check(review_values(held_on=date(2025, 9, 1), next_steps=[step(start_year="2024/25")]))
    assert check(review_values(held_on=date(2025, 8, 31), next_steps=[step(start_year="2024/25")])) == {}


def test_a_draft_may_be_missing_anything_but_what_it_names_must_be_real():
    assert check({"young_persons_words": "Half typed"}, complete=False) == {}
    assert check({"next_steps": [{"route": "supported_internship"}], "actions": [{"description": "Ring mum"}]}, complete=False) == {}
    errors = check({"review_type": "chat", "next_steps": [{"start_year": "2026-27", "provider_ids": [99999]}]}, complete=False)
    assert set(errors) == {"review_type", "next_steps.0.start_year", "next_steps.0.provider_ids"}


def test_blank_rows_of_next_steps_and_actions_are_dropped():
    clean = clean_review(
        review_values(next_steps=[step(), {"route": "", "provider_ids": [], "support_needs": []}], actions=[{"description": "", "owner": None}]),
        known=KNOWN, provider_ids=set(), today=TODAY, complete=True,
    )
    assert len(clean["next_steps"]) == 1
    assert clean["actions"] == []


def test_text_is_trimmed_and_empty_text_is_nothing():
    clean = clean_review(review_values(young_persons_words="  My words  ", destinations_statement="   "), known=KNOWN, provider_ids=set(), today=TODAY, complete=True)
    assert clean["young_persons_words"] == "My words"
    assert clean["destinations_statement"] is None


# --- saving, drafts and amendments ------------------------------------------------------------

def test_a_complete_review_is_saved_with_its_next_steps_providers_support_needs_and_actions(session, manager, person):
    college, farm = make_provider(session, kind="college"), make_provider(session, kind="employer")
    review = services.save_review(
        session, person, review_values(next_steps=[step(provider_ids=[farm.id, college.id], support_needs=["job_coach", "travel_training"])]), manager, today=TODAY, complete=True
    )
    assert review.status == "complete"
    assert review.created_by_id == manager.id and review.updated_by_id == manager.id
    saved = review.next_steps[0]
    assert saved.start_year == 2026
    assert saved.provider_ids == [farm.id, college.id]  # order of preference kept
    assert [provider.id for provider in saved.providers] == [farm.id, college.id]
    assert saved.support_need_codes == ["job_coach", "travel_training"]
    assert [action.description for action in review.actions] == ["Book a taster day"]
    assert review.actions[0].young_person_id == person.id
    as_dict = services.review_as_dict(review)
    assert as_dict["next_steps"][0]["start_year"] == "2026/27"
    assert as_dict["aspirations"] == {"employment": "Work at a farm park", "independent_living": "Travel to college alone", "community": None, "health": None}


def test_a_draft_keeps_what_was_typed_and_is_checked_fully_when_completed(session, manager, person):
    draft = services.save_review(
        session, person, {"young_persons_words": "I like cooking", "next_steps": [{"route": "supported_internship"}]}, manager, today=TODAY, complete=False
    )
    assert draft.status == "draft" and draft.held_on is None
    assert draft.next_steps[0].route == "supported_internship" and draft.next_steps[0].start_year is None
    with pytest.raises(ReviewError) as refused:
        services.update_review(session, draft, {"review_type": "year9_pfa_review"}, manager, today=TODAY, complete=True)
    assert {"held_on", "next_steps.0.start_year", "next_steps.0.level", "next_steps.0.attendance"} <= set(refused.value.errors)
    services.update_review(
        session, draft, {"held_on": TODAY, "review_type": "year9_pfa_review", "next_steps": [step(route="supported_internship")]}, manager, today=TODAY, complete=True
    )
    assert draft.status == "complete"
    assert draft.young_persons_words == "I like cooking"  # left out of the change, so kept
    assert draft.amended_at is None and draft.revisions == []  # finishing a draft is not an amendment


def test_correcting_a_complete_review_keeps_the_earlier_version_and_marks_it_amended(session, manager, person):
    review = make_review(session, person, manager, today=TODAY, **review_values())
    version = review.version
    keyworker = make_user(session, "keyworker")
    services.update_review(session, review, {"young_persons_words": "I want to work with horses."}, keyworker, today=TODAY, complete=True)
    assert review.young_persons_words == "I want to work with horses."
    assert review.amended_by_id == keyworker.id and review.amended_at is not None
    assert review.version == version + 1
    [revision] = session.scalars(select(ReviewRevision).where(ReviewRevision.review_id == review.id)).all()
    assert revision.snapshot["young_persons_words"] == "I want to work with animals."
    assert revision.snapshot["held_on"] == "2025-11-03"
    assert revision.snapshot["next_steps"][0]["start_year"] == "2026/27"
    assert revision.revised_by_id == keyworker.id
    services.update_review(session, review, {"aspirations": {"health": "Keep swimming"}}, manager, today=TODAY, complete=True)
    assert review.aspiration_employment == "Work at a farm park"  # the other aspirations stay
    assert [r.snapshot["young_persons_words"] for r in services.revisions_for(session, review)] == ["I want to work with horses.", "I want to work with animals."]


def test_a_change_that_changes_nothing_is_not_an_amendment(session, manager, person):
    review = make_review(session, person, manager, today=TODAY, **review_values())
    version = review.version
    same = services.review_as_dict(review)
    services.update_review(session, review, {name: same[name] for name in ("young_persons_words", "next_steps", "actions")}, manager, today=TODAY, complete=True)
    assert review.version == version and review.amended_at is None and review.revisions == []


def test_changing_only_a_next_step_moves_the_version_on(session, manager, person):
    review = make_review(session, person, manager, today=TODAY, **review_values())
    version = review.version
    services.update_review(session, review, {"next_steps": [step(level="level_1"), step(route="volunteering", sector_subject_area=None, level="not_applicable", attendance="part_time")]}, manager, today=TODAY, complete=True)
    assert review.version == version + 1
    assert [(s.position, s.level) for s in review.next_steps] == [(0, "level_1"), (1, "not_applicable")]
    assert session.scalar(select(func.count()).select_from(NextStep).where(NextStep.review_id == review.id)) == 2


def test_a_completed_review_cannot_go_back_to_draft(session, manager, person):
    review = make_review(session, person, manager, today=TODAY, **review_values())
    with pytest.raises(ReviewError) as refused:
        services.update_review(session, review, {}, manager, today=TODAY, complete=False)
    assert "status" in refused.value.errors


def test_actions_sent_with_their_id_are_kept_others_are_added_and_the_rest_removed(session, manager, person):
    review = make_review(session, person, manager, today=TODAY, **review_values(actions=[
        {"description": "Book a taster day", "owner": "Keyworker"},
        {"description": "Ask for a travel assessment", "owner": "Parent"},
    ]))
    first, second = review.actions
    services.update_review(session, review, {"actions": [
        {"id": first.id, "description": "Book a taster day", "owner": "Keyworker", "done": True},
        {"description": "Visit the farm park", "owner": "Young person"},
    ]}, manager, today=TODAY, complete=True)
    assert [action.description for action in review.actions] == ["Book a taster day", "Visit the farm park"]
    assert review.actions[0].id == first.id and review.actions[0].done and review.actions[0].done_by_id == manager.id
    assert session.get(Action, second.id) is None


def test_deleting_a_young_person_deletes_their_reviews_and_actions(session, manager, person):
    provider = make_provider(session, kind="college")
    review = make_review(session, person, manager, today=TODAY, **review_values(next_steps=[step(provider_ids=[provider.id])]))
    services.update_review(session, review, {"young_persons_words": "changed"}, manager, today=TODAY, complete=True)
    make_action(session, person, manager)
    session.delete(person)
    session.flush()
    for model in (Review, NextStep, NextStepProvider, NextStepSupportNeed, Action, ReviewRevision):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model


# --- intentions and actions -------------------------------------------------------------------

def test_current_intentions_are_the_next_steps_of_the_latest_completed_review(session, manager, person):
    assert services.current_intentions(session, person.id) == []
    make_review(session, person, manager, today=TODAY, **review_values(held_on=date(2025, 3, 1), next_steps=[step(start_year="2025/26", route="study_programme")]))
    make_review(session, person, manager, today=TODAY, **review_values(held_on=date(2025, 10, 1), next_steps=[step(route="supported_internship")]))
    make_review(session, person, manager, today=TODAY, complete=False, held_on=date(2025, 11, 1), next_steps=[step(route="employment")])
    assert services.latest_complete_review(session, person.id).held_on == date(2025, 10, 1)
    assert [s.route for s in services.current_intentions(session, person.id)] == ["supported_internship"]


def test_open_actions_are_the_agreed_ones_not_done_soonest_first(session, manager, person):
    make_action(session, person, manager, description="Later", due_on=date(2026, 1, 10))
    make_action(session, person, manager, description="Sooner", due_on=date(2025, 12, 1))
    make_action(session, person, manager, description="Undated")
    make_action(session, person, manager, description="Done", due_on=date(2025, 11, 1), done=True)
    make_review(session, person, manager, complete=False, actions=[{"description": "In a draft", "owner": "Keyworker", "due_on": date(2025, 11, 25)}])
    assert [action.description for action in services.open_actions(session, person.id)] == ["Sooner", "Later", "Undated"]


def test_actions_due_show_a_keyworker_their_caseload_only_overdue_first(session, manager):
    keyworker, other = make_user(session, "keyworker"), make_user(session, "keyworker")
    mine = make_person(session, by=manager, keyworker=keyworker)
    theirs = make_person(session, by=manager, keyworker=other)
    make_action(session, mine, manager, description="Due soon", due_on=TODAY + timedelta(days=10))
    make_action(session, mine, manager, description="Overdue", due_on=TODAY - timedelta(days=3))
    make_action(session, mine, manager, description="Due on the 30th day", due_on=TODAY + timedelta(days=30))
    make_action(session, mine, manager, description="Too far off", due_on=TODAY + timedelta(days=31))
    make_action(session, mine, manager, description="Done already", due_on=TODAY, done=True)
    make_action(session, mine, manager, description="No date")
    make_action(session, theirs, manager, description="Someone else's", due_on=TODAY)
    due = services.actions_due_for(session, keyworker, TODAY)
    assert [action.description for action in due] == ["Overdue", "Due soon", "Due on the 30th day"]
    assert due[0].is_overdue(TODAY) and not due[1].is_overdue(TODAY)
    assert len(services.actions_due_for(session, manager, TODAY)) == 4
    assert services.actions_due_for(session, make_user(session, "college"), TODAY) == []


def test_setting_an_action_done_records_when_and_who_and_undoing_clears_it(session, manager, person):
    action = make_action(session, person, manager)
    services.set_action_done(session, action, True, manager)
    assert action.done and action.done_at is not None and action.done_by_id == manager.id
    services.set_action_done(session, action, False, manager)
    assert not action.done and action.done_at is None and action.done_by_id is None


def test_an_action_on_its_own_needs_a_description_and_an_owner(session, manager, person):
    with pytest.raises(ReviewError) as refused:
        services.add_action(session, person, {"description": "Ring college"}, manager)
    assert set(refused.value.errors) == {"owner"}
