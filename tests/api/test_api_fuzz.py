"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis).

Every operation in the document is called as a manager with a read and write token, against a
database with young people, a keyworker and providers in it, with data generated both to fit
the document (positive) and to break it (negative). Whatever is sent, the service must not
answer 5xx, and every answer must be one the document promises, in the shape it promises.

The app fixture is session-scoped, so the schema is loaded inside the test rather than at
import time, and each operation gets its own bounded Hypothesis run. All calls go to the WSGI
app in-process, inside the test's rolled-back transaction.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import bearer
from tests.factories import make_person, make_provider, make_user

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION_AND_MODE = 12
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
    deadline=None,
    derandomize=True,  # the same cases every run, so a failure here is never a fluke
    database=None,
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)


@pytest.fixture
def fuzz_world(session):
    manager = make_user(session, "manager")
    keyworker = make_user(session, "keyworker")
    school = make_provider(session, kind="special_school", urn="145678")
    make_provider(session, kind="college", ukprn="10012345")
    person = make_person(session, keyworker=keyworker, school_id=school.id, pathway=2)
    make_person(session)
    return {
        "headers": bearer(session, manager),
        "path_parameters": {"person_id": person.id, "user_id": keyworker.id, "provider_id": school.id},
    }


def cases_for(operation, mode: GenerationMode, known_ids: dict[str, int]):
    """Cases with generated ids (mostly 404s) and with ids of records that exist."""
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: value for name, value in known_ids.items() if name in names}
    strategies = [operation.as_strategy(mode)]
    if fixed:
        strategies.append(operation.as_strategy(mode, path_parameters=fixed))
    return st.one_of(*strategies)


def fuzz(app, operation, mode: GenerationMode, world: dict) -> None:
    @FUZZ_SETTINGS
    @given(case=cases_for(operation, mode, world["path_parameters"]))
    def run(case):
        case.call_and_validate(app=app, headers=world["headers"], checks=CHECKS)

    run()


def test_the_api_never_fails_and_always_answers_as_documented(app, fuzz_world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(app, operation, mode, fuzz_world)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - fuzz every operation, then report every failure
                failures.append(f"{operation.label} ({mode.value}):\n{error}")
    assert operations >= 10
    assert not failures, "\n\n".join(failures)
