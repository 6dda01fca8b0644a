"""What a workflow run is given: `RunScope` per workflow run, `RunSettings` for the whole run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.engine.ports.workspaces import WorkspacePaths
from conveyor.model.workflow import Workflow


@dataclass(frozen=True, slots=True)
class RunSettings:
    """Shared by every workflow run of one `conveyor run`."""

    repository: str
    sha: str | None = None
    parallel: int = 1
    matrix_filter: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    include_uncommitted: bool = False
    run_attempt: int = 1
    dry_run: bool = False  # nothing runs: what only a run can decide is shown as such
    workspaces: WorkspacePaths | None = field(default=None, compare=False)

    def workspace(self, run_id: str, instance_key: str) -> str:
        """`github.workspace` of a job instance (the repository itself without a port)."""
        if self.workspaces is None:
            return self.repository
        return self.workspaces.workspace(run_id, instance_key, self.repository)


@dataclass(frozen=True, slots=True)
class RunScope:
    """One workflow run: the workflow and the values its expressions see.

    A reusable workflow called by a job runs in a child scope: the caller's `github` context,
    the inputs and secrets the call passes, and a prefix for its jobs' keys and names.
    """

    run_id: str
    workflow: Workflow
    github: Mapping[str, object] = field(default_factory=dict)
    inputs: Mapping[str, object] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    vars: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)  # runner-level (`--env`, `--env-file`)
    key_prefix: str = ""
    name_prefix: str = ""
    depth: int = 0
    masks: tuple[str, ...] = ()

    def contexts(self) -> dict[str, object]:
        """The contexts every job-level key may use (github, inputs, vars)."""
        return {"github": self.github, "inputs": dict(self.inputs), "vars": dict(self.vars)}
