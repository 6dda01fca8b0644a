from __future__ import annotations

import time
from pathlib import Path

from conveyor.actions.cache_store import CacheStore, cache_version, member_name, restore


def test_save_find_and_restore(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / "deps").mkdir(parents=True)
    (workspace / "deps" / "a").write_text("A")
    outside = tmp_path / "outside.txt"
    outside.write_text("O")
    store = CacheStore(tmp_path / "home", str(tmp_path / "repo"))
    version = cache_version(["deps", str(outside)])
    store.save("linux-deps-1", version, [workspace / "deps" / "a", outside], str(workspace))
    time.sleep(0.01)
    store.save("linux-deps-2", version, [workspace / "deps" / "a"], str(workspace))
    assert store.find("linux-deps-1", [], version).key == "linux-deps-1"  # type: ignore[union-attr]
    assert store.find("other", ["linux-deps-"], version).key == "linux-deps-2"  # type: ignore[union-attr]
    assert store.find("other", ["nope-"], version) is None
    assert store.find("linux-deps-1", [], cache_version(["elsewhere"])) is None
    (workspace / "deps" / "a").unlink()
    outside.unlink()
    entry = store.find("linux-deps-1", [], version)
    assert entry is not None
    assert restore(entry.archive, str(workspace)) == 2
    assert (workspace / "deps" / "a").read_text() == "A"
    assert outside.read_text() == "O"


def test_member_names(tmp_path: Path) -> None:
    assert member_name(tmp_path / "ws" / "x", str(tmp_path / "ws")) == "ws/x"
    assert member_name(Path("/etc/hosts"), str(tmp_path)) == "abs/etc/hosts"


def test_stores_are_scoped_by_repository(tmp_path: Path) -> None:
    first = CacheStore(tmp_path, "/repo/one")
    second = CacheStore(tmp_path, "/repo/two")
    assert first.directory != second.directory
