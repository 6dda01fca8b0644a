"""Plain values (no `${{ }}`) give what conveyor.expr gives, without loading it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conveyor import expr
from conveyor.engine import expressions
from conveyor.executors.local import evaluation

STATUSES = ["success", "failure", "cancelled", "skipped"]
VALUES = ["", "x", "0", "true", None, True, False, 0, 1, -2, 1.5, 1e21, float("nan"), [], {}]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_strings_and_truth_as_conveyor_expr(value: object) -> None:
    assert expressions.to_string(value) == expr.to_string(value)
    assert expressions.is_truthy(value) == expr.is_truthy(value)
    assert expressions.evaluate_text(value, {}) == expr.to_string(expr.evaluate_value(value, {}))


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    "condition", [None, "", "success()", "failure()", "cancelled()", "always()", True]
)
def test_default_and_status_conditions_as_conveyor_expr(status: object, condition: object) -> None:
    job_text = expressions.condition_source(condition)
    assert expressions.evaluate_condition(condition, {}, str(status)) == expr.evaluate_condition(
        job_text.strip() if status == "skipped" else job_text, {}, job_status=str(status)
    )
    step_text = evaluation.condition_text(condition)
    assert evaluation.check(condition, {}, str(status)) == expr.evaluate_condition(
        step_text, {}, job_status=str(status)
    )


def test_a_plan_without_expressions_loads_no_expression_engine() -> None:
    probe = (
        "import sys\n"
        "from conveyor.engine import expressions\n"
        "from conveyor.executors.local import evaluation\n"
        "assert expressions.evaluate_condition(None, {}, 'success')\n"
        "assert expressions.evaluate_text('ubuntu-latest', {}) == 'ubuntu-latest'\n"
        "assert evaluation.check(None, {}, 'success')\n"
        "assert evaluation.text('echo hi', {}) == 'echo hi'\n"
        "print('conveyor.expr' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
