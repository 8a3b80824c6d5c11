"""Pages for preparation-for-adulthood reviews: log, read and amend a review, and the lists of
actions and reviews that are due."""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from destinations.auth.models import User
from destinations.extensions import db
from destinations.people.models import YoungPerson
from destinations.people.roll import academic_year_label
from destinations.people.services import RollSettings, get_visible_person
from destinations.providers.models import PROVIDER_KINDS, Provider
from destinations.reviews import services
from destinations.reviews.forms import (
    BLOCK_LIMITS,
    ReviewForm,
    block_change,
    form_data,
    renumbered,
    review_values,
    set_choices,
    show_errors,
)
from destinations.reviews.models import Review
from destinations.reviews.services import ReviewError
from destinations.security.context import audit
from destinations.security.permissions import allow

blueprint = Blueprint("reviews", __name__)
LONDON = ZoneInfo("Europe/London")

# The kinds of provider a young person might name as a next step, in the order they are shown.
PREFERENCE_KINDS = ("college", "sixth_form_college", "specialist_college", "training", "university", "employer", "day_service")
STALE_MESSAGE = "Someone else changed this review while you were editing. Check the review and save again: what you typed is below."
# Where "Mark as done" goes back to.
RETURN_TO = {"record": "people.record", "reviews": "reviews.index", "actions": "reviews.my_actions"}


def settings() -> RollSettings:
    return RollSettings.from_config(current_app.config)


def person_or_404(person_id: int) -> YoungPerson:
    person = get_visible_person(db.session, current_user, person_id)
    if person is None:
        abort(404)
    return person


def review_or_404(person: YoungPerson, review_id: int) -> Review:
    review = services.get_review(db.session, person, review_id)
    if review is None:
        abort(404)
    return review


def record_section_context(session, person: YoungPerson) -> dict:
    """What ``reviews/_record_section.html`` needs besides ``person`` and ``today``."""
    reviews = services.reviews_for(session, person.id)
    # The first complete review in the timeline is services.latest_complete_review (same
    # order), so its next steps are the current intentions without loading it twice.
    latest = next((review for review in reviews if review.is_complete), None)
    return {
        "reviews": reviews,
        "intentions": list(latest.next_steps) if latest else [],
        "open_actions": services.open_actions(session, person.id),
        "labels": services.reference_labels(session),
    }


# --- the review form ------------------------------------------------------------------------


