"""Command-line interface: ``flask --app wsgi <group> <command>``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from destinations.auth import services as auth_services
from destinations.auth.models import ROLES, User
from destinations.extensions import db


@click.group("db", help="Database schema commands.")
def db_group():
    pass


@db_group.command("upgrade", help="Apply every migration to the configured database (creates it if empty).")
def db_upgrade():
    from destinations import migrate

    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(db.engine)
    click.echo(f"Database is at migration {migrate.head_revision()}.")


@click.group("users", help="Staff accounts.")
def users_group():
    pass


@users_group.command("create", help="Create a staff user. Without --password a random one is generated and printed once.")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="admin, manager, keyworker or college.")
@click.option("--password", help="At least 12 characters.")
@click.option("--name", help="Display name (defaults to the part of the email before @).")
@click.option("--provider-id", type=int, help="College users: the provider they belong to (omit for area-wide reports only).")
def users_create(email, role, password, name, provider_id):
    from destinations.providers.models import Provider

    if provider_id is not None and db.session.get(Provider, provider_id) is None:
        raise click.BadParameter(f"there is no provider with id {provider_id}", param_hint="--provider-id")
    generated = password is None
    password = password or auth_services.generate_password()
    try:
        user = auth_services.create_user(db.session, email=email, name=name or "", role=role, password=password, provider_id=provider_id)
    except auth_services.AccountError as error:
        raise click.BadParameter(error.message, param_hint=f"--{error.field.replace('_', '-')}") from None
    db.session.commit()
    click.echo(f"Created {role} {user.email} (id {user.id}).")
    if generated:
        click.echo(f"Password (shown once): {password}")


@click.group("tokens", help="API tokens for integration clients.")
def tokens_group():
    pass


@tokens_group.command("create", help="Print a new API token acting as the user with EMAIL. It is stored hashed and shown once.")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(auth_services.TOKEN_SCOPES), help="read and/or write (default both). Repeat for several.")
@click.option("--name", default="", help="What the token is for, e.g. 'case management sync'.")
def tokens_create(email, scopes, name):
    from destinations.audit.services import record_event

    user = db.session.scalar(select(User).where(User.email == auth_services.normalise_email(email)))
    if user is None:
        raise click.BadParameter(f"there is no user with email {email}", param_hint="--email")
    try:
        token, value = auth_services.create_token(db.session, user, scopes=tuple(scopes) or auth_services.TOKEN_SCOPES, name=name)
    except auth_services.AccountError as error:
        raise click.BadParameter(error.message, param_hint="--email") from None
    record_event(db.session, "token_created", actor_type="system", object_type="user", object_id=user.id, detail={"token_id": token.id, "scopes": token.scopes})
    db.session.commit()
    click.echo(value)


@click.group("demo", help="Demonstration data.")
def demo_group():
    pass


@demo_group.command("load", help="Fill the database with a realistic synthetic council and print the demo sign-ins.")
@click.option("--people", default=1500, show_default=True, type=click.IntRange(1, 2_000_000), help="How many young people.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed: the same seed gives the same council.")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database (no staff, no young people); used by make run.")
def demo_load(people, seed, if_empty):
    from destinations.demo.generator import DEMO_PASSWORD, database_is_empty, demo_already_loaded, demo_sign_ins, load_demo

    if if_empty and not database_is_empty(db.session):
        if demo_already_loaded(db.session):
            _print_sign_ins("Demo data is already loaded.", demo_sign_ins(), DEMO_PASSWORD)
        else:
            click.echo("The database already has data, so the demo council was not loaded.")
        return
    summary = load_demo(db.session, people=people, seed=seed, age_of_transition=current_app.config["AGE_OF_TRANSITION"])
    db.session.commit()
    _print_sign_ins(
        f"Loaded {summary['people']} young people, {summary['keyworkers']} keyworkers, {summary['providers']} providers, "
        f"{summary.get('reviews', 0)} reviews, {summary.get('actions', 0)} actions, "
        f"{summary.get('activities', 0)} activity records and {summary.get('long_term_checks', 0)} long-term outcome checks.",
        summary["sign_ins"],
        DEMO_PASSWORD,
    )


def _print_sign_ins(headline: str, sign_ins, password: str) -> None:
    click.echo(headline)
    click.echo(f"Demo sign-ins (password for all: {password}):")
    for role, email in sign_ins:
        label = "college (area-wide)" if role == "college" and email.startswith("college-area@") else role
        click.echo(f"  {label:<20} {email}")


def register(app: Flask) -> None:
    from destinations.outcomes.commands import register as register_outcomes
    from destinations.scheduler.commands import register as register_scheduler

    register_scheduler(app)
    register_outcomes(app)
    for group in (db_group, users_group, tokens_group, demo_group):
        app.cli.add_command(group)
    from destinations.keep_in_touch.commands import kit_group, notifications_group

    for group in (kit_group, notifications_group):
        app.cli.add_command(group)
