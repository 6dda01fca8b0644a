"""`conveyor run` fetching remote actions and reusable workflows from a local Git server (over
file:// and smart HTTP), `--offline`, and `conveyor actions pull/list/prune`, as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.integration.file_audit import audit, secret_forms
from tests.support.git_server import GitServer, HttpGit, git

pytestmark = pytest.mark.integration

GREET = """
name: greet
inputs:
  who: {default: world}
outputs:
  said: {value: "${{ steps.say.outputs.said }}"}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        echo "greet says hello ${{ inputs.who }} from $GITHUB_ACTION_PATH"
        echo "said=hello ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
"""

NODE_ACTION = {
    "action.yml": "name: node-hello\nruns:\n  using: node20\n  main: index.js\n",
    "index.js": textwrap.dedent(
        """
        const fs = require('fs');
        console.log('node-hello ran on ' + process.version);
        fs.appendFileSync(process.env.GITHUB_OUTPUT, 'answer=42\\n');
        """
    ),
}

WRAPPER = """
name: wrapper
runs:
  using: composite
  steps:
    - id: inner
      uses: acme/greet@v1
      with: {who: wrapped}
    - shell: bash
      run: echo "wrapper got ${{ steps.inner.outputs.said }}"
"""

REUSABLE = """
on:
  workflow_call:
    outputs:
      word: {value: "${{ jobs.inner.outputs.word }}"}
jobs:
  inner:
    runs-on: ubuntu-latest
    outputs:
      word: ${{ steps.w.outputs.word }}
    steps:
      - id: w
        run: echo "remote reusable workflow ran" && echo "word=bird" >> "$GITHUB_OUTPUT"
"""

WORKFLOW = """
on: push
jobs:
  steps:
    runs-on: ubuntu-latest
    steps:
      - id: g
        uses: acme/greet@v1
        with: {who: conveyor}
      - run: echo "output was ${{ steps.g.outputs.said }}"
      - id: n
        uses: acme/node-hello@v1
      - run: echo "node answered ${{ steps.n.outputs.answer }}"
      - uses: acme/wrapper@v1
  called:
    uses: acme/workflows/.github/workflows/reusable.yml@v1
  after:
    needs: called
    runs-on: ubuntu-latest
    steps:
      - run: echo "the called workflow said ${{ needs.called.outputs.word }}"
