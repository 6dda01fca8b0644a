"""Reusable workflows read from the repository being run (`uses: ./.github/workflows/x.yml`)."""

from __future__ import annotations

from pathlib import Path

from conveyor.bootstrap.workflow_cache import WorkflowCache
from conveyor.bootstrap.workflow_files import load_file
from conveyor.errors import PlanError, WorkflowError, has_errors
from conveyor.model.workflow import Workflow


class RepositoryWorkflowSource:
    """A WorkflowSource over a repository directory; each file is loaded once."""

    def __init__(self, root: Path, cache: WorkflowCache | None = None) -> None:
        self._root = root.resolve()
        self._files = cache
        self._cache: dict[Path, Workflow] = {}

    def load(self, uses: str, caller: Workflow) -> Workflow:
        relative = uses.removeprefix("./").split("@", 1)[0]
        path = (self._root / relative).resolve()
        if not path.is_relative_to(self._root):
            raise PlanError(f"reusable workflow '{uses}' is outside the repository")
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        if not path.is_file():
            raise PlanError(f"reusable workflow '{uses}' not found (looked for {path})")
        workflow, diagnostics = load_file(path, relative, self._files)
        if workflow is None or has_errors(diagnostics):
            raise WorkflowError(diagnostics)
        self._cache[path] = workflow
        return workflow
