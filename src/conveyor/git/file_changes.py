"""The files two commits differ in, as GitHub's compare and pull-request files list them: path,
status (added, removed, modified), blob SHA, lines added and deleted, and the patch."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.git.repository import GitRepository

_STATUS = {"A": "added", "D": "removed", "M": "modified", "T": "changed"}
MAX_PATCH_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    status: str
    sha: str | None  # the blob in `new` (None when removed)
    additions: int
    deletions: int
    patch: str | None  # None for binary files and large patches


def file_changes(repo: GitRepository, old: str, new: str) -> list[FileChange]:
    raw = repo.git("diff", "--raw", "-z", "--no-renames", "--no-abbrev", old, new, "--")
    stats = {path: (added, deleted) for added, deleted, path in repo.diff_stats(old, new)}
    fields = raw.split("\0")
    changes = []
    for header, path in zip(fields[0::2], fields[1::2], strict=False):
        if not header.startswith(":"):
            continue
        _old_mode, _new_mode, _old_sha, new_sha, status = header[1:].split()
        added, deleted = stats.get(path, (0, 0))
        blob = None if status == "D" else new_sha
        changes.append(
            FileChange(path, _STATUS.get(status, "modified"), blob, added, deleted,
                       _patch(repo, old, new, path))
        )  # fmt: skip
    return changes


def _patch(repo: GitRepository, old: str, new: str, path: str) -> str | None:
    out = repo.try_git("diff", "--no-renames", "--no-color", old, new, "--", path)
    if not out or "\nBinary files" in out or len(out) > MAX_PATCH_BYTES:
        return None
    at = out.find("\n@@")
    return out[at + 1 :].rstrip("\n") if at >= 0 else None
