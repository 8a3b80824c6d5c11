"""Unique Pupil Number (UPN) checks.

A UPN is 13 characters: a check letter, a 3-digit LA number, a 4-digit DfE establishment
number, a 2-digit year and a 3-digit serial. Temporary UPNs end in a letter instead of the
last digit. The check letter is computed by python-stdnum.

We deliberately do not use ``stdnum.gb.upn.validate``: it rejects LA numbers missing from
its 2011 list, which leaves out councils created since (for example 838-839 and 940-943),
and a council must never be told its own pupils' numbers are invalid.
"""

from __future__ import annotations

import re

from stdnum.gb.upn import calc_check_digit

# The DfE alphabet leaves out I, O and S, which are easily misread as 1, 0 and 5.
_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_LENGTH = 13
_WHITESPACE = re.compile(r"\s+")


class UPNError(ValueError):
    """A UPN that cannot be right; the message says what is wrong and how to fix it."""


def normalise_upn(value: str) -> str:
    """Remove spaces (including ones pasted from spreadsheets) and upper-case the letters."""
    return _WHITESPACE.sub("", value).upper()


def validate_upn(value: str) -> str:
    """Return the normalised UPN, or raise UPNError saying what is wrong with it.

    The message names the character at fault but never repeats the whole UPN, because these
    messages can end up in logs and a UPN identifies a child.
    """
    upn = normalise_upn(value)
    if len(upn) != _UPN_LENGTH:
        raise UPNError(
            "UPN must be 13 characters: a check letter followed by 12 digits "
            f"(the last may be a letter). You entered {len(upn)} characters."
        )
    if upn[0] not in _LETTERS:
        raise UPNError(
            "UPN must start with a check letter (any letter except I, O and S). "
            f"It starts with {upn[0]!r}."
        )
    for position, character in enumerate(upn[1:-1], start=2):
        if not ("0" <= character <= "9"):
            raise UPNError(
                "UPN must have digits in characters 2 to 12. "
                f"Character {position} is {character!r}."
            )
    last = upn[-1]
    if not ("0" <= last <= "9" or last in _LETTERS):
        raise UPNError(
            "The last character of a UPN must be a digit, or a letter other than I, O and S "
            f"for a temporary UPN. It is {last!r}."
        )
    expected = calc_check_digit(upn[1:])
    if upn[0] != expected:
        raise UPNError(
            f"UPN check letter is wrong: for a UPN ending {upn[-3:]} it should be {expected}, "
            f"not {upn[0]}. Check the UPN was copied correctly."
        )
    return upn


def make_upn(la_number: int, establishment: int, year: int, serial: int) -> str:
    """Build a valid permanent UPN from its parts (used by the demo data generator).

    ``year`` may be two digits (15) or a full year (2015); only its last two digits are kept,
    as in a real UPN.
    """
    parts = (
        ("LA number", la_number, 0, 999),
        ("establishment number", establishment, 0, 9999),
        ("serial", serial, 0, 999),
    )
    for name, part, lowest, highest in parts:
        if not lowest <= part <= highest:
            raise ValueError(f"UPN {name} must be between {lowest} and {highest}, not {part}.")
    if not (0 <= year <= 99 or 1999 <= year <= 2099):
        raise ValueError(f"UPN year must be two digits or a year from 1999 to 2099, not {year}.")
    body = f"{la_number:03d}{establishment:04d}{year % 100:02d}{serial:03d}"
    return calc_check_digit(body) + body
