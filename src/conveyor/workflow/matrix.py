"""Matrix expansion exactly as GitHub's MatrixBuilder (semantics reference §5.1).

`expand_matrix` takes an evaluated `strategy.matrix` mapping and returns the combinations in
GitHub's order: the product of the vectors (first vector slowest) minus excludes, each extended
by the include entries whose vector keys match it, then the unused include entries on their own.

`count_legs` gives the number of combinations without building them: the product of the vector
sizes, minus the excluded combinations, plus the includes no combination takes. It walks the
vectors key by key, grouping the values that leave the same excludes in play, so a matrix of
100⁶ combinations is counted in a few steps. `expand_matrix` counts first and refuses a matrix
over GitHub's 256 before building anything, then builds only the combinations that survive.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from conveyor.errors import PlanError
from conveyor.expr import to_string
from conveyor.workflow.loose_equality import loose_equals

MAX_COMBINATIONS = 256
TOO_MANY = f"Strategy matrix must not exceed {MAX_COMBINATIONS} items"

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


@dataclass(frozen=True, slots=True)
class _Matrix:
    vectors: dict[str, list[object]]
    excludes: list[list[LeafTest]]
    includes: list[_Include]


def expand_matrix(matrix: Mapping[str, object]) -> tuple[MatrixLeg, ...]:
    """All combinations of an evaluated matrix, or PlanError for a malformed or too large one."""
    read = _read(matrix)
    space = _Space(read)
    if _count(read, space) > MAX_COMBINATIONS:
        raise PlanError(TOO_MANY)
    keys = list(read.vectors)
    legs = [_leg(keys, values, read.includes) for values in space.combinations()]
    legs.extend(_standalone(include) for include in read.includes if not include.used)
    return tuple(legs)


def count_legs(matrix: Mapping[str, object]) -> int:
    """How many combinations `expand_matrix` would give (PlanError for a malformed matrix)."""
    return _count(_read(matrix))


def _read(matrix: Mapping[str, object]) -> _Matrix:
    vectors = _vectors(matrix)
    exclude_entries = _entries(matrix, "exclude")
    for entry in exclude_entries:
        _require_vector_keys(entry, vectors)
    excludes = [list(_walk((), entry)) for entry in exclude_entries]
    includes = [_split_include(entry, vectors) for entry in _entries(matrix, "include")]
    if not vectors and not includes:
        raise PlanError("Matrix must define at least one vector")
    return _Matrix(vectors, excludes, includes)


def _count(read: _Matrix, space: _Space | None = None) -> int:
    space = space or _Space(read)
    unused = sum(1 for include in read.includes if not _Space(read, include.tests).count())
    return space.count() + unused


class _Space:
    """The product of the vectors minus the excluded combinations, optionally only those
    matching `required` tests (an include's filter), counted and walked key by key."""

    def __init__(self, read: _Matrix, required: Sequence[LeafTest] = ()) -> None:
        self.keys = list(read.vectors)
        need = _by_key(required, self.keys)
        self.domains = [
            [v for v in read.vectors[k] if _passes(need.get(k, ()), {k: v})] for k in self.keys
        ]
        self.excludes = [_by_key(tests, self.keys) for tests in read.excludes]
        self.last = [max((self.keys.index(k) for k in e), default=-1) for e in self.excludes]
        self.memo: dict[tuple[int, frozenset[int]], int] = {}
        self.branch_memo: dict[tuple[int, frozenset[int]], list[frozenset[int] | None]] = {}

    def count(self) -> int:
        start = self._start()
        if not self.keys or any(self._complete(e, 0) for e in start):
            return 0
        return self._count(0, start)

    def combinations(self) -> Iterator[tuple[object, ...]]:
        """The surviving combinations in product order (first vector slowest)."""
        if not self.keys:
            return
        if not self.count():
            return
        stack: list[tuple[int, frozenset[int], tuple[object, ...]]] = [(0, self._start(), ())]
        while stack:
            index, alive, prefix = stack.pop()
            if index == len(self.keys):
                yield prefix
                continue
            branches = zip(self.domains[index], self._branches(index, alive), strict=True)
            for value, left in reversed(list(branches)):
                if left is not None and self._count(index + 1, left):
                    stack.append((index + 1, left, (*prefix, value)))

    def _start(self) -> frozenset[int]:
        """Excludes in play; an exclude with no tests at all removes every combination."""
        return frozenset(range(len(self.excludes)))

    def _count(self, index: int, alive: frozenset[int]) -> int:
        """Surviving completions from key `index` on, with the excludes `alive` still matching."""
        if not alive:
            return math.prod(len(domain) for domain in self.domains[index:])
        key = (index, alive)
        if key not in self.memo:
            groups: dict[frozenset[int] | None, int] = {}
            for left in self._branches(index, alive):
                groups[left] = groups.get(left, 0) + 1
            self.memo[key] = sum(
                n * self._count(index + 1, left) for left, n in groups.items() if left is not None
            )
        return self.memo[key]

    def _branches(self, index: int, alive: frozenset[int]) -> list[frozenset[int] | None]:
        """`_narrow` for each value of key `index`, computed once per set of live excludes."""
        key = (index, alive)
        if key not in self.branch_memo:
            domain = self.domains[index]
            self.branch_memo[key] = [self._narrow(index, alive, value) for value in domain]
        return self.branch_memo[key]

    def _narrow(self, index: int, alive: frozenset[int], value: object) -> frozenset[int] | None:
        """The excludes still matching after `value` at key `index`; None when one is complete."""
        key = self.keys[index]
        left = frozenset(e for e in alive if _passes(self.excludes[e].get(key, ()), {key: value}))
        return None if any(self._complete(e, index + 1) for e in left) else left

    def _complete(self, exclude: int, index: int) -> bool:
        """All keys the exclude tests come before `index`: the combination is excluded."""
        return self.last[exclude] < index


def _by_key(tests: Sequence[LeafTest], keys: list[str]) -> dict[str, list[LeafTest]]:
    """Leaf tests grouped by the vector they look at (the first key equal ignoring case)."""
    grouped: dict[str, list[LeafTest]] = {}
    for path, expected in tests:
        name = str(path[0]).lower()
        key = next(k for k in keys if k.lower() == name)
        grouped.setdefault(key, []).append((path, expected))
    return grouped


def _leg(keys: list[str], values: tuple[object, ...], includes: list[_Include]) -> MatrixLeg:
    """A surviving combination, extended by every include entry that matches it."""
    combination = dict(zip(keys, values, strict=True))
    merged: dict[str, object] = dict(combination)
    for include in includes:
        if _passes(include.tests, combination):
            include.used = True
            _merge_case_insensitive(merged, include.extra)
    return MatrixLeg(merged, values)


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
