"""Which next steps are current: those on each young person's latest complete review.

Every next step carries ``current_person_id``: the young person's id while the step belongs to
their latest complete review (by date held, then the later-logged review), NULL otherwise; and
``current_held_on``, the date that review was held, so reports need not look the review up.
Reports that ask "what does everyone intend now?" then read the current steps of a year from a
small partial index instead of finding the latest review of every young person each time, which
at national scale (millions of reviews) is most of the work.

The mark is kept right by ``mark_current_steps`` after every change that can move it (a review
completed, corrected, or a new one logged), and rebuilt for everyone by ``mark_all_current_steps``
(the migration that introduced it and bulk loads).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session, aliased

from destinations.reviews.models import NextStep, Review


def is_latest_complete_review():
    """True for a ``Review`` that no complete review of the same young person follows (held
    later, or held the same day and logged later): a probe of a (young person, held on) index."""
    later = aliased(Review, name="later")
    return ~(
        select(later.id)
        .where(
            later.young_person_id == Review.young_person_id,
            later.status == "complete",
            later.held_on >= Review.held_on,
            or_(later.held_on > Review.held_on, later.id > Review.id),
        )
        .correlate(Review)
        .exists()
    )


def latest_complete_reviews(*conditions):
    """Each young person's latest complete review, for PostgreSQL: DISTINCT ON over one
    backward walk of ``ix_review_complete_person_held_id``, reading no table rows."""
    return (
        select(Review.id.label("review_id"), Review.young_person_id.label("person_id"), Review.held_on)
        .where(Review.status == literal_column("'complete'"), *conditions)  # a literal, so the partial index applies
        .ext(distinct_on(Review.young_person_id))
        .order_by(Review.young_person_id.desc(), Review.held_on.desc(), Review.id.desc())
        .subquery("latest")
    )


def mark_current_steps(session: Session, person_ids: Iterable[int]) -> None:
    """Move the current mark onto the steps of each young person's latest complete review."""
    for person_id in set(person_ids):
        latest = session.execute(
            select(Review.id, Review.held_on)
            .where(Review.young_person_id == person_id, Review.status == "complete")
            .order_by(Review.held_on.desc(), Review.id.desc())
            .limit(1)
        ).first()
        reviews = select(Review.id).where(Review.young_person_id == person_id).scalar_subquery()
        session.execute(
            update(NextStep)
            .where(NextStep.review_id.in_(reviews), NextStep.current_person_id.is_not(None))
            .values(current_person_id=None, current_held_on=None)
            .execution_options(synchronize_session=False)
        )
        if latest is not None:
            session.execute(
                update(NextStep)
                .where(NextStep.review_id == latest.id)
                .values(current_person_id=person_id, current_held_on=latest.held_on)
                .execution_options(synchronize_session=False)
            )


def mark_all_current_steps(connection, person_ids: tuple[int, int] | None = None) -> None:
    """Rebuild the mark set-wise (``connection`` may be a Session): for everyone, or for the
    young people whose ids fall in the inclusive range ``person_ids`` (a bulk load's new people)."""
    in_range = (lambda column: column.between(*person_ids)) if person_ids else (lambda column: column.is_not(None))
    connection.execute(
        update(NextStep)
        .where(in_range(NextStep.current_person_id))
        .values(current_person_id=None, current_held_on=None)
        .execution_options(synchronize_session=False)
    )
    dialect = connection.get_bind().dialect if hasattr(connection, "get_bind") else connection.dialect
    if dialect.name == "postgresql":
        latest = latest_complete_reviews(in_range(Review.young_person_id))
        connection.execute(
            update(NextStep)
            .where(NextStep.review_id == latest.c.review_id)
            .values(current_person_id=latest.c.person_id, current_held_on=latest.c.held_on)
            .execution_options(synchronize_session=False)
        )
        return
    def of_review(column):
        return select(column).where(Review.id == NextStep.review_id).scalar_subquery()

    latest_ids = select(Review.id).where(Review.status == "complete", in_range(Review.young_person_id), is_latest_complete_review())
    connection.execute(
        update(NextStep)
        .where(NextStep.review_id.in_(latest_ids))
        .values(current_person_id=of_review(Review.young_person_id), current_held_on=of_review(Review.held_on))
        .execution_options(synchronize_session=False)
    )
