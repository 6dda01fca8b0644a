"""A local run, told top to bottom: `run_local(options, display) -> RunRecord`.

`conveyor run` and `conveyor rerun` call it (the CLI parses options and shows what it is told);
the server and the workers are to reuse it. The steps:

1. the early start: git builds the event on a thread (and a workspace is made ahead) while the
   rest of conveyor loads (`EarlyStart`);
2. the history: the run store opens on a thread (nothing for `--dry-run`; `store` when the caller
   has it open, as `conveyor rerun` does);
3. the executor, then the preparation: workflow files → fired workflows → plans (`prepare_run`);
4. the wiring: each workflow run recorded (a new run, or a new attempt of `rerun`), the executor
   behind the store's gates (`History.wire`);
5. the session runs the workflow runs; the history stores each conclusion; everything is closed.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from conveyor.bootstrap.after_result import after_result
from conveyor.bootstrap.early_start import EarlyStart, workspace_pool
from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.bootstrap.settings import Settings, load_settings

# The engine, the executor and the store's wiring are imported in `run_local` once the event is
# being built on a thread: their loading and git's work overlap.
if TYPE_CHECKING:
    from conveyor.bootstrap.local_run import PreparedRun
    from conveyor.bootstrap.recording import History, RerunTarget
    from conveyor.engine.ports.executor import Executor
    from conveyor.engine.ports.observer import RunObserver
    from conveyor.engine.ports.remote_actions import RemoteActions
    from conveyor.engine.records import RunRecord
    from conveyor.engine.session import RunSession
    from conveyor.store import StoreHandle


class RunDisplay(Protocol):
    """What shows a run (the CLI's terminal view; a recording in tests)."""

    @property
    def observer(self) -> RunObserver:
        """Told every job, step and log line as the run goes."""
        ...

    def prepared(self, prepared: PreparedRun) -> None:
        """Warnings, workflows that cannot start, and why none runs when none does."""

    def running(self, cancel: Callable[[], None]) -> AbstractContextManager[None]:
        """Around the run: `cancel()` once cancels it gracefully, twice stops it now."""
        ...

    def finished(self, record: RunRecord) -> None:
        """The run's summary (when some workflow ran)."""


def run_local(
    options: LocalRunOptions,
    display: RunDisplay,
    *,
    settings: Settings | None = None,
    rerun: RerunTarget | None = None,
    store: StoreHandle | None = None,
    wrap_executor: Callable[[Executor, PreparedRun], Executor] | None = None,
    executor: Executor | None = None,
) -> RunRecord:
    """Run what `options` asks, recorded in the run store (none with `dry_run`); `rerun`: a new
    attempt of that stored run instead of a new run. `settings`: read once by the caller (else
    here). `wrap_executor`: around the executor, inside the gates (the forge's job tokens).
    `executor`: runs the jobs instead of this host's (`conveyor serve --broker`'s remote
    executor). Returns the record of the run."""
    settings = settings or load_settings()
    home = options.home or settings.home
    pool = workspace_pool(options.dry_run, home)
    history: History | None = None
    try:
        start = EarlyStart(options, pool)
        from conveyor.bootstrap.local_run import build_executor, prepare_run
        from conveyor.bootstrap.recording import open_history
        from conveyor.engine.session import RunSession

        history = open_history(options, store, rerun, settings=settings)
        variables = settings.services_variables
        remote = run_remote_actions(options, home, start.root)
        executor = executor or build_executor(
            options.dry_run,
            home,
            pool,
            start.root,
            variables,
            action_dirs=options.action_dirs,
            skip_actions=options.skip_actions,
            npm_registry=settings.npm_registry,
            isolate_home=options.isolate_home,
            platforms=options.platforms,
            remote=remote,
            native_actions=options.native_actions,
            revision=options.revision,
        )
        prepared = prepare_run(options, start, remote)
        display.prepared(prepared)
        if wrap_executor is not None:
            executor = wrap_executor(executor, prepared)
        wired = history.wire(prepared, executor, display.observer)
        session = RunSession(wired.executor, wired.observer, wired.prepared.settings)
        return _execute(session, wired.prepared, history, display)
    finally:
        if history is not None:
            history.close()
        if pool is not None:
            after_result(pool.close)  # deleting job directories: not part of the result


def run_remote_actions(options: LocalRunOptions, home: Path, root: Path) -> RemoteActions:
    """The run's remote actions: one resolver for all its jobs and reusable workflows (its
    settings checked now, a bad one is a UsageError; made by the first fetch)."""
    from conveyor.bootstrap.actions_wiring import DeferredRemoteActions, actions_settings

    settings = actions_settings(root, offline=options.offline, revision=options.revision)
    return DeferredRemoteActions(home, settings)


def _execute(
    session: RunSession, prepared: PreparedRun, history: History, display: RunDisplay
) -> RunRecord:
    if not prepared.requests:
        return history.finish(session.execute((), prepared.not_started))
    with display.running(session.request_cancel):
        record = history.finish(session.execute(prepared.requests, prepared.not_started))
    display.finished(record)
    return record
