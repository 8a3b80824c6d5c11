"""An import and someone editing the same young person at the same time: neither change is lost.

Each test runs the import and the edit in two sessions, on two connections, committing for real.

The import reads a batch, then writes only the fields each row changes, with the record's
version in the UPDATE. If someone saved the record in between, the write is refused and the
batch is read again; the retry changes only the fields the row first meant to change, so the
other person's change stands.
"""
from __future__ import annotations

import io
import logging
import threading
from datetime import date

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm.exc import StaleDataError

from destinations.auth import services as auth_services
from destinations.database import make_engine, new_session
from destinations.imports.kinds import KINDS
from destinations.imports.models import DetailChange
from destinations.imports.services import Actor, ImportSettings, run_import
from destinations.people import services as people
from destinations.people.models import YoungPerson
from tests.conftest import database_of_its_own
from tests.factories import make_person
from tests.imports.conftest import csv_bytes, person_row, upn


@pytest.fixture(scope="module")
def own_engine(tmp_path_factory):
    """A database of its own, because these tests commit from two sessions at once."""
    engine = make_engine(database_of_its_own("concurrency", tmp_path_factory.mktemp("imports-concurrency")))
    yield engine
    engine.dispose()


def seed(engine, n: int):
    with new_session(engine) as session:
        manager = auth_services.create_user(session, email=f"manager{n}@council.example", name="Manager", role="manager", password="correct horse battery staple")
        session.flush()
        person = people.create_person(
            session,
            {"upn": upn(n), "given_name": f"Given{n}", "family_name": f"Family{n}", "date_of_birth": date(2010, 10, 15), "sen_provision": "E", "primary_need": "ASD"},
            manager,
        )
        session.commit()
        return manager.id, person.id


def stored(engine, person_id: int, *, order_by):
    """The young person as committed, and their history of detail changes as (field, old, new, source)."""
    with new_session(engine) as session:
        person = session.get(YoungPerson, person_id)
        session.expunge(person)
        history = session.execute(
            select(DetailChange.field, DetailChange.old_value, DetailChange.new_value, DetailChange.source)
            .where(DetailChange.young_person_id == person_id).order_by(order_by)
        ).all()
    return person, history


def import_file(session, manager_id: int, data: bytes):
    manager = session.get(auth_services.User, manager_id)
    return run_import(
        session, KINDS["young-people"].importer(date.today()), io.BytesIO(data), actor=Actor(manager), dry_run=False,
        channel="api", today=date.today(), settings=ImportSettings(),
    )


@pytest.mark.no_transaction
def test_an_import_and_a_staff_edit_of_the_same_young_person_at_once_keep_both_changes(own_engine, caplog):
    manager_id, person_id = seed(own_engine, 1)
    postgres = own_engine.dialect.name == "postgresql"
    failures: list[BaseException] = []
    edited = threading.Event()

    def edit_family_name():
        try:
            with new_session(own_engine) as session:
                person = session.get(YoungPerson, person_id)
                people.update_details(session, person, {"family_name": "FromEditor"}, session.get(auth_services.User, manager_id))
                session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            edited.set()

    editor = threading.Thread(target=edit_family_name)
    importing = new_session(own_engine)

    @event.listens_for(importing, "before_flush")
    def meanwhile(session, _context, _instances):
        if not editor.is_alive() and not edited.is_set() and any(isinstance(item, YoungPerson) for item in session.dirty):
            editor.start()
            # PostgreSQL: the edit commits now, between the import's read and its write.
            # SQLite: every transaction takes the write lock when it starts, so the edit waits
            # for the import to commit and then reads what the import wrote.
            edited.wait(timeout=10 if postgres else 0.5)

    caplog.set_level(logging.INFO, logger="destinations.imports.services")
    try:
        result = import_file(importing, manager_id, csv_bytes([person_row(1, given_name="FromImport")]))
        importing.commit()
    finally:
        importing.close()
    editor.join(timeout=60)
    assert not failures, failures
    assert result.imported and result.updated == 1, result.problems
    person, history = stored(own_engine, person_id, order_by=DetailChange.field)
    assert (person.given_name, person.family_name, person.version) == ("FromImport", "FromEditor", 3)
    assert history == [("family_name", "Family1", "FromEditor", "edit"), ("given_name", "Given1", "FromImport", "import")]
    if postgres:
        assert "checking it again" in caplog.text  # the import's first write was refused and retried


@pytest.mark.no_transaction
def test_a_staff_edit_of_a_record_an_import_changed_after_it_was_read_is_refused_not_lost_and_both_changes_stand(own_engine):
    manager_id, person_id = seed(own_engine, 2)
    editing = new_session(own_engine)
    try:
        # The editor reads the record (version 1) and the read's transaction ends, as a form's page does.
        person = editing.get(YoungPerson, person_id)
        editor = editing.get(auth_services.User, manager_id)
        editing.commit()
        with new_session(own_engine) as importing:
            result = import_file(importing, manager_id, csv_bytes([person_row(2, given_name="FromImport")]))
            importing.commit()
        assert result.imported and result.updated == 1, result.problems
        # Saving over the record as first read would undo the import's change: the database refuses it.
        people.update_details(editing, person, {"family_name": "FromEditor"}, editor)
        with pytest.raises(StaleDataError):
            editing.commit()
        editing.rollback()
        assert (person.given_name, person.family_name, person.version) == ("FromImport", "Family2", 2)
        people.update_details(editing, person, {"family_name": "FromEditor"}, editor)
        editing.commit()
    finally:
        editing.close()
    person, history = stored(own_engine, person_id, order_by=DetailChange.id)
    assert (person.given_name, person.family_name, person.version) == ("FromImport", "FromEditor", 3)
    assert history == [("given_name", "Given2", "FromImport", "import"), ("family_name", "Family2", "FromEditor", "edit")]


def test_a_record_saved_between_the_check_and_the_write_is_read_again_and_only_the_rows_changes_applied(session, importing):
    person = make_person(session, upn=upn(7), given_name="Given7", family_name="Family7")
    assert person.version == 1
    # Another session's save, as this session cannot see it: the record in memory stays at
    # version 1, so the import checks against it and its write is refused.
    session.connection().execute(
        update(YoungPerson.__table__).where(YoungPerson.id == person.id).values(family_name="SavedMeanwhile", version=2)
    )
    result = importing(csv_bytes([person_row(7, given_name="Imported", family_name="Family7")]))
    assert result.imported and result.updated == 1
    session.expire_all()
    assert (person.given_name, person.family_name, person.version) == ("Imported", "SavedMeanwhile", 3)
    history = session.execute(select(DetailChange.field, DetailChange.old_value, DetailChange.new_value).where(DetailChange.young_person_id == person.id)).all()
    assert history == [("given_name", "Given7", "Imported")]


def test_an_import_that_keeps_meeting_changed_records_gives_up_and_writes_nothing(session, importing):
    person = make_person(session, upn=upn(8))

    @event.listens_for(session, "before_flush")
    def someone_keeps_saving(flushing, _context, _instances):
        if person in flushing.dirty:
            flushing.connection().execute(update(YoungPerson.__table__).where(YoungPerson.id == person.id).values(version=YoungPerson.version + 1))

    result = importing(csv_bytes([person_row(8, given_name="Imported"), person_row(9)]))
    event.remove(session, "before_flush", someone_keeps_saving)
    assert result.conflict and not result.imported
    assert "Nothing was imported: import the file again" in result.problems[-1].message
    assert session.scalar(select(YoungPerson).where(YoungPerson.upn == upn(9))) is None
