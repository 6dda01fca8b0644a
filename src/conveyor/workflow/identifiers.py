"""GitHub's rules for job, step and input ids.

GitHub reserves job and step ids starting with `__` ("IDs starting with '__' are reserved") and
refuses the workflow; nektos/act accepts them (one job of its test corpus has such an id, a case
where conveyor follows GitHub). An input id starting with `__` is only a warning.
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
    """Why an id is one GitHub reserves (`__` prefix), else None."""
    if value.startswith("__"):
        return f"{kind} '{value}' is invalid: ids starting with '__' are reserved by GitHub"
    return None


def check_id(
    report: Report, node: ScalarNode, kind: str, code: str, *, reserved_ok: bool = False
) -> bool:
    """Report an invalid or reserved id; False when it is an error.

    With `reserved_ok` a reserved id is only a warning. An id holding `${{` was already reported
    (expressions are not allowed there)."""
    if "${{" in str(node.value):
        return False
    value = str(node.value)
    problem = id_problem(value, kind)
    reserved = None if problem else reserved_id(value, kind)
    if reserved and reserved_ok:
        report.warning(node, "reserved-id", reserved)
        return True
    problem = problem or reserved
    if problem:
        report.error(node, code, problem)
        return False
    return True
