"""The warm daemon and its thin client, end to end: real processes, real Unix sockets.

Every command here starts the thin client (`conveyor.cli.daemon.client:main`, the `conveyor`
console script) as a new process; `daemon.log` tells whether the daemon served it.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_run_cli import (
    GRACEFUL_STOP,
    HARD_STOP_BOUND,
    INTERRUPTIBLE,
    STUBBORN,
    _processes_with,
    make_repo,
)

pytestmark = pytest.mark.integration

CLIENT = "from conveyor.cli.daemon.client import main; main()"
SRC = Path(__file__).resolve().parents[2] / "src"
NOBODY = 65534

CHECKS = """
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      word: ${{ steps.w.outputs.word }}
    steps:
      - id: w
        run: echo "word=hi" >> "$GITHUB_OUTPUT"
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "got ${{ needs.build.outputs.word }} and ${{ secrets.TOKEN }}"
      - run: exit 3
"""

PROBE = """
on: push
jobs:
  probe:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          echo "umask=$(umask)"
          echo "var=$DAEMON_PROBE"
          ls "$GITHUB_WORKSPACE"
"""


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "CONVEYOR_HOME": str(home), "CONVEYOR_PLAIN": "1", **extra}
    env.pop("CONVEYOR_DAEMON", None)
    env.update(extra)
    return env


def _client(
    home: Path, *args: str, cwd: Path | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLIENT, *args],
        env=_env(home, **extra),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _popen(home: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLIENT, *args],
        env=_env(home, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _served(home: Path) -> int:
    log = home / "daemon.log"
    return log.read_text(encoding="utf-8").count("served ") if log.exists() else 0


def _daemon_pid(home: Path) -> int:
    return int((home / "daemon.pid").read_text(encoding="ascii").split()[0])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(condition: object, bound: float = 20.0) -> bool:
    assert callable(condition)
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def daemon(home: Path) -> Iterator[int]:
    started = _client(home, "daemon", "start")
    assert started.returncode == 0, started.stdout + started.stderr
    pid = _daemon_pid(home)
    yield pid
    _client(home, "daemon", "stop")
    if not _until(lambda: not _alive(pid), 10):
        os.kill(pid, signal.SIGKILL)


def _wait_for(process: subprocess.Popen[str], text: str, lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if text in line:
            return
    raise AssertionError("never saw " + text + "\n" + "".join(lines))


def _record(text: str) -> object:
    """The --json record without its run ids (the second run is run 2)."""
    return json.loads(re.sub(r'"run_id": "\d+"', '"run_id": "N"', text))


def _normal(text: str, home: Path) -> str:
    return re.sub(r"\d", "0", text.replace(str(home), "HOME"))


def test_a_run_through_the_daemon_matches_the_run_in_process(
    tmp_path: Path, home: Path, daemon: int
) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/checks.yml": CHECKS})
    args = ("run", str(repo), "--json", "--secret", "TOKEN=hunter2")
    alone = _client(home, *args, CONVEYOR_DAEMON="off")
    assert _served(home) == 0
    served = _client(home, *args)
    assert _served(home) == 1, (home / "daemon.log").read_text()
    assert served.returncode == alone.returncode == 1
    assert _record(served.stdout) == _record(alone.stdout)
    assert _normal(served.stderr, home) == _normal(alone.stderr, home)
    assert "hunter2" not in served.stderr
    assert "got hi and ***" in served.stderr


def test_cwd_environment_and_umask_reach_the_run(tmp_path: Path, home: Path, daemon: int) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE, "marker.txt": "x"})
    process = subprocess.run(
        [sys.executable, "-c", CLIENT, "run"],
        env=_env(home, DAEMON_PROBE="forwarded"),
        cwd=repo,
        capture_output=True,
        text=True,
        umask=0o027,
        timeout=120,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert _served(home) == 1
    assert "umask=0027" in process.stdout
    assert "var=forwarded" in process.stdout
    assert "marker.txt" in process.stdout


def test_ctrl_c_through_the_daemon_cancels_gracefully(
    tmp_path: Path, home: Path, daemon: int
) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/long.yml": INTERRUPTIBLE})
    process = _popen(home, "run", str(repo))
    lines: list[str] = []
    _wait_for(process, "started", lines)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    text = "".join(lines) + output
    assert process.returncode == 130, text
    assert "cleanup ran" in text
    assert "after ran" in text
    assert "must not run" not in text
    assert _processes_with("4321.5") == []
    assert _served(home) == 1


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_second_ctrl_c_through_the_daemon_stops_hard(
    tmp_path: Path, home: Path, daemon: int, stop: signal.Signals
) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/stubborn.yml": STUBBORN})
    process = _popen(home, "run", str(repo))
    lines: list[str] = []
    _wait_for(process, "started", lines)
    started = time.monotonic()
    process.send_signal(stop)
    _wait_for(process, "Cancelling the run", lines)
    process.send_signal(stop)
    try:
        process.communicate(timeout=HARD_STOP_BOUND)
    finally:
        process.kill()
    assert process.returncode == 130
    assert time.monotonic() - started < HARD_STOP_BOUND
    assert _processes_with("4322.5") == []


def test_killing_the_client_stops_the_runs_steps(tmp_path: Path, home: Path, daemon: int) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/long.yml": INTERRUPTIBLE})
    process = _popen(home, "run", str(repo))
    lines: list[str] = []
    try:
        _wait_for(process, "| started\n", lines)  # the step's output: its process runs
        assert _until(lambda: _processes_with("4321.5") != [], 10)  # `sleep` follows the echo
    finally:
        process.kill()
        process.wait(timeout=10)
    assert _until(lambda: _processes_with("4321.5") == [], GRACEFUL_STOP + 5)
    assert _until(lambda: "ended " in (home / "daemon.log").read_text(), 20)
    assert _alive(daemon)
    # its job directories were deleted all the same (after the exit status nobody read)
    assert not list((home / "runs").glob(".pool-*"))
    assert not list((home / "runs").glob("*/jobs/*.lease"))


def _copy_of_conveyor(root: Path) -> Path:
    shutil.copytree(SRC / "conveyor", root / "conveyor", ignore=shutil.ignore_patterns("*.pyc"))
    return root


def test_version_skew_falls_back_and_stops_the_old_daemon(tmp_path: Path, home: Path) -> None:
    site = _copy_of_conveyor(tmp_path / "site")
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE})
    path = {"PYTHONPATH": str(site)}
    assert _client(home, "daemon", "start", **path).returncode == 0
    old = _daemon_pid(home)
    assert _client(home, "run", str(repo), **path).returncode == 0
    assert _served(home) == 1
    module = site / "conveyor" / "errors.py"
    module.write_text(module.read_text() + "\n# upgraded\n")  # an upgrade, as pip would
    upgraded = _client(home, "run", str(repo), **path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "umask=" in upgraded.stdout  # ran, in process
    assert _served(home) == 1
    assert _until(lambda: not _alive(old))
    assert not (home / "daemon.sock").exists()


def test_a_stale_socket_is_ignored(tmp_path: Path, home: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE})
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(str(home / "daemon.sock"))  # bound, never listening: a daemon that died
    os.chmod(home / "daemon.sock", 0o600)
    started = time.monotonic()
    process = _client(home, "run", str(repo))
    assert process.returncode == 0, process.stderr
    assert "var=" in process.stdout
    assert time.monotonic() - started < 60


def _foreign_listener(path: Path, owner_of_file: int, listener_uid: int, seen: Path) -> int:
    """A process that binds `path` (owned by `owner_of_file`), listens as `listener_uid`, and
    writes to `seen` what a client sends it (b"<end>" alone: it connected and sent nothing).
    Returns once it listens."""
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(ready_write)
        assert os.read(ready_read, 1) == b"r"
        os.close(ready_read)
        return pid
    try:  # pragma: no cover - the child process
        record = os.open(seen, os.O_WRONLY | os.O_CREAT, 0o600)  # opened before setuid
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        os.chown(path, owner_of_file, -1)
        os.setgid(listener_uid)
        os.setuid(listener_uid)
        server.listen()
        os.write(ready_write, b"r")
        connection, _ = server.accept()
        connection.settimeout(5)
        data = connection.recv(100)
        os.write(record, data + b"<end>")
        connection.sendall(b"ok\n")
        time.sleep(2)
    finally:
        os._exit(0)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
@pytest.mark.parametrize("file_owner", [0, NOBODY], ids=["peer-of-another-uid", "file-of-another"])
def test_a_socket_of_another_user_is_never_sent_anything(
    tmp_path: Path, home: Path, file_owner: int
) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE})
    seen = tmp_path / "seen"
    listener = _foreign_listener(home / "daemon.sock", file_owner, NOBODY, seen)
    try:
        process = _client(home, "run", str(repo), DAEMON_PROBE="s3cret-env")
        assert process.returncode == 0, process.stderr
        assert "var=s3cret-env" in process.stdout  # it ran, in process
    finally:
        os.kill(listener, signal.SIGKILL)
        os.waitpid(listener, 0)
    # The peer's uid is known once connected: the client closes, having sent nothing; a socket
    # file of another user's is not even connected to.
    assert seen.read_bytes() == (b"<end>" if file_owner == 0 else b"")


def test_without_a_daemon_the_command_runs_in_process(tmp_path: Path, home: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/checks.yml": CHECKS})
    process = _client(home, "run", str(repo), "--json")
    assert process.returncode == 1
    assert json.loads(process.stdout)["conclusion"] == "failure"
    assert not (home / "daemon.sock").exists()
    assert _client(home, "--version").stdout.startswith("conveyor, version")


def test_daemon_files_are_private_and_status_and_stop_work(home: Path, daemon: int) -> None:
    for name in ("daemon.sock", "daemon.pid", "daemon.log"):
        assert (home / name).stat().st_mode & 0o077 == 0, name
    status = _client(home, "daemon", "status")
    assert status.returncode == 0
    assert f"pid {daemon}" in status.stdout
    stopped = _client(home, "daemon", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert _until(lambda: not _alive(daemon), 10)
    assert not (home / "daemon.sock").exists()
    assert _client(home, "daemon", "status").returncode == 1


def test_an_idle_daemon_exits_by_itself(home: Path) -> None:
    started = _client(home, "daemon", "start", CONVEYOR_DAEMON_IDLE_SECONDS="1")
    assert started.returncode == 0, started.stderr
    pid = _daemon_pid(home)
    assert _until(lambda: not _alive(pid), 15)
    assert not (home / "daemon.sock").exists()


def test_auto_starts_a_daemon_after_a_run_and_off_never_uses_it(tmp_path: Path, home: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE})
    first = _client(home, "run", str(repo), CONVEYOR_DAEMON="auto")
    assert first.returncode == 0, first.stderr
    assert _until(lambda: _client(home, "daemon", "status").returncode == 0, 30)
    pid = _daemon_pid(home)
    try:
        assert _client(home, "run", str(repo), CONVEYOR_DAEMON="off").returncode == 0
        assert _served(home) == 0
        assert _client(home, "run", str(repo), CONVEYOR_DAEMON="auto").returncode == 0
        assert _served(home) == 1
    finally:
        _client(home, "daemon", "stop")
        if not _until(lambda: not _alive(pid), 10):
            os.kill(pid, signal.SIGKILL)


def test_the_run_sees_the_clients_terminal(tmp_path: Path, home: Path, daemon: int) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE})
    outputs = {}
    for mode in ("off", "on"):
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-c", CLIENT, "run", str(repo)],
            env=_env(home, CONVEYOR_DAEMON=mode, CONVEYOR_PLAIN="", TERM="xterm"),
            stdin=follower,
            stdout=follower,
            stderr=follower,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
        os.close(leader)
        outputs[mode] = b"".join(chunks)
    assert _served(home) == 1
    assert b"\x1b[" in outputs["off"]  # the live view, for a terminal
    assert b"\x1b[" in outputs["on"]


def test_a_home_too_long_for_a_socket_address_still_works(tmp_path: Path) -> None:
    home = tmp_path / ("h" * 110)
    home.mkdir(mode=0o700)
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE})
    assert _client(home, "daemon", "start").returncode == 0
    pid = _daemon_pid(home)
    try:
        assert _client(home, "run", str(repo)).returncode == 0
        assert _served(home) == 1
    finally:
        _client(home, "daemon", "stop")
        if not _until(lambda: not _alive(pid), 10):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_the_daemon_serves_no_other_user(home: Path, daemon: int) -> None:
    home.chmod(0o711)  # loosened on purpose: the uid check must hold on its own
    (home / "daemon.sock").chmod(0o666)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process
        try:
            os.chdir(home)  # as root: the directories above stay closed to nobody
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            with socket.socket(socket.AF_UNIX) as connection:
                connection.connect("daemon.sock")
                connection.settimeout(5)
                try:
                    connection.sendall(len(b"status").to_bytes(4, "big") + b"status")
                    data = connection.recv(100)
                except (ConnectionResetError, BrokenPipeError):  # closed, the frame unread
                    data = b""
                os.write(write, b"answer:" + data)
        except Exception as exc:
            os.write(write, repr(exc).encode())
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 200)
    os.waitpid(pid, 0)
    os.close(read)
    assert answer == b"answer:"  # connected, and closed without a word
    assert "refused a connection from another user" in (home / "daemon.log").read_text()


PARENT = """
on: push
jobs:
  parent:
    runs-on: ubuntu-latest
    steps:
      - run: echo "parent=$PPID"
