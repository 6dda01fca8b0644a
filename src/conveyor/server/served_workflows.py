"""The registered repositories' workflows, read from their bare mirrors (`RepositoryWorkflows`
for the scheduler, dispatch and workflow_run): the list is read from the store at each call, so
a repository added while the server runs is scheduled from its next pass."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from conveyor.server.repository_workflows import GitRepositoryWorkflows, ResolvedRef, WorkflowAt
from conveyor.store.served_repositories import ServedRepositories


@dataclass(frozen=True, slots=True)
class ServedWorkflows:
    served: ServedRepositories
    mirror_of: Callable[[str, str], Path]  # (owner/repo, clone URL) -> its bare mirror

    def _git(self) -> GitRepositoryWorkflows:
        roots = {
            repository.name: (
                self.mirror_of(repository.name, repository.url),
                repository.default_branch,
            )
            for repository in self.served.list()
        }
        return GitRepositoryWorkflows(roots)

    def repositories(self) -> Sequence[str]:
        return self._git().repositories()

    def default_branch(self, repository: str) -> ResolvedRef | None:
        return self._git().default_branch(repository)

    def resolve(self, repository: str, ref: str) -> ResolvedRef | None:
        return self._git().resolve(repository, ref)

    def workflows(self, repository: str, sha: str) -> Sequence[WorkflowAt]:
        return self._git().workflows(repository, sha)
