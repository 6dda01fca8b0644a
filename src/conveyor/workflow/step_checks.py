"""Checks inside jobs: step ids, `uses` references, shells, the length of `run` scripts.

A `run:` script may be at most 21,000 characters (GitHub's documented limit, the same as its
expression limit; a script holding `${{ }}` is checked as an expression instead)."""

from __future__ import annotations

import re

from conveyor.workflow.identifiers import check_id
from conveyor.workflow.report import Report
from conveyor.workflow.yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_RUN_LENGTH = 21_000
BUILTIN_SHELLS = frozenset({"bash", "sh", "pwsh", "powershell", "cmd", "python"})
_ACTION = re.compile(r"[^/@\s]+/[^/@\s]+(?:/[^@\s]*)?@[^@\s]+\Z")
_ACTION_WITH_SPACE = re.compile(r"[^/@]+/[^/@]+(?:/[^@]*)?@[^@]+\Z")  # GitHub reads it
_REMOTE_WORKFLOW = re.compile(r"[^/@\s]+/[^/@\s]+/[^@\s]+\.ya?ml@[^@\s]+\Z")
_LOCAL_WORKFLOW = re.compile(r"(?:\./|\$/)[^@\s]+\.ya?ml\Z")


def check_steps(report: Report, job: MappingNode) -> None:
    steps = job.get("steps")
    seen: dict[str, str] = {}
    for step in _steps(steps):
        _check_step_id(report, step.get("id"), seen)
        uses = step.get("uses")
        if isinstance(uses, ScalarNode) and isinstance(uses.value, str) and "${{" not in uses.value:
            _check_action(report, uses, uses.value)
        check_shell(report, step.get("shell"))
        _check_run_length(report, step.get("run"))
    check_defaults(report, job)
    _check_workflow_call(report, job.get("uses"))


def _check_run_length(report: Report, node: Node | None) -> None:
    if not isinstance(node, ScalarNode) or not isinstance(node.value, str):
        return
    if len(node.value) > MAX_RUN_LENGTH and "${{" not in node.value:
        message = (
            f"the run script is {len(node.value):,} characters long;"
            f" GitHub's limit is {MAX_RUN_LENGTH:,} (\"Exceeded max expression length"
            f' {MAX_RUN_LENGTH}")'
        )
        report.error(node, "run-length", message)


def check_defaults(report: Report, owner: MappingNode) -> None:
    defaults = owner.get("defaults")
    run = defaults.get("run") if isinstance(defaults, MappingNode) else None
    if isinstance(run, MappingNode):
        check_shell(report, run.get("shell"))


def check_shell(report: Report, node: Node | None) -> None:
    if not isinstance(node, ScalarNode) or not isinstance(node.value, str):
        return
    shell = node.value.strip()
    if not shell or "${{" in shell or shell in BUILTIN_SHELLS or "{0}" in shell:
        return
    message = (
        f"unknown shell '{shell}': use one of {', '.join(sorted(BUILTIN_SHELLS))}"
        " or a command with '{0}' for the script path"
    )
    report.error(node, "shell", message)


def _check_action(report: Report, node: ScalarNode, uses: str) -> None:
    problem = action_problem(uses)
    if problem is None:
        return
    if _ACTION_WITH_SPACE.match(uses):
        message = (
            f"action reference '{uses}' contains white space: GitHub accepts the file, but the"
            " action cannot be found when the step runs"
        )
        report.warning(node, "uses-format", message)
    else:
        report.error(node, "uses-format", problem)


def action_problem(uses: str) -> str | None:
    """Why a step's `uses:` is not a valid action reference (None when it is)."""
    if uses.startswith(("./", ".\\")) or uses in (".", "./"):
        return None
    if uses.startswith("$/"):
        return None if len(uses) > 2 else f"invalid action reference '{uses}': it names no path"
    if uses.startswith("docker://"):
        if len(uses) > len("docker://"):
            return None
        return f"invalid action reference '{uses}': it names no image"
    if _ACTION.match(uses):
        return None
    return (
        f"invalid action reference '{uses}': expected {{owner}}/{{repo}}[/path]@ref,"
        " ./path, $/path or docker://image"
    )


def _check_step_id(report: Report, node: Node | None, seen: dict[str, str]) -> None:
    if not isinstance(node, ScalarNode) or not isinstance(node.value, str) or not node.value:
        return
    step_id = node.value
    if not check_id(report, node, "step id", "step-id"):
        return
    first = seen.get(step_id.upper())
    if first is None:
        seen[step_id.upper()] = step_id
    else:
        detail = "" if first == step_id else f" (as '{first}'; ids are case-insensitive)"
        report.error(node, "step-id", f"step id '{step_id}' is used twice in this job{detail}")


def _check_workflow_call(report: Report, node: Node | None) -> None:
    if not isinstance(node, ScalarNode) or not isinstance(node.value, str):
        return
    uses = node.value
    if "${{" in uses or _LOCAL_WORKFLOW.match(uses) or _REMOTE_WORKFLOW.match(uses):
        return
    message = (
        f"invalid reusable workflow reference '{uses}': expected"
        " {owner}/{repo}/path/to/workflow.yml@ref or ./path/to/workflow.yml"
    )
    report.error(node, "uses-format", message)


def _steps(node: Node | None) -> list[MappingNode]:
    if not isinstance(node, SequenceNode):
        return []
    result: list[MappingNode] = []
    for item in node.items:
        if isinstance(item, MappingNode):
            parallel = item.get("parallel")
            result.extend(_steps(parallel) if parallel is not None else [item])
    return result
