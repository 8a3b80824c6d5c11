"""Staff pages for keep in touch: a young person's contact details, consent and links, and
the keyworker's list of replies from young people."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from destinations.database import utcnow
from destinations.extensions import db
from destinations.keep_in_touch import answers, services
from destinations.keep_in_touch.answers import AnswerError
from destinations.keep_in_touch.forms import ActionForm, ContactSettingsForm
from destinations.keep_in_touch.models import LINK_CHANNELS, LINK_REASONS, LINK_STATUSES, REPLY_KINDS, KeepInTouchLink
from destinations.notifications.models import OutboxMessage
from destinations.people.services import get_visible_person
from destinations.security.context import audit
from destinations.security.permissions import allow
from destinations.views_support import Page, page_number

blueprint = Blueprint("keep_in_touch_staff", __name__)
PAGE_SIZE = 50
STALE_MESSAGE = "Someone else changed this record while you were editing. Check the details and save again: what you typed is below."
# A second "send" within this time is almost always a double click, not a second request.
RESEND_GUARD = timedelta(seconds=60)


def person_or_404(person_id: int):
    person = get_visible_person(db.session, current_user, person_id)
    if person is None:
        abort(404)
    return person


def _page(person, form, status: int = 200):
    now = utcnow()
    links = answers.links_for(db.session, person.id)
    message_ids = [link.outbox_message_id for link in links if link.outbox_message_id]
    messages = {message.id: message for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(message_ids)))} if message_ids else {}
    replies = answers.describe_replies(answers.replies_for(db.session, person.id))
    problem = services.invitation_problem(person, date.today(), services.current_settings(), services.adapter_channels())
    return render_template(
        "keep_in_touch/staff_page.html",
        person=person,
        form=form,
        action_form=ActionForm(),
        links=[(link, link.status(now), messages.get(link.outbox_message_id)) for link in links],
        replies=replies,
        send_problem=problem,
        LINK_CHANNELS=LINK_CHANNELS,
        LINK_REASONS=LINK_REASONS,
        LINK_STATUSES=LINK_STATUSES,
        page_title=("Error: " if form.errors else "") + f"Keep in touch – {person.full_name}",
    ), status


@blueprint.route("/young-people/<int:person_id>/keep-in-touch", methods=["GET", "POST"])
@allow("manager", "keyworker")
def page(person_id: int):
    person = person_or_404(person_id)
    form = ContactSettingsForm()
    if request.method == "GET":
        form.version.data = str(person.version)
        form.email.data = person.email
        form.mobile.data = person.mobile
        form.preferred_channel.data = person.preferred_channel
        form.keep_in_touch_consent.data = person.keep_in_touch_consent
        form.messages_stopped.data = person.messages_stopped_at is not None
        audit("view", "young_person", person.id, part="keep_in_touch")
        db.session.commit()
        return _page(person, form)
    if form.validate_on_submit():
        if form.version.data and form.version.data != str(person.version):
            form.version.data = str(person.version)
            form.form_errors.append(STALE_MESSAGE)
        else:
            values = {name: getattr(form, name).data for name in ("email", "mobile", "preferred_channel", "keep_in_touch_consent", "messages_stopped")}
            try:
                changed = answers.update_contact_settings(db.session, person, values, utcnow())
            except AnswerError as error:
                db.session.rollback()
                for name, message in error.errors.items():
                    getattr(form, name).errors = list(getattr(form, name).errors or []) + [message]
            else:
                audit("update", "young_person", person.id, part="keep_in_touch", fields=sorted(changed))
                db.session.commit()
                flash("Contact details saved." if changed else "Nothing was changed.", "success")
                return redirect(url_for("keep_in_touch_staff.page", person_id=person.id))
    db.session.commit()
    return _page(person, form)


@blueprint.post("/young-people/<int:person_id>/keep-in-touch/send")
@allow("manager", "keyworker")
def send(person_id: int):
    person = person_or_404(person_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    now = utcnow()
    recent = db.session.scalar(
        select(KeepInTouchLink.id).where(KeepInTouchLink.young_person_id == person.id, KeepInTouchLink.reason == "staff", KeepInTouchLink.created_at > now - RESEND_GUARD)
    )
    if recent is not None:
        flash("A link was sent less than a minute ago, so another was not sent.", "important")
        return redirect(url_for("keep_in_touch_staff.page", person_id=person.id))
    try:
        message = services.send_invitation(db.session, person, by=current_user, now=now, reason="staff")
    except services.KitError as error:
        db.session.rollback()
        flash(f"The link was not sent. {error}", "important")
        return redirect(url_for("keep_in_touch_staff.page", person_id=person.id))
    audit("create", "young_person", person.id, part="keep_in_touch_link", message_id=message.id, channel=message.channel)
    db.session.commit()
    flash(f"A new link is on its way by {message.channel_name.lower()}.", "success")
    return redirect(url_for("keep_in_touch_staff.page", person_id=person.id))


@blueprint.post("/young-people/<int:person_id>/keep-in-touch/links/<int:link_id>/revoke")
@allow("manager", "keyworker")
def revoke(person_id: int, link_id: int):
    person = person_or_404(person_id)
    link = db.session.get(KeepInTouchLink, link_id)
    if link is None or link.young_person_id != person.id:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    services.revoke_link(db.session, link, current_user, utcnow())
    audit("update", "young_person", person.id, part="keep_in_touch_link", link_id=link.id, fields=["revoked"])
    db.session.commit()
    flash("The link has been revoked. It no longer works.", "success")
    return redirect(url_for("keep_in_touch_staff.page", person_id=person.id))


@blueprint.get("/keep-in-touch-replies")
@allow("manager", "keyworker")
def replies():
    handled = request.args.get("show") == "handled"
    number = page_number(request.args.get("page"))
    rows, total = answers.replies_page(db.session, current_user, handled=handled, page=number, page_size=PAGE_SIZE)
    open_count = total if not handled else answers.open_reply_count(db.session, current_user)
    audit("list", "young_person", None, part="keep_in_touch_replies", count=len(rows), page=number)
    db.session.commit()
    heading = "Replies from young people"
    return render_template(
        "keep_in_touch/replies.html",
        replies=answers.describe_replies(rows),
        page=Page(items=rows, page=number, page_size=PAGE_SIZE, total=total),
        handled=handled,
        open_count=open_count,
        action_form=ActionForm(),
        REPLY_KINDS=REPLY_KINDS,
        heading=heading,
        page_title=heading,
    )


@blueprint.post("/keep-in-touch-replies/<int:reply_id>/handled")
@allow("manager", "keyworker")
def handled(reply_id: int):
    reply = answers.get_visible_reply(db.session, current_user, reply_id)
    if reply is None:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if answers.mark_handled(reply, current_user, utcnow()):
        audit("update", "young_person", reply.young_person_id, part="keep_in_touch_reply", reply_id=reply.id, fields=["handled"])
        flash(f"Marked as handled: {reply.young_person.full_name}, {reply.kind_name.lower()}.", "success")
    db.session.commit()
    back = request.form.get("return_to")
    if back == "person":
        return redirect(url_for("keep_in_touch_staff.page", person_id=reply.young_person_id) + "#replies")
    return redirect(url_for("keep_in_touch_staff.replies"))


@blueprint.app_template_global()
def keep_in_touch_for_record(person) -> dict:
    """What the record page's keep-in-touch section shows (the record view has checked access)."""
    replies = answers.replies_for(db.session, person.id, limit=5)
    return {"replies": answers.describe_replies(replies)}


@blueprint.app_template_filter("kit_when")
def local_when(value) -> str:
    """A moment as people in the council read it: "23 November 2026, 10:15pm" (UK time)."""
    if value is None:
        return ""
    moment = value.astimezone(services.LONDON)
    hour = moment.hour % 12 or 12
    return f"{moment.day} {moment.strftime('%B')} {moment.year}, {hour}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"
