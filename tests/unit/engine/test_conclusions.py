"""How results combine: job-level status for `if`, matrix aggregation, run conclusion."""

from __future__ import annotations

import pytest

from conveyor.engine.conclusions import aggregate, effective, job_status, run_conclusion
from conveyor.model.results import Conclusion

S, F, C, K = Conclusion.SUCCESS, Conclusion.FAILURE, Conclusion.CANCELLED, Conclusion.SKIPPED


@pytest.mark.parametrize(
    ("ancestors", "cancelled", "expected"),
    [
        ([], False, "success"),
        ([S, S], False, "success"),
        ([S, F, K], False, "failure"),
        ([S, K], False, "skipped"),
        ([C], False, "skipped"),
        ([F], True, "cancelled"),
    ],
)
def test_job_status(ancestors: list[Conclusion], cancelled: bool, expected: str) -> None:
    assert job_status(ancestors, cancelled) == expected


def test_continue_on_error_turns_a_failure_into_success_for_dependants() -> None:
    assert effective(F, True) is S
    assert effective(F, False) is F
    assert effective(C, True) is C


@pytest.mark.parametrize(
    ("legs", "expected"),
    [([S, S], S), ([S, F, C], F), ([S, C], C), ([K, K], K), ([K, S], S), ([], K)],
)
def test_matrix_aggregation(legs: list[Conclusion], expected: Conclusion) -> None:
    assert aggregate(legs) is expected


@pytest.mark.parametrize(
    ("jobs", "cancelled", "expected"),
    [
        ([(S, False), (K, False)], False, "success"),
        ([(S, False), (F, True)], False, "success"),
        ([(F, False), (C, False)], False, "failure"),
        ([(S, False), (C, False)], False, "cancelled"),
        ([(K, False), (K, False)], False, "skipped"),
        ([(S, False)], True, "cancelled"),
    ],
)
def test_run_conclusion(
    jobs: list[tuple[Conclusion, bool]], cancelled: bool, expected: str
) -> None:
    assert run_conclusion(jobs, cancelled) == expected
