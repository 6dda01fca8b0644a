"""Matrix expansion against GitHub's MatrixBuilder rules (reference §5.1) and act's tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.engine.matrix import MatrixLeg, expand_matrix, narrow
from conveyor.engine.strategy import evaluate_matrix, plan_strategy
from conveyor.errors import PlanError
from conveyor.workflow import load_workflow


def values(legs: tuple[MatrixLeg, ...]) -> list[dict[str, object]]:
    return [dict(leg.values) for leg in legs]


def test_product_order_first_vector_slowest() -> None:
    legs = expand_matrix({"os": ["a", "b"], "v": [1, 2]})
    assert values(legs) == [
        {"os": "a", "v": 1},
        {"os": "a", "v": 2},
        {"os": "b", "v": 1},
        {"os": "b", "v": 2},
    ]
    assert legs[1].name_values == ("a", 2)


def test_include_extends_matching_combinations_and_adds_unmatched_ones() -> None:
    # The documented example: fruit × animal with includes.
    matrix = {
        "fruit": ["apple", "pear"],
        "animal": ["cat", "dog"],
        "include": [
            {"color": "green"},
            {"color": "pink", "animal": "cat"},
            {"fruit": "apple", "shape": "circle"},
            {"fruit": "banana"},
            {"fruit": "banana", "animal": "cat"},
        ],
    }
    assert values(expand_matrix(matrix)) == [
        {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
        {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
        {"fruit": "pear", "animal": "cat", "color": "pink"},
        {"fruit": "pear", "animal": "dog", "color": "green"},
        {"fruit": "banana"},
        {"fruit": "banana", "animal": "cat"},
    ]


def test_include_cannot_overwrite_an_original_value_only_added_ones() -> None:
    matrix = {
        "os": ["windows", "linux"],
        "node": [14],
        "include": [
            {"os": "windows", "npm": 6},
            {"os": "windows", "npm": 7},
            {"node": 14, "os": "mac"},
        ],
    }
    assert values(expand_matrix(matrix)) == [
        {"os": "windows", "node": 14, "npm": 7},
        {"os": "linux", "node": 14},
        {"node": 14, "os": "mac"},
    ]


def test_exclude_runs_first_and_include_can_add_an_excluded_combination_back() -> None:
    matrix = {
        "os": ["a", "b"],
        "v": [1, 2],
        "exclude": [{"os": "b", "v": 2}],
        "include": [{"os": "b", "v": 2, "extra": True}],
    }
    assert values(expand_matrix(matrix))[-1] == {"os": "b", "v": 2, "extra": True}
    assert len(expand_matrix(matrix)) == 4


def test_exclude_with_partial_keys_and_loose_equality() -> None:
    matrix = {
        "node": [14, 16],
        "os": ["Ubuntu", "mac"],
        "exclude": [{"node": "16", "os": "ubuntu"}],
    }
    assert values(expand_matrix(matrix)) == [
        {"node": 14, "os": "Ubuntu"},
        {"node": 14, "os": "mac"},
        {"node": 16, "os": "mac"},
    ]


def test_objects_are_matched_leaf_by_leaf() -> None:
    matrix = {
        "cfg": [{"os": "linux", "arch": "x64"}, {"os": "win", "arch": "x64"}],
        "exclude": [{"cfg": {"os": "win"}}],
        "include": [{"cfg": {"os": "linux"}, "label": "penguin"}],
    }
    assert values(expand_matrix(matrix)) == [
        {"cfg": {"os": "linux", "arch": "x64"}, "label": "penguin"},
    ]


def test_include_only_gives_one_job_per_entry() -> None:
    # act's TestMatrixOnlyIncludes
    matrix = {"include": [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]}
    assert values(expand_matrix(matrix)) == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ({"os": []}, "Matrix vector 'os' does not contain any values"),
        ({}, "Matrix must define at least one vector"),
        ({"os": ["a"], "exclude": [{"arch": "x"}]}, "does not match any key"),
        ({"os": ["a"], "include": [{}]}, "non-empty"),
        ({"os": "a"}, "must be a sequence"),
        ({"n": list(range(17)), "m": list(range(16))}, "must not exceed 256"),
    ],
)
def test_malformed_matrices_are_plan_errors(matrix: dict[str, object], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        expand_matrix(matrix)


def test_narrow_keeps_matching_values_and_ignores_absent_keys() -> None:
    legs = expand_matrix({"os": ["ubuntu-18.04", "macos"], "node": [4, 8, "8.x"]})
    kept = narrow(legs, {"node": ("8", "8.x"), "os": ("ubuntu-18.04",), "absent": ("x",)})
    assert values(kept) == [
        {"os": "ubuntu-18.04", "node": 8},
        {"os": "ubuntu-18.04", "node": "8.x"},
    ]


def _misc(shared: Path) -> dict[str, object]:
    data = json.loads((shared / "act-corpus" / "misc.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_act_strategy_table(shared: Path) -> None:
    """misc.json matrix_expansion: combinations in order, fail-fast, max-parallel.

    act's own default for an unset max-parallel is 4; conveyor follows GitHub (the strategy
    context shows job-total, and nothing limits the legs but the run's slots).
    """
    for case in _misc(shared)["matrix_expansion"]:  # type: ignore[union-attr]
        if "workflow" not in case:
            assert values(expand_matrix(case["matrix"])) == case["expected_combinations_in_order"]
            continue
        path = shared / "act-corpus" / case["workflow"]
        workflow = load_workflow(path).workflow
        assert workflow is not None
        plan = plan_strategy(workflow.jobs[case["job"]].strategy, {})
        assert values(plan.legs) == case["expected_combinations_in_order"], case["job"]
        assert plan.fail_fast is case["expected_fail_fast"]
        expected_parallel = case["expected_max_parallel"]
        if "defaults to 4" in case.get("note", ""):
            assert plan.max_parallel is None
            assert plan.context(0)["max-parallel"] == len(plan.legs)
        else:
            assert plan.max_parallel == expected_parallel


def test_strategy_context() -> None:
    plan = plan_strategy(None, {})
    assert plan.context(0) == {"fail-fast": True, "job-index": 0, "job-total": 1, "max-parallel": 1}


def test_matrix_from_a_whole_expression_and_keys_with_expressions() -> None:
    contexts = {"needs": {"prep": {"outputs": {"m": '{"pkg": ["a", "b"]}', "key": "steady"}}}}
    whole = evaluate_matrix("${{ fromJSON(needs.prep.outputs.m) }}", contexts)
    assert whole == {"pkg": ["a", "b"]}
    keyed = evaluate_matrix({"${{ needs.prep.outputs.key }}": ["x"]}, contexts)
    assert keyed == {"steady": ["x"]}


def test_vector_item_expression_yielding_an_array_is_spliced() -> None:
    raw = {"a": [{"env": {"k1": "${{ 'val' }}1"}}, '${{ fromJSON(\'[{"k": 2}, {"k": 3}]\') }}']}
    assert evaluate_matrix(raw, {}) == {"a": [{"env": {"k1": "val1"}}, {"k": 2}, {"k": 3}]}


def test_insert_key_merges_a_mapping() -> None:
    raw = {"a": [{"env": {"k1": "v1", "${{ insert }}": '${{ fromJSON(\'{"k3": "v3"}\') }}'}}]}
    assert evaluate_matrix(raw, {}) == {"a": [{"env": {"k1": "v1", "k3": "v3"}}]}
