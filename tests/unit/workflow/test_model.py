"""The model built from valid workflows: every key lands in the right field, with locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.errors import SourceLocation, WorkflowError
from conveyor.model.workflow import Workflow
from conveyor.workflow import load_workflow, load_workflow_or_raise

VALID = Path(__file__).resolve().parents[2] / "data" / "workflows" / "valid"


def workflow(name: str) -> Workflow:
    return load_workflow_or_raise(VALID / name, display_path=name)


@pytest.fixture(scope="module")
def full() -> Workflow:
    return workflow("full.yml")


def test_top_level_keys(full: Workflow) -> None:
    assert full.path == "full.yml"
    assert full.name == "Full"
    assert full.display_name == "Full"
    assert full.run_name == "Deploy ${{ inputs.target }} by @${{ github.actor }}"
    assert full.permissions == {"contents": "read", "id-token": "write"}
    assert full.env == {
        "GLOBAL": "1",
        "NUMBER": "3.1",
        "FROM_SECRET": "${{ secrets.GLOBAL_TOKEN }}",
    }
    assert full.defaults is not None
    assert (full.defaults.shell, full.defaults.working_directory) == ("bash", "src")
    assert full.concurrency is not None
    assert full.concurrency.group == "${{ github.workflow }}-${{ github.ref }}"
    assert full.concurrency.cancel_in_progress is True
    assert list(full.jobs) == ["lint", "test", "call", "call-remote"]
    assert full.locations["env.NUMBER"] == SourceLocation("full.yml", 39, 11)
    assert full.locations["jobs"] == SourceLocation("full.yml", 49, 3)


def test_triggers(full: Workflow) -> None:
    on = full.on
    assert on.names == ("push", "pull_request", "schedule", "workflow_dispatch", "workflow_run")
    push = on.get("push")
    assert push is not None
    assert push.branches is not None
    assert push.tags is not None
    assert push.branches.patterns == ("main", "release/**")
    assert push.branches.location == SourceLocation("full.yml", 5, 5)
    assert push.tags.patterns == ("v*",)
    assert push.paths is None
    assert push.paths_ignore is not None
    assert push.paths_ignore.patterns == ("docs/**",)
    pull = on.get("pull_request")
    assert pull is not None
    assert pull.types == ("opened", "synchronize")
    assert pull.branches_ignore is not None
    assert pull.branches is None
    schedule = on.get("schedule")
    assert schedule is not None
    assert [(c.cron, c.timezone) for c in schedule.crons] == [
        ("30 5 * * 1-5", None),
        ("0 0 1 JAN *", "Europe/Paris"),
    ]
    assert schedule.crons[0].location == SourceLocation("full.yml", 12, 13)
    run = on.get("workflow_run")
    assert run is not None
    assert run.workflows == ("CI",)
    assert run.types == ("completed",)


def test_dispatch_inputs(full: Workflow) -> None:
    dispatch = full.on.get("workflow_dispatch")
    assert dispatch is not None
    target, dry_run, retries, env_name = dispatch.inputs
    assert (target.name, target.type, target.required, target.default) == (
        "target",
        "choice",
        True,
        "staging",
    )
    assert target.options == ("staging", "production")
    assert target.description == "Where to deploy"
    assert (dry_run.type, dry_run.default, dry_run.required) == ("boolean", False, False)
    assert (retries.type, retries.default) == ("number", 3)
    assert (env_name.type, env_name.default) == ("environment", None)
    assert target.location == SourceLocation("full.yml", 17, 7)


def test_matrix_job(full: Workflow) -> None:
    lint = full.jobs["lint"]
    assert lint.id == "lint"
    assert lint.location == SourceLocation("full.yml", 49, 3)
    assert lint.name == "Lint (${{ matrix.python }})"
    assert lint.runs_on == ["self-hosted", "linux"]
    assert lint.timeout_minutes == 10
    assert lint.needs == ()
    assert lint.strategy is not None
    assert lint.strategy.fail_fast is False
    assert lint.strategy.max_parallel == 2
    assert lint.strategy.matrix == {
        "python": ["3.11", "3.12"],
        "os": ["ubuntu-latest"],
        "include": [{"python": "3.13", "experimental": True}],
        "exclude": [{"python": "3.11", "os": "ubuntu-latest"}],
    }
    assert lint.continue_on_error == "${{ matrix.experimental == true }}"
    assert lint.outputs == {"digest": "${{ steps.hash.outputs.digest }}"}
    assert lint.defaults is not None
    assert lint.defaults.shell == "${{ matrix.shell || 'bash' }}"
    assert lint.locations["runs-on"] == SourceLocation("full.yml", 51, 14)
    assert lint.locations["env.PY"] == SourceLocation("full.yml", 67, 11)


def test_steps(full: Workflow) -> None:
    steps = full.jobs["lint"].steps
    assert [s.index for s in steps] == [0, 1, 2, 3, 4, 5]
    checkout, hashed, python, perl, local, docker = steps
    assert checkout.uses == "actions/checkout@v4"
    assert checkout.run is None
    assert checkout.with_ == {"fetch-depth": "0"}
    assert checkout.location == SourceLocation("full.yml", 74, 9)
    assert hashed.id == "hash"
    assert hashed.condition == "${{ !cancelled() && github.event_name == 'push' }}"
    assert hashed.run == 'echo "digest=${{ hashFiles(\'**/*.lock\') }}" >> "$GITHUB_OUTPUT"\n'
    assert hashed.env == {"TOKEN": "${{ secrets.TOKEN }}"}
    assert (hashed.continue_on_error, hashed.timeout_minutes) == (True, 5)
    assert hashed.working_directory == "./tools"
    assert hashed.locations["run"] == SourceLocation("full.yml", 80, 14)
    assert hashed.locations["env.TOKEN"] == SourceLocation("full.yml", 83, 18)
    assert (python.shell, perl.shell) == ("python", "perl {0}")
    assert local.uses == "./.github/actions/local"
    assert docker.uses == "docker://alpine:3.20"
    assert docker.with_ == {"args": "echo hi"}


def test_container_services_and_environment(full: Workflow) -> None:
    test = full.jobs["test"]
    assert test.needs == ("lint",)
    assert test.condition == "always() && needs.lint.result != 'failure'"
    assert test.environment is not None
    assert test.environment.name == "staging"
    assert test.environment.url == "${{ steps.deploy.outputs.url }}"
    assert test.concurrency is not None
    assert test.concurrency.group == "test-${{ github.ref }}"
    assert test.concurrency.cancel_in_progress is False
    container = test.container
    assert container is not None
    assert container.image == "python:3.12"
    assert container.ports == ("8080",)
    assert container.volumes == ("/tmp:/tmp",)
    assert container.options == "--cpus 1"
    assert container.env == {"LEVEL": "${{ env.GLOBAL }}"}
    assert container.credentials == {
        "username": "${{ github.actor }}",
        "password": "${{ secrets.REGISTRY_TOKEN }}",
    }
    postgres, redis = test.services["postgres"], test.services["redis"]
    assert (postgres.id, postgres.image, postgres.ports) == (
        "postgres",
        "postgres:16",
        ("5432:5432",),
    )
    assert postgres.env == {"POSTGRES_PASSWORD": "postgres"}
    assert postgres.options == "--health-cmd pg_isready --health-interval 10s"
    assert (redis.image, redis.env, redis.ports) == ("redis:7", {}, ())
    assert redis.location == SourceLocation("full.yml", 122, 14)


def test_reusable_workflow_calls(full: Workflow) -> None:
    call, remote = full.jobs["call"], full.jobs["call-remote"]
    assert call.is_reusable_call
    assert not full.jobs["lint"].is_reusable_call
    assert call.uses == "./.github/workflows/reusable.yml"
    assert call.needs == ("lint", "test")
    assert call.with_ == {"level": 3, "flag": True, "name": "${{ needs.lint.outputs.digest }}"}
    assert call.secrets == "inherit"
    assert call.permissions == {"contents": "read"}
    assert call.steps == ()
    assert remote.secrets == {"token": "${{ secrets.TOKEN }}"}
    assert remote.strategy is not None
    assert remote.strategy.matrix == {"region": ["eu", "us"]}
    assert remote.locations["secrets.token"] == SourceLocation("full.yml", 140, 14)


def test_anchors_share_their_values() -> None:
    anchors = workflow("anchors.yml")
    first, second = anchors.jobs["first"], anchors.jobs["second"]
    assert first.runs_on == second.runs_on == "ubuntu-latest"
    assert [s.uses or s.run for s in second.steps] == ["actions/checkout@v4", "make test"]


def test_workflow_call_declarations() -> None:
    call = workflow("reusable-definition.yml").on.get("workflow_call")
    assert call is not None
    level, flag, name = call.inputs
    assert (level.type, level.default, level.required) == ("number", 1, False)
    assert flag.default == "${{ github.event_name == 'push' }}"
    assert (name.type, name.required) == ("string", True)
    assert [(s.name, s.required) for s in call.secrets] == [("token", True), ("optional", False)]
    (digest,) = call.outputs
    assert (digest.name, digest.value, digest.description) == (
        "digest",
        "${{ jobs.build.outputs.digest }}",
        "The digest",
    )


def test_needs_use_the_spelling_of_the_job_ids(tmp_path: Path) -> None:
    text = (
        "on: push\njobs:\n  Build:\n    runs-on: x\n    steps: [{run: a}]\n"
        "  test:\n    needs: [build, BUILD]\n    runs-on: x\n    steps: [{run: b}]\n"
    )
    loaded = load_workflow_or_raise(tmp_path / "w.yml", text)
    assert loaded.jobs["test"].needs == ("Build",)


def test_background_and_parallel_steps_run_in_the_foreground() -> None:
    result = load_workflow(VALID / "tolerated.yml")
    assert result.workflow is not None
    steps = result.workflow.jobs["build"].steps
    assert [(s.index, s.id, s.run) for s in steps] == [
        (0, "server", "./serve"),
        (1, None, "make a"),
        (2, None, "make b"),
        (3, None, "make lint"),
    ]


def test_load_workflow_or_raise_carries_the_diagnostics(tmp_path: Path) -> None:
    with pytest.raises(WorkflowError) as raised:
        load_workflow_or_raise(tmp_path / "w.yml", "on: push\njobs: {a: {steps: []}}\n")
    assert [d.code for d in raised.value.diagnostics] == ["missing-key"]


def test_diagnostic_paths_are_shown_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "w.yml").write_text("on: push\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (diagnostic,) = load_workflow(Path("w.yml")).diagnostics
    assert (
        diagnostic.render()
        == "w.yml:1:1: error[missing-key]: missing required key 'jobs' at the top level"
    )
