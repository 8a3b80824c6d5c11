"""Fixed-window counters kept in the database, so limits hold across worker processes."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from destinations.auth.models import RateLimitCounter


def bucket_key(*parts: str) -> str:
    """Hash the key so no email address or IP address sits in the table."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def hit(session: Session, key: str, now: datetime, window: timedelta) -> int:
    """Count one event for ``key`` and return the count in the current window (atomic upsert)."""
    start = window_start(now, window)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(RateLimitCounter)
        .values(key=key, window_start=start, count=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"count": RateLimitCounter.count + 1}
        )
        .returning(RateLimitCounter.count)
    )
    return session.execute(statement).scalar_one()


def count(session: Session, key: str, now: datetime, window: timedelta) -> int:
    start = window_start(now, window)
    total = session.scalar(
        select(func.coalesce(func.sum(RateLimitCounter.count), 0)).where(
            RateLimitCounter.key == key, RateLimitCounter.window_start == start
        )
    )
    return int(total or 0)


def reset(session: Session, key: str) -> None:
    session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def purge_before(session: Session, before: datetime) -> int:
    return session.execute(delete(RateLimitCounter).where(RateLimitCounter.window_start < before)).rowcount
