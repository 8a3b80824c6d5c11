"""``flask --app wsgi kit ...`` and ``flask --app wsgi notifications ...``."""
from __future__ import annotations

import click
from sqlalchemy import select

from destinations.audit.services import record_event
from destinations.database import utcnow
from destinations.extensions import db


@click.group("kit", help="Keep-in-touch links for young people.")
def kit_group():
    pass


@kit_group.command("invite", help="Send a keep-in-touch link to a young person now (audited). --print-link also prints it, for development and support.")
@click.option("--young-person-id", required=True, type=int, help="The young person's id (from their record's web address).")
@click.option("--print-link", is_flag=True, help="Also print the link. Anyone with it and the date of birth can answer as the young person: give it only to them.")
def kit_invite(young_person_id: int, print_link: bool):
    from destinations.keep_in_touch import services
    from destinations.keep_in_touch.models import KeepInTouchLink
    from destinations.people.models import YoungPerson

    person = db.session.get(YoungPerson, young_person_id)
    if person is None:
        raise click.BadParameter(f"there is no young person with id {young_person_id}", param_hint="--young-person-id")
    now = utcnow()
    settings = services.current_settings()
    problem = services.invitation_problem(person, now.astimezone(services.LONDON).date(), settings, services.adapter_channels())
    if problem and not print_link:
        raise click.ClickException(f"The link was not sent. {problem} (Use --print-link to make a link to give by hand.)")
    if problem:
        link, raw = services.create_link(db.session, person, channel="print", now=now, reason="support", settings=settings)
        message, url = None, services.link_url(settings, raw)
    else:
        message = services.send_invitation(db.session, person, now=now, reason="support", settings=settings)
        link = db.session.scalar(select(KeepInTouchLink).where(KeepInTouchLink.outbox_message_id == message.id))
        url = message.personalisation["link"]  # the queued message holds the only copy until it is sent
    record_event(
        db.session, "create", actor_type="system", object_type="young_person", object_id=person.id,
        detail={"part": "keep_in_touch_link", "link_id": link.id, "sent": message is not None, "printed": print_link},
    )
    db.session.commit()
    if message is not None:
        click.echo(f"Queued message {message.id}: a link by {message.channel_name.lower()} (it goes out at the next delivery run).")
    else:
        click.echo(f"Not sent: {problem}")
    if print_link:
        click.echo(f"Link (works once, until {services.long_local_date(link.expires_at)}): {url}")


@click.group("notifications", help="The notification outbox.")
def notifications_group():
    pass


@notifications_group.command("deliver", help="Deliver the messages that are due now through the configured adapter.")
def notifications_deliver():
    from destinations.notifications import services

    counts = services.deliver_due(db.session, utcnow())
    click.echo(", ".join(f"{name} {count}" for name, count in counts.items()))
