"""Refuse text the databases cannot store, before any view sees it.

PostgreSQL rejects NUL characters in text, and unpaired surrogates cannot be encoded,
so such input would otherwise surface as a server error deep inside a save.
"""
from __future__ import annotations

from flask import abort, request

MESSAGE = "Your request contains a character that is not allowed (a NUL or an unpaired surrogate). Remove it and try again."


def _bad(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_paths(value, path: str = "") -> list[str]:
    """Dotted field names (API style, "next_steps.0.route") whose text cannot be stored."""
    if isinstance(value, str):
        return [path or "_schema"] if _bad(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            found += [name] if _bad(str(key)) else _bad_paths(item, name)
        return found
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _bad_paths(item, f"{path}.{index}" if path else str(index))]
    return []


def refuse_unstorable_text():
    """A before_request hook: 400 (HTML) or 422 (API, naming the fields) when input holds unstorable characters."""
    fields = [name for name, items in [*request.args.lists(), *request.form.lists()] if any(_bad(item) for item in items)]
    if request.is_json:
        fields += _bad_paths(request.get_json(silent=True))
    if fields:
        if request.path.startswith("/api/"):
            from flask_smorest import abort as api_abort

            api_abort(422, message=MESSAGE, messages={name: [MESSAGE] for name in fields})
        abort(400, MESSAGE)
