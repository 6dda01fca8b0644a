"""The options that choose an event's refs and activity, shared by `conveyor triggers` and
`conveyor run`: `--ref`, `--base`, `--head`, `--action`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])

_OPTIONS = (
    click.option("--ref", help="Branch or tag (push, create, release, workflow_dispatch, ...)."),
    click.option(
        "--base", help="push: the `before` commit; pull requests: the base branch or SHA."
    ),
    click.option("--head", help="push: the `after` commit; pull requests: the head branch or SHA."),
    click.option("--action", help="The activity type (pull_request: opened, closed, ...)."),
)


def event_options(command: F) -> F:
    """Adds `--ref/--base/--head/--action` (parameters ref, base, head, action) to `command`."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command
