"""Pages for the roll: the caseload, a young person's record, and the changes managers make."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from destinations.activities.services import current_activities
from destinations.activities.views import activity_section_context
from destinations.extensions import db
from destinations.outcomes.long_term import long_term_context
from destinations.people import services
from destinations.people.forms import (
    CaseloadFilterForm,
    ExtensionForm,
    KeyworkerForm,
    LeavingForm,
    NewPersonForm,
    PathwayForm,
    PersonDetailsForm,
)
from destinations.people.models import LEAVING_REASONS
from destinations.people.reference import PATHWAYS, PRIMARY_NEEDS, SEN_PROVISION, STATUSES, pathway_name
from destinations.people.services import RollError, RollFilters, RollSettings
from destinations.providers.services import schools
from destinations.reviews import services as review_services
from destinations.reviews.views import record_section_context
from destinations.security.context import audit
from destinations.security.permissions import allow
from destinations.views_support import Page, page_number

blueprint = Blueprint("people", __name__, url_prefix="/young-people")
PAGE_SIZE = 50
STALE_MESSAGE = "Someone else changed this record while you were editing. Check the record and save again: what you typed is below."


@blueprint.app_template_filter("long_date")
def long_date(value: date | None) -> str:
    return f"{value.day} {value.strftime('%B')} {value.year}" if value else ""


@blueprint.app_context_processor
def reference_data():
    return {"PATHWAYS": PATHWAYS, "PRIMARY_NEEDS": PRIMARY_NEEDS, "SEN_PROVISION": SEN_PROVISION, "STATUSES": STATUSES, "LEAVING_REASONS": LEAVING_REASONS, "pathway_name": pathway_name}


def settings() -> RollSettings:
    return RollSettings.from_config(current_app.config)


def person_or_404(person_id: int):
    person = services.get_visible_person(db.session, current_user, person_id)
    if person is None:
        abort(404)
    return person


def refuse_if_stale(form, person) -> bool:
    """True (with a form error) when the record changed since the form was opened."""
    if form.version.data and form.version.data != str(person.version):
        form.version.data = str(person.version)
        form.form_errors.append(STALE_MESSAGE)
        return True
    return False


def show_errors(form, error: RollError) -> None:
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)


def keyworker_choices(blank: str) -> list[tuple[str, str]]:
    sizes = services.caseload_sizes(db.session)
    return [("", blank)] + [(str(user.id), f"{user.name} ({sizes.get(user.id, 0)} young people)") for user in services.keyworkers(db.session)]


def school_choices() -> list[tuple[str, str]]:
    return [("", "Not known")] + [(str(school.id), school.name) for school in schools(db.session)]


def _optional_int(value) -> int | None:
    return int(value) if value not in (None, "", "none") else None


@blueprint.get("")
@allow("manager", "keyworker")
def caseload():
    form = CaseloadFilterForm(request.args)
    form.year_group.choices = [("", "Any year group")] + [(str(year), f"Year {year}") for year in range(8, 15)] + [("15", "Past Year 14")]
    if current_user.role == "manager":
        # Names only: a county has hundreds of keyworkers, and the filter needs no caseload sizes.
        form.keyworker.choices = [("", "Anyone"), ("unassigned", "No keyworker")] + [
            (str(user_id), name) for user_id, name in services.keyworker_names(db.session)
        ]
    form.validate()
    filters = RollFilters(
        year_group=_optional_int(form.year_group.data) if not form.year_group.errors else None,
        pathway=form.pathway.data or None,
        status=form.status.data or None,
        next_transition_point=form.next_transition_point.data or None,
        search=form.q.data or None,
    )
    if current_user.role == "manager" and form.keyworker.data:
        if form.keyworker.data == "unassigned":
            filters.unassigned = True
        else:
            filters.keyworker_id = _optional_int(form.keyworker.data)
    today = date.today()
    query = services.filtered_people(current_user, filters, today, settings())
    page = page_number(request.args.get("page"))
    people, total = services.list_page(db.session, query, page, PAGE_SIZE)
    reviewed = review_services.last_review_dates(db.session, [person.id for person in people])
    rows = [(person, services.roll_facts(person, today, settings(), reviewed.get(person.id))) for person in people]
    activities = current_activities(db.session, [person.id for person in people], today)
    audit("list", "young_person", None, count=len(rows), page=page)
    db.session.commit()
    heading = "My caseload" if current_user.role == "keyworker" else "Young people"
    query_args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "people/caseload.html",
        form=form,
        rows=rows,
        page=Page(items=rows, page=page, page_size=PAGE_SIZE, total=total),
        heading=heading,
        page_title=heading,
        query_args=query_args,
        today=today,
        activities=activities,
    )


@blueprint.route("/new", methods=["GET", "POST"])
@allow("manager")
def create():
    form = NewPersonForm()
    form.school_id.choices = school_choices()
    form.keyworker_id.choices = keyworker_choices("No keyworker yet")
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.EDITABLE_FIELDS}
        values["school_id"] = _optional_int(values["school_id"])
        values["keyworker_id"] = _optional_int(form.keyworker_id.data)
        try:
            person = services.create_person(db.session, values, current_user)
        except RollError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            audit("create", "young_person", person.id, fields=sorted(name for name, value in values.items() if value))
            db.session.commit()
            flash(f"{person.full_name} has been added to the roll.", "success")
            return redirect(url_for("people.record", person_id=person.id))
    return render_template("people/form.html", form=form, heading="Add a young person", page_title=("Error: " if form.errors else "") + "Add a young person", person=None)


@blueprint.get("/<int:person_id>")
@allow("manager", "keyworker")
def record(person_id: int):
    person = person_or_404(person_id)
    today = date.today()
    reviews = record_section_context(db.session, person)
    facts = services.roll_facts(person, today, settings(), review_services.last_review_dates(db.session, [person.id]).get(person.id))
    audit("view", "young_person", person.id)
    db.session.commit()
    detail_history = services.detail_history(db.session, person)
    return render_template("people/record.html", person=person, facts=facts, today=today, page_title=person.full_name, detail_history=detail_history, **reviews, **activity_section_context(db.session, person, today), **long_term_context(db.session, person, today, settings().age_of_transition))


@blueprint.route("/<int:person_id>/edit", methods=["GET", "POST"])
@allow("manager")
def edit(person_id: int):
    person = person_or_404(person_id)
    form = PersonDetailsForm(obj=None if request.method == "POST" else person)
    form.school_id.choices = school_choices()
    if request.method == "GET":
        form.version.data = str(person.version)
        form.school_id.data = str(person.school_id or "")
    if form.validate_on_submit() and not refuse_if_stale(form, person):
        values = {name: getattr(form, name).data for name in services.EDITABLE_FIELDS}
        values["school_id"] = _optional_int(values["school_id"])
        if not values.get("upn") and not values.get("council_person_id"):
            form.upn.errors = list(form.upn.errors) + ["Enter the UPN (or, if the young person has none, the council's own person id)"]
        else:
            try:
                changed = services.update_details(db.session, person, values, current_user)
            except RollError as error:
                db.session.rollback()
                show_errors(form, error)
            else:
                audit("update", "young_person", person.id, fields=sorted(changed))
                db.session.commit()
                flash("Details saved." if changed else "Nothing was changed.", "success")
                return redirect(url_for("people.record", person_id=person.id))
    return render_template("people/form.html", form=form, heading="Change details", page_title=("Error: " if form.errors else "") + "Change details", person=person)


def _simple_change(person_id: int, form_class, template: str, heading: str, apply, prefill=None):
    """The shared shape of the manager's change pages: check, apply, audit, commit once."""
    person = person_or_404(person_id)
    form = form_class()
    if hasattr(form, "keyworker_id"):
        form.keyworker_id.choices = keyworker_choices("No keyworker")
    if request.method == "GET":
        form.version.data = str(person.version)
        if prefill:
            prefill(form, person)
    if form.validate_on_submit() and not refuse_if_stale(form, person):
        try:
            message, fields = apply(form, person)
        except RollError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            audit("update", "young_person", person.id, fields=fields)
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("people.record", person_id=person.id))
    facts = services.roll_facts(person, date.today(), settings())
    return render_template(template, form=form, person=person, facts=facts, heading=heading, page_title=("Error: " if form.errors else "") + heading)


