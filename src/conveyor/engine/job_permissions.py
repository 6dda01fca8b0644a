"""The permissions of a job's `GITHUB_TOKEN`, from `permissions:` with GitHub's semantics.

- The job's `permissions:` replaces the workflow's (it is not merged with it).
- `read-all`: every scope read (`id-token` none: it has no read level); `write-all`: every scope
  write (`models` read: it has no write level).
- A mapping grants the scopes it lists at their level (read, write, none) and nothing else;
  `{}` grants nothing. Unknown scopes or levels grant nothing (the linter reports them).
- Absent in the job and the workflow: the default of a repository created on GitHub since 2023
  (the "restricted" default): `contents: read`, `packages: read`.
- `metadata: read` always.

The one implementation of these semantics: the local forge's job tokens use `job_permissions`,
the GitHub adapter's (conveyor.bootstrap.forge_tokens) `granted_scopes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

SCOPES = (
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
)
LEVELS = ("none", "read", "write")
_NO_READ = frozenset({"id-token"})
_NO_WRITE = frozenset({"models"})
DEFAULT_PERMISSIONS: Mapping[str, str] = MappingProxyType(
    dict.fromkeys(SCOPES, "none") | {"contents": "read", "packages": "read", "metadata": "read"}
)


def job_permissions(workflow: object, job: object) -> dict[str, str]:
    """scope -> none|read|write for a job, from the workflow's and the job's `permissions:`
    (raw YAML values; None where absent)."""
    given = job if job is not None else workflow
    if given is None:
        return dict(DEFAULT_PERMISSIONS)
    if given == "read-all":
        granted = {scope: "none" if scope in _NO_READ else "read" for scope in SCOPES}
    elif given == "write-all":
        granted = {scope: "read" if scope in _NO_WRITE else "write" for scope in SCOPES}
    elif isinstance(given, Mapping):
        granted = {scope: _level(given.get(scope)) for scope in SCOPES}
    else:
        granted = dict.fromkeys(SCOPES, "none")
    return granted | {"metadata": "read"}


def _level(value: object) -> str:
    return value if isinstance(value, str) and value in LEVELS else "none"


def granted_scopes(workflow: object, job: object) -> dict[str, str]:
    """The scopes a job's token is granted (read or write; those at none and the implicit
    `metadata` left out), from the workflow's and the job's `permissions:`."""
    granted = job_permissions(workflow, job)
    return {scope: level for scope in SCOPES if (level := granted[scope]) != "none"}
