"""`LocalExecutor`: runs one job document on this machine, without Docker."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from conveyor.engine.ports.actions import ActionRegistry
from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobForecast, JobReporter
from conveyor.engine.ports.remote_actions import RemoteActions
from conveyor.errors import ConveyorError
from conveyor.executors.local.action_overrides import ActionOverride, RunNotices
from conveyor.executors.local.docker_action import ENGINES, ContainerEngines
from conveyor.executors.local.environment import host_environment, runner_context
from conveyor.executors.local.job_home import job_directories
from conveyor.executors.local.job_leases import JobLease, remove, sweep
from conveyor.executors.local.job_state import ExecutorOptions, JobRun, Scope
from conveyor.executors.local.job_steps import job_outputs, run_all_steps
from conveyor.executors.local.masking import MIN_SECRET_LENGTH, Registration, SecretMasker
from conveyor.executors.local.platforms import unavailable_reason
from conveyor.executors.local.process_tracker import Supervision
from conveyor.executors.local.processes import StopPolicy
from conveyor.executors.local.services_hook import ServicesStarter, no_services
from conveyor.executors.local.workspace import (
    EVENT_FOLDER,
    JobWorkspace,
    prepare_workspace,
    resolved,
    workspace_layout,
)
from conveyor.executors.local.workspace_pool import WorkspacePool
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion, JobResult
from conveyor.model.workflow import reads_repository
from conveyor.private_files import private_directory, write_private


class LocalExecutor:
    """Runs jobs as processes on this host (see docs/executor.md).

    `actions` holds the native action implementations (bootstrap passes
    `conveyor.actions.default_registry()`); `action_directories` maps `owner/repo[@ref]` to local
    copies of remote actions; `action_overrides` maps `owner/repo[/path]` to a directory or to
    skip (checked before anything else resolves an action); `services` starts and stops a job's
    services around its steps. `npm_registry` is where JavaScript actions' node is provisioned
    from when the host's does not fit ('': npm's `registry` setting); `container_engines` are
    the commands tried (`info`) for Docker actions.
    With a `workspace_pool`, workspaces are made ahead of the jobs the scheduler forecasts and
    job directories are deleted in the background; `close()` then ends the pool's work.
    `supervision` (bootstrap passes conveyor's reaper and the run owner's marker) makes sure no
    step process outlives conveyor, even after a SIGKILL. `remote_actions` fetches the remote
    actions that have neither a local copy nor a native handler (one per run: bootstrap's).
    """

    def __init__(
        self,
        *,
        home: Path,
        actions: ActionRegistry | None = None,
        action_directories: Mapping[str, Path] | None = None,
        services: ServicesStarter | None = None,
        stop_policy: StopPolicy | None = None,
        keep_workspace: bool = False,
        workspace_pool: WorkspacePool | None = None,
        supervision: Supervision | None = None,
        action_overrides: Mapping[str, ActionOverride] | None = None,
        npm_registry: str = "",
        container_engines: tuple[str, ...] = ENGINES,
        isolate_home: bool = False,
        host_platforms: Iterable[str] = (),
        remote_actions: RemoteActions | None = None,
    ) -> None:
        self._home = home
        self._actions = actions or ActionRegistry()
        self._directories = dict(action_directories or {})
        self._services = services or no_services
        self._policy = stop_policy or StopPolicy()
        self._keep = keep_workspace
        self._pool = workspace_pool
        self._supervision = supervision or Supervision()
        self._overrides = dict(action_overrides or {})
        self._notices = RunNotices()
        self._npm_registry = npm_registry
        self._containers = ContainerEngines(container_engines)
        self._swept = False
        self._isolate_home = isolate_home
        self._host_platforms = tuple(host_platforms)
        self._remote = remote_actions
        self._sweep_lock = threading.Lock()
        self._job_options: ExecutorOptions | None = None  # the same for every job: made once
        self._host_environment: dict[str, str] | None = None  # read by the first job

    def forecast(self, forecast: JobForecast) -> None:
        """Prepare the workspaces of the jobs about to start (with a pool, for a commit)."""
        if self._pool is not None:
            self._pool.forecast(forecast)

    def close(self) -> None:
        """Wait for the pool's deletions; delete the workspaces made but not used."""
        if self._pool is not None:
            self._pool.close()

    def _options(self) -> ExecutorOptions:
        if self._job_options is None:
            self._job_options = self._make_options()
        return self._job_options

    def _environment(self) -> dict[str, str]:
        """The host's part of every step's environment: a run's jobs share one reading."""
        if self._host_environment is None:
            self._host_environment = host_environment()
        return self._host_environment

    def _make_options(self) -> ExecutorOptions:
        home = self._home.resolve()
        return ExecutorOptions(
            home,
            self._actions,
            self._directories,
            self._policy,
            self._keep,
            self._supervision,
            action_overrides=self._overrides,
            notices=self._notices,
            npm_registry=self._npm_registry,
            containers=self._containers,
            isolate_home=self._isolate_home,
            remote=self._remote,
        )

    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult:
        started = time.time()
        reason = unavailable_reason(document.runs_on, self._host_platforms)
        if reason is not None:
            return _unavailable(document, reporter, reason, started)
        options = self._options()
        layout = workspace_layout(
            options.home, document.run_id, document.instance_key, document.repository
        )
        self._sweep(options.home)
        lease = JobLease.take(layout.root)
        try:
            return self._run_in(options, layout, document, reporter, cancel, started)
        finally:
            lease.release()

    def _run_in(
        self,
        options: ExecutorOptions,
        layout: JobWorkspace,
        document: JobDocument,
        reporter: JobReporter,
        cancel: CancelSignal,
        started: float,
    ) -> JobResult:
        try:
            commit = prepare_workspace(
                layout,
                document.repository,
                document.sha,
                document.include_uncommitted,
                self._pool,
                fill=document.include_uncommitted or reads_repository(document.steps),
            )
        except (ConveyorError, OSError) as exc:
            self._remove(layout)
            message = _masker(document)[0].mask(f"The workspace could not be prepared: {exc}")
            return _failed_before_steps(document, reporter, message, started)
        run = _new_run(document, reporter, cancel, options, layout, commit, self._environment())
        scope = Scope(defaults=document.defaults)
        error = None
        try:
            error = self._run_steps(run, scope)
            outputs = job_outputs(run, scope)
        finally:
            run.tracker.end_all()
            if not options.keep_workspace:
                self._finish(layout, document)
        return _result(run, outputs, started, error)

    def _sweep(self, home: Path) -> None:
        """Once per executor, before its first job: remove the job directories of conveyor
        processes that were killed (see job_leases)."""
        with self._sweep_lock:
            if self._swept:
                return
            self._swept = True
        sweep(home, self._pool.discard if self._pool is not None else remove)

    def _finish(self, layout: JobWorkspace, document: JobDocument) -> None:
        """The job ended: with a pool, its workspace may be kept for a later job."""
        if self._pool is not None:
            self._pool.finish(layout, resolved(document.repository))
        else:
            layout.remove()

    def _remove(self, layout: JobWorkspace) -> None:
        if self._pool is not None:
            self._pool.discard(layout.root)
        else:
            layout.remove()

    def _run_steps(self, run: JobRun, scope: Scope) -> str | None:
        document = run.document
        try:
            with self._services(document, run.reporter, run.cancel) as services:
                _warn_container(run)  # only now: a `fail` container policy raised above
                run.job_context["services"] = dict(services)
                run_all_steps(run, scope)
        except ConveyorError as exc:
            message = str(exc)
        except Exception as exc:  # a bug must fail this job, not the scheduler running it
            message = f"internal error in the local executor: {exc!r}"
        else:
            return None
        if run.cancel.is_set():  # e.g. cancelled while its services were becoming healthy
            run.log(None, f"The job was cancelled: {message}")
            run.status = Conclusion.CANCELLED
            return None
        run.error(None, message)
        run.status = Conclusion.FAILURE
        return run.masker.mask(message)  # as logged and annotated


def job_secrets(document: JobDocument) -> list[str]:
    """The values a job masks from the start: its mask list and its `secrets` context."""
    secrets = document.contexts.get("secrets")
    values = [str(v) for v in secrets.values() if v] if isinstance(secrets, Mapping) else []
    return [*document.masks, *values]


def _warn_container(run: JobRun) -> None:
    container = run.document.container
    if container is not None:
        run.log(
            None,
            f"##[warning]container '{container.image}' is not used: "
            "the local executor runs steps on this machine",
        )


def _new_run(
    document: JobDocument,
    reporter: JobReporter,
    cancel: CancelSignal,
    options: ExecutorOptions,
    layout: JobWorkspace,
    commit: str | None,
    host: dict[str, str],
) -> JobRun:
    contexts = document.contexts
    masker, too_short = _masker(document)
    github = _github(document, layout, commit)
    runner = runner_context(
        str(layout.temp), str(layout.tool_cache), str(layout.root), _debug(contexts)
    )
    deadline = (
        time.monotonic() + document.timeout_minutes * 60.0 if document.timeout_minutes > 0 else None
    )
    run = JobRun(
        document=document,
        reporter=reporter,
        cancel=cancel,
        options=options,
        layout=layout,
        masker=masker,
        tracker=options.supervision.tracker(),
        base_env={**host, **job_directories(layout, options.isolate_home)},
        github=github,
        runner=runner,
        job_context={"services": {}},
        deadline=deadline,
    )
    for name in too_short:
        run.log(
            None,
            f"##[warning]{name} is shorter than {MIN_SECRET_LENGTH} characters: it is not "
            "masked (masking it would hide that text everywhere in the log)",
        )
    return run


def _masker(document: JobDocument) -> tuple[SecretMasker, list[str]]:
    """The job's masker (document masks, secrets) and what was too short to register."""
    secrets = document.contexts.get("secrets")
    named = (
        {str(k): str(v) for k, v in secrets.items() if v} if isinstance(secrets, Mapping) else {}
    )
    masker, too_short = SecretMasker(), []
    for name, value in named.items():
        if masker.add(value) is Registration.TOO_SHORT:
            too_short.append(f"Secret '{name}'")
    for value in document.masks:
        if masker.add(value) is Registration.TOO_SHORT and value not in named.values():
            too_short.append("A masked value")
    return masker, too_short


def _github(document: JobDocument, layout: JobWorkspace, commit: str | None) -> dict[str, object]:
    given = document.contexts.get("github")
    github: dict[str, object] = dict(given) if isinstance(given, Mapping) else {}
    event_dir = layout.temp / EVENT_FOLDER
    private_directory(event_dir)
    event_path = event_dir / "event.json"
    write_private(event_path, json.dumps(github.get("event") or {}))
    github.update(workspace=str(layout.workspace), job=document.job_id, event_path=str(event_path))
    github.setdefault("run_id", document.run_id)
    github.setdefault("run_attempt", str(document.run_attempt))
    if not github.get("sha") and (document.sha or commit):
        github["sha"] = document.sha or commit
    return github


def _debug(contexts: Mapping[str, object]) -> bool:
    for source in ("secrets", "vars"):
        values = contexts.get(source)
        if isinstance(values, Mapping):
            for name in ("ACTIONS_STEP_DEBUG", "ACTIONS_RUNNER_DEBUG"):
                if str(values.get(name, "")).lower() == "true":
                    return True
    return False


def _failed_before_steps(
    document: JobDocument, reporter: JobReporter, message: str, started: float
) -> JobResult:
    reporter.log_line(document.instance_key, None, f"##[error]{message}")
    annotation = Annotation(AnnotationLevel.ERROR, message, job=document.instance_key)
    reporter.annotation(document.instance_key, annotation)
    return JobResult(
        Conclusion.FAILURE,
        annotations=(annotation,),
        started_at=started,
        finished_at=time.time(),
        error=message,
    )


def _unavailable(
    document: JobDocument, reporter: JobReporter, reason: str, started: float
) -> JobResult:
    reporter.log_line(document.instance_key, None, f"Skipped, unavailable here: {reason}")
    return JobResult(
        Conclusion.SKIPPED, started_at=started, finished_at=time.time(), unavailable=reason
    )


def _result(run: JobRun, outputs: dict[str, str], started: float, error: str | None) -> JobResult:
    status = run.status
    if run.timed_out:
        minutes = run.document.timeout_minutes
        error = f"The job has exceeded the maximum execution time of {minutes:g} minutes."
        run.error(None, error)
        status = Conclusion.FAILURE
    summary = "".join(part if part.endswith("\n") else part + "\n" for part in run.summaries)
    unavailable = run.unavailable if status is not Conclusion.CANCELLED else None
    if unavailable is not None:
        status = Conclusion.SKIPPED
    elif status is Conclusion.SKIPPED:
        status = Conclusion.SUCCESS
    return JobResult(
        result=status,
        outputs=outputs,
        steps=tuple(run.results),
        annotations=tuple(run.annotations),
        summary=summary,
        started_at=started,
        finished_at=time.time(),
        error=error,
        unavailable=unavailable,
    )
