"""Checkouts made the cheap way for one `conveyor run`.

Each job's workspace is the same shared clone of the repository checked out at the commit, so
the clone is made once per repository: the first checkout's `git clone --shared --no-checkout`
(with the lean `.git` template) is copied, before it is checked out, as the "seed"; every other
workspace is a copy of the seed, checked out by git (`git checkout --detach`, which writes the
files and a fresh index). The result is what `git clone` + `git checkout` gives, without running
the clone (three processes, dozens of lock files) for every job.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from conveyor.executors.local.git_template import lean_template
from conveyor.executors.local.workspace import check_out, clone_for_checkout
from conveyor.private_files import private_directory


class CheckoutMaker:
    """Thread-safe; its seeds live under `directory` (removed with it by the caller)."""

    def __init__(self, home: Path, directory: Path, *, eager: bool = False) -> None:
        """`eager`: look the template up now, on a thread (it runs git)."""
        self._home = home
        self._directory = directory
        self._lock = threading.Lock()
        self._template: Path | None = None
        self._template_known = False
        self._seeds: dict[Path, Path] = {}
        self._seed_locks: dict[Path, threading.Lock] = {}
        if eager:
            threading.Thread(target=self.template, name="git template", daemon=True).start()

    def template(self) -> Path | None:
        """The `.git` template of every checkout (git_template.lean_template, looked up once)."""
        with self._lock:
            if not self._template_known:
                self._template = lean_template(self._home)
                self._template_known = True
            return self._template

    def check_out(self, source: Path, commit: str, target: Path) -> None:
        """`target` becomes a shared clone of `source` checked out (detached) at `commit`."""
        with self._lock:
            lock = self._seed_locks.setdefault(source, threading.Lock())
        with lock:
            seed = self._seeds.get(source)
            if seed is None:  # the first checkout is cloned, and its clone kept as the seed
                clone_for_checkout(source, target, self.template())
                seed = self._directory / f"seed-{len(self._seeds)}"
                private_directory(self._directory)
                shutil.copytree(target, seed, symlinks=True)
                self._seeds[source] = seed
            else:
                shutil.copytree(seed, target, symlinks=True)
        check_out(source, commit, target, cloned=True)
