"""`conveyor lint [PATH...] [--format text|json]`: check workflow files, report every problem.

Without a path it lints `.github/workflows/` of the repository around the current directory. One
line per problem on stdout (`path:line:col: severity[code]: message`, sorted by path, line and
column) or, with `--format json`, a JSON list of {path, line, column, severity, code, message}.
Exit status 1 when any error was found (warnings don't count), 0 otherwise, 2 for a bad path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import click

from conveyor.errors import Diagnostic, Severity, UsageError
from conveyor.workflow import lint_paths
from conveyor.workflow.lint import WORKFLOWS_DIR, workflow_files


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def lint_command(paths: tuple[Path, ...], output_format: str) -> int:
    """Check workflow files (default: .github/workflows/ of this repository)."""
    targets = [_workflows_of(p) for p in paths] or [default_workflows_dir(Path.cwd())]
    for target in targets:
        if not target.exists():
            raise UsageError(f"no such file or directory: {target}")
    diagnostics = lint_paths(targets)
    if output_format == "json":
        click.echo(json.dumps([d.as_dict() for d in diagnostics], indent=2))
    else:
        for diagnostic in diagnostics:
            click.echo(diagnostic.render())
        _summary(diagnostics, _file_count(targets))
    return 1 if any(d.severity is Severity.ERROR for d in diagnostics) else 0


def default_workflows_dir(cwd: Path) -> Path:
    """`.github/workflows` of the repository holding `cwd`, relative to `cwd` when possible."""
    for directory in (cwd, *cwd.parents):
        if (directory / ".git").exists() or (directory / WORKFLOWS_DIR).is_dir():
            return _relative(directory / WORKFLOWS_DIR, cwd)
    return WORKFLOWS_DIR


def _workflows_of(path: Path) -> Path:
    """A repository's directory stands for its `.github/workflows`; any other path for itself."""
    workflows = path / WORKFLOWS_DIR
    return workflows if workflows.is_dir() else path


def _relative(path: Path, cwd: Path) -> Path:
    return Path(os.path.relpath(path, cwd))


def _file_count(targets: Sequence[Path]) -> int:
    return sum(len(workflow_files(t)) if t.is_dir() else 1 for t in targets)


def _summary(diagnostics: Sequence[Diagnostic], files: int) -> None:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    noun = "file" if files == 1 else "files"
    text = f"conveyor lint: {errors} error(s), {warnings} warning(s) in {files} {noun}"
    click.echo(text, err=True)
