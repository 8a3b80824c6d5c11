"""Providers: schools, colleges and others, identified by URN and/or UKPRN."""
from __future__ import annotations

import re
from typing import Mapping

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from destinations.common.search import contains
from destinations.providers.models import PROVIDER_KINDS, Provider

URN_PATTERN = re.compile(r"^[0-9]{6,7}$")
UKPRN_PATTERN = re.compile(r"^1[0-9]{7}$")
FIELDS = ("name", "kind", "urn", "ukprn", "postcode", "active")


class ProviderError(ValueError):
    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


def _clean(session: Session, values: Mapping, provider: Provider | None = None) -> dict:
    errors: dict[str, str] = {}
    clean = {name: values[name] for name in FIELDS if name in values}
    if "name" in clean:
        clean["name"] = (clean["name"] or "").strip()
        if not clean["name"]:
            errors["name"] = "Enter the provider's name"
    if "kind" in clean and clean["kind"] not in PROVIDER_KINDS:
        errors["kind"] = "Select the type of provider: " + ", ".join(PROVIDER_KINDS)
    for name, pattern, message in (
        ("urn", URN_PATTERN, "URN must be 6 or 7 digits, like 123456 (find it on Get Information about Schools)"),
        ("ukprn", UKPRN_PATTERN, "UKPRN must be 8 digits starting with 1, like 10001234 (find it on the UK Register of Learning Providers)"),
    ):
        if name not in clean:
            continue
        value = (clean[name] or "").strip().replace(" ", "") or None
        clean[name] = value
        if value is None:
            continue
        if not pattern.match(value):
            errors[name] = message
            continue
        clash = session.scalar(select(Provider.id).where(getattr(Provider, name) == value))
        if clash is not None and (provider is None or clash != provider.id):
            errors[name] = f"Another provider already has this {name.upper()}"
    if "postcode" in clean:
        clean["postcode"] = (clean["postcode"] or "").strip().upper() or None
    if errors:
        raise ProviderError(errors)
    return clean


def create_provider(session: Session, values: Mapping) -> Provider:
    missing = {name: message for name, message in (("name", "Enter the provider's name"), ("kind", "Select the type of provider")) if not values.get(name)}
    try:
        clean = _clean(session, values)
    except ProviderError as error:
        missing = {**error.errors, **missing}
    if missing:
        raise ProviderError(missing)
    provider = Provider(**clean)
    session.add(provider)
    session.flush()
    return provider


def update_provider(session: Session, provider: Provider, values: Mapping) -> list[str]:
    clean = _clean(session, values, provider)
    changed = [name for name, value in clean.items() if getattr(provider, name) != value]
    for name in changed:
        setattr(provider, name, clean[name])
    return changed


def search_providers(search: str | None = None, kind: str | None = None, active_only: bool = False) -> Select:
    query = select(Provider).order_by(Provider.name, Provider.id)
    if search:
        query = query.where(or_(contains(Provider.name, search), Provider.urn == search.strip(), Provider.ukprn == search.strip()))
    if kind:
        query = query.where(Provider.kind == kind)
    if active_only:
        query = query.where(Provider.active.is_(True))
    return query


def schools(session: Session) -> list[Provider]:
    return list(session.scalars(search_providers(active_only=True).where(Provider.kind.in_(("school", "special_school")))))
