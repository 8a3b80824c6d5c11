"""Writing planned demo reviews: bulk inserts with ids reserved up front.

Reserving the ids first lets next steps, their providers and support needs, actions and
amendment history point at their review without reading anything back, which matters for
the half a million rows a county's review histories come to.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session

from destinations.demo.bulk import insert_rows, reserve_ids
from destinations.demo.reviews import ReviewPlan
from destinations.people import roll
from destinations.reviews.current import mark_all_current_steps
from destinations.reviews.models import Action, NextStep, NextStepProvider, NextStepSupportNeed, Review, ReviewRevision
from destinations.reviews.reference import OUTCOME_AREAS
from destinations.reviews.services import json_safe

REVIEW_COLUMNS = (
    "id", "young_person_id", "status", "held_on", "review_type", "young_person_present", "participants",
    "participants_other", "young_persons_words", "aspiration_employment", "aspiration_independent_living",
    "aspiration_community", "aspiration_health", "destinations_statement", "created_at", "created_by_id",
    "updated_at", "updated_by_id", "amended_at", "amended_by_id", "version",
)  # fmt: skip
STEP_COLUMNS = ("id", "review_id", "position", "start_year", "route", "level", "sector_subject_area", "attendance")
STEP_PROVIDER_COLUMNS = ("next_step_id", "provider_id", "position")
STEP_SUPPORT_COLUMNS = ("next_step_id", "code", "position")
ACTION_COLUMNS = (
    "id", "young_person_id", "review_id", "description", "owner", "due_on", "done", "done_at", "done_by_id",
    "created_at", "created_by_id", "version",
)  # fmt: skip
REVISION_COLUMNS = ("review_id", "revised_at", "revised_by_id", "snapshot")


def write_reviews(
    session: Session,
    reviews: Sequence[ReviewPlan],
    person_ids: Sequence[int],
    staff_ids: Sequence[int],
    provider_ids: Sequence[int],
) -> dict[str, int]:
    """Insert the planned reviews and everything on them; returns ``{"reviews", "actions"}`` written.

    ``person_ids``, ``staff_ids`` and ``provider_ids`` turn plan positions into database ids.
    """
    step_count = sum(len(review.next_steps) for review in reviews)
    action_count = sum(len(review.actions) for review in reviews)
    review_ids = reserve_ids(session, Review.__table__, len(reviews))
    step_ids = iter(reserve_ids(session, NextStep.__table__, step_count))
    action_ids = iter(reserve_ids(session, Action.__table__, action_count))
    # (review id, its next step ids, its action ids) for each review, in plan order.
    keys = [
        (review_id, [next(step_ids) for _ in review.next_steps], [next(action_ids) for _ in review.actions])
        for review_id, review in zip(review_ids, reviews)
    ]
    pairs = list(zip(reviews, keys))

    def review_rows() -> Iterator[tuple]:
        for review, (review_id, _, _) in pairs:
            author, amendment = staff_ids[review.by], review.amendment
            amended_at = amendment.at if amendment else None
            amended_by = staff_ids[amendment.by] if amendment else None
            yield (
                review_id, person_ids[review.person], review.status, review.held_on, review.review_type,
                review.young_person_present, list(review.participants), review.participants_other,
                review.young_persons_words, *review.aspirations, review.destinations_statement,
                review.created_at, author, amended_at or review.created_at, amended_by or author,
                amended_at, amended_by, 2 if amendment else 1,
            )  # fmt: skip

    def step_rows() -> Iterator[tuple]:
        for review, (review_id, ids, _) in pairs:
            for position, (step_id, step) in enumerate(zip(ids, review.next_steps)):
                yield (step_id, review_id, position, step.start_year, step.route, step.level,
                       step.sector_subject_area, step.attendance)  # fmt: skip

    def step_provider_rows() -> Iterator[tuple]:
        for review, (_, ids, _) in pairs:
            for step_id, step in zip(ids, review.next_steps):
                for position, provider in enumerate(step.providers):
                    yield (step_id, provider_ids[provider], position)

    def step_support_rows() -> Iterator[tuple]:
        for review, (_, ids, _) in pairs:
            for step_id, step in zip(ids, review.next_steps):
                for position, code in enumerate(step.support_needs):
                    yield (step_id, code, position)

    def action_rows() -> Iterator[tuple]:
        for review, (review_id, _, ids) in pairs:
            author, person_id = staff_ids[review.by], person_ids[review.person]
            for action_id, action in zip(ids, review.actions):
                done = action.done_at is not None
                yield (action_id, person_id, review_id, action.description, action.owner, action.due_on, done,
                       action.done_at, author if done else None, review.created_at, author, 1)  # fmt: skip

    def revision_rows() -> Iterator[tuple]:
        for review, key in pairs:
            if review.amendment is not None:
                snapshot = _snapshot(review, key, person_ids, staff_ids, provider_ids)
                yield (key[0], review.amendment.at, staff_ids[review.amendment.by], snapshot)

    insert_rows(session, Review.__table__, REVIEW_COLUMNS, review_rows())
    insert_rows(session, NextStep.__table__, STEP_COLUMNS, step_rows())
    insert_rows(session, NextStepProvider.__table__, STEP_PROVIDER_COLUMNS, step_provider_rows())
    insert_rows(session, NextStepSupportNeed.__table__, STEP_SUPPORT_COLUMNS, step_support_rows())
    insert_rows(session, Action.__table__, ACTION_COLUMNS, action_rows())
    insert_rows(session, ReviewRevision.__table__, REVISION_COLUMNS, revision_rows())
    # Rows written in bulk bypass the review services, so the current mark is rebuilt here.
    if person_ids:
        mark_all_current_steps(session, (min(person_ids), max(person_ids)))
    return {"reviews": len(reviews), "actions": action_count}


def _snapshot(review: ReviewPlan, key: tuple, person_ids, staff_ids, provider_ids) -> dict[str, Any]:
    """The review as it was before its amendment, in the shape ``review_as_dict`` gives (made JSON-safe)."""
    review_id, _, action_ids = key
    amendment = review.amendment
    author = staff_ids[review.by]
    before = {
        "held_on": review.held_on, "participants": review.participants,
        "young_persons_words": review.young_persons_words, "destinations_statement": review.destinations_statement,
        "next_steps": review.next_steps, amendment.field: amendment.before,
    }  # fmt: skip
    return json_safe({
        "id": review_id,
        "young_person_id": person_ids[review.person],
        "status": review.status,
        "held_on": before["held_on"],
        "review_type": review.review_type,
        "young_person_present": review.young_person_present,
        "participants": list(before["participants"]),
        "participants_other": review.participants_other,
        "young_persons_words": before["young_persons_words"],
        "aspirations": dict(zip(OUTCOME_AREAS, review.aspirations)),
        "next_steps": [
            {
                "start_year": roll.academic_year_label(step.start_year) if step.start_year is not None else None,
                "route": step.route, "level": step.level, "sector_subject_area": step.sector_subject_area,
                "provider_ids": [provider_ids[p] for p in step.providers], "attendance": step.attendance,
                "support_needs": list(step.support_needs),
            }
            for step in before["next_steps"]
        ],
        "destinations_statement": before["destinations_statement"],
        "actions": [
            {
                "id": action_id, "description": action.description, "owner": action.owner, "due_on": action.due_on,
                "done": done, "done_at": action.done_at if done else None,
            }
            for action_id, action in zip(action_ids, review.actions)
            for done in [action.done_at is not None and action.done_at <= amendment.at]
        ],
        "version": 1,
        "created_at": review.created_at,
        "created_by_id": author,
        "updated_at": review.created_at,
        "updated_by_id": author,
        "amended": False,
        "amended_at": None,
        "amended_by_id": None,
    })  # fmt: skip
