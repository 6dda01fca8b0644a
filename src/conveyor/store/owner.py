"""Who owns a run: this process's pid, host and a token that survives pid reuse and reboots."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Protocol

from conveyor.engine.ports.store import ProcessOwner


@cache
def host_name() -> str:
    """socket.gethostname()'s answer (the kernel's node name), without importing socket."""
    return os.uname().nodename


def current_owner() -> ProcessOwner:
    pid = os.getpid()
    return ProcessOwner(pid=pid, host=host_name(), token=process_token(pid))


def process_token(pid: int) -> str | None:
    """`<boot id>:<start time in ticks>` on Linux; None for no such (or a zombie) process."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    if len(fields) <= 19 or fields[0] in ("Z", "X"):  # a zombie has finished: not alive
        return None
    return f"{boot}:{fields[19]}"


def is_alive(owner: ProcessOwner) -> bool | None:
    """True/False for a process on this host; None when it runs elsewhere (cannot tell).
    A dead owner counts as alive while a process it started for its runs lives (a step process
    or its reaper, which carry `owner.marker`): its runs are not over before those are gone."""
    if owner.host != host_name():
        return None
    if owner.token is not None:
        return process_token(owner.pid) == owner.token or marked_process_lives(owner)
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def marked_process_lives(owner: ProcessOwner) -> bool:
    """True while a live process (one we may read) has `owner.marker` in its environment."""
    needle = owner.marker.encode()
    for name in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if name.isdigit() and needle in _environment(name):
            return True
    return False


def _environment(pid: str) -> list[bytes]:
    """The entries of a process's environment (none for a zombie, or one we may not read)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return handle.read().split(b"\0")
    except OSError:
        return []


class OwnedRunRow(Protocol):
    """A row of `runs` with its owner columns (SQLAlchemy's and sqlite3's rows both fit)."""

    id: int
    owner_pid: int | None
    owner_host: str | None
    owner_token: str | None


def dead_owners(rows: Iterable[OwnedRunRow]) -> list[tuple[int, ProcessOwner]]:
    """The runs among `rows` whose owning process is known to be gone (one rule for every
    adapter's sweep: a run without an owner, or whose owner may live, is not dead)."""
    owners = [
        (row.id, ProcessOwner(row.owner_pid, row.owner_host or "", row.owner_token))
        for row in rows
        if row.owner_pid is not None
    ]
    return [(run_id, owner) for run_id, owner in owners if is_alive(owner) is False]


def abandonment_reason(owner: ProcessOwner) -> str:
    """Why a run was marked abandoned, as stored and shown."""
    return (
        f"abandoned: the process that ran it (pid {owner.pid} on {owner.host}) "
        "ended without finishing it"
    )
