"""Property access, indexing and the `.*` / `[*]` filters (§3.1)."""

from __future__ import annotations

import pytest

from conveyor.errors import ExpressionEvaluationError
from conveyor.expr import evaluate

CONTEXTS = {
    "github": {
        "event": {
            "issue": {"labels": [{"name": "bug"}, {"name": "ci"}, {"color": "red"}]},
            "commits": [{"id": "a", "files": ["x", "y"]}, {"id": "b", "files": ["z"]}],
        },
        "Mixed-Case": "found",
        "ref": "refs/heads/main",
    },
    "needs": {
        "build": {"result": "success", "outputs": {"version": "1.0"}},
        "test": {"result": "failure", "outputs": {}},
    },
    "matrix": {"list": [10, 20, 30], "nested": [[1, 2], [3], "x", {"0": "zero"}]},
    "steps": {"my-step": {"outputs": {"out-put": "v"}}},
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("github.ref", "refs/heads/main"),
        ("GITHUB.REF", "refs/heads/main"),  # contexts and keys ignore case
        ("github['REF']", "refs/heads/main"),
        ("github.mixed-case", "found"),
        ("steps.my-step.outputs.out-put", "v"),
        ("github.missing", None),
        ("github.missing.deeper.still", None),
        ("github.ref.length", None),  # a string has no properties
        ("github.ref[0]", None),
        ("matrix.list[0]", 10),
        ("matrix.list[2]", 30),
        ("matrix.list[3]", None),
        ("matrix.list[-1]", None),
        ("matrix.list[1.9]", 20),  # floored
        ("matrix.list['1']", 20),  # a numeric string is a position
        ("matrix.list[' 1 ']", 20),
        ("matrix.list['one']", None),
        ("matrix.list[true]", 20),  # true is 1
        ("matrix.list[null]", 10),  # null is 0
        ("matrix.list[2147483648]", None),
        ("matrix.list[NaN]", None),
        ("matrix.list[fromJSON('[]')]", None),
        ("matrix.nested[3][0]", "zero"),  # a number key on an object is its string
        ("needs['build'].result", "success"),
        ("needs[format('{0}', 'test')].result", "failure"),
        ('fromJSON(\'{"a": {"b": 1}}\').a.b', 1),
        ("(fromJSON('[5, 6]'))[1]", 6),
        ("github.event.issue.labels[1].name", "ci"),
    ],
)
def test_access(expression: str, expected: object) -> None:
    assert evaluate(expression, CONTEXTS) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("github.event.issue.labels.*.name", ["bug", "ci"]),  # misses are skipped
        ("github.event.issue.labels[*].name", ["bug", "ci"]),
        ("needs.*.result", ["success", "failure"]),
        ("needs.*.outputs.version", ["1.0"]),
        ("matrix.list.*", [10, 20, 30]),
        ("matrix.nested.*[0]", [1, 3, "zero"]),  # maps over elements, skips non-collections
        ("matrix.nested.*.*", [1, 2, 3, "zero"]),
        ("github.event.commits.*.files.*", ["x", "y", "z"]),
        ("github.event.commits.*.files[1]", ["y"]),
        ("github.ref.*", []),
        ("github.missing.*", []),
        ("github.missing.*.name", []),
        ("(needs.*.result)[0]", []),  # still a filter: strings have no element 0
    ],
)
def test_filters(expression: str, expected: list[object]) -> None:
    result = evaluate(expression, CONTEXTS)
    assert result == expected
    assert type(result) is list  # the filter type does not leak out


def test_filter_results_compare_by_identity() -> None:
    assert evaluate("needs.*.result == needs.*.result", CONTEXTS) is False


def test_index_key_is_not_evaluated_on_non_collections() -> None:
    assert evaluate("github.ref[fromJSON('not json')]", CONTEXTS) is None


def test_unknown_context_is_an_error() -> None:
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate("github.ref == vars.x", {"github": {}})
    assert caught.value.message == (
        "Unrecognized named-value: 'vars'. Located at position 15 within expression: "
        "github.ref == vars.x"
    )
    assert caught.value.position == 15


def test_contexts_may_be_any_mapping() -> None:
    from types import MappingProxyType

    contexts = MappingProxyType({"Env": MappingProxyType({"KEY": "v"})})
    assert evaluate("env.key", contexts) == "v"
    assert evaluate("env.*", contexts) == ["v"]


def test_tuples_are_arrays() -> None:
    assert evaluate("matrix.t[1]", {"matrix": {"t": ("a", "b")}}) == "b"
    assert evaluate("join(matrix.t, '+')", {"matrix": {"t": ("a", "b")}}) == "a+b"
