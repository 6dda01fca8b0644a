"""Action overrides from the repository's conveyor.toml and the command line, checked.

```toml
[actions.overrides]
"pypa/gh-action-pypi-publish" = "skip"        # its steps are reported skipped, with a notice
"hynek/setup-cached-uv" = "../setup-cached-uv"  # a local copy (relative to the repository root)
```

`conveyor run --action-dir owner/repo=PATH` (PATH relative to the current directory) and
`--skip-action owner/repo` (both repeatable) win over the file. A key is `owner/repo` or
`owner/repo/path` (case-insensitive, no `@ref`); a directory must exist. A bad key or value is a
UsageError naming conveyor.toml or the option. Only the `overrides` table of `[actions]` is read
here (its other keys belong to the remote-actions settings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from conveyor.bootstrap.settings import CONFIG_FILE, repository_config
from conveyor.errors import UsageError
from conveyor.executors.local.action_overrides import SKIP, ActionOverride

_KEY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")


def action_overrides(
    repository: Path,
    directories: Iterable[str] = (),
    skips: Iterable[str] = (),
    *,
    revision: str | None = None,
) -> dict[str, ActionOverride]:
    """The overrides in effect: conveyor.toml's, then `--action-dir`/`--skip-action` over them
    (`revision`: the run's commit, whose conveyor.toml counts when the working tree has none)."""
    found = _from_file(repository, revision)
    found.update(_from_directories(directories))
    found.update(_from_skips(skips))
    return found


def _from_file(repository: Path, revision: str | None) -> dict[str, ActionOverride]:
    config = repository_config(repository, revision)
    committed = revision if config.path.name != CONFIG_FILE else None  # the commit's file
    table = _overrides_table(config.data, config.path)
    found: dict[str, ActionOverride] = {}
    for key, value in table.items():
        where = f"{config.path}: [actions.overrides] '{key}'"
        if not isinstance(value, str) or not value.strip():
            raise UsageError(f'{where}: expected a directory or "skip", got {value!r}')
        override = _override(value, repository, where, CONFIG_FILE, committed)
        found[_checked_key(key, where)] = override
    return found


def _overrides_table(data: Mapping[str, object], path: Path) -> Mapping[str, object]:
    actions = data.get("actions", {})
    if not isinstance(actions, Mapping):
        raise UsageError(f"{path}: [actions] must be a table")
    table = actions.get("overrides", {})
    if not isinstance(table, Mapping):
        raise UsageError(f'{path}: [actions.overrides] must be a table of owner/repo = PATH|"skip"')
    return table


def _from_directories(values: Iterable[str]) -> dict[str, ActionOverride]:
    found: dict[str, ActionOverride] = {}
    for value in values:
        where = f"--action-dir {value}"
        key, separator, path = value.partition("=")
        if not separator or not path.strip():
            raise UsageError(f"{where}: expected owner/repo=PATH")
        found[_checked_key(key, where)] = _override(path, Path.cwd(), where, "--action-dir")
    return found


def _from_skips(values: Iterable[str]) -> dict[str, ActionOverride]:
    return {
        _checked_key(value, f"--skip-action {value}"): ActionOverride(None, "--skip-action")
        for value in values
    }


def _checked_key(key: str, where: str) -> str:
    text = key.strip().strip("/")
    if not _KEY.fullmatch(text):
        raise UsageError(f"{where}: expected owner/repo or owner/repo/path (no @ref)")
    return text.lower()


def _override(
    value: str, base: Path, where: str, source: str, revision: str | None = None
) -> ActionOverride:
    """`revision`: the commit whose conveyor.toml names it (a relative directory is then the
    commit's, extracted: bootstrap/committed_actions.py)."""
    if value.strip().lower() == SKIP:
        return ActionOverride(None, source)
    directory = base / Path(value.strip()).expanduser()
    if revision is not None and not directory.is_dir():
        from conveyor.bootstrap.committed_actions import committed_directory

        directory = committed_directory(base, revision, Path(value.strip())) or directory
    if not directory.is_dir():
        raise UsageError(f"{where}: {directory} is not a directory")
    return ActionOverride(directory, source)
