"""What one evaluation sees: the contexts and the job status the status functions read."""

from __future__ import annotations

from collections.abc import Callable, Mapping

JOB_STATUSES = frozenset({"success", "failure", "cancelled", "skipped"})
"""What success(), failure() and cancelled() read; with "skipped" (job level: an ancestor was
skipped) all three are false. always() is always true."""


class Scope:
    """The evaluation state handed to every compiled node."""

    __slots__ = ("contexts", "job_status", "memory")

    def __init__(self, contexts: Mapping[str, object], job_status: str = "success") -> None:
        self.contexts = contexts
        self.job_status = job_status
        self.memory = 0  # bytes the results alive now hold (conveyor.expr.memory)


Compiled = Callable[[Scope], object]
"""A compiled expression node: evaluates itself in a scope."""


def checked_job_status(job_status: str) -> str:
    if job_status not in JOB_STATUSES:
        raise ValueError(f"job_status must be one of {sorted(JOB_STATUSES)}, not {job_status!r}")
    return job_status
