from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from destinations.security.permissions import allow, public

blueprint = Blueprint("main", __name__)


@blueprint.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    if current_user.role in ("keyworker", "manager"):
        return redirect(url_for("people.caseload"))
    if current_user.role == "admin":
        return redirect(url_for("admin.users"))
    if current_user.role == "college":
        return redirect(url_for("reports.published"))
    return redirect(url_for("main.home"))


@blueprint.get("/home")
@allow("admin", "manager", "keyworker", "college")
def home():
    return render_template("main/home.html", page_title="Home")


@blueprint.get("/privacy")
@public
def privacy():
    return render_template("pages/privacy.html", page_title="Privacy notice")


@blueprint.get("/accessibility")
@public
def accessibility():
    return render_template("pages/accessibility.html", page_title="Accessibility statement")
