"""Small factories: each test makes exactly the data it needs."""
from __future__ import annotations

import itertools
from datetime import date

from destinations.auth import services as auth_services
from destinations.auth.models import User
from destinations.people import services as people_services
from destinations.people.models import YoungPerson
from destinations.people.upn import make_upn
from destinations.providers import services as provider_services

DEFAULT_PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def make_user(session, role: str = "keyworker", *, email: str | None = None, name: str | None = None, password: str = DEFAULT_PASSWORD, provider_id: int | None = None, active: bool = True) -> User:
    n = next(_sequence)
    user = auth_services.create_user(
        session, email=email or f"{role}{n}@council.example", name=name or f"{role.title()} {n}", role=role, password=password, provider_id=provider_id
    )
    user.active = active
    session.flush()
    return user


def make_provider(session, *, name: str | None = None, kind: str = "school", urn: str | None = None, ukprn: str | None = None):
    n = next(_sequence)
    return provider_services.create_provider(session, {"name": name or f"Provider {n}", "kind": kind, "urn": urn, "ukprn": ukprn})


def make_person(session, *, by: User | None = None, date_of_birth: date = date(2010, 10, 15), keyworker: User | None = None, pathway: int | None = None, **values) -> YoungPerson:
    n = next(_sequence)
    by = by or make_user(session, "manager")
    person = people_services.create_person(
        session,
        {
            "upn": values.pop("upn", make_upn(938, 2000 + n % 5000, 10, n % 1000)),
            "given_name": values.pop("given_name", f"Given{n}"),
            "family_name": values.pop("family_name", f"Family{n}"),
            "date_of_birth": date_of_birth,
            "sen_provision": values.pop("sen_provision", "E"),
            "primary_need": values.pop("primary_need", "ASD"),
            "keyworker_id": keyworker.id if keyworker else None,
            "pathway": pathway,
            **values,
        },
        by,
    )
    session.flush()
    return person


def make_review(session, person: YoungPerson, by: User, *, complete: bool = True, today: date | None = None, **values):
    """A review of ``person`` logged by ``by``: complete unless ``complete=False``; ``values`` in API field names."""
    from destinations.reviews import services as review_services

    today = today or date.today()
    body = {"held_on": today, "review_type": "annual_ehcp_review", "participants": ["parent_carer"], "young_person_present": True} if complete else {}
    body.update(values)
    review = review_services.save_review(session, person, body, by, today=today, complete=complete)
    session.flush()
    return review


def make_action(session, person: YoungPerson, by: User | None = None, *, review=None, description: str = "Arrange a college taster day", owner: str = "Keyworker", due_on: date | None = None, done: bool = False):
    """An agreed action for ``person``, on ``review`` or on its own."""
    from destinations.reviews import services as review_services

    by = by or make_user(session, "manager")
    return review_services.add_action(
        session, person, {"description": description, "owner": owner, "due_on": due_on, "done": done}, by, review=review
    )


def make_activity(session, person: YoungPerson, code: str = "230", started_on: date | None = None, *, source: str = "keyworker", by: User | None = None, today: date | None = None, **values):
    """An activity record for ``person`` (employment codes get 30 hours a week unless given)."""
    from destinations.activities import codes
    from destinations.activities import services as activity_services

    today = today or date.today()
    body = {"activity_code": code, "started_on": started_on or today, **values}
    if codes.activity_code(code).is_employment:
        body.setdefault("hours_per_week", 30)
    return activity_services.record_activity(session, person, body, source=source, by=by, today=today)


def make_reachable_person(session, *, keyworker: User | None = None, date_of_birth: date = date(2008, 10, 15), email: str | None = "young.person@example.com", mobile: str | None = "07700900982", preferred_channel: str | None = "email", consent: bool = True, **values) -> YoungPerson:
    """A young person past Year 11, on the roll, with contact details and keep-in-touch consent."""
    person = make_person(session, keyworker=keyworker, date_of_birth=date_of_birth, **values)
    person.email, person.mobile, person.preferred_channel, person.keep_in_touch_consent = email, mobile, preferred_channel, consent
    session.flush()
    return person


def make_link(session, person: YoungPerson, *, now=None, channel: str = "email", reason: str = "staff"):
    """A keep-in-touch link for ``person``: returns (link, raw token)."""
    from destinations.database import utcnow
    from destinations.keep_in_touch import services as kit_services

    return kit_services.create_link(session, person, channel=channel, now=now or utcnow(), reason=reason, settings=kit_services.KitSettings())
