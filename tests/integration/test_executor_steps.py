"""LocalExecutor: `run` steps — shells, working directories, env layering, `if`, outcomes,
contexts and job outputs — with real processes in real git repositories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conveyor.actions import default_registry
from conveyor.model.results import Conclusion
from conveyor.model.workflow import RunDefaults
from tests.unit.executors.harness import (
    conclusions,
    document,
    make_repo,
    outcomes,
    run_job,
    steps,
)

pytestmark = pytest.mark.integration

CHECKOUT = {"uses": "actions/checkout@v4"}  # the workspace is empty until a job checks out


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "demo", {"README.md": "hello\n", "sub/file.txt": "x\n"})


def test_default_shell_is_bash_without_pipefail(repo: Path, conveyor_home: Path) -> None:
    doc = document(repo, steps({"run": 'false | true\necho "bash=$BASH"'}))
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert any(line.startswith("bash=/") for line in reporter.output(0))
    assert "shell: " + shutil.which("bash") + " -e {0}" in reporter.text(0)  # type: ignore[operator]


def test_explicit_bash_uses_pipefail(repo: Path, conveyor_home: Path) -> None:
    doc = document(repo, steps({"run": "false | true", "shell": "bash"}))
    result, _ = run_job(doc, conveyor_home)
    assert result.result is Conclusion.FAILURE


def test_sh_python_and_custom_shells(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"run": 'if [ -z "${BASH+x}" ]; then echo is-sh; fi', "shell": "sh"},
            {"run": "import sys\nprint('py', sys.version_info[0])", "shell": "python"},
            {"run": "print 'perl-free custom'", "shell": "cat {0}"},
            {"run": "echo x", "shell": "bash-without-placeholder"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert reporter.output(0) == ["is-sh"]
    assert reporter.output(1) == ["py 3"]
    assert reporter.output(2) == ["print 'perl-free custom'"]
    assert outcomes(result)[:3] == ["success"] * 3
    assert result.steps[3].outcome is Conclusion.FAILURE
    assert "must contain '{0}'" in reporter.text(3)


@pytest.mark.skipif(
    shutil.which("pwsh") is not None, reason="checks the message when pwsh is absent"
)
def test_pwsh_missing_fails_clearly(repo: Path, conveyor_home: Path) -> None:
    result, reporter = run_job(
        document(repo, steps({"run": "Write-Output hi", "shell": "pwsh"})), conveyor_home
    )
    assert result.result is Conclusion.FAILURE
    assert "'pwsh' was not found" in reporter.text(0)


def test_working_directory_and_defaults(repo: Path, conveyor_home: Path, tmp_path: Path) -> None:
    doc = document(
        repo,
        steps(
            CHECKOUT,
            {"run": "pwd"},
            {"run": "pwd", "working_directory": "sub"},
            {"run": "pwd", "working_directory": str(tmp_path)},
            {"run": "echo $0", "shell": None},
            {"run": "pwd", "working_directory": "missing-dir"},
        ),
        defaults=RunDefaults(shell="${{ env.MY_SHELL }}", working_directory="sub"),
        env={"MY_SHELL": "sh"},
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    workspace = reporter.output(1)[0]
    assert workspace.endswith("/demo/sub")
    assert reporter.output(2) == [workspace]
    assert reporter.output(3) == [str(tmp_path)]
    assert "shell: /usr/bin/sh -e {0}" in reporter.text(4) or "sh -e" in reporter.text(4)
    assert result.steps[5].outcome is Conclusion.FAILURE
    assert "missing-dir" in reporter.text(5)


def test_env_layers_and_default_variables(repo: Path, conveyor_home: Path) -> None:
    script = "\n".join(
        [
            'echo "A=$A B=$B C=$C"',
            'echo "CI=$CI ACTIONS=$GITHUB_ACTIONS SHA=$GITHUB_SHA REPO=$GITHUB_REPOSITORY"',
            'echo "WS=$GITHUB_WORKSPACE TEMP=$RUNNER_TEMP TOOLS=$RUNNER_TOOL_CACHE OS=$RUNNER_OS"',
            'echo "EVENT=$(cat "$GITHUB_EVENT_PATH")"',
            'echo "ACTION=$GITHUB_ACTION JOB=$GITHUB_JOB"',
        ]
    )
    doc = document(
        repo,
        steps(
            {"run": 'echo "B=from-file" >> "$GITHUB_ENV"; echo "C=from-file" >> "$GITHUB_ENV"'},
            {"run": script, "env": {"C": "from-step", "GITHUB_SHA": "forged"}},
            {"run": 'echo "C=$C"'},
        ),
        env={"A": "from-job", "B": "from-job", "C": "from-job"},
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    out = reporter.output(1)
    assert out[0] == "A=from-job B=from-file C=from-step"
    sha = result.steps and out[1].split("SHA=")[1].split()[0]
    assert out[1].startswith("CI=true ACTIONS=true SHA=")
    assert len(sha) == 40
    assert "REPO=octo/demo" in out[1]
    assert "/runs/run-1/jobs/" in out[2]
    assert "TEMP=" in out[2]
    assert "OS=Linux" in out[2]
    assert json.loads(out[3].removeprefix("EVENT=")) == {"ref": "refs/heads/main"}
    assert out[4] == "ACTION=__run_2 JOB=build"
    assert reporter.output(2) == ["C=from-file"]


def test_if_status_functions_and_continue_on_error(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"run": "exit 0", "id": "first"},
            {"run": "exit 4", "id": "second", "continue_on_error": True},
            {
                "run": "echo ${{ steps.first.outcome }}/${{ steps.second.outcome }}/"
                "${{ steps.second.conclusion }}/${{ job.status }}"
            },
            {"run": "exit 1", "id": "breaks"},
            {"run": "echo not-run"},
            {"run": "echo failure-seen", "condition": "failure()"},
            {"run": "echo always-${{ job.status }}", "condition": "${{ always() }}"},
            {"run": "echo env-if", "condition": "env.FLAG == 'on'", "env": {"FLAG": "on"}},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.FAILURE
    assert outcomes(result) == [
        "success",
        "failure",
        "success",
        "failure",
        "skipped",
        "success",
        "success",
        "skipped",
    ]
    assert conclusions(result)[1] == "success"
    assert reporter.output(2) == ["success/failure/success/success"]
    assert reporter.output(6) == ["always-failure"]
    assert [name for _, name in reporter.started][4] == "Run echo not-run"


def test_expression_errors_fail_the_step_not_the_executor(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"run": "echo ${{ fromJSON('not json') }}"},
            {"run": "echo fine", "condition": "always()"},
            {"run": "echo x", "condition": "nosuchfunction()"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert outcomes(result) == ["failure", "success", "failure"]
    assert "##[error]" in reporter.text(0)


def test_step_outputs_steps_context_and_job_outputs(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {
                "run": 'echo "v=1" >> "$GITHUB_OUTPUT"\necho "::set-output name=legacy::2"',
                "id": "s",
            },
            {"run": "echo ${{ steps.s.outputs.v }}${{ steps.s.outputs.legacy }}"},
        ),
        outputs={"both": "${{ steps.s.outputs.v }}-${{ steps.s.outputs.legacy }}", "none": "x"},
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.steps[0].outputs == {"v": "1", "legacy": "2"}
    assert reporter.output(1) == ["12"]
    assert result.outputs == {"both": "1-2", "none": "x"}


def test_runner_and_github_contexts(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            CHECKOUT,
            {
                "run": "echo '${{ runner.os }} ${{ runner.temp == env.RUNNER_TEMP }} "
                "${{ github.workspace }} ${{ github.job }} ${{ hashFiles('README.md') != '' }}'"
            },
        ),
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS
    parts = reporter.output(1)[0].split()
    assert parts[0] == "Linux"
    assert parts[3] == "build"
    assert parts[4] == "true"
    assert parts[2].endswith("/demo")


def test_workspace_and_temp_are_removed_after_the_job(repo: Path, conveyor_home: Path) -> None:
    doc = document(repo, steps(CHECKOUT, {"run": "echo $GITHUB_WORKSPACE; touch $RUNNER_TEMP/x"}))
    _, reporter = run_job(doc, conveyor_home, actions=default_registry())
    workspace = Path(reporter.output(1)[0])
    assert not workspace.exists()
    _, reporter = run_job(doc, conveyor_home, actions=default_registry(), keep_workspace=True)
    assert Path(reporter.output(1)[0]).joinpath("README.md").exists()


def test_a_failing_step_is_annotated_with_its_location(repo: Path, conveyor_home: Path) -> None:
    result, _ = run_job(document(repo, steps({"run": "true"}, {"run": "exit 5"})), conveyor_home)
    (annotation,) = result.annotations
    assert annotation.message == "Process completed with exit code 5."
    assert (annotation.file, annotation.line, annotation.job) == ("workflow.yml", 2, "build")
