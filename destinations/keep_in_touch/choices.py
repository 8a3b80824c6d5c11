"""The answers a young person can choose, in plain words, and what each means to the service.

"What are you doing now?" maps each choice to an activity code (DOMAIN section 7); a choice
that is paid work also asks for hours, because the activity rules need them. "Something
else" has no code: the young person's own words go to their keyworker, who records it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DoingNow:
    label: str
    code: str | None
    hint: str | None = None
    asks_hours: bool = False


# Below this many hours a week a paid job is part-time employment (360); the long-term
# outcome measure uses the same 16 hours for "paid work".
PART_TIME_BELOW_HOURS = Decimal(16)

DOING_NOW = {
    "school": DoingNow("At school or a school sixth form", "210"),
    "college": DoingNow("At college", "230", "Including a specialist college"),
    "university": DoingNow("At university", "240"),
    "apprenticeship": DoingNow("An apprenticeship", "310", "Paid work where you also learn", asks_hours=True),
    "internship": DoingNow("A supported internship", "460", "Learning a job at work with support"),
    "job": DoingNow("A paid job", "330", asks_hours=True),
    "training": DoingNow("A training course", "430"),
    "volunteering": DoingNow("Volunteering", "540", "Unpaid work, helping out"),
    "day_service": DoingNow("Going to a day service or day centre", "S10"),
    "looking": DoingNow("Looking for work, college or training", "619"),
    "not_ready": DoingNow("Not ready for work or learning right now", "610"),
    "caring": DoingNow("Looking after someone", "620"),
    "other": DoingNow("Something else", None),
}


def activity_code_for(choice: str, hours: Decimal | None) -> str | None:
    option = DOING_NOW[choice]
    if choice == "job" and hours is not None and hours < PART_TIME_BELOW_HOURS:
        return "360"
    return option.code


CONTACT_ABOUT = {
    "learning": "College, school or training",
    "work": "Work or an apprenticeship",
    "money": "Money or benefits",
    "home": "Where I live",
    "health": "Health or feeling well",
    "support": "Getting support",
    "other": "Something else",
}

CONTACT_HOW = {
    "phone": "A phone call",
    "text": "A text message",
    "email": "An email",
    "meet": "Meet in person",
}

CONTACT_WHEN = {
    "morning": "In the morning",
    "afternoon": "In the afternoon",
    "after_school": "After 4pm",
    "any": "Any time",
}

NEXT_STEPS = {
    "college": "Go to college",
    "apprenticeship": "Start an apprenticeship",
    "job": "Get a paid job",
    "internship": "Do a supported internship",
    "training": "Do a training course",
    "volunteering": "Volunteer",
    "living": "Live more independently",
    "not_sure": "I am not sure yet",
    "other": "Something else",
}

SEND_BY = {"sms": "By text message", "email": "By email"}


def describe(reply_kind: str, answers: dict) -> list[tuple[str, str]]:
    """What the young person said, as (question, answer) pairs in plain words."""
    rows: list[tuple[str, str]] = []
    if reply_kind == "doing_now":
        choice = DOING_NOW.get(answers.get("choice", ""))
        rows.append(("What are you doing now?", choice.label if choice else answers.get("choice", "")))
        if answers.get("hours_per_week"):
            rows.append(("Hours a week", str(answers["hours_per_week"])))
        if answers.get("details"):
            rows.append(("In their words", answers["details"]))
        if answers.get("same_as_recorded"):
            rows.append(("Compared with the record", "The same as what is already recorded"))
    elif reply_kind == "contact_request":
        rows.append(("What about?", ", ".join(CONTACT_ABOUT.get(key, key) for key in answers.get("about", []))))
        if answers.get("about_details"):
            rows.append(("In their words", answers["about_details"]))
        rows.append(("How?", CONTACT_HOW.get(answers.get("how", ""), answers.get("how", ""))))
        rows.append(("When?", CONTACT_WHEN.get(answers.get("when", ""), answers.get("when", ""))))
    elif reply_kind == "contact_details":
        changed = answers.get("changed", [])
        names = {"mobile": "Mobile number", "email": "Email address", "preferred_channel": "How to send messages"}
        rows.append(("What changed", ", ".join(names.get(name, name) for name in changed) or "Nothing"))
        if answers.get("mobile"):
            rows.append(("New mobile number", answers["mobile"]))
        if answers.get("email"):
            rows.append(("New email address", answers["email"]))
        if answers.get("preferred_channel"):
            rows.append(("Send messages", SEND_BY.get(answers["preferred_channel"], answers["preferred_channel"])))
    elif reply_kind == "next_steps":
        rows.append(("What would you like to do next?", NEXT_STEPS.get(answers.get("choice", ""), answers.get("choice", ""))))
        if answers.get("details"):
            rows.append(("In their words", answers["details"]))
    elif reply_kind == "stop_messages":
        rows.append(("Messages", "Asked us to stop sending messages"))
    elif reply_kind == "link_locked":
        rows.append(("What happened", "Someone entered a wrong date of birth too many times, so the link was locked. Check the date of birth on the record, then contact the young person."))
    return rows
