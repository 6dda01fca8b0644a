"""Job-level `if:` under each job status, including the 'an ancestor was skipped' one that
conveyor.expr does not know (success(), failure() and cancelled() all false)."""

from __future__ import annotations

import pytest

from conveyor.engine.expressions import BLOCKED, evaluate_condition

CONTEXTS = {"needs": {"a": {"result": "skipped"}}, "github": {"event_name": "push"}}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (None, False),
        ("", False),
        ("github.event_name == 'push'", False),
        ("success()", False),
        ("failure()", False),
        ("cancelled()", False),
        ("always()", True),
        ("${{ !cancelled() }}", True),
        ("!success() && needs.a.result == 'skipped'", True),
        ("always() && contains('success()', 'failure()')", False),
        ("always() && 'failure()' == 'FAILURE()'", True),
        ("${{ failure() }} ", False),
        ("prefix ${{ success() }}", True),  # text around `${{ }}`: a non-empty string
        (True, False),
    ],
)
def test_blocked_status(condition: object, expected: bool) -> None:
    assert evaluate_condition(condition, CONTEXTS, BLOCKED) is expected


@pytest.mark.parametrize(
    ("status", "condition", "expected"),
    [
        ("success", None, True),
        ("failure", None, False),
        ("failure", "failure()", True),
        ("cancelled", "always()", True),
        ("cancelled", "${{ !cancelled() }}", False),
        ("success", False, False),
        ("success", 1, True),
    ],
)
def test_other_statuses(status: str, condition: object, expected: bool) -> None:
    assert evaluate_condition(condition, CONTEXTS, status) is expected
