"""Outcome reports on the wire: the API.md report shape, with cohort parameters and the
comparison with the national figures."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields

from destinations.activities.sustained import parse_cohort
from destinations.reports.schemas import FORMAT, PERCENTAGE, TableSchema

COHORT_DESCRIPTION = (
    "The leaving cohort: year11-YYYY or year13-YYYY (left that Year at the end of the summer of YYYY), "
    "or transition-YYYY (reached the age of transition in the academic year ending in the summer of YYYY)"
)


def cohort_key(value: str) -> None:
    try:
        parse_cohort(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def transition_cohort_key(value: str) -> None:
    cohort_key(value)
    cohort = parse_cohort(value)
    if cohort.kind != "transition":
        raise ValidationError(
            f"Long-term outcomes are reported for young people reaching the age of transition in a year: "
            f"use transition-{cohort.year}, not {cohort.key}."
        )


class OutcomeQuerySchema(Schema):
    cohort = fields.String(
        required=True,
        validate=cohort_key,
        metadata={"description": COHORT_DESCRIPTION, "example": "year11-2022"},
        error_messages={"required": "Say which cohort: for example ?cohort=year11-2022 (or year13-YYYY, transition-YYYY)."},
    )
    format = FORMAT


class LongTermQuerySchema(Schema):
    cohort = fields.String(
        required=True,
        validate=transition_cohort_key,
        metadata={"description": "A cohort reaching the age of transition: transition-YYYY", "example": "transition-2023"},
        error_messages={"required": "Say which cohort: for example ?cohort=transition-2023."},
    )
    format = FORMAT


class OutcomeParametersSchema(Schema):
    cohort = fields.String(required=True)
    cohort_label = fields.String(required=True)
    destination_year = fields.String(required=True, metadata={"description": "The academic year after the leaving summer, e.g. 2022/23"})
    window_start = fields.String(required=True, metadata={"format": "date", "description": "1 October of the destination year"})
    window_end = fields.String(required=True, metadata={"format": "date", "description": "31 March of the destination year"})
    as_of = fields.String(required=True, metadata={"format": "date"})
    basis = fields.String(
        required=True,
        metadata={
            "enum": ["stored", "live", "projected"],
            "description": "stored: the outcomes stored when the window closed; live: worked out now (window closed, none stored yet); "
            "projected: the window is still open, and ongoing activities are taken to carry on to 31 March",
        },
    )
    final = fields.Boolean(required=True, metadata={"description": "True once the destination academic year (to 31 July) is over, so no outcome can change"})
    evaluated_at = fields.String(allow_none=True, required=True, metadata={"format": "date-time", "description": "When the stored outcomes last changed"})
    k = fields.Integer(required=True, metadata={"description": "Counts from 1 to k - 1 are shown as c"})
    round_to = fields.Integer(allow_none=True, required=True)


class ComparisonSchema(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    source = fields.String(required=True)
    row_labels = fields.List(fields.String(), required=True)
    column_labels = fields.List(fields.String(), required=True)
    keys = fields.List(fields.String(), required=True, metadata={"description": "overall, then the outcome of each column"})
    percentages = fields.List(
        fields.List(fields.Raw(metadata=PERCENTAGE)),
        required=True,
        metadata={"description": "This cohort's percentages (c where suppressed) and the national ones (null where not published)"},
    )


class OutcomeReportSchema(Schema):
    generated_at = fields.String(required=True, metadata={"format": "date-time"})
    parameters = fields.Nested(OutcomeParametersSchema, required=True)
    tables = fields.List(fields.Nested(TableSchema), required=True)
    comparison = fields.Nested(ComparisonSchema, required=True)


class LongTermParametersSchema(Schema):
    cohort = fields.String(required=True)
    cohort_label = fields.String(required=True)
    age_of_transition = fields.Integer(required=True)
    one_year_checks_from = fields.String(required=True, metadata={"format": "date"})
    two_year_checks_to = fields.String(required=True, metadata={"format": "date"})
    as_of = fields.String(required=True, metadata={"format": "date"})
    k = fields.Integer(required=True)
    round_to = fields.Integer(allow_none=True, required=True)


class LongTermReportSchema(Schema):
    generated_at = fields.String(required=True, metadata={"format": "date-time"})
    parameters = fields.Nested(LongTermParametersSchema, required=True)
    tables = fields.List(fields.Nested(TableSchema), required=True)


class CohortSchema(Schema):
    key = fields.String(required=True, metadata={"example": "year11-2022"})
    label = fields.String(required=True)
    destination_year = fields.String(required=True)
    window_start = fields.Date(required=True)
    window_end = fields.Date(required=True)
    window_closed = fields.Boolean(required=True)
    evaluated_at = fields.DateTime(allow_none=True, required=True, metadata={"description": "When its stored outcomes last changed; null if none are stored"})
