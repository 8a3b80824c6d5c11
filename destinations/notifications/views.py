"""Staff pages for the outbox: messages that failed (managers can send them again), and in
development the messages the ``log`` adapter kept instead of sending."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from destinations.database import utcnow
from destinations.extensions import db
from destinations.keep_in_touch.forms import ActionForm
from destinations.notifications import services
from destinations.notifications.models import LoggedMessage, OutboxMessage
from destinations.people.models import YoungPerson
from destinations.security.context import audit
from destinations.security.permissions import allow
from destinations.views_support import Page, page_number

blueprint = Blueprint("notifications", __name__, url_prefix="/messages")
PAGE_SIZE = 50


@blueprint.get("/problems")
@allow("manager")
def problems():
    status = request.args.get("status") if request.args.get("status") in ("failed", "dead") else None
    number = page_number(request.args.get("page"))
    query = services.problem_messages(status)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    messages = list(db.session.scalars(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)))
    people_ids = {message.young_person_id for message in messages if message.young_person_id}
    people = {person.id: person for person in db.session.scalars(select(YoungPerson).where(YoungPerson.id.in_(people_ids)))} if people_ids else {}
    audit("list", "young_person", None, part="messages_not_sent", count=len(messages), page=number)
    db.session.commit()
    return render_template(
        "notifications/problems.html",
        messages=messages,
        people=people,
        status=status,
        page=Page(items=messages, page=number, page_size=PAGE_SIZE, total=total),
        action_form=ActionForm(),
        page_title="Messages not sent",
    )


@blueprint.post("/<int:message_id>/resend")
@allow("manager")
def resend(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.resend(db.session, message.id, current_user, now=utcnow())
    except services.NotificationError as error:
        db.session.rollback()
        flash(f"The message was not sent again. {error}", "important")
        return redirect(url_for("notifications.problems"))
    if message.young_person_id:
        audit("update", "young_person", message.young_person_id, part="message", message_id=message.id, fields=["resend"])
    else:
        audit("update", "user", message.user_id, part="message", message_id=message.id, fields=["resend"])
    db.session.commit()
    flash("The message will be sent again in the next delivery run.", "success")
    return redirect(url_for("notifications.problems"))


def _development_only() -> None:
    config = current_app.config
    if not config.get("NOTIFICATIONS_DEV_PAGE") or (config.get("NOTIFICATIONS_ADAPTER") or "log") != "log":
        abort(404)


@blueprint.get("/development")
@allow("admin", "manager")
def development():
    """Messages the log adapter kept (development and tests only: 404 anywhere else)."""
    _development_only()
    logged = list(db.session.scalars(select(LoggedMessage).order_by(LoggedMessage.id.desc()).limit(100)))
    outbox = aliased(OutboxMessage)
    waiting = db.session.scalar(select(func.count()).select_from(outbox).where(outbox.status.in_(("queued", "failed")))) or 0
    return render_template("notifications/development.html", logged=logged, waiting=waiting, action_form=ActionForm(), page_title="Messages (development)")


@blueprint.post("/development/deliver")
@allow("admin", "manager")
def deliver_now():
    _development_only()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    db.session.commit()
    counts = services.deliver_due(db.session, utcnow())
    flash(f"Delivered {counts['sent']} messages ({counts['failed']} failed, {counts['dead']} stopped).", "success")
    return redirect(url_for("notifications.development"))
