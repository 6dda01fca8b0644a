"""A forked child (the daemon's children are) gets a reaper of its own, not its parent's."""

from __future__ import annotations

import os

from conveyor.services import process


def test_a_forked_child_has_its_own_reaper_and_token() -> None:
    parent = process.shared_reaper()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process
        child = process.shared_reaper()
        same = child is parent or child.marks() == parent.marks()
        os.write(write, b"same" if same else b"own")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 16)
    os.close(read)
    os.waitpid(pid, 0)
    assert answer == b"own"
