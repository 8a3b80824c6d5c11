"""Message templates: name -> subject and body, with ``((placeholder))`` personalisation.

The ``log`` and ``smtp`` adapters render these. GOV.UK Notify keeps its own copy of each
template; ``NOTIFY_TEMPLATE_IDS`` maps the same names to Notify's template ids, so the
placeholders here must match the ones in Notify (Notify uses the same ``((name))`` syntax).

To add a message, add an entry to ``TEMPLATES`` (plain text, short sentences) and, for
Notify, create the template there and add its id to ``NOTIFY_TEMPLATE_IDS``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

PLACEHOLDER = re.compile(r"\(\(([a-z_][a-z0-9_]*)\)\)")


class TemplateError(ValueError):
    """A template that does not exist, or personalisation that does not fill it."""


@dataclass(frozen=True)
class Template:
    subject: str
    body: str
    # Text messages are short: a template sent by SMS has its own wording (no subject).
    sms_body: str | None = None

    def text_for(self, channel: str) -> str:
        if channel == "sms":
            if self.sms_body is None:
                raise TemplateError("This message has no text-message version: send it by email.")
            return self.sms_body
        return self.body

    def placeholders(self, channel: str) -> set[str]:
        text = self.text_for(channel) + ("" if channel == "sms" else self.subject)
        return set(PLACEHOLDER.findall(text))


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


TEMPLATES: dict[str, Template] = {
    "keep_in_touch_invitation": Template(
        subject="Keep in touch with ((council_name))",
        body=(
            "Hello ((first_name)),\n\n"
            "We would like to know how you are getting on.\n\n"
            "Use this link to tell us what you are doing now, ask someone to contact you, "
            "or change your phone number or email:\n\n"
            "((link))\n\n"
            "You will need your date of birth. The link works once. It stops working on ((expires_on)).\n\n"
            "If you do not want these messages, open the link and choose 'Stop messages'.\n\n"
            "((council_name))"
        ),
        sms_body=(
            "Hello ((first_name)), this is ((council_name)). How are you getting on? Tell us here: ((link)) "
            "You need your date of birth. The link works until ((expires_on))."
        ),
    ),
    "keep_in_touch_new_link": Template(
        subject="Your new link from ((council_name))",
        body=(
            "Hello ((first_name)),\n\n"
            "You asked for a new link. Here it is:\n\n"
            "((link))\n\n"
            "You will need your date of birth. The link works once. It stops working on ((expires_on)).\n\n"
            "If you did not ask for this, you do not need to do anything.\n\n"
            "((council_name))"
        ),
        sms_body="Hello ((first_name)), here is your new link from ((council_name)): ((link)) It works until ((expires_on)).",
    ),
    # Staff digests from scheduled jobs: counts and a link, never names (the email leaves the council).
    "review_digest": Template(
        subject="PfA reviews on your caseload this week",
        body=(
            "Hello ((name)),\n\n"
            "Preparation for adulthood reviews on your caseload:\n\n"
            "- overdue: ((overdue))\n"
            "- due in the next 30 days: ((due_soon))\n\n"
            "Sign in to see who they are:\n\n"
            "((link))\n\n"
            "((council_name)) Destinations and Progression Service"
        ),
    ),
    "destination_chase": Template(
        subject="Destinations to follow up this week",
        body=(
            "Hello ((name)),\n\n"
            "Young people on your caseload whose destination needs following up: ((total))\n\n"
            "- nothing recorded: ((missing))\n"
            "- not in education, employment or training: ((neet))\n"
            "- destination not known: ((not_known))\n"
            "- not confirmed for 3 months: ((not_confirmed))\n\n"
            "Those who agreed to it have been sent a keep-in-touch link. Sign in to see who they are:\n\n"
            "((link))\n\n"
            "((council_name)) Destinations and Progression Service"
        ),
    ),
}


def get(name: str) -> Template:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise TemplateError(f"There is no message template called {name!r}. Known templates: {', '.join(sorted(TEMPLATES))}.") from None


def check(name: str, channel: str, personalisation: Mapping[str, object]) -> None:
    """Raise TemplateError unless ``personalisation`` fills every placeholder of the template."""
    missing = get(name).placeholders(channel) - set(personalisation)
    if missing:
        raise TemplateError(f"The {name} message needs personalisation for: {', '.join(sorted(missing))}.")


def render(name: str, channel: str, personalisation: Mapping[str, object]) -> Rendered:
    check(name, channel, personalisation)
    template = get(name)

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda match: str(personalisation[match.group(1)]), text)

    return Rendered(subject=None if channel == "sms" else fill(template.subject), body=fill(template.text_for(channel)))


def notify_template_id(template_ids: Mapping[str, str], name: str, channel: str) -> str | None:
    """Notify's template id for ``name`` on ``channel``: "name:channel" first, then "name"."""
    return template_ids.get(f"{name}:{channel}") or template_ids.get(name)
