"""Test fixtures: one database per run, built from the migrations; one rolled-back transaction per test.

Set TEST_DATABASE_URL to run on PostgreSQL (``make test DB=postgres`` does). The default
is a fresh SQLite file per run.
"""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from config import Test
from destinations import create_app, migrate
from destinations.database import make_engine
from destinations.extensions import db
from tests.factories import DEFAULT_PASSWORD


def test_database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    folder = Path(tempfile.mkdtemp(prefix="dps-test-"))
    return f"sqlite:///{folder / 'test.db'}"


def reset_database(url: str) -> None:
    """Empty the database and build it from the migrations, as production does."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()


def database_of_its_own(name: str, folder: Path) -> str:
    """A freshly migrated database beside the suite's, for tests that commit from several
    sessions at once: ``<test database>_<name>`` on PostgreSQL, ``<folder>/<name>.db`` on SQLite."""
    from sqlalchemy.engine import make_url

    from tests import create_database

    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        target = make_url(url)
        url = target.set(database=f"{target.database}_{name}").render_as_string(hide_password=False)
        create_database.main(url)
    else:
        url = f"sqlite:///{folder / f'{name}.db'}"
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def database_url() -> str:
    url = test_database_url()
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def app(database_url):
    config = type("TestConfig", (Test,), {"DATABASE_URL": database_url})
    app = create_app(config)
    yield app
    db.engine.dispose()


@pytest.fixture(autouse=True)
def transaction(request, app):
    """Run each test inside a transaction that is rolled back afterwards.

    Requests made by the test client get their own app context and session, bound to
    the same connection, so they see the test's data and the test sees their changes.
    """
    if "live_server" in request.fixturenames or request.node.get_closest_marker("no_transaction"):
        yield None
        return
    connection = db.engine.connect()
    outer = connection.begin()
    db.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    yield connection
    outer.rollback()
    connection.close()
    db.session_factory.configure(bind=db.engine)


@pytest.fixture
def session(transaction):
    """The test's own session; it is expired after each client request so it sees fresh data."""
    test_session = Session(bind=transaction, join_transaction_mode="create_savepoint", expire_on_commit=False)
    _sessions.append(test_session)
    yield test_session
    _sessions.remove(test_session)
    test_session.close()


_sessions: list[Session] = []


class TestClient(FlaskClient):
    """A client that makes the test's session forget what it loaded after every request."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        for test_session in _sessions:
            test_session.expire_all()
        return response


@pytest.fixture
def client(app, transaction):
    app.test_client_class = TestClient
    return app.test_client()


@pytest.fixture
def make_client(app, transaction):
    """For tests that need a second browser."""
    app.test_client_class = TestClient
    return app.test_client


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def sign_in(client, user, password: str = DEFAULT_PASSWORD):
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in", data={"email": user.email, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def post_form(client, url: str, data: dict, **kwargs):
    """GET the form (for its CSRF token), then POST ``data`` to it."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))}, **kwargs)


@contextmanager
def count_statements():
    """Collect the SQL statements run inside the block (to show a page does not query per row)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
