"""The administrator's pages: staff accounts, their API tokens, and providers."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from destinations.admin.forms import COLLEGE_KINDS, NO_PROVIDER, ROLE_HINTS, ConfirmForm, NewStaffForm, ProviderForm, RenameStaffForm
from destinations.auth import services as auth_services
from destinations.auth.models import ROLE_NAMES, ROLES, ApiToken, StaffSession, User
from destinations.extensions import db
from destinations.providers import services as provider_services
from destinations.providers.models import Provider
from destinations.security.context import audit
from destinations.security.permissions import allow
from destinations.views_support import Page, page_number

log = logging.getLogger(__name__)
blueprint = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50
STALE_PROVIDER = "Someone else changed this provider while you were editing. Check the current details below and save again."
STALE_USER = "Someone else changed this account while you were editing. Check the current name below and save again."
PASS_IT_ON = "Pass it on securely, for example by phone, and never in the same email as their email address. It will not be shown again."


def _title(text: str, form=None, stale: bool = False) -> str:
    return ("Error: " if stale or (form is not None and form.errors) else "") + text


def _paginate(statement, page: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    page = min(page, max(1, -(-total // PAGE_SIZE)))
    items = list(db.session.scalars(statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return Page(items=items, page=page, page_size=PAGE_SIZE, total=total)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _password_banner(intro: str, password: str) -> Markup:
    return Markup("{} Their password is <strong class=\"app-break-anywhere\">{}</strong>. {}").format(intro, password, PASS_IT_ON)


# --- Staff ------------------------------------------------------------------


@blueprint.get("/users")
@allow("admin")
def users():
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    statement = select(User).options(selectinload(User.provider)).order_by(func.lower(User.name), User.id)
    if role:
        statement = statement.where(User.role == role)
    page = _paginate(statement, page_number(request.args.get("page")))
    ids = [user.id for user in page.items]
    last_sign_in = dict(
        db.session.execute(
            select(StaffSession.user_id, func.max(StaffSession.created_at)).where(StaffSession.user_id.in_(ids)).group_by(StaffSession.user_id)
        ).all()
    ) if ids else {}
    return render_template(
        "admin/users.html",
        page=page,
        role=role,
        roles=ROLE_NAMES,
        last_sign_in=last_sign_in,
        filters={"role": role} if role else {},
        page_title="Staff",
    )


def _college_provider_choices() -> list:
    providers = db.session.scalars(
        provider_services.search_providers(active_only=True).where(Provider.kind.in_(COLLEGE_KINDS))
    )
    return [NO_PROVIDER] + [SelectChoice(str(provider.id), provider.name) for provider in providers]


@blueprint.route("/users/new", methods=["GET", "POST"])
@allow("admin")
def new_user():
    form = NewStaffForm()
    form.provider_id.choices = _college_provider_choices()
    if form.validate_on_submit():
        # The provider question only shows for college users; a value left behind after
        # switching role is ignored rather than reported as a mistake.
        provider_id = int(form.provider_id.data) if form.role.data == "college" and form.provider_id.data else None
        chosen = form.password.data or None
        password = chosen or auth_services.generate_password()
        try:
            user = auth_services.create_user(
                db.session, email=form.email.data, name=form.name.data, role=form.role.data, password=password, provider_id=provider_id
            )
        except auth_services.AccountError as error:
            db.session.rollback()
            field = getattr(form, error.field, None) or form.email
            field.errors.append(error.message)
        else:
            fields = sorted(["name", "email", "role", "password"] + (["provider_id"] if provider_id else []))
            audit("create", "user", user.id, fields=fields, password_generated=chosen is None)
            db.session.commit()
            log.info("staff account created", extra={"user_id": user.id, "by": current_user.id})
            if chosen is None:
                flash(_password_banner(f"{user.name} has an account and can now sign in.", password), "success")
            else:
                flash(f"{user.name} has an account and can now sign in with the password you chose.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_new.html", form=form, role_hints=ROLE_HINTS, page_title=_title("Add a staff member", form))


@blueprint.get("/users/<int:user_id>")
@allow("admin")
def user(user_id: int):
    account = _user_or_404(user_id)
    tokens = list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == account.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
    last_sign_in = db.session.scalar(select(func.max(StaffSession.created_at)).where(StaffSession.user_id == account.id))
    return render_template(
        "admin/user.html",
        account=account,
        tokens=tokens,
        last_sign_in=last_sign_in,
        is_self=account.id == current_user.id,
        page_title=account.name,
    )


@blueprint.route("/users/<int:user_id>/name", methods=["GET", "POST"])
@allow("admin")
def rename_user(user_id: int):
    account = _user_or_404(user_id)
    form = RenameStaffForm(obj=account) if request.method == "GET" else RenameStaffForm()
    stale = False
    if form.validate_on_submit():
        if form.version.data != str(account.version):
            stale = True
            form.version.data = str(account.version)
        elif not form.name.data.strip():
            form.name.errors.append("Enter the person's full name")
        else:
            if account.name != form.name.data.strip():
                account.name = form.name.data.strip()
                audit("update", "user", account.id, fields=["name"])
            db.session.commit()
            flash("Name saved.", "success")
            return redirect(url_for("admin.user", user_id=account.id))
    return render_template(
        "admin/user_rename.html",
        form=form,
        account=account,
        stale=stale,
        stale_message=STALE_USER,
        page_title=_title("Change name", form, stale),
    )


@blueprint.route("/users/<int:user_id>/disable", methods=["GET", "POST"])
@allow("admin")
def disable_user(user_id: int):
    account = _user_or_404(user_id)
    if account.id == current_user.id:
        flash("You cannot disable your own account. Ask another administrator to do it.", "important")
        return redirect(url_for("admin.user", user_id=account.id))
    if not account.active:
        return redirect(url_for("admin.user", user_id=account.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        auth_services.set_active(db.session, account, False)
        audit("disable", "user", account.id, fields=["active"], sessions_ended=True)
        db.session.commit()
        log.info("staff account disabled", extra={"user_id": account.id, "by": current_user.id})
        flash(f"{account.name}'s account is disabled and they have been signed out.", "success")
        return redirect(url_for("admin.user", user_id=account.id))
    return render_template("admin/user_disable.html", form=form, account=account, page_title=f"Disable {account.name}'s account")


@blueprint.post("/users/<int:user_id>/enable")
@allow("admin")
def enable_user(user_id: int):
    account = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not account.active:
        auth_services.set_active(db.session, account, True)
        audit("update", "user", account.id, fields=["active"])
        db.session.commit()
        flash(f"{account.name}'s account is enabled. They can sign in again.", "success")
    return redirect(url_for("admin.user", user_id=account.id))


@blueprint.route("/users/<int:user_id>/reset-password", methods=["GET", "POST"])
@allow("admin")
def reset_password(user_id: int):
    account = _user_or_404(user_id)
    if account.id == current_user.id:
        # Resetting it here would end the session the new password is shown in.
        flash("You cannot reset your own password here. Ask another administrator to do it.", "important")
        return redirect(url_for("admin.user", user_id=account.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        password = auth_services.generate_password()
        auth_services.set_password(account, password)
        auth_services.end_all_sessions(db.session, account)
        audit("update", "user", account.id, fields=["password"], sessions_ended=True)
        db.session.commit()
        log.info("staff password reset", extra={"user_id": account.id, "by": current_user.id})
        flash(_password_banner(f"{account.name}'s password has been reset and they have been signed out.", password), "success")
        return redirect(url_for("admin.user", user_id=account.id))
    return render_template("admin/user_reset_password.html", form=form, account=account, page_title=f"Reset {account.name}'s password")


@blueprint.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@allow("admin")
def revoke_token(user_id: int, token_id: int):
    account = _user_or_404(user_id)
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == account.id))
    if token is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if token.revoked_at is None:
        auth_services.revoke_token(token)
        audit("token_revoked", "user", account.id, token_id=token.id)
        db.session.commit()
        flash(f"API token {token.prefix}… is revoked. Anything using it can no longer reach the API.", "success")
    return redirect(url_for("admin.user", user_id=account.id))


# --- Providers --------------------------------------------------------------


@blueprint.get("/providers")
@allow("admin")
def providers():
    search = (request.args.get("q") or "").strip()[:100]
    page = _paginate(provider_services.search_providers(search or None), page_number(request.args.get("page")))
    return render_template(
        "admin/providers.html", page=page, search=search, filters={"q": search} if search else {}, page_title="Providers"
    )


def _provider_values(form: ProviderForm) -> dict:
    return {
        "name": form.name.data or "",
        "kind": form.kind.data or "",
        "urn": form.urn.data,
        "ukprn": form.ukprn.data,
        "postcode": form.postcode.data,
        "active": bool(form.active.data),
    }


def _show_provider_errors(form: ProviderForm, error: provider_services.ProviderError) -> None:
    for name, message in error.errors.items():
        getattr(form, name, form.name).errors.append(message)


@blueprint.route("/providers/new", methods=["GET", "POST"])
@allow("admin")
def new_provider():
    form = ProviderForm()
    if form.validate_on_submit():
        try:
            provider = provider_services.create_provider(db.session, _provider_values(form))
        except provider_services.ProviderError as error:
            db.session.rollback()
            _show_provider_errors(form, error)
        else:
            given = sorted(name for name, value in _provider_values(form).items() if value not in (None, ""))
            audit("create", "provider", provider.id, fields=given)
            db.session.commit()
            flash(f"{provider.name} has been added.", "success")
            return redirect(url_for("admin.providers", q=provider.name))
    return render_template("admin/provider_form.html", form=form, provider=None, stale=False, page_title=_title("Add a provider", form))


@blueprint.route("/providers/<int:provider_id>/edit", methods=["GET", "POST"])
@allow("admin")
def edit_provider(provider_id: int):
    provider = db.session.get(Provider, provider_id)
    if provider is None:
        abort(404)
    form = ProviderForm(obj=provider) if request.method == "GET" else ProviderForm()
    stale = False
    if form.validate_on_submit():
        if form.version.data != str(provider.version):
            # Keep what they typed, and take the current version so saving again is a choice they make
            # having seen the other change.
            stale = True
            form.version.data = str(provider.version)
        else:
            try:
                changed = provider_services.update_provider(db.session, provider, _provider_values(form))
            except provider_services.ProviderError as error:
                db.session.rollback()
                _show_provider_errors(form, error)
            else:
                if changed:
                    audit("update", "provider", provider.id, fields=sorted(changed))
                db.session.commit()
                flash(f"{provider.name} has been saved." if changed else "Nothing was changed.", "success")
                return redirect(url_for("admin.providers", q=provider.name))
    return render_template(
        "admin/provider_form.html",
        form=form,
        provider=provider,
        stale=stale,
        stale_message=STALE_PROVIDER,
        page_title=_title(f"Change {provider.name}", form, stale),
    )
