"""Who may reach which route: declared on every view, enforced in one place.

Each view says who may use it with ``@allow(...)`` or ``@public``. A single
``before_request`` hook reads that declaration, so a route that forgot to say
is refused (deny by default) and a test walks the URL map to find it.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

PUBLIC = "public"
STAFF_ROLES = ("admin", "manager", "keyworker", "college")
PEOPLE_ROLES = ("manager", "keyworker")
# Endpoints that third-party code registers, with the rule they get.
EXTERNAL_RULES = {"static": PUBLIC, "api-docs.openapi_json": PUBLIC}


def allow(*roles: str) -> Callable:
    """Let signed-in staff with one of ``roles`` use this view."""
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def mark(view):
        view.access = frozenset(roles)
        return view

    return mark


def public(view):
    """Let anyone use this view, signed in or not."""
    view.access = PUBLIC
    return view


def access_rule(app: Flask, endpoint: str, method: str):
    """The declared rule for ``endpoint`` and ``method``, or None when there is none."""
    if endpoint in EXTERNAL_RULES:
        return EXTERNAL_RULES[endpoint]
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return getattr(handler, "access", None) or getattr(view_class, "access", None)
    return getattr(view, "access", None)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def enforce_access():
    """The before_request hook: allow, redirect to sign-in, or refuse."""
    if request.endpoint is None:
        return None  # Flask answers 404/405 itself
    rule = access_rule(current_app, request.endpoint, request.method)
    if rule is None:
        current_app.logger.error("route has no access rule", extra={"endpoint": request.endpoint})
        abort(404)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401, "Sign in with an API token: send 'Authorization: Bearer <token>'.")
        if request.method != "GET":
            return redirect(url_for("auth.sign_in"))  # a POST cannot be replayed after sign-in
        return redirect(url_for("auth.sign_in", next=request.full_path if request.query_string else request.path))
    if current_user.role not in rule:
        abort(403)
    token = getattr(current_user, "api_token", None)
    if token is not None:
        needed = "read" if request.method in ("GET", "HEAD", "OPTIONS") else "write"
        if needed not in token.scope_set:
            abort(403, f"This API token does not have the '{needed}' scope.")
    return None
