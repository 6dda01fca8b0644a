"""What conveyor/secret-scan looks at: the tree's files (git's tracked files, else a walk) or,
for a diff, the files a `base...head` diff changes and the lines it adds."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conveyor.errors import UsageError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_SKIPPED_DIRS = {".git", "node_modules", ".venv", "__pycache__"}


@dataclass(frozen=True, slots=True)
class Target:
    """A file to scan (relative to the workspace) and, for a diff, the lines that count."""

    path: str
    lines: frozenset[int] | None = None  # None: every line


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)


def tree_targets(root: Path) -> list[Target]:
    """The tracked files of a git work tree (without the deleted ones), else every file."""
    listed = _git(root, "ls-files", "-z")
    if listed.returncode == 0:
        names = [name for name in listed.stdout.split("\0") if name]
        return [Target(name) for name in names if (root / name).is_file()]
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIPPED_DIRS)
        found += [os.path.relpath(os.path.join(directory, f), root) for f in sorted(files)]
    return [Target(name) for name in found]


def diff_targets(root: Path, base: str, head: str) -> list[Target]:
    """The files `base...head` adds or changes, with the line numbers (in head) it adds."""
    done = _git(
        root, "diff", "-U0", "--no-color", "--no-ext-diff", "--diff-filter=d", f"{base}...{head}"
    )
    if done.returncode != 0:
        problem = done.stderr.strip().splitlines()[-1:] or ["failed"]
        raise UsageError(
            f"git diff {base}...{head} in the workspace: {problem[0]} (the "
            "checkout needs both commits: actions/checkout with fetch-depth: 0)"
        )
    return _parse_diff(done.stdout)


def _parse_diff(diff: str) -> list[Target]:
    added: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = added.setdefault(name[2:], set()) if name.startswith("b/") else None
        elif current is not None and (hunk := _HUNK.match(line)):
            start, count = int(hunk.group(1)), int(hunk.group(2) or "1")
            current.update(range(start, start + count))
    return [Target(path, frozenset(lines)) for path, lines in added.items() if lines]
