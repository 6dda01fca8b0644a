"""Which jobs get the repository in their workspace, and how many git processes a run costs.

On GitHub, $GITHUB_WORKSPACE is empty until actions/checkout runs. conveyor fills it (before the
first step) only for a job that checks out or uses a `./` action; any other job starts in an
empty workspace, and no git process is run for it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from conveyor.actions import default_registry
from conveyor.model.results import Conclusion
from tests.unit.executors.harness import (
    RecordingReporter,
    document,
    executor,
    git,
    make_repo,
    run_job,
    steps,
)

pytestmark = pytest.mark.integration

LIST_WORKSPACE = {"run": 'ls -A "$GITHUB_WORKSPACE" | wc -l; test "$PWD" = "$GITHUB_WORKSPACE"'}
HELLO = """
on: push
jobs:
  hello:
    runs-on: ubuntu-latest
    steps:
      - run: echo hello
  world:
    needs: hello
    runs-on: ubuntu-latest
    steps:
      - run: echo world
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "demo",
        {
            "README.md": "hello\n",
            "greet/action.yml": "runs:\n  using: composite\n  steps:\n"
            "    - run: echo greeted\n      shell: bash\n",
        },
    )


@pytest.fixture
def git_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `git` first on PATH that logs each call (its arguments) and runs the real git."""
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True)
    shim_dir, log = tmp_path / "shim", tmp_path / "git-calls.log"
    shim_dir.mkdir()
    shim = shim_dir / "git"
    shim.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real.stdout.strip()} "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{shim_dir}{os.pathsep}{os.environ['PATH']}")
    log.touch()
    return log


def test_a_job_without_checkout_starts_in_an_empty_workspace_without_git(
    repo: Path, conveyor_home: Path, git_calls: Path
) -> None:
    head = git(repo, "rev-parse", "HEAD")
    git_calls.write_text("")
    doc = document(repo, steps(LIST_WORKSPACE, {"run": "echo sha=$GITHUB_SHA"}), sha=head)
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert reporter.output(0) == ["0"]
    assert reporter.output(1) == [f"sha={head}"]
    assert git_calls.read_text() == ""


def test_a_job_that_checks_out_has_the_repository_from_its_first_step(
    repo: Path, conveyor_home: Path
) -> None:
    doc = document(
        repo,
        steps({"run": "cat README.md"}, {"uses": "actions/checkout@v4"}, {"run": "git status -s"}),
        sha=git(repo, "rev-parse", "HEAD"),
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert reporter.output(0) == ["hello"]
    assert reporter.output(2) == []


def test_a_job_using_a_local_action_has_the_repository(repo: Path, conveyor_home: Path) -> None:
    doc = document(repo, steps({"uses": "./greet"}), sha=git(repo, "rev-parse", "HEAD"))
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert "greeted" in reporter.text(every=True)


def test_a_hello_run_asks_git_only_for_its_event(
    tmp_path: Path, conveyor_home: Path, git_calls: Path
) -> None:
    """Two jobs without checkout: no clone, no checkout, no template lookup (only the event's
    questions), and every job directory is gone afterwards."""
    repo = make_repo(tmp_path / "hello", {".github/workflows/hello.yml": textwrap.dedent(HELLO)})
    git_calls.write_text("")
    boot = (
        "import sys; from conveyor.cli import main as m; m.COMMANDS.setdefault("
        "'run', 'conveyor.cli.run_command:run_command'); m.main(sys.argv[1:])"
    )
    env = {**os.environ, "CONVEYOR_HOME": str(conveyor_home), "CONVEYOR_PLAIN": "1"}
    done = subprocess.run(
        [sys.executable, "-c", boot, "run", str(repo)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr + done.stdout
    calls = git_calls.read_text().splitlines()
    assert not [call for call in calls if call.split()[:1] in (["clone"], ["checkout"])], calls
    assert not [call for call in calls if "checkout" in call or "templateDir" in call], calls
    assert len(calls) <= 6, calls
    assert not list((conveyor_home / "runs").glob("*/jobs/*/"))


LEAVE_TRACES = """
stat -c '%i %z' unchanged.txt
echo secret > new-file.txt
echo output > build.log
printf '#!/bin/sh\\necho HOOK RAN\\n' > .git/hooks/post-checkout
chmod +x .git/hooks/post-checkout
git config user.email leaked@example.com
git config credential.helper store
echo changed >> README.md
git -c user.name=j -c user.email=j@e stash -q
echo again >> README.md
git tag job1-tag
git update-ref refs/heads/job1 HEAD
mkdir nested && git -C nested init -q && touch nested/f
"""
FIND_TRACES = """
stat -c '%i %z' unchanged.txt
ls -A
cat README.md
git config --local --get user.email || echo no-email
git config --local --get credential.helper || echo no-helper
ls .git/hooks | wc -l
git stash list | wc -l
git tag -l job1-tag | wc -l
git rev-parse --verify -q refs/heads/job1 || echo no-job1
git status --porcelain --ignored | wc -l
"""


def _pooled_run(repo: Path, home: Path, script: str, sha: str) -> list[str]:
    """One job in a run of its own (its own workspace pool, closed at the end, as in `run`)."""
    from conveyor.executors.local.workspace_pool import WorkspacePool

    pool = WorkspacePool(home)
    try:
        doc = document(repo, steps({"uses": "actions/checkout@v4"}, {"run": script}), sha=sha)
        result, reporter = run_job(doc, home, actions=default_registry(), workspace_pool=pool)
    finally:
        pool.close()
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    return reporter.output(1)


def test_a_reused_workspace_carries_nothing_from_the_previous_job(tmp_path: Path) -> None:
    """The next run's job gets the same directory back (cheaper than a new checkout), reset to
    the commit: no file, ignored file, hook, config entry, stash, ref or nested repository of the
    previous job is left."""
    files = {"README.md": "hello\n", "unchanged.txt": "same\n", ".gitignore": "*.log\n"}
    repo = make_repo(tmp_path / "traces", files)
    sha = git(repo, "rev-parse", "HEAD")
    conveyor_home = tmp_path / "home"  # its own: the idle workspaces below are this test's
    first = _pooled_run(repo, conveyor_home, LEAVE_TRACES, sha)
    idle = [conveyor_home / "workspaces", *(conveyor_home / "workspaces").rglob("idle-*")]
    assert len(idle) == 2
    assert {stat.S_IMODE(path.stat().st_mode) for path in idle} == {0o700}
    (saved,) = (conveyor_home / "workspaces").rglob("idle-*/index")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    second = _pooled_run(repo, conveyor_home, FIND_TRACES, sha)
    assert second[0] == first[0]  # the same file: the workspace was reused, not made again
    assert second[1:] == [
        ".git",
        ".gitignore",
        "README.md",
        "unchanged.txt",
        "hello",
        "no-email",
        "no-helper",
        "0",
        "0",
        "0",
        "no-job1",
        "0",
    ]


def test_the_default_checkout_step_runs_no_git(
    repo: Path, conveyor_home: Path, git_calls: Path
) -> None:
    """The workspace already is the commit: the step reads HEAD itself to report it."""
    head = git(repo, "rev-parse", "HEAD")
    doc = document(repo, steps({"uses": "actions/checkout@v4", "id": "co"}), sha=head)
    git_calls.write_text("")
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert result.steps[0].outputs["commit"] == head
    assert not [call for call in git_calls.read_text().splitlines() if "rev-parse HEAD" in call]


PROBE_CLEAN = """\
ls -A "$GITHUB_WORKSPACE" | wc -l
for f in "$GITHUB_ENV" "$GITHUB_OUTPUT" "$GITHUB_STATE" "$GITHUB_PATH" "$GITHUB_STEP_SUMMARY"; do
  test -f "$f" && ! test -s "$f" || echo "not empty: $f"
