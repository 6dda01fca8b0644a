"""`conveyor run` opens its store on a thread while the run is prepared; that thread also
starts SQLite's write-ahead log, so the run's first write (its begin, on the main thread) does
not wait for the WAL header's fsync (1-15 ms on a busy disk; issue 11)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conveyor.engine.ports.store import NewRun
from conveyor.store.handle import open_run_store, open_store
from conveyor.store.location import DATABASE_FILE


def _wal(home: Path) -> Path:
    return home / f"{DATABASE_FILE}-wal"


def _existing_store(home: Path) -> None:
    open_store(home).close()  # created and migrated, then closed: the WAL is checkpointed away
    assert not _wal(home).exists() or _wal(home).stat().st_size == 0


def test_opening_the_run_store_starts_the_write_ahead_log(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _existing_store(home)
    store = open_run_store(home)
    try:
        assert store.database.__class__.__name__ == "LiteDatabase"
        assert _wal(home).stat().st_size >= 32  # its header is written (and synced)
        run = store.runs.create_run(NewRun(str(tmp_path), "w", "w.yml", "push"))
        assert store.runs.get_run(run.id) is not None
    finally:
        store.close()


def test_priming_changes_nothing_in_the_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _existing_store(home)
    path = home / DATABASE_FILE

    def dump() -> list[str]:
        with sqlite3.connect(path) as conn:
            return list(conn.iterdump())

    before = dump()
    open_run_store(home).close()
    assert dump() == before
