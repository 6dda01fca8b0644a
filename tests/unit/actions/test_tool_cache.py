"""The tool cache: one builder at a time, nothing half-built left, private files, hard links."""

from __future__ import annotations

import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conveyor.actions.tool_cache import ensure_tool, link_tree


def test_parallel_jobs_build_a_tool_once(tmp_path: Path) -> None:
    builds: list[Path] = []
    start = threading.Barrier(4)

    def build(staging: Path) -> None:
        builds.append(staging)
        (staging / "tool").write_text("#!/bin/sh\n")
        (staging / "tool").chmod(0o755)

    def job() -> Path:
        start.wait(timeout=10)
        return ensure_tool(tmp_path / "tools" / "t" / "1.0", build)

    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: job(), range(4)))
    assert len(builds) == 1
    assert set(made) == {tmp_path / "tools" / "t" / "1.0"}
    assert stat.S_IMODE(made[0].stat().st_mode) == 0o700
    assert stat.S_IMODE((made[0] / "tool").stat().st_mode) == 0o700


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    def build(staging: Path) -> None:
        (staging / "half").write_text("x")
        raise RuntimeError("download failed")

    with pytest.raises(RuntimeError):
        ensure_tool(tmp_path / "t" / "1.0", build)
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == ["1.0.lock"]


def test_link_tree_links_files_and_copies_symbolic_links(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "file").write_text("data")
    (source / "link").symlink_to("/etc/hostname")
    link_tree(source, tmp_path / "target" / "copy")
    copied = tmp_path / "target" / "copy"
    assert (copied / "sub" / "file").stat().st_ino == (source / "sub" / "file").stat().st_ino
    assert (copied / "link").is_symlink()
    assert str((copied / "link").readlink()) == "/etc/hostname"
