"""Reports on the wire (API.md "Reports"): a report is ``{"generated_at", "parameters", "tables"}``."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from destinations.people import roll
from destinations.reports.exports import FORMATS

DATABASE_ID = validate.Range(min=1, max=2**31 - 1)
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099

COUNT = {
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "enum": ["c"], "description": "suppressed: a count from 1 to k - 1, or one hidden so that such a count cannot be worked out"},
    ]
}
PERCENTAGE = {"anyOf": [{"type": "number", "nullable": True}, {"type": "string", "enum": ["c"]}]}


def academic_year_label(value: str) -> None:
    try:
        start = roll.parse_academic_year_label(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if not EARLIEST_YEAR <= start <= LATEST_YEAR:
        raise ValidationError(f"Choose an academic year from {EARLIEST_YEAR}/{(EARLIEST_YEAR + 1) % 100:02d} to {LATEST_YEAR}/{(LATEST_YEAR + 1) % 100:02d}.")


def academic_year_field(**kwargs) -> fields.String:
    return fields.String(
        validate=[validate.Length(max=7), academic_year_label],
        metadata={"description": "Target academic year, for example 2027/28", "example": "2027/28"},
        **kwargs,
    )


def count(**metadata) -> fields.Raw:
    return fields.Raw(metadata={**COUNT, **metadata})


FORMAT = fields.String(
    validate=validate.OneOf(list(FORMATS)),
    metadata={"description": "csv or xlsx for a file with the same numbers; json (the default) as an attachment"},
)


class DemandQuerySchema(Schema):
    academic_year = academic_year_field()
    provider_id = fields.Integer(
        validate=DATABASE_ID, metadata={"description": "Only the young people who named this provider for a step in the year"}
    )
    format = FORMAT


class FormatQuerySchema(Schema):
    format = FORMAT


class PublishedQuerySchema(Schema):
    academic_year = academic_year_field()


class PublishSchema(Schema):
    academic_year = academic_year_field(required=True)


class TableSchema(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    row_labels = fields.List(fields.String(), required=True)
    column_labels = fields.List(fields.String(), required=True)
    cells = fields.List(fields.List(count()), required=True, metadata={"description": "One list per row; numbers or \"c\""})
    row_totals = fields.List(count(), required=True)
    column_totals = fields.List(count(), required=True)
    total = count(required=True)
    percentages = fields.List(
        fields.List(fields.Raw(metadata=PERCENTAGE)),
        metadata={"description": "Where given: each cell as a percentage of its row, column or the total; \"c\" where the count is; null where the whole is 0"},
    )


class ParametersSchema(Schema):
    academic_year = fields.String(required=True)
    provider_id = fields.Integer(metadata={"description": "Present on a provider's slice"})
    k = fields.Integer(required=True, metadata={"description": "Counts from 1 to k - 1 are shown as c"})
    round_to = fields.Integer(allow_none=True, required=True, metadata={"description": "Counts are rounded to a multiple of this; null for none"})


class ReportSchema(Schema):
    generated_at = fields.String(required=True, metadata={"format": "date-time"})
    parameters = fields.Nested(ParametersSchema, required=True)
    tables = fields.List(fields.Nested(TableSchema), required=True)


class PublishedReportSchema(Schema):
    """A published snapshot, without its tables (see /published/{id} for them)."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    academic_year = fields.String(required=True)
    provider_id = fields.Integer(allow_none=True, required=True, metadata={"description": "null for the area-wide report"})
    provider_name = fields.String(allow_none=True, metadata={"description": "The provider the slice is for"})
    published_at = fields.DateTime(required=True)


class PublishedReportDetailSchema(PublishedReportSchema, ReportSchema):
    """A published snapshot with its tables, exactly as they were published."""


class PublishResultSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "The area-wide snapshot"})
    academic_year = fields.String(required=True)
    published_at = fields.DateTime(required=True)
    slices = fields.Integer(required=True, metadata={"description": "How many provider slices were published with it"})
