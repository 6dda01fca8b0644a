"""Marketplace actions run by conveyor's native ones (docs/actions.md, "Native repository
automation").

```toml
[actions.native]
"actions/stale" = "conveyor/stale"
"re-actors/alls-green" = "conveyor/quality-gate"
```

`conveyor run --native-actions` adds the built-in map (`conveyor.actions.BUILTIN_NATIVE_MAP`);
the file's entries win over it. A key is `owner/repo[/path]` (no `@ref`), a value a native action
conveyor ships (`conveyor/<name>`, an `@ref` allowed and ignored); anything else is a UsageError
naming conveyor.toml. `[actions.overrides]` still come first (a local directory or skip).

A run of a commit (`revision`) in a repository without a working-tree conveyor.toml — a served
run: the server's view of a repository has no working tree — reads the file as committed there
(`bootstrap.settings.repository_config`, as every reader of conveyor.toml).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from conveyor.bootstrap.settings import ConfigFile, repository_config
from conveyor.errors import UsageError

_KEY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")


def native_map(
    repository: Path | None, *, builtin: bool = False, revision: str | None = None
) -> dict[str, str]:
    """`owner/repo[/path]` (lower case) → the native action that runs it (`revision`: the run's
    commit, whose conveyor.toml counts when the working tree has none)."""
    from conveyor.actions import BUILTIN_NATIVE_MAP, NATIVE_ACTIONS

    found = {k: v for k, v in BUILTIN_NATIVE_MAP.items() if v in NATIVE_ACTIONS} if builtin else {}
    if repository is not None:
        found.update(_from_file(repository_config(repository, revision), frozenset(NATIVE_ACTIONS)))
    return found


def _from_file(config: ConfigFile, shipped: frozenset[str]) -> dict[str, str]:
    table = _native_table(config.data, config.path)
    found: dict[str, str] = {}
    for key, value in table.items():
        where = f"{config.path}: [actions.native] '{key}'"
        text = key.strip().strip("/")
        if not _KEY.fullmatch(text):
            raise UsageError(f"{where}: expected owner/repo or owner/repo/path (no @ref)")
        found[text.lower()] = _native(value, where, shipped)
    return found


def _native_table(data: Mapping[str, object], path: Path) -> Mapping[str, object]:
    actions = data.get("actions", {})
    if not isinstance(actions, Mapping):
        raise UsageError(f"{path}: [actions] must be a table")
    table = actions.get("native", {})
    if not isinstance(table, Mapping):
        raise UsageError(
            f'{path}: [actions.native] must be a table of owner/repo = "conveyor/NAME"'
        )
    return table


def _native(value: object, where: str, shipped: frozenset[str]) -> str:
    name = value.split("@", 1)[0].strip().lower() if isinstance(value, str) else ""
    if name not in shipped:
        natives = ", ".join(sorted(n for n in shipped if n.startswith("conveyor/")))
        raise UsageError(f"{where}: {value!r} is not a native action (one of: {natives})")
    return name
