"""Imports on the wire (API.md "Imports")."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields


class ImportRequestSchema(Schema):
    file = Upload(
        required=True,
        metadata={"description": "A CSV (UTF-8, with or without a byte order mark, or Windows-1252) or XLSX file. Its first row holds the headings."},
    )
    dry_run = fields.Boolean(
        load_default=True,
        metadata={"description": "true (the default): check the file and count what it would do, writing nothing. false: import it, all or nothing."},
    )


class ImportProblemSchema(Schema):
    row = fields.Integer(allow_none=True, metadata={"description": "The row in the file (1 is the heading row); null for the file as a whole"})
    column = fields.String(allow_none=True, metadata={"description": "The column's heading as it is in the file (or the field name of a missing column)"})
    message = fields.String(metadata={"description": "What is wrong and how to fix it"})


class ImportResultSchema(Schema):
    dry_run = fields.Boolean()
    imported = fields.Boolean(metadata={"description": "Whether anything was written. Any error means nothing was."})
    rows = fields.Integer(metadata={"description": "Rows of data read (blank rows are skipped)"})
    created = fields.Integer(metadata={"description": "Records added (or, in a dry run, that would be)"})
    updated = fields.Integer(metadata={"description": "Records changed (or that would be)"})
    unchanged = fields.Integer(metadata={"description": "Rows that match what the service already holds"})
    error_count = fields.Integer(metadata={"description": "Every problem found; 'errors' lists the first 1,000"})
    errors = fields.List(fields.Nested(ImportProblemSchema))
    ignored_columns = fields.List(fields.String(), metadata={"description": "Headings not recognised, whose columns were not read"})
    import_id = fields.Integer(allow_none=True, metadata={"description": "The import's number in the service's records"})
