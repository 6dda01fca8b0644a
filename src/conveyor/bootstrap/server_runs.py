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
from typing import TYPE_CHECKING, Protocol

from conveyor.bootstrap import recorded_runs as recorded
from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.bootstrap.local_run import PreparedRun, prepare_run
from conveyor.bootstrap.mirrors import Mirror
from conveyor.bootstrap.served_events import ServedEvents, ServedStart
from conveyor.engine.ports.observer import RunObserver
from conveyor.engine.ports.server_runs import EventRequest, StartedRuns
from conveyor.engine.ports.store import (
    ACTIVE_STATUSES,
    NewRun,
    RunStatus,
    StoredRequest,
    StoredRun,
)
from conveyor.engine.records import RunRecord
from conveyor.errors import UsageError
from conveyor.model.results import Conclusion
from conveyor.store.database import Database
from conveyor.store.handle import StoreHandle
from conveyor.store.served_repositories import ServedRepositories, ServedRepository
from conveyor.store.server_queue import Delivery, intake_reads, record_delivery

if TYPE_CHECKING:
    from conveyor.bootstrap.forge_tokens import ForgeJobs
    from conveyor.bootstrap.job_tokens import ExecutorWrap
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
    # observes a run's attempt for the forge (check runs); None: the run is not reported
    forge_observer: Callable[[StoredRun, int], RunEndObserver | None] = lambda run, attempt: None
    # the forge's job tokens and fork rules for a run; None: the jobs run without them
    forge_jobs: Callable[[StoredRequest], ForgeJobs | None] = lambda request: None
    # git's environment to fetch a repository from its forge (the token as an extraHeader)
    forge_git_env: Callable[[str], Mapping[str, str]] = lambda name: {}
    # http://HOST:PORT of the server: the local forge's URL (its hosted repositories' jobs get
    # job tokens and these URLs); None: not known, no job tokens
    forge_url: str | None = None
    # `conveyor serve --native-actions`: every run applies the built-in map of marketplace
    # actions to native ones (the conveyor.toml of the event's commit over it)
    native_actions: bool = False
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
        known, repository = intake_reads(self.database, request.delivery, request.repository)
        if known is not None:
            return StartedRuns(known, duplicate=True)
        mirror = self.mirror(request.repository, repository)
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

    def mirror(self, name: str, repository: ServedRepository | None = None) -> Mirror:
        """The mirror of `name` (`repository`: its registration, read already)."""
        repository = repository or self.repositories.get(name)
        if repository is None:
            raise UsageError(f"repository {name} is not registered (see `conveyor repos add`)")
        with self._lock:
            key = (repository.name, repository.url)
            mirror = self._mirrors.get(key)
            if mirror is None:
                mirror = self._mirrors[key] = Mirror(self.home, repository.name, repository.url)
            mirror.default_branch = repository.default_branch
            mirror.git_env = lambda: self.forge_git_env(repository.name)
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
        # queued: no process owns them until one claims them
        news = [
            recorded.new_run(key, event, r.scope, stored, queued=True) for r in prepared.requests
        ]
        return news + [
            recorded.not_started_run(key, event, r, stored, queued=True)
            for r in prepared.not_started
        ]

    # -- running a queued run --------------------------------------------------------------

    def run_queued(self, run_id: int) -> None:
        """Run the claimed queued run `run_id` through `run_local`, as `conveyor rerun` does."""
        from conveyor.bootstrap.recording import RerunTarget

        try:
            request = self.store.runs.run_request(run_id)
            assert request is not None
            self._run_attempt(request, RerunTarget(run_id, queued=True))
        except UsageError as error:  # bad input (a bad conveyor.toml): the run says so, no trace
            log.warning("run could-not-start run=%d error=%s", run_id, error)
            self._could_not_start(run_id, error)
        except Exception as error:
            self._could_not_start(run_id, error)
            raise

    def _could_not_start(self, run_id: int, error: Exception) -> None:
        reason = f"the run could not start: {error}"[: recorded.MAX_REASON]
        self.store.runs.finish_run(run_id, Conclusion.STARTUP_FAILURE, reason=reason)

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
        """A new attempt of a finished run, as `conveyor rerun` makes it: all jobs, the failed
        ones, or `job` and those needing it (the others are kept). The attempt is queued in the
        database before this returns (the pool runs it, after a restart too). A UsageError
        when the run is unknown, still active, or has no such job."""
        from conveyor.bootstrap.queued_reruns import queue_rerun
        from conveyor.bootstrap.rerun_plan import plan_rerun

        plan = plan_rerun(self.store, run_id, failed=failed_only, job_id=job)
        options = self._attempt_options(plan.request)
        queued = queue_rerun(self.store, plan, options, strict=job is not None)
        log.info("run rerun-queued run=%d attempt=%d", run_id, queued.attempt)
        self.wake()
        return run_id

    def _run_attempt(self, request: StoredRequest, target: RerunTarget) -> None:
        from conveyor.bootstrap.run import run_local

        options = self._attempt_options(request)
        attempt = request.run.attempt if target.queued else request.run.attempt + 1
        display = QuietDisplay(request.run.id, self._forge_observer(reported_run(request), attempt))
        jobs = self.forge_jobs(request)
        if jobs is not None and jobs.fork:
            options = replace(options, withhold_settings=True)
        wrap = jobs.wrap if jobs is not None else self._local_forge_wrap(request)
        run_local(
            options,
            display,
            rerun=target,
            store=self.store,
            wrap_executor=wrap,
            executor=self.executor,
        )

    def _local_forge_wrap(self, request: StoredRequest) -> ExecutorWrap | None:
        """Job tokens of the local forge, for a repository the server hosts."""
        from conveyor.bootstrap.job_tokens import job_token_wrap

        name = request.run.repository
        return job_token_wrap(self.home, self.database, self.repositories, name, self.forge_url)

    def _forge_observer(self, run: StoredRun, attempt: int) -> RunEndObserver | None:
        try:
            return self.forge_observer(run, attempt)
        except Exception:  # the run goes on without its reports
            log.exception("forge reporting not wired run=%d", run.id)
            return None

    def _attempt_options(self, request: StoredRequest) -> LocalRunOptions:
        from conveyor.bootstrap.rerun_options import rerun_options

        options = rerun_options(request, {}, home=self.home, parallel=self.parallel)
        fork = from_fork(request.run.event, request.event_payload)
        return replace(
            options,
            repository_key=request.run.repository,
            withhold_settings=fork,
            native_actions=self.native_actions,
        )


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


