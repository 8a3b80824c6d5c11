"""The access log never holds a keep-in-touch link's token."""
from __future__ import annotations

import datetime
from types import SimpleNamespace

from gunicorn.config import Config

from destinations.access_log import RedactingLogger

TOKEN = "x1Y2_z3-AbCdEfGhIjKlMnOpQrStUv"


def access_line(path: str, referer: str = "-") -> str:
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": path, "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": "", "REMOTE_ADDR": "192.0.2.1", "HTTP_REFERER": referer,
    }  # fmt: skip
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[("REFERER", referer)]), environ, datetime.timedelta(milliseconds=5))
    return logger.cfg.access_log_format % atoms


def test_a_link_token_is_replaced_in_the_request_line():
    line = access_line(f"/keep-in-touch/{TOKEN}")
    assert TOKEN not in line
    assert "/keep-in-touch/[link]" in line


def test_a_link_token_is_replaced_in_the_referer_too():
    assert TOKEN not in access_line("/keep-in-touch/menu", referer=f"https://dps.example/keep-in-touch/{TOKEN}")


def test_other_pages_are_logged_as_they_are():
    assert "/keep-in-touch/new-link" in access_line("/keep-in-touch/new-link")
    assert "/young-people/42" in access_line("/young-people/42")
