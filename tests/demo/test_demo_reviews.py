from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from destinations.auth.models import User
from destinations.demo import review_catalogue
from destinations.demo.generator import load_demo
from destinations.demo.plan import plan_council
from destinations.demo.records import Clock
from destinations.demo.reviews import YEAR9, plan_reviews
from destinations.people import roll
from destinations.people.models import YoungPerson
from destinations.people.services import RollSettings
from destinations.providers.models import Provider
from destinations.reviews import reference, services
from destinations.reviews.models import Action, NextStep, NextStepSupportNeed, ReferenceItem, Review, ReviewRevision
from destinations.reviews.rules import clean_review
from tests.factories import make_review

TODAY = date(2025, 11, 3)
NOW = datetime(2025, 11, 3, 12, 0, tzinfo=timezone.utc)


def load(session, people=300, seed=1):
    return load_demo(session, people=people, seed=seed, today=TODAY)


def complete_reviews(session):
    query = services._with_everything(select(Review).where(Review.status == "complete").order_by(Review.id))
    return session.scalars(query).all()


def on_the_roll(person):
    extension_ends = [extension.new_end for extension in person.extensions]
    status = roll.roll_status(person.date_of_birth, TODAY, extension_ends=extension_ends, left_on=person.left_on)
    return status in ("active", "extended")


@pytest.fixture(scope="module")
def county_plan():
    plan = plan_council(3000, 1, TODAY, NOW)
    return plan, plan_reviews(plan, 1, Clock(TODAY, NOW))


def test_most_people_in_years_10_to_13_on_the_roll_have_a_complete_review(session):
    load(session, people=400)
    reviewed = set(session.scalars(select(Review.young_person_id).where(Review.status == "complete")))
    people = session.scalars(select(YoungPerson).options(selectinload(YoungPerson.extensions))).all()
    years_10_to_13 = [p for p in people if 10 <= roll.year_group(p.date_of_birth, TODAY) <= 13 and on_the_roll(p)]
    assert len(years_10_to_13) > 100
    share = sum(p.id in reviewed for p in years_10_to_13) / len(years_10_to_13)
    assert share > 0.85, share
    year_8 = [p.id for p in people if roll.year_group(p.date_of_birth, TODAY) == 8]
    assert year_8 and not reviewed & set(year_8)  # not on the roll yet


def test_the_summary_counts_what_was_written_and_histories_are_about_four_reviews_a_person(session):
    summary = load(session)
    assert summary["reviews"] == session.scalar(select(func.count()).select_from(Review))
    assert summary["actions"] == session.scalar(select(func.count()).select_from(Action))
    assert 3 * summary["people"] <= summary["reviews"] <= 5 * summary["people"]


def test_no_review_is_held_in_the_future_and_no_timestamp_is_after_now(session):
    load(session)
    now = datetime.now(timezone.utc)
    assert session.scalar(select(func.max(Review.held_on))) < TODAY
    for column in (Review.created_at, Review.updated_at, Review.amended_at, Action.created_at, Action.done_at):
        assert session.scalar(select(func.max(column))) <= now
    for review in complete_reviews(session):
        assert review.created_at.date() >= review.held_on
        assert all(action.done_at is None or action.done_at.date() > review.held_on for action in review.actions)
        assert all(action.done == (action.done_at is not None) for action in review.actions)


def test_every_code_used_is_seeded_reference_data(session):
    load(session)
    seeded = {kind: set() for kind in reference.KINDS}
    for kind, code in session.execute(select(ReferenceItem.kind, ReferenceItem.code)):
        seeded[kind].add(code)
    used = {
        reference.REVIEW_TYPE: set(session.scalars(select(Review.review_type).where(Review.review_type.is_not(None)))),
        reference.PARTICIPANT: {code for codes in session.scalars(select(Review.participants)) for code in codes},
        reference.ROUTE: set(session.scalars(select(NextStep.route).where(NextStep.route.is_not(None)))),
        reference.LEVEL: set(session.scalars(select(NextStep.level).where(NextStep.level.is_not(None)))),
        reference.SECTOR_SUBJECT_AREA: set(
            session.scalars(select(NextStep.sector_subject_area).where(NextStep.sector_subject_area.is_not(None)))
        ),
        reference.ATTENDANCE: set(session.scalars(select(NextStep.attendance).where(NextStep.attendance.is_not(None)))),
        reference.SUPPORT_NEED: set(session.scalars(select(NextStepSupportNeed.code))),
    }
    for kind, codes in used.items():
        assert codes, kind
        assert codes <= seeded[kind], (kind, codes - seeded[kind])
    assert len(used[reference.REVIEW_TYPE]) == len(seeded[reference.REVIEW_TYPE])  # every type appears


def test_start_years_are_real_academic_years_from_the_year_of_the_review(session):
    load(session)
    for review in complete_reviews(session):
        assert review.next_steps
        held_in = roll.academic_year_of(review.held_on)
        for step in review.next_steps:
            assert roll.parse_academic_year_label(roll.academic_year_label(step.start_year)) == step.start_year
            assert held_in <= step.start_year <= held_in + 5


