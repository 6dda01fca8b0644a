"""`conveyor expr` (placeholder until its issue lands)."""

from __future__ import annotations

import click

from conveyor.errors import UsageError


@click.command("expr")
def expr_command() -> None:
    """Not yet available."""
    raise UsageError("'conveyor expr' is not available yet")
