"""`[run.platforms]` in conveyor.toml (or the user's config.toml): `runs-on` labels run on this
host anyway, as `--platform LABEL=host` does.

    [run.platforms]
    "windows-latest" = "host"
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from conveyor.bootstrap.settings import ConfigFile, config_files
from conveyor.errors import UsageError

HOST = "host"


def configured_platforms(repository: Path, *, revision: str | None = None) -> tuple[str, ...]:
    """The labels the settings files map to the host (a UsageError naming the file when the
    table is not label = "host"; `revision`: the run's commit, see `repository_config`)."""
    labels: list[str] = []
    for file in config_files(repository, revision):
        labels.extend(_labels(file))
    return tuple(dict.fromkeys(labels))


def _labels(file: ConfigFile) -> list[str]:
    run = file.data.get("run")
    table = run.get("platforms") if isinstance(run, Mapping) else None
    if table is None:
        return []
    if not isinstance(table, Mapping):
        raise UsageError(f'{file.path}: run.platforms must be a table of label = "{HOST}"')
    for label, target in table.items():
        if target != HOST:
            raise UsageError(
                f'{file.path}: run.platforms."{label}" must be "{HOST}" (got {target!r})'
            )
    return [str(label) for label in table]
