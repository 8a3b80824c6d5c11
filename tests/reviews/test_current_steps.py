"""The current mark on next steps follows each young person's latest complete review."""
from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

from sqlalchemy import select, text

from destinations.reviews import services
from destinations.reviews.current import codes_in, mark_all_current_steps
from destinations.reviews.models import CurrentIntention, NextStep, Review
from tests.factories import make_person, make_provider, make_review, make_user

TODAY = date(2026, 10, 1)


def step(start="2027/28", route="study_programme", *, attendance="full_time", providers=(), needs=()) -> dict:
    return {
        "start_year": start, "route": route, "level": "entry_3", "sector_subject_area": "14", "attendance": attendance,
        "provider_ids": list(providers), "support_needs": list(needs),
    }  # fmt: skip


def current_review_ids(session) -> dict[int, set[int]]:
    """person id -> ids of the reviews whose steps are marked current."""
    marked: dict[int, set[int]] = {}
    for person_id, review_id in session.execute(
        select(NextStep.current_person_id, NextStep.review_id).where(NextStep.current_person_id.is_not(None))
    ):
        marked.setdefault(person_id, set()).add(review_id)
    return marked


def intentions(session) -> dict[tuple[int, int], tuple]:
    """(person id, start year) -> the rest of the CurrentIntention row, sets as sets of codes."""
    return {
        (row.young_person_id, row.start_year): (
            row.held_on, row.route, row.level, row.sector_subject_area,
            frozenset(codes_in(row.support_needs)), frozenset(codes_in(row.provider_ids)), frozenset(codes_in(row.attendance)),
        )
        for row in session.scalars(select(CurrentIntention))
    }  # fmt: skip


def varied_reviews(session, manager, prefix: str) -> None:
    """Young people with one or several reviews (two on the same day), drafts, steps in two
    years, repeated and overlapping support needs and providers, and one with no steps at all."""
    college, school = make_provider(session, kind="college"), make_provider(session)
    for n in range(6):
        person = make_person(session, by=manager, upn=None, council_person_id=f"{prefix}{n}")
        for month in range(1, n % 3 + 2):
            steps = [
                step(needs=["travel_training"], providers=[college.id]),
                step(route="employment", attendance="part_time", needs=["travel_training", "job_coach"], providers=[school.id, college.id]),
                step("2028/29", needs=["job_coach"] if month % 2 else []),
            ][: 1 + (n + month) % 3]
            make_review(session, person, manager, today=TODAY, held_on=date(2026, 3 if n == 4 else month * 2, 1), next_steps=steps if n != 5 else [])
        if n % 2:
            make_review(session, person, manager, complete=False, today=TODAY, next_steps=[step()])


def test_a_new_complete_review_takes_the_mark_from_the_earlier_one(session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager)
    first = make_review(session, person, manager, today=TODAY, held_on=date(2026, 3, 1), next_steps=[step()])
    assert current_review_ids(session) == {person.id: {first.id}}
    second = make_review(session, person, manager, today=TODAY, held_on=date(2026, 9, 1), next_steps=[step(), step("2028/29")])
    assert current_review_ids(session) == {person.id: {second.id}}
    assert session.scalar(select(NextStep.current_person_id).where(NextStep.review_id == first.id)) is None


def test_a_draft_never_takes_the_mark_until_it_is_completed(session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager)
    complete = make_review(session, person, manager, today=TODAY, held_on=date(2026, 3, 1), next_steps=[step()])
    draft = make_review(session, person, manager, complete=False, today=TODAY, held_on=date(2026, 9, 1), next_steps=[step()])
    assert current_review_ids(session) == {person.id: {complete.id}}
    services.update_review(
        session, draft, {"review_type": "annual_ehcp_review", "participants": ["parent_carer"], "young_person_present": True},
        manager, today=TODAY, complete=True,
    )
    assert current_review_ids(session) == {person.id: {draft.id}}


def test_correcting_the_date_of_an_older_review_can_make_it_the_latest(session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager)
    older = make_review(session, person, manager, today=TODAY, held_on=date(2026, 3, 1), next_steps=[step()])
    newer = make_review(session, person, manager, today=TODAY, held_on=date(2026, 6, 1), next_steps=[step()])
    assert current_review_ids(session) == {person.id: {newer.id}}
    services.update_review(session, older, {"held_on": date(2026, 9, 1)}, manager, today=TODAY, complete=True)
    assert current_review_ids(session) == {person.id: {older.id}}


def test_changing_the_steps_of_the_latest_review_keeps_the_new_steps_marked(session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager)
    review = make_review(session, person, manager, today=TODAY, held_on=date(2026, 9, 1), next_steps=[step()])
    services.update_review(session, review, {"next_steps": [step("2028/29", "apprenticeship"), step()]}, manager, today=TODAY, complete=True)
    marked = session.execute(select(NextStep.start_year).where(NextStep.current_person_id == person.id)).scalars().all()
    assert sorted(marked) == [2027, 2028]


