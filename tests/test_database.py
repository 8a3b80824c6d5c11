"""The database layer: concurrency on SQLite, migrations agree with the models, one head."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from destinations.audit.models import AuditEvent
from destinations.audit.services import record_event
from destinations.database import Base, make_engine, new_session
from destinations.migrate import alembic_config, upgrade


@pytest.mark.no_transaction
def test_concurrent_read_then_write_transactions_on_sqlite_never_fail_with_database_locked(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'concurrent.db'}", busy_timeout_ms=30000)
    upgrade(engine)
    failures: list[BaseException] = []
    threads_count, writes_each = 8, 25

    def worker(number: int) -> None:
        try:
            for _ in range(writes_each):
                with new_session(engine) as session, session.begin():
                    # Read first, then write: the pattern that fails with a deferred BEGIN.
                    session.scalar(select(func.count()).select_from(AuditEvent))
                    record_event(session, "view", actor_type="system", object_type="young_person", object_id=number)
        except BaseException as error:  # noqa: BLE001 - the test reports whatever went wrong
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    with new_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == threads_count * writes_each
    engine.dispose()


def test_sqlite_connections_have_foreign_keys_and_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def test_migrations_have_one_head_and_files_are_named_after_their_revision():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert Path(revision.path).stem == revision.revision


def test_models_and_migrations_agree(transaction):
    """The same check as ``alembic check``, on this run's database (SQLite or PostgreSQL)."""
    context = MigrationContext.configure(transaction, opts={"compare_type": True, "render_as_batch": True})
    assert compare_metadata(context, Base.metadata) == []