"""


def _spare(home: Path) -> int | None:
    """The pid of the daemon's ready spare child (`daemon status`), or None."""
    found = re.search(r"spare (\d+)", _client(home, "daemon", "status").stdout)
    return int(found.group(1)) if found else None


def _private_share(pid: int) -> float:
    """Private_Dirty / Rss of a process (1.0: none of its memory is shared copy-on-write)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0])
    return fields["Private_Dirty"] / fields["Rss"]


def _reapers_of(pid: int) -> list[int]:
    """The reaper processes `pid` started (conveyor.services.reaper, its children)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        int(child)
        for child in children
        if b"reaper.py" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def _owner_mark(pid: int) -> bytes:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return next((entry for entry in environ if entry.startswith(b"CONVEYOR_RUN_OWNER=")), b"")


def test_a_command_runs_in_a_spare_child_made_ahead(
    tmp_path: Path, home: Path, daemon: int
) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/parent.yml": PARENT})
    assert _until(lambda: _spare(home) is not None)
    spare = _spare(home)
    assert spare is not None
    assert os.getpgid(spare) == spare  # its own session and group already
    # its command's reaper runs already, marked as the spare's (the command's process) own
    assert _until(lambda: len(_reapers_of(spare)) == 1)
    (reaper,) = _reapers_of(spare)
    assert _owner_mark(reaper).startswith(f"CONVEYOR_RUN_OWNER={spare}:".encode())
    if tuple(int(part) for part in os.uname().release.split(".")[:2]) >= (5, 14):
        # MADV_POPULATE_WRITE: its pages are its own already, no copy-on-write to come
        assert _private_share(spare) > 0.5
    process = _client(home, "run", str(repo))
    assert process.returncode == 0, process.stdout + process.stderr
    assert f"parent={spare}" in process.stdout  # the step's parent: the command's process
    assert _until(lambda: _spare(home) not in (None, spare))  # the next one is made
    assert _until(lambda: not _alive(reaper))  # it ended with its command


