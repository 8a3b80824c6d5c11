"""The shapes a demo plan is made of, and the clock that dates its events.

Plans refer to providers, staff and people by their position in the plan's lists; the loader
turns positions into database ids once the rows are inserted.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple


class PathwayEvent(NamedTuple):
    from_pathway: int | None
    to_pathway: int | None
    reason: str
    at: datetime
    by: int  # staff position


class Assignment(NamedTuple):
    keyworker: int | None  # staff position; None records "unassigned"
    at: datetime
    by: int


class Extension(NamedTuple):
    previous_end: date
    new_end: date
    reason: str
    review_on: date
    at: datetime
    by: int


class StatusEvent(NamedTuple):
    status: str
    reason: str
    note: str | None
    effective_on: date
    at: datetime
    by: int | None  # None: the scheduled roll-end job


@dataclass(slots=True)
class ProviderPlan:
    name: str
    kind: str
    urn: str | None = None
    ukprn: str | None = None
    postcode: str | None = None
    establishment: int | None = None  # the DfE number that goes into pupils' UPNs
    specialisms: tuple[str, ...] = ()  # primary needs a special school mostly serves


@dataclass(slots=True)
class StaffPlan:
    email: str
    name: str
    role: str
    provider: int | None
    active: bool
    created_at: datetime


@dataclass(slots=True)
class PersonPlan:
    upn: str | None
    council_person_id: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    sen_provision: str
    primary_need: str
    school: int
    created_at: datetime
    wants_keyworker: bool = True
    keyworker: int | None = None
    pathway: int | None = None
    left_on: date | None = None
    left_reason: str | None = None
    pathway_changes: list[PathwayEvent] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    status_changes: list[StatusEvent] = field(default_factory=list)

    @property
    def updated_at(self) -> datetime:
        histories = (self.pathway_changes, self.assignments, self.extensions, self.status_changes)
        return max([self.created_at, *(event.at for history in histories for event in history)])


@dataclass(frozen=True)
class Taken:
    """What already exists in the database and must not be reused."""

    upns: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    next_council_number: int = 1


@dataclass
class CouncilPlan:
    providers: list[ProviderPlan]
    staff: list[StaffPlan]
    people: list[PersonPlan]
    sign_ins: list[tuple[str, str]]  # (role, email), one per demo account
    keyworkers: list[int]  # staff positions of the active keyworkers


class Clock:
    """Dates events relative to ``today`` and keeps every timestamp in the past.

    Events fall in office hours, UTC, on days before today, so "now" only matters if a
    caller passes a ``today`` ahead of the real date.
    """

    def __init__(self, today: date, now: datetime):
        self.today, self.now = today, now

    def at(self, rng: random.Random, day: date) -> datetime:
        moment = datetime.combine(day, time(rng.randint(8, 16), rng.randrange(0, 60, 5)), timezone.utc)
        return min(moment, self.now - timedelta(minutes=1))

    def days_ago(self, rng: random.Random, low: int, high: int) -> datetime:
        return self.at(rng, self.today - timedelta(days=rng.randint(low, high)))
