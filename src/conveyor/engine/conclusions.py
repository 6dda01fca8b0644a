"""Results as GitHub combines them: job status for `if`, matrix aggregation, run conclusion."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from conveyor.model.results import Status

# The job-level status handed to `if:` evaluation. "skipped" means some ancestor was skipped or
# cancelled (not by a run cancellation): success(), failure() and cancelled() are all false.
JOB_SUCCESS = "success"
JOB_FAILURE = "failure"
JOB_CANCELLED = "cancelled"
JOB_BLOCKED = "skipped"  # = expressions.BLOCKED


def effective(result: Status, continue_on_error: bool) -> Status:
    """What dependants see: a failure with `continue-on-error: true` counts as success."""
    if result is Status.FAILURE and continue_on_error:
        return Status.SUCCESS
    return result


def aggregate(results: Sequence[Status]) -> Status:
    """A job's result from its matrix legs' (effective) results."""
    if not results:
        return Status.SKIPPED
    if Status.FAILURE in results:
        return Status.FAILURE
    if Status.CANCELLED in results:
        return Status.CANCELLED
    if all(result is Status.SKIPPED for result in results):
        return Status.SKIPPED
    return Status.SUCCESS


def job_status(ancestor_results: Iterable[Status], run_cancelled: bool) -> str:
    """The status job-level `success()`/`failure()`/`cancelled()` look at.

    success() ⇔ no ancestor (transitively) failed, was cancelled or skipped; failure() ⇔ some
    ancestor failed; cancelled() ⇔ the run is being cancelled (which takes precedence).
    """
    if run_cancelled:
        return JOB_CANCELLED
    results = set(ancestor_results)
    if Status.FAILURE in results:
        return JOB_FAILURE
    if results & {Status.CANCELLED, Status.SKIPPED}:
        return JOB_BLOCKED
    return JOB_SUCCESS


def run_conclusion(jobs: Sequence[tuple[Status, bool]], cancelled: bool) -> Status:
    """A run's conclusion from each job's (result, continue-on-error) — reference §6.5.

    cancelled run → cancelled; a failure not covered by continue-on-error → failure; else a
    cancelled job → cancelled; every job skipped → skipped (conveyor's documented choice);
    otherwise success.
    """
    if cancelled:
        return Status.CANCELLED
    if any(result is Status.FAILURE and not coe for result, coe in jobs):
        return Status.FAILURE
    if any(result is Status.CANCELLED for result, _ in jobs):
        return Status.CANCELLED
    if jobs and all(result is Status.SKIPPED for result, _ in jobs):
        return Status.SKIPPED
    return Status.SUCCESS
