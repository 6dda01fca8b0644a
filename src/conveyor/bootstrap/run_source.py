"""One source per run: the workflow files and the job workspaces come from the same place.

By default both come from the run's commit (`github.sha`): the jobs check it out, and the
workflow files are read as committed — from the working tree when they are unchanged there (the
same bytes, and the loaded-workflow cache applies), else from git. `--working-tree` runs both
from the working tree, uncommitted changes and untracked files included. One `git status`,
run on the early-start thread, says which files differ; the header of the run says which source
it uses and, by default, that uncommitted changes are left out.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

WORKING_TREE = "running from the working tree (uncommitted changes included)"


@dataclass(frozen=True, slots=True)
class Uncommitted:
    """HEAD's commit and the paths (relative to the root) that differ from it in the working
    tree; `head` is None when git could not say."""

    head: str | None = None
    paths: tuple[str, ...] = ()

    def under(self, directory: str) -> bool:
        prefix = directory.rstrip("/") + "/"
        return any(path.startswith(prefix) or path == directory for path in self.paths)

    def same_files(self, commit: str | None, directory: str) -> bool:
        """The working tree's files under `directory` are `commit`'s."""
        return commit is not None and commit == self.head and not self.under(directory)


class StatusReader:
    """`git status` of the working tree (tracked changes and untracked files, not ignored),
    started at once and read when needed: it runs beside the rest of the run's start."""

    def __init__(self, root: Path) -> None:
        try:
            self._process: subprocess.Popen[str] | None = subprocess.Popen(
                [*_STATUS, "--no-renames"],
                cwd=root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        except OSError:
            self._process = None
        self._result: Uncommitted | None = None

    def read(self) -> Uncommitted:
        if self._result is None:
            self._result = self._wait()
        return self._result

    def _wait(self) -> Uncommitted:
        if self._process is None:
            return Uncommitted()
        output, _ = self._process.communicate()
        return parse_status(output) if self._process.returncode == 0 else Uncommitted()


_STATUS = ("git", "--no-optional-locks", "status", "--porcelain=v2", "--branch", "-z", "-uall")


# porcelain v2: how many space-separated fields come before the path, by entry type
_FIELDS_BEFORE_PATH = {"1": 8, "u": 10, "?": 1}


def parse_status(output: str) -> Uncommitted:
    head: str | None = None
    paths: list[str] = []
    for entry in output.split("\0"):
        if entry.startswith("# branch.oid "):
            oid = entry.removeprefix("# branch.oid ").strip()
            head = oid if oid != "(initial)" else None
        elif (fields := _FIELDS_BEFORE_PATH.get(entry[:1])) is not None:
            parts = entry.split(" ", fields)
            if len(parts) > fields:
                paths.append(parts[fields])
    return Uncommitted(head, tuple(paths))


def header(working_tree: bool, commit: str | None, changes: Uncommitted, workflows: str) -> str:
    """The run's first line: where its workflows and workspaces come from."""
    if working_tree:
        return WORKING_TREE
    if commit is None:
        return "running from the directory as it is (not a git commit)"
    text = f"running from commit {commit[:7]}"
    if changes.paths:
        count = len(changes.paths)
        files = f"{count} uncommitted change" + ("" if count == 1 else "s")
        among = f", {workflows} among them" if changes.under(workflows) else ""
        text += f" ({files}{among} not used: --working-tree runs them)"
    return text


def relative_directory(root: Path, chosen: Path | None, default: Path) -> str:
    """The workflow directory (or file) relative to the root, as git names it."""
    path = chosen if chosen is not None else default
    absolute = path if path.is_absolute() else root / path
    try:
        return absolute.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
