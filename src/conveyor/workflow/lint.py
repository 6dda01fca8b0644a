"""Finding workflow files and linting several at once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from conveyor.errors import Diagnostic
from conveyor.workflow.loader import load_workflow

WORKFLOWS_DIR = Path(".github") / "workflows"
SUFFIXES = (".yml", ".yaml")


def discover_workflows(repo_root: Path) -> list[Path]:
    """`.github/workflows/*.yml|*.yaml` of a repository, sorted (sub-folders are not workflows)."""
    return workflow_files(repo_root / WORKFLOWS_DIR)


def workflow_files(directory: Path) -> list[Path]:
    """The *.yml / *.yaml files directly in `directory`, sorted by name."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file())


def lint_paths(paths: Sequence[Path]) -> list[Diagnostic]:
    """Every diagnostic of every file (a directory means its workflow files), sorted by
    path, line and column. Paths are shown as given."""
    diagnostics: list[Diagnostic] = []
    for path in paths:
        files = workflow_files(path) if path.is_dir() else [path]
        for file in files:
            diagnostics.extend(load_workflow(file).diagnostics)
    return sorted(diagnostics, key=lambda d: d.location)
