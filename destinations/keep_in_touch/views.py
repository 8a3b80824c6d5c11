"""The young person's keep-in-touch pages, under /keep-in-touch/.

No staff sign-in here: a link, the young person's date of birth, then a short session of its
own (cookie ``dps_kit``, path /keep-in-touch, a server-side row). Loading a link changes
nothing. Pages show only the first name and what the young person told the service, are
never cached and send no referrer.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
import time
from datetime import date, timedelta

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for

from destinations.audit.services import record_event
from destinations.database import utcnow
from destinations.extensions import db
from destinations.keep_in_touch import answers, choices, services
from destinations.keep_in_touch.answers import AnswerError
from destinations.keep_in_touch.forms import (
    ContactAboutForm,
    ContactDetailsForm,
    ContactHowForm,
    ContactWhenForm,
    DateOfBirthForm,
    DoingNowForm,
    FinishForm,
    HoursForm,
    NewLinkForm,
    NextStepsForm,
    SendByForm,
    StopForm,
)
from destinations.keep_in_touch.models import KeepInTouchReply
from destinations.security import ratelimit
from destinations.security.context import client_address
from destinations.security.permissions import public

blueprint = Blueprint("keep_in_touch", __name__, url_prefix="/keep-in-touch")
TRIES_WINDOW = timedelta(minutes=15)


@blueprint.after_request
def private_page(response):
    response.headers["Cache-Control"] = "no-store, max-age=0"
    response.headers["Pragma"] = "no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _cookie_name() -> str:
    return current_app.config["KIT_SESSION_COOKIE_NAME"]


def _audit(action: str, person_id: int, **detail) -> None:
    """Audit as the young person: no staff member is acting, and no values are kept."""
    record_event(db.session, action, actor_type="young_person", object_type="young_person", object_id=person_id, ip_address=client_address(), detail=detail)


def _render(template: str, status: int = 200, **context):
    form = context.get("form")
    title = context.get("title", "")
    context["page_title"] = ("Error: " if form is not None and form.errors else "") + title
    return render_template(f"keep_in_touch/{template}", **context), status


def with_kit_session(view):
    """Load the young person's session or send them to "your session has ended"."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        kit = services.load_session(db.session, request.cookies.get(_cookie_name()), utcnow())
        if kit is None:
            db.session.commit()
            return redirect(url_for("keep_in_touch.session_ended"))
        g.kit = kit
        g.first_name = kit.young_person.given_name
        return view(*args, **kwargs)

    return wrapper


def _set_session_cookie(response, key: str) -> None:
    response.set_cookie(
        _cookie_name(),
        key,
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", True),
        samesite="Lax",
        path="/keep-in-touch",
    )


