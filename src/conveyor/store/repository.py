"""Which repository a command is about: the key under which the store files its data."""

from __future__ import annotations

from pathlib import Path


def repository_root(start: Path) -> Path:
    """The nearest directory holding `.git` at or above `start`; `start` itself if none does."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def repository_key(start: Path) -> str:
    """Local repositories are keyed by their root's absolute path (a server uses owner/name)."""
    return str(repository_root(start))
