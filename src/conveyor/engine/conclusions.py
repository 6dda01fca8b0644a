"""Results as GitHub combines them: job status for `if`, matrix aggregation, run conclusion."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from conveyor.model.results import Conclusion

# The job-level status handed to `if:` evaluation. "skipped" means some ancestor was skipped or
# cancelled (not by a run cancellation): success(), failure() and cancelled() are all false.
JOB_SUCCESS = "success"
JOB_FAILURE = "failure"
JOB_CANCELLED = "cancelled"
JOB_BLOCKED = "skipped"  # = expressions.BLOCKED


def effective(result: Conclusion, continue_on_error: bool) -> Conclusion:
    """What dependants see: a failure with `continue-on-error: true` counts as success."""
    if result is Conclusion.FAILURE and continue_on_error:
        return Conclusion.SUCCESS
    return result


def aggregate(results: Sequence[Conclusion]) -> Conclusion:
    """A job's result from its matrix legs' (effective) results."""
    if not results:
        return Conclusion.SKIPPED
    if Conclusion.FAILURE in results:
        return Conclusion.FAILURE
    if Conclusion.CANCELLED in results:
        return Conclusion.CANCELLED
    if all(result is Conclusion.SKIPPED for result in results):
        return Conclusion.SKIPPED
    return Conclusion.SUCCESS


def job_status(ancestor_results: Iterable[Conclusion], run_cancelled: bool) -> str:
    """The status job-level `success()`/`failure()`/`cancelled()` look at.

    success() ⇔ no ancestor (transitively) failed, was cancelled or skipped; failure() ⇔ some
    ancestor failed; cancelled() ⇔ the run is being cancelled (which takes precedence).
    """
    if run_cancelled:
        return JOB_CANCELLED
    results = set(ancestor_results)
    if Conclusion.FAILURE in results:
        return JOB_FAILURE
    if results & {Conclusion.CANCELLED, Conclusion.SKIPPED}:
        return JOB_BLOCKED
    return JOB_SUCCESS


def run_conclusion(jobs: Sequence[tuple[Conclusion, bool]], cancelled: bool) -> Conclusion:
    """A run's conclusion from each job's (result, continue-on-error) — reference §6.5.

    cancelled run → cancelled; a failure not covered by continue-on-error → failure; else a
    cancelled job → cancelled; every job skipped → skipped (conveyor's documented choice);
    otherwise success.
    """
    if cancelled:
        return Conclusion.CANCELLED
    if any(result is Conclusion.FAILURE and not coe for result, coe in jobs):
        return Conclusion.FAILURE
    if any(result is Conclusion.CANCELLED for result, _ in jobs):
        return Conclusion.CANCELLED
    if jobs and all(result is Conclusion.SKIPPED for result, _ in jobs):
        return Conclusion.SKIPPED
    return Conclusion.SUCCESS
