"""Helpers for driving the young person's pages as a browser would."""
from __future__ import annotations

from datetime import date

from tests.conftest import csrf_from

MENU = "/keep-in-touch/menu"


def dob_fields(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def try_dob(client, raw: str, value: date):
    """Open the link and answer the date-of-birth question."""
    page = client.get(f"/keep-in-touch/{raw}")
    assert page.status_code == 200, page.status_code
    return client.post(f"/keep-in-touch/{raw}", data={"date_of_birth": dob_fields(value), "csrf_token": csrf_from(page.get_data(as_text=True))})


def confirm(client, raw: str, value: date):
    """Confirm it is the young person; asserts the redirect to the menu."""
    response = try_dob(client, raw, value)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    assert response.headers["Location"].endswith(MENU)
    return response


def answer(client, url: str, data: dict):
    """GET a question page for its CSRF token, then POST the answer."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code, page.headers.get("Location"))
    return client.post(url, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))})


def kit_cookie(client) -> str | None:
    cookie = client.get_cookie("dps_kit", path="/keep-in-touch")
    return cookie.value if cookie else None
