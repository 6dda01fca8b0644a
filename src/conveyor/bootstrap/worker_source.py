"""A job's repository on a worker: fetched from the server, never read at the server's path.

Each served repository has a bare mirror and a view on the worker, as on the server
(`conveyor.bootstrap.mirrors`, under CONVEYOR_HOME/worker): the mirror fetches the server's
branches, tags and pull requests, and the job's commit by its id when no ref holds it, from
`/api/v1/worker-jobs/{id}/git` (`conveyor.server.api.worker_git`) only when the commit is not
there yet (so fetches are incremental); the job's workspace is cloned from the view.

The per-job token goes to git as an `http.extraHeader` in git's environment
(GIT_CONFIG_COUNT...): never in a URL, an argument or a file.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from conveyor.bootstrap.mirrors import Mirror
from conveyor.distributed.client import Claim
from conveyor.engine.ports.executor import JobDocument
from conveyor.errors import UsageError


def fetched_document(home: Path, server: str, claim: Claim, document: JobDocument) -> JobDocument:
    """`document` with its repository on this host, at least up to the job's commit (a
    ConveyorError when it cannot be fetched)."""
    sha = document.sha
    if not sha:  # nothing to fetch: a job planned from a working tree
        return document
    mirror = _mirror(home, server, repository_name(document))
    if not mirror.has(sha):  # a commit once fetched is known without asking git again
        with _lock(("fetch", str(mirror.bare))):  # one job's URL and token at a time
            mirror.source = f"{server.rstrip('/')}/api/v1/worker-jobs/{claim.job_id}/git"
            mirror.git_env = lambda: token_header(claim.token)
            mirror.fetch([sha])
        if not mirror.has(sha):
            raise UsageError(f"the server has no commit {sha} of {mirror.name}")
    return replace(document, repository=str(mirror.view))


_mirrors: dict[str, Mirror] = {}
_locks: dict[tuple[str, str], threading.Lock] = {}
_guard = threading.Lock()


def _lock(key: tuple[str, str]) -> threading.Lock:
    with _guard:
        return _locks.setdefault(key, threading.Lock())


def _mirror(home: Path, server: str, name: str) -> Mirror:
    """This process's mirror of `name` (made on disk the first time; its `origin` is only
    informative: each fetch names its job's URL)."""
    with _lock(("mirror", name)):
        key = f"{home}\0{name}"
        if key not in _mirrors:
            mirror = Mirror(home, name, f"{server.rstrip('/')}/api/v1/worker-jobs", root="worker")
            mirror.ensure()
            _mirrors[key] = mirror
        return _mirrors[key]


def repository_name(document: JobDocument) -> str:
    """OWNER/REPO: the `github.repository` of the job, else `local/<directory's name>`."""
    github = document.contexts.get("github")
    name = github.get("repository") if isinstance(github, Mapping) else None
    if isinstance(name, str) and name.count("/") == 1:
        return name
    return f"local/{Path(document.repository).name or 'repository'}"


def token_header(token: str) -> dict[str, str]:
    """git's environment that sends `Authorization: Bearer TOKEN` with each request."""
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Bearer {token}",
    }
