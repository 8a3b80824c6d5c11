"""Pages for commissioning demand reports: the live report for managers, published snapshots
for managers and colleges, and the same numbers as files to download.

Every table shown or downloaded here has been through disclosure control; pages never hold a
row about a person. Each view and download is audited (ids, years and formats only).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from destinations.extensions import db
from destinations.people import roll
from destinations.reports import demand, exports, services
from destinations.reports.forms import PublishForm
from destinations.reports.models import PublishedReport
from destinations.security.context import audit
from destinations.security.permissions import allow
from destinations.views_support import Page, page_number

blueprint = Blueprint("reports", __name__, url_prefix="/reports")

LONDON = ZoneInfo("Europe/London")
PAGE_SIZE = 20
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON"}


def today() -> date:
    return date.today()


def report_settings() -> demand.ReportSettings:
    return demand.ReportSettings.from_config(current_app.config)


def long_date(value: datetime | date | None) -> str:
    """A date as people write it (1 October 2026), in UK time for a moment in time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LONDON).date()
    return f"{value.day} {value.strftime('%B')} {value.year}"


def year_choices(on: date) -> tuple[list[int], int]:
    """The academic years a manager can choose (this one, the next and the one after), and the default."""
    current = roll.academic_year_of(on)
    return [current, current + 1, current + 2], current + 1


def chosen_year(on: date) -> tuple[int, list[int]]:
    choices, default = year_choices(on)
    label = request.args.get("academic_year")
    if not label:
        return default, choices
    try:
        year = roll.parse_academic_year_label(label)
    except ValueError:
        abort(404)
    if year not in choices:
        abort(404)
    return year, choices


def download(report: dict, format: str, filename: str) -> Response:
    body, content_type = exports.render(report, format)
    return Response(
        body, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}.{format}"'}
    )


def snapshot_or_404(report_id: int) -> PublishedReport:
    snapshot = services.get_visible_report(db.session, current_user, report_id)
    if snapshot is None:
        abort(404)
    return snapshot


def snapshot_heading(snapshot: PublishedReport) -> str:
    scope = snapshot.provider.name if snapshot.provider else "Area-wide"
    return f"Demand report for {snapshot.academic_year}: {scope}"


@blueprint.get("/demand", endpoint="demand")
@allow("manager")
def live_report():
    on = today()
    year, choices = chosen_year(on)
    label = roll.academic_year_label(year)
    report = demand.demand_report(db.session, year, on, report_settings())
    audit("view", "report", None, kind=services.DEMAND, academic_year=label, format="html")
    db.session.commit()
    form = PublishForm(academic_year=label)
    return render_template(
        "reports/demand.html",
        page_title=f"Demand report for {label}",
        report=report,
        label=label,
        year_options=[roll.academic_year_label(choice) for choice in choices],
        form=form,
        downloads=[
            (FORMAT_NAMES[format], url_for("reports.demand_download", format=format, academic_year=label))
            for format in FORMAT_NAMES
        ],
    )


@blueprint.post("/demand", endpoint="publish")
@allow("manager")
def publish():
    form = PublishForm()
    year = None
    if form.validate_on_submit():
        try:
            year = roll.parse_academic_year_label(form.academic_year.data)
        except ValueError:
            year = None
    if year is None or year not in year_choices(today())[0]:
        flash("The report could not be published: choose an academic year and try again.", "error")
        return redirect(url_for("reports.demand"))
    area, slices = services.publish_demand(db.session, year, current_user, today(), report_settings())
    audit("create", "report", area.id, kind=services.DEMAND, academic_year=area.academic_year, slices=len(slices))
    db.session.commit()
    count = len(slices)
    flash(f"Published: the area-wide report and {count} college {'slice' if count == 1 else 'slices'}", "success")
    return redirect(url_for("reports.published_report", report_id=area.id))


@blueprint.get("/demand/download.<format>")
@allow("manager")
def demand_download(format: str):
    if format not in FORMAT_NAMES:
        abort(404)
    on = today()
    year, _choices = chosen_year(on)
    label = roll.academic_year_label(year)
    report = demand.demand_report(db.session, year, on, report_settings())
    audit("export", "report", None, kind=services.DEMAND, academic_year=label, format=format)
    db.session.commit()
    return download(report, format, f"demand-report-{label.replace('/', '-')}")


@blueprint.get("/demand/published")
@allow("manager", "college")
def published():
    page = page_number(request.args.get("page"))
    snapshots, total = services.list_reports(db.session, current_user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    audit("list", "report", None, kind=services.DEMAND, count=len(snapshots), page=page)
    db.session.commit()
    return render_template(
        "reports/published.html",
        page_title="Published demand reports",
        page=Page(items=snapshots, page=page, page_size=PAGE_SIZE, total=total),
        long_date=long_date,
    )


@blueprint.get("/demand/published/<int:report_id>")
@allow("manager", "college")
def published_report(report_id: int):
    snapshot = snapshot_or_404(report_id)
    audit("view", "report", snapshot.id, kind=snapshot.kind, academic_year=snapshot.academic_year, format="html")
    db.session.commit()
    heading = snapshot_heading(snapshot)
    return render_template(
        "reports/published_report.html",
        page_title=heading,
        heading=heading,
        snapshot=snapshot,
        report=snapshot.report,
        published_on=long_date(snapshot.published_at),
        downloads=[
            (FORMAT_NAMES[format], url_for("reports.published_download", report_id=snapshot.id, format=format))
            for format in FORMAT_NAMES
        ],
    )


@blueprint.get("/demand/published/<int:report_id>/download.<format>")
@allow("manager", "college")
def published_download(report_id: int, format: str):
    snapshot = snapshot_or_404(report_id)
    if format not in FORMAT_NAMES:
        abort(404)
    audit("export", "report", snapshot.id, kind=snapshot.kind, academic_year=snapshot.academic_year, format=format)
    db.session.commit()
    label = snapshot.academic_year.replace("/", "-")
    return download(snapshot.report, format, f"{snapshot.kind}-report-{label}-published-{snapshot.id}")
