"""Matrix expansion exactly as GitHub's MatrixBuilder (semantics reference §5.1).

`expand_matrix` takes an evaluated `strategy.matrix` mapping and returns the combinations in
GitHub's order: the product of the vectors (first vector slowest) minus excludes, each extended
by the include entries whose vector keys match it, then the unused include entries on their own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from conveyor.engine.expressions import to_string
from conveyor.engine.loose_equality import loose_equals
from conveyor.errors import PlanError

MAX_COMBINATIONS = 256

LeafTest = tuple[tuple[object, ...], object]  # (path into the combination, expected value)


@dataclass(frozen=True, slots=True)
class MatrixLeg:
    """One combination: `values` is the matrix context, `name_values` what the job name shows."""

    values: Mapping[str, object]
    name_values: tuple[object, ...] = ()


@dataclass(slots=True)
class _Include:
    filter: dict[str, object]
    extra: dict[str, object]
    tests: list[LeafTest]
    used: bool = False


def expand_matrix(matrix: Mapping[str, object]) -> tuple[MatrixLeg, ...]:
    """All combinations of an evaluated matrix, or PlanError for a malformed one."""
    vectors = _vectors(matrix)
    exclude_entries = _entries(matrix, "exclude")
    for entry in exclude_entries:
        _require_vector_keys(entry, vectors)
    excludes = [list(_walk((), entry)) for entry in exclude_entries]
    includes = [_split_include(entry, vectors) for entry in _entries(matrix, "include")]
    if not vectors and not includes:
        raise PlanError("Matrix must define at least one vector")
    legs = list(_product_legs(vectors, excludes, includes))
    legs.extend(_standalone(include) for include in includes if not include.used)
    if len(legs) > MAX_COMBINATIONS:
        raise PlanError(f"Strategy matrix must not exceed {MAX_COMBINATIONS} items")
    return tuple(legs)


def _vectors(matrix: Mapping[str, object]) -> dict[str, list[object]]:
    vectors: dict[str, list[object]] = {}
    for key, value in matrix.items():
        if key.lower() in ("include", "exclude"):
            continue
        if not isinstance(value, list | tuple):
            raise PlanError(f"Matrix vector '{key}' must be a sequence")
        if not value:
            raise PlanError(f"Matrix vector '{key}' does not contain any values")
        vectors[key] = list(value)
    return vectors


def _entries(matrix: Mapping[str, object], name: str) -> list[Mapping[str, object]]:
    raw = next((v for k, v in matrix.items() if k.lower() == name), None)
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise PlanError(f"Matrix '{name}' must be a sequence of mappings")
    entries: list[Mapping[str, object]] = []
    for entry in raw:
        if not isinstance(entry, Mapping) or not entry:
            raise PlanError(f"Matrix '{name}' entries must be non-empty mappings")
        entries.append(entry)
    return entries


def _require_vector_keys(entry: Mapping[str, object], vectors: Mapping[str, object]) -> None:
    names = {key.lower() for key in vectors}
    for key in entry:
        if key.lower() not in names:
            raise PlanError(f"Matrix exclude key '{key}' does not match any key within the matrix")


def _split_include(entry: Mapping[str, object], vectors: Mapping[str, object]) -> _Include:
    names = {key.lower() for key in vectors}
    filter_part = {k: v for k, v in entry.items() if k.lower() in names}
    extra = {k: v for k, v in entry.items() if k.lower() not in names}
    return _Include(filter_part, extra, list(_walk((), filter_part)))


def _walk(path: tuple[object, ...], value: object) -> Iterator[LeafTest]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk((*path, str(key)), item)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk((*path, index), item)
    else:
        yield path, value


def _passes(tests: Sequence[LeafTest], combination: Mapping[str, object]) -> bool:
    return all(loose_equals(_lookup(combination, path), expected) for path, expected in tests)


def _lookup(value: object, path: tuple[object, ...]) -> object:
    for step in path:
        if isinstance(step, str) and isinstance(value, Mapping):
            value = next((v for k, v in value.items() if str(k).lower() == step.lower()), None)
        elif isinstance(step, int) and isinstance(value, list | tuple) and step < len(value):
            value = value[step]
        else:
            return None
    return value


def _product_legs(
    vectors: dict[str, list[object]], excludes: list[list[LeafTest]], includes: list[_Include]
) -> Iterator[MatrixLeg]:
    if not vectors:
        return
    keys = list(vectors)
    for values in itertools.product(*(vectors[key] for key in keys)):
        combination = dict(zip(keys, values, strict=True))
        if any(_passes(tests, combination) for tests in excludes):
            continue
        merged: dict[str, object] = dict(combination)
        for include in includes:
            if _passes(include.tests, combination):
                include.used = True
                _merge_case_insensitive(merged, include.extra)
        yield MatrixLeg(merged, tuple(values))


def _merge_case_insensitive(target: dict[str, object], extra: Mapping[str, object]) -> None:
    for key, value in extra.items():
        existing = next((k for k in target if k.lower() == key.lower()), None)
        if existing is not None:
            del target[existing]
        target[key] = value


def _standalone(include: _Include) -> MatrixLeg:
    values = {**include.filter, **include.extra}
    return MatrixLeg(values, tuple(values.values()))


def narrow(legs: Sequence[MatrixLeg], wanted: Mapping[str, Sequence[str]]) -> tuple[MatrixLeg, ...]:
    """`--matrix K:V`: keep the legs whose value for each given key is one of the given values."""

    def keep(leg: MatrixLeg) -> bool:
        for key, choices in wanted.items():
            value = _lookup(leg.values, (key,))
            present = any(k.lower() == key.lower() for k in leg.values)
            if present and to_string(value) not in choices:
                return False
        return True

    return tuple(leg for leg in legs if keep(leg))
