"""Pages for outcomes: the cohort outcome report and the long-term outcomes report (managers),
and the one- and two-year checks on a young person's record (their keyworker and managers).

Every table shown or downloaded has been through disclosure control, and every view and
download is audited (cohort keys, checkpoints, field names and formats only).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from destinations.activities.sustained import COHORT_KINDS, Cohort, parse_cohort
from destinations.extensions import db
from destinations.outcomes import long_term, long_term_report, report, services
from destinations.outcomes.forms import LongTermOutcomeForm
from destinations.outcomes.models import CHECKPOINTS
from destinations.people.services import get_visible_person
from destinations.reports import exports
from destinations.reports.demand import ReportSettings
from destinations.security.context import audit
from destinations.security.permissions import allow

blueprint = Blueprint("outcomes", __name__)

COHORT_OUTCOMES = "cohort_outcomes"
LONG_TERM_OUTCOMES = "long_term_outcomes"
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON"}
STALE_MESSAGE = "Someone else saved this check while you were editing it. Check what is below and save again."


def today() -> date:
    return date.today()


def report_settings() -> ReportSettings:
    return ReportSettings.from_config(current_app.config)


def download(body: Mapping[str, Any], format: str, filename: str) -> Response:
    content, content_type = exports.render(body, format)
    return Response(content, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}.{format}"'})


# --- choosing a cohort ----------------------------------------------------------------------------


@dataclass
class Choice:
    cohort: Cohort | None
    options: list[tuple[str, list[Cohort]]]  # (kind's name, cohorts of that kind)
    error: str | None = None


def choose(available: list[Cohort], default: Cohort | None) -> Choice:
    """The cohort named by ``?cohort=`` (or the default) and the cohorts to choose from."""
    key = request.args.get("cohort")
    error = None
    if key:
        try:
            cohort = parse_cohort(key)
        except ValueError as problem:
            cohort, error = None, str(problem)
    else:
        cohort = default if default is not None else (available[0] if available else None)
    options = [(name, [c for c in available if c.kind == kind]) for kind, name in COHORT_KINDS.items()]
    options = [(name, cohorts) for name, cohorts in options if cohorts]
    if cohort is not None and cohort not in available:
        options.append(("Other", [cohort]))
    return Choice(cohort, options, error)


# --- what the page shows ----------------------------------------------------------------------------


@dataclass
class Display:
    """A protected table as the page shows it: each cell a (count, percentage) pair."""

    name: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[tuple[Any, Any]], Any]]  # label, cells, row total
    totals: tuple[list[tuple[Any, Any]], Any] | None
    chart: list[tuple[str, list[tuple[str, Any]]]]  # label, (series, percentage)
    row_totals: bool = True


def _pairs(counts: Sequence, percentages: Sequence | None) -> list[tuple[Any, Any]]:
    return [(n, percentages[j] if percentages else None) for j, n in enumerate(counts)]


def breakdown_display(outcomes: Mapping[str, Any], sustained: Mapping[str, Any]) -> Display:
    """One breakdown of the cohort report in Table 5's order: the headline first, then each outcome."""
    rows = []
    for i, label in enumerate(outcomes["row_labels"]):
        cells = [(sustained["cells"][i][0], sustained["percentages"][i][0])] + _pairs(outcomes["cells"][i], outcomes["percentages"][i])
        rows.append((label, cells, outcomes["row_totals"][i]))
    total = outcomes["total"]
    totals_counts = [sustained["column_totals"][0], *outcomes["column_totals"]]
    totals = ([(n, report.percentage(n, total)) for n in totals_counts], total)
    chart = [(label, [("Sustained", cells[0][1])]) for label, cells, group in rows if group not in (0, None)]
    return Display(outcomes["name"], outcomes["title"], [report.OVERALL, *outcomes["column_labels"]], rows, totals, chart)


