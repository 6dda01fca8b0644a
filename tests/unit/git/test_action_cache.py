"""The action cache's files under concurrent writers (two runs in one process, e.g. a server's)."""

from __future__ import annotations

import threading
from pathlib import Path

from conveyor.git.action_cache import ActionCache


def test_threads_remembering_a_ref_at_once_never_fail(tmp_path: Path) -> None:
    cache = ActionCache(tmp_path / "actions")
    commits = ["a" * 40, "b" * 40]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def remember(worker: int) -> None:
        barrier.wait(timeout=10)
        for round_ in range(200):
            try:
                cache.remember_ref("acme", "greet", "v1", commits[(worker + round_) % 2])
            except OSError as exc:  # a staging file another thread moved away
                errors.append(exc)
                return

    threads = [threading.Thread(target=remember, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert cache.cached_ref("acme", "greet", "v1") in commits
    leftovers = [p.name for p in (tmp_path / "actions/acme/greet/refs").iterdir()]
    assert leftovers == ["v1"]  # no staging file left behind
