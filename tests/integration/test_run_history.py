"""`conveyor run` records its runs: real `conveyor` processes on temporary git repositories,
with a private CONVEYOR_HOME. Also the helpers the concurrency and environment tests use."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conveyor.store import open_store
from tests.conftest import REPO_ROOT
from tests.integration.test_store_postgres import pg_server, pg_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.integration

# ---- helpers (imported by test_run_concurrency and test_run_environments) ----------------------


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    author = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (
        ["init", "-q", "-b", "main"],
        [*author, "add", "-A"],
        [*author, "commit", "-qm", "i"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def create_store() -> None:
    """Create the test's store before processes race to open it: two processes creating a
    brand-new SQLite store at once can see "database is locked" (reported to the lead: the
    store's switch to WAL on connect needs a retry)."""
    open_store().close()


def conveyor_env() -> dict[str, str]:
    return {**os.environ, "CONVEYOR_PLAIN": "1", "PYTHONPATH": str(REPO_ROOT / "src")}


@dataclass
class Done:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


def conveyor(cwd: Path, *args: str, stdin: str | None = None, timeout: float = 60) -> Done:
    """One `conveyor` command, to completion."""
    result = subprocess.run(
        [sys.executable, "-m", "conveyor", *args],
        cwd=cwd,
        env=conveyor_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Done(result.returncode, result.stdout, result.stderr)


class Running:
    """A `conveyor` process running in the background; its output is gathered as it comes."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "conveyor", *args],
            cwd=cwd,
            env=conveyor_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        until(lambda: text in self.output, timeout, f"{text!r} in the output of conveyor")

    def finish(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def runs(repo: Path) -> list[dict[str, object]]:
    listed = conveyor(repo, "runs", "--json", "--limit", "100")
    assert listed.code == 0, listed.err
    found = listed.json()
    assert isinstance(found, list)
    return found


def run_by_id(repo: Path, run_id: int) -> dict[str, object]:
    return next(run for run in runs(repo) if run["id"] == run_id)


def run_id_in(output: str) -> int:
    """The run id a workflow printed as `run-id=${{ github.run_id }}`."""
    found = re.search(r"run-id=(\d+)", output)
    assert found is not None, f"no run-id= in:\n{output}"
    return int(found.group(1))


# ---- the tests ---------------------------------------------------------------------------------

RECORDED = """
name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: |
          echo "run-id=${{ github.run_id }} number=${{ github.run_number }}"
          echo "version=1.2.${{ github.run_attempt }}" >> "$GITHUB_OUTPUT"
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "testing version ${{ needs.build.outputs.version }}"
"""


def test_a_run_is_recorded_with_its_jobs_and_logs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/ci.yml": RECORDED})
    done = conveyor(repo, "run")
    assert done.code == 0, done.out + done.err
    run_id = run_id_in(done.out)
    (run,) = runs(repo)
    assert run["id"] == run_id  # github.run_id is the stored run's id
    assert (run["status"], run["conclusion"], run["attempt"]) == ("completed", "success", 1)
    assert (run["workflow"], run["event"], run["ref"]) == ("CI", "push", "refs/heads/main")
    assert run["started_at"]
    assert run["finished_at"]
    assert "number=1" in done.out
    logs = conveyor(repo, "logs", str(run_id), "test")
    assert logs.code == 0, logs.err
    assert "testing version 1.2.1" in logs.out
    second = conveyor(repo, "run")
    assert [r["run_number"] for r in runs(repo)] == [2, 1]
    assert second.code == 0


HANGS_ONCE = """
name: Slow
on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "run-id=${{ github.run_id }}"
          if [ ! -e "{mark}" ]; then echo $$ > "{mark}"; sleep 30; fi
          echo done
"""


def test_kill_9_mid_run_leaves_it_abandoned_and_rerun_works(tmp_path: Path) -> None:
    mark = tmp_path / "started"
    workflow = HANGS_ONCE.replace("{mark}", str(mark))
    repo = make_repo(tmp_path / "repo", {".github/workflows/slow.yml": workflow})
    running = Running(repo, "run")
    try:
        until(mark.exists, 30, "the step to start")
        running.process.send_signal(signal.SIGKILL)
        running.finish()
    finally:
        running.stop()
        _kill_group(mark)
    run_id = run_id_in(running.output)
    run = run_by_id(repo, run_id)
    assert (run["status"], run["conclusion"]) == ("completed", "abandoned")
    assert f"pid {running.process.pid}" in str(run["reason"])
    again = conveyor(repo, "rerun", str(run_id))
    assert again.code == 0, again.out + again.err
    run = run_by_id(repo, run_id)
    assert (run["attempt"], run["conclusion"]) == (2, "success")
    assert "done" in conveyor(repo, "logs", str(run_id), "slow").out


def _kill_group(mark: Path) -> None:
    """The step the killed conveyor left behind (its own process group) is ended here."""
    try:
        pid = int(mark.read_text().strip())
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except (OSError, ValueError):
        pass


FLAKY = """
name: Pipeline
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      token: ${{ steps.make.outputs.token }}
    steps:
      - id: make
        run: |
          echo "run-id=${{ github.run_id }}"
          touch "{markers}/build-$RANDOM-$$"
          echo "token=tok-${{ github.run_id }}" >> "$GITHUB_OUTPUT"
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: touch "{markers}/lint-$RANDOM-$$"
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.build.outputs.token }}" > "{markers}/seen-by-test"
      - run: test -e "{markers}/fixed"
  report:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - run: touch "{markers}/report-$RANDOM-$$"
