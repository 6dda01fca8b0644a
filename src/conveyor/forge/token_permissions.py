"""A job's `permissions:` as the scopes of its GITHUB_TOKEN (GitHub Actions' names: `contents`,
`pull-requests` ...), and those scopes as a GitHub App's installation-token permissions
(`pull_requests` ...). GitHub's restricted default when `permissions:` is absent."""

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
# GitHub's default for repositories and organisations made since February 2023 ("restricted")
DEFAULT_SCOPES = {"contents": "read", "packages": "read"}
LEVELS = ("read", "write")


def token_scopes(permissions: object) -> dict[str, str]:
    """`permissions:` as written (None: absent; `read-all`, `write-all`, `{}`, a mapping) as
    scope -> read|write (scopes at `none` are left out)."""
    if permissions is None:
        return dict(DEFAULT_SCOPES)
    if isinstance(permissions, str) and permissions in {"read-all", "write-all"}:
        return dict.fromkeys(APP_NAMES, permissions.removesuffix("-all"))
    if not isinstance(permissions, Mapping):
        return {}
    return {
        str(scope): str(level)
        for scope, level in permissions.items()
        if str(scope) in APP_NAMES and level in LEVELS
    }


def read_only(scopes: Mapping[str, str]) -> dict[str, str]:
    """A pull request from a fork: every scope at most read, as on GitHub."""
    return dict.fromkeys(scopes, "read")


def app_permissions(scopes: Mapping[str, str]) -> dict[str, str]:
    """The installation token's permissions for these scopes (metadata: read, always)."""
    found = {APP_NAMES[scope]: level for scope, level in scopes.items() if scope in APP_NAMES}
    return {"metadata": "read", **found}
