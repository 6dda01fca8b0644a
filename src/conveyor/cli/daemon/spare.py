"""The spare child: forked by the daemon while it is idle, ready to become the next command.

A forked child shares the daemon's memory copy-on-write, and Python's reference counts write to
nearly every object a command touches: a `conveyor run` then takes ~2,500 page faults, each a
page copied (10–25 ms on a virtual machine, more than the fork itself). The spare makes the
daemon's memory its own as soon as it is forked (`madvise(MADV_POPULATE_WRITE)` over its private
writable mappings, Linux 5.14+; elsewhere it is only forked ahead), leaves the daemon's session,
descriptors and signal handlers, starts its command's reaper (bootstrap's `supervision`: the
first job no longer waits for that Python process to start), tells the daemon it is ready and
waits. The daemon hands it the next command over their socket pair — the client's connection,
stdin, stdout, stderr and working directory, and the `run` frame — and it becomes that command
(`child.become`). When no spare is ready the daemon forks a child for the command as before.
The cost: the spare's copy of the daemon's memory (about 20 MiB) and its reaper (about 12 MiB)
while it waits.
"""

from __future__ import annotations

import ctypes
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from conveyor.bootstrap.local_run import supervision
from conveyor.cli.daemon import child, frames, wire

MADV_POPULATE_WRITE = 23  # <linux/mman.h>, Linux 5.14
READY = b"r"
HANDED = wire.DESCRIPTORS + 1  # the client's connection, then its four descriptors


@dataclass
class Spare:
    """A spare child as the daemon sees it: its pid and the daemon's end of their socket."""

    pid: int
    channel: socket.socket
    ready: bool = False

    def close(self) -> None:
        """Let it go: it exits when it reads the end of the channel."""
        self.channel.close()


def fork_spare(release_daemon: Callable[[], None]) -> Spare | None:
    """Fork a spare child (None when the system cannot fork now)."""
    daemon_end, spare_end = socket.socketpair()
    try:
        pid = os.fork()
    except OSError:
        daemon_end.close()
        spare_end.close()
        return None
    if pid == 0:
        daemon_end.close()
        _wait_for_a_command(spare_end, release_daemon)
    spare_end.close()
    return Spare(pid, daemon_end)


def hand_over(
    spare: Spare, connection: socket.socket, descriptors: list[int], body: frames.RunBody
) -> bool:
    """Give the command to the ready spare; False when it cannot take it (it died)."""
    try:
        frames.send_run(spare.channel, body, [connection.fileno(), *descriptors])
    except OSError:  # it read none or part of it (then it exits without running anything)
        return False
    return True


def _wait_for_a_command(channel: socket.socket, release_daemon: Callable[[], None]) -> NoReturn:
    try:
        child.leave_daemon(release_daemon)
        populate()
        supervision(start=True)  # the command's reaper, started ahead (ends with this process)
        channel.sendall(READY)
        body, descriptors = frames.read_run(channel, HANDED)
        channel.close()
    except BaseException:  # the daemon went away (or stopped): nothing to run
        os._exit(0)
    connection = socket.socket(fileno=descriptors[0])
    child.become(connection, _nothing, descriptors[1:], body)


def _nothing() -> None:
    """The daemon's descriptors were released when the spare started."""


def populate() -> int:
    """Copy every page of this process's private writable mappings now (the copy-on-write a
    command would otherwise do page by page); the bytes populated, 0 where the kernel cannot."""
    try:
        madvise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return 0
    madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    populated = 0
    for start, end in _private_writable():
        if madvise(start, end - start, MADV_POPULATE_WRITE) == 0:
            populated += end - start
    return populated


def _private_writable() -> list[tuple[int, int]]:
    """The address ranges of /proc/self/maps that are private and writable (the heap too, not
    the stack nor the kernel's [vvar]/[vdso] pages)."""
    ranges = []
    with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
        for line in maps:
            fields = line.split()
            name = fields[5] if len(fields) > 5 else ""
            own = name == "[heap]" or not name.startswith("[")
            if fields[1].startswith("rw") and fields[1][3] == "p" and own:
                low, _, high = fields[0].partition("-")
                ranges.append((int(low, 16), int(high, 16)))
    return ranges
