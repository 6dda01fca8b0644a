"""`conveyor list`: the workflows of a repository, their events and their jobs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from conveyor.bootstrap.workflow_files import WorkflowFile, load_workflow_files, repository_root
from conveyor.cli.display.graph_formats import job_label
from conveyor.engine import graph
from conveyor.errors import Severity


@click.command("list")
@click.argument("repo", required=False, default=".", type=click.Path(path_type=Path))
@click.option("-W", "--workflows", type=click.Path(path_type=Path), help="A file or directory.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def list_command(repo: Path, workflows: Path | None, output: str) -> int:
    """List workflows (with their events) and jobs (with their stage and needs)."""
    files = load_workflow_files(repository_root(repo), workflows)
    report_errors(files)
    if output == "json":
        click.echo(json.dumps([_entry(file) for file in files if file.workflow], indent=2))
    else:
        click.echo(_table(files))
    return 1 if any(not file.ok for file in files) else 0


def report_errors(files: list[WorkflowFile]) -> None:
    for file in files:
        for diagnostic in file.diagnostics:
            if diagnostic.severity is Severity.ERROR:
                click.echo(diagnostic.render(), err=True)


def _entry(file: WorkflowFile) -> dict[str, object]:
    workflow = file.workflow
    assert workflow is not None
    stage_of = {job: n for n, stage in enumerate(graph.stages(workflow), 1) for job in stage}
    return {
        "path": file.shown,
        "name": workflow.display_name,
        "events": list(workflow.on.names),
        "jobs": [
            {
                "id": job_id,
                "name": job.name if isinstance(job.name, str) else None,
                "stage": stage_of[job_id],
                "needs": list(graph.needs_of(workflow, job_id)),
            }
            for job_id, job in workflow.jobs.items()
        ],
    }


def _table(files: list[WorkflowFile]) -> str:
    rows = [("Stage", "Job", "Needs", "Workflow", "File", "Events")]
    for file in files:
        workflow = file.workflow
        if workflow is None:
            continue
        events = ",".join(workflow.on.names)
        for number, stage in enumerate(graph.stages(workflow), start=1):
            for job_id in stage:
                needs = ",".join(graph.needs_of(workflow, job_id))
                label = job_label(workflow.jobs[job_id])
                rows.append((str(number), label, needs, workflow.display_name, file.shown, events))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(line.rstrip() for line in lines)
