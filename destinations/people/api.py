"""JSON API for the roll: /api/v1/young-people and its history sub-resources."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from destinations.common.api import caller, check_if_match, etag, invalid, not_found, settings, today
from destinations.extensions import db
from destinations.people import services
from destinations.people.models import YoungPerson
from destinations.people.schemas import (
    ExtensionSchema,
    KeyworkerAssignmentSchema,
    LeavingSchema,
    PathwayChangeSchema,
    YoungPersonPatchSchema,
    YoungPersonQuerySchema,
    YoungPersonSchema,
)
from destinations.people.services import RollError, RollFilters
from destinations.reviews.services import last_review_dates
from destinations.security.context import audit
from destinations.security.permissions import allow

blueprint = Blueprint("young_people_api", __name__, url_prefix="/api/v1/young-people", description="Young people on the roll")


def person_out(person: YoungPerson, last_review_on=None) -> dict:
    facts = services.roll_facts(person, today(), settings(), last_review_on)
    point = facts.next_transition_point
    return {
        **{name: getattr(person, name) for name in ("id", "upn", "council_person_id", "given_name", "family_name", "date_of_birth", "sen_provision", "primary_need", "school_id", "keyworker_id", "pathway", "version", "left_on", "left_reason")},
        "year_group": facts.year_group,
        "roll_start": facts.roll_start,
        "age_of_transition_date": facts.age_of_transition_date,
        "roll_end": facts.roll_end,
        "status": facts.status,
        "next_transition_point": {"key": point.key, "name": point.name, "date": point.date} if point else None,
        "next_review_due": facts.next_review_due,
    }


def visible_or_404(person_id: int) -> YoungPerson:
    person = services.get_visible_person(db.session, caller(), person_id)
    if person is None:
        not_found("young person")
    return person


@blueprint.route("")
class YoungPeople(MethodView):
    @allow("manager", "keyworker")
    @blueprint.arguments(YoungPersonQuerySchema, location="query")
    @blueprint.response(200, YoungPersonSchema(many=True))
    @blueprint.paginate(page_size=50, max_page_size=200)
    def get(self, query, pagination_parameters):
        """List the young people you may see (a keyworker's caseload, or the whole roll for managers)."""
        filters = RollFilters(
            year_group=query.get("year_group"),
            pathway=query.get("pathway"),
            status=query.get("status"),
            next_transition_point=query.get("next_transition_point"),
            keyworker_id=query.get("keyworker_id"),
            search=query.get("q"),
        )
        statement = services.filtered_people(caller(), filters, today(), settings())
        people, total = services.list_page(db.session, statement, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        audit("list", "young_person", None, count=len(people), page=pagination_parameters.page)
        db.session.commit()
        reviewed = last_review_dates(db.session, [person.id for person in people])
        return [person_out(person, reviewed.get(person.id)) for person in people]

    @allow("manager")
    @blueprint.arguments(YoungPersonSchema)
    @blueprint.response(201, YoungPersonSchema)
    def post(self, values):
        """Add a young person to the roll (managers)."""
        try:
            person = services.create_person(db.session, values, caller())
        except RollError as error:
            db.session.rollback()
            invalid(error.errors)
        audit("create", "young_person", person.id, fields=sorted(values))
        db.session.commit()
        return person_out(person, None), 201, etag(person.version)


@blueprint.route("/<int:person_id>")
class YoungPersonItem(MethodView):
    @allow("manager", "keyworker")
    @blueprint.response(200, YoungPersonSchema)
    def get(self, person_id):
        """One young person, with their computed roll dates. The ETag is the record's version."""
        person = visible_or_404(person_id)
        audit("view", "young_person", person.id)
        db.session.commit()
        return person_out(person, last_review_dates(db.session, [person.id]).get(person.id)), 200, etag(person.version)

    @allow("manager")
    @blueprint.arguments(YoungPersonPatchSchema)
    @blueprint.response(200, YoungPersonSchema)
    def patch(self, values, person_id):
        """Change editable fields. Send If-Match with the ETag to be told (412) if someone else changed it first."""
        person = visible_or_404(person_id)
        check_if_match(person.version)
        changed: list[str] = []
        try:
            changed = services.update_details(db.session, person, values, caller())
            if "keyworker_id" in values and services.assign_keyworker(db.session, person, values["keyworker_id"], caller()):
                changed.append("keyworker_id")
            if "pathway" in values and values["pathway"] != person.pathway:
                services.change_pathway(db.session, person, values["pathway"], values.get("pathway_reason", ""), caller())
                changed.append("pathway")
        except RollError as error:
            db.session.rollback()
            invalid({("pathway_reason" if key == "reason" else key): value for key, value in error.errors.items()})
        audit("update", "young_person", person.id, fields=sorted(changed))
        db.session.commit()
        return person_out(person, last_review_dates(db.session, [person.id]).get(person.id)), 200, etag(person.version)


@blueprint.route("/<int:person_id>/pathway-changes")
class PathwayChanges(MethodView):
    @allow("manager", "keyworker")
    @blueprint.response(200, PathwayChangeSchema(many=True))
    def get(self, person_id):
        """Pathway history, oldest first, with reasons."""
        person = visible_or_404(person_id)
        audit("view", "young_person", person.id, part="pathway_changes")
        db.session.commit()
        return person.pathway_changes

    @allow("manager")
    @blueprint.arguments(PathwayChangeSchema)
    @blueprint.response(201, PathwayChangeSchema)
    def post(self, values, person_id):
        """Change the pathway (null for not yet decided), with a reason."""
        person = visible_or_404(person_id)
        try:
            change = services.change_pathway(db.session, person, values["to_pathway"], values["reason"], caller())
        except RollError as error:
            db.session.rollback()
            invalid(error.errors)
        db.session.flush()
        audit("update", "young_person", person.id, fields=["pathway"])
        db.session.commit()
        return change


@blueprint.route("/<int:person_id>/extensions")
class Extensions(MethodView):
    @allow("manager", "keyworker")
    @blueprint.response(200, ExtensionSchema(many=True))
    def get(self, person_id):
        """Roll extensions, oldest first."""
        person = visible_or_404(person_id)
        audit("view", "young_person", person.id, part="extensions")
        db.session.commit()
        return person.extensions

    @allow("manager")
    @blueprint.arguments(ExtensionSchema)
    @blueprint.response(201, ExtensionSchema)
    def post(self, values, person_id):
        """Extend time on the roll (never past the 25th birthday)."""
        person = visible_or_404(person_id)
        try:
            extension = services.extend_roll(db.session, person, values["new_end"], values["reason"], values["review_on"], caller(), settings())
        except RollError as error:
            db.session.rollback()
            invalid(error.errors)
        db.session.flush()
        audit("update", "young_person", person.id, fields=["roll_end"])
        db.session.commit()
        return extension


@blueprint.route("/<int:person_id>/keyworker-assignments")
class KeyworkerAssignments(MethodView):
    @allow("manager", "keyworker")
    @blueprint.response(200, KeyworkerAssignmentSchema(many=True))
    def get(self, person_id):
        """Keyworker history, oldest first."""
        person = visible_or_404(person_id)
        audit("view", "young_person", person.id, part="keyworker_assignments")
        db.session.commit()
        return person.keyworker_assignments


@blueprint.route("/<int:person_id>/leaving")
class Leaving(MethodView):
    @allow("manager")
    @blueprint.arguments(LeavingSchema)
    @blueprint.response(200, YoungPersonSchema)
    def post(self, values, person_id):
        """Record that the young person has left the roll, with the date and reason."""
        person = visible_or_404(person_id)
        try:
            services.record_leaving(db.session, person, values["left_on"], values["reason"], values.get("note"), caller())
        except RollError as error:
            db.session.rollback()
            invalid(error.errors)
        audit("update", "young_person", person.id, fields=["status"])
        db.session.commit()
        return person_out(person, last_review_dates(db.session, [person.id]).get(person.id)), 200, etag(person.version)
