"""Leadership: however many scheduler processes start, one runs jobs and the others wait.

PostgreSQL: the leader holds a session-level advisory lock on a connection of its own. The
server lets go of it the moment that connection ends, so when the leader dies (killed, its
machine gone, its network cut: TCP keepalives find that out) a waiting process gets it on
its next try. The leader checks its connection every few seconds and stops running jobs if
it has lost it, so two leaders never overlap by more than one check.

SQLite: an exclusive ``flock`` on a file beside the database. The kernel releases it when
the holder dies. It works for processes on one machine, which is all SQLite supports anyway.
"""
from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

from destinations.scheduler.runner import JobError

log = logging.getLogger(__name__)

# One 64-bit key for "the scheduler leader" (the ASCII of "DPS-SCHD").
LEADER_LOCK_KEY = 0x4450532D53434844


class Leadership(Protocol):
    def try_acquire(self) -> bool: ...
    def still_held(self) -> bool: ...
    def release(self) -> None: ...


class PostgresLeadership:
    def __init__(self, url: str):
        self.engine = create_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",  # never idle in a transaction while holding the lock
            connect_args={
                "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
                "application_name": "dps-scheduler",
            },  # fmt: skip
        )
        self.connection: Connection | None = None

    def try_acquire(self) -> bool:
        try:
            if self.connection is None:
                self.connection = self.engine.connect()
                # The server also probes the connection, so a vanished leader's lock is freed.
                for setting, value in (("tcp_keepalives_idle", 30), ("tcp_keepalives_interval", 10), ("tcp_keepalives_count", 3)):
                    self.connection.execute(text(f"SET {setting} = {value}"))
            return bool(self.connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}))
        except Exception as error:
            log.warning("could not reach the database to take the scheduler lock: %s", type(error).__name__)
            self._drop()
            return False

    def still_held(self) -> bool:
        if self.connection is None:
            return False
        try:
            held = self.connection.scalar(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
                    " AND classid = :high AND objid = :low AND objsubid = 1"
                ),
                {"high": LEADER_LOCK_KEY >> 32, "low": LEADER_LOCK_KEY & 0xFFFFFFFF},
            )
            return bool(held)
        except Exception as error:
            log.warning("lost the connection holding the scheduler lock: %s", type(error).__name__)
            self._drop()
            return False

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY})
            except Exception:
                pass
        self._drop()

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                pass
            self.connection = None


class FileLeadership:
    def __init__(self, path: Path):
        self.path = path
        self.descriptor: int | None = None

    def try_acquire(self) -> bool:
        if self.descriptor is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.ftruncate(self.descriptor, 0)
        os.write(self.descriptor, f"{os.getpid()}\n".encode())  # for a person looking; the lock is the flock
        return True

    def still_held(self) -> bool:
        return self.descriptor is not None

    def release(self) -> None:
        if self.descriptor is not None:
            try:
                fcntl.flock(self.descriptor, fcntl.LOCK_UN)
            finally:
                os.close(self.descriptor)
                self.descriptor = None


def lock_file_for(database_url: str) -> Path:
    """Where the SQLite leadership lock lives: beside the database file."""
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise JobError("The scheduler needs a database file (or PostgreSQL): an in-memory SQLite database cannot be shared.")
    path = Path(database)
    return path.with_name(path.name + ".scheduler-lock")


def leadership_for(database_url: str) -> Leadership:
    if make_url(database_url).get_backend_name() == "postgresql":
        return PostgresLeadership(database_url)
    return FileLeadership(lock_file_for(database_url))
