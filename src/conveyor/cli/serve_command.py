"""`conveyor serve [--host 127.0.0.1] [--port 8080] [--jobs N]`: the CI server.

FastAPI on uvicorn, over the same store as `conveyor run`; with no broker it runs the jobs
itself, `--jobs` at a time (the embedded pool). It prints `listening on http://HOST:PORT` once
it accepts connections (`--port 0`: a free port, printed). SIGTERM or Ctrl-C: it stops accepting,
lets the running runs finish for `--grace` seconds, then cancels them (their always() steps run)
and exits; a second signal stops it at once. Its own log: key=value lines on stderr.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING

import click

from conveyor import clock
from conveyor.errors import UsageError

if TYPE_CHECKING:  # imported when the server starts
    from conveyor.bootstrap.forge_wiring import ForgeWiring
    from conveyor.bootstrap.server_wiring import Served
    from conveyor.server.context import ServerContext

log = logging.getLogger("conveyor.server")
DEFAULT_GRACE = 600.0
FORGE_LAST_DRAIN = 10.0  # seconds a stopping server sends the last reports for


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any free."
)
@click.option("--jobs", type=click.IntRange(min=1), help="Runs at once (default: the CPUs).")
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=DEFAULT_GRACE,
    envvar="CONVEYOR_SERVE_GRACE",
    show_default=True,
    help="Seconds running runs may take to finish on SIGTERM before they are cancelled.",
)
@click.option(
    "--native-actions",
    is_flag=True,
    envvar="CONVEYOR_NATIVE_ACTIONS",
    help="Run marketplace actions conveyor ships natively by its built-in map (docs/actions.md).",
)
@click.option(
    "--broker",
    metavar="URL",
    help="redis://HOST:6379/0: hand the jobs to `conveyor worker` processes (CONVEYOR_BROKER_URL).",
)
def serve_command(
    host: str,
    port: int,
    jobs: int | None,
    grace: float,
    native_actions: bool = False,
    broker: str | None = None,
) -> int:
    """Serve webhooks, the API and the web UI; run the jobs they start."""
    _log_to_stderr()
    from conveyor.bootstrap.worker_settings import broker_url

    broker = broker_url(broker)
    listener = _listen(host, port)
    from conveyor.bootstrap.server_access import anonymous_read
    from conveyor.bootstrap.server_wiring import requeue_abandoned, serve_runs
    from conveyor.bootstrap.settings import load_settings
    from conveyor.server.context import ServerContext
    from conveyor.server.token_verifier import StoreTokenVerifier
    from conveyor.store.handle import open_store

    settings = load_settings()
    home = settings.home
    _start_clock()
    store = open_store(home, database=settings.database, sweep=False)
    try:
        requeue_abandoned(store)
        served = serve_runs(home, store, jobs=jobs or os.cpu_count() or 1, broker=broker)
        served.runs.forge_url = forge_url(listener)
        served.runs.native_actions = native_actions
        context = ServerContext(
            home,
            store,
            served.runs,
            served.runs,
            StoreTokenVerifier.of(store),
            anonymous_read=anonymous_read(),
            repositories=served.repositories,
            workers=served.hub,
            clock=clock.now,
        )
        _wire_repository_events(context, served)
        _wire_pull_requests(context, served.runs.forge_url)
        forge = _wire_forge(context, served, listener)
        _start(served)
        _serve(context, listener)
        log.info("stopping grace=%g running=%s", grace, served.pool.running() or "-")
        served.pool.stop(grace)
        if served.hub is not None:
            served.hub.stop()
        if forge is not None:  # the last runs' reports, for a few seconds (the rest waits)
            forge.reports.drain(until=time.monotonic() + FORGE_LAST_DRAIN)
    finally:
        store.close()
        listener.close()
    log.info("stopped")
    return 0


def _start_clock() -> None:
    """CONVEYOR_CLOCK_START: the server's clock starts at that instant (conveyor/clock.py)."""
    from conveyor.bootstrap.clock_settings import apply_clock_start

    instant = apply_clock_start()
    if instant is not None:
        log.info("clock start=%s", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(instant)))


def _start(served: Served) -> None:
    if served.hub is not None:
        served.hub.start()
        log.info("broker url=%s", _without_password(served.hub.broker_url))
    served.pool.start()