done
echo "X=1" >> "$GITHUB_ENV"; echo "o=1" >> "$GITHUB_OUTPUT"; echo "# s" >> "$GITHUB_STEP_SUMMARY"
touch "$GITHUB_WORKSPACE/left-by-$GITHUB_JOB" "$RUNNER_TEMP/left-by-$GITHUB_JOB"
"""


def test_jobs_given_empty_directories_made_ahead_start_clean(tmp_path: Path) -> None:
    """A job that does not read the repository takes an empty job directory the pool made
    while earlier jobs ran: its workspace empty, its file-command files empty at each step,
    nothing of the job that ran before it (GitHub: every job starts from a clean runner)."""
    from conveyor.engine.ports.executor import JobForecast
    from conveyor.executors.local.workspace_pool import WorkspacePool

    repo = make_repo(tmp_path / "repo", {"a.txt": "one\n"})
    home = tmp_path / "home"
    pool = WorkspacePool(home)
    runner = executor(home, workspace_pool=pool)
    try:
        runner.forecast(JobForecast(str(repo), None, False, 0, 0, 0, 2))
        deadline = time.monotonic() + 20
        while sum(len(e.ready) for e in pool._empties.values()) < 2:
            assert time.monotonic() < deadline, "the pool made no empty job directory"
            time.sleep(0.02)
        made = {path.name for e in pool._empties.values() for path in e.ready}
        for job in ("one", "two"):
            doc = document(
                repo,
                steps({"run": PROBE_CLEAN}, {"run": PROBE_CLEAN}),
                job_id=job,
                instance_key=job,
            )
            reporter = RecordingReporter()
            result = runner.run_job(doc, reporter, threading.Event())
            assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
            assert reporter.output(0) == ["0"], reporter.text(every=True)  # empty, files empty
            assert reporter.output(1) == ["1"], reporter.text(every=True)  # emptied again
        assert not any(e.ready for e in pool._empties.values())  # both were taken
        assert len(made) == 2
    finally:
        pool.close()
