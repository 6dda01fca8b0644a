"""Checks of `strategy.matrix` beyond the schema (which already requires each vector to be a
sequence and `include`/`exclude` to be lists of mappings): no empty vector, `exclude` entries
may only name keys of the matrix, and a matrix without expressions may not make more than 256
jobs (GitHub fails the run otherwise). The size is counted, not expanded (`matrix.count_legs`)."""

from __future__ import annotations

from conveyor.errors import PlanError
from conveyor.workflow.matrix import MAX_COMBINATIONS, TOO_MANY, count_legs
from conveyor.workflow.node_values import holds_expression, is_expression
from conveyor.workflow.report import Report
from conveyor.workflow.yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode, to_plain

_FILTER_KEYS = ("include", "exclude")


def check_matrix(report: Report, job_id: str, job: MappingNode) -> None:
    strategy = job.get("strategy")
    found = _matrix_pair(strategy) if isinstance(strategy, MappingNode) else None
    if found is None:
        return
    matrix_key, matrix = found
    vectors = [(k, v) for k, v in matrix.pairs if k.value not in _FILTER_KEYS]
    for key, value in vectors:
        if isinstance(value, SequenceNode) and not value.items:
            report.error(key, "matrix", f"matrix vector '{key.value}' has no values")
    if any(is_expression(k) or is_expression(v) for k, v in vectors):
        return
    _check_excludes(report, matrix, vectors)
    if not holds_expression(matrix):
        _check_size(report, job_id, matrix_key, matrix)


def _matrix_pair(strategy: MappingNode) -> tuple[ScalarNode, MappingNode] | None:
    for key, value in strategy.pairs:
        if key.value == "matrix" and isinstance(value, MappingNode):
            return key, value
    return None


def _check_size(report: Report, job_id: str, key: ScalarNode, matrix: MappingNode) -> None:
    try:
        size = count_legs(to_plain(matrix))  # type: ignore[arg-type]
    except PlanError:
        return  # a malformed matrix is reported by the schema and the checks above
    if size > MAX_COMBINATIONS:
        message = (
            f"the matrix of job '{job_id}' makes {size:,} jobs; GitHub allows at most"
            f' {MAX_COMBINATIONS} ("{TOO_MANY}")'
        )
        report.error(key, "matrix-size", message)


def _check_excludes(
    report: Report, matrix: MappingNode, vectors: list[tuple[ScalarNode, Node]]
) -> None:
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