@blueprint.route("/<int:person_id>/keyworker", methods=["GET", "POST"])
@allow("manager")
def keyworker(person_id: int):
    def prefill(form, person):
        form.keyworker_id.data = str(person.keyworker_id or "")

    def apply(form, person):
        changed = services.assign_keyworker(db.session, person, _optional_int(form.keyworker_id.data), current_user)
        return ("Keyworker saved." if changed else "The keyworker was not changed."), ["keyworker_id"] if changed else []

    return _simple_change(person_id, KeyworkerForm, "people/keyworker.html", "Assign a keyworker", apply, prefill)


@blueprint.route("/<int:person_id>/pathway", methods=["GET", "POST"])
@allow("manager")
def pathway(person_id: int):
    def prefill(form, person):
        form.pathway.data = str(person.pathway) if person.pathway else "none"

    def apply(form, person):
        services.change_pathway(db.session, person, _optional_int(form.pathway.data), form.reason.data, current_user)
        return f"Pathway changed to {pathway_name(person.pathway)}.", ["pathway"]

    return _simple_change(person_id, PathwayForm, "people/pathway.html", "Change pathway", apply, prefill)


@blueprint.route("/<int:person_id>/extend", methods=["GET", "POST"])
@allow("manager")
def extend(person_id: int):
    def apply(form, person):
        extension = services.extend_roll(db.session, person, form.new_end.data, form.reason.data, form.review_on.data, current_user, settings())
        return f"Roll extended to {long_date(extension.new_end)}.", ["roll_end"]

    return _simple_change(person_id, ExtensionForm, "people/extend.html", "Extend time on the roll", apply)


@blueprint.route("/<int:person_id>/leave", methods=["GET", "POST"])
@allow("manager")
def leave(person_id: int):
    def apply(form, person):
        services.record_leaving(db.session, person, form.left_on.data, form.reason.data, form.note.data, current_user)
        return "Leaving recorded.", ["status"]

    return _simple_change(person_id, LeavingForm, "people/leave.html", "Record that they have left the roll", apply)
