"""`conveyor/quality-gate`: one required check standing for the jobs it `needs`.

Inputs: `needs` (`${{ toJSON(needs) }}`; `jobs` as re-actors/alls-green names it), `blocking`
and `advisory` (job ids, comma-separated; a job named in neither is blocking),
`allowed-failures` / `allowed-skips` (alls-green's: failures of those are advisory, skips of
those pass). A blocking job that failed, was cancelled or skipped fails the gate; an advisory
one that failed or was cancelled is a warning. Outputs: `result` (success/failure), `failed`
(the blocking jobs that did not succeed), `warnings` (the advisory ones), both comma-separated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.actions.native_support import names, table, warning
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation, ActionOutcome, failed
from conveyor.model.results import Conclusion

_PASSING = {"success"}


@dataclass(frozen=True, slots=True)
class Verdict:
    job: str
    result: str
    blocking: bool
    passed: bool

    @property
    def kind(self) -> str:
        return "blocking" if self.blocking else "advisory"


@dataclass(frozen=True, slots=True)
class GatePolicy:
    blocking: frozenset[str]
    advisory: frozenset[str]
    allowed_skips: frozenset[str]

    @classmethod
    def of(cls, invocation: ActionInvocation) -> GatePolicy:
        advisory = names(invocation.input("advisory")) + names(invocation.input("allowed-failures"))
        return cls(
            frozenset(names(invocation.input("blocking"))),
            frozenset(advisory),
            frozenset(names(invocation.input("allowed-skips"))),
        )

    def judge(self, job: str, result: str) -> Verdict:
        blocking = job in self.blocking or job not in self.advisory
        passed = result in _PASSING or (result == "skipped" and job in self.allowed_skips)
        if not blocking:
            passed = passed or result == "skipped"
        return Verdict(job, result, blocking, passed)


class QualityGate:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        text = invocation.input("needs") or invocation.input("jobs")
        results = parse_needs(text)
        if isinstance(results, str):
            return failed(results)
        policy = GatePolicy.of(invocation)
        missing = sorted(policy.blocking - results.keys())
        verdicts = [policy.judge(job, result) for job, result in sorted(results.items())]
        return _outcome(verdicts, missing, console)


def parse_needs(text: str) -> dict[str, str] | str:
    """job id → result, from `toJSON(needs)`; an error message when it is not that."""
    if not text.strip():
        return "quality-gate: the 'needs' input is empty (pass needs: ${{ toJSON(needs) }})"
    try:
        data = json.loads(text)
    except ValueError as exc:
        return f"quality-gate: 'needs' is not JSON ({exc}); pass ${{{{ toJSON(needs) }}}}"
    if not isinstance(data, Mapping) or not data:
        return "quality-gate: 'needs' names no job (the job needs the jobs it gates)"
    found: dict[str, str] = {}
    for job, value in data.items():
        result = value.get("result") if isinstance(value, Mapping) else None
        if not isinstance(result, str):
            return f"quality-gate: 'needs.{job}' has no result"
        found[str(job)] = result
    return found


def _outcome(verdicts: list[Verdict], missing: list[str], console: ActionConsole) -> ActionOutcome:
    failing = [v.job for v in verdicts if v.blocking and not v.passed] + missing
    warned = [v for v in verdicts if not v.blocking and not v.passed]
    for verdict in verdicts:
        console.log(f"{verdict.job}: {verdict.result} ({verdict.kind})")
    annotations = tuple(
        warning(f"Advisory job '{v.job}' did not succeed: {v.result}", title="quality-gate")
        for v in warned
    )
    outputs = {
        "result": "failure" if failing else "success",
        "failed": ",".join(failing),
        "warnings": ",".join(v.job for v in warned),
    }
    summary = _summary(verdicts, missing, failing)
    if not failing:
        return ActionOutcome(outputs=outputs, summary=summary, annotations=annotations)
    why = [f"'{job}' ({_result_of(job, verdicts)})" for job in failing]
    return ActionOutcome(
        status=Conclusion.FAILURE,
        outputs=outputs,
        summary=summary,
        annotations=annotations,
        error=f"quality-gate: blocking jobs did not succeed: {', '.join(why)}",
    )


def _result_of(job: str, verdicts: list[Verdict]) -> str:
    found = [v.result for v in verdicts if v.job == job]
    return found[0] if found else "not in needs"


def _summary(verdicts: list[Verdict], missing: list[str], failing: list[str]) -> str:
    icon = {True: "✅", False: "❌"}
    rows = [
        (v.job, v.kind, v.result, icon[v.passed] if v.blocking or v.passed else "⚠️")
        for v in verdicts
    ]
    rows += [(job, "blocking", "not in needs", "❌") for job in missing]
    verdict = "failed" if failing else "passed"
    return f"### Quality gate {verdict}\n\n" + table(("Job", "Kind", "Result", ""), rows)
