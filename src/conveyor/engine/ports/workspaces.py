"""The workspace port: where an executor will put a job's workspace, known before dispatch.

Job-level values may read `github.workspace` (`env: {BUILD: ${{ github.workspace }}/build}`);
the planner evaluates them before the job runs, so it asks the executor's side for the path.
"""

from __future__ import annotations

from typing import Protocol


class WorkspacePaths(Protocol):
    def workspace(self, run_id: str, instance_key: str, repository: str) -> str:
        """The directory that will be `GITHUB_WORKSPACE` for this job instance."""
        ...
