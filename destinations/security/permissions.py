"""Who may reach which route: declared on every view, enforced in one place.

Each view says who may use it with ``@allow(...)`` or ``@public``. A single
``before_request`` hook reads that declaration, so a route that forgot to say
is refused (deny by default) and a test walks the URL map to find it.

An API token also needs a scope: ``read`` to look (GET, HEAD, OPTIONS) and ``write`` for
everything else. A view that changes nothing unless asked, such as an import's dry run,
declares ``@allow(..., scope=("read", "write"))`` (either lets the request in) and then,
with ``require_token_scope``, asks for the scope the request itself needs.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import Forbidden

PUBLIC = "public"
STAFF_ROLES = ("admin", "manager", "keyworker", "college")
PEOPLE_ROLES = ("manager", "keyworker")
# Endpoints that third-party code registers, with the rule they get.
EXTERNAL_RULES = {"static": PUBLIC, "api-docs.openapi_json": PUBLIC}
TOKEN_SCOPES = ("read", "write")
READING_METHODS = ("GET", "HEAD", "OPTIONS")


def allow(*roles: str, scope: str | tuple[str, ...] | None = None) -> Callable:
    """Let signed-in staff with one of ``roles`` use this view.

    ``scope`` is the API token scope the view needs (or a tuple of scopes, any one of which
    will do), when it is not the method's own: ``read`` for GET, HEAD and OPTIONS, ``write``
    for the rest.
    """
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    scopes = (scope,) if isinstance(scope, str) else tuple(scope or ())
    unknown_scopes = set(scopes) - set(TOKEN_SCOPES)
    if unknown_scopes or (scope is not None and not scopes):
        raise ValueError(f"unknown token scopes {sorted(unknown_scopes)}")

    def mark(view):
        view.access = frozenset(roles)
        if scopes:
            view.token_scopes = scopes
        return view

    return mark


def public(view):
    """Let anyone use this view, signed in or not."""
    view.access = PUBLIC
    return view


def _declared(app: Flask, endpoint: str, method: str, name: str):
    """What the view for ``endpoint`` and ``method`` declares as ``name`` (its handler first, then its class)."""
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return getattr(handler, name, None) or getattr(view_class, name, None)
    return getattr(view, name, None)


def access_rule(app: Flask, endpoint: str, method: str):
    """The declared rule for ``endpoint`` and ``method``, or None when there is none."""
    if endpoint in EXTERNAL_RULES:
        return EXTERNAL_RULES[endpoint]
    return _declared(app, endpoint, method, "access")


def token_scopes(app: Flask, endpoint: str, method: str) -> tuple[str, ...]:
    """The API token scopes, any one of which lets a request to ``endpoint`` with ``method`` in."""
    declared = None if endpoint in EXTERNAL_RULES else _declared(app, endpoint, method, "token_scopes")
    return declared or (("read",) if method in READING_METHODS else ("write",))


def require_token_scope(scope: str | tuple[str, ...], message: str | None = None, *, field: str | None = None) -> None:
    """Refuse (403) a request made with an API token that lacks ``scope`` (or every one of a tuple).

    Staff signed in on a page have no token and pass. ``field`` names the request field that
    asked for more, for the error envelope's ``errors``.
    """
    token = getattr(current_user, "api_token", None)
    scopes = (scope,) if isinstance(scope, str) else scope
    if token is None or token.scope_set.intersection(scopes):
        return
    message = message or "This API token does not have the " + " or ".join(f"'{name}'" for name in scopes) + " scope."
    refusal = Forbidden(message)
    if field is not None:
        refusal.data = {"message": message, "messages": {field: [message]}}
    raise refusal


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
    require_token_scope(token_scopes(current_app, request.endpoint, request.method))
    return None
