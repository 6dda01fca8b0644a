"""Multi-line path patterns as actions/cache and upload-artifact take them (@actions/glob style).

One pattern per line; blank lines and `#` comments ignored; `!` excludes; `~` is the home
directory; relative patterns are relative to the workspace; `*`, `?`, `[...]` and `**` glob. A
matched directory stands for every file under it.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

_MAGIC = ("*", "?", "[")


@dataclass(frozen=True, slots=True)
class PathPattern:
    pattern: str  # absolute
    negate: bool = False

    @property
    def search_path(self) -> str:
        """The literal part before the first glob character (the pattern itself if none)."""
        parts = Path(self.pattern).parts
        literal: list[str] = []
        for part in parts:
            if any(ch in part for ch in _MAGIC):
                break
            literal.append(part)
        return str(Path(*literal)) if literal else os.sep


def parse_patterns(text: str, workspace: str) -> list[PathPattern]:
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        line = line.lstrip("!").strip()
        if line.startswith("~"):
            line = os.path.expanduser(line)
        absolute = os.path.normpath(os.path.join(workspace, line))
        patterns.append(PathPattern(absolute, negate))
    return patterns


def matching_files(patterns: list[PathPattern]) -> list[Path]:
    """Every file matched by an include pattern and by no exclude pattern, sorted."""
    included: set[str] = set()
    excluded: set[str] = set()
    for pattern in patterns:
        target = excluded if pattern.negate else included
        for match in glob.glob(pattern.pattern, recursive=True, include_hidden=True):
            target.update(_files_under(match))
    return sorted(Path(p) for p in included - excluded)


def _files_under(path: str) -> set[str]:
    if os.path.isdir(path) and not os.path.islink(path):
        found: set[str] = set()
        for directory, _, files in os.walk(path):
            found.update(os.path.join(directory, name) for name in files)
        return found
    return {path} if os.path.lexists(path) else set()


def common_root(paths: list[str]) -> str:
    """The least common ancestor directory of `paths`."""
    if len(paths) == 1:
        return paths[0]
    return os.path.commonpath(paths)