def _without_password(url: str) -> str:
    head, at, tail = url.rpartition("@")
    return f"{head.split('//')[0]}//***@{tail}" if at else url


def _wire_repository_events(context: ServerContext, served: Served) -> None:
    """Schedules, dispatch, workflow_run and the run page's graph read the registered
    repositories' mirrors; a run that ends fires `workflow_run` for the workflows waiting for it."""
    from conveyor.bootstrap.mirrors import Mirror
    from conveyor.server.served_workflows import ServedWorkflows
    from conveyor.server.workflow_needs import served_job_needs
    from conveyor.server.workflow_run_hook import WorkflowRunHook

    home = context.home
    context.workflows = ServedWorkflows(
        served.repositories, lambda name, url: Mirror(home, name, url).bare
    )
    context.job_needs = served_job_needs(context.workflows)  # the run page's graph
    hook, runs = WorkflowRunHook(context), context.store.runs

    def run_ended(run_id: int) -> None:
        run = runs.get_run(run_id)
        if run is not None:
            hook.on_run_completed(run)

    served.pool.on_ended = run_ended


def _wire_pull_requests(context: ServerContext, server_url: str | None) -> None:
    """A push to a pull request's head branch fires its `synchronize`."""
    from conveyor.server.pull_sync import synchronize_listener

    if server_url is not None:
        context.ref_listeners.append(synchronize_listener(server_url))


def _wire_forge(
    context: ServerContext, served: Served, listener: socket.socket
) -> ForgeWiring | None:
    """With a `[forge]` configured, served runs of `--forge github` repositories report check
    runs through the retry queue the server's forge loop drains."""
    from conveyor.bootstrap.forge_wiring import forge_settings, wire_forge

    host, port = listener.getsockname()[:2]
    listening = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    wired = wire_forge(served.runs.database, served.repositories, forge_settings(), listening)
    if wired is not None:  # GitHub's repositories through it, hosted ones to the local forge
        from conveyor.bootstrap.local_forge_reports import first_observer

        served.runs.forge_observer = first_observer(wired.observer, served.runs.forge_observer)
        served.runs.forge_jobs = wired.jobs
        served.runs.forge_git_env = wired.git_env
        context.forge_reports = wired.reports
    return wired


def forge_url(listener: socket.socket) -> str:
    """The server's URL as its jobs reach it: the listening address (a wildcard one as the
    loopback one), unless CONVEYOR_FORGE_URL says otherwise (`bootstrap.job_tokens`)."""
    from conveyor.bootstrap.job_tokens import configured_forge_url

    host, port = listener.getsockname()[:2]
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    listening = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    return configured_forge_url(listening)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it a keep-alive answer's body waits ~40 ms for the client's delayed ACK.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    listener.listen(1024)
    return listener


def _serve(context: object, listener: socket.socket) -> None:
    import uvicorn

    from conveyor.server.app import create_app
    from conveyor.server.context import ServerContext

    assert isinstance(context, ServerContext)
    config = uvicorn.Config(
        create_app(context),
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    threading.Thread(target=_announce, args=(server, f"http://{shown}:{port}"), daemon=True).start()
    _SecondSignal().install()  # uvicorn's own handlers stop it; after that, a second one exits
    server.run(sockets=[listener])


def _announce(server: object, url: str) -> None:
    started = threading.Event()
    while not getattr(server, "started", False):
        if started.wait(0.01):
            return
    click.echo(f"listening on {url}")
    sys.stdout.flush()
    log.info("listening url=%s", url)


class _SecondSignal:
    """SIGTERM/SIGINT after uvicorn stopped: the first (uvicorn raises it again) lets the runs
    finish; a second one exits at once (the runs are abandoned and re-queued on restart)."""

    def __init__(self) -> None:
        self.count = 0

    def install(self) -> None:
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._handle)

    def _handle(self, number: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count >= 2:
            log.warning("stopping now signal=%s", signal.Signals(number).name)
            os._exit(128 + number)


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("time=%(asctime)s level=%(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    server_log = logging.getLogger("conveyor.server")
    server_log.addHandler(handler)
    server_log.setLevel(logging.INFO)
