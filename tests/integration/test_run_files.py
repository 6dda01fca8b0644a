"""Files `conveyor run` writes, and faults from the file system: private modes, no secret byte
on disk, the step script removed (also after a SIGKILL, by the next run's sweep), a full disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor import private_files
from tests.integration.file_audit import audit
from tests.unit.executors.harness import make_repo

pytestmark = pytest.mark.integration

SECRET = "Tok3n-ABCdef-98765-zyx"


def conveyor(home: Path, *args: str, **popen: object) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVEYOR_")}
    env |= {"CONVEYOR_HOME": str(home), "CONVEYOR_PLAIN": "1"}
    command = [sys.executable, "-c", "from conveyor.cli.main import main; main()", *args]
    options: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.Popen(command, env=env, text=True, **(options | popen))  # type: ignore[call-overload]


def finished(process: subprocess.Popen[str], timeout: float = 120) -> tuple[str, str]:
    try:
        return process.communicate(timeout=timeout)
    finally:
        process.kill()
        process.wait()


STEPS = """
on: push
jobs:
  secretive:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "inline ${{ secrets.TOKEN }}"
          printf '%s' "$FROM_ENV" | base64
          python3 -c 'import json, os; print(json.dumps(os.environ["FROM_ENV"]))'
          echo "out=${{ secrets.TOKEN }}" >> "$GITHUB_OUTPUT"
          echo "summary ${{ secrets.TOKEN }}" >> "$GITHUB_STEP_SUMMARY"
          echo "SAVED=${{ secrets.TOKEN }}" >> "$GITHUB_ENV"
        env:
          FROM_ENV: ${{ secrets.TOKEN }}
      - run: echo "saved $SAVED"
"""


def test_no_secret_byte_on_disk_and_every_file_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    repo = make_repo(tmp_path / "repo", {".github/workflows/ci.yml": STEPS})
    out, err = finished(conveyor(home, "run", str(repo), "--json", "--secret", f"TOKEN={SECRET}"))
    assert json.loads(out)["conclusion"] == "success", err
    assert "inline ***" in err
    assert audit(home, SECRET) == []
    assert list(home.glob("runs/*/jobs/*/_temp/step_script*")) == []


SLEEPER = """
on: push
jobs:
  sleeper:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "started ${{ secrets.TOKEN }}"
          sleep 4324.5
"""


@pytest.fixture
def sleepers() -> Iterator[None]:
    yield
    for pid in _pids_running("sleep 4324.5"):  # a step left by the killed run
        os.kill(pid, signal.SIGKILL)


def _pids_running(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_sigkill_leaves_the_step_script_which_the_next_run_sweeps(
    tmp_path: Path, sleepers: None
) -> None:
    home = tmp_path / "home"
    repo = make_repo(tmp_path / "repo", {".github/workflows/ci.yml": SLEEPER})
    process = conveyor(home, "run", str(repo), "--secret", f"TOKEN={SECRET}")
    assert process.stdout is not None
    for line in process.stdout:
        if line.rstrip().endswith("| started ***"):  # the step's output, not its header
            break
    process.kill()
    process.wait()
    (script,) = home.glob("runs/*/jobs/*/_temp/step_script.sh")
    assert SECRET in script.read_text()  # the secret really was there to be swept
    quiet = repo / "quiet"
    quiet.mkdir()
    (quiet / ".github" / "workflows").mkdir(parents=True)
    (quiet / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs:\n  quiet:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n"
    )
    quiet_run = conveyor(
        home, "run", str(repo), "--working-tree", "-W", str(quiet / ".github/workflows")
    )  # the quiet workflow is not committed
    _, err = finished(quiet_run)
    assert not script.exists(), err
    assert audit(home, SECRET) == []


FILLER = """
on: push
jobs:
  filler:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "before the disk filled up"
          head -c 200M /dev/zero > big || true
          for i in $(seq 1 3000); do echo "line $i after the disk filled up, and some padding"; done
      - run: echo "$((6 * 7))-must-not-run"
"""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs (a real file system that fills up), unmounted afterwards."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


def test_a_full_disk_fails_the_step_keeps_its_log_and_records_the_run_failed(
    tmp_path: Path, small_disk: Path
) -> None:
    home = small_disk / "home"
    repo = make_repo(tmp_path / "repo", {".github/workflows/ci.yml": FILLER})
    out, err = finished(conveyor(home, "run", str(repo), "--json"))
    record = json.loads(out)
    assert record["conclusion"] == "failure", err
    steps = record["jobs"][0]["steps"]
    assert [s["outcome"] for s in steps] == ["failure", "skipped"], err
    assert "No space left on device" in err
    assert "trying to start process" not in err
    assert "42-must-not-run" not in err
    runs, runs_err = finished(conveyor(home, "runs"))
    assert "failure" in runs, runs + runs_err
    assert "abandoned" not in runs
    logs, _ = finished(conveyor(home, "logs", "1"))
    assert "\nbefore the disk filled up\n" in logs  # the line, not only the step title


def test_copied_working_tree_files_are_private_and_steps_keep_the_users_umask(
    tmp_path: Path,
) -> None:
    """Files conveyor copies into the workspace lose group/other bits; a step's own new files get
    the user's umask (here 022), as on GitHub — inside a 0700 job directory."""
    from tests.unit.executors.harness import document, run_job, steps

    repo = make_repo(tmp_path / "repo")
    (repo / "notes.txt").write_text("untracked\n")
    (repo / "notes.txt").chmod(0o644)
    (repo / "tool.sh").write_text("#!/bin/sh\n")
    (repo / "tool.sh").chmod(0o755)
    listing = "stat -c '%a %n' notes.txt tool.sh; touch made-by-step; stat -c '%a %n' made-by-step"
    doc = document(repo, steps({"run": listing}), include_uncommitted=True)
    previous = os.umask(0o077)  # conveyor's own umask, as `conveyor` sets it
    saved = private_files._user_umask
    private_files._user_umask = 0o022
    try:
        result, reporter = run_job(doc, tmp_path / "home")
    finally:
        os.umask(previous)
        private_files._user_umask = saved
    assert reporter.output(0) == ["600 notes.txt", "700 tool.sh", "644 made-by-step"], result
