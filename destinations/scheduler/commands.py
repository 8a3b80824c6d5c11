"""``flask --app wsgi scheduler`` and ``flask --app wsgi jobs list|run``."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from destinations.extensions import db
from destinations.scheduler import services
from destinations.scheduler.runner import parse_day
from destinations.scheduler.table import JOBS_BY_NAME, ScheduleError


@click.command("scheduler", help="Run the scheduler: the one process that runs scheduled jobs. Start one beside the web workers; "
               "a second one waits and takes over if the first stops.")  # fmt: skip
@with_appcontext
def scheduler_command():
    from destinations.scheduler.process import SchedulerProcess

    if not logging.getLogger().handlers:  # the scheduler's log is how an operator sees what it did
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        services.check_schedules(current_app.config)
    except ScheduleError as error:
        raise click.ClickException(str(error)) from None
    process = SchedulerProcess(current_app._get_current_object())
    process.install_signal_handlers()
    process.run_forever()


@click.group("jobs", help="Scheduled jobs: list them, or run one now.")
def jobs_group():
    pass


@jobs_group.command("list", help="List the jobs with their schedule, last run and its outcome.")
def jobs_list():
    try:
        rows = services.job_overview(db.session, current_app.config)
    except ScheduleError as error:
        raise click.ClickException(str(error)) from None
    name_width = max(len(row.spec.name) for row in rows)
    schedule_width = max(len(row.schedule) for row in rows)
    click.echo(f"{'NAME':<{name_width}}  {'SCHEDULE':<{schedule_width}}  {'LAST RUN':<16}  OUTCOME")
    for row in rows:
        last = row.last_run
        started = services.local_time(last.started_at, current_app.config) if last else "never"
        outcome = last.outcome_name if last else ""
        click.echo(f"{row.spec.name:<{name_width}}  {row.schedule:<{schedule_width}}  {started:<16}  {outcome}")


def _job_name(_ctx, _param, value: str) -> str:
    if value not in JOBS_BY_NAME:
        raise click.BadParameter(f"there is no job called {value!r}. Jobs: {', '.join(JOBS_BY_NAME)}.")
    return value


def _day(_ctx, _param, value: str | None):
    if value is None:
        return None
    try:
        return parse_day(value).isoformat()
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@jobs_group.command("run", help="Run one job now. With --on it runs as if on that date (for back-filling after an outage).")
@click.argument("name", callback=_job_name)
@click.option("--on", "on", callback=_day, metavar="YYYY-MM-DD", help="The date to run as if on (default: today).")
def jobs_run(name: str, on: str | None):
    result = services.run_job(name, on, trigger="command")
    counts = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in result["counts"].items()) or "nothing to do"
    click.echo(f"{name} ({result['period']}): {result['outcome']} - {counts}")
    if result["error"]:
        click.echo(result["error"], err=result["outcome"] == "failed")
    if result["outcome"] == "failed":
        raise SystemExit(1)


def register(app) -> None:
    app.cli.add_command(scheduler_command)
    app.cli.add_command(jobs_group)