"""


def publish_all(server: GitServer) -> dict[str, str]:
    return {
        "greet": server.publish("acme/greet", {"action.yml": GREET}, tags=("v1",)),
        "node": server.publish("acme/node-hello", NODE_ACTION, tags=("v1",)),
        "wrapper": server.publish("acme/wrapper", {"action.yml": WRAPPER}, tags=("v1",)),
        "workflows": server.publish(
            "acme/workflows", {".github/workflows/reusable.yml": REUSABLE}, tags=("v1",)
        ),
    }


def make_repo(root: Path, workflow: str) -> Path:
    path = root / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent(workflow), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


def start(
    home: Path, *args: str, url: str, extra: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "CONVEYOR_HOME": str(home),
        "CONVEYOR_PLAIN": "1",
        "CONVEYOR_DAEMON": "off",
        "CONVEYOR_ACTIONS_URL": url,
        **(extra or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "conveyor", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run(home: Path, *args: str, url: str, **extra: str) -> tuple[int, str]:
    process = start(home, *args, url=url, extra=extra)
    output, _ = process.communicate(timeout=240)
    return process.returncode, output


def check_everything_ran(output: str) -> None:
    assert "greet says hello conveyor from" in output
    assert "output was hello conveyor" in output
    assert "node answered 42" in output
    assert "wrapper got hello wrapped" in output
    assert "remote reusable workflow ran" in output
    assert "the called workflow said bird" in output


@pytest.mark.parametrize("transport", ["file", "http"])
def test_a_run_fetches_remote_actions_and_workflows(
    git_server: GitServer, tmp_path: Path, transport: str
) -> None:
    publish_all(git_server)
    repo = make_repo(tmp_path / "repo", WORKFLOW)
    home = tmp_path / "home"
    if transport == "file":
        code, output = run(home, "run", str(repo), url=git_server.file_url)
    else:
        with git_server.http() as served:
            code, output = run(home, "run", str(repo), url=served.url)
    assert code == 0, output
    check_everything_ran(output)
    nowhere = (tmp_path / "gone").as_uri()
    code, output = run(home, "run", str(repo), "--offline", url=nowhere)
    assert code == 0, output
    check_everything_ran(output)


def test_offline_miss_is_one_line_naming_the_pull_command(
    git_server: GitServer, tmp_path: Path
) -> None:
    publish_all(git_server)
    steps_only = WORKFLOW.split("  called:")[0]
    repo = make_repo(tmp_path / "repo", steps_only)
    offline = {"CONVEYOR_ACTIONS_OFFLINE": "1"}
    code, output = run(tmp_path / "home", "run", str(repo), url=git_server.file_url, **offline)
    assert code == 1
    wanted = "fetch it with `conveyor actions pull acme/greet@v1`"
    lines = [line for line in output.splitlines() if "| Error:" in line]
    assert len(lines) == 1, output  # one line in the step's log (and the summary's annotation)
    assert lines[0].endswith(wanted)
    assert "acme/greet@v1 is not in the action cache and this run is offline" in lines[0]
    assert "greet says" not in output
    calls = make_repo(tmp_path / "calls", WORKFLOW)
    code, output = run(tmp_path / "home", "run", str(calls), url=git_server.file_url, **offline)
    assert code == 1
    assert "reusable workflow 'acme/workflows/.github/workflows/reusable.yml@v1'" in output
    assert "fetch it with `conveyor actions pull acme/workflows@v1`" in output


def test_a_moved_tag_is_picked_up_by_the_next_run(git_server: GitServer, tmp_path: Path) -> None:
    git_server.publish("acme/greet", {"action.yml": GREET}, tags=("v1",))
    workflow = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
    workflow += "      - uses: acme/greet@v1\n"
    repo = make_repo(tmp_path / "repo", workflow)
    home = tmp_path / "home"
    assert "greet says hello world" in run(home, "run", str(repo), url=git_server.file_url)[1]
    old = git_server.rev("acme/greet", "v1")
    new = git_server.publish(
        "acme/greet", {"action.yml": GREET.replace("hello", "howdy")}, tags=("v1",)
    )
    code, output = run(home, "run", str(repo), url=git_server.file_url)
    assert code == 0, output
    assert "greet says howdy world" in output
    url = git_server.file_url
    assert "removed 0 cached" in run(home, "actions", "prune", "--older-than", "1", url=url)[1]
    assert "removed 1 cached" in run(home, "actions", "prune", url=url)[1]  # the old commit
    listed = run(home, "actions", "list", url=url)[1]
    assert new[:12] in listed
    assert old[:12] not in listed


def test_an_absent_commit_fails_the_step_with_a_clear_error(
    git_server: GitServer, tmp_path: Path
) -> None:
    git_server.publish("acme/greet", {"action.yml": GREET}, tags=("v1",))
    absent = "ab" * 20
    workflow = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
    workflow += f"      - uses: acme/greet@{absent}\n"
    repo = make_repo(tmp_path / "repo", workflow)
    code, output = run(tmp_path / "home", "run", str(repo), url=git_server.file_url)
    assert code == 1
    assert f"acme/greet@{absent}: the commit could not be fetched" in output
    assert "greet says" not in output


FOUR_JOBS = """
on: push
jobs:
  a: {runs-on: ubuntu-latest, steps: [{uses: acme/greet@v1}]}
  b: {runs-on: ubuntu-latest, steps: [{uses: acme/greet@v1}]}
  c: {runs-on: ubuntu-latest, steps: [{uses: acme/greet@v1}]}
  d: {runs-on: ubuntu-latest, steps: [{uses: acme/greet@v1}]}
