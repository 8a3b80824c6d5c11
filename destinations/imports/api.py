"""JSON API for imports: POST a CSV or XLSX file to /api/v1/imports/young-people or /destinations.

``dry_run=true`` (the default) checks the file and says what it would do; ``dry_run=false``
imports it, all or nothing. A dry run needs a token with the ``read`` scope and an import one
with ``write``, so a read-only integration can check its files. A file that was read gets 200
with the counts and every problem; one that could not be read at all gets the error envelope
(422, or 413 when it is too large).
"""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from destinations.common.api import caller, today
from destinations.common.schemas import ErrorSchema
from destinations.extensions import db
from destinations.imports.files import FileTooLarge, describe_size
from destinations.imports.kinds import KINDS
from destinations.imports.schemas import ImportRequestSchema, ImportResultSchema
from destinations.imports.services import Actor, ImportSettings, run_import
from destinations.security.context import actor, client_address
from destinations.security.permissions import allow, require_token_scope

# Room for the multipart framing around the file.
FORM_OVERHEAD = 64 * 1024


class FormAndFilesParser(FlaskParser):
    """Reads a multipart body's fields and files together, so one schema documents the whole body."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class ImportBlueprint(Blueprint):
    ARGUMENTS_PARSER = FormAndFilesParser()


blueprint = ImportBlueprint(
    "imports_api",
    __name__,
    url_prefix="/api/v1/imports",
    description="Bring in young people and destinations from CSV or XLSX files (managers; a dry run needs a token with the read scope, an import the write scope)",
)


def import_settings() -> ImportSettings:
    return ImportSettings.from_config(current_app.config)


@blueprint.before_app_request
def refuse_oversized_uploads():
    """Answer 413 from the Content-Length alone, before a body too large to import is read."""
    if request.blueprint != blueprint.name or request.content_length is None:
        return None
    limit = import_settings().max_bytes
    if request.content_length > limit + FORM_OVERHEAD:
        abort(413, message=FileTooLarge(request.content_length, limit).message)
    return None


def run(slug: str, arguments: dict):
    kind = KINDS[slug]
    dry_run = arguments["dry_run"]
    if dry_run:
        require_token_scope("read", "Checking a file (dry_run=true) needs an API token with the 'read' scope.", field="dry_run")
    else:
        require_token_scope(
            "write",
            "Importing (dry_run=false) needs an API token with the 'write' scope, and this token does not have it. "
            "Send dry_run=true to check the file without importing it.",
            field="dry_run",
        )
    actor_type, _actor_id = actor()
    upload = arguments["file"]
    result = run_import(
        db.session,
        kind.importer(today()),
        upload.stream,
        actor=Actor(caller(), actor_type, client_address()),
        dry_run=dry_run,
        channel="api",
        today=today(),
        settings=import_settings(),
    )
    db.session.commit()
    if result.too_large:
        abort(413, message=result.unreadable)
    if result.unreadable is not None:
        abort(422, message=result.unreadable, messages={"file": [result.unreadable]})
    if result.conflict:
        abort(409, message=result.problems[-1].message)
    return result.as_dict()


def documented(view):
    view = blueprint.alt_response(413, schema=ErrorSchema, description=f"The file (or the request) is over the size limit (IMPORT_MAX_BYTES, {describe_size(ImportSettings.max_bytes)} unless set otherwise)")(view)
    view = blueprint.alt_response(422, schema=ErrorSchema, description="No file was sent, or the file could not be read at all (not CSV or XLSX, not text, damaged); errors.file says why")(view)
    view = blueprint.alt_response(409, schema=ErrorSchema, description="Others kept changing the same records while the import ran; nothing was imported")(view)
    return view


@blueprint.route("/young-people")
class YoungPeopleImport(MethodView):
    @allow("manager", scope=("read", "write"))  # run() asks for read (a dry run) or write (an import)
    @blueprint.arguments(ImportRequestSchema, location="files", content_type="multipart/form-data")
    @blueprint.response(200, ImportResultSchema)
    @documented
    def post(self, arguments):
        """Import young people from a CSV or XLSX file: matched on upn, else council_person_id; created or updated, all or nothing.

        Headings are the API field names (upn, council_person_id, given_name, family_name, date_of_birth,
        sen_provision, primary_need, school_id, school_urn, keyworker_id, keyworker_email, pathway); usual
        case-management headings (UPN, Legal Forename, Surname, DOB, SEN Provision, Primary Need, Person ID...)
        are recognised too. Dates are DD/MM/YYYY or YYYY-MM-DD. A blank optional cell leaves what is held unchanged.
        """
        return run("young-people", arguments)


@blueprint.route("/destinations")
class DestinationsImport(MethodView):
    @allow("manager", scope=("read", "write"))  # run() asks for read (a dry run) or write (an import)
    @blueprint.arguments(ImportRequestSchema, location="files", content_type="multipart/form-data")
    @blueprint.response(200, ImportResultSchema)
    @documented
    def post(self, arguments):
        """Import destinations (activity records) from a CSV or XLSX file, all or nothing.

        Headings: upn (or council_person_id), activity_code, started_on, ended_on, provider_id, provider_name,
        hours_per_week, level, verified. The same young person, code and start date is the same activity:
        importing it again changes nothing, and an imported activity whose details changed is updated.
        """
        return run("destinations", arguments)
