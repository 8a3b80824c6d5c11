"""Overlapping and contradictory activity records: kept (real data is messy), but flagged.

Plain functions of records (anything with ``id``, ``activity_code``, ``started_on``,
``ended_on``, ``source``, ``verified`` and ``hours_per_week``), so they need no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from destinations.activities import codes
from destinations.activities.validation import long_date

FULL_TIME_HOURS = Decimal(30)


def _last_day(record) -> date:
    return record.ended_on or date.max


def overlaps(records: Iterable) -> list[tuple]:
    """Every pair of records whose dates share at least one day, earlier start first."""
    ordered = sorted(records, key=lambda r: (r.started_on, r.id or 0))
    pairs = []
    for position, first in enumerate(ordered):
        for second in ordered[position + 1 :]:
            if second.started_on > _last_day(first):
                continue
            pairs.append((first, second))
    return pairs


def is_full_time(record) -> bool:
    """Whether the activity takes up the young person's week, so two at once cannot both be right."""
    found = codes.activity_code(record.activity_code)
    if found is None:
        return False
    if found.group == "employment":
        return record.hours_per_week is not None and Decimal(record.hours_per_week) >= FULL_TIME_HOURS
    if found.code in ("250", "260"):  # part-time education; a gap year is an absence of one
        return False
    if found.group in ("education", "compulsory"):
        return found.code not in ("150",)
    return found.code in ("410", "450", "460", "130", "290", "710")


_PARTICIPATING = ("education", "employment", "training", "compulsory")


@dataclass(frozen=True)
class ActivityFlag:
    """A problem with two records that a keyworker should look at."""

    kind: str  # "two_full_time", "contradiction", "self_report_differs", "duplicate"
    first: Any
    second: Any
    message: str


def _label(record) -> str:
    found = codes.activity_code(record.activity_code)
    return f"{record.activity_code} {found.label}" if found else record.activity_code


def activity_flags(records: Iterable) -> list[ActivityFlag]:
    """Overlapping records that cannot all be right, each with a plain explanation."""
    flags = []
    for first, second in overlaps(records):
        start = max(first.started_on, second.started_on)
        end = min(_last_day(first), _last_day(second))
        when = f"from {long_date(start)}" + (f" to {long_date(end)}" if end != date.max else "")
        groups = {codes.activity_code(r.activity_code).group if codes.activity_code(r.activity_code) else None for r in (first, second)}
        self_report = [r for r in (first, second) if r.source == "young_person" and not r.verified]
        verified = [r for r in (first, second) if r.verified]
        if self_report and verified and first.activity_code != second.activity_code:
            flags.append(ActivityFlag(
                "self_report_differs", first, second,
                f"The young person told us {_label(self_report[0])}, but the verified record says {_label(verified[0])} ({when}). "
                "Check with them and update or end whichever is wrong.",
            ))
        elif first.activity_code == second.activity_code:
            flags.append(ActivityFlag(
                "duplicate", first, second,
                f"{_label(first)} is recorded twice {when}. If it is the same activity, delete or end one of them.",
            ))
        elif groups & {"neet", "not_known"} and groups & set(_PARTICIPATING):
            flags.append(ActivityFlag(
                "contradiction", first, second,
                f"{_label(first)} and {_label(second)} are both recorded {when}, and they contradict each other. "
                "End the one that no longer applies.",
            ))
        elif is_full_time(first) and is_full_time(second):
            flags.append(ActivityFlag(
                "two_full_time", first, second,
                f"Two full-time activities overlap {when}: {_label(first)} and {_label(second)}. "
                "End the earlier one if they have moved on.",
            ))
    return flags


def flagged_ids(flags: Iterable[ActivityFlag]) -> set[int]:
    return {record.id for flag in flags for record in (flag.first, flag.second)}
