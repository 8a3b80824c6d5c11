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


def _walk(value) -> bool:
    if isinstance(value, str):
        return _bad(value)
    if isinstance(value, dict):
        return any(_bad(str(key)) or _walk(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_walk(item) for item in value)
    return False


def refuse_unstorable_text():
    """A before_request hook: 400 (HTML) or 422 (API) when input holds unstorable characters."""
    values = [*request.args.listvalues(), *request.form.listvalues()]
    bad = any(_bad(item) for items in values for item in items)
    if not bad and request.is_json:
        bad = _walk(request.get_json(silent=True))
    if bad:
        if request.path.startswith("/api/"):
            from flask_smorest import abort as api_abort

            api_abort(422, message=MESSAGE)
        abort(400, MESSAGE)
