"""Which expression contexts and functions a key allows (the schema's `context` lists).

A definition without its own `context` inherits its parent's; one with a `context` adds its
entries to the parent's (as GitHub's template reader does). Function entries carry their
argument counts: `hashFiles(1,255)`, `success(0,MAX)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KNOWN_CONTEXTS = frozenset(
    {"github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix"}
    | {"needs", "inputs"}
)
STATUS_FUNCTIONS = frozenset({"success", "failure", "cancelled", "always"})
SPECIAL_FUNCTIONS = STATUS_FUNCTIONS | {"hashfiles"}


@dataclass(frozen=True, slots=True)
class Scope:
    items: tuple[str, ...] = ()
    names: frozenset[str] = field(default=frozenset(), compare=False)
    functions: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def allows_expressions(self) -> bool:
        return bool(self.items)

    def describe(self) -> str:
        return ", ".join(sorted(self.names)) or "none"


EMPTY_SCOPE = Scope()
_CACHE: dict[tuple[tuple[str, ...], tuple[str, ...]], Scope] = {}


def child_scope(parent: Scope, context: tuple[str, ...]) -> Scope:
    """The scope of a definition with its own `context` under `parent`."""
    key = (parent.items, context)
    scope = _CACHE.get(key)
    if scope is None:
        scope = _make_scope(parent.items, context)
        _CACHE[key] = scope
    return scope


def _make_scope(parent: tuple[str, ...], context: tuple[str, ...]) -> Scope:
    items = list(parent)
    seen = {item.upper() for item in items}
    for item in context:
        if item.upper() not in seen:
            items.append(item)
            seen.add(item.upper())
    names = frozenset(item.lower() for item in items if "(" not in item)
    functions = frozenset(item.split("(")[0].lower() for item in items if "(" in item)
    return Scope(tuple(items), names, functions)
