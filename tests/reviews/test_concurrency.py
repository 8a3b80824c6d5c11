"""Two reviews of the same young person saved at the same moment: the current intentions end up
those of the later review, and neither save fails.

The first save holds its transaction open while the second runs in another thread, on another
connection, committing for real. On PostgreSQL the second waits for the young person's row lock
and then finds the first review when it looks for the latest; on SQLite it waits for the write lock.
"""
from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import select

from destinations.auth.models import User
from destinations.database import make_engine, new_session
from destinations.people.models import YoungPerson
from destinations.reviews.models import CurrentIntention, NextStep
from tests.conftest import database_of_its_own
from tests.factories import make_person, make_review, make_user

TODAY = date(2026, 10, 1)


@pytest.fixture(scope="module")
def own_engine(tmp_path_factory):
    """A database of its own, because this test commits from two sessions at once."""
    engine = make_engine(database_of_its_own("reviews_concurrency", tmp_path_factory.mktemp("reviews-concurrency")))
    yield engine
    engine.dispose()


def step(route: str) -> dict:
    return {
        "start_year": "2027/28", "route": route, "level": "level_1", "sector_subject_area": "7", "attendance": "full_time",
        "provider_ids": [], "support_needs": [],
    }  # fmt: skip


@pytest.mark.no_transaction
def test_two_reviews_saved_at_once_leave_the_later_ones_intentions(own_engine):
    with new_session(own_engine) as session:
        manager = make_user(session, "manager")
        person = make_person(session, by=manager)
        session.commit()
        manager_id, person_id = manager.id, person.id
    failures: list[BaseException] = []
    second_started = threading.Event()

    def save_the_earlier_review():
        try:
            second_started.wait(10)
            with new_session(own_engine) as session:
                person, manager = session.get(YoungPerson, person_id), session.get(User, manager_id)
                make_review(session, person, manager, today=TODAY, held_on=date(2026, 3, 1), next_steps=[step("apprenticeship")])
                session.commit()
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    with new_session(own_engine) as session:
        person, manager = session.get(YoungPerson, person_id), session.get(User, manager_id)
        make_review(session, person, manager, today=TODAY, held_on=date(2026, 9, 1), next_steps=[step("supported_internship")])
        other = threading.Thread(target=save_the_earlier_review)
        other.start()
        second_started.set()
        time.sleep(0.5)  # the other save is now waiting for this one
        session.commit()
    other.join(30)
    assert not other.is_alive() and failures == []

    with new_session(own_engine) as session:
        routes = session.scalars(select(CurrentIntention.route).where(CurrentIntention.young_person_id == person_id)).all()
        marked = session.scalars(select(NextStep.route).where(NextStep.current_person_id == person_id)).all()
    assert routes == ["supported_internship"]  # held in September: the later review, though saved first
    assert marked == ["supported_internship"]
