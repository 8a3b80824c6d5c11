"""Reviews and actions on the wire, in the API's field names (API.md "Reviews").

The schemas check shapes and sizes; the codes, providers and dates are checked by the
service (``rules.clean_review``) so pages and the API give the same messages.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from destinations.common.schemas import string
from destinations.reviews.models import REVIEW_STATUSES
from destinations.reviews.rules import OWNER_LIMIT, SHORT_TEXT_LIMIT, TEXT_LIMIT

DATABASE_ID = validate.Range(min=1, max=2**31 - 1)
CODE_LENGTH = 40


def code(description: str) -> fields.String:
    return fields.String(
        allow_none=True, validate=validate.Length(max=CODE_LENGTH), metadata={"description": f"{description} (a reference data code)"}
    )


def text(limit: int = TEXT_LIMIT, description: str | None = None) -> fields.String:
    return string(limit, allow_none=True, metadata={"description": description} if description else {})


class AspirationsSchema(Schema):
    """Aspirations under the four PfA outcome areas, in the young person's terms."""

    employment = text(description="Employment, including further and higher education")
    independent_living = text(description="Independent living")
    community = text(description="Friends, relationships and community")
    health = text(description="Good health")


class NextStepSchema(Schema):
    """An intended next step; its start year is an academic year label such as "2027/28"."""

    start_year = fields.String(
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "Academic year of intended start, for example 2027/28; not before the academic year of the review", "example": "2027/28"},
    )
    route = code("Route: study_programme, supported_internship, apprenticeship, ...")
    level = code("Level: entry_1 ... level_4_plus, not_applicable")
    sector_subject_area = code("Tier 1 sector subject area, '1' to '15'; optional for day opportunities, volunteering and other")
    provider_ids = fields.List(
        fields.Integer(validate=DATABASE_ID), allow_none=True, validate=validate.Length(max=20), metadata={"description": "Preferred providers, most preferred first"}
    )
    attendance = code("full_time or part_time")
    support_needs = fields.List(
        fields.String(validate=validate.Length(max=CODE_LENGTH)), allow_none=True, validate=validate.Length(max=40), metadata={"description": "Support need codes"}
    )


class ReviewActionSchema(Schema):
    """An action agreed at the review. On a change, send an existing action's id to keep it."""

    id = fields.Integer(validate=DATABASE_ID, allow_none=True, metadata={"description": "Leave out to add an action; actions left out of a change are removed"})
    description = text(SHORT_TEXT_LIMIT)
    owner = text(OWNER_LIMIT, "Who will do it, for example Keyworker or Parent")
    due_on = fields.Date(allow_none=True)
    done = fields.Boolean(allow_none=True)
    done_at = fields.DateTime(dump_only=True, allow_none=True)


class ReviewSchema(Schema):
    """A preparation-for-adulthood review. Everything is optional in a draft."""

    id = fields.Integer(dump_only=True)
    young_person_id = fields.Integer(dump_only=True)
    status = fields.String(
        validate=validate.OneOf(REVIEW_STATUSES),
        metadata={"description": "draft (light checks, finish later) or complete (every rule); new reviews are complete unless you say draft"},
    )
    held_on = fields.Date(allow_none=True, metadata={"description": "The date the review was held: required when complete, not in the future"})
    review_type = code("Type of review: year9_pfa_review, annual_ehcp_review, aspiration_conversation, ...")
    young_person_present = fields.Boolean(allow_none=True, metadata={"description": "Whether the young person was there"})
    participants = fields.List(
        fields.String(validate=validate.Length(max=CODE_LENGTH)), allow_none=True, validate=validate.Length(max=20), metadata={"description": "Who else took part (participant codes)"}
    )
    participants_other = text(SHORT_TEXT_LIMIT, "Who else took part, when 'other' is among the participants")
    young_persons_words = text(description="The young person's own words")
    aspirations = fields.Nested(AspirationsSchema, allow_none=True)
    next_steps = fields.List(
        fields.Nested(NextStepSchema), allow_none=True, validate=validate.Length(max=20), metadata={"description": "Intended next steps; on a change, the list sent replaces the review's"}
    )
    destinations_statement = text(description="The agreed expected outcome, in plain words")
    actions = fields.List(fields.Nested(ReviewActionSchema), allow_none=True, validate=validate.Length(max=50))
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    updated_at = fields.DateTime(dump_only=True)
    updated_by_id = fields.Integer(dump_only=True, allow_none=True)
    amended = fields.Boolean(dump_only=True, metadata={"description": "True when the review was corrected after it was completed"})
    amended_at = fields.DateTime(dump_only=True, allow_none=True)
    amended_by_id = fields.Integer(dump_only=True, allow_none=True)


class ReviewQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(REVIEW_STATUSES))


class ReviewRevisionSchema(Schema):
    """An earlier version of a completed review, kept when it was corrected."""

    id = fields.Integer(dump_only=True)
    revised_at = fields.DateTime(dump_only=True, metadata={"description": "When the correction was made"})
    revised_by_id = fields.Integer(dump_only=True, allow_none=True, metadata={"description": "Who made the correction"})
    review = fields.Dict(
        attribute="snapshot", dump_only=True, metadata={"description": "The review as it was before the correction, in the same field names as a review"}
    )


class ActionSchema(Schema):
    """An agreed action for the young person."""

    id = fields.Integer(dump_only=True)
    young_person_id = fields.Integer(dump_only=True)
    review_id = fields.Integer(dump_only=True, allow_none=True)
    description = fields.String(dump_only=True)
    owner = fields.String(dump_only=True)
    due_on = fields.Date(dump_only=True, allow_none=True)
    done = fields.Boolean(required=True)
    done_at = fields.DateTime(dump_only=True, allow_none=True)
    done_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class ActionQuerySchema(Schema):
    open = fields.Boolean(metadata={"description": "true for actions not yet done only"})
