"""Running jobs "as if on" a date inside a test's transaction."""
from __future__ import annotations

import pytest

from destinations.scheduler import services


@pytest.fixture
def run_job(app, transaction):
    """``run_job(name, "2026-11-23")`` runs a job the way ``jobs run`` does and returns its result."""

    def run(name: str, on: str | None = None, *, trigger: str = "command", requested_by_id: int | None = None) -> dict:
        with app.app_context():
            return services.run_job(name, on, trigger=trigger, requested_by_id=requested_by_id)

    return run
