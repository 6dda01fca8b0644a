"""A validated job node → `conveyor.model.workflow.Job` (with its services, container, steps)."""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.model.services import ContainerSpec, ServiceSpec
from conveyor.model.workflow import (
    Concurrency,
    EnvironmentRef,
    Job,
    RunDefaults,
    Strategy,
)
from conveyor.workflow.node_values import (
    location,
    mapping,
    nested_locations,
    pairs,
    raw,
    string_tuple,
    text,
)
from conveyor.workflow.steps_builder import build_steps
from conveyor.workflow.yaml_nodes import MappingNode, Node, ScalarNode

_MAPPED_KEYS = ("env", "with", "outputs", "secrets", "services")


def build_job(path: str, key: ScalarNode, node: MappingNode, needs: tuple[str, ...]) -> Job:
    get = node.as_dict().get
    secrets = get("secrets")
    return Job(
        id=str(key.value),
        location=location(path, key),
        name=raw(get("name")),
        needs=needs,
        condition=raw(get("if")),
        runs_on=raw(get("runs-on")),
        environment=_environment(path, get("environment")),
        concurrency=build_concurrency(path, get("concurrency")),
        outputs=mapping(get("outputs")),
        env=mapping(get("env")),
        defaults=build_defaults(get("defaults")),
        timeout_minutes=raw(get("timeout-minutes")),
        cancel_timeout_minutes=raw(get("cancel-timeout-minutes")),
        strategy=_strategy(path, get("strategy")),
        continue_on_error=raw(get("continue-on-error"), False),
        container=_container(path, get("container")),
        services=_services(path, get("services")),
        permissions=raw(get("permissions")),
        uses=text(get("uses")),
        with_=mapping(get("with")),
        secrets=text(secrets) if isinstance(secrets, ScalarNode) else _optional_mapping(secrets),
        steps=build_steps(path, get("steps")),
        locations=nested_locations(path, node, _MAPPED_KEYS),
    )


def build_concurrency(path: str, node: Node | None) -> Concurrency | None:
    if node is None:
        return None
    if isinstance(node, MappingNode):
        group = str(text(node.get("group"), ""))
        return Concurrency(group, location(path, node), raw(node.get("cancel-in-progress"), False))
    return Concurrency(str(text(node, "")), location(path, node))


def build_defaults(node: Node | None) -> RunDefaults | None:
    run = node.get("run") if isinstance(node, MappingNode) else None
    if not isinstance(run, MappingNode):
        return None
    return RunDefaults(text(run.get("shell")), text(run.get("working-directory")))


def _environment(path: str, node: Node | None) -> EnvironmentRef | None:
    if node is None:
        return None
    if isinstance(node, MappingNode):
        name = str(text(node.get("name"), ""))
        return EnvironmentRef(name, location(path, node), text(node.get("url")))
    return EnvironmentRef(str(text(node, "")), location(path, node))


def _strategy(path: str, node: Node | None) -> Strategy | None:
    if not isinstance(node, MappingNode):
        return None
    return Strategy(
        location=location(path, node),
        matrix=raw(node.get("matrix")),
        fail_fast=raw(node.get("fail-fast"), True),
        max_parallel=raw(node.get("max-parallel")),
    )


def _container(path: str, node: Node | None) -> ContainerSpec | None:
    if node is None:
        return None
    if not isinstance(node, MappingNode):
        return ContainerSpec(str(text(node, "")), location(path, node))
    return ContainerSpec(
        image=str(text(node.get("image"), "")),
        location=location(path, node),
        env=mapping(node.get("env")),
        ports=string_tuple(node.get("ports")),
        volumes=string_tuple(node.get("volumes")),
        options=text(node.get("options")),
        credentials=_optional_mapping(node.get("credentials")),
    )


def _services(path: str, node: Node | None) -> Mapping[str, ServiceSpec]:
    return {str(key.value): _service(path, str(key.value), value) for key, value in pairs(node)}


def _service(path: str, service_id: str, node: Node) -> ServiceSpec:
    if not isinstance(node, MappingNode):
        return ServiceSpec(service_id, str(text(node, "")), location(path, node))
    return ServiceSpec(
        id=service_id,
        image=str(text(node.get("image"), "")),
        location=location(path, node),
        env=mapping(node.get("env")),
        ports=string_tuple(node.get("ports")),
        volumes=string_tuple(node.get("volumes")),
        options=text(node.get("options")),
        credentials=_optional_mapping(node.get("credentials")),
        command=text(node.get("command")),
        entrypoint=text(node.get("entrypoint")),
    )


def _optional_mapping(node: Node | None) -> dict[str, object] | None:
    return mapping(node) if isinstance(node, MappingNode) else None
