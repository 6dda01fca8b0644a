"""`conveyor worker`'s wiring: a Celery worker (conveyor.distributed) whose jobs run on this
host's executor, with its services and action caches under this host's CONVEYOR_HOME.

Each job gets a local executor built as `conveyor run` builds it (the settings of the job's
repository, its remote actions); its step processes carry this process's marker and die with it
(the reaper), so a worker killed with SIGKILL leaves none of its jobs' processes behind.
"""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path

from conveyor.bootstrap.settings import load_settings
from conveyor.distributed.celery_worker import WorkerConfig, run_worker
from conveyor.distributed.client import Claim, ServerClient
from conveyor.distributed.job_runner import JobRunner
from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.errors import ConveyorError
from conveyor.model.results import Conclusion, JobResult

log = logging.getLogger("conveyor.worker")


def default_name() -> str:
    return f"{socket.gethostname()}-{__import__('os').getpid()}"


def serve_worker(server: str, token: str, config: WorkerConfig) -> None:
    """Runs the worker until it is stopped (SIGTERM: drain; a second one: cancel)."""
    _log_to_stderr()
    home = load_settings().home
    client = ServerClient(server, token)
    try:
        runner = JobRunner(
            client, config.name, lambda claim, d, r, c: run_here(home, server, claim, d, r, c)
        )
        run_worker(config, runner)
    finally:
        client.close()


def run_here(
    home: Path,
    server: str,
    claim: Claim,
    document: JobDocument,
    reporter: JobReporter,
    cancel: CancelSignal,
) -> JobResult:
    """The job on this host's executor (as `conveyor run` would run it), its repository
    fetched from the server into this host's cache first; its artifacts and caches are stored
    on the server."""
    from conveyor.bootstrap.actions_wiring import DeferredRemoteActions, actions_settings
    from conveyor.bootstrap.local_run import build_executor
    from conveyor.bootstrap.worker_files import server_file_actions
    from conveyor.bootstrap.worker_source import fetched_document
    from conveyor.distributed.job_files import JobFiles

    try:
        document = fetched_document(home, server, claim, document)
    except ConveyorError as error:
        return _not_fetched(document, reporter, error)
    root = Path(document.repository)
    repository = root if root.is_dir() else None
    revision = document.sha
    remote = DeferredRemoteActions(home, actions_settings(root, offline=False, revision=revision))
    handlers = server_file_actions(JobFiles(server, claim), server)
    executor = build_executor(
        False, home, None, repository, remote=remote, revision=revision, action_handlers=handlers
    )
    return executor.run_job(document, reporter, cancel)


def _not_fetched(document: JobDocument, reporter: JobReporter, error: Exception) -> JobResult:
    message = f"The job's repository could not be fetched from the server: {error}"
    reporter.log_line(document.instance_key, None, message)
    return JobResult(Conclusion.FAILURE, error=message)


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("time=%(asctime)s level=%(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    worker_log = logging.getLogger("conveyor.worker")
    worker_log.addHandler(handler)
    worker_log.setLevel(logging.INFO)
    worker_log.propagate = False  # Celery configures the root logger too
