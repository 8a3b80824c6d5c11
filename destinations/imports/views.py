"""Pages for imports: the columns each file takes, templates, upload, preview and confirmation.

Uploading a file checks it and shows a preview; nothing is written. The preview carries a
signed note of the file's digest; importing asks for the same file again, checks it is that
file, and imports it (checked again against the records as they are then), all or nothing.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from destinations.extensions import db
from destinations.imports.downloads import CSV_TYPE, XLSX_TYPE, template_csv, template_xlsx
from destinations.imports.files import FileTooLarge
from destinations.imports.forms import ConfirmForm, UploadForm
from destinations.imports.kinds import BY_NAME, KINDS
from destinations.imports.models import ImportRun
from destinations.imports.previews import PreviewError, check_preview, sign_preview
from destinations.imports.services import Actor, ImportSettings, digest_of, run_import
from destinations.security.context import client_address
from destinations.security.permissions import allow

blueprint = Blueprint("imports", __name__, url_prefix="/imports")
RECENT = 20
FORM_OVERHEAD = 64 * 1024


def import_settings() -> ImportSettings:
    return ImportSettings.from_config(current_app.config)


def kind_or_404(slug: str):
    kind = KINDS.get(slug)
    if kind is None:
        abort(404)
    return kind


@blueprint.get("")
@allow("manager")
def index():
    runs = db.session.scalars(
        select(ImportRun).options(joinedload(ImportRun.by)).order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(RECENT)
    ).all()
    return render_template("imports/index.html", kinds=KINDS, runs=runs, BY_NAME=BY_NAME, page_title="Import data")


def _page(kind, form, status: int = 200, **context):
    title = f"Import {kind.title.lower()}"
    has_errors = bool(form.errors) or bool(context.get("result") and not context["result"].ok)
    return (
        render_template(
            "imports/upload.html", kind=kind, form=form, settings=import_settings(), heading=title,
            page_title=("Error: " if has_errors else "") + title, **context,
        ),
        status,
    )


def _too_large(form, field_name: str = "file") -> bool:
    """Refuse, with the form's own message, a request whose body is plainly over the limit."""
    limit = import_settings().max_bytes
    if request.content_length and request.content_length > limit + FORM_OVERHEAD:
        getattr(form, field_name).errors = [FileTooLarge(request.content_length, limit).message]
        return True
    return False


def _run(kind, upload, *, dry_run: bool):
    today = date.today()
    return run_import(
        db.session,
        kind.importer(today),
        upload.stream,
        actor=Actor(current_user, "user", client_address()),
        dry_run=dry_run,
        channel="web",
        today=today,
        settings=import_settings(),
    )


@allow("manager")
def upload(slug: str):
    kind = kind_or_404(slug)
    form = UploadForm()
    if request.method == "GET":
        return _page(kind, form)
    if _too_large(form):
        return _page(kind, form, 413)
    if not form.validate_on_submit():
        return _page(kind, form)
    result = _run(kind, form.file.data, dry_run=True)
    db.session.commit()
    if result.unreadable:
        form.file.errors = [result.unreadable]
        return _page(kind, form, 413 if result.too_large else 422)
    confirm = ConfirmForm(formdata=None)
    if result.ok:
        confirm.preview.data = sign_preview(current_app.secret_key, kind=kind.name, digest=result.digest, user_id=current_user.id, run_id=result.run_id)
    return _page(kind, UploadForm(formdata=None), 200, result=result, confirm=confirm)


@allow("manager")
def confirm(slug: str):
    kind = kind_or_404(slug)
    form = ConfirmForm()
    if _too_large(form):
        return _page(kind, UploadForm(formdata=None), 413, confirm=form, confirming=True)
    if not form.validate_on_submit():
        return _page(kind, UploadForm(formdata=None), 200, confirm=form, confirming=True)
    upload = form.file.data
    try:
        check_preview(
            current_app.secret_key, form.preview.data, kind=kind.name, user_id=current_user.id,
            digest=digest_of(upload.stream), max_minutes=import_settings().preview_minutes,
        )
    except PreviewError as error:
        form.file.errors = [str(error)]
        return _page(kind, UploadForm(formdata=None), 200, confirm=form, confirming=True)
    result = _run(kind, upload, dry_run=False)
    db.session.commit()
    if not result.imported:
        form.preview.data = ""
        if result.unreadable:
            form.file.errors = [result.unreadable]
        return _page(kind, UploadForm(formdata=None), 200, result=result, confirm=form)
    flash(
        f"{kind.title} imported: {result.created:,} added, {result.updated:,} updated and {result.unchanged:,} unchanged.",
        "success",
    )
    return redirect(url_for("imports.index"))


@allow("manager")
def template(slug: str, format: str):
    kind = kind_or_404(slug)
    filename = f"{kind.slug}-import-template.{format}"
    if format == "csv":
        body, content_type = template_csv(kind.columns), CSV_TYPE
    else:
        body, content_type = template_xlsx(kind.columns, kind.title), XLSX_TYPE
    return Response(body, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# One page per kind of import, at its own address, sharing the views above.
for _slug in KINDS:
    blueprint.add_url_rule(f"/{_slug}", "upload", upload, methods=["GET", "POST"], defaults={"slug": _slug})
    blueprint.add_url_rule(f"/{_slug}/confirm", "confirm", confirm, methods=["POST"], defaults={"slug": _slug})
    for _format in ("csv", "xlsx"):
        blueprint.add_url_rule(f"/{_slug}/template.{_format}", "template", template, defaults={"slug": _slug, "format": _format})
