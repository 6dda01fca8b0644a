"""`conveyor/coverage-gate`: coverage from Cobertura XML against thresholds.

Inputs: `files` (comma-separated reports, default `coverage.xml`; `file` as codecov names it),
`threshold` (the line coverage, in %, below which the gate fails), `branch-threshold`,
`diff-threshold` (coverage of the lines the pull request changes: `git diff base...head` in the
workspace), `comment` (false: true writes one PR comment, updated in place), `github-token`,
`debug-only`. Without thresholds it reports only (how it stands for codecov/codecov-action).
Outputs: `line-rate`, `branch-rate`, `diff-rate` (percentages, '' when not measured), `result`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conveyor.actions.coverage_report import (
    Coverage,
    CoverageReportError,
    DiffCoverage,
    added_lines,
    diff_coverage,
    read_reports,
)
from conveyor.actions.forge_rest import ForgeRest, ForgeTarget
from conveyor.actions.native_support import flag, names, pull_request, sticky_comment, table
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation, ActionOutcome, failed
from conveyor.errors import ForgeError
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion

COMMENT = "coverage-gate"
MAX_ANNOTATIONS = 50
TREND = "coverage"  # the store keeps the rates per branch (conveyor.store.coverage_points)


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    rate: float | None
    threshold: float | None

    @property
    def failing(self) -> bool:
        return self.rate is not None and self.threshold is not None and self.rate < self.threshold

    def row(self) -> tuple[str, str, str, str]:
        rate = "—" if self.rate is None else f"{self.rate:.2f} %"
        limit = "—" if self.threshold is None else f"{self.threshold:g} %"
        verdict = (
            "" if self.threshold is None or self.rate is None else "❌" if self.failing else "✅"
        )
        return (self.name, rate, limit, verdict)


class CoverageGate:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        thresholds = _thresholds(invocation)
        if isinstance(thresholds, str):
            return failed(thresholds)
        workspace = Path(invocation.workspace)
        reports = names(invocation.input("files") or invocation.input("file", "coverage.xml"))
        paths = [workspace / report for report in reports]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            return failed(f"coverage-gate: no coverage report at {', '.join(missing)}")
        try:
            coverage = read_reports(paths, workspace)
            diff = _diff(invocation, coverage, thresholds[2] is not None)
        except CoverageReportError as exc:
            return failed(f"coverage-gate: {exc}")
        return _judge(invocation, console, coverage, diff, thresholds)


Thresholds = tuple[float | None, float | None, float | None]


def _thresholds(invocation: ActionInvocation) -> Thresholds | str:
    found: list[float | None] = []
    for name in ("threshold", "branch-threshold", "diff-threshold"):
        text = invocation.input(name).strip().removesuffix("%").strip()
        try:
            found.append(float(text) if text else None)
        except ValueError:
            return f"coverage-gate: '{name}' must be a percentage, got {invocation.input(name)!r}"
    return found[0], found[1], found[2]


def _diff(invocation: ActionInvocation, coverage: Coverage, wanted: bool) -> DiffCoverage | None:
    pull = pull_request(invocation)
    if pull is None or not pull.base_sha or not flag(invocation, "diff", wanted):
        return None
    changed = added_lines(invocation.workspace, pull.base_sha, pull.head_sha or "HEAD")
    return diff_coverage(coverage, changed)


def _judge(
    invocation: ActionInvocation,
    console: ActionConsole,
    coverage: Coverage,
    diff: DiffCoverage | None,
    thresholds: Thresholds,
) -> ActionOutcome:
    measures = [
        Measure("Lines", coverage.line_rate(), thresholds[0]),
        Measure("Branches", coverage.branch_rate(), thresholds[1]),
        Measure("Changed lines", None if diff is None else diff.rate, thresholds[2]),
    ]
    failing = [m for m in measures if m.failing]
    summary = _summary(measures, bool(failing))
    console.log(summary)
    outputs = {
        "line-rate": _percent(measures[0].rate),
        "branch-rate": _percent(measures[1].rate),
        "diff-rate": _percent(measures[2].rate),
        "result": "failure" if failing else "success",
    }
    error = _comment(invocation, console, summary)
    if error is not None:
        return failed(error)
    annotations = _uncovered(diff)
    if not failing:
        return ActionOutcome(outputs=outputs, summary=summary, annotations=annotations, trend=TREND)
    reasons = [f"{m.name.lower()} {m.rate:.2f} % < {m.threshold:g} %" for m in failing]
    return ActionOutcome(
        status=Conclusion.FAILURE,
        outputs=outputs,
        summary=summary,
        annotations=annotations,
        error=f"coverage-gate: below the threshold: {'; '.join(reasons)}",
        trend=TREND,
    )


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.2f}"


def _summary(measures: list[Measure], failing: bool) -> str:
    title = "### Coverage gate " + ("failed" if failing else "passed")
    rows = [m.row() for m in measures if m.rate is not None or m.threshold is not None]
    return f"{title}\n\n" + table(("Coverage", "Rate", "Threshold", ""), rows)


def _uncovered(diff: DiffCoverage | None) -> tuple[Annotation, ...]:
    if diff is None:
        return ()
    found = [
        Annotation(
            AnnotationLevel.WARNING, "Changed line not covered by tests", file=path, line=line
        )
        for path, lines in diff.uncovered.items()
        for line in lines
    ]
    return tuple(found[:MAX_ANNOTATIONS])


def _comment(invocation: ActionInvocation, console: ActionConsole, summary: str) -> str | None:
    """The sticky PR comment when asked for; an error message when the forge refuses it."""
    pull = pull_request(invocation)
    if pull is None or not flag(invocation, "comment", False):
        return None
    rest = ForgeRest(ForgeTarget.of(invocation), console)
    try:
        sticky_comment(rest, pull.number, COMMENT, summary)
    except ForgeError as exc:
        return f"coverage-gate: {exc}"
    finally:
        rest.close()
    return None