def _ended_statuses(home: Path) -> list[str]:
    log = (home / "daemon.log").read_text(encoding="utf-8")
    return re.findall(r"ended child \d+ \(wait status (\d+)\)", log)


def test_the_child_cleans_up_after_the_client_has_its_status(
    tmp_path: Path, home: Path, daemon: int
) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE, "marker.txt": "x"})
    for _ in range(3):
        process = _client(home, "run", str(repo))
        assert process.returncode == 0, process.stdout + process.stderr
    # each child ends by itself (its cleanup done), never stopped by its client's going away
    log = home / "daemon.log"
    assert _until(lambda: len(_ended_statuses(home)) >= 3), log.read_text()
    assert _ended_statuses(home) == ["0", "0", "0"], log.read_text()
    runs = home / "runs"
    assert not list(runs.glob(".pool-*")), list(runs.iterdir())
    assert not list(runs.glob("*/jobs/*/temp")), "a job directory was left"


def test_the_daemon_prepares_the_store_of_a_new_home(home: Path) -> None:
    from conveyor.store.lite_database import open_lite
    from conveyor.store.location import DatabaseSettings

    started = _client(home, "daemon", "start")
    assert started.returncode == 0, started.stderr
    pid = _daemon_pid(home)
    try:
        database = open_lite(home, DatabaseSettings())  # the default store, at the code's revision
        assert database is not None
        database.dispose()
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert "sqlalchemy" not in maps.lower()  # migrated in a child, not in the daemon
    finally:
        _client(home, "daemon", "stop")
        _until(lambda: not _alive(pid), 10)


