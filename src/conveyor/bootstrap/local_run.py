"""Preparing a local run: workflow files → fired workflows → plans and scopes; the executor.

`LocalRunOptions` (local_options) says what to run; `EarlyStart` (early_start) builds the event
on a thread while the rest loads; `prepare_run` does everything up to running (reading files,
matching triggers, planning) and returns a `PreparedRun` value; `build_executor` picks the
executor. `conveyor.bootstrap.run.run_local` tells the whole run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from conveyor import triggers
from conveyor.bootstrap.committed_workflows import CommittedWorkflows
from conveyor.bootstrap.early_start import EarlyStart, EventStart
from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.bootstrap.run_source import header, relative_directory
from conveyor.bootstrap.workflow_cache import WorkflowCache
from conveyor.bootstrap.workflow_files import WORKFLOWS_DIR, WorkflowFile, load_workflow_files
from conveyor.bootstrap.workflow_source import RepositoryWorkflowSource
from conveyor.engine.planner import plan_workflow
from conveyor.engine.ports.executor import CancelSignal, Executor, JobDocument, JobReporter
from conveyor.engine.ports.workspaces import WorkspacePaths
from conveyor.engine.records import WorkflowRecord
from conveyor.engine.scope import RunScope, RunSettings
from conveyor.engine.session import RunRequest
from conveyor.errors import Diagnostic, Severity, UsageError, WorkflowError
from conveyor.model.events import Event
from conveyor.model.results import Conclusion
from conveyor.model.workflow import Workflow

if TYPE_CHECKING:
    from conveyor.bootstrap.services_wiring import CancellableStarter
    from conveyor.engine.ports.actions import ActionHandler
    from conveyor.engine.ports.remote_actions import RemoteActions
    from conveyor.executors.local.process_tracker import Supervision
    from conveyor.executors.local.workspace_pool import WorkspacePool

_INPUT_EVENTS = ("workflow_dispatch", "workflow_call")


@dataclass(frozen=True, slots=True)
class PreparedRun:
    """What a run will run: the workflow runs to start (`requests`), those that cannot start
    (`not_started`, invalid), the workflows the event does not fire (path, reason), warnings."""

    settings: RunSettings
    event: Event
    requests: tuple[RunRequest, ...] = ()
    not_started: tuple[WorkflowRecord, ...] = ()
    not_fired: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # choices made for the user (a pull request's base), told


@dataclass(slots=True)
class _Sorted:
    """The workflow files sorted by what becomes of them, while `prepare_run` reads them."""

    requests: list[RunRequest] = field(default_factory=list)
    not_started: list[WorkflowRecord] = field(default_factory=list)
    not_fired: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def prepare_run(
    options: LocalRunOptions,
    start: EventStart | None = None,
    remote: RemoteActions | None = None,
) -> PreparedRun:
    """Everything up to running; the event comes from `start` when it was begun early;
    remote reusable workflows come from `remote` (none without)."""
    start = start or EarlyStart(options)
    root = start.root
    built = start.built()
    event, note = built.event, built.warning
    settings = RunSettings(
        repository=str(root),
        # A directory that is not the top of a git repository is copied as it is.
        sha=(event.sha or None) if (root / ".git").exists() else None,
        parallel=options.parallel,
        matrix_filter=dict(options.matrix),
        include_uncommitted=options.working_tree,
        dry_run=options.dry_run,
        workspaces=_workspaces(options),
    )
    cache = workflow_cache(options.home)
    committed, source_note = _source(options, start, settings.sha)
    source = RepositoryWorkflowSource(root, cache, committed, remote)
    stamp = int(time.time() * 1000) % 10**10
    files = _workflow_files(root, options.workflows, cache, committed)
    found = _Sorted(warnings=[note] if note else [])
    for number, file in enumerate(files, start=1):
        _add_workflow(found, settings, event, options, file, source, str(stamp + number))
    if options.job and not found.requests and not found.not_started:
        raise UsageError(f"no workflow that '{event.name}' triggers has a job '{options.job}'")
    return PreparedRun(
        settings,
        event,
        tuple(found.requests),
        tuple(found.not_started),
        tuple(found.not_fired),
        tuple(found.warnings),
        (source_note, *((built.note,) if built.note else ())),
    )


def _source(
    options: LocalRunOptions, start: EventStart, commit: str | None
) -> tuple[CommittedWorkflows | None, str]:
    """Where the workflow files are read (None: the working tree) and the header saying so."""
    root = start.root
    if options.revision:
        note = f"running from commit {options.revision[:7]}"
        return CommittedWorkflows(root, options.revision), note
    changes = start.changes()
    directory = relative_directory(root, options.workflows, WORKFLOWS_DIR)
    note = header(options.working_tree, commit, changes, directory)
    outside = Path(directory).is_absolute()  # a -W file outside the repository: as it is
    if options.working_tree or commit is None or outside or changes.same_files(commit, directory):
        return None, note
    return CommittedWorkflows(root, commit, rerun=False), note


def _workflow_files(
    root: Path,
    chosen: Path | None,
    cache: WorkflowCache | None,
    committed: CommittedWorkflows | None,
) -> list[WorkflowFile]:
    """The workflow files to run: from the working tree, or as committed."""
    if committed is not None:
        return committed.files(chosen or WORKFLOWS_DIR)
    return load_workflow_files(root, chosen, cache)


def workflow_cache(home: Path | None) -> WorkflowCache | None:
    """Loaded workflows are kept under CONVEYOR_HOME (none without a home)."""
    return WorkflowCache(home / "cache" / "workflows") if home is not None else None


def _add_workflow(
    prepared: _Sorted,
    settings: RunSettings,
    event: Event,
    options: LocalRunOptions,
    file: WorkflowFile,
    source: RepositoryWorkflowSource,
    run_id: str,
) -> None:
    shown = file.shown
    prepared.warnings.extend(d.render() for d in file.diagnostics if d.severity is Severity.WARNING)
    workflow = file.workflow
    if workflow is None:
        prepared.not_started.append(_not_started(run_id, shown, file.diagnostics))
        return
    if options.job and not any(job.lower() == options.job.lower() for job in workflow.jobs):
        return
    bound = _bind_event(event, workflow, shown)  # refuses a dispatch's bad inputs
    match = triggers.match_workflow(workflow.on, event)
    if not match.fires:
        prepared.not_fired.append((shown, match.reason))
        return
    try:
        plan = plan_workflow(workflow, source, only=(options.job,) if options.job else ())
    except WorkflowError as exc:
        prepared.not_started.append(_not_started(run_id, shown, exc.diagnostics, workflow))
        return
    scope = _scope(settings, options, workflow, bound, shown, run_id)
    prepared.requests.append(RunRequest(plan, scope))


def _scope(
    settings: RunSettings,
    options: LocalRunOptions,
    workflow: Workflow,
    event: Event,
    shown: str,
    run_id: str,
) -> RunScope:
    inputs = dict(event.inputs) if event.name in _INPUT_EVENTS else {}
    github = triggers.github_context(
        event,
        workflow=workflow.display_name,
        run_id=run_id,
        workflow_path=shown,
        workspace=settings.repository,
    )
    return RunScope(
        run_id=run_id,
        workflow=workflow,
        github=github,
        inputs=inputs,
        secrets=dict(options.secrets),
        vars=dict(options.vars),
        env=dict(options.env),
        masks=tuple(value for value in options.secrets.values() if value),
    )


def _bind_event(event: Event, workflow: Workflow, shown: str) -> Event:
    """The event as this workflow sees it (typed inputs, the schedule's cron).

    A dispatch (or call) whose inputs GitHub would refuse (undeclared, a required one missing, a
    bad value) is refused as GitHub does (HTTP 422): a UsageError naming the workflow file,
    before any job of any workflow runs.
    """
    try:
        return triggers.event_for_workflow(event, workflow.on, workflow_path=shown)
    except UsageError as exc:
        raise UsageError(f"{shown}: {exc}; the dispatch is refused, nothing was run") from None


def _not_started(
    run_id: str,
    shown: str,
    diagnostics: Sequence[Diagnostic],
    workflow: Workflow | None = None,
) -> WorkflowRecord:
    errors = tuple(d.render() for d in diagnostics if d.severity is Severity.ERROR)
    name = workflow.display_name if workflow is not None else shown
    return WorkflowRecord(
        run_id, shown, name, Conclusion.STARTUP_FAILURE, (), errors or ("invalid workflow",)
    )


class _LocalWorkspaces:
    """The local executor's workspace paths (WorkspacePaths port)."""

    def __init__(self, home: Path) -> None:
        self._home = home.resolve()

    def workspace(self, run_id: str, instance_key: str, repository: str) -> str:
        from conveyor.executors.local.workspace import workspace_layout

        return str(workspace_layout(self._home, run_id, instance_key, repository).workspace)


def _workspaces(options: LocalRunOptions) -> WorkspacePaths | None:
    if options.dry_run or options.home is None:
        return None
    return _LocalWorkspaces(options.home)


def build_executor(
    dry_run: bool,
    home: Path,
    pool: WorkspacePool | None = None,
    repository: Path | None = None,
    services_variables: Mapping[str, str] | None = None,
    *,
    action_dirs: Sequence[str] = (),
    skip_actions: Sequence[str] = (),
    npm_registry: str = "",
    isolate_home: bool = False,
    platforms: tuple[str, ...] = (),
    remote: RemoteActions | None = None,
    native_actions: bool = False,
    revision: str | None = None,
    action_handlers: Mapping[str, ActionHandler] | None = None,
) -> Executor:
    """The fake executor for `--dry-run` (runs nothing); the local host executor otherwise
    (`close()` it after the run when it has a pool). The `[services]` settings of `repository`
    (over `services_variables`, the `CONVEYOR_SERVICES_*` of Settings) and its action overrides
    (with `--action-dir`/`--skip-action`) are checked here, before any job runs: a bad table or
    value is a UsageError. `npm_registry`: CONVEYOR_NPM_REGISTRY (node for JavaScript actions).
    `remote` fetches remote actions (the run's). `native_actions`: the built-in map of
    marketplace actions to native ones (with conveyor.toml's `[actions.native]` over it).
    `revision`: the run's commit, whose conveyor.toml every setting is read from when the
    working tree has none (a served run). `action_handlers`: native handlers by name that
    replace conveyor's (a worker's artifact and cache actions, which store on the server)."""
    overrides = {}
    from conveyor.bootstrap.native_settings import native_map

    natives = native_map(repository, builtin=native_actions, revision=revision)
    if repository is not None:
        from conveyor.bootstrap.override_settings import action_overrides

        overrides = action_overrides(repository, action_dirs, skip_actions, revision=revision)
    if dry_run:
        from conveyor.executors.fake import FakeExecutor

        return FakeExecutor()
    from conveyor.actions import default_registry
    from conveyor.bootstrap.platform_settings import configured_platforms
    from conveyor.executors.local import LocalExecutor

    table = None
    if repository is not None:
        table = configured_services(repository, services_variables, revision=revision)
        platforms = (*platforms, *configured_platforms(repository, revision=revision))
    actions = default_registry(natives)
    for name, handler in (action_handlers or {}).items():
        actions.register(name, handler)
    return LocalExecutor(
        home=home,
        actions=actions,
        services=_DeferredServices(home, table),
        workspace_pool=pool,
        supervision=supervision(),
        action_overrides=overrides,
        npm_registry=npm_registry,
        isolate_home=isolate_home,
        host_platforms=platforms,
        remote_actions=remote,
    )


def supervision(*, start: bool = False) -> Supervision:
    """Step processes die with conveyor: this process's reaper (conveyor.services) watches them,
    and they and the reaper carry the run owner's marker (the store's liveness check). The
    reaper starts with the first job that tells it something; `start`: now (a daemon's spare
    child, while it waits for its command: the first job then finds it running)."""
    from conveyor.executors.local.process_tracker import Supervision
    from conveyor.services.process import shared_reaper
    from conveyor.store.owner import current_owner

    marks = current_owner().environment()
    reaper = shared_reaper()
    reaper.mark(marks)
    if start:
        reaper.start()
    return Supervision(reaper, marks)


def configured_services(
    repository: Path, variables: Mapping[str, str] | None = None, *, revision: str | None = None
) -> Mapping[str, object] | None:
    """The repository's effective `[services]` table (checked; a UsageError when bad), or None
    when no variable or settings file has any (nothing to check: the launcher's defaults).
    `variables`: the `CONVEYOR_SERVICES_*` variables (None: this process's); `revision`: the
    run's commit, whose conveyor.toml counts when the working tree has none."""
    from conveyor.bootstrap.settings import config_files, services_variables

    variables = services_variables() if variables is None else variables
    files = config_files(repository, revision)
    if not variables and not any("services" in file.data for file in files):
        return None
    from conveyor.bootstrap.services_wiring import services_table

    return services_table(repository, variables, revision=revision)


class _DeferredServices:
    """The services hook, wired (services_wiring, its settings and providers loaded) by the first
    job that has services or a container; other jobs get no services, as the hook gives them.
    `table`: the `[services]` settings read beforehand (None: read for the first such job).
    `home`: CONVEYOR_HOME, where the services' logs (`services/`) and caches are."""

    def __init__(self, home: Path, table: Mapping[str, object] | None = None) -> None:
        self._home = home
        self._table = table
        self._starter: CancellableStarter | None = None
        self._lock = threading.Lock()

    def __call__(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal | None = None
    ) -> AbstractContextManager[Mapping[str, object]]:
        if document.container is None and not any(s.image.strip() for s in document.services):
            return nullcontext({})
        with self._lock:
            if self._starter is None:
                from conveyor.bootstrap.services_wiring import lazy_services_starter

                self._starter = lazy_services_starter(
                    self._home / "services", table=self._table, home=self._home
                )
        return self._starter(document, reporter, cancel)
