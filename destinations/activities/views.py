"""Pages for activity (destination) records: add, change, end, confirm and delete them on a
young person's record; the "destinations to follow up" worklist; the NCCIS-style export.

Keyworkers work on their caseload only (anyone else's record answers 404); managers on the
whole roll. Every view and change of a young person's record is audited.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from destinations.activities import codes, nccis, services
from destinations.activities.forms import (
    ActivityForm,
    ConfirmActivityForm,
    DeleteActivityForm,
    EndActivityForm,
    ExportForm,
    FollowUpFilterForm,
    NewActivityForm,
)
from destinations.activities.models import ActivityRecord
from destinations.activities.services import ActivityError, StaleActivity
from destinations.extensions import db
from destinations.people.models import YoungPerson
from destinations.people.services import RollSettings, get_visible_person, keyworker_names
from destinations.providers.models import Provider
from destinations.security.context import audit
from destinations.security.permissions import allow
from destinations.views_support import Page, page_number

blueprint = Blueprint("activities", __name__)
PAGE_SIZE = 50
STALE_MESSAGE = "Someone else changed this activity while you were editing. Check it below and save again: what you typed has been kept."
# Providers a young person's activity can be with (schools are for the school a child is at).
ACTIVITY_PROVIDER_KINDS = ("special_school", "school", "college", "sixth_form_college", "specialist_college", "training", "university", "employer", "day_service", "other")


@blueprint.app_context_processor
def activity_helpers() -> dict:
    return {"activity_label": _label}


def _label(code: str | None) -> str:
    found = codes.activity_code(code) if code else None
    return found.label if found else ""


@blueprint.app_template_filter("hours")
def _hours_text(hours) -> str:
    """Hours a week as people write them: 16, 37.5 (never 16.0)."""
    if hours is None:
        return ""
    text = f"{hours:f}"
    return text[:-2] if text.endswith(".0") else text


def today() -> date:
    return date.today()


def settings() -> RollSettings:
    return RollSettings.from_config(current_app.config)


def person_or_404(person_id: int) -> YoungPerson:
    person = get_visible_person(db.session, current_user, person_id)
    if person is None:
        abort(404)
    return person


def activity_or_404(person: YoungPerson, activity_id: int) -> ActivityRecord:
    record = services.get_activity(db.session, person, activity_id)
    if record is None:
        abort(404)
    return record


def record_url(person_id: int) -> str:
    return url_for("people.record", person_id=person_id) + "#activities"


# --- on the young person's record -----------------------------------------------------------

def activity_section_context(session, person: YoungPerson, on: date) -> dict:
    """What ``activities/_record_section.html`` needs besides ``person``: the timeline (newest
    first), the current activity and the warnings about overlapping records, per record id."""
    records = list(
        session.scalars(
            select(ActivityRecord)
            .where(ActivityRecord.young_person_id == person.id)
            .order_by(ActivityRecord.started_on.desc(), ActivityRecord.id.desc())
            .options(selectinload(ActivityRecord.provider), selectinload(ActivityRecord.recorded_by))
        )
    )
    flags = services.activity_flags(records)
    warnings: dict[int, list[str]] = {}
    for flag in flags:
        for record in (flag.first, flag.second):
            warnings.setdefault(record.id, []).append(flag.message)
    return {
        "activities": records,
        "current_activity": services.pick_current(records, on),
        "activity_flags": flags,
        "activity_warnings": warnings,
        "activity_code_of": codes.activity_code,
        "activity_sources": codes.SOURCES,
        "activity_levels": services.LEVELS,
        "activity_confirm_form": ConfirmActivityForm(),
        "activity_stale_before": services.stale_before(on),
    }


def provider_choices(chosen: int | None = None) -> list[tuple[str, str]]:
    query = select(Provider.id, Provider.name, Provider.kind, Provider.active).where(Provider.kind.in_(ACTIVITY_PROVIDER_KINDS)).order_by(Provider.name, Provider.id)
    return [("", "Not in the directory")] + [
        (str(provider_id), name) for provider_id, name, _kind, active in db.session.execute(query) if active or provider_id == chosen
    ]


def form_values(form: ActivityForm) -> dict:
    """What was typed, in the service's field names (fields the form could not read are left out)."""
    values = {
        "activity_code": form.activity_code.data or None,
        "started_on": form.started_on.data,
        "ended_on": form.ended_on.data,
        "provider_id": form.provider_id.data or None,
        "provider_name": form.provider_name.data,
        "hours_per_week": form.hours_per_week.data,
        "level": form.level.data or None,
        "verified": bool(form.verified.data),
    }
    return {name: value for name, value in values.items() if not getattr(form, name).errors}


