"""The data GitHub publishes as npm packages, pinned in tests/data/npm and installed into
.test-data/ by scripts/install-test-data.sh (run by `make test`): GitHub's REST API description
(@octokit/openapi), its webhook schemas (@octokit/openapi-webhooks) and real example payloads
(@octokit/webhooks-examples).

A test that reads them calls one of the loaders; when the data is not installed the test skips
and says why, or fails under CONVEYOR_REQUIRE_SHARED=1 (as CI runs) like the ../shared tests."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, REQUIRE_SHARED

OCTOKIT = Path(os.environ.get("CONVEYOR_TEST_DATA") or REPO_ROOT / ".test-data") / (
    "node_modules/@octokit"
)
REST_DESCRIPTION = OCTOKIT / "openapi/generated/api.github.com.json"
WEBHOOK_SCHEMAS = OCTOKIT / "openapi-webhooks/generated/api.github.com.json"
WEBHOOK_EXAMPLES = OCTOKIT / "webhooks-examples/api.github.com/index.json"


def _require(path: Path) -> Path:
    if path.is_file():
        return path
    reason = f"{path} is not installed (run: bash scripts/install-test-data.sh)"
    if os.environ.get(REQUIRE_SHARED) == "1":
        pytest.fail(f"{reason}; {REQUIRE_SHARED}=1 requires it", pytrace=False)
    pytest.skip(reason)


@functools.cache
def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def rest_description() -> dict[str, Any]:
    """GitHub's OpenAPI 3 description of api.github.com (with `$ref`s, not dereferenced)."""
    return dict(_load(_require(REST_DESCRIPTION)))


def webhook_schemas() -> dict[str, Any]:
    """GitHub's OpenAPI description of its webhooks (`webhooks` and `components.schemas`)."""
    return dict(_load(_require(WEBHOOK_SCHEMAS)))


def webhook_examples() -> list[dict[str, Any]]:
    """The example payloads: one entry per event, `{"name", "examples": [payload, ...], ...}`."""
    return list(_load(_require(WEBHOOK_EXAMPLES)))
