"""Invocations and a console for calling conveyor's repository-automation actions directly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from conveyor.engine.ports.actions import ActionInvocation, ActionPhase, parse_action_ref


class LogConsole:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def log(self, line: str) -> None:
        self.lines.append(line)

    def run(self, argv: Sequence[str], *, cwd: str, env: Mapping[str, str] | None = None) -> int:
        raise AssertionError("no commands here")

    def cancelled(self) -> bool:
        return False

    def contains_secret(self, text: str) -> bool:
        return False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def invocation(
    uses: str,
    inputs: Mapping[str, str],
    workspace: Path,
    github: Mapping[str, object] | None = None,
) -> ActionInvocation:
    ref = parse_action_ref(uses)
    assert ref is not None
    return ActionInvocation(
        ref=ref,
        phase=ActionPhase.MAIN,
        inputs=dict(inputs),
        env={},
        workspace=str(workspace),
        temp=str(workspace),
        tool_cache=str(workspace),
        job_dir=str(workspace),
        home=str(workspace),
        run_id="1",
        job_key="job",
        repository=str(workspace),
        sha=None,
        github=dict(github or {}),
    )
