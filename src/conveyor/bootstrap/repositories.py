"""The repository a command is about: the directory given, resolved."""

from __future__ import annotations

from pathlib import Path

from conveyor.errors import UsageError


def repository_root(repository: Path) -> Path:
    root = repository.resolve()
    if not root.is_dir():
        raise UsageError(f"{repository} is not a directory")
    return root
