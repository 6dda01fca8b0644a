"""A job token's scopes (GitHub Actions' names: `contents`, `pull-requests` ..., from
`permissions:` by `conveyor.engine.job_permissions`) as a GitHub App's installation-token
permissions (`pull_requests` ...)."""

from __future__ import annotations

from collections.abc import Mapping

# workflow scope -> GitHub App permission (id-token, attestations, models: no App equivalent)
APP_NAMES = {
    "actions": "actions",
    "checks": "checks",
    "contents": "contents",
    "deployments": "deployments",
    "discussions": "discussions",
    "issues": "issues",
    "packages": "packages",
    "pages": "pages",
    "pull-requests": "pull_requests",
    "repository-projects": "repository_projects",
    "security-events": "security_events",
    "statuses": "statuses",
}


def app_scopes(scopes: Mapping[str, str]) -> dict[str, str]:
    """The scopes an installation token can carry (id-token, attestations, models: none)."""
    return {scope: level for scope, level in scopes.items() if scope in APP_NAMES}


def read_only(scopes: Mapping[str, str]) -> dict[str, str]:
    """A pull request from a fork: every scope at most read, as on GitHub."""
    return dict.fromkeys(scopes, "read")


def app_permissions(scopes: Mapping[str, str]) -> dict[str, str]:
    """The installation token's permissions for these scopes (metadata: read, always)."""
    found = {APP_NAMES[scope]: level for scope, level in scopes.items() if scope in APP_NAMES}
    return {"metadata": "read", **found}
