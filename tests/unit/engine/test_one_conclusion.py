"""One outcome type: `conveyor.model.results.Conclusion` for steps, jobs, workflows, runs and the
exit status; the `--json` words are GitHub's."""

from __future__ import annotations

import json

from conveyor.engine.conclusions import run_conclusion
from conveyor.engine.ports import store as store_port
from conveyor.engine.records import RunRecord, WorkflowRecord, overall_conclusion
from conveyor.model import results
from conveyor.model.results import Conclusion


def test_the_store_port_and_the_results_share_the_model_s_conclusion() -> None:
    assert store_port.Conclusion is Conclusion
    assert not hasattr(results, "Status")  # one name for the one type, no alias


def test_workflow_and_run_conclusions_are_conclusions_not_words() -> None:
    workflows = (
        WorkflowRecord("1", "a.yml", "a", Conclusion.SUCCESS),
        WorkflowRecord("2", "b.yml", "b", Conclusion.STARTUP_FAILURE),
    )
    assert overall_conclusion(workflows, interrupted=False) is Conclusion.FAILURE
    assert overall_conclusion((), interrupted=True) is Conclusion.CANCELLED
    assert run_conclusion([(Conclusion.SKIPPED, False)], cancelled=False) is Conclusion.SKIPPED


def test_passed_says_which_conclusions_let_a_command_exit_zero() -> None:
    assert {c for c in Conclusion if c.passed} == {Conclusion.SUCCESS, Conclusion.SKIPPED}


def test_the_json_record_keeps_github_s_words() -> None:
    record = RunRecord(
        Conclusion.FAILURE, (WorkflowRecord("7", "a.yml", "a", Conclusion.STARTUP_FAILURE),)
    )
    shown = json.loads(json.dumps(record.as_json()))
    assert shown["conclusion"] == "failure"
    assert shown["workflows"][0]["conclusion"] == "startup_failure"
