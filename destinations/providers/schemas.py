from marshmallow import Schema, fields, validate

from destinations.common.schemas import string
from destinations.providers.models import PROVIDER_KINDS


class ProviderSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = string(200, required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(list(PROVIDER_KINDS)))
    urn = string(7, allow_none=True, metadata={"description": "Unique Reference Number (schools), 6 or 7 digits"})
    ukprn = string(8, allow_none=True, metadata={"description": "UK Provider Reference Number, 8 digits starting with 1"})
    postcode = string(10, allow_none=True)
    active = fields.Boolean(load_default=True)


class ProviderPatchSchema(ProviderSchema):
    name = string(200, validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(list(PROVIDER_KINDS)))
    active = fields.Boolean()


class ProviderQuerySchema(Schema):
    q = string(100)
    kind = fields.String(validate=validate.OneOf(list(PROVIDER_KINDS)))
