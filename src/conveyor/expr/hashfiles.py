"""hashFiles(): the SHA-256 of the SHA-256 digests of the matching files, in search order.

The search follows @actions/glob: each search path is walked depth first, directory entries in name
order, descending only where a pattern could still match. Only regular files under the workspace
count; directories are skipped. No match gives ''. This is the one place conveyor.expr reads files.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from conveyor.expr.globbing import MatchKind, Pattern, parse_patterns

_CHUNK = 1 << 20


def hash_files(workspace: str, patterns: list[str], follow_symbolic_links: bool = False) -> str:
    """Hash the files matching `patterns` (GitHub's multi-line glob syntax) under `workspace`.

    Raises OSError for unreadable files and ValueError for invalid patterns.
    """
    import hashlib  # loaded by the first hashFiles() only

    files = matching_files(workspace, patterns, follow_symbolic_links)
    digest = hashlib.sha256()
    for path in files:
        digest.update(_file_digest(path))
    return digest.hexdigest() if files else ""


def matching_files(
    workspace: str, patterns: list[str], follow_symbolic_links: bool = False
) -> list[str]:
    """The files hashFiles hashes, in its order: matches under the workspace, not directories."""
    root = os.path.realpath(workspace)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"the workspace '{workspace}' is not a directory")
    parsed = parse_patterns("\n".join(patterns), root, os.path.expanduser("~"))
    return [
        path
        for path in matching_paths(parsed, follow_symbolic_links)
        if path.startswith(root + os.sep) and not os.path.isdir(path)
    ]


def _file_digest(path: str) -> bytes:
    import hashlib  # already loaded by hash_files: a lookup in sys.modules

    file_hash = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            file_hash.update(chunk)
    return file_hash.digest()


def search_paths(patterns: list[Pattern]) -> list[str]:
    """Where to start walking: each include pattern's literal prefix, minus nested duplicates."""
    candidates = [pattern.search_path for pattern in patterns if not pattern.negate]
    chosen: list[str] = []
    for path in candidates:
        if path in chosen or any(_is_ancestor(other, path) for other in candidates):
            continue
        chosen.append(path)
    return chosen


def _is_ancestor(ancestor: str, path: str) -> bool:
    return ancestor != path and (ancestor == "/" or path.startswith(ancestor.rstrip("/") + "/"))


def match(patterns: list[Pattern], names: list[str]) -> MatchKind:
    result = MatchKind.NONE
    for pattern in patterns:
        if pattern.negate:
            result &= ~pattern.match(names)
        else:
            result |= pattern.match(names)
    return result


def matching_paths(patterns: list[Pattern], follow_symbolic_links: bool) -> Iterator[str]:
    """Paths of matching files and directories, in @actions/glob's order."""
    stack = [(path, 1) for path in reversed(search_paths(patterns)) if os.path.lexists(path)]
    chain: list[str] = []  # real paths of the directories being walked, to stop symlink cycles
    while stack:
        path, level = stack.pop()
        names = [name for name in path.split("/") if name]
        kind = match(patterns, names)
        partial = bool(kind) or any(
            not pattern.negate and pattern.partial_match(names) for pattern in patterns
        )
        if not partial:
            continue
        mode = _mode(path, follow_symbolic_links)
        if mode is None:
            continue
        if stat.S_ISDIR(mode):
            if follow_symbolic_links and _is_cycle(path, level, chain):
                continue
            if kind & MatchKind.DIRECTORY:
                yield path
            stack.extend((os.path.join(path, child), level + 1) for child in _children(path))
        elif kind & MatchKind.FILE:
            yield path


def _mode(path: str, follow_symbolic_links: bool) -> int | None:
    """The file mode (following links when asked); None for a broken link or a vanished path."""
    try:
        return os.stat(path).st_mode if follow_symbolic_links else os.lstat(path).st_mode
    except FileNotFoundError:
        return None


def _children(path: str) -> list[str]:
    """Entries in reverse name order, so popping the stack visits them in name order."""
    return sorted(os.listdir(path), reverse=True)


def _is_cycle(path: str, level: int, chain: list[str]) -> bool:
    real = os.path.realpath(path)
    del chain[level - 1 :]
    if real in chain:
        return True
    chain.append(real)
    return False
