"""Every route declares who may use it, and every role gets what that declaration says.

The tests walk ``app.url_map``, so a route added later is covered without touching this file.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from werkzeug.routing import IntegerConverter, PathConverter

from destinations.auth import services as auth_services
from destinations.security.permissions import PUBLIC, access_rule, allow, token_scopes
from tests.conftest import sign_in
from tests.factories import make_person, make_provider, make_user

ROLES = ("admin", "manager", "keyworker", "college")
CALLERS = ("anonymous", *ROLES)
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
RECORD_LEVEL_ARGUMENT = "person_id"  # only managers see the whole roll; others get 404 for a record off their caseload
NOT_A_RECORD_ID = 2_000_000_000


def routes(app):
    """(rule, method) for every route and method an application answers."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        for method in sorted(rule.methods - SKIPPED_METHODS):
            yield rule, method


def is_api(path: str) -> bool:
    return path.startswith("/api/")


@dataclass
class World:
    """Records for every kind of id a route may take, and a way in for every caller.

    An ``<int:...>`` argument this does not know yet gets an id no record has, so a new
    route is still checked for its access rule and for server errors.
    """

    values: dict[str, object]
    tokens: dict[str, dict[str, str]]
    users: dict[str, object]

    def url(self, rule, **overrides) -> str:
        values = {**self.values, **overrides}
        arguments = {}
        for name in rule.arguments:
            converter = rule._converters.get(name)
            if isinstance(converter, PathConverter):
                arguments[name] = "css/app.css"
            elif isinstance(converter, IntegerConverter):
                arguments[name] = values.get(name, NOT_A_RECORD_ID)
            else:
                arguments[name] = values.get(name, "not-a-real-value")
        return rule.build(arguments, append_unknown=False)[1]


@pytest.fixture
def world(session):
    owner = make_user(session, "keyworker")  # the person is on this keyworker's caseload, not the caller's
    person = make_person(session, keyworker=owner)
    provider = make_provider(session, kind="college", ukprn="10077777")
    users = {role: make_user(session, role) for role in ROLES}
    tokens = {}
    for role, user in users.items():
        _token, value = auth_services.create_token(session, user)
        tokens[role] = {"Authorization": f"Bearer {value}"}
    owners_token, _value = auth_services.create_token(session, owner)
    session.flush()
    values = {"person_id": person.id, "provider_id": provider.id, "user_id": owner.id, "token_id": owners_token.id}
    return World(values=values, tokens=tokens, users=users)


def browser(make_client, world: World, caller: str):
    client = make_client()
    if caller != "anonymous":
        sign_in(client, world.users[caller])
    return client


def request(make_client, world: World, caller: str, method: str, url: str, html_client=None, csrf: bool = True):
    if is_api(url):
        client = make_client()
        headers = world.tokens.get(caller, {})
        return client.open(url, method=method, headers=headers)
    client = html_client or browser(make_client, world, caller)
    config = client.application.config
    config["WTF_CSRF_ENABLED"] = csrf
    try:
        return client.open(url, method=method, data={})
    finally:
        config["WTF_CSRF_ENABLED"] = True


def answer(response) -> tuple:
    return response.status_code, response.get_json(silent=True) if response.is_json else None


def problem_with(rule_access, caller: str, url: str, rule, response, as_if_missing=None) -> str | None:
    """What is wrong with ``response`` to ``caller``, or None when it is what the rule promises.

    ``as_if_missing`` makes the same request for a young person who does not exist: a record
    off the caller's caseload must be answered exactly as that one is.
    """
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if rule_access == PUBLIC:
        return None
    if caller == "anonymous":
        if is_api(url):
            if status != 401 or (response.get_json(silent=True) or {}).get("code") != 401:
                return f"anonymous API call answered {status}, expected the 401 envelope"
        elif status != 302 or not response.headers.get("Location", "").startswith("/sign-in"):
            return f"anonymous page answered {status}, expected a redirect to /sign-in"
        return None
    if caller not in rule_access:
        if status != 403:
            return f"{caller} is not in the rule {sorted(rule_access)} but got {status}, expected 403"
        return None
    if status == 401:
        return f"{caller} is in the rule but got 401"
    if RECORD_LEVEL_ARGUMENT in rule.arguments and caller != "manager":
        if 200 <= status < 300 or (response.request.method == "GET" and status != 404):
            return f"{caller} reached a record off their caseload: {status}, expected 404"
        missing = as_if_missing() if as_if_missing else None
        if missing is not None and answer(missing) != answer(response):
            return f"{caller} can tell a record off their caseload ({answer(response)}) from a missing one ({answer(missing)})"
    return None


def test_every_route_declares_who_may_use_it(app):
    missing = [f"{method} {rule.rule} ({rule.endpoint})" for rule, method in routes(app) if access_rule(app, rule.endpoint, method) is None]
    assert not missing, "routes with no @allow(...) or @public:\n" + "\n".join(missing)


