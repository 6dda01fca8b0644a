"""`conveyor lint` (placeholder until its issue lands)."""

from __future__ import annotations

import click

from conveyor.errors import UsageError


@click.command("lint")
def lint_command() -> None:
    """Not yet available."""
    raise UsageError("'conveyor lint' is not available yet")
