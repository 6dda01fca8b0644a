"""Finding and loading the workflow files of a repository (`-W FILE|DIR`, default
`.github/workflows/`), shown with paths relative to the repository root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conveyor.errors import Diagnostic, UsageError, has_errors
from conveyor.model.workflow import Workflow
from conveyor.workflow import LoadResult, discover_workflows, load_workflow


@dataclass(frozen=True, slots=True)
class WorkflowFile:
    path: Path
    shown: str  # relative to the repository root when inside it
    result: LoadResult

    @property
    def workflow(self) -> Workflow | None:
        return self.result.workflow if self.ok else None

    @property
    def ok(self) -> bool:
        return self.result.workflow is not None and not has_errors(self.result.diagnostics)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.result.diagnostics


def repository_root(repository: Path) -> Path:
    root = repository.resolve()
    if not root.is_dir():
        raise UsageError(f"{repository} is not a directory")
    return root


def workflow_paths(root: Path, chosen: Path | None) -> list[Path]:
    """`-W FILE` → that file; `-W DIR` → its *.yml/*.yaml (not recursive); default
    `.github/workflows/`. Relative paths are taken from the repository root."""
    if chosen is None:
        found = discover_workflows(root)
        if not found:
            raise UsageError(f"no workflow files in {root / '.github' / 'workflows'}")
        return found
    path = chosen if chosen.is_absolute() else root / chosen
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
        if not files:
            raise UsageError(f"no workflow files (*.yml, *.yaml) in {chosen}")
        return files
    raise UsageError(f"{chosen}: no such file or directory")


def load_workflow_files(root: Path, chosen: Path | None) -> list[WorkflowFile]:
    files: list[WorkflowFile] = []
    for path in workflow_paths(root, chosen):
        shown = display_path(root, path)
        files.append(WorkflowFile(path, shown, load_workflow(path, display_path=shown)))
    return files


def display_path(root: Path, path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)
