"""Checking activity records: every problem found at once, each message saying how to fix it.

Plain functions with no database, so pages, the API, imports and keep-in-touch answers all
give the same messages.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from destinations.activities import codes
from destinations.people import roll

# Qualification levels (the regulated qualifications framework), for education and training.
LEVELS = {
    "entry": "Entry level",
    "1": "Level 1",
    "2": "Level 2",
    "3": "Level 3",
    "4": "Level 4",
    "5": "Level 5",
    "6": "Level 6",
    "7": "Level 7",
    "8": "Level 8",
}

EARLIEST_DATE = date(1990, 1, 1)
# Recording a start agreed for next September is normal; anything further ahead is a typo.
MAX_DAYS_AHEAD = 366


class ActivityError(ValueError):
    """Input the rules refuse; ``errors`` maps each field to messages that say how to fix it."""

    def __init__(self, errors: Mapping[str, list[str]]):
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = {name: list(messages) for name, messages in errors.items()}


def _as_date(value: Any) -> date | None | str:
    """A date, None, or the original text when it is not a date (so the message can quote it)."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def long_date(d: date) -> str:
    return roll._long_date(d)


def clean_activity(values: Mapping[str, Any], *, today: date, date_of_birth: date | None = None) -> tuple[dict, dict[str, list[str]]]:
    """Normalise ``values`` and check them; returns (clean values, field -> messages).

    Only fields present in ``values`` are checked, except that a new record needs a code,
    a start date and a source (``validate_activity`` adds those when missing).
    """
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if "activity_code" in values:
        raw = (values["activity_code"] or "").strip() if isinstance(values["activity_code"], str) else values["activity_code"]
        found = codes.activity_code(str(raw)) if raw not in (None, "") else None
        if raw in (None, ""):
            refuse("activity_code", "Enter the activity code, for example 230 (Further education)")
        elif found is None:
            refuse("activity_code", f"{raw} is not an activity code. Use one of: {codes.describe_valid_codes()}")
        else:
            clean["activity_code"] = found.code

    latest = date.fromordinal(today.toordinal() + MAX_DAYS_AHEAD)
    for name, label in (("started_on", "start date"), ("ended_on", "end date")):
        if name not in values:
            continue
        value = _as_date(values[name])
        if isinstance(value, str):
            refuse(name, f"{value} is not a date. Write the {label} as YYYY-MM-DD, for example 2026-09-01")
            continue
        if value is None:
            if name == "started_on":
                refuse(name, "Enter the date the activity started")
            clean[name] = None
            continue
        if value < EARLIEST_DATE:
            refuse(name, f"The {label} must be on or after {long_date(EARLIEST_DATE)}. Check the year")
        elif value > latest:
            refuse(name, f"The {label} must be no later than {long_date(latest)} (a year from today). Check the year")
        elif date_of_birth is not None and value <= date_of_birth:
            refuse(name, f"The {label} must be after the young person's date of birth. Check the year")
        else:
            clean[name] = value
    if clean.get("started_on") and clean.get("ended_on") and clean["ended_on"] < clean["started_on"]:
        refuse("ended_on", f"The end date must be the same as or after the start date ({long_date(clean['started_on'])})")
        del clean["ended_on"]

    if "hours_per_week" in values:
        raw = values["hours_per_week"]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            clean["hours_per_week"] = None
        else:
            try:
                hours = Decimal(str(raw).strip())
            except InvalidOperation:
                refuse("hours_per_week", f"{raw} is not a number. Enter the hours a week as a number, for example 16 or 37.5")
            else:
                if not hours.is_finite() or hours <= 0 or hours > 168:
                    refuse("hours_per_week", "Hours a week must be more than 0 and no more than 168")
                elif hours != hours.quantize(Decimal("0.1")):
                    refuse("hours_per_week", "Hours a week can have at most one decimal place, for example 37.5")
                else:
                    clean["hours_per_week"] = hours

    if "provider_id" in values:
        raw = values["provider_id"]
        if raw in (None, ""):
            clean["provider_id"] = None
        else:
            try:
                clean["provider_id"] = int(raw)
            except (TypeError, ValueError):
                refuse("provider_id", f"{raw} is not a provider id. Choose a provider from the directory, or type its name instead")
    if "provider_name" in values:
        name = (values["provider_name"] or "").strip()
        if len(name) > 200:
            refuse("provider_name", "The provider name must be 200 characters or fewer")
        else:
            clean["provider_name"] = name or None
    if clean.get("provider_id") is not None and clean.get("provider_name"):
        refuse(
            "provider_name",
            "Give either a provider from the directory or a provider's name, not both. Clear one of them",
        )

    if "level" in values:
        level = (str(values["level"]).strip() if values["level"] is not None else "").lower()
        if level in ("", "none"):
            clean["level"] = None
        elif level not in LEVELS:
            refuse("level", "Level must be one of: " + ", ".join(f"{key} ({label})" for key, label in LEVELS.items()))
        else:
            clean["level"] = level

    if "source" in values:
        source = values["source"]
        if source not in codes.SOURCES:
            refuse("source", f"{source} is not a source. Use one of: " + ", ".join(f"{key} ({label})" for key, label in codes.SOURCES.items()))
        else:
            clean["source"] = source

    if "verified" in values:
        clean["verified"] = bool(values["verified"])

    if "confirmed_on" in values:
        value = _as_date(values["confirmed_on"])
        if isinstance(value, str):
            refuse("confirmed_on", f"{value} is not a date. Write it as YYYY-MM-DD")
        elif value is not None and value > today:
            refuse("confirmed_on", "The date it was confirmed cannot be in the future")
        else:
            clean["confirmed_on"] = value
    return clean, errors


def hours_needed(code: str | None, hours: Any) -> bool:
    found = codes.activity_code(code) if code else None
    return found is not None and found.is_employment and hours in (None, "")


HOURS_MESSAGE = "Enter the hours a week for work (employment and apprenticeship codes need them), for example 16 or 37.5"


def validate_activity(values: Mapping[str, Any], *, today: date, date_of_birth: date | None = None) -> dict[str, list[str]]:
    """Every problem with a new activity record, as field -> messages saying how to fix it."""
    values = dict(values)
    for name in ("activity_code", "started_on", "source"):
        values.setdefault(name, None)
    clean, errors = clean_activity(values, today=today, date_of_birth=date_of_birth)
    if "activity_code" in clean and hours_needed(clean["activity_code"], clean.get("hours_per_week")) and "hours_per_week" not in errors:
        errors.setdefault("hours_per_week", []).append(HOURS_MESSAGE)
    return errors
