"""Opening an up-to-date SQLite store imports neither the ORM, nor PostgreSQL's dialect, nor
Alembic: every `conveyor run` opens the store, and those imports cost more than a short run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conveyor.store.handle import open_store

HEAVY = ("sqlalchemy.orm", "sqlalchemy.dialects.postgresql", "alembic")
PROBE = """
import sys
from pathlib import Path
from conveyor.store.handle import open_store
handle = open_store(Path(sys.argv[1]))
handle.runs.sweep_abandoned()
handle.close()
print(" ".join(name for name in sys.argv[2:] if name in sys.modules))
"""


def test_opening_a_current_sqlite_store_skips_the_heavy_imports(tmp_path: Path) -> None:
    open_store(tmp_path).close()  # created and migrated here, in this process
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path), *HEAVY],
        capture_output=True,
        text=True,
        check=True,
        env={"CONVEYOR_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.split() == []


def test_a_new_store_is_still_migrated_with_alembic(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "new"), *HEAVY],
        capture_output=True,
        text=True,
        check=True,
        env={"CONVEYOR_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert "alembic" in result.stdout.split()
