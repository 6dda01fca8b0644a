"""`conveyor run` against an up-to-date SQLite store records the run without importing
SQLAlchemy, Alembic or psycopg — nor cryptography while no secret is stored: those imports cost
more than a short run (issue 11)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from conveyor.store.handle import open_store

HEAVY = ("sqlalchemy", "alembic", "psycopg", "cryptography")  # no secret is stored here
# What the store used for one call each (a digest, the host name, a conveyor.toml that is
# usually absent): ~15 ms of imports at every run, on the thread that opens the store.
STDLIB = ("hashlib", "socket", "tomllib")
# Runs the CLI in this interpreter, then prints which of the heavy packages it imported.
PROBE = """
import sys
from conveyor.cli import main
heavy = sys.argv[1].split(",")
try:
    main.main(sys.argv[2:])
except SystemExit as stop:
    code = stop.code
else:
    code = 0
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(heavy))
print("LOADED:" + ",".join(loaded) + ":EXIT:" + str(code))
"""
WORKFLOW = """name: hello
on: push
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "::warning::look"
      - run: echo hello
"""


def _repository(root: Path) -> Path:
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "hello.yml").write_text(WORKFLOW, encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=root, check=True)
    return root


def _run(home: Path, repository: Path) -> str:
    env = {
        "CONVEYOR_HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "HOME": str(home),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY + STDLIB), "run"],
        cwd=repository,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    line = result.stdout.strip().splitlines()[-1]
    assert line.endswith(":EXIT:0"), result.stdout + result.stderr
    return line.removeprefix("LOADED:").split(":EXIT:")[0]


def test_a_run_against_a_current_store_imports_no_sqlalchemy_nor_hashlib(tmp_path: Path) -> None:
    home = tmp_path / "home"
    open_store(home).close()  # created and migrated here
    assert _run(home, _repository(tmp_path / "repo")) == ""
    with sqlite3.connect(home / "conveyor.db") as conn:
        runs = conn.execute("SELECT status, conclusion FROM runs").fetchall()
        steps = conn.execute("SELECT count(*) FROM steps WHERE status = 'completed'").fetchone()
        notes = conn.execute("SELECT level, message FROM annotations").fetchall()
    assert runs == [("completed", "success")]
    assert steps == (2,)
    assert notes == [("warning", "look")]


def test_a_run_against_a_new_store_migrates_it_with_sqlalchemy(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert "alembic" in _run(home, _repository(tmp_path / "repo")).split(",")
