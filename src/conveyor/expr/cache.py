"""A bounded compile cache: the same source is parsed and compiled once per process."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")

DEFAULT_SIZE = 8192

_ALL: list[CompileCache[object, object]] = []


class CompileCache(Generic[Key, Value]):
    """A dictionary that forgets its oldest entries beyond `size` (safe to share across threads:
    a race only compiles the same source twice)."""

    def __init__(self, build: Callable[[Key], Value], size: int = DEFAULT_SIZE) -> None:
        self._build = build
        self._size = size
        self._entries: dict[Key, Value] = {}
        _ALL.append(self)  # type: ignore[arg-type]

    def get(self, key: Key) -> Value:
        """The cached value for `key`, built (and kept) on first use; build errors propagate."""
        value = self._entries.get(key)
        if value is None:
            value = self._build(key)
            if len(self._entries) >= self._size:
                self._forget_oldest()
            self._entries[key] = value
        return value

    def _forget_oldest(self) -> None:
        with contextlib.suppress(StopIteration, KeyError, RuntimeError):
            del self._entries[next(iter(self._entries))]  # unless another thread just did

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def clear_caches() -> None:
    """Forget every compiled expression and template (for benchmarks and tests)."""
    for cache in _ALL:
        cache.clear()
