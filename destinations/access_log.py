"""Gunicorn's access log without keep-in-touch link tokens.

A keep-in-touch link is the one URL that carries a secret (DOMAIN section 8); anyone who reads
the access log must not be able to replay it. ``make run`` and the README's production command
pass ``--logger-class destinations.access_log.RedactingLogger``.
"""
from __future__ import annotations

import re

from gunicorn.glogging import Logger

# The landing page is /keep-in-touch/<token>; every other page there has a fixed name, and a
# token is far longer than any of them.
TOKEN_PATH = re.compile(r"(/keep-in-touch/)[A-Za-z0-9_\-]{20,}")
HIDDEN = r"\1[link]"


def redact(text: str | None) -> str | None:
    return TOKEN_PATH.sub(HIDDEN, text) if text else text


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if key in atoms:
                atoms[key] = redact(atoms[key])
        return atoms
