"""Calling the repository-automation native actions (conveyor/stale, release, secret-scan)
directly, as the executor would: an ActionInvocation of plain values and a console that keeps
the lines it is given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from conveyor.engine.ports.actions import (
    ActionInvocation,
    ActionOutcome,
    ActionPhase,
    parse_action_ref,
)


class LinesConsole:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def log(self, line: str) -> None:
        self.lines.extend(line.split("\n"))

    def run(self, argv: Sequence[str], *, cwd: str, env: Mapping[str, str] | None = None) -> int:
        raise AssertionError("the automation actions run no commands")

    def cancelled(self) -> bool:
        return False

    def contains_secret(self, text: str) -> bool:
        return False

    def text(self) -> str:
        return "\n".join(self.lines)


def invocation(
    uses: str,
    tmp: Path,
    inputs: Mapping[str, str],
    *,
    github: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    workspace: Path | None = None,
) -> ActionInvocation:
    ref = parse_action_ref(uses)
    assert ref is not None
    space = workspace or tmp / "workspace"
    space.mkdir(exist_ok=True)
    return ActionInvocation(
        ref=ref, phase=ActionPhase.MAIN, inputs=dict(inputs),
        env=dict(env or {}),
        workspace=str(space), temp=str(tmp), tool_cache=str(tmp), job_dir=str(tmp),
        home=str(tmp), run_id="1", job_key="job", repository=str(space), sha=None,
        github=dict(github or {}),
    )  # fmt: skip


def run_native(invocation: ActionInvocation, console: LinesConsole) -> ActionOutcome:
    """Run the action the invocation names through the default registry, as a step would."""
    from conveyor.actions import default_registry

    handler = default_registry().lookup(invocation.ref)
    assert handler is not None, f"{invocation.ref} is not registered"
    return handler.run(invocation, console)
