"""Reusable workflows read from the repository being run (`uses: ./.github/workflows/x.yml`):
from its working tree, or as committed at the run's commit (a rerun); and from other
repositories (`uses: owner/repo/.github/workflows/x.yml@ref`), fetched by the run's remote
actions (git and the cache, docs/actions.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from conveyor.bootstrap.workflow_cache import Loaded, WorkflowCache
from conveyor.bootstrap.workflow_files import load_file
from conveyor.engine.ports.actions import parse_action_ref
from conveyor.engine.ports.remote_actions import FetchFailure, RemoteActions
from conveyor.errors import PlanError, WorkflowError, has_errors
from conveyor.model.workflow import Workflow

if TYPE_CHECKING:
    from conveyor.bootstrap.committed_workflows import CommittedWorkflows


class RepositoryWorkflowSource:
    """A WorkflowSource over a repository directory (or one of its commits, `committed`);
    each file is loaded once."""

    def __init__(
        self,
        root: Path,
        cache: WorkflowCache | None = None,
        committed: CommittedWorkflows | None = None,
        remote: RemoteActions | None = None,
    ) -> None:
        self._root = root.resolve()
        self._remote = remote
        self._remote_paths: set[str] = set()  # the `path` of the remote workflows loaded
        self._files = cache
        self._committed = committed
        self._cache: dict[Path, Workflow] = {}

    def load(self, uses: str, caller: Workflow) -> Workflow:
        if not uses.startswith("./"):
            return self._remote_workflow(uses)
        home = parse_action_ref(caller.path) if caller.path in self._remote_paths else None
        if home is not None:  # `./` in a remote workflow: its repository, at its ref
            relative = uses.removeprefix("./").split("@", 1)[0]
            return self._remote_workflow(f"{home.owner}/{home.repo}/{relative}@{home.ref}")
        relative = uses.removeprefix("./").split("@", 1)[0]
        path = (self._root / relative).resolve()
        if not path.is_relative_to(self._root):
            raise PlanError(f"reusable workflow '{uses}' is outside the repository")
        return self._loaded(path, relative, uses)

    def _loaded(self, path: Path, relative: str, uses: str) -> Workflow:
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        workflow, diagnostics = self._load(path, relative, uses)
        if workflow is None or has_errors(diagnostics):
            raise WorkflowError(diagnostics)
        self._cache[path] = workflow
        return workflow

    def _load(self, path: Path, relative: str, uses: str) -> Loaded:
        if self._committed is not None and path.is_relative_to(self._root):
            found = self._committed.read(path.relative_to(self._root).as_posix())
            if found is None:
                commit = self._committed.commit[:12]
                raise PlanError(f"reusable workflow '{uses}' not found in commit {commit}")
            return found.loaded, found.diagnostics
        if not path.is_file():
            raise PlanError(f"reusable workflow '{uses}' not found (looked for {path})")
        return load_file(path, relative, self._files)

    def _remote_workflow(self, uses: str) -> Workflow:
        """`owner/repo/path@ref`: the repository fetched (once per run), the file read from it."""
        ref = parse_action_ref(uses)
        if ref is None or not ref.path:
            raise PlanError(f"reusable workflow '{uses}': expected owner/repo/path/x.yml@ref")
        if self._remote is None:
            raise PlanError(
                f"reusable workflow '{uses}' is not in this repository and remote workflows "
                "are not fetched here"
            )
        found = self._remote.fetch(ref.owner, ref.repo, ref.ref)
        if isinstance(found, FetchFailure):
            raise PlanError(f"reusable workflow '{uses}': {found.message}")
        tree = Path(found.directory)
        path = (tree / ref.path).resolve()
        if not path.is_relative_to(tree) or not path.is_file():
            where = f"{ref.owner}/{ref.repo} at {found.commit[:12]}"
            raise PlanError(f"reusable workflow '{uses}' not found: no {ref.path} in {where}")
        workflow = self._loaded(path, uses, uses)
        self._remote_paths.add(workflow.path)
        return workflow
