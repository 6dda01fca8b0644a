"""Reusable workflows called by path: inputs, secrets (mapping and inherit), outputs, nesting."""

from __future__ import annotations

import pytest

from conveyor.engine.planner import plan_workflow
from conveyor.errors import WorkflowError
from conveyor.executors.fake import FakeExecutor, FakeJob
from conveyor.model.results import Conclusion
from tests.unit.engine.conftest import DictSource, run_workflow, workflow_from

CALLED = """
name: reusable
on:
  workflow_call:
    inputs:
      name: {type: string, required: true}
      flag: {type: boolean, required: true}
      count: {type: number, required: false, default: '${{ 1 }}'}
      optional: {type: string, required: false, default: fallback}
    secrets:
      token: {required: false}
    outputs:
      result:
        value: ${{ jobs.inner.outputs.value }}
      status:
        value: ${{ jobs.inner.result }}
env:
  CALLED_ENV: called
jobs:
  inner:
    runs-on: ubuntu-latest
    outputs: {value: '${{ steps.s.outputs.value }}'}
    steps: [{id: s, run: echo}]
"""

CALLER = """
name: caller
on: push
env:
  CALLER_ENV: caller
jobs:
  call:
    uses: ./.github/workflows/reusable.yml
    with:
      name: ${{ github.event_name }}
      flag: ${{ true }}
    secrets:
      token: ${{ secrets.TOKEN }}
  inherit:
    uses: ./.github/workflows/reusable.yml
    with: {name: x, flag: 'true', count: 3}
    secrets: inherit
  after:
    needs: [call, inherit]
    runs-on: ubuntu-latest
    env:
      OUT: ${{ needs.call.outputs.result }}
      STATUS: ${{ needs.call.outputs.status }}
      RESULT: ${{ needs.inherit.result }}
    steps: [{run: echo}]
"""
FILES = {"./.github/workflows/reusable.yml": CALLED}


def test_inputs_secrets_and_outputs_flow_through_a_call() -> None:
    executor = FakeExecutor({"inner": FakeJob(outputs={"value": "42"})})
    outcome = run_workflow(CALLER, executor, called=FILES, secrets={"TOKEN": "t0k", "OTHER": "o"})
    assert outcome.conclusions() == {
        "call / inner": "success",
        "inherit / inner": "success",
        "after": "success",
    }
    call = outcome.document("call / inner")
    assert call.contexts["inputs"] == {
        "name": "push",
        "flag": True,
        "count": 1,
        "optional": "fallback",
    }
    assert call.contexts["secrets"] == {"token": "t0k"}
    assert call.env == {"CALLED_ENV": "called"}  # the caller's env is not passed on
    assert call.workflow_path == ".github/workflows/reusable.yml"
    assert call.contexts["github"]["workflow"] == "test"  # type: ignore[index]
    inherit = outcome.document("inherit / inner")
    assert inherit.contexts["secrets"] == {"TOKEN": "t0k", "OTHER": "o"}
    assert inherit.contexts["inputs"]["flag"] is True  # type: ignore[index]
    assert inherit.contexts["inputs"]["count"] == 3  # type: ignore[index]
    after = outcome.document("after")
    assert after.env["OUT"] == "42"
    assert after.env["STATUS"] == "success"
    assert after.env["RESULT"] == "success"


def test_a_failing_called_job_fails_the_caller() -> None:
    executor = FakeExecutor({"inner": FakeJob(Conclusion.FAILURE)})
    outcome = run_workflow(CALLER, executor, called=FILES)
    assert outcome.conclusions()["after"] == "skipped"
    assert outcome.record.conclusion == "failure"


def test_bad_inputs_fail_the_calling_job() -> None:
    caller = """
    on: push
    jobs:
      call:
        uses: ./.github/workflows/reusable.yml
        with: {flag: maybe, name: x}
    """
    outcome = run_workflow(caller, called=FILES)
    assert outcome.conclusions() == {"call": "failure"}
    assert "must be a boolean" in (outcome.job("call").error or "")
    missing = caller.replace("flag: maybe, name: x", "flag: true")
    assert "'name' is required" in (run_workflow(missing, called=FILES).job("call").error or "")
    extra = caller.replace("flag: maybe", "flag: true, nope: 1")
    assert "not defined" in (run_workflow(extra, called=FILES).job("call").error or "")


def test_matrix_caller_runs_the_workflow_once_per_leg() -> None:
    caller = """
    on: push
    jobs:
      call:
        strategy: {matrix: {n: [a, b]}}
        uses: ./.github/workflows/reusable.yml
        with: {name: '${{ matrix.n }}', flag: false}
    """
    outcome = run_workflow(caller, called=FILES)
    assert list(outcome.conclusions()) == ["call (a) / inner", "call (b) / inner"]
    assert outcome.document("call (b) / inner").contexts["inputs"]["name"] == "b"  # type: ignore[index]


def test_remote_reusable_workflows_come_from_the_source() -> None:
    remote = workflow_from(
        """
        on: push
        jobs:
          call:
            uses: octo/repo/.github/workflows/x.yml@main
        """
    )
    called = "on: workflow_call\njobs:\n  inner: {runs-on: x, steps: [{run: echo}]}\n"
    plan = plan_workflow(remote, DictSource({"octo/repo/.github/workflows/x.yml@main": called}))
    assert "call" in plan.calls
    with pytest.raises(WorkflowError, match="no such workflow octo/repo"):
        plan_workflow(remote, DictSource({}))


def test_missing_reusable_workflows_are_startup_errors() -> None:
    missing = workflow_from(
        """
        on: push
        jobs:
          call:
            uses: ./.github/workflows/none.yml
        """
    )
    with pytest.raises(WorkflowError, match="no such workflow"):
        plan_workflow(missing, DictSource({}))


def test_a_workflow_that_calls_itself_is_rejected() -> None:
    looping = """
    on: [push, workflow_call]
    jobs:
      again:
        uses: ./.github/workflows/test.yml
    """
    with pytest.raises(WorkflowError, match="calls itself"):
        plan_workflow(workflow_from(looping), DictSource({"./.github/workflows/test.yml": looping}))
