"""Layer 3: workflow files → model (`conveyor.model.workflow`), with every problem a diagnostic.

- `load_workflow(path, text=None, *, display_path=None) -> LoadResult` never raises for bad
  content; `load_workflow_or_raise` raises `WorkflowError` when there is any error.
- `discover_workflows(repo_root)` lists `.github/workflows/*.yml|*.yaml`.
- `lint_paths(paths)` lints files and directories and returns every diagnostic, sorted.

They are loaded on first use: the engine imports `conveyor.workflow.matrix`, and a run whose
workflows come from the cache (bootstrap.workflow_cache) needs neither the YAML reader (ruamel)
nor the linter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conveyor.workflow.lint import discover_workflows, lint_paths
    from conveyor.workflow.loader import LoadResult, load_workflow, load_workflow_or_raise

_WHERE = {
    "LoadResult": "conveyor.workflow.loader",
    "discover_workflows": "conveyor.workflow.lint",
    "lint_paths": "conveyor.workflow.lint",
    "load_workflow": "conveyor.workflow.loader",
    "load_workflow_or_raise": "conveyor.workflow.loader",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "LoadResult",
    "discover_workflows",
    "lint_paths",
    "load_workflow",
    "load_workflow_or_raise",
]
