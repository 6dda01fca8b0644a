"""Layer 3: workflow files → model (`conveyor.model.workflow`), with every problem a diagnostic.

- `load_workflow(path, text=None, *, display_path=None) -> LoadResult` never raises for bad
  content; `load_workflow_or_raise` raises `WorkflowError` when there is any error.
- `discover_workflows(repo_root)` lists `.github/workflows/*.yml|*.yaml`.
- `lint_paths(paths)` lints files and directories and returns every diagnostic, sorted.
"""

from conveyor.workflow.lint import discover_workflows, lint_paths
from conveyor.workflow.loader import LoadResult, load_workflow, load_workflow_or_raise

__all__ = [
    "LoadResult",
    "discover_workflows",
    "lint_paths",
    "load_workflow",
    "load_workflow_or_raise",
]
