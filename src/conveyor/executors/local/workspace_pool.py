"""Workspaces made before the jobs that need them start, and job directories removed after.

Setting up a job's directory (its workspace a shared clone checked out at the commit, RUNNER_TEMP
and its folders) is the largest fixed cost of a job. A `WorkspacePool` does it on background
threads, ahead of time: as many as the scheduler forecasts jobs about to start (`expect`), the
checkouts made as described in `checkouts`, kept under `CONVEYOR_HOME/runs/.pool-<pid>-<n>/`
until a job takes one (`take` moves it into place: a rename). Each is given to one job only, and
is a fresh checkout or one reset to the commit (workspace_reuse): no file of another job is left
in it. A job that finds none ready waits for one being made for it, or makes its own the same
way. Only jobs that read the repository (Job.reads_repository) get a checkout; for the
others the pool makes their empty job directories ahead the same way (`expect_empty`,
`take_empty`: the folders and file-command files a job would make itself, ~20 file creations
that cost 10-30 ms on a busy disk before each job's first step), made while earlier jobs run.

A finished job's workspace is kept for a later checkout, by this run or the next
(`finish`, see workspace_reuse); the rest of its directory is renamed aside at once and deleted on
the pool's threads (`discard`). `close()` waits for that, deletes what was prepared but not
taken, and removes the runs' directories (`runs/<run_id>/jobs/`) left empty.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from conveyor.errors import ConveyorError
from conveyor.executors.local.checkouts import CheckoutMaker
from conveyor.executors.local.workspace import (
    JobWorkspace,
    is_full_sha,
    layout_at,
    make_empty_job_directory,
    make_job_directories,
    resolved,
)
from conveyor.executors.local.workspace_reuse import IdleWorkspaces
from conveyor.private_files import private_directory

if TYPE_CHECKING:
    from conveyor.engine.ports.executor import JobForecast

_COUNTER = itertools.count()
WORKERS = 2  # checkouts made at once (git does the work: processes, on other cores)


@dataclass(slots=True)
class _Source:
    """Checkouts of one commit of one repository."""

    source: Path
    commit: str
    expected: int = 0  # jobs expected in all: started, or about to start
    served: int = 0  # jobs that asked for a workspace (given one, or making their own)
    ready: deque[Path] = field(default_factory=deque)
    making: int = 0
    waiting: int = 0  # jobs waiting for a checkout being made
    usable: bool = True  # False once a checkout failed: jobs make their own


@dataclass(slots=True)
class _Empties:
    """Empty job directories for the jobs that do not read the repository `source`."""

    source: Path
    expected: int = 0  # jobs expected in all: started, or about to start
    served: int = 0  # jobs that asked for one (given one, or making their own)
    ready: deque[Path] = field(default_factory=deque)
    making: int = 0
    usable: bool = True  # False once making one failed: jobs make their own


class WorkspacePool:
    """Checkouts made ahead by one background thread; thread-safe."""

    def __init__(self, home: Path) -> None:
        self._home = home.resolve()
        self._directory = self._home / "runs" / f".pool-{os.getpid()}-{next(_COUNTER)}"
        self._sources: dict[tuple[Path, str], _Source] = {}
        self._empties: dict[Path, _Empties] = {}
        self._trash: deque[Path] = deque()
        self._parents: set[Path] = set()  # the `jobs/` directories of discarded directories
        self._numbers = itertools.count()
        self._condition = threading.Condition()
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._idle = IdleWorkspaces(self._home)
        self._maker = CheckoutMaker(home, self._directory, self._idle)  # git only to check out

    # -- the executor's side ----------------------------------------------------------------

    def forecast(self, forecast: JobForecast) -> None:
        """`expect` for the scheduler's forecast (jobs with uncommitted changes make their own)."""
        if not forecast.include_uncommitted:
            total = forecast.started + forecast.upcoming
            self.expect(forecast.repository, forecast.sha, total)
            others = forecast.others_started + forecast.others_upcoming
            if others:
                self.expect_empty(forecast.repository, others)

    def expect_empty(self, repository: str, jobs: int) -> None:
        """`jobs` jobs in all (started or about to start) that do not read `repository` will
        want an empty job directory: make one for each that has not asked for its own yet."""
        with self._condition:
            if not self._closed:
                source = resolved(repository)  # remembered: forecasts come often
                self._empties.setdefault(source, _Empties(source)).expected = jobs
                self._wake()

    def take_empty(self, source: Path, layout: JobWorkspace) -> bool:
        """Move a ready empty job directory to `layout.root` (whose parent exists); False when
        none is ready (the job makes its own: as quick as waiting for one being made)."""
        with self._condition:
            entry = self._empties.setdefault(source, _Empties(source))
            entry.served += 1
            if not entry.ready:
                return False
            ready = entry.ready.popleft()
        try:
            os.rename(ready, layout.root)
        except OSError:
            self.discard(ready)
            return False
        return True

    def expect(self, repository: str, sha: str | None, jobs: int) -> None:
        """`jobs` jobs in all (started or about to start) will want a checkout of commit `sha`:
        make one for each that has not asked for its workspace yet. Only a full SHA is
        prepared ahead: another name could move before the job starts."""
        if sha is None or not is_full_sha(sha):
            return
        with self._condition:
            if not self._closed:
                self._source(resolved(repository), sha).expected = jobs
                self._wake()

    def _source(self, source: Path, commit: str) -> _Source:
        return self._sources.setdefault((source, commit), _Source(source, commit))

    def take(self, source: Path, commit: str, layout: JobWorkspace) -> bool:
        """Move a ready job directory to `layout.root` (whose parent exists); False when none is
        ready.

        A checkout being made is waited for when no other job waits for it (it started earlier,
        so it is ready sooner than a new one would be)."""
        with self._condition:
            entry = self._source(source, commit)
            entry.served += 1
            if not entry.ready and entry.making > entry.waiting:
                entry.waiting += 1
                while not entry.ready and entry.making and not self._closed:
                    self._condition.wait()
                entry.waiting -= 1
            if not entry.ready:
                return False
            ready = entry.ready.popleft()
            self._wake()  # the next one, if another job is expected
        try:
            os.rename(ready, layout.root)
        except OSError:
            self.discard(ready)
            return False
        return True

    def check_out(self, source: Path, commit: str, target: Path) -> None:
        """A checkout made now, as the pool makes them (for a job that found none ready)."""
        self._maker.check_out(source, commit, target)

    def finish(self, layout: JobWorkspace, source: Path) -> None:
        """A job ended: its workspace is kept for a later checkout of `source` when it is one
        (workspace_reuse), the rest of its directory discarded."""
        self._idle.shelve(source, layout.workspace)
        self.discard(layout.root)

    def discard(self, path: Path) -> None:
        """Remove a directory soon: renamed aside now, deleted on the pool's thread."""
        aside = self._directory / f"trash-{next(self._numbers)}"
        with self._condition:
            self._parents.add(path.parent)
        try:
            private_directory(aside.parent)
            os.rename(path, aside)
        except OSError:
            shutil.rmtree(path, ignore_errors=True)
            return
        with self._condition:
            self._trash.append(aside)
            self._wake()

    def close(self) -> None:
        """Finish deleting, delete what was not taken, stop the thread."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
            threads = list(self._threads)
        for thread in threads:
            thread.join()
        shutil.rmtree(self._directory, ignore_errors=True)
        for jobs in self._parents:
            _remove_if_empty(jobs, jobs.parent)

    # -- the pool's thread --------------------------------------------------------------------

    def _wake(self) -> None:
        """(With the lock held.) Work to do: up to WORKERS threads (idle ones just wait)."""
        if len(self._threads) < WORKERS:
            thread = threading.Thread(target=self._work, name="workspace pool", daemon=True)
            self._threads.append(thread)
            thread.start()
        self._condition.notify_all()

    def _work(self) -> None:
        while True:
            with self._condition:
                task = self._next_task()
                while task is None and not self._closed:
                    self._condition.wait()
                    task = self._next_task()
                if task is None:
                    break
            task()
        self._empty_trash()

    def _next_task(self) -> Callable[[], None] | None:
        """A checkout a job will want first; else a deletion (nobody waits for those)."""
        for entry in self._sources.values() if not self._closed else ():
            # a waiting job is served, and one of those being made is for it: count it once
            supplied = entry.served + len(entry.ready) + entry.making - entry.waiting
            if entry.usable and supplied < entry.expected:
                entry.making += 1
                path = self._directory / f"job-{next(self._numbers)}"
                return functools.partial(self._make, entry, path)
        for empties in self._empties.values() if not self._closed else ():
            supplied = empties.served + len(empties.ready) + empties.making
            if empties.usable and supplied < empties.expected:
                empties.making += 1
                path = self._directory / f"job-{next(self._numbers)}"
                return functools.partial(self._make_empty, empties, path)
        if self._trash:
            return functools.partial(shutil.rmtree, self._trash.popleft(), ignore_errors=True)
        return None

    def _make_empty(self, entry: _Empties, path: Path) -> None:
        ok = True
        try:
            make_empty_job_directory(layout_at(path, entry.source, self._home))
        except OSError:
            ok = entry.usable = False  # jobs make their own (and report what fails)
            shutil.rmtree(path, ignore_errors=True)
        with self._condition:
            entry.making -= 1
            if ok:
                (self._trash if self._closed else entry.ready).append(path)

    def _make(self, entry: _Source, path: Path) -> None:
        ok = False
        try:
            layout = layout_at(path, entry.source, self._home)
            make_job_directories(layout)
            self._maker.check_out(entry.source, entry.commit, layout.workspace)
            ok = _detached_at(layout.workspace, entry.commit)
        except (ConveyorError, OSError, subprocess.SubprocessError):
            pass
        if not ok:
            entry.usable = False  # jobs make their own (and report what fails)
            shutil.rmtree(path, ignore_errors=True)
        with self._condition:
            entry.making -= 1
            if ok and not self._closed:
                entry.ready.append(path)
            elif ok:
                self._trash.append(path)
            self._condition.notify_all()

    def _empty_trash(self) -> None:
        with self._condition:
            paths = list(self._trash)
            self._trash.clear()
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)


def _remove_if_empty(*directories: Path) -> None:
    """Remove each directory in turn while they are empty (a kept workspace keeps its run's)."""
    for directory in directories:
        try:
            directory.rmdir()
        except OSError:
            return


def _detached_at(path: Path, commit: str) -> bool:
    """The new checkout's HEAD is this very commit (a tag object's name would peel to another)."""
    try:
        return (path / ".git" / "HEAD").read_text(encoding="ascii").strip() == commit
    except (OSError, UnicodeDecodeError):
        return False
