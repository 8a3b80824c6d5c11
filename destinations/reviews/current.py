"""Which next steps are current: those on each young person's latest complete review.

Every next step carries ``current_person_id``: the young person's id while the step belongs to
their latest complete review (by date held, then the later-logged review), NULL otherwise; and
``current_held_on``, the date that review was held, so nothing needs to look the review up.
Finding the latest review of every young person each time someone asks "what does everyone
intend now?" would, at national scale (millions of reviews), be most of the work.

The mark is kept right by ``mark_current_steps`` after every change that can move it (a review
completed, corrected, or a new one logged), and rebuilt for everyone by ``mark_all_current_steps``
(the migration that introduced it and bulk loads).

Both also rewrite the young people's ``CurrentIntention`` rows (``write_intentions``): one row per
young person and start year summing up their current steps, which is what the demand report
counts (migration 0011 wrote the first ones with its own copy of the same SQL). Reports group by
each person's whole set of support needs or providers, so a national year's few hundred thousand
intentions come back as a few thousand combinations.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import String, and_, cast, delete, func, insert, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on
from sqlalchemy.orm import Session, aliased

from destinations.people.models import YoungPerson
from destinations.reviews.models import CurrentIntention, NextStep, NextStepProvider, NextStepSupportNeed, Review

SET_SEPARATOR = ","  # between the codes of a CurrentIntention set (reference codes and ids never hold one)


def codes_in(code_set: str | None) -> list[str | None]:
    """The codes of a CurrentIntention set; the empty code (a step with none recorded) as None."""
    if code_set is None:
        return []
    return [code or None for code in code_set.split(SET_SEPARATOR)]


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
    """Move the current mark onto the steps of each young person's latest complete review, and
    rewrite their current intentions.

    The young people's rows are locked first (PostgreSQL; SQLite lets one writer in at a time),
    so two reviews saved at once for the same young person take turns: the second then sees the
    first's review when it looks for the latest, instead of both rewriting the same intentions.
    """
    person_ids = sorted(set(person_ids))
    if person_ids:
        session.execute(select(YoungPerson.id).where(YoungPerson.id.in_(person_ids)).order_by(YoungPerson.id).with_for_update())
    for person_id in person_ids:
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
    if person_ids:
        write_intentions(session, lambda column: column.in_(person_ids))


def mark_all_current_steps(connection, person_ids: tuple[int, int] | None = None) -> None:
    """Rebuild the mark and the current intentions set-wise (``connection`` may be a Session):
    for everyone, or for the young people whose ids fall in the inclusive range ``person_ids``
    (a bulk load's new people)."""
    in_range = (lambda column: column.between(*person_ids)) if person_ids else (lambda column: column.is_not(None))
    connection.execute(
        update(NextStep)
        .where(in_range(NextStep.current_person_id))
        .values(current_person_id=None, current_held_on=None)
        .execution_options(synchronize_session=False)
    )
    if _dialect_name(connection) == "postgresql":
        latest = latest_complete_reviews(in_range(Review.young_person_id))
        connection.execute(
            update(NextStep)
            .where(NextStep.review_id == latest.c.review_id)
            .values(current_person_id=latest.c.person_id, current_held_on=latest.c.held_on)
            .execution_options(synchronize_session=False)
        )
        write_intentions(connection, in_range)
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
    write_intentions(connection, in_range)


def _dialect_name(connection) -> str:
    return (connection.get_bind() if hasattr(connection, "get_bind") else connection).dialect.name


def write_intentions(connection, people: Callable) -> None:
    """Rewrite the ``CurrentIntention`` rows of the young people ``people(id column)`` selects,
    from their marked steps, in two statements whatever their number."""
    connection.execute(
        delete(CurrentIntention).where(people(CurrentIntention.young_person_id)).execution_options(synchronize_session=False)
    )
    person_id, year = NextStep.current_person_id.label("person_id"), NextStep.start_year.label("start_year")
    current = and_(people(NextStep.current_person_id), NextStep.start_year.is_not(None))
    postgresql = _dialect_name(connection) == "postgresql"

    def code_set(name: str, code, *join):
        """Each person-year's distinct codes, joined in code order (SQLite keeps the order of its sorted input)."""
        pairs = select(person_id, year, code.label("code")).select_from(NextStep)
        for target, on in join:
            pairs = pairs.join(target, on)
        pairs = pairs.where(current).distinct().order_by(person_id, year, code).subquery()
        if postgresql:
            joined = func.string_agg(pairs.c.code, aggregate_order_by(literal_column(f"'{SET_SEPARATOR}'"), pairs.c.code))
        else:
            joined = func.group_concat(pairs.c.code, SET_SEPARATOR)
        return select(pairs.c.person_id, pairs.c.start_year, joined.label(name)).group_by(pairs.c.person_id, pairs.c.start_year).subquery()

    rank = func.row_number().over(partition_by=(NextStep.current_person_id, NextStep.start_year), order_by=(NextStep.position, NextStep.id))
    first = (
        select(person_id, year, NextStep.current_held_on, NextStep.route, NextStep.level, NextStep.sector_subject_area, rank.label("step_rank"))
        .where(current)
        .subquery()
    )
    needs = code_set("support_needs", NextStepSupportNeed.code, (NextStepSupportNeed, NextStepSupportNeed.next_step_id == NextStep.id))
    providers = code_set(
        "provider_ids", cast(NextStepProvider.provider_id, String(40)), (NextStepProvider, NextStepProvider.next_step_id == NextStep.id)
    )
    attendance = code_set("attendance", func.coalesce(NextStep.attendance, ""))

    def same(subquery):
        return and_(subquery.c.person_id == first.c.person_id, subquery.c.start_year == first.c.start_year)

    rows = (
        select(
            first.c.start_year, first.c.person_id, first.c.current_held_on, first.c.route, first.c.level, first.c.sector_subject_area,
            needs.c.support_needs, providers.c.provider_ids, attendance.c.attendance,
        )
        .select_from(first)
        .join(attendance, same(attendance))
        .outerjoin(needs, same(needs))
        .outerjoin(providers, same(providers))
        .where(first.c.step_rank == 1)
    )  # fmt: skip
    columns = ["start_year", "young_person_id", "held_on", "route", "level", "sector_subject_area", "support_needs", "provider_ids", "attendance"]
    connection.execute(insert(CurrentIntention).from_select(columns, rows))
