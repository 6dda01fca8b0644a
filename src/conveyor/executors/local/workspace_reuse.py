"""Workspaces kept between jobs and runs, and reset with git before they are used again.

A checkout writes every file of the commit; a workspace a finished job leaves behind already holds
almost all of them. So a finished job's workspace (a shared clone made by `checkouts`) is kept,
idle, under `CONVEYOR_HOME/workspaces/<repository key>/` (at most `IDLE_PER_REPOSITORY` per
repository), and the next checkout of that repository takes one (a rename: one taker only) and
resets it:

1. `.git` is replaced by a copy of this run's fresh clone (`--shared --no-checkout`): the previous
   job's configuration (credentials, user), hooks, refs, tags, stash, reflogs and objects go; the
   only file kept is the index **as conveyor wrote it** when the previous job started (saved
   beside the workspace, `<workspace>.index`), never the job's own (whose assume-unchanged or
   skip-worktree bits, untracked cache or split index could hide changes);
2. `git checkout -f --detach <sha>` rewrites every file whose content, mode, inode or ctime
   differs from what that index recorded; `git clean -ffdx` removes untracked and ignored files
   and nested repositories;
3. `git status --porcelain --ignored --untracked-files=all` must print nothing and HEAD must be
   the commit; otherwise the directory is deleted and a fresh checkout is made.

Steps run as the user, so a step that means to could write into an idle workspace directly: the
reset protects a job from what the previous one left behind, not from a hostile one.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

try:  # hashlib would load OpenSSL (megabytes of memory) for this one digest
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

from conveyor.errors import InfrastructureError
from conveyor.executors.local.workspace import git_command
from conveyor.private_files import private_directory, write_private

IDLE_PER_REPOSITORY = 4
_COUNTER = itertools.count()
# git's own settings for the reset: stat data is trusted only with ctime and inode checked; no
# untracked cache, file-system monitor or split index to answer for the files.
_STRICT = (
    "-c",
    "core.trustctime=true",
    "-c",
    "core.checkStat=default",
    "-c",
    "core.untrackedCache=false",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.splitIndex=false",
)


def index_copy(workspace: Path) -> Path:
    """Where the index conveyor wrote for `workspace` is kept (beside it, outside the tree)."""
    return workspace.with_name(workspace.name + ".index")


def save_index(workspace: Path) -> None:
    """Keep the index of a checkout just made (the reset trusts only this one)."""
    write_private(index_copy(workspace), (workspace / ".git" / "index").read_bytes())


class IdleWorkspaces:
    """The idle workspaces of every repository, under `home/workspaces/`; safe across threads
    and processes (an idle workspace is taken by renaming it)."""

    def __init__(self, home: Path) -> None:
        self._root = home / "workspaces"

    def shelve(self, source: Path, workspace: Path) -> bool:
        """Keep a finished job's workspace (and its saved index); False when it cannot be kept
        (not a checkout conveyor made, or enough are idle already): the caller deletes it."""
        index = index_copy(workspace)
        if not index.is_file() or not (workspace / ".git").is_dir():
            return False
        folder = self._folder(source)
        if folder.is_dir() and len(list(folder.glob("idle-*"))) >= IDLE_PER_REPOSITORY:
            return False
        entry = folder / f".shelving-{os.getpid()}-{next(_COUNTER)}"
        try:
            private_directory(entry)
            os.rename(workspace, entry / "workspace")
            os.rename(index, entry / "index")
            os.rename(entry, folder / entry.name.replace(".shelving", "idle", 1))
        except OSError:
            shutil.rmtree(entry, ignore_errors=True)
            return False
        return True

    def take(self, source: Path, target: Path) -> Path | None:
        """Move an idle workspace of `source` to `target`; the index saved with it (returned,
        beside `target`), or None when none is idle."""
        folder = self._folder(source)
        claimed = target.with_name(target.name + ".claimed")
        entries = sorted(folder.glob("idle-*")) if folder.is_dir() else []
        if entries:
            private_directory(target.parent)
        for entry in entries:
            try:
                os.rename(entry, claimed)
            except OSError:
                continue  # taken by another job meanwhile
            try:
                os.rename(claimed / "workspace", target)
                os.rename(claimed / "index", index_copy(target))
                return index_copy(target)
            except OSError:
                shutil.rmtree(target, ignore_errors=True)
            finally:
                shutil.rmtree(claimed, ignore_errors=True)
        return None

    def _folder(self, source: Path) -> Path:
        key = blake2b(os.fsencode(source.resolve()), digest_size=8).hexdigest()
        return self._root / key


def reset(workspace: Path, seed: Path, commit: str, index: Path) -> bool:
    """Reset a taken workspace to `commit` (see the module's steps); False when it is not exactly
    the commit's tree afterwards (the caller deletes it and makes a fresh checkout)."""
    git_dir = workspace / ".git"
    try:
        if git_dir.is_symlink() or not git_dir.is_dir():
            return False
        os.chmod(workspace, 0o700)  # as a new checkout is (a job may have changed it)
        shutil.rmtree(git_dir)
        shutil.copytree(seed / ".git", git_dir, symlinks=True)
        shutil.copyfile(index, git_dir / "index")
        where = ["-C", str(workspace), *_STRICT]
        git_command([*where, "checkout", "--quiet", "--force", "--detach", commit])
        git_command([*where, "clean", "-ffdxq"])
        left = git_command([*where, "status", "--porcelain", "--ignored", "--untracked-files=all"])
        head = (git_dir / "HEAD").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError, InfrastructureError):
        return False
    return left == "" and head == commit
