"""Helpers every JSON API area uses: the caller, today, 404s, optimistic concurrency."""
from __future__ import annotations

from datetime import date

from flask import current_app, request
from flask_login import current_user
from flask_smorest import abort

from destinations.people.services import RollError, RollSettings


def settings() -> RollSettings:
    return RollSettings.from_config(current_app.config)


def today() -> date:
    return date.today()


def not_found(what: str = "record"):
    abort(404, message=f"There is no {what} with that id, or you do not have access to it.")


def invalid(errors: dict[str, str]):
    abort(422, message="Some fields are not valid. See 'errors' for what to fix.", messages={key: [value] for key, value in errors.items()})


def check_if_match(version: int) -> None:
    """Refuse with 412 when the caller's If-Match names an older version."""
    header = request.headers.get("If-Match")
    if not header:
        return
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    if "*" not in tags and str(version) not in tags:
        abort(412, message=f"The record has changed since you fetched it (it is now version {version}). Fetch it again and reapply your change.")


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def raise_invalid(error: RollError):
    invalid(error.errors)


def caller():
    return current_user._get_current_object()
