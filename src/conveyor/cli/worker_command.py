"""`conveyor worker --server URL --token T --labels a,b --capacity N [--name NAME]`: run the
jobs of a `conveyor serve --broker` server on this host (docs/workers.md).

It registers with the server (a worker token: `conveyor tokens create --role worker`),
consumes the Celery queues of every label set it satisfies, runs `--capacity` jobs at once with
the local executor, and stops on SIGTERM: the running jobs finish, no new one starts, it
deregisters; a second signal cancels them.
"""

from __future__ import annotations

import click

from conveyor.cli.server_client import SERVER_ENV, TOKEN_ENV
from conveyor.errors import UsageError


@click.command("worker")
@click.option("--server", envvar=SERVER_ENV, metavar="URL", help=f"The server (${SERVER_ENV}).")
@click.option(
    "--token", envvar=TOKEN_ENV, help=f"A worker API token, --role worker (${TOKEN_ENV})."
)
@click.option(
    "--labels",
    default="self-hosted,linux,x64",
    show_default=True,
    help="The runs-on labels this worker satisfies, comma-separated.",
)
@click.option("--capacity", type=click.IntRange(1, 1024), default=1, show_default=True)
@click.option("--name", help="A unique name (default: HOST-PID).")
@click.option("--broker", metavar="URL", help="The broker, when not the one the server says.")
def worker_command(
    server: str | None,
    token: str | None,
    labels: str,
    capacity: int,
    name: str | None,
    broker: str | None,
) -> int:
    """Run jobs handed out by a `conveyor serve --broker` server."""
    if not server or not token:
        raise UsageError(
            f"conveyor worker needs --server URL and --token T ({SERVER_ENV}, {TOKEN_ENV})"
        )
    from conveyor.bootstrap.worker_main import default_name, serve_worker
    from conveyor.distributed.celery_worker import WorkerConfig
    from conveyor.distributed.queues import MAX_WORKER_LABELS, normalized

    chosen = normalized(labels.split(","))
    if not chosen or len(chosen) > MAX_WORKER_LABELS:
        raise UsageError(f"--labels {labels!r}: 1 to {MAX_WORKER_LABELS} labels, comma-separated")
    config = WorkerConfig(name or default_name(), chosen, capacity, broker)
    serve_worker(server, token, config)
    return 0
