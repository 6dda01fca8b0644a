"""JSON for what crosses between the server and a worker: a `JobDocument` (server → worker) and
the step results, annotations and job result (worker → server).

The model's frozen dataclasses are written as `{"$type": "Step", ...fields}`, tuples as
`{"$tuple": [...]}` and enums as `{"$enum": "Conclusion", "value": "success"}`. Only the types
named in `_TYPES` are read back: nothing else can be built from a message.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from conveyor.engine.ports.executor import JobDocument
from conveyor.errors import SourceLocation
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion, JobResult, StepResult
from conveyor.model.services import ContainerSpec, ServiceSpec
from conveyor.model.workflow import RunDefaults, Step

_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        JobDocument,
        Step,
        RunDefaults,
        ServiceSpec,
        ContainerSpec,
        SourceLocation,
        StepResult,
        JobResult,
        Annotation,
    )
}
_ENUMS: dict[str, type[enum.Enum]] = {cls.__name__: cls for cls in (Conclusion, AnnotationLevel)}
T = TypeVar("T")


class CodecError(ValueError):
    """A message that is not one of the known shapes."""


def encode(value: object) -> Any:
    """`value` as JSON-able data (see the module's docstring)."""
    if isinstance(value, enum.Enum):
        return {"$enum": type(value).__name__, "value": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$type": type(value).__name__, **fields}
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): encode(item) for key, item in value.items()}
    return value


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "$tuple" in data:
        return tuple(decode(item) for item in data["$tuple"])
    if "$enum" in data:
        return _enum(data)
    if "$type" in data:
        return _dataclass(data)
    return {key: decode(item) for key, item in data.items()}


def _enum(data: dict[str, Any]) -> enum.Enum:
    cls = _ENUMS.get(str(data["$enum"]))
    if cls is None:
        raise CodecError(f"unknown enum {data['$enum']!r}")
    return cls(data.get("value"))


def _dataclass(data: dict[str, Any]) -> object:
    cls = _TYPES.get(str(data["$type"]))
    if cls is None:
        raise CodecError(f"unknown type {data['$type']!r}")
    known = {f.name for f in dataclasses.fields(cls)}
    fields = {key: decode(item) for key, item in data.items() if key in known}
    try:
        return cls(**fields)
    except TypeError as error:
        raise CodecError(f"bad {cls.__name__}: {error}") from None


def decode_as(data: Any, cls: type[T]) -> T:
    """`data` decoded, which must be a `cls`."""
    value = decode(data)
    if not isinstance(value, cls):
        raise CodecError(f"expected a {cls.__name__}")
    return value


def dumps(value: object) -> str:
    return json.dumps(encode(value), separators=(",", ":"))


def loads_as(text: str | bytes, cls: type[T]) -> T:
    return decode_as(json.loads(text), cls)
