"""``flask --app wsgi outcomes evaluate``: store sustained-destination outcomes now."""
from __future__ import annotations

from datetime import date

import click
from flask import current_app

from destinations.activities.sustained import parse_cohort
from destinations.extensions import db
from destinations.outcomes import services
from destinations.people.services import RollSettings


@click.group("outcomes", help="Cohort outcomes (sustained destinations).")
def outcomes_group():
    pass


def _cohort(_ctx, _param, value):
    if value is None:
        return None
    try:
        return parse_cohort(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@outcomes_group.command(
    "evaluate",
    help="Work out and store the outcomes of one cohort (--cohort year11-2022), or of every cohort that is due, "
    "as the scheduled job does. Use it after loading or correcting an older cohort's activity records.",
)
@click.option("--cohort", callback=_cohort, help="A cohort whose window has closed: year11-YYYY, year13-YYYY or transition-YYYY.")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluate as if on this date (YYYY-MM-DD); default today.")
def evaluate(cohort, on):
    today = on.date() if on else date.today()
    age = RollSettings.from_config(current_app.config).age_of_transition
    try:
        if cohort is not None:
            results = {cohort.key: services.evaluate_cohort(db.session, cohort, today=today, age_of_transition=age)}
        else:
            results = services.evaluate_due_cohorts(db.session, today, age_of_transition=age)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if not results:
        click.echo("No cohort is due.")
    for key, counts in results.items():
        click.echo(f"{key}: " + ", ".join(f"{value} {name}" for name, value in counts.items()))


def register(app) -> None:
    app.cli.add_command(outcomes_group)
