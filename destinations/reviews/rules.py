"""Checking a review: pure functions of the values, the known codes and the date.

``clean_review`` takes values in the API's field names and returns them normalised, or
raises ReviewError naming every field that is wrong. A draft gets only light checks (the
types, the formats, the codes and providers it names); a complete review must also have
everything a complete review needs, with dates that make sense.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from destinations.people import roll
from destinations.reviews.reference import (
    ATTENDANCE,
    LEVEL,
    OUTCOME_AREAS,
    PARTICIPANT,
    REVIEW_TYPE,
    ROUTE,
    ROUTES_WITHOUT_SECTOR,
    SECTOR_SUBJECT_AREA,
    SUPPORT_NEED,
)

EARLIEST_REVIEW = date(1990, 1, 1)
TEXT_LIMIT = 10_000
SHORT_TEXT_LIMIT = 2_000
OWNER_LIMIT = 200
CONTENT_FIELDS = (
    "held_on",
    "review_type",
    "young_person_present",
    "participants",
    "participants_other",
    "young_persons_words",
    "aspirations",
    "next_steps",
    "destinations_statement",
    "actions",
)
NEXT_STEP_FIELDS = ("start_year", "route", "level", "sector_subject_area", "provider_ids", "attendance", "support_needs")
ACTION_FIELDS = ("description", "owner", "due_on", "done")
_NOUNS = {
    REVIEW_TYPE: ("review type", "review types"),
    PARTICIPANT: ("participant", "participants"),
    ROUTE: ("route", "routes"),
    LEVEL: ("level", "levels"),
    SECTOR_SUBJECT_AREA: ("sector subject area", "sector subject areas"),
    SUPPORT_NEED: ("support need", "support needs"),
    ATTENDANCE: ("attendance", "attendance codes"),
}


class ReviewError(ValueError):
    """A review the rules refuse; ``errors`` maps API field names (dotted when nested) to messages."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


def unknown_code_message(kind: str, codes: Iterable[str], allowed: Iterable[str]) -> str:
    codes = list(codes)
    singular, plural = _NOUNS.get(kind, (kind, kind + "s"))
    named = ", ".join(f"'{code}'" for code in codes)
    return f"Unknown {singular if len(codes) == 1 else plural} {named}: use one of {', '.join(allowed)}"


def academic_year_text(start_year: int) -> str:
    return roll.academic_year_label(start_year)


