"""flask-login wiring: browser sessions live in ``staff_session``, API calls carry tokens."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, request

from destinations.auth import services
from destinations.database import utcnow
from destinations.extensions import db, login_manager

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # the server-side session does this job


@login_manager.user_loader
def load_user(key: str):
    if request.path.startswith("/api/"):
        return None  # the API takes bearer tokens only, so a browser cookie cannot be ridden (CSRF)
    config = current_app.config
    user = services.load_session_user(
        db.session,
        key,
        now=utcnow(),
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
    )
    # Session bookkeeping is its own unit of work, finished before the view starts its own.
    db.session.commit()
    return user


@login_manager.request_loader
def load_user_from_token(req):
    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    user = services.load_token_user(db.session, value.strip(), now=utcnow())
    db.session.commit()
    return user
