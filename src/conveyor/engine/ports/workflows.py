"""The workflow-source port: how the planner reads the workflow a job's `uses:` names."""

from __future__ import annotations

from typing import Protocol

from conveyor.model.workflow import Workflow


class WorkflowSource(Protocol):
    def load(self, uses: str, caller: Workflow) -> Workflow:
        """The workflow `uses:` names: `./.github/workflows/x.yml` (relative to the repository)
        or `owner/repo/.github/workflows/x.yml@ref` (another repository's, fetched).

        Raises `conveyor.errors.WorkflowError` when it is invalid and `PlanError` when it
        cannot be found.
        """
        ...
