"""Checking and normalising the contact details a young person or their keyworker types."""
from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

_MOBILE_SEPARATORS = re.compile(r"[\s\-().]")
UK_MOBILE = re.compile(r"^07[0-9]{9}$")
MOBILE_MESSAGE = "Enter a UK mobile number, like 07700 900 982"
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"


class ContactError(ValueError):
    pass


def normalise_mobile(value: str | None) -> str | None:
    """``07700900982`` from the ways people write a UK mobile number; None when blank."""
    text = _MOBILE_SEPARATORS.sub("", value or "")
    if not text:
        return None
    for prefix in ("+44", "0044", "44"):
        if text.startswith(prefix) and len(text) == len(prefix) + 10:
            text = "0" + text[len(prefix):]
            break
    if not UK_MOBILE.match(text):
        raise ContactError(MOBILE_MESSAGE)
    return text


def normalise_email(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > 254:
        raise ContactError("Email address must be 254 characters or fewer")
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ContactError(EMAIL_MESSAGE) from None


def looks_like_email(value: str) -> bool:
    return "@" in (value or "")
