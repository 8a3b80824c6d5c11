"""Schema pieces shared by every API area."""
from __future__ import annotations

from marshmallow import Schema, fields, validate


class ErrorSchema(Schema):
    """The one error envelope every API error uses."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP reason phrase"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Messages per field name"},
    )


class PaginationSchema(Schema):
    total = fields.Integer()
    total_pages = fields.Integer()
    first_page = fields.Integer()
    last_page = fields.Integer()
    page = fields.Integer()
    previous_page = fields.Integer()
    next_page = fields.Integer()


def string(max_length: int, **kwargs) -> fields.String:
    """A string field limited to ``max_length`` (what the column holds) unless told otherwise."""
    kwargs.setdefault("validate", validate.Length(max=max_length))
    return fields.String(**kwargs)
