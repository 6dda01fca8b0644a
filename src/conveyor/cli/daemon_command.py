"""`conveyor daemon start|stop|status`: the warm daemon that the `conveyor` command hands its
commands to (docs/daemon.md). This command itself always runs in its own process."""

from __future__ import annotations

import click

from conveyor.cli.daemon import control
from conveyor.errors import InfrastructureError
from conveyor.store.location import conveyor_home


@click.group("daemon")
def daemon_command() -> None:
    """A warm daemon that runs conveyor's commands without starting Python each time."""


@daemon_command.command("start")
def start_command() -> None:
    """Start the daemon in the background (nothing to do if one of this code runs)."""
    home = conveyor_home()
    try:
        started, status = control.start(home)
    except RuntimeError as exc:
        raise InfrastructureError(str(exc)) from None
    click.echo(f"conveyor: daemon {'started' if started else 'already running'}: {status}")


@daemon_command.command("stop")
def stop_command() -> None:
    """Stop the daemon (commands it runs finish first)."""
    answer = control.stop(conveyor_home())
    click.echo("conveyor: no daemon running" if answer is None else f"conveyor: daemon {answer}")


@daemon_command.command("status")
def status_command() -> int:
    """Whether a daemon runs (exit 0) or not (exit 1)."""
    status = control.ask(conveyor_home(), b"status")
    if status is None:
        click.echo("conveyor: no daemon running")
        return 1
    click.echo(f"conveyor: daemon running: {status}")
    return 0
