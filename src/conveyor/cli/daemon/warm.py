"""What the daemon does once, before it serves: import the run path and every command's module,
compute what depends only on the code, and make sure its home has the default store at the
code's revision. Every command's child (a fork) inherits the result."""

from __future__ import annotations

import os
from pathlib import Path

import click

from conveyor import actions
from conveyor.bootstrap import (
    early_start,
    local_run,
    native_settings,
    override_settings,
    platform_settings,
    recording,
    run,
)
from conveyor.cli import main as cli_main
from conveyor.cli import run_command
from conveyor.cli.display import run_view
from conveyor.engine import session
from conveyor.executors.local import executor
from conveyor.git import push_events
from conveyor.services import process
from conveyor.store import lite_store
from conveyor.store.location import DatabaseSettings

# The run path, imported once here rather than by every command (the command modules of
# `cli.main.COMMANDS` are imported by `warm_up` too).
WARM = (
    early_start,
    local_run,
    recording,
    run,
    run_command,
    run_view,
    session,
    executor,
    push_events,
    actions,  # the native actions' registry
    native_settings,
    override_settings,
    platform_settings,
    lite_store,  # the default SQLite store's stdlib writer (no SQLAlchemy)
)
WARM_SERVICES = process  # with the reaper's client (a child gets its own: see process.py)


WARM_WORKFLOW = """
on: push
jobs:
  warm:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github.sha }}
"""


def warm_up() -> None:
    """Import every command's module and compute what depends only on the code (GitHub's
    workflow schema, the workflow cache's code fingerprint, the host's name) once, here: each
    command's child inherits them. Starts no thread."""
    from conveyor.bootstrap.workflow_cache import code_fingerprint
    from conveyor.store.owner import host_name
    from conveyor.workflow import load_workflow

    context = click.Context(cli_main.cli)
    for name in cli_main.COMMANDS:
        cli_main.cli.get_command(context, name)
    load_workflow("warm.yml", WARM_WORKFLOW)  # the schema, the parsers' first compiled state
    code_fingerprint()
    host_name()


def prepare_store(home: Path, database: DatabaseSettings) -> str | None:
    """A home without the default SQLite store at the code's revision gets it now, created or
    migrated in a child (SQLAlchemy and Alembic stay out of the daemon and its children): the
    first command does not pay for it. With a database URL in `database` (the daemon's
    CONVEYOR_DATABASE_*), that database is migrated instead. Returns what went wrong, if
    something did (the commands then do it themselves)."""
    from conveyor.store.lite_database import open_lite

    lite = open_lite(home, database)
    if lite is not None:
        lite.dispose()
        return None
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            from conveyor.store.handle import open_store

            open_store(home, database=database, sweep=False).close()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return f"could not prepare the store in {home} (wait status {status})" if status else None
