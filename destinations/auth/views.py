from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from destinations.auth import services
from destinations.auth.forms import SignInForm
from destinations.database import utcnow
from destinations.extensions import db
from destinations.security.context import audit, client_address
from destinations.security.permissions import STAFF_ROLES, allow, public

log = logging.getLogger(__name__)
blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only ever redirect within this service after sign-in."""
    if target:
        parts = urlsplit(target)
        unsafe = "\\" in target or any(ord(character) < 32 for character in target)
        if not unsafe and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.index")


@blueprint.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    if form.validate_on_submit():
        config = current_app.config
        result = services.authenticate(
            db.session,
            form.email.data,
            form.password.data,
            address=client_address(),
            now=utcnow(),
            window=timedelta(minutes=config["SIGN_IN_THROTTLE_MINUTES"]),
            max_per_account=config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"],
            max_per_address=config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"],
        )
        if result.user is not None:
            session.clear()  # a fresh session on sign-in: nothing carried over from before
            services.start_session(db.session, result.user)
            login_user(result.user)
            audit("sign_in", "user", result.user.id)
            db.session.commit()
            log.info("sign-in", extra={"user_id": result.user.id})
            return redirect(_safe_next(request.args.get("next")))
        if result.throttled:
            audit("sign_in_throttled", detail_kind="throttled")
            db.session.commit()
            minutes = current_app.config["SIGN_IN_THROTTLE_MINUTES"]
            form.email.errors.append(
                f"There have been too many failed attempts to sign in. Wait {minutes} minutes and try again, or ask an administrator to reset your password."
            )
            return render_template("auth/sign_in.html", form=form, page_title="Error: Sign in"), 429
        audit("sign_in_failed", "user", result.account_id)
        db.session.commit()
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form, page_title=("Error: " if form.errors else "") + "Sign in")


@blueprint.post("/sign-out")
@allow(*STAFF_ROLES)
def sign_out():
    audit("sign_out", "user", current_user.id)
    services.end_session(db.session, current_user.get_id())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
