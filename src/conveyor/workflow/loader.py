"""Load a workflow file: read it, check it (YAML, schema, expressions, jobs, triggers), build the
model. Bad content never raises: every problem is a diagnostic in the `LoadResult`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conveyor.errors import Diagnostic, SourceLocation, WorkflowError, error, has_errors
from conveyor.model.workflow import Workflow
from conveyor.workflow.job_checks import check_jobs, job_pairs
from conveyor.workflow.matrix_checks import check_matrix
from conveyor.workflow.report import Report
from conveyor.workflow.runner_checks import check_runner
from conveyor.workflow.step_checks import check_defaults, check_steps
from conveyor.workflow.template_reader import TemplateReader
from conveyor.workflow.template_schema import ROOT, workflow_schema
from conveyor.workflow.trigger_checks import check_triggers
from conveyor.workflow.workflow_builder import build_workflow
from conveyor.workflow.yaml_nodes import MappingNode, Node
from conveyor.workflow.yaml_reader import read_yaml

MAX_FILE_BYTES = 1024 * 1024
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The workflow (None when errors prevent building it) and every diagnostic, in file order."""

    workflow: Workflow | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def load_workflow(
    path: Path | str, text: str | None = None, *, display_path: str | None = None
) -> LoadResult:
    shown = display_path if display_path is not None else str(path)
    if text is None:
        text, problem = read_workflow_text(Path(path), shown)
        if text is None:
            return LoadResult(None, (problem,) if problem else ())
    elif len(text) > MAX_FILE_BYTES:
        return LoadResult(None, (_too_large(shown),))
    return analyse(shown, text.removeprefix(_BOM))


def load_workflow_or_raise(
    path: Path | str, text: str | None = None, *, display_path: str | None = None
) -> Workflow:
    """The workflow, or `WorkflowError` carrying the diagnostics when there is any error."""
    result = load_workflow(path, text, display_path=display_path)
    if result.workflow is None or not result.ok:
        raise WorkflowError(result.diagnostics)
    return result.workflow


def read_workflow_text(path: Path, shown: str) -> tuple[str | None, Diagnostic | None]:
    start = SourceLocation(shown)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, error(start, "file-unreadable", f"cannot read the file: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return None, _too_large(shown)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(
            data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")
        )
        message = f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x}); is it binary?"
        return None, error(SourceLocation(shown, line, column + 1), "file-encoding", message)


def analyse(shown: str, text: str) -> LoadResult:
    """Check a workflow's text and build its model when it has no errors."""
    document = read_yaml(text, shown)
    report = Report(shown, text, list(document.diagnostics))
    root = document.root
    if root is None:
        if not report.diagnostics:
            report.error_at(1, 1, "file-empty", "the workflow file is empty")
        return LoadResult(None, _in_order(report.diagnostics))
    TemplateReader(workflow_schema(), report).read_root(root, ROOT)
    needs = _check(report, root)
    workflow = None
    if not report.has_errors and isinstance(root, MappingNode):
        workflow = build_workflow(shown, root, needs)
    return LoadResult(workflow, _in_order(report.diagnostics))


def _check(report: Report, root: Node) -> dict[str, tuple[str, ...]]:
    needs = check_jobs(report, root)
    check_triggers(report, root)
    if isinstance(root, MappingNode):
        check_defaults(report, root)
    for key, job in job_pairs(root):
        check_runner(report, str(key.value), job)
        check_steps(report, job)
        check_matrix(report, str(key.value), job)
    return needs


def _too_large(shown: str) -> Diagnostic:
    message = f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; conveyor does not read it"
    return error(SourceLocation(shown), "file-too-large", message)


def _in_order(diagnostics: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=lambda d: (d.location.line, d.location.column)))
