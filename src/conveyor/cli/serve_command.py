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
from types import FrameType
from typing import TYPE_CHECKING

import click

from conveyor.errors import UsageError

if TYPE_CHECKING:  # imported when the server starts
    from conveyor.bootstrap.server_wiring import Served
    from conveyor.server.context import ServerContext

log = logging.getLogger("conveyor.server")
DEFAULT_GRACE = 600.0


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
    "--broker",
    metavar="URL",
    help="redis://HOST:6379/0: hand the jobs to `conveyor worker` processes (CONVEYOR_BROKER_URL).",
)
def serve_command(
    host: str, port: int, jobs: int | None, grace: float, broker: str | None = None
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

    home = load_settings().home
    store = open_store(home, sweep=False)
    try:
        requeue_abandoned(store)
        served = serve_runs(home, store, jobs=jobs or os.cpu_count() or 1, broker=broker)
        context = ServerContext(
            home,
            store,
            served.runs,
            served.runs,
            StoreTokenVerifier.of(store),
            anonymous_read=anonymous_read(),
            repositories=served.repositories,
            workers=served.hub,
        )
        _wire_repository_events(context, served)
        _start(served)
        _serve(context, listener)
        log.info("stopping grace=%g running=%s", grace, served.pool.running() or "-")
        served.pool.stop(grace)
        if served.hub is not None:
            served.hub.stop()
    finally:
        store.close()
        listener.close()
    log.info("stopped")
    return 0


def _start(served: Served) -> None:
    if served.hub is not None:
        served.hub.start()
        log.info("broker url=%s", _without_password(served.hub.broker_url))
    served.pool.start()


def _without_password(url: str) -> str:
    head, at, tail = url.rpartition("@")
    return f"{head.split('//')[0]}//***@{tail}" if at else url


def _wire_repository_events(context: ServerContext, served: Served) -> None:
    """Schedules, dispatch and workflow_run read the registered repositories' mirrors; a run
    that ends fires `workflow_run` for the workflows that wait for it."""
    from conveyor.bootstrap.mirrors import Mirror
    from conveyor.server.served_workflows import ServedWorkflows
    from conveyor.server.workflow_run_hook import WorkflowRunHook

    home = context.home
    context.workflows = ServedWorkflows(
        served.repositories, lambda name, url: Mirror(home, name, url).bare
    )
    hook, runs = WorkflowRunHook(context), context.store.runs

    def run_ended(run_id: int) -> None:
        run = runs.get_run(run_id)
        if run is not None:
            hook.on_run_completed(run)

    served.pool.on_ended = run_ended


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
