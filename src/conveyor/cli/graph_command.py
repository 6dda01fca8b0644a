"""`conveyor graph`: the needs graph of a repository's workflows (text, mermaid, dot)."""

from __future__ import annotations

from pathlib import Path

import click

from conveyor.bootstrap.workflow_files import load_workflow_files, repository_root
from conveyor.cli.display.graph_formats import FORMATS
from conveyor.cli.list_command import report_errors


@click.command("graph")
@click.argument("repo", required=False, default=".", type=click.Path(path_type=Path))
@click.option("-W", "--workflows", type=click.Path(path_type=Path), help="A file or directory.")
@click.option(
    "--format", "output", type=click.Choice(sorted(FORMATS)), default="text", show_default=True
)
def graph_command(repo: Path, workflows: Path | None, output: str) -> int:
    """Show which jobs need which, stage by stage."""
    files = load_workflow_files(repository_root(repo), workflows)
    report_errors(files)
    loaded = [file.workflow for file in files if file.workflow is not None]
    click.echo(FORMATS[output](loaded))
    return 1 if any(not file.ok for file in files) else 0
