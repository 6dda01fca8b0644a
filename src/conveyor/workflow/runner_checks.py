"""Checks of where a job runs, beyond the schema: `runs-on.group` names, and a container or
service without an image (GitHub: "Container image cannot be empty")."""

from __future__ import annotations

from conveyor.workflow.node_values import holds_expression, is_expression, pairs
from conveyor.workflow.report import Report
from conveyor.workflow.yaml_nodes import MappingNode, Node, ScalarNode

GROUP_PREFIXES = frozenset({"org", "organization", "ent", "enterprise"})
_NO_IMAGE = "GitHub refuses a container without an image"


def check_runner(report: Report, job_id: str, job: MappingNode) -> None:
    _check_group(report, job.get("runs-on"))
    for key, value in pairs(job):
        if key.value == "container":
            _check_image(report, key, value, f"jobs.{job_id}.container")
        elif key.value == "services":
            for name, service in pairs(value):
                _check_image(report, name, service, f"jobs.{job_id}.services.{name.value}")


def _check_group(report: Report, runs_on: Node | None) -> None:
    group = runs_on.get("group") if isinstance(runs_on, MappingNode) else None
    if not isinstance(group, ScalarNode) or not isinstance(group.value, str):
        return
    if is_expression(group):
        return
    problem = group_problem(group.value)
    if problem:
        report.error(
            group, "runs-on-group", f"invalid runs-on group name '{group.value}': {problem}"
        )


def group_problem(name: str) -> str | None:
    """Why a runner group name is refused: one optional `org/` or `ent/` style prefix only."""
    parts = name.split("/")
    if len(parts) == 1:
        return None
    if len(parts) > 2 or parts[0] not in GROUP_PREFIXES:
        return (
            "only the prefixes 'organization/' ('org/') and 'enterprise/' ('ent/') may precede"
            " a group name"
        )
    return None if parts[1] else "no group name follows the prefix"


def _check_image(report: Report, key: ScalarNode, value: Node, where: str) -> None:
    """A container mapping needs a non-empty `image` (skipped when it holds an expression)."""
    if not isinstance(value, MappingNode) or holds_expression(value):
        return
    if value.get("image") is None:  # an empty or null image is a schema error already
        report.error(key, "container-image", f"{where} has no 'image': {_NO_IMAGE}")