def provider_groups(session, chosen: set[int]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Providers a young person might choose, grouped by kind; retired ones only if already chosen."""
    query = select(Provider).where(Provider.kind.in_(PREFERENCE_KINDS)).order_by(Provider.name, Provider.id)
    providers = [provider for provider in session.scalars(query) if provider.active or provider.id in chosen]
    groups = []
    for kind in PREFERENCE_KINDS:
        items = [(str(provider.id), provider.name) for provider in providers if provider.kind == kind]
        if items:
            groups.append((PROVIDER_KINDS[kind], items))
    return groups


def review_page(person: YoungPerson, review: Review | None):
    """The new-review and change-review pages: one form, one round trip per button."""
    session = db.session
    change = None
    if request.method == "POST":
        change = block_change(request.form)
        remove = (change[1], change[2]) if change and change[0] == "remove" and change[2] is not None else None
        form = ReviewForm(formdata=renumbered(request.form, remove))
        if change and change[0] == "add" and len(getattr(form, change[1]).entries) < BLOCK_LIMITS[change[1]]:
            getattr(form, change[1]).append_entry()
    elif review is not None:
        form = ReviewForm(data=form_data(review))
    else:
        form = ReviewForm()
    set_choices(form, session)

    if request.method == "POST" and change is None:
        saved = save(form, person, review)
        if saved is not None:
            return saved
    chosen = {int(value) for entry in form.next_steps for value in entry.form.provider_ids.data or [] if value.isdigit() and len(value) <= 10}
    heading = "Log a review" if review is None else ("Change review" if review.is_complete else "Finish review")
    return render_template(
        "reviews/form.html",
        form=form,
        person=person,
        review=review,
        heading=heading,
        page_title=("Error: " if form.errors else "") + heading,
        provider_groups=provider_groups(session, chosen),
        can_save_draft=review is None or not review.is_complete,
        block_limits=BLOCK_LIMITS,
    )


def save(form: ReviewForm, person: YoungPerson, review: Review | None):
    """Save the review, or put every problem on the form and return None."""
    session = db.session
    by = current_user._get_current_object()
    complete = "save_draft" not in request.form or (review is not None and review.is_complete)
    form.validate()  # reads the dates; the rules are the service's
    if review is not None and form.version.data != str(review.version):
        form.version.data = str(review.version)
        form.form_errors.append(STALE_MESSAGE)
        return None
    values = review_values(form)
    before = services.review_as_dict(review) if review is not None else None
    was_complete = review is not None and review.is_complete
    # A savepoint, so a form with a date that could not be read still gets the service's
    # other messages on the same round trip, and nothing is kept.
    savepoint = session.begin_nested()
    try:
        if review is None:
            saved = services.save_review(session, person, values, by, today=date.today(), complete=complete)
        else:
            saved = services.update_review(session, review, values, by, today=date.today(), complete=complete)
    except ReviewError as error:
        savepoint.rollback()
        show_errors(form, error.errors)
        return None
    if form.errors:
        savepoint.rollback()
        return None
    savepoint.commit()
    counts = {"next_steps": len(saved.next_steps), "actions": len(saved.actions)}
    if review is None:
        audit("create", "young_person", person.id, part="review", review_id=saved.id, status=saved.status, **counts)
        message = "Review saved." if saved.is_complete else "Review saved as a draft. You can finish it later."
    else:
        changed = services.changed_fields(before, services.review_as_dict(saved))
        audit("update", "young_person", person.id, part="review", review_id=saved.id, status=saved.status, amended=was_complete and bool(changed), fields=changed, **counts)
        if was_complete:
            message = "Review changed. The earlier version has been kept." if changed else "Nothing was changed."
        else:
            message = "Review saved." if saved.is_complete else "Draft saved. You can finish it later."
    session.commit()
    flash(message, "success")
    return redirect(url_for("reviews.show", person_id=person.id, review_id=saved.id))


@blueprint.route("/young-people/<int:person_id>/reviews/new", methods=["GET", "POST"])
@allow("manager", "keyworker")
def new(person_id: int):
    person = person_or_404(person_id)
    return review_page(person, None)


@blueprint.route("/young-people/<int:person_id>/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@allow("manager", "keyworker")
def edit(person_id: int, review_id: int):
    person = person_or_404(person_id)
    review = review_or_404(person, review_id)
    if request.method == "GET":
        audit("view", "young_person", person.id, part="reviews", review_id=review.id)
        db.session.commit()
    return review_page(person, review)


# --- reading reviews ------------------------------------------------------------------------


def user_names(session, ids) -> dict[int, str]:
    ids = {user_id for user_id in ids if user_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def provider_names(session, reviews: list[dict]) -> dict[int, str]:
    ids = {provider_id for review in reviews for step in review.get("next_steps") or [] for provider_id in step.get("provider_ids") or []}
    if not ids:
        return {}
    return dict(session.execute(select(Provider.id, Provider.name).where(Provider.id.in_(ids))).all())


@blueprint.get("/young-people/<int:person_id>/reviews")
@allow("manager", "keyworker")
def index(person_id: int):
    person = person_or_404(person_id)
    context = record_section_context(db.session, person)
    audit("view", "young_person", person.id, part="reviews", count=len(context["reviews"]))
    db.session.commit()
    return render_template("reviews/index.html", person=person, today=date.today(), page_title="Reviews and actions", return_to="reviews", **context)


@blueprint.get("/young-people/<int:person_id>/reviews/<int:review_id>")
@allow("manager", "keyworker")
def show(person_id: int, review_id: int):
    person = person_or_404(person_id)
    review = review_or_404(person, review_id)
    details = services.review_as_dict(review)
    names = user_names(db.session, [review.amended_by_id, review.created_by_id, review.updated_by_id])
    audit("view", "young_person", person.id, part="reviews", review_id=review.id)
    db.session.commit()
    return render_template(
        "reviews/show.html",
        person=person,
        review=review,
        details=details,
        labels=services.reference_labels(db.session),
        providers=provider_names(db.session, [details]),
        names=names,
        page_title="Review",
    )


@blueprint.get("/young-people/<int:person_id>/reviews/<int:review_id>/revisions")
@allow("manager", "keyworker")
def revisions(person_id: int, review_id: int):
    person = person_or_404(person_id)
    review = review_or_404(person, review_id)
    history = services.revisions_for(db.session, review)
    snapshots = [revision.snapshot for revision in history]
    audit("view", "young_person", person.id, part="review_revisions", review_id=review.id, count=len(history))
    db.session.commit()
    return render_template(
        "reviews/revisions.html",
        person=person,
        review=review,
        history=list(zip(history, snapshots)),
        labels=services.reference_labels(db.session),
        providers=provider_names(db.session, snapshots),
        names=user_names(db.session, [revision.revised_by_id for revision in history] + [review.created_by_id]),
        page_title="Earlier versions of the review",
    )


# --- actions and what is due --------------------------------------------------------------------


@blueprint.post("/young-people/<int:person_id>/actions/<int:action_id>/done")
@allow("manager", "keyworker")
def action_done(person_id: int, action_id: int):
    person = person_or_404(person_id)
    action = services.get_action(db.session, person, action_id)
    if action is None:
        abort(404)
    if not action.done:
        services.set_action_done(db.session, action, True, current_user._get_current_object())
        audit("update", "young_person", person.id, part="action", action_id=action.id, fields=["done"])
        db.session.commit()
    flash("Action marked as done.", "success")
    endpoint = RETURN_TO.get(request.form.get("return_to", ""), "people.record")
    return redirect(url_for(endpoint) if endpoint == "reviews.my_actions" else url_for(endpoint, person_id=person.id))


@blueprint.get("/actions")
@allow("manager", "keyworker")
def my_actions():
    today = date.today()
    actions = services.actions_due_for(db.session, current_user, today)  # overdue first
    audit("list", "young_person", None, part="actions", count=len(actions))
    db.session.commit()
    return render_template("reviews/my_actions.html", actions=actions, today=today, page_title="My actions due")


@blueprint.get("/reviews/due")
@allow("manager")
def due():
    today = date.today()
    summary = services.due_summary(db.session, today, settings())
    audit("list", "young_person", None, part="reviews_due")
    db.session.commit()
    return render_template("reviews/due.html", summary=summary, today=today, page_title="Reviews due")


@blueprint.app_template_filter("as_date")
def as_date(value) -> date | None:
    """A date from a date, a datetime (as a UK date) or an ISO string (as snapshots keep them)."""
    if isinstance(value, datetime):
        return value.astimezone(LONDON).date() if value.tzinfo else value.date()
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@blueprint.app_template_filter("academic_year")
def academic_year(start_year: int | None) -> str:
    return academic_year_label(start_year) if start_year else ""


@blueprint.app_template_filter("reference_label")
def reference_label(code: str | None, labels: dict[str, str]) -> str:
    return labels.get(code, code) if code else ""


@blueprint.app_template_filter("paragraphs")
def paragraphs(text: str | None) -> Markup:
    """Text someone typed, as paragraphs, keeping their line breaks (and escaping the rest)."""
    parts = [part.strip() for part in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if part.strip()]
    return Markup("").join(Markup('<p class="govuk-body">{}</p>').format(Markup("<br>").join(part.split("\n"))) for part in parts)
