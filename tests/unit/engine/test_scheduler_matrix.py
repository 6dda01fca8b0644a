"""Matrix jobs in the scheduler: names, contexts, fail-fast, max-parallel, outputs, --matrix."""

from __future__ import annotations

from conveyor.engine.ports.executor import JobDocument
from conveyor.executors.fake import FakeExecutor, FakeJob
from conveyor.model.results import Conclusion
from tests.unit.engine.conftest import run_workflow

MATRIX = """
on: push
jobs:
  test:
    strategy:
      fail-fast: ${{ vars.FAST == 'yes' }}
      max-parallel: 2
      matrix:
        python: ["3.11", "3.12", "3.13"]
        include:
          - python: "3.13"
            experimental: true
    continue-on-error: ${{ matrix.experimental == true }}
    runs-on: ubuntu-${{ matrix.python }}
    timeout-minutes: 5
    environment: env-${{ matrix.python }}
    concurrency: group-${{ strategy.job-index }}
    steps: [{run: 'true'}]
"""


def test_legs_have_names_contexts_and_per_leg_values() -> None:
    outcome = run_workflow(MATRIX)
    assert [job.view.instance_key for job in outcome.record.jobs] == [
        "test (3.11)",
        "test (3.12)",
        "test (3.13)",
    ]
    doc = outcome.document("test (3.13)")
    assert doc.display_name == "test (3.13)"
    assert doc.contexts["matrix"] == {"python": "3.13", "experimental": True}
    assert doc.contexts["strategy"] == {
        "fail-fast": False,
        "job-index": 2,
        "job-total": 3,
        "max-parallel": 2,
    }
    assert doc.timeout_minutes == 5
    record = outcome.job("test (3.13)")
    assert record.continue_on_error
    assert record.runs_on == ("ubuntu-3.13",)
    assert record.environment == "env-3.13"
    assert record.concurrency == "group-2"
    assert not outcome.job("test (3.11)").continue_on_error


def test_max_parallel_limits_running_legs() -> None:
    executor = FakeExecutor(default=FakeJob(duration=0.05))
    run_workflow(MATRIX, executor, parallel=8)
    assert executor.max_active == 2


def test_fail_fast_cancels_running_and_queued_siblings() -> None:
    executor = FakeExecutor(
        {
            "test (3.11)": FakeJob(Conclusion.FAILURE, duration=0.05),
            "test (3.12)": FakeJob(until_cancelled=True),
        }
    )
    outcome = run_workflow(MATRIX, executor, variables={"FAST": "yes"})
    assert outcome.conclusions() == {
        "test (3.11)": "failure",
        "test (3.12)": "cancelled",
        "test (3.13)": "cancelled",
    }
    assert "test (3.13)" not in executor.started  # queued behind max-parallel: never started
    assert outcome.record.conclusion == "failure"


def test_without_fail_fast_siblings_finish() -> None:
    executor = FakeExecutor({"test (3.11)": FakeJob(Conclusion.FAILURE)})
    outcome = run_workflow(MATRIX, executor)
    assert outcome.conclusions()["test (3.12)"] == "success"


def test_a_continue_on_error_leg_does_not_trip_fail_fast() -> None:
    executor = FakeExecutor({"test (3.13)": FakeJob(Conclusion.FAILURE)})
    outcome = run_workflow(MATRIX, executor, variables={"FAST": "yes"})
    assert outcome.conclusions()["test (3.11)"] == "success"
    assert outcome.record.conclusion == "success"


def test_matrix_from_needs_outputs_and_merged_outputs() -> None:
    text = """
    on: push
    jobs:
      prepare:
        runs-on: ubuntu-latest
        outputs: {matrix: '${{ steps.m.outputs.matrix }}'}
        steps: [{id: m, run: echo}]
      build:
        needs: prepare
        name: build ${{ matrix.package }}
        strategy:
          matrix: ${{ fromJSON(needs.prepare.outputs.matrix) }}
        runs-on: ubuntu-latest
        outputs: {one: x}
        steps: [{run: echo}]
      report:
        needs: build
        runs-on: ubuntu-latest
        env: {ONE: '${{ needs.build.outputs.one }}', RESULT: '${{ needs.build.result }}'}
        steps: [{run: echo}]
    """

    def leg(document: JobDocument) -> FakeJob:
        return FakeJob(outputs={"one": str(document.contexts["matrix"]["package"])})  # type: ignore[index]

    executor = FakeExecutor(
        {"prepare": FakeJob(outputs={"matrix": '{"package": ["a", "b"]}'}), "build": leg},
    )
    outcome = run_workflow(text, executor, parallel=1)
    assert [job.view.display_name for job in outcome.record.jobs] == [
        "prepare",
        "build a",
        "build b",
        "report",
    ]
    report = outcome.document("report")
    assert report.env["ONE"] == "b"  # the last leg to finish wins
    assert report.env["RESULT"] == "success"


def test_a_bad_matrix_fails_the_job() -> None:
    text = """
    on: push
    jobs:
      build:
        strategy:
          matrix: ${{ fromJSON('[1, 2]') }}
        runs-on: ubuntu-latest
        steps: [{run: echo}]
    """
    outcome = run_workflow(text)
    assert outcome.conclusions() == {"build": "failure"}
    assert "must give a mapping" in (outcome.job("build").error or "")


def test_matrix_filter_narrows_and_can_leave_nothing() -> None:
    outcome = run_workflow(MATRIX, matrix_filter={"python": ("3.12",)})
    assert list(outcome.conclusions()) == ["test (3.12)"]
    outcome = run_workflow(MATRIX, matrix_filter={"python": ("2.7",)})
    assert outcome.conclusions() == {"test": "skipped"}


def test_duplicate_vector_values_give_distinct_keys() -> None:
    text = """
    on: push
    jobs:
      t:
        strategy: {matrix: {v: [1, 1]}}
        runs-on: ubuntu-latest
        steps: [{run: echo}]
    """
    assert list(run_workflow(text).conclusions()) == ["t (1)", "t (1) #2"]
