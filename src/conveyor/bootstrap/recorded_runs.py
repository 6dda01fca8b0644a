"""What `conveyor run` stores about a run, and how a prepared run's scope becomes a stored one.

A stored run's id is the run's `github.run_id` (so `conveyor logs 12`, `conveyor approve 12`
and `${{ github.run_id }}` agree), its `run_number` and `run_attempt` come from the store too.
Stored secrets and variables join the `secrets` and `vars` contexts under the command's
`--secret` / `--var` flags (the flags win); every stored secret value is masked.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.engine.job_values import concurrency
from conveyor.engine.ports.store import NewRun, StoredRun
from conveyor.engine.records import WorkflowRecord
from conveyor.engine.scope import RunScope
from conveyor.errors import ConveyorError
from conveyor.model.events import Event
from conveyor.store.location import DatabaseSettings
from conveyor.store.owner import current_owner

if TYPE_CHECKING:
    from conveyor.store import StoreHandle

MAX_REASON = 500


def run_options(options: LocalRunOptions, repository: str) -> dict[str, object]:
    """What a rerun needs to repeat the run (never secrets)."""
    return {
        "repository": repository,
        "job": options.job,
        "inputs": dict(options.inputs),
        "vars": dict(options.vars),
        "env": dict(options.env),
        "matrix": {key: list(values) for key, values in options.matrix.items()},
        "platforms": list(options.platforms),
        "isolate_home": options.isolate_home,
    }


def new_run(
    key: str,
    event: Event,
    scope: RunScope,
    options: Mapping[str, object],
    *,
    queued: bool = False,
) -> NewRun:
    """The run to store; this process owns it, unless `queued` (a server's queue: no process
    owns it until one claims it)."""
    return NewRun(
        repository=key,
        workflow=scope.workflow.display_name,
        workflow_path=scope.workflow.path,
        event=event.name,
        ref=event.ref,
        sha=event.sha or None,
        actor=event.actor or None,
        event_payload=dict(event.payload),
        inputs=dict(scope.inputs),
        options=dict(options),
        owner=None if queued else current_owner(),
        concurrency_group=_group(scope),
    )


def _group(scope: RunScope) -> str | None:
    try:
        value = concurrency(scope.workflow.concurrency, scope.contexts())
    except ConveyorError:
        return None  # the run cannot start: the session says why
    return value.group if value else None


def not_started_run(
    key: str,
    event: Event,
    record: WorkflowRecord,
    options: Mapping[str, object],
    *,
    queued: bool = False,
) -> NewRun:
    """A run that could not start (an invalid workflow), as `new_run` stores it."""
    return NewRun(
        repository=key,
        workflow=record.workflow_name,
        workflow_path=record.workflow_path,
        event=event.name,
        ref=event.ref,
        sha=event.sha or None,
        actor=event.actor or None,
        event_payload=dict(event.payload),
        options=dict(options),
        owner=None if queued else current_owner(),
    )


def startup_reason(record: WorkflowRecord) -> str | None:
    if not record.errors:
        return None
    text = record.errors[0] + (f" (and {len(record.errors) - 1} more)" if record.errors[1:] else "")
    return text[:MAX_REASON]


def under(stored: Mapping[str, str], given: Mapping[str, str]) -> dict[str, str]:
    """`stored` with `given` over it; names compare case-insensitively."""
    overridden = {name.upper() for name in given}
    kept = {name: value for name, value in stored.items() if name.upper() not in overridden}
    return {**kept, **given}


def stored_scope(
    scope: RunScope, stored: StoredRun, secrets: Mapping[str, str], variables: Mapping[str, str]
) -> RunScope:
    """The scope of a recorded run: the store's ids, stored secrets and variables."""
    github = {
        **scope.github,
        "run_id": str(stored.id),
        "run_number": str(stored.run_number),
        "run_attempt": str(stored.attempt),
    }
    masks = dict.fromkeys([*scope.masks, *(value for value in secrets.values() if value)])
    return replace(
        scope,
        run_id=str(stored.id),
        github=github,
        secrets=under(secrets, scope.secrets),
        vars=under(variables, scope.vars),
        masks=tuple(masks),
    )


class StoreOpening:
    """Opens the store on a thread (checking the schema, sweeping abandoned runs) while the main
    thread prepares the run: stdlib sqlite3 when the store is at HEAD, else SQLAlchemy."""

    def __init__(self, home: Path | None, database: DatabaseSettings | None = None) -> None:
        self._home = home
        self._database = database  # Settings.database (None: the store's default)
        self._store: StoreHandle | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._open, name="store", daemon=True)
        self._thread.start()

    def _open(self) -> None:
        try:
            from conveyor.store.handle import open_run_store  # off the main thread

            self._store = open_run_store(self._home, database=self._database)
        except BaseException as exc:  # handed to the main thread by result()
            self._error = exc

    def result(self) -> StoreHandle:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._store is not None
        return self._store

    def close(self) -> None:
        self._thread.join()
        if self._store is not None:
            self._store.close()
