"""The server's `RunStarter` and `RunControl` (conveyor.engine.ports.server_runs) over
`conveyor run`'s pieces: one path runs a run (DESIGN.md §2).

`start(request)`: the repository's mirror fetches the event's commits; its workflows are read at
the event's commit and matched (`prepare_run`, as `conveyor run` and `conveyor triggers` do);
the runs it fires are recorded queued, with the delivery, in one transaction; the pool runs them
(`run_queued`: `run_local` with the stored run's options, as `conveyor rerun` does).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from conveyor.bootstrap import recorded_runs as recorded
from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.bootstrap.local_run import PreparedRun, prepare_run
from conveyor.bootstrap.mirrors import Mirror
from conveyor.bootstrap.served_events import ServedEvents, ServedStart
from conveyor.engine.ports.server_runs import EventRequest, StartedRuns
from conveyor.engine.ports.store import ACTIVE_STATUSES, NewRun, RunStatus, StoredRequest
from conveyor.engine.records import RunRecord
from conveyor.errors import UsageError
from conveyor.model.results import Conclusion
from conveyor.store.database import Database
from conveyor.store.handle import StoreHandle
from conveyor.store.served_repositories import ServedRepositories
from conveyor.store.server_queue import Delivery, record_delivery, recorded_delivery

if TYPE_CHECKING:
    from conveyor.bootstrap.recording import RerunTarget
    from conveyor.engine.ports.executor import Executor

log = logging.getLogger("conveyor.server")
SERVED = "served"  # in a stored run's options: a run `conveyor serve` queued


@dataclass
class ServerRuns:
    home: Path
    store: StoreHandle
    repositories: ServedRepositories
    wake: Callable[[], None] = lambda: None  # tells the pool a run is queued
    # runs an attempt on the pool: submit(run_id, work)
    submit: Callable[[int, Callable[[], None]], None] = lambda run_id, work: work()
    # `conveyor serve --broker`: the remote executor (jobs go to workers), `parallel` jobs of a
    # run at once; None: this host's executor, one job at a time
    executor: Executor | None = None
    parallel: int = 1
    _mirrors: dict[tuple[str, str], Mirror] = field(default_factory=dict)
    _views: dict[Path, ServedEvents] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def database(self) -> Database:
        assert isinstance(self.store.database, Database)
        return self.store.database

    # -- RunStarter ------------------------------------------------------------------------

    def start(self, request: EventRequest) -> StartedRuns:
        if request.delivery is not None:
            known = recorded_delivery(self.database, request.delivery)
            if known is not None:
                return StartedRuns(known, duplicate=True)
        mirror = self.mirror(request.repository)
        if mirror.fetch(wanted_commits(request)):
            self._events(mirror).refresh()
        prepared = [self._prepare(mirror, request, path) for path in _paths(request)]
        news = [new for one in prepared for new in self._queued(mirror, one)]
        delivery = Delivery(request.delivery, request.repository, request.event_name)
        done = record_delivery(self.database, delivery, news)
        if done.run_ids and not done.duplicate:
            self.wake()
        not_fired = {path: why for one in prepared for path, why in one.not_fired}
        return StartedRuns(done.run_ids, not_fired, done.duplicate)

    def mirror(self, name: str) -> Mirror:
        repository = self.repositories.get(name)
        if repository is None:
            raise UsageError(f"repository {name} is not registered (see `conveyor repos add`)")
        with self._lock:
            key = (repository.name, repository.url)
            mirror = self._mirrors.get(key)
            if mirror is None:
                mirror = self._mirrors[key] = Mirror(self.home, repository.name, repository.url)
            mirror.default_branch = repository.default_branch
        mirror.ensure()
        return mirror

    def _events(self, mirror: Mirror) -> ServedEvents:
        with self._lock:
            events = self._views.get(mirror.view)
            if events is None:
                events = self._views[mirror.view] = ServedEvents(mirror.view)
            return events

    def _prepare(self, mirror: Mirror, request: EventRequest, path: Path | None) -> PreparedRun:
        sha = request.sha or mirror.resolve(request.ref)
        payload = with_repository(request.payload, mirror)
        options = self.options(mirror, request.event_name, sha, payload, path)
        built = self._events(mirror).build(request.event_name, payload)
        return prepare_run(options, ServedStart(mirror.view, built))

    def options(
        self,
        mirror: Mirror,
        event: str,
        sha: str,
        payload: Mapping[str, object],
        workflows: Path | None = None,
    ) -> LocalRunOptions:
        return LocalRunOptions(
            repository=mirror.view,
            event_name=event,
            workflows=workflows,
            revision=sha,
            event_payload=dict(payload),
            home=self.home,
            repository_key=mirror.name,
        )

    def _queued(self, mirror: Mirror, prepared: PreparedRun) -> list[NewRun]:
        options = self.options(mirror, prepared.event.name, "", {})
        stored = recorded.run_options(options, str(mirror.view)) | {SERVED: True}
        event, key = prepared.event, mirror.name
        news = [recorded.new_run(key, event, r.scope, stored) for r in prepared.requests]
        news += [recorded.not_started_run(key, event, r, stored) for r in prepared.not_started]
        return [replace(new, owner=None) for new in news]  # queued: no process owns them yet

    # -- running a queued run --------------------------------------------------------------

    def run_queued(self, run_id: int) -> None:
        """Run the claimed queued run `run_id` through `run_local`, as `conveyor rerun` does."""
        from conveyor.bootstrap.recording import RerunTarget

        try:
            request = self.store.runs.run_request(run_id)
            assert request is not None
            self._run_attempt(request, RerunTarget(run_id, queued=True))
        except Exception as error:
            reason = f"the run could not start: {error}"[: recorded.MAX_REASON]
            self.store.runs.finish_run(run_id, Conclusion.STARTUP_FAILURE, reason=reason)
            raise

    # -- RunControl ------------------------------------------------------------------------

    def cancel(self, run_id: int) -> bool:
        run = self.store.runs.get_run(run_id)
        if run is None or run.status not in ACTIVE_STATUSES:
            return False
        self.store.runs.request_cancel(run_id)
        if run.status is RunStatus.QUEUED:  # no process runs it yet: it ends now
            self.store.runs.finish_run(run_id, Conclusion.CANCELLED, reason="cancelled")
        return True

    def rerun(self, run_id: int, *, failed_only: bool = False, job: str | None = None) -> int:
        """A new attempt of a finished run on the pool, as `conveyor rerun` makes it: all jobs,
        the failed ones, or `job` and those needing it (the others are carried over). A
        UsageError when the run is unknown, still active, or has no such job."""
        from conveyor.bootstrap.recording import RerunTarget
        from conveyor.bootstrap.rerun_plan import plan_rerun

        plan = plan_rerun(self.store, run_id, failed=failed_only, job_id=job)
        target = RerunTarget(run_id, plan.rerun, strict=job is not None)
        self.submit(run_id, lambda: self._run_attempt(plan.request, target))
        return run_id

    def _run_attempt(self, request: StoredRequest, target: RerunTarget) -> None:
        from conveyor.bootstrap.rerun_options import rerun_options
        from conveyor.bootstrap.run import run_local

        options = rerun_options(request, {}, home=self.home, parallel=self.parallel)
        options = replace(options, repository_key=request.run.repository)
        display = QuietDisplay(request.run.id)
        run_local(options, display, rerun=target, store=self.store, executor=self.executor)


def wanted_commits(request: EventRequest) -> tuple[str, ...]:
    """The commits the event needs in the mirror: its own, a push's `before`, a pull request's
    head and base (the changed files are computed from them)."""
    payload = request.payload
    pull = _mapping(payload.get("pull_request"))
    found = [
        request.sha,
        _text(payload.get("before")),
        _text(_mapping(pull.get("head")).get("sha")),
        _text(_mapping(pull.get("base")).get("sha")),
    ]
    return tuple(sha for sha in found if sha and set(sha) != {"0"})


def with_repository(payload: Mapping[str, object], mirror: Mirror) -> Mapping[str, object]:
    """The payload naming the registered repository (a schedule's or dispatch's payload made
    by the server may not: `github.repository` is then the registered name)."""
    if _text(_mapping(payload.get("repository")).get("full_name")):
        return payload
    owner, _, name = mirror.name.partition("/")
    repository = {
        "full_name": mirror.name,
        "name": name,
        "owner": {"login": owner},
        "default_branch": mirror.default_branch,
    }
    return {**payload, "repository": repository}


def _paths(request: EventRequest) -> Sequence[Path | None]:
    return [Path(path) for path in request.workflows] or [None]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


class _Silent:
    """A RunObserver that shows nothing (the store's observer records everything)."""

    def job_started(self, job: object) -> None: ...
    def job_finished(self, job: object, record: object) -> None: ...
    def step_started(self, job: object, index: int, name: str) -> None: ...
    def log_line(self, job: object, index: int | None, line: str) -> None: ...
    def step_finished(self, job: object, result: object) -> None: ...
    def annotation(self, job: object, annotation: object) -> None: ...

    def message(self, text: str) -> None:
        log.info("engine message=%r", text)


class QuietDisplay:
    """The RunDisplay of a server run: nothing on a terminal; a log line when it ends."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.observer = _Silent()

    def prepared(self, prepared: PreparedRun) -> None:
        return None

    def running(self, cancel: Callable[[], None]) -> AbstractContextManager[None]:
        return _nothing()

    def finished(self, record: RunRecord) -> None:
        for workflow in record.workflows:
            log.info("run finished run=%s conclusion=%s", workflow.run_id, workflow.conclusion)


@contextmanager
def _nothing() -> Iterator[None]:
    yield
