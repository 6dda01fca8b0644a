"""A service spec read the way Docker would: env, options, ports — plus what cannot be honoured."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.errors import Diagnostic, WorkflowError, error
from conveyor.model.services import ServiceSpec
from conveyor.services.host_ports import PortMapping, parse_port_spec
from conveyor.services.options import ContainerOptions, parse_options

CONTAINER_ENV = {"GITHUB_ACTIONS": "true", "CI": "true"}  # what the runner adds to each service


@dataclass(frozen=True, slots=True)
class PreparedSpec:
    spec: ServiceSpec
    env: Mapping[str, str]
    options: ContainerOptions
    mappings: tuple[PortMapping, ...]
    warnings: tuple[str, ...]

    def requested_host_port(self, container_port: int) -> int | None:
        """The host port asked for `container_port` (None: any free port)."""
        for mapping in self.mappings:
            if mapping.container == container_port:
                return mapping.host
        return None


def env_text(value: object) -> str:
    """A YAML scalar as the string a container sees (`true`, `5`, `` for null)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def prepare(spec: ServiceSpec, served_ports: tuple[int, ...]) -> PreparedSpec:
    """Read `spec` for a provider that serves `served_ports`; WorkflowError if it is invalid."""
    options, problems = parse_options(spec.options, spec.location)
    mappings = _mappings(spec, options, problems)
    if problems:
        raise WorkflowError(problems)
    env = {key: env_text(value) for key, value in spec.env.items()}
    env.update(options.env)
    env.update(CONTAINER_ENV)
    warnings = _warnings(spec, options, mappings, served_ports)
    return PreparedSpec(spec, env, options, mappings, warnings)


def _mappings(
    spec: ServiceSpec, options: ContainerOptions, problems: list[Diagnostic]
) -> tuple[PortMapping, ...]:
    mappings: list[PortMapping] = []
    for text in (*spec.ports, *options.publish):
        try:
            mappings.append(parse_port_spec(text))
        except ValueError as exc:
            problems.append(error(spec.location, "service-ports", str(exc)))
    return tuple(mappings)


def _warnings(
    spec: ServiceSpec,
    options: ContainerOptions,
    mappings: tuple[PortMapping, ...],
    served: tuple[int, ...],
) -> tuple[str, ...]:
    notes = [f"options {flag!r} ignored (no Docker)" for flag in options.ignored]
    if spec.volumes:
        notes.append(f"volumes ignored (no Docker): {', '.join(map(str, spec.volumes))}")
    seen: set[int] = set()
    for mapping in mappings:
        if mapping.container not in served or mapping.protocol != "tcp":
            port = f"{mapping.container}/{mapping.protocol}"
            notes.append(f"port {port} is not served by {spec.image}")
        elif mapping.container in seen:
            notes.append(f"port {mapping.container} is mapped twice; the first mapping is used")
        seen.add(mapping.container)
    return tuple(f"service {spec.id}: {note}" for note in notes)