def show_errors(form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and name not in ("version", "csrf_token"):
            if not field.errors:  # the form's own message (for example a half-typed date) comes first
                field.errors = list(field.errors) + list(messages)
        else:
            form.form_errors.extend(messages)


def is_stale(form, record: ActivityRecord) -> bool:
    if form.version.data and form.version.data != str(record.version):
        form.version.data = str(record.version)
        form.form_errors.append(STALE_MESSAGE)
        return True
    return False


def render_form(form, person, record, heading: str):
    return render_template(
        "activities/form.html",
        form=form,
        person=person,
        record=record,
        heading=heading,
        page_title=("Error: " if form.errors else "") + heading,
    )


@blueprint.route("/young-people/<int:person_id>/activities/new", methods=["GET", "POST"])
@allow("manager", "keyworker")
def new(person_id: int):
    person = person_or_404(person_id)
    form = NewActivityForm()
    form.provider_id.choices = provider_choices()
    if request.method == "POST":
        form_ok = form.validate()
        values = form_values(form)
        if not form_ok:
            show_errors(form, services.validate_activity({**values, "source": "keyworker"}, today=today(), date_of_birth=person.date_of_birth))
        else:
            try:
                record = services.record_activity(
                    db.session, person, values, source="keyworker", by=current_user._get_current_object(), today=today(), end_current=bool(form.end_current.data)
                )
            except ActivityError as error:
                db.session.rollback()
                show_errors(form, error.errors)
            else:
                audit("create", "young_person", person.id, part="activity", activity_id=record.id, fields=sorted(name for name, value in values.items() if value not in (None, "", False)))
                db.session.commit()
                flash("Activity added.", "success")
                return redirect(record_url(person.id))
    return render_form(form, person, None, "Add an activity")


@blueprint.route("/young-people/<int:person_id>/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@allow("manager", "keyworker")
def edit(person_id: int, activity_id: int):
    person = person_or_404(person_id)
    record = activity_or_404(person, activity_id)
    if request.method == "GET":
        form = ActivityForm(data={
            "activity_code": record.activity_code,
            "started_on": record.started_on,
            "ended_on": record.ended_on,
            "provider_id": str(record.provider_id or ""),
            "provider_name": record.provider_name or "",
            "hours_per_week": _hours_text(record.hours_per_week),
            "level": record.level or "",
            "verified": record.verified,
            "version": str(record.version),
        })
        audit("view", "young_person", person.id, part="activity", activity_id=record.id)
        db.session.commit()
    else:
        form = ActivityForm()
    form.provider_id.choices = provider_choices(record.provider_id)
    if request.method == "POST":
        form_ok = form.validate()
        values = form_values(form)
        if is_stale(form, record):
            pass  # the message is on the form; what was typed is shown again
        elif not form_ok:
            _, errors = services.clean_activity(values, today=today(), date_of_birth=person.date_of_birth)
            show_errors(form, errors)
        else:
            try:
                changed = services.update_activity(db.session, record, values, today=today())
            except ActivityError as error:
                db.session.rollback()
                show_errors(form, error.errors)
            else:
                audit("update", "young_person", person.id, part="activity", activity_id=record.id, fields=sorted(changed))
                db.session.commit()
                flash("Activity saved." if changed else "Nothing was changed.", "success")
                return redirect(record_url(person.id))
    return render_form(form, person, record, "Change activity")




@blueprint.route("/young-people/<int:person_id>/activities/<int:activity_id>/end", methods=["GET", "POST"])
@allow("manager", "keyworker")
def end(person_id: int, activity_id: int):
    person = person_or_404(person_id)
    record = activity_or_404(person, activity_id)
    form = EndActivityForm()
    if request.method == "GET":
        form.version.data = str(record.version)
        form.ended_on.data = record.ended_on
        audit("view", "young_person", person.id, part="activity", activity_id=record.id)
        db.session.commit()
    elif form.validate_on_submit() and not is_stale(form, record):
        try:
            services.end_activity(db.session, record, form.ended_on.data, today=today())
        except ActivityError as error:
            db.session.rollback()
            show_errors(form, error.errors)
        else:
            audit("update", "young_person", person.id, part="activity", activity_id=record.id, fields=["ended_on"])
            db.session.commit()
            flash("Activity ended.", "success")
            return redirect(record_url(person.id))
    return _record_form("activities/end.html", "End activity", form, person, record)


def _record_form(template: str, heading: str, form, person, record):
    """A page about one activity record (ending or deleting it), titled "Error: ..." while its form has errors."""
    return render_template(
        template, form=form, person=person, record=record, heading=heading, page_title=("Error: " if form.errors else "") + heading,
        code=codes.activity_code(record.activity_code),
    )


@blueprint.post("/young-people/<int:person_id>/activities/<int:activity_id>/confirm")
@allow("manager", "keyworker")
def confirm(person_id: int, activity_id: int):
    """'Confirm still doing this': the activity is checked today, so it leaves the follow-up list."""
    person = person_or_404(person_id)
    record = activity_or_404(person, activity_id)
    form = ConfirmActivityForm()
    if not form.validate():
        abort(400)
    try:
        services.confirm_activity(db.session, record, today=today(), by=current_user._get_current_object(), version=form.version.data or None)
    except StaleActivity as error:
        db.session.rollback()
        flash(str(error), "important")
    except ActivityError as error:
        db.session.rollback()
        flash(" ".join(message for messages in error.errors.values() for message in messages), "important")
    else:
        audit("update", "young_person", person.id, part="activity", activity_id=record.id, fields=["confirmed_on", "verified"])
        db.session.commit()
        flash("Activity confirmed as still going on today.", "success")
    if request.form.get("return_to") == "follow_up":
        return redirect(url_for("activities.follow_up"))
    return redirect(record_url(person.id))


@blueprint.route("/young-people/<int:person_id>/activities/<int:activity_id>/delete", methods=["GET", "POST"])
@allow("manager", "keyworker")
def delete(person_id: int, activity_id: int):
    person = person_or_404(person_id)
    record = activity_or_404(person, activity_id)
    form = DeleteActivityForm()
    if request.method == "GET":
        form.version.data = str(record.version)
        audit("view", "young_person", person.id, part="activity", activity_id=record.id)
        db.session.commit()
    elif form.validate_on_submit() and not is_stale(form, record):
        record_id = record.id
        services.delete_activity(db.session, record)
        audit("update", "young_person", person.id, part="activity", activity_id=record_id, deleted=True)
        db.session.commit()
        flash("Activity deleted.", "success")
        return redirect(record_url(person.id))
    return _record_form("activities/delete.html", "Delete this activity?", form, person, record)


# --- worklist -------------------------------------------------------------------------------

@blueprint.get("/destinations/follow-up")
@allow("manager", "keyworker")
def follow_up():
    """Young people whose destination needs chasing: a keyworker's caseload, or (managers) everyone."""
    form = FollowUpFilterForm(request.args)
    manager = current_user.role == "manager"
    if manager:
        form.keyworker.choices = [("", "Anyone")] + [(str(user_id), name) for user_id, name in keyworker_names(db.session)]
    form.validate()
    reason = form.reason.data if form.reason.data in services.FOLLOW_UP_REASONS else None
    keyworker_id = current_user.id
    if manager:
        keyworker_id = int(form.keyworker.data) if (form.keyworker.data or "").isdigit() and not form.keyworker.errors else None
    on = today()
    query = services.follow_up_query(on, keyworker_id=keyworker_id, settings=settings(), reason=reason)
    page = page_number(request.args.get("page"))
    total = int(db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
    rows = db.session.execute(query.options(joinedload(YoungPerson.keyworker)).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    current = services.current_activities(db.session, [row[0].id for row in rows], on)
    audit("list", "young_person", None, part="destinations_follow_up", count=len(rows), page=page)
    db.session.commit()
    query_args = {key: value for key, value in request.args.items() if key != "page" and value}
    heading = "Destinations to follow up"
    return render_template(
        "activities/follow_up.html",
        form=form,
        rows=rows,
        current=current,
        page=Page(items=rows, page=page, page_size=PAGE_SIZE, total=total),
        heading=heading,
        page_title=heading,
        query_args=query_args,
        reasons=services.FOLLOW_UP_REASONS,
        activity_code_of=codes.activity_code,
        confirm_form=ConfirmActivityForm(),
        manager=manager,
        today=on,
    )


# --- NCCIS-style export ---------------------------------------------------------------------

@blueprint.get("/destinations/nccis-export")
@allow("manager")
def nccis_export():
    """The current activity of everyone in the return's age range, as a CSV for the council's return."""
    if "reference_date" not in request.args:
        form = ExportForm(formdata=None, reference_date=today())
    else:
        form = ExportForm(request.args)
    if "reference_date" in request.args and form.validate():
        on = form.reference_date.data
        if on is None:
            form.reference_date.errors = ["Enter the reference date"]
        elif not date(2000, 1, 1) <= on <= date.fromordinal(today().toordinal() + 366):
            form.reference_date.errors = ["The reference date must be between 1 January 2000 and a year from today"]
        else:
            return _stream_export(on)
    heading = "NCCIS current activity export"
    return render_template(
        "activities/export.html", form=form, heading=heading, page_title=("Error: " if form.errors else "") + heading, columns=nccis.COLUMNS
    )


def _stream_export(on: date) -> Response:
    count = nccis.count_rows(db.session, on)
    audit("export", "young_person", None, part="nccis_current_activity", count=count, reference_date=on.isoformat())
    db.session.commit()
    return Response(
        stream_with_context(nccis.csv_chunks(db.session, on)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="nccis-current-activity-{on.isoformat()}.csv"'},
    )
