"""Workflow files as committed at a run's commit, read from git (`git cat-file blob SHA:PATH`).

`conveyor rerun` runs a run's workflow as it was at the run's commit, as GitHub re-runs a run
with the workflow file of its commit — and so the reusable workflows it calls from the same
repository — not as the files are now. A commit the repository no longer has (rebased away,
pruned) is a UsageError that says so.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from conveyor.bootstrap.run_source import relative_directory
from conveyor.bootstrap.workflow_files import SUFFIXES, WorkflowFile
from conveyor.errors import UsageError
from conveyor.git import GitRepository

_FULL_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_MEMO_SIZE = 512  # git answers about a full commit id never change: a long-lived process
# (`conveyor serve`) keeps the last ones instead of asking git again for every event


class _Memo:
    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, ...], object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> object:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return _MISSING

    def put(self, key: tuple[str, ...], value: object) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > _MEMO_SIZE:
                self._items.popitem(last=False)


_MISSING = object()
_memo = _Memo()


class CommittedWorkflows:
    """The workflow files of the repository at `root` as they are in `commit`."""

    def __init__(self, root: Path, commit: str, *, rerun: bool = True) -> None:
        self.root = root
        self.commit = commit
        self._rerun = rerun
        self._repo = GitRepository(root)
        self._fixed = bool(_FULL_SHA.match(commit))
        if not self._known(("commit", str(root), commit), lambda: self._repo.find_commit(commit)):
            raise UsageError(
                f"the run's commit {commit[:12]} is gone: {root} no longer has it (rebased or "
                "pruned?), so its workflow cannot be run again as it was; nothing was changed"
            )

    def read(self, relative: str) -> WorkflowFile | None:
        """The file at `relative` (to the root) as committed, loaded; None when it is not there.
        A file of a full commit id is loaded once per process (while remembered)."""
        key = ("file", str(self.root), f"{self.commit}:{relative}")
        known = _memo.get(key) if self._fixed else _MISSING
        if isinstance(known, WorkflowFile):
            return known
        loaded = self._load(relative)
        if loaded is not None and self._fixed:
            _memo.put(key, loaded)
        return loaded

    def _load(self, relative: str) -> WorkflowFile | None:
        spec = f"{self.commit}:{relative}"
        text = self._git("cat-file", "blob", spec)
        if text is None:
            return None
        from conveyor.workflow import load_workflow

        path = self.root / relative
        result = load_workflow(path, text, display_path=relative)
        return WorkflowFile(path, relative, result.workflow, result.diagnostics)

    def files(self, chosen: Path) -> list[WorkflowFile]:
        """The workflow file `chosen` (relative to the root), or the *.yml/*.yaml files of the
        directory `chosen`, as committed; a UsageError when the commit does not have it."""
        relative = relative_directory(self.root, chosen, chosen)
        spec = f"{self.commit}:{relative}"
        listing = self._known(
            ("tree", str(self.root), spec), lambda: self._git("ls-tree", "-z", "--name-only", spec)
        )
        if listing is not None:
            names = sorted(name for name in listing.split("\0") if name.endswith(SUFFIXES))
            found = [self.read(f"{relative}/{name}") for name in names]
            files = [file for file in found if file is not None]
            if files:
                return files
        elif (file := self.read(relative)) is not None:
            return [file]
        if self._rerun:
            where, hint = "the run's commit", "nothing was changed"
        else:
            where, hint = "the commit", "nothing was run (--working-tree runs uncommitted files)"
        raise UsageError(f"{chosen} is not in {where} {self.commit[:12]}; {hint}")

    def _git(self, *args: str) -> str | None:
        return self._repo.try_git(*args)

    def _known(self, key: tuple[str, ...], ask: Callable[[], str | None]) -> str | None:
        """git's answer about a full commit id, asked once per process (while remembered)."""
        if not self._fixed:
            return ask()
        found = _memo.get(key)
        if found is _MISSING:
            found = ask()
            if found is not None:
                _memo.put(key, found)
        return found if isinstance(found, str) else None