"""


def test_rerun_failed_reuses_the_outputs_of_the_jobs_that_passed(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    workflow = FLAKY.replace("{markers}", str(markers))
    repo = make_repo(tmp_path / "repo", {".github/workflows/pipeline.yml": workflow})
    first = conveyor(repo, "run")
    assert first.code == 1
    run_id = run_id_in(first.out)
    assert (markers / "seen-by-test").read_text().strip() == f"tok-{run_id}"
    (markers / "fixed").touch()
    (markers / "seen-by-test").unlink()
    again = conveyor(repo, "rerun", str(run_id), "--failed")
    assert again.code == 0, again.out + again.err
    assert (markers / "seen-by-test").read_text().strip() == f"tok-{run_id}"  # from the store
    counts = {name: len(list(markers.glob(f"{name}-*"))) for name in ("build", "lint", "report")}
    assert counts == {"build": 1, "lint": 1, "report": 1}  # report (skipped before) ran now
    run = run_by_id(repo, run_id)
    assert (run["attempt"], run["conclusion"]) == (2, "success")
    only = conveyor(repo, "rerun", str(run_id), "--job", "lint")
    assert only.code == 0, only.out + only.err
    counts = {name: len(list(markers.glob(f"{name}-*"))) for name in ("build", "lint", "report")}
    assert counts == {"build": 1, "lint": 2, "report": 1}
    assert run_by_id(repo, run_id)["attempt"] == 3


VERSIONED = """
name: Versioned
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "run-id=${{ github.run_id }} workflow {version}"
  call:
    needs: build
    uses: ./.github/workflows/called.yml