def test_each_young_persons_current_steps_are_summed_up_once_per_start_year(session):
    manager = make_user(session, "manager")
    college, school = make_provider(session, kind="college"), make_provider(session)
    person = make_person(session, by=manager)
    make_review(session, person, manager, today=TODAY, held_on=date(2026, 3, 1), next_steps=[step("2028/29")])
    review = make_review(
        session, person, manager, today=TODAY, held_on=date(2026, 9, 1),
        next_steps=[
            step(needs=["travel_training"], providers=[college.id]),
            step("2028/29", "employment"),
            step(route="apprenticeship", attendance="part_time", needs=["job_coach", "travel_training"], providers=[school.id, college.id]),
        ],
    )  # fmt: skip
    assert intentions(session) == {
        (person.id, 2027): (
            date(2026, 9, 1), "study_programme", "entry_3", "14",
            {"job_coach", "travel_training"}, {str(college.id), str(school.id)}, {"full_time", "part_time"},
        ),
        (person.id, 2028): (date(2026, 9, 1), "employment", "entry_3", "14", set(), set(), {"full_time"}),
    }  # fmt: skip
    row = session.get(CurrentIntention, (2027, person.id))
    assert row.support_needs == "job_coach,travel_training"  # each code once, in order
    assert row.provider_ids.split(",") == sorted({str(college.id), str(school.id)})
    services.update_review(session, review, {"next_steps": [step("2029/30", "volunteering")]}, manager, today=TODAY, complete=True)
    assert set(intentions(session)) == {(person.id, 2029)}


def test_a_step_with_no_attendance_counts_under_not_recorded_and_a_person_who_is_erased_goes(session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager)
    make_review(session, person, manager, today=TODAY, held_on=date(2026, 9, 1), next_steps=[step(), step(route="employment")])
    session.execute(NextStep.__table__.update().where(NextStep.route == "employment").values(attendance=None))
    mark_all_current_steps(session)
    assert codes_in(session.get(CurrentIntention, (2027, person.id)).attendance) == [None, "full_time"]
    session.delete(person)
    session.flush()
    assert intentions(session) == {}


def test_rebuilding_every_mark_at_once_agrees_with_the_marks_kept_as_reviews_change(session):
    manager = make_user(session, "manager")
    for n in range(6):
        person = make_person(session, by=manager, upn=None, council_person_id=f"P{n}")
        for month in range(1, n % 3 + 2):
            make_review(session, person, manager, today=TODAY, held_on=date(2026, month * 2, 1), next_steps=[step()])
        if n % 2:
            make_review(session, person, manager, complete=False, today=TODAY, next_steps=[step()])
    varied_reviews(session, manager, "V")
    kept, kept_intentions = current_review_ids(session), intentions(session)
    assert len(kept) == 11 and len(kept_intentions) > 11  # one young person's reviews have no steps
    session.execute(CurrentIntention.__table__.delete())
    mark_all_current_steps(session)
    assert current_review_ids(session) == kept
    assert intentions(session) == kept_intentions
    assert all(session.get(Review, next(iter(ids))).status == "complete" for ids in kept.values())


def test_rebuilding_the_marks_of_a_range_of_young_people_leaves_the_others_alone(session):
    manager = make_user(session, "manager")
    people = [make_person(session, by=manager, upn=None, council_person_id=f"R{n}") for n in range(4)]
    for person in people:
        make_review(session, person, manager, today=TODAY, held_on=date(2026, 5, 1), next_steps=[step()])
    kept = current_review_ids(session)
    session.execute(NextStep.__table__.update().values(current_person_id=None))
    mark_all_current_steps(session, (people[1].id, people[2].id))
    assert current_review_ids(session) == {person.id: kept[person.id] for person in people[1:3]}


def _revision(filename: str):
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / filename
    spec = importlib.util.spec_from_file_location(f"revision_{filename[:4]}", path)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    return revision


def test_the_migration_that_introduced_the_mark_puts_it_where_the_services_keep_it(session):
    """Revision 0005 marks existing data with its own SQL, so it must follow the same rule."""
    revision = _revision("0005_current_next_steps.py")
    manager = make_user(session, "manager")
    for n in range(5):
        person = make_person(session, by=manager, upn=None, council_person_id=f"M{n}")
        for month in range(1, n % 3 + 2):
            make_review(session, person, manager, today=TODAY, held_on=date(2026, 3 if n == 4 else month * 2, 1), next_steps=[step()])
        if n % 2:
            make_review(session, person, manager, complete=False, today=TODAY, next_steps=[step()])
    kept = current_review_ids(session)
    session.execute(NextStep.__table__.update().values(current_person_id=None, current_held_on=None))
    session.execute(text(revision.MARK_LATEST_COMPLETE_REVIEWS))
    assert current_review_ids(session) == kept
    held = dict(session.execute(select(NextStep.review_id, NextStep.current_held_on).where(NextStep.current_person_id.is_not(None))).all())
    assert all(session.get(Review, review_id).held_on == held_on for review_id, held_on in held.items())


def test_the_migration_that_introduced_current_intentions_fills_them_as_the_services_keep_them(session):
    """Revision 0011 fills current_intention with its own SQL, so it must follow the same rules."""
    revision = _revision("0011_current_intentions.py")
    manager = make_user(session, "manager")
    varied_reviews(session, manager, "I")
    kept = intentions(session)
    assert len(kept) == 6  # five young people with steps, one of them in two years
    session.execute(CurrentIntention.__table__.delete())
    session.execute(text(revision.write_intentions(session.get_bind().dialect.name)))
    assert intentions(session) == kept
