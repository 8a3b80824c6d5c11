"""Activity (destination) records on the wire, in the API's field names (API.md "Destinations").

The schema checks shapes and sizes; codes, dates, hours and providers are checked by the
service, so the pages and the API give the same messages.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from destinations.activities.codes import SOURCES

DATABASE_ID = validate.Range(min=1, max=2**31 - 1)


class DestinationSchema(Schema):
    """What a young person is (or was) doing, from when to when, and how we know."""

    id = fields.Integer(dump_only=True)
    activity_code = fields.String(
        validate=validate.Length(max=10),
        metadata={"description": "NCCIS current-activity code (for example 230) or the service's own code (S10, S20)", "example": "230"},
    )
    label = fields.String(dump_only=True, allow_none=True, metadata={"description": "What the code means"})
    group = fields.String(
        dump_only=True, allow_none=True,
        metadata={"description": "compulsory, education, employment, training, neet, other or not_known"},
    )
    started_on = fields.Date(metadata={"description": "First day of the activity"})
    ended_on = fields.Date(allow_none=True, metadata={"description": "Last day; leave out or null while it is still going on"})
    provider_id = fields.Integer(allow_none=True, validate=DATABASE_ID, metadata={"description": "A provider in the directory"})
    provider_name = fields.String(
        allow_none=True, validate=validate.Length(max=200),
        metadata={"description": "The provider's name when it is not in the directory (send provider_id or provider_name, not both)"},
    )
    hours_per_week = fields.Float(
        allow_none=True, allow_nan=False,
        metadata={"description": "Hours a week, more than 0 and at most 168, one decimal place; required for employment codes", "example": 16},
    )
    level = fields.String(allow_none=True, validate=validate.Length(max=20), metadata={"description": "Qualification level: entry, 1 ... 8"})
    source = fields.String(
        validate=validate.OneOf(list(SOURCES)),
        metadata={"description": "Where the information came from: keyworker (the default), young_person or import. Cannot be changed later"},
    )
    verified = fields.Boolean(metadata={"description": "Whether staff have checked it; always false for a young person's own report"})
    confirmed_on = fields.Date(dump_only=True, allow_none=True, metadata={"description": "The last day someone confirmed it was still going on"})


class DestinationListQuerySchema(Schema):
    current_on = fields.Date(metadata={"description": "Only the record that is current on this date (none or one)"})