"""
CALLED = """
on: workflow_call
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - run: echo "called {version}"
"""


def commit_all(repo: Path, message: str) -> str:
    author = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", *author, "commit", "-qam", message], cwd=repo, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True)
    return head.stdout.strip()


def test_rerun_runs_the_workflow_of_the_run_s_commit(tmp_path: Path) -> None:
    """As on GitHub: the workflow (and the reusable one it calls) as committed at the run's
    commit, not as it is now; a commit that is gone is a clear error that changes nothing."""
    templates = {
        ".github/workflows/versioned.yml": VERSIONED,
        ".github/workflows/called.yml": CALLED,
    }

    def version(name: str) -> dict[str, str]:
        return {path: text.replace("{version}", name) for path, text in templates.items()}

    repo = make_repo(tmp_path / "repo", version("one"))
    first = conveyor(repo, "run")
    assert first.code == 0, first.out + first.err
    run_id = run_id_in(first.out)
    for path, text in version("two").items():
        (repo / path).write_text(textwrap.dedent(text), encoding="utf-8")
    commit_all(repo, "version two")
    assert "workflow two" in conveyor(repo, "run").out  # the new version, for a new run
    again = conveyor(repo, "rerun", str(run_id))
    assert again.code == 0, again.out + again.err
    assert "workflow one" in again.out
    assert "called one" in again.out
    assert "two" not in again.out
    assert run_by_id(repo, run_id)["attempt"] == 2
    latest = runs(repo)[0]  # the run of "version two": its commit is about to be dropped
    subprocess.run(["git", "reset", "-q", "--hard", "HEAD~1"], cwd=repo, check=True)
    subprocess.run(["git", "reflog", "expire", "--expire=now", "--all"], cwd=repo, check=True)
    subprocess.run(["git", "gc", "-q", "--prune=now"], cwd=repo, check=True)
    gone = conveyor(repo, "rerun", str(latest["id"]))
    assert gone.code == 2, gone.out + gone.err
    assert str(latest["sha"])[:12] in gone.err
    assert "no longer has" in gone.err
    assert "Traceback" not in gone.err
    assert run_by_id(repo, int(str(latest["id"])))["attempt"] == 1  # nothing was changed


def test_rerun_of_a_workflow_that_was_never_committed_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"README.md": "x"})
    draft = repo / ".github/workflows/draft.yml"
    draft.parent.mkdir(parents=True)
    draft.write_text(textwrap.dedent(RECORDED), encoding="utf-8")
    first = conveyor(repo, "run", "--working-tree")  # by default, runs only committed files
    assert first.code == 0, first.out + first.err
    again = conveyor(repo, "rerun", str(run_id_in(first.out)))
    assert again.code == 2, again.out + again.err
    assert ".github/workflows/draft.yml is not in the run's commit" in again.err
    assert run_by_id(repo, run_id_in(first.out))["attempt"] == 1


def database_bytes(home: Path) -> int:
    return sum(p.stat().st_size for p in home.iterdir() if p.name.startswith("conveyor.db"))


def test_a_large_eventpath_payload_is_stored_once_compressed(tmp_path: Path) -> None:
    """Two workflows fire for one 6 MB payload, and one is re-run: the database grows by a
    fraction of the payload, not by a copy per run."""
    workflow = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
    workflow += '      - run: echo "run-id=${{ github.run_id }}"\n'
    files = {".github/workflows/one.yml": workflow, ".github/workflows/two.yml": workflow}
    repo = make_repo(tmp_path / "repo", files)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True)
    commits = [
        {
            "id": f"{index:040x}",
            "message": f"Change {index}: adjust module {index % 97}",
            "added": [f"src/module_{index}.py"],
            "removed": [],
            "modified": ["README.md"],
        }
        for index in range(40_000)
    ]
    payload = {"ref": "refs/heads/main", "after": head.stdout.strip(), "commits": commits}
    event = tmp_path / "push.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    size = event.stat().st_size
    assert size > 5_000_000
    first = conveyor(repo, "run", "--eventpath", str(event))
    assert first.code == 0, first.out + first.err
    again = conveyor(repo, "rerun", str(run_id_in(first.out)))
    assert again.code == 0, again.out + again.err
    home = Path(os.environ["CONVEYOR_HOME"])
    assert database_bytes(home) < size / 4
    assert len(runs(repo)) == 2


def test_an_eventpath_payload_over_25_mb_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/ci.yml": RECORDED})
    event = tmp_path / "huge.json"
    with event.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024 + 1)  # sparse: nothing is written
    done = conveyor(repo, "run", "--eventpath", str(event))
    assert done.code == 2, done.out + done.err
    assert f"{event}: event payload larger than 25 MB" in done.err
    assert "Traceback" not in done.err


SECRET = """
name: Secrets
on: push
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "the token is ${{ secrets.API_TOKEN }} and the color ${{ vars.COLOR }}"
          test "${{ secrets.API_TOKEN }}" = "$EXPECTED"