def table_display(table: Mapping[str, Any]) -> Display:
    """A long-term table: counts with their percentages (of the cohort at each checkpoint, or of
    each outcome area), and a chart per row."""
    percentages = table.get("percentages")
    rows = [
        (label, _pairs(table["cells"][i], percentages[i] if percentages else None), table["row_totals"][i])
        for i, label in enumerate(table["row_labels"])
    ]
    totals = ([(n, None) for n in table["column_totals"]], table["total"])
    chart = [(label, [(column, cells[j][1]) for j, column in enumerate(table["column_labels"])]) for label, cells, _ in rows]
    # In the checkpoint tables a row adds the one-year and two-year counts: nobody wants that sum.
    by_checkpoint = list(table["column_labels"]) == list(long_term_report.COLUMN_LABELS.values())
    return Display(table["name"], table["title"], list(table["column_labels"]), rows, totals, chart, row_totals=not by_checkpoint)


def comparison_chart(comparison: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, Any]]]]:
    """Each Table 5 measure, with a bar for each row of the comparison."""
    measures = [(j, label) for j, (key, label) in enumerate(zip(comparison["keys"], comparison["column_labels"])) if key in report.NATIONAL["2021/22"]]
    return [
        (label, [(row, comparison["percentages"][i][j]) for i, row in enumerate(comparison["row_labels"])])
        for j, label in measures
    ]


# --- the cohort outcome report ----------------------------------------------------------------------


@blueprint.get("/reports/outcomes", endpoint="cohort_report")
@allow("manager")
def cohort_report():
    on = today()
    settings = report_settings()
    available = services.cohorts_on_roll(db.session, on, settings.roll.age_of_transition)
    closed_year11 = [c for c in available if c.kind == "year11" and c.window[1] < on]
    choice = choose(available, closed_year11[0] if closed_year11 else None)
    body, status = None, 200
    if choice.cohort is not None and choice.error is None:
        try:
            body = report.outcome_report(db.session, choice.cohort, on, settings)
        except services.CohortNotStarted as problem:
            choice.error = str(problem)
    if choice.error:
        status = 422
    if body is not None:
        audit("view", "report", None, kind=COHORT_OUTCOMES, cohort=choice.cohort.key, format="html")
    db.session.commit()
    breakdowns = []
    if body is not None:
        tables = body["tables"]
        breakdowns = [breakdown_display(tables[i], tables[i + 1]) for i in range(0, len(tables), 2)]
    title = choice.cohort.label if body else "Cohort outcomes"
    return render_template(
        "outcomes/report.html",
        page_title=("Error: " if choice.error else "") + f"Cohort outcomes: {title}",
        title=title,
        choice=choice,
        report=body,
        breakdowns=breakdowns,
        comparison_chart=comparison_chart(body["comparison"]) if body else [],
        long_date=long_term.long_date,
        window=choice.cohort.window if body else None,
        downloads=[
            (FORMAT_NAMES[format], url_for("outcomes.cohort_download", format=format, cohort=choice.cohort.key))
            for format in FORMAT_NAMES
        ] if body else [],
    ), status  # fmt: skip


@blueprint.get("/reports/outcomes/download.<format>")
@allow("manager")
def cohort_download(format: str):
    if format not in FORMAT_NAMES:
        abort(404)
    try:
        cohort = parse_cohort(request.args.get("cohort", ""))
        body = report.outcome_report(db.session, cohort, today(), report_settings())
    except ValueError:
        abort(404)
    audit("export", "report", None, kind=COHORT_OUTCOMES, cohort=cohort.key, format=format)
    db.session.commit()
    return download(body if format == "json" else report.for_files(body), format, f"outcome-report-{cohort.key}")


# --- long-term outcomes -------------------------------------------------------------------------------