def test_spares_that_keep_dying_are_given_up(tmp_path: Path, home: Path, daemon: int) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/parent.yml": PARENT})
    for _ in range(3):
        assert _until(lambda: _spare(home) is not None)
        spare = _spare(home)
        assert spare is not None
        os.kill(spare, signal.SIGKILL)  # our daemon's child: as if it had crashed
        assert _until(lambda pid=spare: not _alive(pid), 10)
    assert _until(lambda: "no more spares" in (home / "daemon.log").read_text(), 10)
    assert _spare(home) is None
    process = _client(home, "run", str(repo))  # a child forked for it, as without spares
    assert process.returncode == 0, process.stdout + process.stderr
    assert _served(home) == 1


def _on_a_terminal(home: Path, repo: Path, **extra: str) -> int:
    """`conveyor run` with a pseudo-terminal as its stdin, stdout and stderr; its exit code."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", CLIENT, "run", str(repo)],
        env=_env(home, **extra),
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    while True:
        try:
            if not os.read(leader, 65536):
                break
        except OSError:
            break
    os.close(leader)
    return process.wait(timeout=60)


def test_by_default_a_run_on_a_terminal_starts_a_daemon(tmp_path: Path, home: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE})
    variables = dict.fromkeys(("CI", "CONVEYOR_DAEMON_IDLE_SECONDS"), "")
    assert _on_a_terminal(home, repo, **variables) == 0
    assert _until(lambda: _client(home, "daemon", "status").returncode == 0, 30)
    pid = _daemon_pid(home)
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"CONVEYOR_DAEMON_IDLE_SECONDS=900" in environ  # auto's shorter idle time
        assert _on_a_terminal(home, repo, **variables) == 0
        assert _served(home) == 1
    finally:
        _client(home, "daemon", "stop")
        if not _until(lambda: not _alive(pid), 10):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("where", ["no terminal", "CI on a terminal"])
def test_by_default_a_run_in_ci_or_without_a_terminal_starts_nothing(
    tmp_path: Path, home: Path, where: str
) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/probe.yml": PROBE})
    if where == "no terminal":
        assert _client(home, "run", str(repo), CI="").returncode == 0
    else:
        assert _on_a_terminal(home, repo, CI="true") == 0
    # a daemon started in the background is spawned before the client exits and stays; the
    # run's reaper may still be ending for a moment after the client (it sees the closed pipe up
    # to 50 ms late, later on a loaded machine), so wait a bounded time for that one
    assert _until(lambda: _processes_in(home) == [], 5), _processes_in(home)
    assert not (home / "daemon.sock").exists()


def _processes_in(home: Path) -> list[int]:
    """Processes (not zombies) whose CONVEYOR_HOME is `home`."""
    needle = f"CONVEYOR_HOME={home}".encode()
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _alive(int(entry.name)) and needle in _environ(entry)
    ]


def _environ(entry: Path) -> list[bytes]:
    try:
        return (entry / "environ").read_bytes().split(b"\0")
    except OSError:
        return []


MANY_FILES = """
on: push
jobs:
  many:
    runs-on: ubuntu-latest
    steps:
      - run: |
          mkdir "$RUNNER_TEMP/many" && cd "$RUNNER_TEMP/many"
          for d in $(seq 1 40); do mkdir $d && (cd $d && touch $(seq 1 500)); done
          echo made
"""


def test_the_clients_output_ends_with_its_result_not_with_the_cleanup(
    tmp_path: Path, home: Path, daemon: int
) -> None:
    """`conveyor run | tee log` ends when the result is out: the child lets go of the
    client's stdout and stderr before it deletes the job directories (here 20,000 files)."""
    repo = make_repo(tmp_path / "repo", {".github/workflows/many.yml": MANY_FILES})
    process = _popen(home, "run", str(repo))
    output, _ = process.communicate(timeout=120)  # until every holder of the pipe closed it
    assert process.returncode == 0, output
    assert "made" in output
    runs = home / "runs"
    assert list(runs.glob(".pool-*/trash-*")), "the deletion was over before the output ended"
    assert _until(lambda: not list(runs.glob(".pool-*"))), "the cleanup did not finish"
