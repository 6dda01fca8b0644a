"""`conveyor triggers` (placeholder until its issue lands)."""

from __future__ import annotations

import click

from conveyor.errors import UsageError


@click.command("triggers")
def triggers_command() -> None:
    """Not yet available."""
    raise UsageError("'conveyor triggers' is not available yet")
