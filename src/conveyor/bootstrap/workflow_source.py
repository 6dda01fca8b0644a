"""Reusable workflows read from the repository being run (`uses: ./.github/workflows/x.yml`)."""

from __future__ import annotations

from pathlib import Path

from conveyor.errors import PlanError, WorkflowError
from conveyor.model.workflow import Workflow
from conveyor.workflow import load_workflow


class RepositoryWorkflowSource:
    """A WorkflowSource over a repository directory; each file is loaded once."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()
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
        result = load_workflow(path, display_path=relative)
        if result.workflow is None or not result.ok:
            raise WorkflowError(result.diagnostics)
        self._cache[path] = result.workflow
        return result.workflow
