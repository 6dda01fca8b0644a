"""Long-lived processes of the platform: started detached, tracked by pid files, stopped by group.

A platform process must outlive the CI job that started it (it is the "cloud"), so it starts in
a session of its own, reads /dev/null, logs to $DEPLOY_ROOT/<env>/logs/<name>.log and gets a
small environment of its own: none of the job's variables (CONVEYOR_*, RUNNER_TRACKING_ID,
secrets) — conveyor's reaper ends every process carrying the job's CONVEYOR_JOB_TOKEN. Each one
carries DEPLOY_PLATFORM_ROOT=<root> instead, so `down --all` can find every one left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .environments import ENVIRONMENTS, Environment, read_json, write_json
from .errors import PlatformError

MARKER = "DEPLOY_PLATFORM_ROOT"
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Tracked:
    name: str
    pid: int
    started: str  # field 22 of /proc/<pid>/stat: tells a reused pid apart
    port: int | None
    tag: str | None

    def alive(self) -> bool:
        return _start_time(self.pid) == self.started


def clean_environment(root: Path | None, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """PATH, locale, HOME, the platform's marker (long-lived processes) and `extra`: no more."""
    env = {"PATH": BASE_PATH, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}
    env["HOME"] = os.environ.get("HOME", "/tmp")
    if root is not None:
        env[MARKER] = str(root)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_detached(
    env: Environment,
    name: str,
    argv: Sequence[str],
    environment: Mapping[str, str],
    *,
    cwd: Path | None = None,
    port: int | None = None,
    tag: str | None = None,
    user: tuple[int, int] | None = None,
) -> Tracked:
    log = env.sub("logs") / f"{name}.log"
    with open(log, "ab") as out:
        out.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} start\n".encode())
        out.flush()
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=dict(environment),
            start_new_session=True,
            user=user[0] if user else None,
            group=user[1] if user else None,
            extra_groups=[] if user else None,
        )
    tracked = Tracked(name, process.pid, _start_time(process.pid) or "", port, tag)
    write_json(pid_file(env, name), tracked.__dict__)
    return tracked


def pid_file(env: Environment, name: str) -> Path:
    return env.directory / "run" / f"{name}.json"


def tracked(env: Environment, name: str) -> Tracked | None:
    data = read_json(pid_file(env, name))
    return Tracked(**data) if data else None


def running(env: Environment, name: str) -> Tracked | None:
    found = tracked(env, name)
    return found if found is not None and found.alive() else None


def stop(env: Environment, name: str, sig: int = signal.SIGTERM, leader_only: bool = False) -> bool:
    """Stop `name` (its process group, or its leader only); True when something was running."""
    found = tracked(env, name)
    was_running = found is not None and found.alive()
    if found is not None and was_running:
        stop_group(found.pid, found.started, sig, leader_only)
    pid_file(env, name).unlink(missing_ok=True)
    return was_running


def stop_group(pid: int, started: str, sig: int, leader_only: bool, timeout: float = 20) -> None:
    """Signal, wait for the leader to go, then SIGKILL the whole group (stragglers included)."""
    if leader_only:
        _signal(pid, sig)
    else:
        _signal_group(pid, sig)
    wait_for(lambda: _start_time(pid) != started, timeout)
    _signal_group(pid, signal.SIGKILL)  # a pgid is not reused while its group has members
    wait_for(lambda: _start_time(pid) != started, 5)


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def wait_for(condition: Callable[[], bool], timeout: float, pause: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)


def wait_ready(
    what: str, process: Tracked, ready: Callable[[], bool], timeout: float, log: Path
) -> None:
    """Poll `ready` until it holds; fail with the log's tail when the process dies or time ends."""
    outcome = wait_for(lambda: ready() or not process.alive(), timeout, 0.2)
    if outcome and process.alive():
        return
    reason = "exited" if not process.alive() else f"was not ready after {timeout:.0f}s"
    raise PlatformError(f"{what} {reason} (log {log}): {log_tail(log)}")


def log_tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return " | ".join(line.strip() for line in text[-lines:]) or "empty log"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks, or None when it is gone (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def marked_processes(root: Path) -> list[int]:
    """Every live process of this platform (never this one or its ancestors): carrying its
    marker, or working in one of its PostgreSQL or Redis directories or images (PostgreSQL and
    Redis overwrite their environment with their process titles; they work in their directory).
    """
    homes = [root / "images"]
    homes += [root / env / service for env in ENVIRONMENTS for service in ("postgres", "redis")]
    mine = _ancestors()
    found = []
    for entry in Path("/proc").iterdir():
        pid = int(entry.name) if entry.name.isdigit() else 0
        if pid and pid not in mine and _belongs(entry, root, homes) and _start_time(pid):
            found.append(pid)
    return found


def _belongs(entry: Path, root: Path, homes: list[Path]) -> bool:
    try:
        environ = (entry / "environ").read_bytes().split(b"\0")
        cwd = Path(os.readlink(entry / "cwd"))
    except OSError:
        return False
    marked = f"{MARKER}={root}".encode() in environ
    return marked or any(cwd.is_relative_to(home) for home in homes)


def _ancestors() -> set[int]:
    pids, pid = {os.getpid()}, os.getppid()
    while pid > 1 and pid not in pids:
        pids.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat[stat.rindex(")") + 2 :].split()[1])
    return pids


def sweep(root: Path) -> int:
    """Kill whatever carries the marker still (a leftover of a crash); how many were found."""
    left = marked_processes(root)
    for pid in left:
        _signal(pid, signal.SIGKILL)
    wait_for(lambda: not marked_processes(root), 5)
    return len(left)
