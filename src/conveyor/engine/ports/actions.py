"""The actions port: native implementations of remote actions (`owner/repo@ref`).

Remote actions cannot be downloaded where conveyor runs, so the common ones are implemented in
Python (`conveyor.actions`). An executor resolves a step's `uses:` with `parse_action_ref`, asks an
`ActionRegistry` for a handler, and calls it with an `ActionInvocation` (plain values) and an
`ActionConsole` (how the handler logs and runs commands under the executor's process control).
The handler answers with an `ActionOutcome`: what the step did, as values the executor applies the
same way it applies file commands (outputs, env, PATH, state).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from conveyor.model.results import Annotation, Conclusion

_REMOTE_REF = re.compile(
    r"^(?P<owner>[^/@\s]+)/(?P<repo>[^/@\s]+)(?:/(?P<path>[^@\s]+))?@(?P<ref>\S+)$"
)


@dataclass(frozen=True, slots=True)
class ActionRef:
    """A parsed `owner/repo[/path]@ref`."""

    owner: str
    repo: str
    path: str
    ref: str

    @property
    def name(self) -> str:
        """`owner/repo[/path]` in lower case: the key handlers are registered under."""
        base = f"{self.owner}/{self.repo}"
        return (f"{base}/{self.path}" if self.path else base).lower()

    def __str__(self) -> str:
        path = f"/{self.path}" if self.path else ""
        return f"{self.owner}/{self.repo}{path}@{self.ref}"


def parse_action_ref(uses: str) -> ActionRef | None:
    """`owner/repo[/path]@ref` → `ActionRef`; None when `uses` has another form or no ref."""
    match = _REMOTE_REF.match(uses.strip())
    if match is None:
        return None
    path = (match.group("path") or "").strip("/")
    return ActionRef(match.group("owner"), match.group("repo"), path, match.group("ref"))


class ActionPhase(enum.StrEnum):
    MAIN = "main"
    POST = "post"


@dataclass(frozen=True, slots=True)
class ActionInvocation:
    """One call of a native action: everything as plain values.

    `inputs` are the step's evaluated `with:` values (strings, keys as written); a handler applies
    its own defaults. `env` is the complete environment the step's processes would get (PATH
    included). `state` holds what the main phase saved, when this is the post phase.
    """

    ref: ActionRef
    phase: ActionPhase
    inputs: Mapping[str, str]
    env: Mapping[str, str]
    workspace: str  # GITHUB_WORKSPACE
    temp: str  # RUNNER_TEMP
    tool_cache: str  # RUNNER_TOOL_CACHE
    job_dir: str  # a per-job directory the action may use (Python installs, npm prefix...)
    home: str  # CONVEYOR_HOME: where stores (caches, artifacts) live
    run_id: str
    job_key: str  # the job instance key, unique within the run
    repository: str  # the source repository root on this machine
    sha: str | None
    github: Mapping[str, object] = field(default_factory=dict)  # the github context
    state: Mapping[str, str] = field(default_factory=dict)

    def input(self, name: str, default: str = "") -> str:
        """An input by name (case-insensitive), or `default` when unset or empty."""
        wanted = name.lower()
        for key, value in self.inputs.items():
            if key.lower() == wanted:
                return value if value != "" else default
        return default


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """What a native action did. `post` asks for the post phase at the end of the job."""

    status: Conclusion = Conclusion.SUCCESS
    outputs: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)  # like GITHUB_ENV lines
    path: tuple[str, ...] = ()  # like GITHUB_PATH lines, in the order written
    state: Mapping[str, str] = field(default_factory=dict)  # handed to the post phase
    post: bool = False
    post_if: str = "always()"  # the condition of the post phase, as in action.yml
    error: str | None = None  # shown as an error line when the action fails
    # This host cannot do what the step asks (an interpreter that is not installed): the job
    # stops here and is reported skipped (unavailable) with this reason, not failed.
    unavailable: str | None = None
    # Markdown for the job's summary (as GITHUB_STEP_SUMMARY), and findings shown as annotations
    # (as `::warning file=...::`); both masked by the executor.
    summary: str = ""
    annotations: tuple[Annotation, ...] = ()
    # The store keeps the step's outputs as a point of this trend (`coverage`: coverage-gate's
    # rates, per repository and branch; see conveyor.store.coverage_points).
    trend: str | None = None


def failed(message: str) -> ActionOutcome:
    """The outcome of an action that could not do its job."""
    return ActionOutcome(status=Conclusion.FAILURE, error=message)


def unavailable(reason: str) -> ActionOutcome:
    """The outcome of an action this host cannot perform (see ActionOutcome.unavailable)."""
    return ActionOutcome(status=Conclusion.SKIPPED, unavailable=reason)


class ActionConsole(Protocol):
    """How a native action talks to the executor running it."""

    def log(self, line: str) -> None:
        """One line of the step's log (the executor masks it)."""

    def run(self, argv: Sequence[str], *, cwd: str, env: Mapping[str, str] | None = None) -> int:
        """Run a command in the step's process control (cancel, timeout); its output is logged.

        Returns the exit status (negative or 130-ish when it was stopped)."""

    def cancelled(self) -> bool:
        """True once the job is being cancelled or the step timed out."""

    def contains_secret(self, text: str) -> bool:
        """True when `text` holds a registered secret (in any masked form): an action refuses to
        write it where masking cannot reach, such as a file name."""


class ActionHandler(Protocol):
    """A native implementation of one remote action."""

    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome: ...


class ActionRegistry:
    """Native handlers by `owner/repo[/path]` (lower case, no ref)."""

    def __init__(self, handlers: Mapping[str, ActionHandler] | None = None) -> None:
        self._handlers: dict[str, ActionHandler] = {}
        for name, handler in (handlers or {}).items():
            self.register(name, handler)

    def register(self, name: str, handler: ActionHandler) -> None:
        self._handlers[name.strip("/").lower()] = handler

    def lookup(self, ref: ActionRef) -> ActionHandler | None:
        return self._handlers.get(ref.name)

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._handlers))


__all__ = [
    "ActionConsole",
    "ActionHandler",
    "ActionInvocation",
    "ActionOutcome",
    "ActionPhase",
    "ActionRef",
    "ActionRegistry",
    "failed",
    "parse_action_ref",
]
