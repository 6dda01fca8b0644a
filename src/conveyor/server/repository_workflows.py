"""Where the server reads a registered repository's workflows: `RepositoryWorkflows`.

Schedules, dispatch and `workflow_run` need the same three answers: which repositories there
are, what a ref names (`main` → `refs/heads/main` at a commit), and the workflow files at a
commit. `GitRepositoryWorkflows` answers them from git repositories on disk (a work tree or a
bare mirror) given as owner/repo → path, reading `.github/workflows/*.yml` with
`git cat-file` at the commit, never the work tree.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from conveyor.git import GitRepository
from conveyor.model.workflow import Workflow

WORKFLOWS_DIRECTORY = ".github/workflows"
_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    ref: str  # refs/heads/main, refs/tags/v1
    sha: str  # the commit it names


@dataclass(frozen=True, slots=True)
class WorkflowAt:
    """A workflow file as committed: its path (`.github/workflows/ci.yml`) and its model."""

    path: str
    workflow: Workflow

    @property
    def file(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def name(self) -> str:
        """The name GitHub shows (and `workflow_run.workflows` matches): `name:` or the path."""
        return self.workflow.name or self.path


class RepositoryWorkflows(Protocol):
    def repositories(self) -> Sequence[str]:
        """The registered repositories, as owner/repo."""
        ...

    def default_branch(self, repository: str) -> ResolvedRef | None:
        """The default branch's ref and head commit; None for an unknown or empty repository."""
        ...

    def resolve(self, repository: str, ref: str) -> ResolvedRef | None:
        """A branch or tag (short or full name); None when the repository has no such ref."""
        ...

    def workflows(self, repository: str, sha: str) -> Sequence[WorkflowAt]:
        """The valid workflow files under .github/workflows at `sha`, sorted by path."""
        ...


@dataclass(frozen=True, slots=True)
class GitRepositoryWorkflows:
    """RepositoryWorkflows over git repositories on disk: owner/repo → (path, default branch or
    None for the repository's own default)."""

    roots: Mapping[str, tuple[Path, str | None]]

    def repositories(self) -> Sequence[str]:
        return sorted(self.roots)

    def default_branch(self, repository: str) -> ResolvedRef | None:
        found = self.roots.get(repository)
        if found is None:
            return None
        root, branch = found
        return self.resolve(repository, branch or GitRepository(root).default_branch)

    def resolve(self, repository: str, ref: str) -> ResolvedRef | None:
        found = self.roots.get(repository)
        if found is None or not ref:
            return None
        git = GitRepository(found[0])
        full = git.full_ref(ref)
        sha = git.find_commit(full) if full is not None else None
        return ResolvedRef(full, sha) if full is not None and sha is not None else None

    def workflows(self, repository: str, sha: str) -> Sequence[WorkflowAt]:
        found = self.roots.get(repository)
        if found is None:
            return ()
        return _workflows_at(found[0], sha)


@functools.lru_cache(maxsize=256)
def _workflows_at(root: Path, sha: str) -> tuple[WorkflowAt, ...]:
    """A commit's files never change: each (repository, commit) is read and parsed once."""
    git = GitRepository(root)
    listing = git.try_git("ls-tree", "-z", "--name-only", f"{sha}:{WORKFLOWS_DIRECTORY}")
    names = sorted(name for name in (listing or "").split("\0") if name.endswith(_SUFFIXES))
    loaded = (_committed(git, sha, f"{WORKFLOWS_DIRECTORY}/{name}") for name in names)
    return tuple(workflow for workflow in loaded if workflow is not None)


def _committed(git: GitRepository, sha: str, path: str) -> WorkflowAt | None:
    from conveyor.workflow import load_workflow

    text = git.try_git("cat-file", "blob", f"{sha}:{path}")
    if text is None:
        return None
    result = load_workflow(path, text, display_path=path)
    if result.workflow is None or not result.ok:
        return None
    return WorkflowAt(path, result.workflow)
