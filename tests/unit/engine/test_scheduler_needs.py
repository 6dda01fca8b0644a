"""needs, job-level if and status functions, continue-on-error, outputs, run conclusions."""

from __future__ import annotations

from conveyor.executors.fake import FakeExecutor, FakeJob
from conveyor.model.results import Conclusion
from tests.unit.engine.conftest import run_workflow

JOB_STATUS_CHECK = """
on: push
jobs:
  fail:
    runs-on: ubuntu-latest
    steps: [{run: exit 1}]
  suc1:
    if: success() || failure()
    needs: [fail]
    runs-on: ubuntu-latest
    steps: [{run: exit 0}]
  suc2:
    if: success() || failure()
    needs: [fail]
    runs-on: ubuntu-latest
    steps: [{run: exit 0}]
  next:
    needs: [suc1, suc2]
    runs-on: ubuntu-latest
    steps: [{run: exit 1}]
"""


def test_a_failure_skips_dependants_transitively() -> None:
    """act's job-status-check: `next` is skipped although its direct needs succeeded."""
    outcome = run_workflow(JOB_STATUS_CHECK, FakeExecutor({"fail": FakeJob(Conclusion.FAILURE)}))
    assert outcome.conclusions() == {
        "fail": "failure",
        "suc1": "success",
        "suc2": "success",
        "next": "skipped",
    }
    assert outcome.record.conclusion == "failure"
    assert "next" not in outcome.executor.started


CHAIN = """
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  b:
    needs: a
    if: ${{ false }}
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  c:
    needs: b
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  d:
    needs: c
    if: always()
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  e:
    needs: [d]
    if: failure()
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  f:
    needs: [d]
    if: ${{ !cancelled() && needs.d.result == 'success' }}
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
"""


def test_skips_propagate_and_status_functions_see_ancestors() -> None:
    outcome = run_workflow(CHAIN)
    assert outcome.conclusions() == {
        "a": "success",
        "b": "skipped",
        "c": "skipped",
        "d": "success",
        "e": "skipped",
        "f": "success",
    }
    assert outcome.record.conclusion == "success"
    assert outcome.document("f").contexts["needs"] == {"d": {"result": "success", "outputs": {}}}


def test_needs_outputs_and_results_reach_dependants() -> None:
    text = """
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        outputs: {version: '${{ steps.v.outputs.version }}'}
        steps: [{id: v, run: echo}]
      lint:
        runs-on: ubuntu-latest
        continue-on-error: true
        steps: [{run: exit 1}]
      deploy:
        needs: [build, lint]
        runs-on: ubuntu-latest
        env:
          VERSION: ${{ needs.build.outputs.version }}
          LINT: ${{ needs.lint.result }}
        steps: [{run: echo}]
    """
    executor = FakeExecutor(
        {"build": FakeJob(outputs={"version": "1.2.3"}), "lint": FakeJob(Conclusion.FAILURE)}
    )
    outcome = run_workflow(text, executor)
    deploy = outcome.document("deploy")
    assert deploy.env["VERSION"] == "1.2.3"
    assert deploy.env["LINT"] == "success"  # continue-on-error: dependants see success
    assert outcome.job("lint").conclusion is Conclusion.FAILURE
    assert outcome.job("lint").continue_on_error
    assert outcome.record.conclusion == "success"
    assert outcome.job("build").outputs == {"version": "1.2.3"}
    assert outcome.document("build").outputs == {"version": "${{ steps.v.outputs.version }}"}


def test_job_needs_context_contains_result() -> None:
    """act's job-needs-context-contains-result: the assert job must be skipped."""
    text = """
    on: push
    jobs:
      test:
        runs-on: ubuntu-latest
        steps: [{run: exit 0}]
      assert:
        needs: test
        if: |
          ( always() && !cancelled() ) && (
          ( needs.test.result != 'success' || !success() ) )
        runs-on: ubuntu-latest
        steps: [{run: exit 1}]
    """
    outcome = run_workflow(text)
    assert outcome.conclusions() == {"test": "success", "assert": "skipped"}


def test_every_job_skipped_gives_a_skipped_run() -> None:
    text = """
    on: push
    jobs:
      a:
        if: github.event_name == 'pull_request'
        runs-on: ubuntu-latest
        steps: [{run: 'true'}]
    """
    assert run_workflow(text).record.conclusion == "skipped"


def test_an_expression_error_in_if_fails_the_job_only() -> None:
    text = """
    on: push
    jobs:
      bad:
        if: fromJSON('not json')
        runs-on: ubuntu-latest
        steps: [{run: 'true'}]
      good:
        runs-on: ubuntu-latest
        steps: [{run: 'true'}]
    """
    outcome = run_workflow(text)
    assert outcome.conclusions() == {"bad": "failure", "good": "success"}
    assert "job 'bad'" in (outcome.job("bad").error or "")
    assert outcome.record.conclusion == "failure"


def test_dash_j_runs_the_job_with_what_it_needs() -> None:
    outcome = run_workflow(JOB_STATUS_CHECK, only=["suc1"])
    assert outcome.conclusions() == {"fail": "success", "suc1": "success"}