"""


def test_parallel_jobs_and_concurrent_runs_fetch_one_action_once(
    git_server: GitServer, git_http: HttpGit, tmp_path: Path
) -> None:
    git_server.publish("acme/greet", {"action.yml": GREET}, tags=("v1",))
    repo = make_repo(tmp_path / "repo", FOUR_JOBS)
    home = tmp_path / "home"
    runs = [start(home, "run", str(repo), "--parallel", "4", url=git_http.url) for _ in range(2)]
    outputs = [process.communicate(timeout=240)[0] for process in runs]
    for process, output in zip(runs, outputs, strict=True):
        assert process.returncode == 0, output
        assert output.count("greet says hello world from /") == 4, output
    assert git_http.fetches("acme/greet") == 1


def test_a_token_never_reaches_console_logs_cache_or_database(
    git_server: GitServer, tmp_path: Path
) -> None:
    token = "ghp_T0kenForPrivateActions99"
    git_server.publish("acme/greet", {"action.yml": GREET}, tags=("v1",))
    workflow = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
    workflow += "      - uses: acme/greet@v1\n      - run: env\n      - uses: acme/greet@v404\n"
    repo = make_repo(tmp_path / "repo", workflow)
    home = tmp_path / "home"
    with git_server.http(token=token) as served:
        code, output = run(home, "run", str(repo), url=served.url, CONVEYOR_ACTIONS_TOKEN=token)
    assert "greet says hello world" in output
    assert "acme/greet has no tag or branch 'v404'" in output
    assert code == 1
    for form in secret_forms(token):
        assert form.decode(errors="replace") not in output
    assert audit(home, token) == []


def test_actions_pull_list_and_prune(git_server: GitServer, tmp_path: Path) -> None:
    commits = publish_all(git_server)
    repo = make_repo(tmp_path / "repo", WORKFLOW)
    home = tmp_path / "home"
    url = git_server.file_url
    offline = {"CONVEYOR_ACTIONS_OFFLINE": "1"}  # the setting of runs, not of pull
    code, output = run(
        home, "actions", "pull", "acme/greet@v1", "actions/checkout@v4", url=url, **offline
    )
    assert code == 0, output
    assert f"acme/greet@v1 {commits['greet'][:12]} fetched" in output
    assert "actions/checkout@v4 native" in output
    code, output = run(home, "actions", "pull", "--all", "--repo", str(repo), url=url)
    assert code == 0, output
    assert f"acme/greet@v1 {commits['greet'][:12]} cached" in output
    for name in ("node-hello@v1", "wrapper@v1", "workflows/.github/workflows/reusable.yml@v1"):
        assert f"acme/{name}" in output
    code, output = run(home, "actions", "list", url=url)
    assert code == 0, output
    assert "acme/greet" in output
    assert commits["greet"][:12] in output
    assert "v1" in output
    nowhere = (tmp_path / "gone").as_uri()
    code, output = run(home, "run", str(repo), "--offline", url=nowhere)
    assert code == 0, output
    check_everything_ran(output)
    code, output = run(home, "actions", "prune", "--all", url=url)
    assert code == 0, output
    assert "removed 4" in output
    code, output = run(home, "actions", "list", url=url)
    assert "no cached actions" in output
    code, output = run(home, "actions", "pull", "acme/greet@v404", url=url)
    assert code == 1
    assert "acme/greet@v404: acme/greet has no tag or branch 'v404'" in output
    code, output = run(home, "actions", "pull", "not-a-ref", url=url)
    assert code == 2
    assert "not-a-ref" in output
    assert "Traceback" not in output


def test_a_bad_actions_setting_is_a_usage_error(git_server: GitServer, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FOUR_JOBS)
    (repo / "conveyor.toml").write_text("[actions]\noffline = 'sure'\n")
    code, output = run(tmp_path / "home", "run", str(repo), url=git_server.file_url)
    assert code == 2
    assert "conveyor.toml: [actions] offline must be a bool" in output
    assert "Traceback" not in output