@blueprint.get("/reports/long-term-outcomes", endpoint="long_term_report")
@allow("manager")
def long_term_page():
    on = today()
    settings = report_settings()
    age = settings.roll.age_of_transition
    available = long_term_report.transition_cohorts(db.session, on, age)
    # The newest cohort everyone in which has had their one-year checkpoint, so the page opens
    # on figures rather than on "not reached yet"; the newest of all when none has.
    default = next((cohort for cohort in available if long_term_report.one_year_checks_all_due(cohort, on, age)), None)
    choice = choose(available, default)
    if choice.cohort is not None and choice.error is None and choice.cohort.kind != "transition":
        choice.error = f"Long-term outcomes are reported for young people reaching the age of transition: choose transition-{choice.cohort.year}, not {choice.cohort.key}."
    body = None
    if choice.cohort is not None and choice.error is None:
        body = long_term_report.long_term_report(db.session, choice.cohort, on, settings)
        audit("view", "report", None, kind=LONG_TERM_OUTCOMES, cohort=choice.cohort.key, format="html")
    db.session.commit()
    title = choice.cohort.label if body else "Long-term outcomes"
    return render_template(
        "outcomes/long_term_report.html",
        page_title=("Error: " if choice.error else "") + f"Long-term outcomes: {title}",
        title=title,
        choice=choice,
        report=body,
        displays=[table_display(table) for table in body["tables"]] if body else [],
        downloads=[
            (FORMAT_NAMES[format], url_for("outcomes.long_term_download", format=format, cohort=choice.cohort.key))
            for format in FORMAT_NAMES
        ] if body else [],
    ), 422 if choice.error else 200  # fmt: skip


@blueprint.get("/reports/long-term-outcomes/download.<format>")
@allow("manager")
def long_term_download(format: str):
    if format not in FORMAT_NAMES:
        abort(404)
    try:
        cohort = parse_cohort(request.args.get("cohort", ""))
        body = long_term_report.long_term_report(db.session, cohort, today(), report_settings())
    except ValueError:
        abort(404)
    audit("export", "report", None, kind=LONG_TERM_OUTCOMES, cohort=cohort.key, format=format)
    db.session.commit()
    return download(body, format, f"long-term-outcomes-{cohort.key}")


# --- the checks on a young person's record --------------------------------------------------------------


@blueprint.route("/young-people/<int:person_id>/long-term-outcomes/<checkpoint>", methods=["GET", "POST"])
@allow("manager", "keyworker")
def record_check(person_id: int, checkpoint: str):
    person = get_visible_person(db.session, current_user, person_id)
    if person is None or checkpoint not in CHECKPOINTS:
        abort(404)
    on = today()
    age = report_settings().roll.age_of_transition
    existing = long_term.get_outcomes(db.session, person.id).get(checkpoint)
    form = LongTermOutcomeForm(obj=existing if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(existing.version) if existing else ""
        if existing is not None:
            form.paid_work_16_plus.data = {True: "yes", False: "no", None: "not_known"}[existing.paid_work_16_plus]
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in long_term.FIELDS}
        version = int(form.version.data) if form.version.data and form.version.data.isdigit() else None
        try:
            record, created, changed = long_term.save(
                db.session, person, checkpoint, values, current_user, today=on, age_of_transition=age, version=version
            )
        except long_term.LongTermError as error:
            db.session.rollback()
            for name, message in error.errors.items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = list(field.errors) + [message]
                else:
                    form.form_errors.append(message)
        except long_term.StaleLongTermOutcome:
            db.session.rollback()
            form.version.data = str(existing.version) if existing else ""
            form.form_errors.append(STALE_MESSAGE)
        else:
            audit("create" if created else "update", "young_person", person.id, section="long_term_outcomes", checkpoint=checkpoint, fields=changed)
            db.session.commit()
            name = CHECKPOINTS[checkpoint].lower()
            flash(f"Check saved: {name}." if created or changed else "Nothing was changed.", "success")
            return redirect(url_for("people.record", person_id=person.id, _anchor="long-term-outcomes"))
    audit("view", "young_person", person.id, section="long_term_outcomes", checkpoint=checkpoint)
    db.session.commit()
    due = long_term.checkpoint_date(person.date_of_birth, checkpoint, age)
    heading = CHECKPOINTS[checkpoint]
    return render_template(
        "outcomes/check_form.html",
        form=form,
        person=person,
        heading=heading,
        page_title=("Error: " if form.errors else "") + f"{heading}: {person.full_name}",
        due_on=long_term.long_date(due),
        opens_on=long_term.long_date(long_term.opens_on(person.date_of_birth, checkpoint, age)),
        is_open=on >= long_term.opens_on(person.date_of_birth, checkpoint, age),
        existing=existing,
    )

