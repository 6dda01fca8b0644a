"""GitHub's workflow template schema (`data/workflow-v1.0.json`) as Python objects.

The format is GitHub's own (not JSON Schema): each definition is a `null`, `boolean`, `number`,
`string` (optionally a constant or non-empty), `sequence` (item type), `mapping` (properties and/or
loose key and value types) or `one-of`; `allowed-values` is a one-of of string constants. A
definition's `context` lists the expression contexts and functions (`hashFiles(1,255)`) allowed in
its value. Definitions are read once and cached.

The file is GitHub's, unmodified; `_CORRECTIONS` replaces the few definitions where it disagrees
with what GitHub accepts (each with its reason).
"""

from __future__ import annotations

import enum
import functools
import json
from dataclasses import dataclass, field
from importlib import resources

SCHEMA_FILE = "workflow-v1.0.json"
ROOT = "workflow-root-strict"
ANY = "any"

# Definitions of the shipped schema replaced by what GitHub accepts.
_CORRECTIONS: dict[str, dict[str, object]] = {
    # The shipped file gives this the constant of branch_protection_rule (a copy-paste slip), so
    # `on: repository_dispatch` and `on: [push, repository_dispatch]` would be refused.
    "repository-dispatch-string": {"string": {"constant": "repository_dispatch"}},
    # GitHub runs `workflow_dispatch: {inputs: }` (no inputs) and an input declared as `name:`
    # (a string input); the shipped file requires mappings for both.
    "workflow-dispatch-inputs": {"one-of": ["null", "workflow-dispatch-inputs-mapping"]},
    "workflow-dispatch-input": {"one-of": ["null", "workflow-dispatch-input-mapping"]},
}
# Where the shipped definitions replaced above live on under a new name.
_RENAMED = {
    "workflow-dispatch-inputs": "workflow-dispatch-inputs-mapping",
    "workflow-dispatch-input": "workflow-dispatch-input-mapping",
}


class Kind(enum.Enum):
    NULL = "null"
    BOOLEAN = "boolean"
    NUMBER = "number"
    STRING = "string"
    SEQUENCE = "sequence"
    MAPPING = "mapping"
    ONE_OF = "one-of"


SCALAR_KINDS = frozenset({Kind.NULL, Kind.BOOLEAN, Kind.NUMBER, Kind.STRING})


@dataclass(frozen=True, slots=True)
class Property:
    type: str
    required: bool = False


@dataclass(slots=True, eq=False)
class Definition:
    name: str
    kind: Kind
    context: tuple[str, ...] = ()
    constant: str | None = None
    require_non_empty: bool = False
    item_type: str = ANY
    properties: dict[str, Property] = field(default_factory=dict)
    loose_key_type: str | None = None
    loose_value_type: str | None = None
    one_of: tuple[str, ...] = ()

    def accepts(self, value: object) -> bool:
        """Whether this scalar definition matches a literal value as it is (no conversion)."""
        if self.kind is Kind.NULL:
            return value is None
        if self.kind is Kind.BOOLEAN:
            return isinstance(value, bool)
        if self.kind is Kind.NUMBER:
            return isinstance(value, int | float) and not isinstance(value, bool)
        if self.kind is not Kind.STRING or not isinstance(value, str):
            return False
        if self.constant is not None:
            return value == self.constant
        return bool(value) or not self.require_non_empty


class TemplateSchema:
    """Definitions by name, with the one-of expansions the reader needs, cached."""

    def __init__(self, definitions: dict[str, Definition]) -> None:
        self.definitions = definitions
        self._scalars: dict[str, tuple[Definition, ...]] = {}
        self._of_kind: dict[tuple[str, Kind], tuple[Definition, ...]] = {}

    def get(self, name: str) -> Definition:
        return self.definitions[name]

    def scalar_definitions(self, name: str) -> tuple[Definition, ...]:
        cached = self._scalars.get(name)
        if cached is None:
            cached = tuple(d for d in self._expand(name) if d.kind in SCALAR_KINDS)
            self._scalars[name] = cached
        return cached

    def definitions_of_kind(self, name: str, kind: Kind) -> tuple[Definition, ...]:
        key = (name, kind)
        cached = self._of_kind.get(key)
        if cached is None:
            definition = self.definitions[name]
            if definition.kind is kind:
                cached = (definition,)
            elif definition.kind is Kind.ONE_OF:
                nested = (self.definitions[n] for n in definition.one_of)
                cached = tuple(d for d in nested if d.kind is kind)
            else:
                cached = ()
            self._of_kind[key] = cached
        return cached

    def _expand(self, name: str) -> list[Definition]:
        definition = self.definitions[name]
        if definition.kind is not Kind.ONE_OF:
            return [definition]
        return [d for nested in definition.one_of for d in self._expand(nested)]


@functools.cache
def workflow_schema() -> TemplateSchema:
    text = resources.files("conveyor.workflow").joinpath("data", SCHEMA_FILE).read_text("utf-8")
    raw = _corrected(json.loads(text)["definitions"])
    definitions = _builtins()
    for name, body in raw.items():
        definitions.update(_read_definition(name, body))
    return TemplateSchema(definitions)


def _corrected(raw: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    renamed = {new: raw[old] for old, new in _RENAMED.items()}
    return raw | renamed | _CORRECTIONS


def _builtins() -> dict[str, Definition]:
    kinds = [Kind.NULL, Kind.BOOLEAN, Kind.NUMBER, Kind.STRING]
    result = {kind.value: Definition(kind.value, kind) for kind in kinds}
    result["sequence"] = Definition("sequence", Kind.SEQUENCE, item_type=ANY)
    result["mapping"] = Definition(
        "mapping", Kind.MAPPING, loose_key_type="string", loose_value_type=ANY
    )
    members = ("null", "boolean", "number", "string", "sequence", "mapping")
    result[ANY] = Definition(ANY, Kind.ONE_OF, one_of=members)
    return result


def _read_definition(name: str, body: dict[str, object]) -> dict[str, Definition]:
    context = tuple(str(item) for item in _list(body.get("context")))
    if "allowed-values" in body:
        values = [str(v) for v in _list(body["allowed-values"])]
        constants = {
            f"{name}-{v}": Definition(f"{name}-{v}", Kind.STRING, constant=v) for v in values
        }
        one_of = Definition(name, Kind.ONE_OF, context, one_of=tuple(constants))
        return {**constants, name: one_of}
    for kind in Kind:
        spec = body.get(kind.value)
        if spec is not None:
            return {name: _build(name, kind, context, spec)}
    raise ValueError(f"schema definition '{name}' has no type")


def _build(name: str, kind: Kind, context: tuple[str, ...], spec: object) -> Definition:
    if kind is Kind.ONE_OF:
        return Definition(name, kind, context, one_of=tuple(str(n) for n in _list(spec)))
    options = spec if isinstance(spec, dict) else {}
    definition = Definition(name, kind, context)
    if kind is Kind.STRING:
        definition.constant = options.get("constant")
        definition.require_non_empty = bool(options.get("require-non-empty", False))
    elif kind is Kind.SEQUENCE:
        definition.item_type = str(options.get("item-type", ANY))
    elif kind is Kind.MAPPING:
        definition.properties = {k: _property(v) for k, v in options.get("properties", {}).items()}
        definition.loose_key_type = options.get("loose-key-type")
        definition.loose_value_type = options.get("loose-value-type")
    return definition


def _property(spec: object) -> Property:
    if isinstance(spec, str):
        return Property(spec)
    assert isinstance(spec, dict)
    return Property(str(spec["type"]), bool(spec.get("required", False)))


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []
