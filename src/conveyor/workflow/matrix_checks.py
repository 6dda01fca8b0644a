"""Checks of `strategy.matrix` beyond the schema (which already requires each vector to be a
sequence and `include`/`exclude` to be lists of mappings): no empty vector, and `exclude` entries
may only name keys of the matrix (GitHub fails the run otherwise)."""

from __future__ import annotations

from conveyor.workflow.node_values import is_expression
from conveyor.workflow.report import Report
from conveyor.workflow.yaml_nodes import MappingNode, SequenceNode

_FILTER_KEYS = ("include", "exclude")


def check_matrix(report: Report, job: MappingNode) -> None:
    strategy = job.get("strategy")
    matrix = strategy.get("matrix") if isinstance(strategy, MappingNode) else None
    if not isinstance(matrix, MappingNode):
        return
    vectors = [(k, v) for k, v in matrix.pairs if k.value not in _FILTER_KEYS]
    for key, value in vectors:
        if isinstance(value, SequenceNode) and not value.items:
            report.error(key, "matrix", f"matrix vector '{key.value}' has no values")
    if any(is_expression(k) or is_expression(v) for k, v in vectors):
        return
    names = {str(k.value).upper() for k, _ in vectors}
    exclude = matrix.get("exclude")
    if not isinstance(exclude, SequenceNode):
        return
    for entry in exclude.items:
        if not isinstance(entry, MappingNode):
            continue
        for key, _ in entry.pairs:
            if not is_expression(key) and str(key.value).upper() not in names:
                message = f"matrix exclude key '{key.value}' does not match any key of the matrix"
                report.error(key, "matrix", message)
