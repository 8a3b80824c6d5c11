"""Reference data for reviews: the kinds of list a council can extend without a code change.

The lists themselves live in the ``reference_item`` table, seeded by the migrations with
stable codes; this module names the kinds and reads them. Codes never change meaning once
used, because reviews (and the demand reports built from them) store the code, not the label.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from destinations.reviews.models import ReferenceItem

REVIEW_TYPE = "review_type"
PARTICIPANT = "participant"
ROUTE = "route"
LEVEL = "level"
SECTOR_SUBJECT_AREA = "sector_subject_area"
SUPPORT_NEED = "support_need"
OUTCOME_AREA = "outcome_area"
ATTENDANCE = "attendance"

KINDS = {
    REVIEW_TYPE: "review type",
    PARTICIPANT: "participant",
    ROUTE: "route",
    LEVEL: "level",
    SECTOR_SUBJECT_AREA: "sector subject area",
    SUPPORT_NEED: "support need",
    OUTCOME_AREA: "outcome area",
    ATTENDANCE: "attendance",
}

# Routes where a sector subject area may not apply (a day service is not a course).
ROUTES_WITHOUT_SECTOR = frozenset({"adult_social_care_day_opportunity", "volunteering", "other"})

# The four PfA outcome areas, in the order the aspirations are asked about; the keys are the
# API's names under "aspirations" and the codes of the "outcome_area" reference items.
OUTCOME_AREAS = ("employment", "independent_living", "community", "health")


def reference_items(session: Session, kind: str, *, active_only: bool = True) -> list[ReferenceItem]:
    """The items of one kind in display order."""
    if kind not in KINDS:
        raise ValueError(f"unknown reference data kind {kind!r}")
    query = select(ReferenceItem).where(ReferenceItem.kind == kind)
    if active_only:
        query = query.where(ReferenceItem.active.is_(True))
    return list(session.scalars(query.order_by(ReferenceItem.position, ReferenceItem.code)))


def all_items(session: Session) -> list[ReferenceItem]:
    """Every item of every kind, active or not, in one query."""
    return list(session.scalars(select(ReferenceItem).order_by(ReferenceItem.kind, ReferenceItem.position, ReferenceItem.code)))


def reference_labels(session: Session) -> dict[str, dict[str, str]]:
    """kind -> code -> label, including retired items so old reviews still read properly."""
    labels: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
    for item in all_items(session):
        labels.setdefault(item.kind, {})[item.code] = item.label
    return labels


def active_codes(session: Session) -> dict[str, list[str]]:
    """kind -> active codes in display order (what a new or completed review may use)."""
    codes: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for item in all_items(session):
        if item.active:
            codes.setdefault(item.kind, []).append(item.code)
    return codes


def choices(items: Iterable[ReferenceItem]) -> list[tuple[str, str]]:
    """(code, label) pairs for a form field."""
    return [(item.code, item.label) for item in items]