def test_every_complete_review_keeps_the_rules_and_resaving_it_changes_nothing(session):
    load(session)
    known = reference.active_codes(session)
    provider_ids = set(session.scalars(select(Provider.id)))
    reviews = complete_reviews(session)
    for review in reviews:
        values = services.review_as_dict(review)
        clean_review(
            values, known=known, provider_ids=provider_ids, today=TODAY, complete=True,
            action_ids={action.id for action in review.actions},
        )  # fmt: skip
    manager = session.scalar(select(User).where(User.role == "manager"))
    for review in reviews[:: max(1, len(reviews) // 25)]:
        version = review.version
        services.update_review(session, review, services.review_as_dict(review), manager, today=TODAY, complete=True)
        assert review.version == version and not session.new  # already exactly as the service stores it


def test_a_demo_review_can_be_corrected_through_the_service_and_new_reviews_get_fresh_ids(session):
    load(session)
    manager = session.scalar(select(User).where(User.role == "manager"))
    review = complete_reviews(session)[0]
    changed = services.update_review(
        session, review, {"young_persons_words": "I want to work with animals."}, manager, today=TODAY, complete=True
    )
    assert changed.amended and len(services.revisions_for(session, changed)) == 1
    person = session.get(YoungPerson, review.young_person_id)
    new = make_review(session, person, manager, today=TODAY, next_steps=[{
        "start_year": "2026/27", "route": "employment", "level": "not_applicable", "sector_subject_area": "7",
        "attendance": "full_time",
    }], actions=[{"description": "Call the employer", "owner": "Keyworker"}])  # fmt: skip
    assert new.id > review.id and new.next_steps[0].id and new.actions[0].id


def test_a_second_load_adds_reviews_alongside_the_first(session):
    first = load(session, people=150)
    second = load(session, people=100, seed=2)
    assert session.scalar(select(func.count()).select_from(Review)) == first["reviews"] + second["reviews"]
    assert session.scalar(select(func.count()).select_from(Action)) == first["actions"] + second["actions"]


def test_some_reviews_are_drafts_and_some_were_amended_with_the_earlier_version_kept(session):
    load(session, people=800)
    drafts = session.scalars(select(Review).where(Review.status == "draft")).all()
    assert 3 <= len(drafts) <= 40
    assert all(draft.held_on is None or (TODAY - draft.held_on).days <= 20 for draft in drafts)
    amended = session.scalars(select(Review).where(Review.amended_at.is_not(None))).all()
    assert amended
    for review in amended:
        [revision] = session.scalars(select(ReviewRevision).where(ReviewRevision.review_id == review.id)).all()
        current = services.json_safe(services.review_as_dict(review))
        snapshot = revision.snapshot
        assert set(snapshot) == set(current)
        assert snapshot["id"] == review.id and snapshot["version"] == 1 and review.version == 2
        assert not snapshot["amended"] and review.amended_by_id == revision.revised_by_id
        assert revision.revised_at == review.amended_at > review.created_at
        assert len(set(services.changed_fields(snapshot, current)) - {"actions"}) == 1


def test_the_due_lists_have_people_overdue_and_year_9_without_a_first_review(session):
    load(session, people=600)
    summary = services.due_summary(session, TODAY, RollSettings())
    assert summary["overdue"] > 0 and summary["due_30"] > 0
    assert summary["year9_without_first_review"] > 0


def test_the_first_review_is_the_year_9_review_held_when_the_pathway_was_agreed(county_plan):
    plan, reviews = county_plan
    first_reviews = {}
    for review in reviews:
        first_reviews.setdefault(review.person, review)
    for position, review in first_reviews.items():
        person = plan.people[position]
        if review.status == "complete":
            assert review.review_type == YEAR9
            assert review.held_on == person.pathway_changes[0].at.date()
    on_time = [
        r for r in first_reviews.values()
        if r.status == "complete" and r.held_on <= roll.first_review_due(plan.people[r.person].date_of_birth)
    ]  # fmt: skip
    assert 0.85 < len(on_time) / len(first_reviews) < 1


def test_pathway_1_intentions_differ_from_pathway_3(county_plan):
    plan, reviews = county_plan
    routes = {1: Counter(), 3: Counter()}
    levels = {1: Counter(), 3: Counter()}
    support = {1: Counter(), 3: Counter()}
    latest = {review.person: review for review in reviews if review.status == "complete"}
    for position, review in latest.items():
        pathway = plan.people[position].pathway
        if pathway in routes:
            for step in review.next_steps:
                routes[pathway][step.route] += 1
                levels[pathway][step.level] += 1
                support[pathway].update(step.support_needs)

    def share(counter, key):
        return counter[key] / sum(counter.values())

    assert share(routes[1], "adult_social_care_day_opportunity") > 0.1
    assert share(routes[3], "adult_social_care_day_opportunity") == 0
    assert routes[3]["apprenticeship"] and routes[3]["higher_education"] and not routes[1]["higher_education"]
    assert set(levels[1]) <= {"entry_1", "entry_2", "not_applicable"}
    assert share(levels[3], "level_2") + share(levels[3], "level_3") > 0.5
    assert share(support[1], "personal_care") > 5 * share(support[3], "personal_care")


def test_the_same_seed_plans_the_same_reviews_and_another_seed_different_ones(county_plan):
    plan, reviews = county_plan
    assert plan_reviews(plan, 1, Clock(TODAY, NOW)) == reviews
    assert plan_reviews(plan, 2, Clock(TODAY, NOW)) != reviews


def test_statements_name_only_the_young_person(county_plan):
    plan, reviews = county_plan
    for review in reviews:
        if review.destinations_statement and review.amendment is None:
            name = plan.people[review.person].given_name
            opening = f"By September {review.next_steps[0].start_year} {name} will be "
            assert review.destinations_statement.startswith(opening)


def test_theme_weights_cover_every_theme():
    assert all(len(weights) == len(review_catalogue.THEMES) for weights in review_catalogue.THEME_WEIGHTS.values())
