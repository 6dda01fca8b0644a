"""Finding and loading the workflow files of a repository (`-W FILE|DIR`, default
`.github/workflows/`), shown with paths relative to the repository root.

With a `WorkflowCache`, unchanged files come from the cache (no YAML parser, no schema loaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conveyor.bootstrap.repositories import repository_root
from conveyor.bootstrap.workflow_cache import Loaded, WorkflowCache
from conveyor.errors import Diagnostic, UsageError, has_errors
from conveyor.model.workflow import Workflow

WORKFLOWS_DIR = Path(".github") / "workflows"
SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True, slots=True)
class WorkflowFile:
    path: Path
    shown: str  # relative to the repository root when inside it
    loaded: Workflow | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def workflow(self) -> Workflow | None:
        return self.loaded if self.ok else None

    @property
    def ok(self) -> bool:
        return self.loaded is not None and not has_errors(self.diagnostics)


def workflow_paths(root: Path, chosen: Path | None) -> list[Path]:
    """`-W FILE` → that file; `-W DIR` → its *.yml/*.yaml (not recursive); default
    `.github/workflows/`. Relative paths are taken from the repository root."""
    if chosen is None:
        found = _workflow_files(root / WORKFLOWS_DIR)
        if not found:
            raise UsageError(f"no workflow files in {root / '.github' / 'workflows'}")
        return found
    path = chosen if chosen.is_absolute() else root / chosen
    if path.is_file():
        return [path]
    if path.is_dir():
        files = _workflow_files(path)
        if not files:
            raise UsageError(f"no workflow files (*.yml, *.yaml) in {chosen}")
        return files
    raise UsageError(f"{chosen}: no such file or directory")


def _workflow_files(directory: Path) -> list[Path]:
    """The *.yml / *.yaml files directly in `directory`, sorted by name (as
    conveyor.workflow.discover_workflows, without loading the loader)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file())


def load_workflow_files(
    root: Path, chosen: Path | None, cache: WorkflowCache | None = None
) -> list[WorkflowFile]:
    files: list[WorkflowFile] = []
    for path in workflow_paths(root, chosen):
        shown = display_path(root, path)
        workflow, diagnostics = load_file(path, shown, cache)
        files.append(WorkflowFile(path, shown, workflow, diagnostics))
    return files


def load_file(path: Path, shown: str, cache: WorkflowCache | None) -> Loaded:
    if cache is not None:
        return cache.load(path, shown)
    from conveyor.workflow import load_workflow

    result = load_workflow(path, display_path=shown)
    return result.workflow, result.diagnostics


def display_path(root: Path, path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)


__all__ = ["WorkflowFile", "display_path", "load_workflow_files", "repository_root"]
