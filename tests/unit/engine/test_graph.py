"""The needs graph: GitHub's validation, ancestors, stages and `-j` selection."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conveyor.engine import graph
from conveyor.engine.planner import plan_workflow
from conveyor.errors import WorkflowError
from tests.unit.engine.conftest import workflow_from

CHAIN = """
on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  build:
    needs: check
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  test:
    needs: [build]
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  lint:
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
"""


def test_stages_follow_the_deepest_need() -> None:
    # act's TestGraphEvent for its `basic` workflow: [[check], [build], [test]]
    workflow = workflow_from(CHAIN)
    assert graph.stages(workflow) == [["check", "lint"], ["build"], ["test"]]


def test_ancestors_are_transitive() -> None:
    workflow = workflow_from(CHAIN)
    assert graph.ancestors(workflow, "test") == {"build", "check"}
    assert graph.ancestors(workflow, "lint") == frozenset()


def test_select_takes_the_needed_jobs_in_file_order() -> None:
    workflow = workflow_from(CHAIN)
    assert graph.select(workflow, ["test"]) == ("check", "build", "test")
    assert plan_workflow(workflow, only=["TEST"]).jobs == ("check", "build", "test")
    with pytest.raises(WorkflowError, match="has no job 'nope'"):
        plan_workflow(workflow, only=["nope"])


def test_graph_problems_are_diagnostics() -> None:
    workflow = workflow_from(CHAIN)
    jobs = dict(workflow.jobs)
    jobs["check"] = replace(jobs["check"], needs=("test",))
    cyclic = replace(workflow, jobs=dict(jobs))
    problems = graph.graph_diagnostics(cyclic)
    assert [p.code for p in problems] == ["needs-cycle"]
    assert "check -> test -> build -> check" in problems[0].message
    jobs["check"] = replace(jobs["check"], needs=("missing",))
    problems = graph.graph_diagnostics(replace(workflow, jobs=jobs))
    assert [p.code for p in problems] == ["needs-unknown"]
    with pytest.raises(WorkflowError, match="form a cycle"):
        plan_workflow(cyclic)
