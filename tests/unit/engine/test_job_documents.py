"""What the executor is handed: contexts, env layering, defaults, services, masks."""

from __future__ import annotations

from tests.unit.engine.conftest import run_workflow

WORKFLOW = """
name: docs
on: push
env:
  LEVEL: workflow
  WF_ONLY: ${{ github.ref }}
  FROM_SECRET: ${{ secrets.API }}
defaults:
  run: {shell: sh, working-directory: wf-dir}
jobs:
  build:
    name: Build ${{ github.ref_name || 'x' }}
    runs-on: [self-hosted, '${{ vars.LABEL }}']
    env:
      LEVEL: job
      VAR: ${{ vars.COLOR }}
    defaults:
      run: {shell: bash}
    services:
      db:
        image: postgres:${{ vars.PG }}
        env: {POSTGRES_PASSWORD: '${{ secrets.API }}'}
        ports: ['5432']
      none:
        image: ${{ false || '' }}
    container:
      image: ${{ vars.NO_IMAGE }}
    steps:
      - run: echo hi
"""


def test_contexts_env_and_defaults() -> None:
    outcome = run_workflow(
        WORKFLOW,
        secrets={"API": "s3cret"},
        variables={"COLOR": "blue", "LABEL": "linux", "PG": "16"},
        env={"LEVEL": "cli", "CLI_ONLY": "1"},
    )
    doc = outcome.document("build")
    assert doc.display_name == "Build x"
    assert doc.env == {
        "LEVEL": "job",
        "CLI_ONLY": "1",
        "WF_ONLY": "refs/heads/main",
        "FROM_SECRET": "s3cret",
        "VAR": "blue",
    }
    assert set(doc.contexts) == {
        "github",
        "needs",
        "strategy",
        "matrix",
        "inputs",
        "vars",
        "secrets",
        "env",
    }
    assert doc.contexts["env"] == doc.env
    assert doc.contexts["github"]["job"] == "build"  # type: ignore[index]
    assert doc.defaults.shell == "bash"
    assert doc.defaults.working_directory == "wf-dir"
    assert [s.id for s in doc.services] == ["db"]
    assert doc.services[0].image == "postgres:16"
    assert doc.services[0].env == {"POSTGRES_PASSWORD": "s3cret"}
    assert doc.container is None
    assert doc.masks == ("s3cret",)
    assert doc.sha == "abc"
    assert doc.repository == "/repo"
    assert outcome.job("build").runs_on == ("self-hosted", "linux")
    assert doc.steps[0].run == "echo hi"  # steps stay raw for the executor


def test_run_name_and_workflow_concurrency_are_recorded() -> None:
    text = """
    on: push
    run-name: Deploy ${{ github.ref }}
    concurrency:
      group: ${{ github.workflow }}-${{ github.ref }}
      cancel-in-progress: true
    jobs:
      a: {runs-on: x, steps: [{run: echo}]}
    """
    (workflow,) = run_workflow(text).record.workflows
    assert workflow.run_name == "Deploy refs/heads/main"
    assert workflow.concurrency == "test-refs/heads/main"


def test_a_workflow_concurrency_group_that_fails_keeps_the_run_from_starting() -> None:
    text = """
    on: push
    concurrency: ${{ fromJSON('nope') }}
    jobs:
      a: {runs-on: x, steps: [{run: echo}]}
    """
    outcome = run_workflow(text)
    (workflow,) = outcome.record.workflows
    assert workflow.conclusion == "startup_failure"
    assert outcome.record.conclusion == "failure"
    assert outcome.executor.started == []