def _clear_session_cookie(response) -> None:
    response.delete_cookie(_cookie_name(), path="/keep-in-touch", httponly=True, samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", True))


# --- arriving by link ------------------------------------------------------------------------


@blueprint.get("/")
@public
def start():
    return _render("start.html", title="Keep in touch")


@blueprint.route("/<token>", methods=["GET", "POST"])
@public
def landing(token: str):
    """The link's page. GET shows the date-of-birth question and changes nothing."""
    now = utcnow()
    link = services.find_link(db.session, token)
    state = services.link_state(link, now)
    if state != "usable":
        db.session.rollback()
        return _link_problem(state)
    form = DateOfBirthForm()
    if request.method == "POST":
        tries = ratelimit.hit(db.session, ratelimit.bucket_key("kit-dob", client_address() or "-"), now, TRIES_WINDOW)
        if tries > current_app.config["KIT_MAX_TRIES_PER_ADDRESS"]:
            db.session.commit()
            return _render("too_many.html", 429, title="Too many tries", minutes=int(TRIES_WINDOW.total_seconds() // 60))
        if form.validate_on_submit():
            result = services.try_date_of_birth(db.session, link, form.date_of_birth.data, now)
            if result.outcome == "ok":
                return _begin_session(link, now)
            if result.outcome == "wrong":
                _audit("sign_in_failed", link.young_person_id, part="keep_in_touch", link_id=link.id)
                db.session.commit()
                form.date_of_birth.errors = [
                    f"The date of birth does not match what we have. Check it and try again. You have {result.tries_left} {'try' if result.tries_left == 1 else 'tries'} left."
                ]
                return _render("landing.html", form=form, title="Check it is you")
            if result.outcome == "locked":
                _audit("sign_in_throttled", link.young_person_id, part="keep_in_touch", link_id=link.id)
            db.session.commit()
            return _link_problem(result.outcome)
        db.session.commit()  # the address count stands even when the form was incomplete
    return _render("landing.html", form=form, title="Check it is you")


def _link_problem(state: str):
    if state == "locked":
        return _render("link_locked.html", 403, title="This link is locked")
    return _render("link_problem.html", 404, title="This link does not work")


def _begin_session(link, now):
    """Start a fresh session: end any earlier one in this browser and take a new CSRF token."""
    earlier = services.load_session(db.session, request.cookies.get(_cookie_name()), now)
    if earlier is not None:
        services.end_session(earlier, now)
    session.pop("csrf_token", None)
    _kit, key = services.start_session(db.session, link, now)
    _audit("sign_in", link.young_person_id, part="keep_in_touch", link_id=link.id)
    db.session.commit()
    response = redirect(url_for("keep_in_touch.menu"))
    _set_session_cookie(response, key)
    return response


@blueprint.get("/session-ended")
@public
def session_ended():
    return _render("session_ended.html", title="Your session has ended")


# --- the menu and finishing ------------------------------------------------------------------


@blueprint.get("/menu")
@public
@with_kit_session
def menu():
    db.session.commit()
    return _render("menu.html", form=FinishForm(), title="What would you like to do?", first_name=g.first_name)


@blueprint.post("/finish")
@public
@with_kit_session
def finish():
    form = FinishForm()
    if not form.validate_on_submit():
        return redirect(url_for("keep_in_touch.menu"))
    services.end_session(g.kit, utcnow())
    _audit("sign_out", g.kit.young_person_id, part="keep_in_touch")
    db.session.commit()
    response = redirect(url_for("keep_in_touch.finished"))
    _clear_session_cookie(response)
    return response


@blueprint.get("/finished")
@public
def finished():
    return _render("finished.html", title="You have finished")


@blueprint.get("/done")
@public
@with_kit_session
def done():
    reply = db.session.get(KeepInTouchReply, g.kit.last_reply_id) if g.kit.last_reply_id else None
    db.session.commit()
    if reply is None or reply.young_person_id != g.kit.young_person_id:
        return redirect(url_for("keep_in_touch.menu"))
    return _render(
        "done.html",
        form=FinishForm(),
        title="Thank you",
        reply=reply,
        told_us=choices.describe(reply.kind, reply.answers or {}),
        working_days=current_app.config["KIT_CONTACT_WORKING_DAYS"],
        first_name=g.first_name,
    )


def _saved(reply: KeepInTouchReply):
    _audit("create", reply.young_person_id, part="keep_in_touch_reply", kind=reply.kind, reply_id=reply.id, activity_id=reply.activity_record_id)
    db.session.commit()
    return redirect(url_for("keep_in_touch.done"))


def _answered(form, record: Callable[[], KeepInTouchReply]):
    """Save an answer with ``record`` and go to the confirmation; or, when the answer is refused,
    undo what it began and show why on ``form`` (returning None, so the page is shown again
    with what the young person typed)."""
    try:
        reply = record()
    except AnswerError as error:
        db.session.rollback()
        _show_errors(form, error)
        return None
    return _saved(reply)


def _show_errors(form, error: AnswerError) -> None:
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors or []) + [message]
        else:
            form.form_errors.append(message)


def _draft(**values) -> None:
    g.kit.draft = {**(g.kit.draft or {}), **values}


# --- What are you doing now? ------------------------------------------------------------------


@blueprint.route("/doing-now", methods=["GET", "POST"])
@public
@with_kit_session
def doing_now():
    form = DoingNowForm()
    if request.method == "GET" and (g.kit.draft or {}).get("choice") in choices.DOING_NOW:
        form.choice.data = g.kit.draft["choice"]
        form.details.data = g.kit.draft.get("details")
    if form.validate_on_submit():
        option = choices.DOING_NOW[form.choice.data]
        if option.asks_hours:
            _draft(choice=form.choice.data, details=form.details.data or "")
            db.session.commit()
            return redirect(url_for("keep_in_touch.hours"))
        answered = _answered(form, lambda: answers.record_doing_now(db.session, g.kit, form.choice.data, details=form.details.data, today=date.today(), now=utcnow()))
        if answered is not None:
            return answered
    db.session.commit()
    return _render("doing_now.html", form=form, title="What are you doing now?", hint_items=[{"hint": {"text": option.hint}} if option.hint else {} for option in choices.DOING_NOW.values()])


@blueprint.route("/doing-now/hours", methods=["GET", "POST"])
@public
@with_kit_session
def hours():
    choice = (g.kit.draft or {}).get("choice")
    if choice not in choices.DOING_NOW or not choices.DOING_NOW[choice].asks_hours:
        db.session.commit()
        return redirect(url_for("keep_in_touch.doing_now"))
    form = HoursForm()
    if form.validate_on_submit():
        answered = _answered(form, lambda: answers.record_doing_now(db.session, g.kit, choice, hours=form.hours.data, details=g.kit.draft.get("details"), today=date.today(), now=utcnow()))
        if answered is not None:
            return answered
    db.session.commit()
    label = choices.DOING_NOW[choice].label
    return _render("hours.html", form=form, title="About how many hours a week?", label=label)


# --- Do you want someone to contact you? ------------------------------------------------------


@blueprint.route("/contact", methods=["GET", "POST"])
@public
@with_kit_session
def contact_about():
    form = ContactAboutForm()
    if request.method == "GET" and (g.kit.draft or {}).get("about"):
        form.about.data = g.kit.draft["about"]
        form.about_details.data = g.kit.draft.get("about_details")
    if form.validate_on_submit():
        _draft(about=list(form.about.data), about_details=form.about_details.data or "")
        db.session.commit()
        return redirect(url_for("keep_in_touch.contact_how"))
    db.session.commit()
    return _render("contact_about.html", form=form, title="What do you want to talk about?")


@blueprint.route("/contact/how", methods=["GET", "POST"])
@public
@with_kit_session
def contact_how():
    if not (g.kit.draft or {}).get("about"):
        db.session.commit()
        return redirect(url_for("keep_in_touch.contact_about"))
    form = ContactHowForm()
    if request.method == "GET" and g.kit.draft.get("how"):
        form.how.data = g.kit.draft["how"]
    if form.validate_on_submit():
        _draft(how=form.how.data)
        db.session.commit()
        return redirect(url_for("keep_in_touch.contact_when"))
    db.session.commit()
    return _render("question.html", form=form, field="how", title="How would you like us to contact you?", back=url_for("keep_in_touch.contact_about"))


@blueprint.route("/contact/when", methods=["GET", "POST"])
@public
@with_kit_session
def contact_when():
    draft = g.kit.draft or {}
    if not draft.get("about") or not draft.get("how"):
        db.session.commit()
        return redirect(url_for("keep_in_touch.contact_about"))
    form = ContactWhenForm()
    if form.validate_on_submit():
        answered = _answered(form, lambda: answers.record_contact_request(
            db.session, g.kit, about=draft["about"], about_details=draft.get("about_details"), how=draft["how"], when=form.when.data, now=utcnow()
        ))
        if answered is not None:
            return answered
    db.session.commit()
    return _render("question.html", form=form, field="when", title="When is a good time?", back=url_for("keep_in_touch.contact_how"))


# --- Update my contact details ----------------------------------------------------------------


@blueprint.route("/contact-details", methods=["GET", "POST"])
@public
@with_kit_session
def contact_details():
    form = ContactDetailsForm()
    if form.validate_on_submit():
        mobile, email = (form.mobile.data or "").strip(), (form.email.data or "").strip()
        if mobile and email:
            # Both given: ask which to use, one question per page. Check them first, so an
            # error shows here, where they were typed.
            errors = _contact_errors(mobile, email)
            if errors:
                _show_errors(form, errors)
            else:
                _draft(mobile=mobile, email=email)
                db.session.commit()
                return redirect(url_for("keep_in_touch.send_by"))
        else:
            answered = _answered(form, lambda: answers.update_contact_details(db.session, g.kit, mobile=mobile, email=email, preferred_channel=None, now=utcnow()))
            if answered is not None:
                return answered
    db.session.commit()
    return _render("contact_details.html", form=form, title="Update my contact details")


def _contact_errors(mobile: str, email: str) -> AnswerError | None:
    from destinations.keep_in_touch.contact import ContactError, normalise_email, normalise_mobile

    errors = {}
    for name, value, check in (("mobile", mobile, normalise_mobile), ("email", email, normalise_email)):
        try:
            check(value)
        except ContactError as error:
            errors[name] = str(error)
    return AnswerError(errors) if errors else None


@blueprint.route("/contact-details/send-by", methods=["GET", "POST"])
@public
@with_kit_session
def send_by():
    draft = g.kit.draft or {}
    if not draft.get("mobile") or not draft.get("email"):
        db.session.commit()
        return redirect(url_for("keep_in_touch.contact_details"))
    form = SendByForm()
    if form.validate_on_submit():
        answered = _answered(form, lambda: answers.update_contact_details(db.session, g.kit, mobile=draft["mobile"], email=draft["email"], preferred_channel=form.preferred_channel.data, now=utcnow()))
        if answered is not None:
            return answered
    db.session.commit()
    return _render("question.html", form=form, field="preferred_channel", title="How should we send you messages?", back=url_for("keep_in_touch.contact_details"))


# --- What would you like to do next? -----------------------------------------------------------


@blueprint.route("/next-steps", methods=["GET", "POST"])
@public
@with_kit_session
def next_steps():
    form = NextStepsForm()
    if form.validate_on_submit():
        answered = _answered(form, lambda: answers.record_next_steps(db.session, g.kit, form.choice.data, form.details.data, utcnow()))
        if answered is not None:
            return answered
    db.session.commit()
    return _render("next_steps.html", form=form, title="What would you like to do next?")


# --- Stop messages ---------------------------------------------------------------------------


@blueprint.route("/stop", methods=["GET", "POST"])
@public
@with_kit_session
def stop():
    form = StopForm()
    if form.validate_on_submit():
        if form.confirm.data == "no":
            db.session.commit()
            return redirect(url_for("keep_in_touch.menu"))
        reply = answers.stop_messages(db.session, g.kit, utcnow())
        return _saved(reply)
    db.session.commit()
    return _render("question.html", form=form, field="confirm", title="Do you want to stop getting messages from us?", back=url_for("keep_in_touch.menu"),
                   hint="We will stop sending you links by text or email. You can still contact us at any time.")


# --- Send me a new link ----------------------------------------------------------------------


@blueprint.route("/new-link", methods=["GET", "POST"])
@public
def new_link():
    """Answers the same (status, page, and no sooner than a set time) whoever is asking."""
    started = time.monotonic()
    form = NewLinkForm()
    if request.method == "POST" and form.validate_on_submit():
        config = current_app.config
        now = utcnow()
        window = timedelta(minutes=config["KIT_NEW_LINK_WINDOW_MINUTES"])
        by_address = ratelimit.hit(db.session, ratelimit.bucket_key("kit-new-link", "address", client_address() or "-"), now, window)
        if by_address > config["KIT_NEW_LINK_MAX_PER_ADDRESS"]:
            db.session.commit()
            return _at_least(started, _render("too_many.html", 429, title="Too many tries", minutes=config["KIT_NEW_LINK_WINDOW_MINUTES"]))
        contact = form.contact.data.strip().lower()
        by_contact = ratelimit.hit(db.session, ratelimit.bucket_key("kit-new-link", "contact", contact), now, window)
        if by_contact <= config["KIT_NEW_LINK_MAX_PER_CONTACT"]:
            services.request_new_link(db.session, form.contact.data, form.date_of_birth.data, now)
        db.session.commit()
        return _at_least(started, _render("new_link_sent.html", title="Check your messages"))
    db.session.commit()
    return _render("new_link.html", form=form, title="Get a new link")


def _at_least(started: float, response):
    """Hold the answer until the minimum time has passed, so both outcomes take as long."""
    remaining = current_app.config["KIT_NEW_LINK_MIN_MILLISECONDS"] / 1000 - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
    return response

