"""JSON API for demand reports: /api/v1/demand-reports (live, managers) and /published (snapshots).

Every report that leaves the service, as JSON or as a file, has been through disclosure
control, and every view and download of one is audited (ids, formats and counts only).
"""
from __future__ import annotations

from flask import Response, current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from destinations.common.api import caller, not_found, today
from destinations.extensions import db
from destinations.people import roll
from destinations.providers.models import Provider
from destinations.reports import demand, exports, services
from destinations.reports.models import PublishedReport
from destinations.reports.schemas import (
    DemandQuerySchema,
    FormatQuerySchema,
    PublishedQuerySchema,
    PublishedReportDetailSchema,
    PublishedReportSchema,
    PublishResultSchema,
    PublishSchema,
    ReportSchema,
)
from destinations.security.context import audit
from destinations.security.permissions import allow

blueprint = Blueprint(
    "demand_reports_api",
    __name__,
    url_prefix="/api/v1/demand-reports",
    description="Commissioning demand reports: live for managers, published snapshots for managers and colleges",
)

FILE_SCHEMA = {"type": "string", "format": "binary"}
REPORT_DESCRIPTION = "The report as JSON; with ?format=csv or ?format=xlsx, the same numbers as a file to download"


def file_responses(view):
    """Document that ``?format=csv|xlsx`` answers 200 with a file instead of JSON."""
    for format in ("csv", "xlsx"):
        view = blueprint.alt_response(
            200,
            schema=FILE_SCHEMA,
            content_type=exports.FORMATS[format],
            description=REPORT_DESCRIPTION,
            success=True,
        )(view)
    return view


def report_settings() -> demand.ReportSettings:
    return demand.ReportSettings.from_config(current_app.config)


def report_file(report: dict, format: str, filename: str) -> Response:
    body, content_type = exports.render(report, format)
    return Response(body, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}.{format}"'})


def summary(snapshot: PublishedReport) -> dict:
    return {
        "id": snapshot.id,
        "kind": snapshot.kind,
        "academic_year": snapshot.academic_year,
        "provider_id": snapshot.provider_id,
        "provider_name": snapshot.provider.name if snapshot.provider else None,
        "published_at": snapshot.published_at,
    }


@blueprint.route("")
class DemandReports(MethodView):
    @allow("manager")
    @blueprint.arguments(DemandQuerySchema, location="query")
    @file_responses
    @blueprint.response(200, ReportSchema, description=REPORT_DESCRIPTION)
    def get(self, query):
        """The live demand report for a target academic year (default: the next one), after disclosure control.

        With ``provider_id``, only the young people who named that provider for a step in the year.
        """
        on = today()
        year = roll.parse_academic_year_label(query["academic_year"]) if query.get("academic_year") else roll.academic_year_of(on) + 1
        provider_id = query.get("provider_id")
        if provider_id is not None and db.session.get(Provider, provider_id) is None:
            not_found("provider")
        report = demand.demand_report(db.session, year, on, report_settings(), provider_id=provider_id)
        format = query.get("format")
        audit(
            "export" if format else "view", "report", None,
            kind=services.DEMAND, academic_year=roll.academic_year_label(year), provider_id=provider_id, format=format or "json",
        )  # fmt: skip
        db.session.commit()
        if format:
            suffix = f"-provider-{provider_id}" if provider_id is not None else ""
            return report_file(report, format, f"demand-report-{year}-{(year + 1) % 100:02d}{suffix}")
        return report


@blueprint.route("/published")
class PublishedReports(MethodView):
    @allow("manager", "college")
    @blueprint.arguments(PublishedQuerySchema, location="query")
    @blueprint.response(200, PublishedReportSchema(many=True))
    @blueprint.paginate(page_size=20, max_page_size=100)
    def get(self, query, pagination_parameters):
        """Published demand reports you may see, newest first: all of them for managers; for a
        college, the area-wide reports and the slices for its own provider."""
        page, size = pagination_parameters.page, pagination_parameters.page_size
        snapshots, total = services.list_reports(
            db.session, caller(), academic_year=query.get("academic_year"), limit=size, offset=(page - 1) * size
        )
        pagination_parameters.item_count = total
        audit("list", "report", None, kind=services.DEMAND, count=len(snapshots), page=page)
        db.session.commit()
        return [summary(snapshot) for snapshot in snapshots]

    @allow("manager")
    @blueprint.arguments(PublishSchema)
    @blueprint.response(201, PublishResultSchema)
    def post(self, values):
        """Publish the demand report for a target academic year: a frozen, dated snapshot of the
        area-wide report and one of each provider's slice. Later changes to reviews do not alter them."""
        area, slices = services.publish_demand(db.session, values["academic_year"], caller(), today(), report_settings())
        audit("create", "report", area.id, kind=services.DEMAND, academic_year=area.academic_year, slices=len(slices))
        db.session.commit()
        body = {"id": area.id, "academic_year": area.academic_year, "published_at": area.published_at, "slices": len(slices)}
        return body, 201, {"Location": url_for("demand_reports_api.PublishedReportItem", report_id=area.id)}


@blueprint.route("/published/<int:report_id>")
class PublishedReportItem(MethodView):
    @allow("manager", "college")
    @blueprint.arguments(FormatQuerySchema, location="query")
    @file_responses
    @blueprint.response(200, PublishedReportDetailSchema, description=REPORT_DESCRIPTION)
    def get(self, query, report_id):
        """One published snapshot, exactly as it was published."""
        snapshot = services.get_visible_report(db.session, caller(), report_id)
        if snapshot is None:
            not_found("published report")
        format = query.get("format")
        audit("export" if format else "view", "report", snapshot.id, kind=snapshot.kind, format=format or "json")
        db.session.commit()
        if format:
            label = snapshot.academic_year.replace("/", "-")
            return report_file(snapshot.report, format, f"{snapshot.kind}-report-{label}-published-{snapshot.id}")
        return {**summary(snapshot), **snapshot.report}
