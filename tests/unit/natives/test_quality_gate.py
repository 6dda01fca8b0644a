"""`conveyor/quality-gate` on `toJSON(needs)` as GitHub renders it."""

from __future__ import annotations

import json
from pathlib import Path

from conveyor.actions.quality_gate import QualityGate
from conveyor.model.results import AnnotationLevel, Conclusion
from tests.unit.natives.support import LogConsole, invocation


def needs(**results: str) -> str:
    return json.dumps({job: {"result": r, "outputs": {}} for job, r in results.items()}, indent=2)


def gate(tmp_path: Path, **inputs: str):  # type: ignore[no-untyped-def]
    console = LogConsole()
    outcome = QualityGate().run(invocation("conveyor/quality-gate@v1", inputs, tmp_path), console)
    return outcome, console


def test_all_blocking_jobs_passing_pass_the_gate_with_a_table(tmp_path: Path) -> None:
    outcome, _ = gate(tmp_path, needs=needs(lint="success", test="success"))
    assert outcome.status is Conclusion.SUCCESS
    assert outcome.outputs["result"] == "success"
    assert "| lint | blocking | success | ✅ |" in outcome.summary
    assert outcome.annotations == ()


def test_a_failed_cancelled_or_skipped_blocking_job_fails_the_gate(tmp_path: Path) -> None:
    results = needs(lint="success", test="failure", docs="skipped", e2e="cancelled")
    outcome, _ = gate(tmp_path, needs=results, blocking="test,docs", advisory="lint")
    assert outcome.status is Conclusion.FAILURE
    assert outcome.outputs["failed"] == "docs,e2e,test"  # e2e: named in neither, so blocking
    assert outcome.error is not None
    assert "'test' (failure)" in outcome.error


def test_advisory_failures_are_warnings_not_failures(tmp_path: Path) -> None:
    outcome, _ = gate(tmp_path, needs=needs(test="success", bench="failure"), advisory="bench")
    assert outcome.status is Conclusion.SUCCESS
    assert outcome.outputs["warnings"] == "bench"
    [note] = outcome.annotations
    assert note.level is AnnotationLevel.WARNING
    assert "'bench'" in note.message
    assert "| bench | advisory | failure | ⚠️ |" in outcome.summary


def test_alls_green_inputs_are_understood(tmp_path: Path) -> None:
    outcome, _ = gate(
        tmp_path,
        jobs=needs(test="success", flaky="failure", optional="skipped"),
        **{"allowed-failures": '["flaky"]', "allowed-skips": "optional"},
    )
    assert outcome.status is Conclusion.SUCCESS, outcome.error


def test_a_blocking_job_missing_from_needs_fails_it(tmp_path: Path) -> None:
    outcome, _ = gate(tmp_path, needs=needs(test="success"), blocking="test,deploy")
    assert outcome.status is Conclusion.FAILURE
    assert outcome.error is not None
    assert "'deploy' (not in needs)" in outcome.error


def test_bad_needs_is_a_clear_failure(tmp_path: Path) -> None:
    empty, _ = gate(tmp_path)
    assert empty.error is not None
    assert "toJSON(needs)" in empty.error
    broken, _ = gate(tmp_path, needs="{nope")
    assert broken.status is Conclusion.FAILURE
    assert "not JSON" in (broken.error or "")
