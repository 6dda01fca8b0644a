"""Cleanup a command may do after its result is out: deleting the job directories of a run
(the workspace pool's `close`).

In a process of its own a command does it at once (`after_result(work)` runs `work`), before it
exits, as always. The daemon's child (conveyor.cli.daemon.child) calls `defer()` first: the
work is then kept until it has told the client the exit status, and `finish()` does it, so that
the user does not wait for deletions that change nothing of the result. Should the child be
killed meanwhile, the next run sweeps what is left (executors.local.job_leases).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

_kept: list[Callable[[], None]] | None = None


def defer() -> None:
    """From now on keep the work given to `after_result` for `finish()`."""
    global _kept
    _kept = []


def after_result(work: Callable[[], None]) -> None:
    """Do `work` now, or keep it for `finish()` after `defer()`."""
    if _kept is None:
        work()
    else:
        _kept.append(work)


def finish() -> None:
    """Do the kept work in order; a piece that fails is reported on stderr, the rest done."""
    global _kept
    kept, _kept = _kept or [], []
    for work in kept:
        try:
            work()
        except Exception as exc:  # the result is out already: say what was left undone
            print(f"conveyor: cleanup after the run failed: {exc}", file=sys.stderr)


def reset() -> None:
    """Back to doing the work at once (tests)."""
    global _kept
    _kept = None
