"""schemathesis against the live `/openapi.json` of a real uvicorn server with a recorded run:
no 5xx for any input it generates, and every response matches the schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from conveyor.engine.ports.store import ProtectionRules
from tests.unit.server.conftest import Api

EXAMPLES = 15  # per operation: ~25 operations, a few seconds in all


@pytest.fixture
def live(api: Api, recorded_repo: Path) -> Iterator[Api]:
    rules = ProtectionRules(required_reviewers=("admin",))
    api.store.environments.declare_environment("o/r", "prod", rules)
    api.store.secrets.set_secret("o/r", "TOKEN", "value-of-a-secret")
    api.store.variables.set_variable("o/r", "NAME", "value")
    return api


def check_operation(operation: schemathesis.APIOperation, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers, timeout=10)
        assert response.status_code < 500
        assert "value-of-a-secret" not in response.text

    check()


def test_no_server_errors_and_responses_match_the_schema(live: Api) -> None:
    # The pytest integration (`schemathesis.pytest.from_fixture`) breaks on pytest 9; each
    # operation's strategy through hypothesis directly is the same test.
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    headers = {"Authorization": f"Bearer {live.tokens['admin']}"}
    # The webhook is signed by GitHub (HMAC), not by an API token: test_webhook_fuzz.py fuzzes it.
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if operation.path != "/webhooks/github"
    ]
    assert len(operations) > 20
    for operation in operations:
        check_operation(operation, headers)
