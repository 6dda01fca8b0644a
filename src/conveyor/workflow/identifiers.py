"""GitHub's rules for job, step and input ids.

GitHub reserves ids starting with `__`; nektos/act accepts them (its test corpus has such a job),
so conveyor only warns about them.
"""

from __future__ import annotations

import re

from conveyor.workflow.report import Report
from conveyor.workflow.yaml_nodes import ScalarNode

MAX_ID_LENGTH = 100
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def id_problem(value: str, kind: str) -> str | None:
    """Why `value` is not a valid id (None when it is)."""
    if not _ID.match(value):
        return (
            f"{kind} '{value}' is invalid: ids must start with a letter or '_' and contain"
            " only alphanumeric characters, '-' or '_'"
        )
    if len(value) >= MAX_ID_LENGTH:
        return f"{kind} '{value}' is invalid: ids must be shorter than {MAX_ID_LENGTH} characters"
    return None


def reserved_id(value: str, kind: str) -> str | None:
    """A warning for ids GitHub reserves (`__` prefix)."""
    if value.startswith("__"):
        return f"{kind} '{value}' starts with '__', which GitHub reserves for its own ids"
    return None


def check_id(report: Report, node: ScalarNode, kind: str, code: str) -> bool:
    """Report an invalid id (error) or a reserved one (warning); False when invalid.

    An id holding `${{` was already reported (expressions are not allowed there)."""
    if "${{" in str(node.value):
        return False
    problem = id_problem(str(node.value), kind)
    if problem:
        report.error(node, code, problem)
        return False
    reserved = reserved_id(str(node.value), kind)
    if reserved:
        report.warning(node, "reserved-id", reserved)
    return True
