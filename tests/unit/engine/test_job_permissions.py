"""A job token's permissions from `permissions:` with GitHub's semantics: the job's key replaces
the workflow's; `read-all`/`write-all`; `{}` grants nothing; a mapping grants what it lists and
nothing else; absent everywhere, a new repository's restricted default (contents and packages
read). `metadata: read` always."""

from __future__ import annotations

import pytest

from conveyor.engine.job_permissions import (
    DEFAULT_PERMISSIONS,
    SCOPES,
    granted_scopes,
    job_permissions,
)


def _granted(permissions: dict[str, str]) -> dict[str, str]:
    return {scope: level for scope, level in permissions.items() if level != "none"}


def test_absent_everywhere_is_the_restricted_default() -> None:
    assert _granted(job_permissions(None, None)) == {
        "contents": "read",
        "packages": "read",
        "metadata": "read",
    }
    assert _granted(dict(DEFAULT_PERMISSIONS)) == _granted(job_permissions(None, None))


def test_the_job_s_permissions_replace_the_workflow_s() -> None:
    workflow = {"contents": "write", "issues": "write"}
    assert _granted(job_permissions(workflow, None)) == {
        "contents": "write",
        "issues": "write",
        "metadata": "read",
    }
    assert _granted(job_permissions(workflow, {"pull-requests": "read"})) == {
        "pull-requests": "read",
        "metadata": "read",
    }


@pytest.mark.parametrize(
    ("given", "contents", "id_token"),
    [("read-all", "read", "none"), ("write-all", "write", "write"), ({}, "none", "none")],
)
def test_shorthands_and_the_empty_mapping(given: object, contents: str, id_token: str) -> None:
    permissions = job_permissions(given, None)
    assert permissions["contents"] == contents
    assert permissions["id-token"] == id_token
    assert permissions["metadata"] == "read"
    assert set(SCOPES) <= set(permissions)


def test_unknown_scopes_and_levels_grant_nothing() -> None:
    permissions = job_permissions({"contents": "admin", "bogus": "write", "issues": "none"}, None)
    assert _granted(permissions) == {"metadata": "read"}


# The scopes a token carries (`granted_scopes`: read or write only; both forges' GITHUB_TOKEN),
# formerly conveyor.forge.token_permissions.token_scopes: one implementation of `permissions:`.
@pytest.mark.parametrize(
    ("workflow", "job", "granted"),
    [
        (None, None, {"contents": "read", "packages": "read"}),
        ({"contents": "write", "issues": "write"}, None, {"contents": "write", "issues": "write"}),
        ({"contents": "write"}, {"pull-requests": "write"}, {"pull-requests": "write"}),
        ({}, None, {}),
        ({"contents": "none", "issues": "read", "bogus": "write"}, None, {"issues": "read"}),
        ({"contents": True, "checks": "admin"}, None, {}),
        (["contents"], None, {}),
        ("read-some", None, {}),
    ],
)
def test_granted_scopes_are_those_at_read_or_write(
    workflow: object, job: object, granted: dict[str, str]
) -> None:
    assert granted_scopes(workflow, job) == granted


def test_granted_scopes_of_the_shorthands() -> None:
    read_all = granted_scopes("read-all", None)
    assert read_all == {scope: "read" for scope in SCOPES if scope != "id-token"}
    write_all = granted_scopes(None, "write-all")
    assert write_all == {scope: "read" if scope == "models" else "write" for scope in SCOPES}
    assert "metadata" not in read_all  # always read: not a scope one grants
