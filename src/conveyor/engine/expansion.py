"""A job whose needs are done becomes legs: its `if`, its strategy, then one leg per matrix
combination, each with its job document (or, for a reusable-workflow call, a child run)."""

from __future__ import annotations

from collections.abc import Callable

from conveyor.engine import job_values as values
from conveyor.engine.conclusions import job_status
from conveyor.engine.expressions import evaluate_condition
from conveyor.engine.naming import display_name, name_segments, unique_keys, with_suffix
from conveyor.engine.ports.executor import JobDocument
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord
from conveyor.engine.run_state import JobNode, Leg, LegState, NodeState, WorkflowRun
from conveyor.engine.scope import RunScope
from conveyor.engine.strategy import StrategyPlan, plan_strategy
from conveyor.errors import ConveyorError
from conveyor.model.results import Conclusion
from conveyor.model.workflow import Strategy
from conveyor.workflow.matrix import MatrixLeg

# (run, leg, child scope) → the child run, made by the scheduler so it can track it
ChildFactory = Callable[[WorkflowRun, Leg, RunScope], WorkflowRun]


def activate(run: WorkflowRun, node: JobNode, make_child: ChildFactory) -> list[Leg]:
    """Evaluate a ready job: skipped, failed to plan, or its legs (queued)."""
    node.state = NodeState.ACTIVE
    contexts = {**run.scope.contexts(), "needs": run.needs_context(node.job_id)}
    status = job_status(run.ancestor_results(node.job_id), run.cancelled)
    try:
        if not evaluate_condition(node.job.condition, contexts, status):
            final = Conclusion.CANCELLED if run.cancelled else Conclusion.SKIPPED
            return [_closed_leg(run, node, final)]
        strategy = plan_strategy(node.job.strategy, contexts, run.settings.matrix_filter or None)
    except ConveyorError as exc:
        if run.settings.dry_run and _reads_needs(node.job.strategy):
            return [_deferred_leg(run, node)]
        return [_closed_leg(run, node, Conclusion.FAILURE, _message(node, exc))]
    node.strategy = strategy
    if not strategy.legs:
        reason = "no matrix combination is left after --matrix"
        return [_closed_leg(run, node, Conclusion.SKIPPED, reason)]
    node.legs = _legs(run, node, strategy, contexts, make_child)
    return node.legs


def _legs(
    run: WorkflowRun,
    node: JobNode,
    strategy: StrategyPlan,
    contexts: dict[str, object],
    make_child: ChildFactory,
) -> list[Leg]:
    keys = unique_keys(
        [
            with_suffix(node.job_id, name_segments(m.name_values))
            if strategy.is_matrix
            else node.job_id
            for m in strategy.legs
        ]
    )
    legs: list[Leg] = []
    for index, (combination, key) in enumerate(zip(strategy.legs, keys, strict=True)):
        leg_contexts = {
            **contexts,
            "strategy": strategy.context(index),
            "matrix": dict(combination.values),
        }
        leg = _new_leg(run, node, index, key, combination, strategy, leg_contexts)
        if leg.record is None:
            _prepare(run, node, leg, leg_contexts, make_child)
        legs.append(leg)
    return legs


def _new_leg(
    run: WorkflowRun,
    node: JobNode,
    index: int,
    key: str,
    combination: MatrixLeg,
    strategy: StrategyPlan,
    contexts: dict[str, object],
) -> Leg:
    try:
        base, is_expression = values.base_name(node.job, contexts)
        name = display_name(
            base,
            name_segments(combination.name_values),
            is_matrix=strategy.is_matrix,
            name_is_expression=is_expression,
        )
    except ConveyorError as exc:
        leg = Leg(node, index, _view(run, node, key, key, combination))
        leg.finish(_record(leg, Conclusion.FAILURE, _message(node, exc)))
        return leg
    return Leg(node, index, _view(run, node, key, name, combination))


def _prepare(
    run: WorkflowRun, node: JobNode, leg: Leg, contexts: dict[str, object], make_child: ChildFactory
) -> None:
    try:
        if node.job.is_reusable_call:
            _prepare_call(run, node, leg, contexts, make_child)
        else:
            _prepare_job(run, node, leg, contexts)
    except ConveyorError as exc:
        leg.finish(_record(leg, Conclusion.FAILURE, _message(node, exc)))


