"""JSON API for activity (destination) records: /api/v1/young-people/{id}/destinations."""
from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from destinations.activities import services
from destinations.activities.models import ActivityRecord
from destinations.activities.schemas import DestinationListQuerySchema, DestinationSchema
from destinations.activities.services import ActivityError
from destinations.common.api import caller, check_if_match, etag, not_found, today
from destinations.extensions import db
from destinations.people.models import YoungPerson
from destinations.people.services import get_visible_person
from destinations.security.context import audit
from destinations.security.permissions import allow

blueprint = Blueprint(
    "activities_api", __name__, url_prefix="/api/v1/young-people", description="Destinations: what each young person is doing (activity records)"
)


def visible_or_404(person_id: int) -> YoungPerson:
    person = get_visible_person(db.session, caller(), person_id)
    if person is None:
        not_found("young person")
    return person


def activity_or_404(person: YoungPerson, activity_id: int) -> ActivityRecord:
    record = services.get_activity(db.session, person, activity_id)
    if record is None:
        not_found("destination")
    return record


def invalid(errors: dict[str, list[str]]):
    abort(422, message="Some fields are not valid. See 'errors' for what to fix.", messages=errors)


def as_dict(record: ActivityRecord) -> dict:
    out = services.activity_as_dict(record)
    if out["hours_per_week"] is not None:
        out["hours_per_week"] = float(out["hours_per_week"])
    return out


def from_wire(values: dict) -> dict:
    """Numbers arrive as floats; the service reads hours as decimal text so 37.5 stays 37.5."""
    if values.get("hours_per_week") is not None:
        values["hours_per_week"] = str(Decimal(repr(values["hours_per_week"])))
    return values


def headers(record: ActivityRecord) -> dict[str, str]:
    return {**etag(record.version), "Location": url_for("activities_api.DestinationItem", person_id=record.young_person_id, activity_id=record.id)}


@blueprint.route("/<int:person_id>/destinations")
class Destinations(MethodView):
    @allow("manager", "keyworker")
    @blueprint.arguments(DestinationListQuerySchema, location="query")
    @blueprint.response(200, DestinationSchema(many=True))
    @blueprint.paginate(page_size=50, max_page_size=200)
    def get(self, query, pagination_parameters, person_id):
        """The young person's activity records, newest start first; ?current_on=YYYY-MM-DD for the current one."""
        person = visible_or_404(person_id)
        if "current_on" in query:
            current = services.current_activity(db.session, person.id, query["current_on"])
            records = [current] if current is not None else []
        else:
            records = services.timeline(db.session, person.id)
        pagination_parameters.item_count = len(records)
        page, size = pagination_parameters.page, pagination_parameters.page_size
        records = records[(page - 1) * size : page * size]
        audit("view", "young_person", person.id, part="activities", count=len(records))
        db.session.commit()
        return [as_dict(record) for record in records]

    @allow("manager", "keyworker")
    @blueprint.arguments(DestinationSchema)
    @blueprint.response(201, DestinationSchema)
    def post(self, values, person_id):
        """Record an activity. A record with source young_person is kept beside verified records and never changes them."""
        person = visible_or_404(person_id)
        source = values.pop("source", "keyworker")
        try:
            record = services.record_activity(db.session, person, from_wire(values), source=source, by=caller(), today=today())
        except ActivityError as error:
            db.session.rollback()
            invalid(error.errors)
        audit("create", "young_person", person.id, part="activity", activity_id=record.id, fields=sorted(values))
        db.session.commit()
        return as_dict(record), 201, headers(record)


@blueprint.route("/<int:person_id>/destinations/<int:activity_id>")
class DestinationItem(MethodView):
    @allow("manager", "keyworker")
    @blueprint.response(200, DestinationSchema)
    def get(self, person_id, activity_id):
        """One activity record. The ETag is its version: send it back in If-Match when you change it."""
        person = visible_or_404(person_id)
        record = activity_or_404(person, activity_id)
        audit("view", "young_person", person.id, part="activity", activity_id=record.id)
        db.session.commit()
        return as_dict(record), 200, etag(record.version)

    @allow("manager", "keyworker")
    @blueprint.arguments(DestinationSchema)
    @blueprint.response(200, DestinationSchema)
    def patch(self, values, person_id, activity_id):
        """Change an activity record; fields you leave out stay as they are.

        Send If-Match with the ETag to be told (412) if someone else changed it first. The
        source cannot change: it is where the information first came from.
        """
        person = visible_or_404(person_id)
        record = activity_or_404(person, activity_id)
        check_if_match(record.version)
        if "source" in values and values["source"] != record.source:
            invalid({"source": ["The source cannot be changed: it records where the information first came from. Add a new record instead"]})
        values.pop("source", None)
        try:
            changed = services.update_activity(db.session, record, from_wire(values), today=today())
        except ActivityError as error:
            db.session.rollback()
            invalid(error.errors)
        audit("update", "young_person", person.id, part="activity", activity_id=record.id, fields=sorted(changed))
        db.session.commit()
        return as_dict(record), 200, etag(record.version)

    @allow("manager", "keyworker")
    @blueprint.response(204)
    def delete(self, person_id, activity_id):
        """Delete a record entered by mistake (end an activity that has stopped instead). If-Match is honoured."""
        person = visible_or_404(person_id)
        record = activity_or_404(person, activity_id)
        check_if_match(record.version)
        record_id = record.id
        services.delete_activity(db.session, record)
        audit("update", "young_person", person.id, part="activity", activity_id=record_id, deleted=True)
        db.session.commit()
        return None