"""


def test_stored_secrets_and_variables_reach_the_run_masked_and_flags_win(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/secrets.yml": SECRET})
    stored = conveyor(repo, "secrets", "set", "API_TOKEN", stdin="s3cret-from-store")
    assert stored.code == 0, stored.err
    assert conveyor(repo, "vars", "set", "COLOR", "teal").code == 0
    done = conveyor(repo, "run", "--env", "EXPECTED=s3cret-from-store")
    assert done.code == 0, done.out + done.err
    assert "the token is *** and the color teal" in done.out
    assert "s3cret-from-store" not in done.out + done.err
    flag = conveyor(repo, "run", "--env", "EXPECTED=other", "--secret", "API_TOKEN=other")
    assert flag.code == 0, flag.out + flag.err
    assert "the token is *** and" in flag.out  # a flag's value is masked too
    overridden = conveyor(repo, "run", "--var", "COLOR=plum", "--env", "EXPECTED=x")
    assert overridden.code == 1
    assert "the color plum" in overridden.out
    latest = runs(repo)[0]
    assert latest["conclusion"] == "failure"
    logs = conveyor(repo, "logs", str(latest["id"])).out
    assert "***" in logs
    assert "s3cret-from-store" not in logs


EVERYWHERE = """
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      leaked: ${{ steps.s.outputs.value }}
    steps:
      - id: s
        run: |
          echo "token ${{ secrets.API_TOKEN }} and $FLAG"
          echo "value=${{ secrets.API_TOKEN }}" >> "$GITHUB_OUTPUT"
          echo "summary ${{ secrets.API_TOKEN }} $FLAG" >> "$GITHUB_STEP_SUMMARY"
          echo "::notice title=${{ secrets.API_TOKEN }}::message ${{ secrets.FLAG_TOKEN }}"
          echo "NEXT=$FLAG" >> "$GITHUB_ENV"
        env:
          FLAG: ${{ secrets.FLAG_TOKEN }}
      - run: echo "next $NEXT"
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo "got ${{ needs.a.outputs.leaked }}"
"""


def test_no_file_under_conveyor_home_holds_a_secret(tmp_path: Path) -> None:
    """A stored secret and a --secret-file one, used in output, a step output, a job output, a
    summary, an annotation and $GITHUB_ENV: no byte of either in any file under CONVEYOR_HOME
    (the database and its -wal/-shm, logs, workspaces, keys), in clear or base64."""
    repo = make_repo(tmp_path / "repo", {".github/workflows/everywhere.yml": EVERYWHERE})
    stored = conveyor(repo, "secrets", "set", "API_TOKEN", stdin="stored-s3cret-value")
    assert stored.code == 0, stored.err
    secret_file = tmp_path / "flag.env"
    secret_file.write_text("FLAG_TOKEN=flag-s3cret-value\n", encoding="utf-8")
    done = conveyor(repo, "run", "--secret-file", str(secret_file))
    assert done.code == 0, done.out + done.err
    assert "token *** and ***" in done.out  # the secrets were used, masked
    home = Path(os.environ["CONVEYOR_HOME"])
    for value in (b"stored-s3cret-value", b"flag-s3cret-value"):
        for form in (value, base64.b64encode(value)):
            holding = [p for p in home.rglob("*") if p.is_file() and form in p.read_bytes()]
            assert holding == []


# ---- the same wiring on PostgreSQL ---------------------------------------------------------------

ON_POSTGRES = """
name: Ship
on: push
concurrency: ship-${{ github.ref }}
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      token: ${{ steps.t.outputs.token }}
    steps:
      - id: t
        run: |
          echo "run-id=${{ github.run_id }}"
          touch "{markers}/build-$$"
          echo "token=tok-${{ github.run_id }}" >> "$GITHUB_OUTPUT"
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: |
          echo "deploying ${{ needs.build.outputs.token }} with ${{ secrets.KEY }}"
          test -e "{markers}/fixed"
"""


@pytest.mark.usefixtures("pg_url")  # CONVEYOR_DATABASE_URL: a fresh database on a throwaway server
def test_runs_reruns_and_approvals_on_postgres(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    files = {
        ".github/workflows/ship.yml": ON_POSTGRES.replace("{markers}", str(markers)),
        "conveyor.toml": '[environments.production]\nrequired_reviewers = ["alice"]\n',
    }
    repo = make_repo(tmp_path / "repo", files)
    assert conveyor(repo, "secrets", "set", "KEY", "--env", "production", stdin="pg-key").code == 0
    running = Running(repo, "run")
    try:
        running.wait_for("approve:  conveyor approve")
        run_id = run_id_in(running.output)
        assert conveyor(repo, "approve", str(run_id), "--as", "alice").code == 0
        assert running.finish() == 1, running.output  # `fixed` is missing: deploy fails
    finally:
        running.stop()
    assert f"deploying tok-{run_id} with ***" in running.output
    (markers / "fixed").touch()
    again = Running(repo, "rerun", str(run_id), "--failed")
    try:
        again.wait_for("approve:  conveyor approve")
        assert conveyor(repo, "approve", str(run_id), "--as", "alice").code == 0
        assert again.finish() == 0, again.output
    finally:
        again.stop()
    assert f"deploying tok-{run_id} with ***" in again.output  # build's output, from the store
    assert len(list(markers.glob("build-*"))) == 1
    run = run_by_id(repo, run_id)
    assert (run["attempt"], run["conclusion"]) == (2, "success")
    deployments = json.loads(conveyor(repo, "deployments", "production", "--json").out)
    assert [d["status"] for d in deployments] == ["success", "failure"]
