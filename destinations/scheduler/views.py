"""The scheduled jobs page: schedules, recent runs and failures, and "Run now".

Administrators run the service, so they may run a job now; managers see the page too,
because the jobs (digests, termly publication, roll-end processing) are their business.
A job run from here runs in the web request, through the same path as the scheduler, so
it is recorded, claims its work and cannot repeat what a scheduled run already did.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from destinations.admin.forms import ConfirmForm
from destinations.extensions import db
from destinations.scheduler import services
from destinations.scheduler.models import TRIGGERS
from destinations.scheduler.table import JOBS_BY_NAME, ScheduleError
from destinations.security.context import audit
from destinations.security.permissions import allow
from destinations.views_support import Page, page_number

blueprint = Blueprint("scheduler", __name__, url_prefix="/admin/jobs")
PAGE_SIZE = 20


def _spec_or_404(name: str):
    spec = JOBS_BY_NAME.get(name)
    if spec is None:
        abort(404)
    return spec


@blueprint.get("")
@allow("admin", "manager")
def jobs():
    try:
        rows = services.job_overview(db.session, current_app.config)
    except ScheduleError as error:
        rows, schedule_error = [], str(error)
    else:
        schedule_error = None
    beat = services.heartbeat(db.session)
    return render_template(
        "scheduler/jobs.html",
        rows=rows,
        schedule_error=schedule_error,
        beat=beat,
        scheduler_running=services.heartbeat_is_fresh(beat, current_app.config),
        page_title="Scheduled jobs",
    )


@blueprint.get("/<name>")
@allow("admin", "manager")
def job(name: str):
    spec = _spec_or_404(name)
    failed_only = request.args.get("show") == "failed"
    page = page_number(request.args.get("page"))
    runs, total = services.recent_runs(db.session, name, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, failed_only=failed_only)
    try:
        overview = next(row for row in services.job_overview(db.session, current_app.config) if row.spec.name == name)
    except ScheduleError as error:
        overview, schedule_error = None, str(error)
    else:
        schedule_error = None
    return render_template(
        "scheduler/job.html",
        spec=spec,
        overview=overview,
        schedule_error=schedule_error,
        page=Page(items=runs, page=page, page_size=PAGE_SIZE, total=total),
        failed_only=failed_only,
        filters={"show": "failed"} if failed_only else {},
        triggers=TRIGGERS,
        form=ConfirmForm(),
        can_run=current_user.role == "admin",
        page_title=spec.title,
    )


@blueprint.post("/<name>/run")
@allow("admin")
def run_now(name: str):
    spec = _spec_or_404(name)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    # End this request's transaction first: on SQLite it would hold the write lock the job's
    # own transaction is about to wait for.
    db.session.commit()
    result = services.run_job(name, trigger="manual", requested_by_id=current_user.id)
    audit("run_job", "scheduled_job", result["run_id"], job=name, outcome=result["outcome"])
    db.session.commit()
    if result["outcome"] == "ok":
        flash(f"{spec.title} ran: {_counts_text(result['counts'])}.", "success")
    elif result["outcome"] == "skipped":
        flash(f"{spec.title} did nothing this time. {result['error']}", "important")
    else:
        flash(f"{spec.title} failed. The error is shown in the runs below; it will be tried again on its next run.", "important")
    return redirect(url_for("scheduler.job", name=name))


def _counts_text(counts: dict) -> str:
    return ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items()) or "nothing to do"


@blueprint.app_template_filter("job_counts")
def job_counts(counts: dict | None) -> str:
    return _counts_text(counts or {})