def _prepare_job(run: WorkflowRun, node: JobNode, leg: Leg, contexts: dict[str, object]) -> None:
    job, scope, settings = node.job, run.scope, run.settings
    workspace = settings.workspace(scope.run_id, leg.view.instance_key)
    contexts = {**contexts, "github": {**scope.github, "job": node.job_id, "workspace": workspace}}
    timeout = _leg_values(leg, node, contexts)
    secret_contexts = {**contexts, "secrets": dict(scope.secrets)}
    env = values.job_env(scope.workflow, job, scope.env, secret_contexts)
    full = {**secret_contexts, "env": env}
    leg.document = JobDocument(
        run_id=scope.run_id,
        job_id=node.job_id,
        instance_key=leg.view.instance_key,
        display_name=leg.view.display_name,
        workflow_path=scope.workflow.path,
        repository=settings.repository,
        sha=settings.sha,
        contexts=full,
        env=env,
        steps=job.steps,
        defaults=values.run_defaults(scope.workflow, job, full),
        outputs=dict(job.outputs),
        services=values.services(job.services, full),
        container=values.container(job.container, full),
        timeout_minutes=timeout,
        cancel_timeout_minutes=values.minutes(
            job.cancel_timeout_minutes,
            contexts,
            values.DEFAULT_CANCEL_TIMEOUT_MINUTES,
            "cancel-timeout-minutes",
        ),
        masks=scope.masks,
        include_uncommitted=settings.include_uncommitted,
        run_attempt=settings.run_attempt,
        runs_on=leg.runs_on,
    )


def _leg_values(leg: Leg, node: JobNode, contexts: dict[str, object]) -> float:
    """runs-on, continue-on-error, environment, concurrency and the timeout (returned)."""
    job = node.job
    leg.runs_on = values.runs_on_labels(job, contexts)
    leg.continue_on_error = values.continue_on_error(job, contexts)
    leg.environment = values.environment_name(job.environment, contexts)
    concurrency = values.concurrency(job.concurrency, contexts)
    leg.concurrency = concurrency.group if concurrency else None
    timeout = values.minutes(
        job.timeout_minutes, contexts, values.DEFAULT_TIMEOUT_MINUTES, "timeout-minutes"
    )
    leg.timeout_seconds = timeout * 60.0
    return timeout


def _prepare_call(
    run: WorkflowRun, node: JobNode, leg: Leg, contexts: dict[str, object], make_child: ChildFactory
) -> None:
    from conveyor.engine import reusable  # only runs with reusable workflows load it

    scope = run.scope
    called = run.plan.calls[node.job_id].workflow
    leg.concurrency = c.group if (c := values.concurrency(node.job.concurrency, contexts)) else None
    inputs = reusable.inputs_for(node.job, called, contexts, scope.contexts())
    secrets = reusable.secrets_for(node.job, scope.secrets, contexts)
    reusable.check_required_secrets(called, secrets)
    child_scope = RunScope(
        run_id=scope.run_id,
        workflow=called,
        github=scope.github,
        inputs=inputs,
        secrets=secrets,
        vars=scope.vars,
        env=scope.env,
        key_prefix=f"{leg.view.instance_key} / ",
        name_prefix=f"{leg.view.display_name} / ",
        depth=scope.depth + 1,
        masks=scope.masks,
    )
    leg.call_contexts = {"github": scope.github, "vars": dict(scope.vars), "inputs": inputs}
    leg.child = make_child(run, leg, child_scope)
    leg.state = LegState.RUNNING


def _closed_leg(
    run: WorkflowRun, node: JobNode, status: Conclusion, error: str | None = None
) -> Leg:
    leg = Leg(node, 0, _view(run, node, node.job_id, _plain_name(node), None))
    leg.finish(_record(leg, status, error))
    node.legs = [leg]
    return leg


DEFERRED_MATRIX = "matrix decided at run time (from the outputs of the jobs it needs)"


def _reads_needs(strategy: Strategy | None) -> bool:
    """The strategy is made from `needs` (outputs a dry run does not have)."""
    return strategy is not None and "needs." in repr(strategy.matrix)


def _deferred_leg(run: WorkflowRun, node: JobNode) -> Leg:
    """`--dry-run`: a job whose matrix only the run can make is skipped, and says so."""
    leg = Leg(node, 0, _view(run, node, node.job_id, _plain_name(node), None))
    leg.finish(JobRecord(view=leg.view, conclusion=Conclusion.SKIPPED, deferred=DEFERRED_MATRIX))
    node.legs = [leg]
    return leg


def _plain_name(node: JobNode) -> str:
    name = node.job.name
    return name if isinstance(name, str) and name and "${{" not in name else node.job_id


def _view(
    run: WorkflowRun, node: JobNode, key: str, name: str, combination: MatrixLeg | None
) -> JobView:
    path, workflow_name = run.display
    return JobView(
        run_id=run.scope.run_id,
        workflow_path=path,
        workflow_name=workflow_name,
        instance_key=run.scope.key_prefix + key,
        job_id=node.job_id,
        display_name=run.scope.name_prefix + name,
        matrix=dict(combination.values) if combination is not None else {},
    )


def _record(leg: Leg, status: Conclusion, error: str | None = None) -> JobRecord:
    return JobRecord(view=leg.view, conclusion=status, error=error)


def _message(node: JobNode, exc: ConveyorError) -> str:
    return f"{node.job.location}: job '{node.job_id}': {exc}"
