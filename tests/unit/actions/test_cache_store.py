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
    anchors = {"ws": str(workspace)}
    store.save("linux-deps-1", version, [workspace / "deps" / "a", outside], anchors)
    time.sleep(0.01)
    store.save("linux-deps-2", version, [workspace / "deps" / "a"], anchors)
    assert store.find("linux-deps-1", [], version).key == "linux-deps-1"  # type: ignore[union-attr]
    assert store.find("other", ["linux-deps-"], version).key == "linux-deps-2"  # type: ignore[union-attr]
    assert store.find("other", ["nope-"], version) is None
    assert store.find("linux-deps-1", [], cache_version(["elsewhere"])) is None
    (workspace / "deps" / "a").unlink()
    outside.unlink()
    entry = store.find("linux-deps-1", [], version)
    assert entry is not None
    assert restore(entry.archive, anchors) == 2
    assert (workspace / "deps" / "a").read_text() == "A"
    assert outside.read_text() == "O"


def test_member_names(tmp_path: Path) -> None:
    assert member_name(tmp_path / "ws" / "x", {"ws": str(tmp_path / "ws")}) == "ws/x"
    assert member_name(Path("/etc/hosts"), {"ws": str(tmp_path)}) == "abs/etc/hosts"


def test_stores_are_scoped_by_repository(tmp_path: Path) -> None:
    first = CacheStore(tmp_path, "/repo/one")
    second = CacheStore(tmp_path, "/repo/two")
    assert first.directory != second.directory


def test_files_under_a_job_directory_restore_under_the_next_jobs(tmp_path: Path) -> None:
    # RUNNER_TEMP and HOME differ per job here (on GitHub they are the same path every job), so
    # a path saved under the first job's temp or home must come back under the second job's.
    first = {name: tmp_path / "job1" / name for name in ("ws", "tmp", "home")}
    second = {name: tmp_path / "job2" / name for name in ("ws", "tmp", "home")}
    for directory in (*first.values(), *second.values()):
        directory.mkdir(parents=True)
    (first["tmp"] / "pip").write_text("P")
    (first["home"] / ".npmrc").write_text("N")
    store = CacheStore(tmp_path / "conveyor", str(tmp_path / "repo"))
    files = [first["tmp"] / "pip", first["home"] / ".npmrc"]
    store.save("k", "v", files, {name: str(path) for name, path in first.items()})
    entry = store.find("k", [], "v")
    assert entry is not None
    assert restore(entry.archive, {name: str(path) for name, path in second.items()}) == 2
    assert (second["tmp"] / "pip").read_text() == "P"
    assert (second["home"] / ".npmrc").read_text() == "N"


def test_the_innermost_anchor_names_a_member(tmp_path: Path) -> None:
    anchors = {"home": str(tmp_path), "ws": str(tmp_path / "work" / "ws")}
    assert member_name(tmp_path / "work" / "ws" / "a", anchors) == "ws/a"
    assert member_name(tmp_path / "b", anchors) == "home/b"


def test_the_version_of_a_path_under_an_anchor_is_the_same_in_every_job() -> None:
    first = cache_version(["/j1/_temp/pip", "!/j1/_temp/pip/x", "deps"], {"tmp": "/j1/_temp"})
    second = cache_version(["/j2/_temp/pip", "!/j2/_temp/pip/x", "deps"], {"tmp": "/j2/_temp"})
    assert first == second
    assert first != cache_version(["/j1/_temp/pip", "deps"], {"tmp": "/j1/_temp"})
    assert cache_version(["/j1/_temp2"], {"tmp": "/j1/_temp"}) == cache_version(["/j1/_temp2"])
