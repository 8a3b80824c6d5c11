"""One error handler for the whole app: JSON envelope under /api/, GOV.UK pages elsewhere."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from destinations.extensions import db

log = logging.getLogger(__name__)

PAGE_TEXT = {
    400: ("Sorry, there is a problem", "The request could not be understood. Go back and try again."),
    401: ("Sign in to continue", "You need to sign in to see this page."),
    403: ("You do not have access to this page", "Your account does not allow this. Ask your manager if you think it should."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you followed a link, the record may have been removed or you may not have access to it."),
    405: ("Sorry, there is a problem", "That action is not allowed on this page."),
    409: ("Someone else changed this record", "Someone else saved a change while you were editing. Go back, reload the page and make your change again."),
    412: ("Someone else changed this record", "Someone else saved a change while you were editing. Reload and try again."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    422: ("There is a problem with what you entered", "Go back and check your answers."),
    429: ("Too many attempts", "Wait a few minutes and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. What you entered has not been saved."),
}

API_MESSAGES = {
    401: "Authentication is required: send 'Authorization: Bearer <token>'.",
    403: "Your role or token does not allow this.",
    404: "Not found. It may not exist, or you may not have access to it.",
    405: "That method is not allowed here.",
    409: "Someone else changed this record. Fetch it again and reapply your change.",
    412: "The record has changed since you fetched it (If-Match did not match). Fetch it again and reapply your change.",
    422: "Some fields are not valid. See 'errors' for what to fix.",
    500: "Something went wrong on our side. Nothing was saved.",
}


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn nested marshmallow/webargs messages into {"field.sub": [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, texts in _flatten(value, name).items():
                flat.setdefault(field, []).extend(texts)
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(item, str) for item in messages):
            flat[prefix or "_schema"] = list(messages)
        else:
            for item in messages:
                for field, texts in _flatten(item, prefix).items():
                    flat.setdefault(field, []).extend(texts)
    elif messages is not None:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def api_error_body(code: int, status: str, message: str, errors: dict | None = None) -> dict:
    return {"code": code, "status": status, "message": message, "errors": errors or {}}


def handle_error(error: Exception):
    if isinstance(error, StaleDataError):
        db.session.rollback()
        error = HTTPException()
        error.code, error.description = 409, None
    if not isinstance(error, HTTPException):
        log.exception("unhandled error", extra={"path": request.path})
        db.session.rollback()
        error = InternalServerError()
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    if request.path.startswith("/api/"):
        data = getattr(error, "data", None) or {}
        errors = _flatten(data.get("messages")) if data.get("messages") else {}
        # webargs nests by location ("json", "query"); the caller wants field names.
        errors = {key.split(".", 1)[1] if key.split(".", 1)[0] in ("json", "query", "form", "files", "headers") and "." in key else key: value for key, value in errors.items()}
        message = data.get("message") or (error.description if error.description and error.description != type(error).description else None) or API_MESSAGES.get(code) or error.name
        response = jsonify(api_error_body(code, error.name, message, errors))
        response.status_code = code
        if code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response
    title, message = PAGE_TEXT.get(code, (error.name, error.description or ""))
    if error.description and error.description != type(error).description and code in (400, 403, 409, 412, 429):
        message = error.description
    return render_template("errors/error.html", code=code, title=title, message=message, page_title=title), code


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_error)
    app.register_error_handler(StaleDataError, handle_error)
    app.register_error_handler(Exception, handle_error)