def _text(value: Any, limit: int, field: str, errors: dict[str, str], what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = f"{what} must be text"
        return None
    value = value.strip()
    if "\x00" in value or not _encodable(value):
        # PostgreSQL cannot store NUL, and a lone surrogate is not text in any encoding.
        errors[field] = f"{what} contains characters that are not text (such as NUL): remove them"
        return None
    if len(value) > limit:
        errors[field] = f"{what} must be {limit:,} characters or fewer (it is {len(value):,})"
    return value or None


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _date(value: Any, field: str, errors: dict[str, str], what: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[field] = f"{what} must be a real date, for example 2026-03-27"
    return None


def _code(value: Any, kind: str, known: Mapping[str, list[str]], field: str, errors: dict[str, str]) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in known.get(kind, ()):
        errors[field] = unknown_code_message(kind, [str(value)], known.get(kind, ()))
        return None
    return value


def _codes(values: Any, kind: str, known: Mapping[str, list[str]], field: str, errors: dict[str, str]) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        errors[field] = f"Give the {_NOUNS[kind][1]} as a list of codes"
        return []
    allowed = known.get(kind, ())
    codes = list(dict.fromkeys(value for value in values if value not in (None, "")))
    unknown = [str(code) for code in codes if code not in allowed]
    if unknown:
        errors[field] = unknown_code_message(kind, unknown, allowed)
        return [code for code in codes if code in allowed]
    return codes


def _ids(values: Any, field: str, errors: dict[str, str]) -> list[int]:
    if values is None:
        return []
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        errors[field] = "Give the providers as a list of provider ids"
        return []
    ids: list[int] = []
    for value in values:
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            errors[field] = f"'{value}' is not a provider id: provider ids are whole numbers"
            return []
        if isinstance(value, bool) or isinstance(value, float) and value != number:
            errors[field] = f"'{value}' is not a provider id: provider ids are whole numbers"
            return []
        ids.append(number)
    return list(dict.fromkeys(ids))


def _start_year(value: Any, field: str, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if 1990 <= value <= 9998:
            return value
        errors[field] = f"{value} is not an academic year: write it like 2027/28"
        return None
    try:
        return roll.parse_academic_year_label(value)
    except ValueError as error:
        errors[field] = str(error)
        return None


def _is_blank(item: Mapping, names: Iterable[str]) -> bool:
    return all(item.get(name) in (None, "", [], False) for name in names)


def clean_next_step(item: Any, index: int, *, known, provider_ids: set[int], held_on: date | None, complete: bool, errors: dict[str, str]) -> dict | None:
    """One next step, normalised (``start_year`` as the starting calendar year), or None if blank."""
    prefix = f"next_steps.{index}"
    if not isinstance(item, Mapping):
        errors[prefix] = "Each next step must be an object with start_year, route, level and the rest"
        return None
    if _is_blank(item, NEXT_STEP_FIELDS):
        return None
    step = {
        "start_year": _start_year(item.get("start_year"), f"{prefix}.start_year", errors),
        "route": _code(item.get("route"), ROUTE, known, f"{prefix}.route", errors),
        "level": _code(item.get("level"), LEVEL, known, f"{prefix}.level", errors),
        "sector_subject_area": _code(item.get("sector_subject_area"), SECTOR_SUBJECT_AREA, known, f"{prefix}.sector_subject_area", errors),
        "provider_ids": _ids(item.get("provider_ids"), f"{prefix}.provider_ids", errors),
        "attendance": _code(item.get("attendance"), ATTENDANCE, known, f"{prefix}.attendance", errors),
        "support_needs": _codes(item.get("support_needs"), SUPPORT_NEED, known, f"{prefix}.support_needs", errors),
    }
    missing_providers = [provider_id for provider_id in step["provider_ids"] if provider_id not in provider_ids]
    if missing_providers:
        named = ", ".join(str(provider_id) for provider_id in missing_providers)
        errors[f"{prefix}.provider_ids"] = f"There is no provider with id {named}" if len(missing_providers) == 1 else f"There are no providers with ids {named}"
    if not complete:
        return step
    if step["start_year"] is None and f"{prefix}.start_year" not in errors:
        errors[f"{prefix}.start_year"] = "Enter the academic year the next step would start, for example 2027/28"
    elif step["start_year"] is not None and held_on is not None and step["start_year"] < roll.academic_year_of(held_on):
        earliest = academic_year_text(roll.academic_year_of(held_on))
        errors[f"{prefix}.start_year"] = (
            f"The next step cannot start before the academic year the review was held in ({earliest}): enter {earliest} or later"
        )
    for name, message in (
        ("route", "Select the route for this next step"),
        ("level", "Select the level for this next step, or 'Not applicable' if no level applies"),
        ("attendance", "Select whether this next step is full time or part time"),
    ):
        if step[name] is None and f"{prefix}.{name}" not in errors:
            errors[f"{prefix}.{name}"] = message
    if step["sector_subject_area"] is None and step["route"] not in ROUTES_WITHOUT_SECTOR and step["route"] is not None and f"{prefix}.sector_subject_area" not in errors:
        errors[f"{prefix}.sector_subject_area"] = (
            "Select the sector subject area (it can be left out only for an adult social care day opportunity, volunteering or other)"
        )
    return step


def clean_action(item: Any, index: int, *, action_ids: set[int], complete: bool, errors: dict[str, str]) -> dict | None:
    """One agreed action, normalised, or None if the row was left blank."""
    prefix = f"actions.{index}"
    if not isinstance(item, Mapping):
        errors[prefix] = "Each action must be an object with description, owner, due_on and done"
        return None
    if item.get("id") in (None, "") and _is_blank(item, ACTION_FIELDS):
        return None
    action_id = item.get("id")
    if action_id not in (None, ""):
        if not isinstance(action_id, int) or isinstance(action_id, bool) or action_id not in action_ids:
            errors[f"{prefix}.id"] = f"There is no action with id {action_id} on this review: leave the id out to add a new action"
        action_id = action_id if action_id in action_ids else None
    else:
        action_id = None
    done = item.get("done", False)
    if done is None:
        done = False
    if not isinstance(done, bool):
        errors[f"{prefix}.done"] = "Say whether the action is done: true or false"
        done = False
    action = {
        "id": action_id,
        "description": _text(item.get("description"), SHORT_TEXT_LIMIT, f"{prefix}.description", errors, "The action"),
        "owner": _text(item.get("owner"), OWNER_LIMIT, f"{prefix}.owner", errors, "The owner"),
        "due_on": _date(item.get("due_on"), f"{prefix}.due_on", errors, "The due date"),
        "done": done,
    }
    if complete:
        if action["description"] is None and f"{prefix}.description" not in errors:
            errors[f"{prefix}.description"] = "Describe the action that was agreed"
        if action["owner"] is None and f"{prefix}.owner" not in errors:
            errors[f"{prefix}.owner"] = "Enter who will do the action, for example Keyworker or Parent"
    return action


def clean_review(
    values: Mapping[str, Any],
    *,
    known: Mapping[str, list[str]],
    provider_ids: set[int],
    today: date,
    complete: bool,
    action_ids: set[int] = frozenset(),
) -> dict[str, Any]:
    """Check ``values`` (API field names) and return every content field, normalised.

    ``known`` maps each reference kind to the codes allowed; ``provider_ids`` holds the
    providers that exist among those named; ``action_ids`` the actions already on the
    review (an action sent with one of these ids is updated, not added).
    """
    errors: dict[str, str] = {}
    held_on = _date(values.get("held_on"), "held_on", errors, "The date the review was held")
    clean: dict[str, Any] = {
        "held_on": held_on,
        "review_type": _code(values.get("review_type"), REVIEW_TYPE, known, "review_type", errors),
        "young_person_present": values.get("young_person_present"),
        "participants": _codes(values.get("participants"), PARTICIPANT, known, "participants", errors),
        "participants_other": _text(values.get("participants_other"), SHORT_TEXT_LIMIT, "participants_other", errors, "Who else took part"),
        "young_persons_words": _text(values.get("young_persons_words"), TEXT_LIMIT, "young_persons_words", errors, "The young person's words"),
        "destinations_statement": _text(values.get("destinations_statement"), TEXT_LIMIT, "destinations_statement", errors, "The destinations statement"),
    }
    if clean["young_person_present"] is not None and not isinstance(clean["young_person_present"], bool):
        errors["young_person_present"] = "Say whether the young person was there: true or false"
        clean["young_person_present"] = None
    aspirations = values.get("aspirations") or {}
    if not isinstance(aspirations, Mapping):
        errors["aspirations"] = "Give the aspirations as an object with employment, independent_living, community and health"
        aspirations = {}
    unknown_areas = sorted(set(aspirations) - set(OUTCOME_AREAS))
    if unknown_areas:
        errors["aspirations"] = f"Unknown outcome area {', '.join(repr(area) for area in unknown_areas)}: use {', '.join(OUTCOME_AREAS)}"
    clean["aspirations"] = {
        area: _text(aspirations.get(area), TEXT_LIMIT, f"aspirations.{area}", errors, "The aspiration") for area in OUTCOME_AREAS
    }
    if complete:
        if held_on is None and "held_on" not in errors:
            errors["held_on"] = "Enter the date the review was held"
        elif held_on is not None and held_on > today:
            errors["held_on"] = "The date the review was held must be today or in the past"
        elif held_on is not None and held_on < EARLIEST_REVIEW:
            errors["held_on"] = "The date the review was held must be in 1990 or later"
        if clean["review_type"] is None and "review_type" not in errors:
            errors["review_type"] = "Select the type of review"
        if "other" in clean["participants"] and clean["participants_other"] is None and "participants_other" not in errors:
            errors["participants_other"] = "Say who else took part, as 'other' is selected"
    clean["next_steps"] = _list(values.get("next_steps"), "next_steps", errors, lambda item, index: clean_next_step(
        item, index, known=known, provider_ids=provider_ids, held_on=held_on, complete=complete, errors=errors
    ))
    clean["actions"] = _list(values.get("actions"), "actions", errors, lambda item, index: clean_action(
        item, index, action_ids=set(action_ids), complete=complete, errors=errors
    ))
    kept_ids = [action["id"] for action in clean["actions"] if action["id"] is not None]
    if len(kept_ids) != len(set(kept_ids)):
        errors["actions"] = "The same action id appears twice: send each existing action once"
    if errors:
        raise ReviewError(errors)
    return clean


def _list(values: Any, field: str, errors: dict[str, str], clean_one) -> list[dict]:
    if values is None:
        return []
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        errors[field] = f"Give {field.replace('_', ' ')} as a list"
        return []
    cleaned = [clean_one(item, index) for index, item in enumerate(values)]
    return [item for item in cleaned if item is not None]


def named_provider_ids(values: Mapping[str, Any]) -> set[int]:
    """Every provider id the values name, so the caller can look them up in one query."""
    found: set[int] = set()
    steps = values.get("next_steps")
    if not isinstance(steps, Iterable) or isinstance(steps, (str, bytes, Mapping)):
        return found
    for step in steps:
        if isinstance(step, Mapping):
            found.update(_ids(step.get("provider_ids"), "", {}))
    return {provider_id for provider_id in found if 1 <= provider_id <= 2**31 - 1}
