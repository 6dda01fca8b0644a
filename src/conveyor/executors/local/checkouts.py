"""Checkouts made the cheap way for one `conveyor run`.

Each job's workspace is the same shared clone of the repository checked out at the commit, so
the clone is made once per repository: the first checkout's `git clone --shared --no-checkout`
(with the lean `.git` template) is copied, before it is checked out, as the "seed"; every other
workspace is a copy of the seed, checked out by git (`git checkout --detach`, which writes the
files and a fresh index). The result is what `git clone` + `git checkout` gives, without running
the clone (three processes, dozens of lock files) for every job. With idle workspaces
(`workspace_reuse`), a workspace a previous job left is reset to the commit instead, when there
is one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from pathlib import Path

from conveyor.executors.local.git_template import lean_template
from conveyor.executors.local.workspace import check_out, clone_for_checkout
from conveyor.executors.local.workspace_reuse import IdleWorkspaces, reset, save_index
from conveyor.private_files import private_directory


class CheckoutMaker:
    """Thread-safe; its seeds live under `directory` (removed with it by the caller). With
    `idle`, a checkout takes an idle workspace and resets it when one is there
    (`workspace_reuse`), and every checkout keeps its index so that it can be reused later."""

    def __init__(self, home: Path, directory: Path, idle: IdleWorkspaces | None = None) -> None:
        self._home = home
        self._directory = directory
        self._idle = idle
        self._lock = threading.Lock()
        self._template: Path | None = None
        self._template_known = False
        self._seeds: dict[Path, Path] = {}
        self._seed_locks: dict[Path, threading.Lock] = {}
        self._numbers = itertools.count()

    def template(self) -> Path | None:
        """The `.git` template of every checkout (git_template.lean_template, looked up once)."""
        with self._lock:
            if not self._template_known:
                self._template = lean_template(self._home)
                self._template_known = True
            return self._template

    def check_out(self, source: Path, commit: str, target: Path) -> None:
        """`target` becomes a shared clone of `source` checked out (detached) at `commit`."""
        seed = self._seed(source)
        if self._idle is not None:
            index = self._idle.take(source, target)
            if index is not None and reset(target, seed, commit, index):
                save_index(target)
                return
            if index is not None:  # not exactly the commit: a fresh checkout instead
                self._put_aside(target)
        shutil.copytree(seed, target, symlinks=True)
        check_out(source, commit, target, cloned=True)
        if self._idle is not None:
            save_index(target)

    def _put_aside(self, target: Path) -> None:
        """Move a workspace that could not be reset out of the way (deleted with `directory`:
        even one a job made hard to delete does not block the fresh checkout)."""
        private_directory(self._directory)
        aside = self._directory / f"spoiled-{next(self._numbers)}"
        try:
            os.rename(target, aside)
        except OSError:
            aside = target
        shutil.rmtree(aside, ignore_errors=True)

    def _seed(self, source: Path) -> Path:
        """This run's `git clone --shared --no-checkout` of `source` (made on first use)."""
        with self._lock:
            lock = self._seed_locks.setdefault(source, threading.Lock())
        with lock:
            seed = self._seeds.get(source)
            if seed is None:
                private_directory(self._directory)
                seed = self._directory / f"seed-{next(self._numbers)}"
                clone_for_checkout(source, seed, self.template())
                self._seeds[source] = seed
            return seed
