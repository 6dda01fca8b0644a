"""Wiring for `conveyor run`: workflow files → fired workflows → plans and scopes → a session.

`prepare_run` does everything up to running (reading files, building the event, matching
triggers, planning); `build_executor` picks the executor; the CLI runs the `RunSession`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from conveyor import triggers
from conveyor.bootstrap.events import build_event
from conveyor.bootstrap.workflow_files import WorkflowFile, load_workflow_files, repository_root
from conveyor.bootstrap.workflow_source import RepositoryWorkflowSource
from conveyor.engine.inputs import event_inputs
from conveyor.engine.planner import plan_workflow
from conveyor.engine.ports.executor import Executor
from conveyor.engine.ports.workspaces import WorkspacePaths
from conveyor.engine.records import WorkflowRecord
from conveyor.engine.scope import RunScope, RunSettings
from conveyor.engine.session import RunRequest
from conveyor.errors import Diagnostic, Severity, UsageError, WorkflowError
from conveyor.model.events import Event
from conveyor.model.workflow import Workflow

_INPUT_EVENTS = ("workflow_dispatch", "workflow_call")


@dataclass(frozen=True, slots=True)
class LocalRunOptions:
    repository: Path
    event_name: str = "push"
    event_path: Path | None = None
    workflows: Path | None = None
    job: str | None = None
    inputs: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    vars: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    matrix: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    parallel: int = 1
    dry_run: bool = False
    home: Path | None = None  # CONVEYOR_HOME: where the local executor puts workspaces


@dataclass(slots=True)
class PreparedRun:
    settings: RunSettings
    event: Event
    requests: list[RunRequest] = field(default_factory=list)
    not_started: list[WorkflowRecord] = field(default_factory=list)
    not_fired: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def prepare_run(options: LocalRunOptions) -> PreparedRun:
    root = repository_root(options.repository)
    event, note = build_event(root, options.event_name, options.event_path, options.inputs)
    settings = RunSettings(
        repository=str(root),
        # A directory that is not the top of a git repository is copied as it is.
        sha=(event.sha or None) if (root / ".git").exists() else None,
        parallel=options.parallel,
        matrix_filter=dict(options.matrix),
        workspaces=_workspaces(options),
    )
    prepared = PreparedRun(settings, event, warnings=[note] if note else [])
    source = RepositoryWorkflowSource(root)
    stamp = int(time.time() * 1000) % 10**10
    for number, file in enumerate(load_workflow_files(root, options.workflows), start=1):
        _add_workflow(prepared, options, file, source, str(stamp + number))
    if options.job and not prepared.requests and not prepared.not_started:
        raise UsageError(f"no workflow that '{event.name}' triggers has a job '{options.job}'")
    return prepared


def _add_workflow(
    prepared: PreparedRun,
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
    match = triggers.match_workflow(workflow.on, prepared.event)
    if not match.fires:
        prepared.not_fired.append((shown, match.reason))
        return
    try:
        plan = plan_workflow(workflow, source, only=(options.job,) if options.job else ())
    except WorkflowError as exc:
        prepared.not_started.append(_not_started(run_id, shown, exc.diagnostics, workflow))
        return
    scope = _scope(prepared, options, workflow, shown, run_id)
    prepared.requests.append(RunRequest(plan, scope))


def _scope(
    prepared: PreparedRun, options: LocalRunOptions, workflow: Workflow, shown: str, run_id: str
) -> RunScope:
    event, inputs = _bind_event(prepared, workflow, shown)
    github = triggers.github_context(
        event,
        workflow=workflow.display_name,
        run_id=run_id,
        workflow_path=shown,
        workspace=prepared.settings.repository,
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


def _bind_event(
    prepared: PreparedRun, workflow: Workflow, shown: str
) -> tuple[Event, dict[str, object]]:
    """The event as this workflow sees it, and its `inputs` context.

    GitHub rejects undeclared or missing required inputs; a local run warns and goes on with
    the inputs as given (act does the same), so a workflow can be tried with partial inputs.
    """
    event = prepared.event
    try:
        bound = triggers.event_for_workflow(event, workflow.on, workflow_path=shown)
    except UsageError as exc:
        trigger = workflow.on.get(event.name)
        resolved = event_inputs(trigger.inputs if trigger else (), event.inputs)
        prepared.warnings.append(f"{shown}: {exc}; running with the inputs as given")
        prepared.warnings.extend(f"{shown}: {w}" for w in resolved.warnings)
        strings = {k: triggers.input_strings({k: v})[k] for k, v in resolved.values.items()}
        payload = (
            {**event.payload, "inputs": strings}
            if event.name == "workflow_dispatch"
            else event.payload
        )
        bound = replace(event, payload=payload, inputs=resolved.values)
    inputs = dict(bound.inputs) if bound.name in _INPUT_EVENTS else {}
    return bound, inputs


def _not_started(
    run_id: str,
    shown: str,
    diagnostics: Sequence[Diagnostic],
    workflow: Workflow | None = None,
) -> WorkflowRecord:
    errors = tuple(d.render() for d in diagnostics if d.severity is Severity.ERROR)
    name = workflow.display_name if workflow is not None else shown
    return WorkflowRecord(
        run_id, shown, name, "startup_failure", (), errors or ("invalid workflow",)
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


def build_executor(dry_run: bool, home: Path) -> Executor:
    """The fake executor for `--dry-run` (runs nothing); the local host executor otherwise."""
    if dry_run:
        from conveyor.executors.fake import FakeExecutor

        return FakeExecutor()
    from conveyor.actions import default_registry
    from conveyor.bootstrap.services_wiring import lazy_services_starter
    from conveyor.executors.local import LocalExecutor

    return LocalExecutor(
        home=home, actions=default_registry(), services=lazy_services_starter(home / "services")
    )
