"""`RunHistory`: `conveyor run` with the run store. Every workflow run is recorded as it goes
(jobs, steps, logs), stored secrets and variables join its contexts, and concurrency groups and
environments are enforced through the engine's guards.

    history = open_history(options)          # starts opening the store on a thread
    prepared = prepare_run(options)
    wired = history.wire(prepared, executor, display.observer)   # a new PreparedRun: store ids
    record = RunSession(wired.executor, wired.observer, ...).execute(wired.prepared.requests, ...)
    history.finish(record)                   # each run's conclusion, fsynced
    history.close()                          # in a `finally`: runs not finished end cancelled

`open_history` gives a `NoHistory` for `--dry-run`: nothing is stored and nothing changes.
A rerun (`conveyor rerun`) is the same wiring with a `RerunTarget`: a new attempt of the stored
run instead of a new run, carrying over the jobs that are not re-run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from conveyor.bootstrap import recorded_runs as recorded
from conveyor.bootstrap.after_result import after_result
from conveyor.bootstrap.approval_notices import AnnouncingGate
from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.bootstrap.settings import Settings, repository_config
from conveyor.engine.carryover import Carried
from conveyor.engine.gated_executor import GatedExecutor, JobControls
from conveyor.engine.job_environment import index_jobs, needs_gates
from conveyor.engine.ports.executor import Executor
from conveyor.engine.ports.observer import RunObserver
from conveyor.engine.ports.store import StoredRun
from conveyor.engine.records import RunRecord, WorkflowRecord
from conveyor.engine.run_guard import RunGuard
from conveyor.engine.session import RunRequest
from conveyor.model.results import Conclusion
from conveyor.store.cancel_watch import CancelWatch
from conveyor.store.environment_config import sync_environments
from conveyor.store.recorder import RunRecorder
from conveyor.store.repository import repository_key

if TYPE_CHECKING:
    from conveyor.bootstrap.local_run import PreparedRun
    from conveyor.store import StoreHandle

POLL_INTERVAL = 0.5  # seconds between looks at the store while waiting (groups, approvals)


@dataclass(frozen=True, slots=True)
class Wired:
    """The run as recorded: the prepared run with the store's run ids, stored secrets and
    variables (a new value), the executor behind its gates, the observer that records."""

    prepared: PreparedRun
    executor: Executor
    observer: RunObserver


class History(Protocol):
    def wire(self, prepared: PreparedRun, executor: Executor, observer: RunObserver) -> Wired: ...
    def finish(self, record: RunRecord) -> RunRecord: ...
    def close(self) -> None: ...


class NoHistory:
    """`--dry-run`: nothing recorded, nothing enforced."""

    def wire(self, prepared: PreparedRun, executor: Executor, observer: RunObserver) -> Wired:
        return Wired(prepared, executor, observer)

    def finish(self, record: RunRecord) -> RunRecord:
        return record

    def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class RerunTarget:
    """`conveyor rerun RUN`: re-run these job ids (None: all) in a new attempt of `run_id`."""

    run_id: int
    rerun: frozenset[str] | None = None
    strict: bool = False  # `--job ID`: the job must be a job of the workflow
    # The run waits queued, claimed by this process (`conveyor serve`): its current attempt
    # runs, no new one is begun.
    queued: bool = False


@dataclass
class _Started:
    stored: StoredRun
    guard: RunGuard | None = None
    watch: CancelWatch | None = None


@dataclass
class _Wiring:
    store: StoreHandle
    key: str
    recorder: RunRecorder
    notify: Callable[[str], None]
    secrets: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)


def open_history(
    options: LocalRunOptions,
    store: StoreHandle | None = None,
    rerun: RerunTarget | None = None,
    *,
    settings: Settings | None = None,
) -> History:
    """The history a run records into: the run store (`store` when it is open already, else
    opened on a thread where `settings` say: their home, unless the options give one, and their
    database), or nothing for --dry-run. `rerun`: a new attempt of a stored run."""
    if options.dry_run:
        return NoHistory()
    if store is not None:
        return RunHistory(options, store=store, rerun=rerun)
    home = options.home or (settings.home if settings else None)
    database = settings.database if settings else None
    return RunHistory(options, recorded.StoreOpening(home, database), rerun=rerun)


class RunHistory:
    def __init__(
        self,
        options: LocalRunOptions,
        opening: recorded.StoreOpening | None = None,
        *,
        store: StoreHandle | None = None,
        rerun: RerunTarget | None = None,
    ) -> None:
        self._options = options
        self._opening = opening
        self._given = store
        self._rerun = rerun
        self._wiring: _Wiring | None = None
        self._open: dict[str, _Started] = {}  # engine run id → what is recorded

    def wire(self, prepared: PreparedRun, executor: Executor, observer: RunObserver) -> Wired:
        wiring = self._connect(prepared, observer)
        if self._rerun is not None:
            from conveyor.bootstrap.rerun_wiring import start_rerun

            prepared = start_rerun(self, prepared, self._rerun)
        else:
            prepared = self._start_new(prepared)
        gated = self._gated(prepared, executor, observer)
        return Wired(prepared, gated, wiring.recorder.observer(observer))

    def _committed_config(self, root: Path) -> tuple[Path, Mapping[str, object]] | None:
        """conveyor.toml as `repository_config` reads it for a run of a commit (a served run's: as
        committed); None for a run of the working tree (`sync_environments` reads the file)."""
        if self._options.revision is None:
            return None
        config = repository_config(root, self._options.revision)
        return config.path, config.data

    def _connect(self, prepared: PreparedRun, observer: RunObserver) -> _Wiring:
        store = self._given or (self._opening.result() if self._opening else None)
        assert store is not None
        root = Path(prepared.settings.repository)
        key = self._options.repository_key or repository_key(root)
        sync_environments(store.environments, key, root, read=self._committed_config(root))
        self._wiring = _Wiring(
            store,
            key,
            RunRecorder(store.runs, store.logs, store.coverage),
            observer.message,
            {} if self._options.withhold_settings else store.secrets.resolve_secrets(key),
            {} if self._options.withhold_settings else store.variables.resolve_variables(key),
        )
        return self._wiring

    @property
    def wiring(self) -> _Wiring:
        assert self._wiring is not None, "wire() first"
        return self._wiring

    def _start_new(self, prepared: PreparedRun) -> PreparedRun:
        """The prepared run with each workflow run recorded as a new stored run."""
        options = recorded.run_options(self._options, prepared.settings.repository)
        not_started = tuple(self._not_started(prepared, r, options) for r in prepared.not_started)
        requests = tuple(self._started(prepared, r, options) for r in prepared.requests)
        return replace(prepared, requests=requests, not_started=not_started)

    def _not_started(
        self, prepared: PreparedRun, record: WorkflowRecord, options: Mapping[str, object]
    ) -> WorkflowRecord:
        wiring = self.wiring
        new = recorded.not_started_run(wiring.key, prepared.event, record, options)
        stored = wiring.recorder.begin(new)
        reason = recorded.startup_reason(record)
        wiring.recorder.finish(stored.id, Conclusion.STARTUP_FAILURE, reason)
        return replace(record, run_id=str(stored.id))

    def _started(
        self, prepared: PreparedRun, request: RunRequest, options: Mapping[str, object]
    ) -> RunRequest:
        new = recorded.new_run(self.wiring.key, prepared.event, request.scope, options)
        return self.adopt(request, self.wiring.recorder.begin(new))

    def adopt(
        self, request: RunRequest, stored: StoredRun, carried: Carried | None = None
    ) -> RunRequest:
        """The request as the stored run `stored` (its ids, stored secrets and variables)."""
        wiring = self.wiring
        scope = recorded.stored_scope(request.scope, stored, wiring.secrets, wiring.variables)
        guard = RunGuard(
            wiring.key,
            stored.id,
            stored.attempt,
            gate=wiring.store.concurrency,
            runs=wiring.store.runs,
            carried=carried,
            notify=wiring.notify,
            poll_interval=POLL_INTERVAL,
        )
        watch = CancelWatch(wiring.store.runs, stored.id, guard.request_cancel, POLL_INTERVAL)
        self._open[scope.run_id] = _Started(stored, guard, watch.__enter__())
        return RunRequest(request.plan, scope, guard)

    def _gated(self, prepared: PreparedRun, executor: Executor, observer: RunObserver) -> Executor:
        jobs = index_jobs([(request.plan, request.scope.env) for request in prepared.requests])
        if not needs_gates(jobs):
            return executor
        wiring = self.wiring
        controls = JobControls(
            repository=wiring.key,
            runs=wiring.store.runs,
            concurrency=wiring.store.concurrency,
            deployments=AnnouncingGate(
                wiring.store,
                wiring.recorder,
                observer.message,
                POLL_INTERVAL,
                withhold_settings=self._options.withhold_settings,
            ),
            environments=wiring.store.environments,
            jobs=jobs,
            pinned_secrets=frozenset(name.upper() for name in self._options.secrets),
            pinned_vars=frozenset(name.upper() for name in self._options.vars),
            notify=observer.message,
            poll_interval=POLL_INTERVAL,
        )
        return GatedExecutor(executor, controls)

    def finish(self, record: RunRecord) -> RunRecord:
        """Store each recorded run's conclusion (fsynced)."""
        for workflow in record.workflows:
            started = self._open.pop(workflow.run_id, None)
            if started is None:
                continue
            self._stop_watch(started)
            reason = None
            if workflow.conclusion is Conclusion.STARTUP_FAILURE:
                reason = recorded.startup_reason(workflow)
            elif workflow.conclusion is Conclusion.CANCELLED:
                reason = _cancel_reason(started, record.interrupted)
            self.wiring.recorder.finish(started.stored.id, workflow.conclusion, reason)
        return record

    def close(self) -> None:
        """Runs still open (the command stopped on an error) end cancelled; the store closes
        (after the result is out, in the daemon's child: every conclusion is fsynced already)."""
        try:
            for started in self._open.values():
                self._stop_watch(started)
                reason = "conveyor stopped before the run finished"
                self.wiring.recorder.finish(started.stored.id, Conclusion.CANCELLED, reason)
            self._open.clear()
        finally:
            if self._opening is not None:  # checkpointing the WAL: not part of the result
                after_result(self._opening.close)

    def _stop_watch(self, started: _Started) -> None:
        if started.watch is not None:
            started.watch.__exit__(None, None, None)
            started.watch = None


def _cancel_reason(started: _Started, interrupted: bool) -> str | None:
    if started.guard is not None and started.guard.reason:
        return started.guard.reason
    return "interrupted (Ctrl-C)" if interrupted else None
