"""The start of `conveyor run`, overlapped with loading the rest of conveyor.

Building the event runs git (several processes) and the first job's workspace is a git checkout:
both wait on other processes, so they run on a thread while the main thread imports the engine,
the executor and the display. `EarlyStart.event()` then returns the event (or raises what
building it raised), exactly as building it in place would.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from conveyor.bootstrap.events import BuiltEvent, build_event
from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.bootstrap.repositories import repository_root
from conveyor.bootstrap.run_source import StatusReader, Uncommitted
from conveyor.bootstrap.workflow_files import workflow_paths
from conveyor.errors import UsageError
from conveyor.model.events import Event

if TYPE_CHECKING:
    from conveyor.executors.local.workspace_pool import WorkspacePool

_READS_REPOSITORY = re.compile(rb"actions/checkout|uses:\s*[\"']?\./", re.IGNORECASE)


class EventStart(Protocol):
    """What preparing a run takes from its start: the repository's root, the event, the
    uncommitted changes (an EarlyStart; the server's, built already)."""

    @property
    def root(self) -> Path: ...

    def built(self) -> BuiltEvent: ...

    def changes(self) -> Uncommitted: ...


class EarlyStart:
    """Builds the event on a thread; then tells the pool that a job will probably start (when
    one may need the repository in its workspace)."""

    def __init__(self, options: LocalRunOptions, pool: WorkspacePool | None = None) -> None:
        self.root = repository_root(options.repository)  # a usage error is raised here, first
        self._options = options
        self._pool = pool
        self._result: BuiltEvent | None = None
        self._in_git = (self.root / ".git").exists()
        from_commit = not options.working_tree and options.revision is None
        self._status = StatusReader(self.root) if self._in_git and from_commit else None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._build, name="event", daemon=True)
        self._thread.start()

    def event(self) -> tuple[Event, str | None]:
        """The event and a warning (see build_event); raises what building it raised."""
        built = self.built()
        return built.event, built.warning

    def changes(self) -> Uncommitted:
        """What differs from HEAD in the working tree (run_source; asked only when the run is
        from the commit: else nothing). Its `git status` ran beside the event's git work."""
        return self._status.read() if self._status is not None else Uncommitted()

    def built(self) -> BuiltEvent:
        """The event, its warning and its note (see build_event); raises what building it
        raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def _build(self) -> None:
        options = self._options
        try:
            self._result = build_event(
                self.root,
                options.event_name,
                options.event_path,
                options.inputs,
                options.event_payload,
                options.refs,
            )
        except BaseException as exc:  # handed to the main thread by event()
            self._error = exc
            return
        in_git = self._in_git
        # a checkout of the commit made ahead (none for --working-tree: a copy, not a checkout)
        pool = None if options.working_tree else self._pool
        if pool is None:
            return
        if may_read_repository(self.root, options.workflows):
            sha = (self._result.event.sha or None) if in_git else None
            pool.expect(str(self.root), sha, 1)
        else:  # the first job's empty directory, made while the run is planned
            pool.expect_empty(str(self.root), 1)


def may_read_repository(root: Path, workflows: Path | None) -> bool:
    """A guess made before the plan, from the workflow files' text: some job may check out the
    repository or use a `./` action (model.workflow.reads_repository decides, per job, later).
    A wrong guess costs a checkout made for nothing, or one not started early."""
    try:
        paths = workflow_paths(root, workflows)
        return any(_READS_REPOSITORY.search(path.read_bytes()) for path in paths)
    except (UsageError, OSError):
        return False


def workspace_pool(dry_run: bool, home: Path) -> WorkspacePool | None:
    """The local executor's pool of workspaces made ahead (none for `--dry-run`)."""
    if dry_run:
        return None
    from conveyor.executors.local.workspace_pool import WorkspacePool

    return WorkspacePool(home)
