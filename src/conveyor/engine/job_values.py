"""Job-level keys evaluated before dispatch: name, runs-on, env, defaults, timeouts, environment,
concurrency, container and services (contexts per reference §3.6)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.engine.expressions import (
    Contexts,
    evaluate_flag,
    evaluate_text,
    evaluate_value,
    has_expression,
    to_string,
)
from conveyor.errors import PlanError
from conveyor.model.services import ContainerSpec, ServiceSpec
from conveyor.model.workflow import Concurrency, EnvironmentRef, Job, RunDefaults, Workflow

DEFAULT_TIMEOUT_MINUTES = 360.0
DEFAULT_CANCEL_TIMEOUT_MINUTES = 5.0


@dataclass(frozen=True, slots=True)
class ConcurrencyValue:
    group: str
    cancel_in_progress: bool = False


def base_name(job: Job, contexts: Contexts) -> tuple[str, bool]:
    """The job's evaluated `name:` (or its id) and whether the name held an expression."""
    if job.name is None or job.name == "":
        return job.id, False
    return evaluate_text(job.name, contexts), has_expression(job.name)


def runs_on_labels(job: Job, contexts: Contexts) -> tuple[str, ...]:
    """`runs-on` as labels: a string, a list, or {group, labels} (labels first, then group)."""
    value = evaluate_value(job.runs_on, contexts)
    if isinstance(value, Mapping):
        labels = value.get("labels")
        group = value.get("group")
        return _labels(labels) + _labels(group)
    return _labels(value)


def _labels(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(to_string(item) for item in value if item is not None)
    return (to_string(value),)


def job_env(
    workflow: Workflow, job: Job, base: Mapping[str, str], contexts: Contexts
) -> dict[str, str]:
    """Runner env ⊂ workflow env ⊂ job env, every value a string."""
    env = dict(base)
    for key, raw in workflow.env.items():
        env[key] = evaluate_text(raw, contexts)
    for key, raw in job.env.items():
        env[key] = evaluate_text(raw, contexts)
    return env


def run_defaults(workflow: Workflow, job: Job, contexts: Contexts) -> RunDefaults:
    """Job `defaults.run` over workflow `defaults.run`, field by field."""
    outer = workflow.defaults or RunDefaults()
    inner = job.defaults or RunDefaults()
    shell = inner.shell if inner.shell is not None else outer.shell
    directory = inner.working_directory
    if directory is None:
        directory = outer.working_directory
    return RunDefaults(
        shell=evaluate_text(shell, contexts) if shell is not None else None,
        working_directory=evaluate_text(directory, contexts) if directory is not None else None,
    )


def minutes(raw: object, contexts: Contexts, default: float, key: str) -> float:
    if raw is None:
        return default
    value = evaluate_value(raw, contexts)
    try:
        number = float(to_string(value))
    except ValueError:
        raise PlanError(f"{key} must be a number, not '{to_string(value)}'") from None
    if number <= 0:
        raise PlanError(f"{key} must be greater than zero")
    return number


def continue_on_error(job: Job, contexts: Contexts) -> bool:
    return evaluate_flag(job.continue_on_error, contexts) if job.continue_on_error else False


def environment_name(ref: EnvironmentRef | None, contexts: Contexts) -> str | None:
    if ref is None:
        return None
    return evaluate_text(ref.name, contexts) or None


def concurrency(ref: Concurrency | None, contexts: Contexts) -> ConcurrencyValue | None:
    if ref is None:
        return None
    group = evaluate_text(ref.group, contexts)
    if not group:
        raise PlanError("the concurrency group evaluated to an empty string")
    return ConcurrencyValue(group, evaluate_flag(ref.cancel_in_progress, contexts))


def container(spec: ContainerSpec | None, contexts: Contexts) -> ContainerSpec | None:
    """The job container with its values evaluated; an empty image means no container."""
    if spec is None:
        return None
    image = evaluate_text(spec.image, contexts)
    if not image:
        return None
    return dataclasses.replace(
        spec,
        image=image,
        env=_text_map(spec.env, contexts),
        ports=tuple(evaluate_text(port, contexts) for port in spec.ports),
        volumes=tuple(evaluate_text(volume, contexts) for volume in spec.volumes),
        options=_optional_text(spec.options, contexts),
        credentials=_optional_map(spec.credentials, contexts),
    )


def services(specs: Mapping[str, ServiceSpec], contexts: Contexts) -> tuple[ServiceSpec, ...]:
    """Service definitions with values evaluated; a service whose image is empty is dropped."""
    evaluated: list[ServiceSpec] = []
    for spec in specs.values():
        image = evaluate_text(spec.image, contexts)
        if not image:
            continue
        evaluated.append(
            dataclasses.replace(
                spec,
                image=image,
                env=_text_map(spec.env, contexts),
                ports=tuple(evaluate_text(port, contexts) for port in spec.ports),
                volumes=tuple(evaluate_text(volume, contexts) for volume in spec.volumes),
                options=_optional_text(spec.options, contexts),
                credentials=_optional_map(spec.credentials, contexts),
                command=_optional_text(spec.command, contexts),
                entrypoint=_optional_text(spec.entrypoint, contexts),
            )
        )
    return tuple(evaluated)


def _text_map(values: Mapping[str, object], contexts: Contexts) -> dict[str, object]:
    return {key: evaluate_text(value, contexts) for key, value in values.items()}


def _optional_text(value: str | None, contexts: Contexts) -> str | None:
    return evaluate_text(value, contexts) if value is not None else None


def _optional_map(
    values: Mapping[str, object] | None, contexts: Contexts
) -> dict[str, object] | None:
    return _text_map(values, contexts) if values is not None else None
