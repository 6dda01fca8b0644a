"""The needs graph of workflows as text, Mermaid or Graphviz dot."""

from __future__ import annotations

import re
from collections.abc import Sequence

from conveyor.engine import graph
from conveyor.model.workflow import Job, Workflow

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def job_label(job: Job) -> str:
    name = job.name if isinstance(job.name, str) and job.name else None
    return f"{job.id} ({name})" if name and name != job.id else job.id


def as_text(workflows: Sequence[Workflow]) -> str:
    lines: list[str] = []
    for workflow in workflows:
        lines.append(f"{workflow.path} ({workflow.display_name})")
        for number, stage in enumerate(graph.stages(workflow), start=1):
            lines.append(f"  stage {number}")
            for job_id in stage:
                job = workflow.jobs[job_id]
                needs = graph.needs_of(workflow, job_id)
                after = f"  ← {', '.join(needs)}" if needs else ""
                lines.append(f"    {job_label(job)}{after}")
    return "\n".join(lines)


def _node(index: int, job_id: str) -> str:
    return f"w{index}_{_UNSAFE.sub('_', job_id)}"


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def as_mermaid(workflows: Sequence[Workflow]) -> str:
    lines = ["flowchart LR"]
    for index, workflow in enumerate(workflows):
        lines.append(f'  subgraph w{index}["{_quoted(workflow.display_name)}"]')
        for job_id, job in workflow.jobs.items():
            lines.append(f'    {_node(index, job_id)}["{_quoted(job_label(job))}"]')
        for job_id in workflow.jobs:
            for need in graph.needs_of(workflow, job_id):
                lines.append(f"    {_node(index, need)} --> {_node(index, job_id)}")
        lines.append("  end")
    return "\n".join(lines)


def as_dot(workflows: Sequence[Workflow]) -> str:
    lines = ["digraph conveyor {", "  rankdir=LR;", "  node [shape=box];"]
    for index, workflow in enumerate(workflows):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f'    label="{_quoted(workflow.display_name)}";')
        for job_id, job in workflow.jobs.items():
            lines.append(f'    {_node(index, job_id)} [label="{_quoted(job_label(job))}"];')
        for job_id in workflow.jobs:
            for need in graph.needs_of(workflow, job_id):
                lines.append(f"    {_node(index, need)} -> {_node(index, job_id)};")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines)


FORMATS = {"text": as_text, "mermaid": as_mermaid, "dot": as_dot}
