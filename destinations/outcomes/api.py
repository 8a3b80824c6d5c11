"""JSON API for outcome reports: /api/v1/outcome-reports (managers).

Every report here has been through disclosure control, and every view and download is
audited (cohort keys and formats only).
"""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from destinations.activities.sustained import parse_cohort, window_closed
from destinations.common.api import today
from destinations.extensions import db
from destinations.outcomes import long_term_report, report, services
from destinations.outcomes.schemas import (
    CohortSchema,
    LongTermQuerySchema,
    LongTermReportSchema,
    OutcomeQuerySchema,
    OutcomeReportSchema,
)
from destinations.outcomes.views import COHORT_OUTCOMES, LONG_TERM_OUTCOMES, report_settings
from destinations.reports import exports
from destinations.security.context import audit
from destinations.security.permissions import allow

blueprint = Blueprint(
    "outcome_reports_api",
    __name__,
    url_prefix="/api/v1/outcome-reports",
    description="Cohort outcome reports (sustained destinations beside the national figures) and long-term outcomes, for managers",
)

FILE_SCHEMA = {"type": "string", "format": "binary"}
REPORT_DESCRIPTION = "The report as JSON; with ?format=csv or ?format=xlsx, the same numbers as a file to download"


def file_responses(view):
    for format in ("csv", "xlsx"):
        view = blueprint.alt_response(
            200, schema=FILE_SCHEMA, content_type=exports.FORMATS[format], description=REPORT_DESCRIPTION, success=True
        )(view)
    return view


def report_file(body: dict, format: str, filename: str) -> Response:
    content, content_type = exports.render(body, format)
    return Response(content, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}.{format}"'})


def unprocessable(message: str):
    abort(422, message="The cohort cannot be reported on yet. See 'errors' for what to fix.", messages={"cohort": [message]})


@blueprint.route("")
class OutcomeReports(MethodView):
    @allow("manager")
    @blueprint.arguments(OutcomeQuerySchema, location="query")
    @file_responses
    @blueprint.response(200, OutcomeReportSchema, description=REPORT_DESCRIPTION)
    def get(self, query):
        """The cohort outcome report: sustained destinations by EHC plan or SEN support, pathway and
        primary need, with the national figures for young people with EHC plans beside them."""
        cohort = parse_cohort(query["cohort"])
        try:
            body = report.outcome_report(db.session, cohort, today(), report_settings())
        except services.CohortNotStarted as error:
            unprocessable(str(error))
        format = query.get("format")
        audit("export" if format else "view", "report", None, kind=COHORT_OUTCOMES, cohort=cohort.key, format=format or "json")
        db.session.commit()
        if format:
            return report_file(body if format == "json" else report.for_files(body), format, f"outcome-report-{cohort.key}")
        return body


@blueprint.route("/long-term")
class LongTermReports(MethodView):
    @allow("manager")
    @blueprint.arguments(LongTermQuerySchema, location="query")
    @file_responses
    @blueprint.response(200, LongTermReportSchema, description=REPORT_DESCRIPTION)
    def get(self, query):
        """Long-term outcomes of a cohort reaching the age of transition, one and two years on:
        activity group, paid work of 16 hours a week or more, living arrangement and progress on
        each preparation-for-adulthood outcome area."""
        cohort = parse_cohort(query["cohort"])
        body = long_term_report.long_term_report(db.session, cohort, today(), report_settings())
        format = query.get("format")
        audit("export" if format else "view", "report", None, kind=LONG_TERM_OUTCOMES, cohort=cohort.key, format=format or "json")
        db.session.commit()
        if format:
            return report_file(body, format, f"long-term-outcomes-{cohort.key}")
        return body


@blueprint.route("/cohorts")
class Cohorts(MethodView):
    @allow("manager")
    @blueprint.response(200, CohortSchema(many=True))
    def get(self):
        """The leaving cohorts with anyone in them whose destination year has begun, newest first
        within each kind, and whether their outcomes are stored yet."""
        on = today()
        stored = services.evaluated_cohorts(db.session)
        cohorts = services.cohorts_on_roll(db.session, on, report_settings().roll.age_of_transition)
        audit("list", "report", None, kind=COHORT_OUTCOMES, count=len(cohorts))
        db.session.commit()
        return [
            {
                "key": cohort.key,
                "label": cohort.label,
                "destination_year": cohort.destination_year_label,
                "window_start": cohort.window[0],
                "window_end": cohort.window[1],
                "window_closed": window_closed(cohort, on),
                "evaluated_at": stored.get(cohort.key),
            }
            for cohort in cohorts
        ]
