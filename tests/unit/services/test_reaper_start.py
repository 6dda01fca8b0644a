"""`Reaper.start()`: the reaper process runs before anything is tracked (bootstrap starts it when
the executor is made, a daemon's spare before its command), and one started again after it died
is told everything tracked so far."""

from __future__ import annotations

from pathlib import Path

from conveyor.services.process import Reaper


def test_start_runs_the_reaper_now_and_a_restart_tells_it_everything(tmp_path: Path) -> None:
    reaper = Reaper()
    reaper.start()
    first, fresh = reaper._ensure_started()
    assert not fresh  # started already, before anything was sent
    directory = tmp_path / "service"
    directory.mkdir()
    reaper.track_directory(directory)
    first.kill()
    first.wait(timeout=10)
    reaper.start()  # a new reaper: it must learn the directory without being told again
    second, fresh = reaper._ensure_started()
    assert not fresh
    assert second.pid != first.pid
    assert second.stdin is not None
    second.stdin.close()  # as when conveyor dies: the reaper removes what it was told about
    second.wait(timeout=10)
    assert not directory.exists()
