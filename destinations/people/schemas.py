from __future__ import annotations

from marshmallow import Schema, fields, validate

from destinations.common.schemas import string
from destinations.people.models import LEAVING_REASONS
from destinations.people.reference import PRIMARY_NEEDS, SEN_PROVISION, STATUSES

TRANSITION_POINT_KEYS = ("year9", "end_of_year11", "end_of_year13", "age_of_transition", "roll_end")


class TransitionPointSchema(Schema):
    key = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    date = fields.Date(dump_only=True)


class YoungPersonSchema(Schema):
    """A young person on the roll; the roll facts are computed and read-only."""

    id = fields.Integer(dump_only=True)
    upn = string(13, allow_none=True, metadata={"description": "Unique Pupil Number with its check letter"})
    council_person_id = string(40, allow_none=True, metadata={"description": "The council's own id, for people without a UPN"})
    given_name = string(100, required=True, validate=validate.Length(min=1, max=100))
    family_name = string(100, required=True, validate=validate.Length(min=1, max=100))
    date_of_birth = fields.Date(required=True)
    sen_provision = fields.String(required=True, validate=validate.OneOf(list(SEN_PROVISION)))
    primary_need = fields.String(required=True, validate=validate.OneOf(list(PRIMARY_NEEDS)))
    school_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    keyworker_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    pathway = fields.Integer(allow_none=True, validate=validate.OneOf([1, 2, 3]))
    version = fields.Integer(dump_only=True)
    year_group = fields.Integer(dump_only=True)
    roll_start = fields.Date(dump_only=True)
    age_of_transition_date = fields.Date(dump_only=True)
    roll_end = fields.Date(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": list(STATUSES)})
    left_on = fields.Date(dump_only=True, allow_none=True)
    left_reason = fields.String(dump_only=True, allow_none=True)
    next_transition_point = fields.Nested(TransitionPointSchema, dump_only=True, allow_none=True)
    next_review_due = fields.Date(dump_only=True, allow_none=True)


class YoungPersonPatchSchema(YoungPersonSchema):
    """Every editable field is optional on PATCH; a pathway change needs a reason."""

    given_name = string(100, validate=validate.Length(min=1, max=100))
    family_name = string(100, validate=validate.Length(min=1, max=100))
    date_of_birth = fields.Date()
    sen_provision = fields.String(validate=validate.OneOf(list(SEN_PROVISION)))
    primary_need = fields.String(validate=validate.OneOf(list(PRIMARY_NEEDS)))
    pathway_reason = string(2000, load_only=True, metadata={"description": "Required when pathway changes"})


class YoungPersonQuerySchema(Schema):
    year_group = fields.Integer(validate=validate.Range(min=-5, max=30))
    pathway = fields.String(validate=validate.OneOf(["1", "2", "3", "none"]))
    status = fields.String(validate=validate.OneOf(list(STATUSES)))
    next_transition_point = fields.String(validate=validate.OneOf(TRANSITION_POINT_KEYS))
    keyworker_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    q = string(100, metadata={"description": "Search by name or UPN"})


class PathwayChangeSchema(Schema):
    id = fields.Integer(dump_only=True)
    from_pathway = fields.Integer(dump_only=True, allow_none=True)
    pathway = fields.Integer(required=True, allow_none=True, validate=validate.OneOf([1, 2, 3]), attribute="to_pathway", data_key="pathway")
    reason = string(2000, required=True, validate=validate.Length(min=1, max=2000))
    changed_at = fields.DateTime(dump_only=True)
    changed_by_id = fields.Integer(dump_only=True, allow_none=True)


class ExtensionSchema(Schema):
    id = fields.Integer(dump_only=True)
    previous_end = fields.Date(dump_only=True)
    new_end = fields.Date(required=True)
    reason = string(2000, required=True, validate=validate.Length(min=1, max=2000))
    review_on = fields.Date(required=True)
    created_at = fields.DateTime(dump_only=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)


class KeyworkerAssignmentSchema(Schema):
    keyworker_id = fields.Integer(dump_only=True, allow_none=True)
    assigned_at = fields.DateTime(dump_only=True)
    assigned_by_id = fields.Integer(dump_only=True, allow_none=True)


class LeavingSchema(Schema):
    left_on = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(list(LEAVING_REASONS)))
    note = string(2000, allow_none=True)
