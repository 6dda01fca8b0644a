"""Job display names and instance keys, as GitHub builds them for matrix jobs (reference §5.5)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from conveyor.engine.expressions import to_string

MAX_NAME_LENGTH = 100


def name_segments(values: Sequence[object]) -> tuple[str, ...]:
    """The scalar leaves of matrix values, as strings; null and empty strings skipped."""
    return tuple(text for value in values for text in _leaves(value) if text)


def _leaves(value: object) -> Iterator[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield to_string(value)


def with_suffix(base: str, segments: Sequence[str]) -> str:
    """`base (a, b)` cut to GitHub's 100 characters."""
    name = f"{base} ({', '.join(segments)})" if segments else base
    if len(name) > MAX_NAME_LENGTH:
        return name[: MAX_NAME_LENGTH - 3] + "..."
    return name


def display_name(
    base: str, segments: Sequence[str], *, is_matrix: bool, name_is_expression: bool
) -> str:
    """A `name:` with an expression is shown as evaluated; otherwise matrix legs get a suffix."""
    if name_is_expression or not is_matrix:
        return base[:MAX_NAME_LENGTH]
    return with_suffix(base, segments)


def unique_keys(keys: Sequence[str]) -> tuple[str, ...]:
    """Make instance keys unique (duplicate matrix values are allowed): `key #2`, `key #3`..."""
    seen: dict[str, int] = {}
    result: list[str] = []
    for key in keys:
        count = seen.get(key, 0) + 1
        seen[key] = count
        result.append(key if count == 1 else f"{key} #{count}")
    return tuple(result)
