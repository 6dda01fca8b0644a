"""A step's `if:` decided before anything runs (what `--dry-run` shows as skipped)."""

from __future__ import annotations

import pytest

from conveyor.engine.expressions import static_condition

CONTEXTS = {"github": {"event_name": "push", "ref": "refs/heads/main"}, "matrix": {"os": "a"}}


@pytest.mark.parametrize(
    ("condition", "decided"),
    [
        ("github.event_name == 'pull_request'", False),
        ("${{ github.ref == 'refs/heads/main' }}", True),
        ("matrix.os == 'b'", False),
        ("false", False),
        (False, False),
        ("steps.x.outputs.y == 'z'", None),  # a step decides it
        ("env.X == '1'", None),  # GITHUB_ENV may change it
        ("needs.a.outputs.b", None),
        ("always() && github.event_name == 'pull_request'", None),
        ("hashFiles('x') != ''", None),
        ("", None),
        (None, None),
        ("github.event_name ==", None),  # a syntax error is the run's to report
    ],
)
def test_static_condition(condition: object, decided: bool | None) -> None:
    assert static_condition(condition, CONTEXTS) is decided
