"""One word for the state of a run, job or step, and its label."""

from __future__ import annotations

from conveyor.engine.ports.store import Conclusion, RunStatus

STATE_LABEL = {
    "success": "Success",
    "failure": "Failed",
    "cancelled": "Cancelled",
    "skipped": "Skipped",
    "startup_failure": "Startup failure",
    "abandoned": "Abandoned",
    "queued": "Queued",
    "pending": "Pending",
    "waiting": "Waiting",
    "in_progress": "In progress",
    "completed": "Completed",
}


def state_of(status: RunStatus | str, conclusion: Conclusion | str | None) -> str:
    """One word for a run, job or step: its conclusion once completed, else its status."""
    if str(status) == RunStatus.COMPLETED and conclusion is not None:
        return str(conclusion)
    return str(status)