def reported_run(request: StoredRequest) -> StoredRun:
    """The run as its forge is told of it: a pull request's checks go on the pull request's
    head commit (as GitHub shows them), not on the test merge commit the run checks out."""
    if not request.run.event.startswith("pull_request"):
        return request.run
    pull = _mapping(request.event_payload.get("pull_request"))
    head = _text(_mapping(pull.get("head")).get("sha"))
    return replace(request.run, sha=head) if head else request.run


FORK_EVENTS = ("pull_request", "pull_request_review", "pull_request_review_comment")


def from_fork(event_name: str, payload: Mapping[str, object]) -> bool:
    """A pull request event whose head is another repository's (a fork): GitHub passes its
    runs none of the repository's secrets and variables. `pull_request_target` runs the base's
    workflow and has them."""
    if event_name not in FORK_EVENTS:
        return False
    head = _mapping(_mapping(payload.get("pull_request")).get("head"))
    if "repo" in head and head["repo"] is None:  # the fork was deleted
        return True
    head_name = _text(_mapping(head.get("repo")).get("full_name"))
    own = _text(_mapping(payload.get("repository")).get("full_name"))
    return bool(head_name) and head_name.lower() != own.lower()


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
    def log_lines(self, job: object, index: int | None, lines: Sequence[str]) -> None: ...
    def step_finished(self, job: object, result: object) -> None: ...
    def annotation(self, job: object, annotation: object) -> None: ...

    def message(self, text: str) -> None:
        log.info("engine message=%r", text)


class RunEndObserver(RunObserver, Protocol):
    """An observer told the conclusion of the workflow run too (the forge's)."""

    def run_finished(self, conclusion: Conclusion) -> None: ...


class QuietDisplay:
    """The RunDisplay of a server run: nothing on a terminal (`reporter`: the forge's
    observer, when the run is reported); a log line when it ends."""

    def __init__(self, run_id: int, reporter: RunEndObserver | None = None) -> None:
        self.run_id = run_id
        self.reporter = reporter
        self.observer: RunObserver = reporter or _Silent()

    def prepared(self, prepared: PreparedRun) -> None:
        return None

    def running(self, cancel: Callable[[], None]) -> AbstractContextManager[None]:
        return _nothing()

    def finished(self, record: RunRecord) -> None:
        for workflow in record.workflows:
            log.info("run finished run=%s conclusion=%s", workflow.run_id, workflow.conclusion)
            if self.reporter is not None and workflow.run_id == str(self.run_id):
                self.reporter.run_finished(workflow.conclusion)


@contextmanager
def _nothing() -> Iterator[None]:
    yield