def test_access_rules_name_only_real_roles(app):
    for rule, method in routes(app):
        declared = access_rule(app, rule.endpoint, method)
        if declared not in (None, PUBLIC):
            assert set(declared) <= set(ROLES), (rule.rule, method, declared)


# Routes whose changes a read-only API token may ask for: an import's dry run only reads.
READ_SCOPE_CHANGES = {("POST", "/api/v1/imports/young-people"), ("POST", "/api/v1/imports/destinations")}


def test_every_api_change_needs_the_write_scope_but_an_imports_dry_run(app):
    reads, changes = [], []
    for rule, method in routes(app):
        if not is_api(rule.rule) or access_rule(app, rule.endpoint, method) in (None, PUBLIC):
            continue
        scopes = token_scopes(app, rule.endpoint, method)
        if method == "GET":
            reads.append(scopes)
        elif (method, rule.rule) in READ_SCOPE_CHANGES:
            assert set(scopes) == {"read", "write"}, (method, rule.rule, scopes)
        else:
            changes.append((method, rule.rule, scopes))
    assert set(reads) == {("read",)}
    assert changes and not [change for change in changes if change[2] != ("write",)], changes


def test_a_view_can_declare_the_token_scope_it_needs_and_no_other():
    @allow("manager", scope="read")
    def view():
        return None

    assert view.token_scopes == ("read",)
    with pytest.raises(ValueError):
        allow("manager", scope="admin")
    with pytest.raises(ValueError):
        allow("manager", scope=())


@pytest.mark.parametrize("caller", CALLERS)
def test_every_page_and_api_read_answers_each_caller_as_its_rule_says(app, make_client, world, caller):
    html_client = browser(make_client, world, caller)
    problems = []
    checked = 0
    for rule, method in routes(app):
        if method != "GET":
            continue
        declared = access_rule(app, rule.endpoint, method)
        if declared is None:
            continue  # reported by test_every_route_declares_who_may_use_it
        url = world.url(rule)
        response = request(make_client, world, caller, method, url, html_client)
        checked += 1
        missing_url = world.url(rule, person_id=NOT_A_RECORD_ID)
        problem = problem_with(declared, caller, url, rule, response, lambda: request(make_client, world, caller, method, missing_url, html_client))
        if problem:
            problems.append(f"GET {url}: {problem}")
    assert checked > 10
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("caller", CALLERS)
def test_every_change_with_an_empty_body_is_refused_to_callers_the_rule_leaves_out(app, make_client, world, caller):
    # Without the CSRF check every HTML form would answer 400 first; switching it off for the
    # request lets the access rule itself be seen. The next test proves the CSRF check is there.
    problems = []
    for rule, method in routes(app):
        if method == "GET":
            continue
        declared = access_rule(app, rule.endpoint, method)
        if declared is None:
            continue
        url = world.url(rule)
        response = request(make_client, world, caller, method, url, csrf=False)
        allowed = declared == PUBLIC or caller in declared
        if not allowed and 200 <= response.status_code < 300:
            problems.append(f"{method} {url}: {caller} is not allowed but got {response.status_code}")
        missing_url = world.url(rule, person_id=NOT_A_RECORD_ID)
        problem = problem_with(
            declared, caller, url, rule, response, lambda: request(make_client, world, caller, method, missing_url, csrf=False)
        )
        if problem:
            problems.append(f"{method} {url}: {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("caller", CALLERS)
def test_every_html_form_post_without_a_csrf_token_is_refused(app, make_client, world, caller):
    client = browser(make_client, world, caller)  # every post is refused, so one browser will do
    problems = []
    for rule, method in routes(app):
        if method == "GET" or is_api(rule.rule):
            continue
        url = world.url(rule)
        response = client.open(url, method=method, data={})
        if response.status_code != 400:
            problems.append(f"{method} {url}: {caller} without a CSRF token got {response.status_code}, expected 400")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("caller", ROLES)
def test_an_id_too_large_for_the_database_is_never_a_server_error(app, make_client, world, caller):
    huge = World(values={name: 2**64 for name in ("person_id", "provider_id", "user_id", "token_id")}, tokens=world.tokens, users=world.users)
    html_client = browser(make_client, world, caller)
    problems = []
    for rule, method in routes(app):
        if method != "GET" or not any(isinstance(rule._converters.get(name), IntegerConverter) for name in rule.arguments):
            continue
        url = huge.url(rule)
        response = request(make_client, world, caller, method, url, html_client)
        if response.status_code >= 500:
            problems.append(f"GET {url}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_a_route_with_no_rule_is_refused_to_everyone(app, make_client, world):
    """Deny by default: enforcement answers 404 when a view forgot to say who may use it."""

    def forgotten():
        return "should never be seen"

    assert "people.record" in app.view_functions
    view_functions = dict(app.view_functions)
    app.view_functions["people.record"] = forgotten
    try:
        for caller in CALLERS:
            response = browser(make_client, world, caller).get(f"/young-people/{world.values['person_id']}")
            assert response.status_code == 404, caller
            assert b"should never be seen" not in response.data
    finally:
        app.view_functions.clear()
        app.view_functions.update(view_functions)
