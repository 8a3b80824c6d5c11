from marshmallow import Schema, fields, validate

from destinations.auth.models import ROLES
from destinations.common.schemas import string


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = string(120, required=True, validate=validate.Length(min=1, max=120))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    provider_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    active = fields.Boolean(dump_only=True)
    password = fields.String(load_only=True, validate=validate.Length(min=12, max=1000), metadata={"description": "At least 12 characters"})


class UserPatchSchema(Schema):
    name = string(120, validate=validate.Length(min=1, max=120))
    active = fields.Boolean()
    provider_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))


class UserQuerySchema(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
