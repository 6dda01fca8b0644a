"""Reading an action's metadata file (`action.yml` / `action.yaml`) into an `ActionDefinition`.

Only what running the action needs: inputs (defaults), outputs, `runs` (composite steps as
`conveyor.model.workflow.Step`, node entry points with `pre-if`/`post-if`, or a docker image
with its `entrypoint`, `args` and `env`, run by docker_action).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from conveyor.errors import SourceLocation
from conveyor.model.workflow import Step

METADATA_FILES = ("action.yml", "action.yaml")
NODE_RUNTIMES = ("node12", "node16", "node20", "node24")


class ActionLoadError(ValueError):
    """The action cannot be found or its metadata is invalid (the step fails with this)."""


@dataclass(frozen=True, slots=True)
class ActionInput:
    name: str
    default: object = None
    required: bool = False


@dataclass(frozen=True, slots=True)
class ActionDefinition:
    directory: Path
    file: Path
    name: str
    using: str
    inputs: tuple[ActionInput, ...] = ()
    outputs: Mapping[str, object] = field(default_factory=dict)  # composite: name → value
    steps: tuple[Step, ...] = ()
    main: str | None = None
    pre: str | None = None
    post: str | None = None
    pre_if: str = "always()"
    post_if: str = "always()"
    image: str | None = None
    entrypoint: str | None = None  # docker: runs.entrypoint
    args: tuple[object, ...] | None = None  # docker: runs.args (None: the `args` input)
    container_env: Mapping[str, object] = field(default_factory=dict)  # docker: runs.env

    @property
    def is_composite(self) -> bool:
        return self.using == "composite"

    @property
    def is_node(self) -> bool:
        return self.using in NODE_RUNTIMES


def load_action(directory: Path) -> ActionDefinition:
    """The definition in `directory`; ActionLoadError when missing or invalid."""
    for name in METADATA_FILES:
        if (directory / name).is_file():
            return _parse(directory, directory / name)
    if (directory / "Dockerfile").is_file():
        return ActionDefinition(directory, directory / "Dockerfile", directory.name, "docker")
    raise ActionLoadError(
        f"Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '{directory}'. "
        "Did you forget to run actions/checkout before running your local action?"
    )


def _parse(directory: Path, file: Path) -> ActionDefinition:
    from ruamel.yaml import YAML  # here: a run without local actions does not load it
    from ruamel.yaml.error import YAMLError

    try:
        document = YAML(typ="rt").load(file.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise ActionLoadError(f"{file}: cannot read the action: {exc}") from exc
    if not isinstance(document, Mapping):
        raise ActionLoadError(f"{file}: an action file must be a mapping")
    runs = document.get("runs")
    if not isinstance(runs, Mapping) or not runs.get("using"):
        raise ActionLoadError(f"{file}: 'runs.using' is missing")
    using = str(runs["using"]).strip().lower()
    base = ActionDefinition(
        directory=directory,
        file=file,
        name=str(document.get("name") or directory.name),
        using=using,
        inputs=_inputs(document.get("inputs")),
        outputs=_outputs(document.get("outputs")),
    )
    if using == "composite":
        return replace(base, steps=_composite_steps(file, runs))
    if using in NODE_RUNTIMES:
        return _node(base, runs, file)
    if using == "docker":
        return _docker(base, runs)
    raise ActionLoadError(f"{file}: runs.using '{using}' is not supported")


def _node(base: ActionDefinition, runs: Mapping[str, Any], file: Path) -> ActionDefinition:
    if not runs.get("main"):
        raise ActionLoadError(f"{file}: 'runs.main' is missing")
    return replace(
        base,
        main=str(runs["main"]),
        pre=str(runs["pre"]) if runs.get("pre") else None,
        post=str(runs["post"]) if runs.get("post") else None,
        pre_if=_text(runs.get("pre-if"), "always()"),
        post_if=_text(runs.get("post-if"), "always()"),
    )


def _docker(base: ActionDefinition, runs: Mapping[str, Any]) -> ActionDefinition:
    args = runs.get("args")
    return replace(
        base,
        image=str(runs.get("image") or ""),
        entrypoint=str(runs["entrypoint"]) if runs.get("entrypoint") else None,
        args=tuple(_plain(arg) for arg in args) if isinstance(args, list) else None,
        container_env=_mapping(runs.get("env")),
    )


def _text(value: object, default: str) -> str:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _inputs(raw: object) -> tuple[ActionInput, ...]:
    if not isinstance(raw, Mapping):
        return ()
    found = []
    for name, spec in raw.items():
        spec = spec if isinstance(spec, Mapping) else {}
        found.append(
            ActionInput(str(name), _plain(spec.get("default")), bool(spec.get("required")))
        )
    return tuple(found)


def _outputs(raw: object) -> dict[str, object]:
    if not isinstance(raw, Mapping):
        return {}
    return {
        str(name): _plain(spec.get("value")) if isinstance(spec, Mapping) else None
        for name, spec in raw.items()
    }


def _composite_steps(file: Path, runs: Mapping[str, Any]) -> tuple[Step, ...]:
    raw_steps = runs.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ActionLoadError(f"{file}: missing steps in composite action")
    return tuple(parse_step(file, index, raw) for index, raw in enumerate(raw_steps))


def parse_step(file: Path, index: int, raw: object) -> Step:
    """One step mapping (as ruamel loaded it) → a Step; ActionLoadError when invalid."""
    where = _location(file, raw)
    if not isinstance(raw, Mapping):
        raise ActionLoadError(f"{where}: a composite step must be a mapping")
    run, uses = raw.get("run"), raw.get("uses")
    if (run is None) == (uses is None):
        raise ActionLoadError(f"{where}: a composite step needs exactly one of 'run' and 'uses'")
    return Step(
        index=index,
        location=where,
        id=str(raw["id"]) if raw.get("id") is not None else None,
        name=_plain(raw.get("name")),
        condition=_plain(raw.get("if")),
        uses=str(uses) if uses is not None else None,
        run=str(run) if run is not None else None,
        shell=str(raw["shell"]) if raw.get("shell") is not None else None,
        with_=_mapping(raw.get("with")),
        env=_mapping(raw.get("env")),
        continue_on_error=_plain(raw.get("continue-on-error", False)),
        timeout_minutes=_plain(raw.get("timeout-minutes")),
        working_directory=(
            str(raw["working-directory"]) if raw.get("working-directory") is not None else None
        ),
    )


def _location(file: Path, node: object) -> SourceLocation:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return SourceLocation(str(file))
    return SourceLocation(str(file), lc.line + 1, lc.col + 1)


def _mapping(raw: object) -> dict[str, object]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(key): _plain(value) for key, value in raw.items()}


def _plain(value: object) -> object:
    """ruamel's round-trip scalars and containers → plain Python values."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value)
