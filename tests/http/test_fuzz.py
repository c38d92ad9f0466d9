"""Schemathesis fuzzes the live server from its own OpenAPI document: no input may get a 5xx.

Both schema-valid and schema-violating requests are generated for every operation (about 30
of each). They carry a valid token, so they get past the 401 gate into validation and the
agent; schemathesis also replays them without auth and expects the 401. Each response must
match what the document promises (status code, content type, body schema).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.http_api import USERS, ApiStack, auth

pytestmark = pytest.mark.integration

OPERATIONS = [("/v1/chat", "POST"), ("/v1/chat/stream", "POST"),
              ("/v1/threads/{thread_id}", "GET"), ("/healthz", "GET"),
              ("/v1/connections/{platform}", "POST"), ("/v1/connections", "GET"),
              ("/v1/connections/{platform_account_id}", "DELETE"),
              ("/oauth/{platform}/callback", "GET"), ("/connect/{state}", "GET"),
              ("/connect/{state}", "POST"), ("/connect/slack/callback", "GET")]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, ignored_auth]


@pytest.fixture(scope="module")
def api_schema(api: ApiStack):
    return schemathesis.openapi.from_url(f"{api.url}/openapi.json")


def test_every_operation_is_fuzzed(api_schema) -> None:
    documented = {(op.ok().path, op.ok().method.upper())
                  for op in api_schema.get_all_operations()}
    assert documented == set(OPERATIONS)


# /healthz takes no input, and /connect/{state} (GET and POST) only a path segment and an
# optional cookie, both any string: there is nothing to make invalid.
NOTHING_INVALID = {"/healthz", "/connect/{state}"}
FUZZED = [(path, method, mode) for path, method in OPERATIONS
          for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
          if not (path in NOTHING_INVALID and mode is GenerationMode.NEGATIVE)]


@pytest.mark.parametrize(("path", "method", "mode"), FUZZED)
def test_no_generated_request_breaks_the_api(api_schema, path: str, method: str,
                                             mode: GenerationMode) -> None:
    operation = api_schema[path][method]
    headers = auth(USERS[2])
    checks = [*CHECKS, negative_data_rejection] if mode is GenerationMode.NEGATIVE else CHECKS
    seen: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def run(case) -> None:
        response = case.call(headers=headers, timeout=30)
        seen.append(response.status_code)
        assert response.status_code < 500, (response.status_code, response.text[:300])
        case.validate_response(response, checks=checks, headers=headers)

    run()
    assert seen, "the strategy produced requests"
