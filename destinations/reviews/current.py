"""Which next steps are current: those on each young person's latest complete review.

Every next step carries ``current_person_id``: the young person's id while the step belongs to
their latest complete review (by date held, then the later-logged review), NULL otherwise.
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


def latest_complete_reviews():
    """Each young person's latest complete review, for PostgreSQL: DISTINCT ON over one
    backward walk of ``ix_review_complete_person_held_id``, reading no table rows."""
    return (
        select(Review.id.label("review_id"), Review.young_person_id.label("person_id"))
        .where(Review.status == literal_column("'complete'"))  # a literal, so the partial index applies
        .ext(distinct_on(Review.young_person_id))
        .order_by(Review.young_person_id.desc(), Review.held_on.desc(), Review.id.desc())
        .subquery("latest")
    )


def mark_current_steps(session: Session, person_ids: Iterable[int]) -> None:
    """Move the current mark onto the steps of each young person's latest complete review."""
    for person_id in set(person_ids):
        latest = session.scalar(
            select(Review.id)
            .where(Review.young_person_id == person_id, Review.status == "complete")
            .order_by(Review.held_on.desc(), Review.id.desc())
            .limit(1)
        )
        reviews = select(Review.id).where(Review.young_person_id == person_id).scalar_subquery()
        session.execute(
            update(NextStep)
            .where(NextStep.review_id.in_(reviews), NextStep.current_person_id.is_not(None))
            .values(current_person_id=None)
            .execution_options(synchronize_session=False)
        )
        if latest is not None:
            session.execute(
                update(NextStep)
                .where(NextStep.review_id == latest)
                .values(current_person_id=person_id)
                .execution_options(synchronize_session=False)
            )


def mark_all_current_steps(connection) -> None:
    """Rebuild the mark for everyone in two set-based statements (``connection`` may be a Session)."""
    connection.execute(
        update(NextStep).where(NextStep.current_person_id.is_not(None)).values(current_person_id=None)
        .execution_options(synchronize_session=False)
    )
    dialect = connection.get_bind().dialect if hasattr(connection, "get_bind") else connection.dialect
    if dialect.name == "postgresql":
        latest = latest_complete_reviews()
        connection.execute(
            update(NextStep)
            .where(NextStep.review_id == latest.c.review_id)
            .values(current_person_id=latest.c.person_id)
            .execution_options(synchronize_session=False)
        )
        return
    person = select(Review.young_person_id).where(Review.id == NextStep.review_id).scalar_subquery()
    latest_ids = select(Review.id).where(Review.status == "complete", is_latest_complete_review())
    connection.execute(
        update(NextStep).where(NextStep.review_id.in_(latest_ids)).values(current_person_id=person)
        .execution_options(synchronize_session=False)
    )
