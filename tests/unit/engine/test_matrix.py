"""Matrix expansion against GitHub's MatrixBuilder rules (reference §5.1) and act's tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.engine.strategy import evaluate_matrix, plan_strategy
from conveyor.errors import PlanError
from conveyor.workflow import load_workflow
from conveyor.workflow.matrix import MatrixLeg, expand_matrix, narrow


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


def test_a_huge_matrix_is_refused_before_any_combination_is_built() -> None:
    # 100**6 = 10**12 combinations: counted from the vector sizes, never enumerated.
    matrix = {f"k{i}": list(range(100)) for i in range(6)}
    with pytest.raises(PlanError, match="must not exceed 256 items"):
        expand_matrix(matrix)


def test_the_size_counts_excludes_and_unused_includes_without_expanding() -> None:
    from conveyor.workflow.matrix import count_legs

    # 17 x 16 = 272 combinations; excluding 16 of them leaves 256, an unused include makes 257.
    matrix: dict[str, object] = {"a": list(range(17)), "b": list(range(16))}
    assert count_legs(matrix) == 272
    matrix["exclude"] = [{"a": 16}]
    assert count_legs(matrix) == 256
    assert len(expand_matrix(matrix)) == 256
    matrix["include"] = [{"a": 16, "b": 0, "extra": 1}, {"a": 3, "extra": 2}]
    assert count_legs(matrix) == 257  # the first include's combination was excluded
    with pytest.raises(PlanError, match="must not exceed 256 items"):
        expand_matrix(matrix)


MATRICES: list[dict[str, object]] = [
    {"os": ["a", "b"], "v": [1, 2, "1"], "exclude": [{"v": 1}, {"os": "A", "v": 2}]},
    {"x": [{"n": 1, "m": [1, 2]}, {"n": 2}], "y": [True, None], "exclude": [{"x": {"m": [1]}}]},
    {"os": ["l", "w"], "include": [{"os": "w", "e": 1}, {"os": "m"}, {"e": 2}]},
    {"os": ["l", "w"], "exclude": [{"os": "l"}, {"os": "w"}], "include": [{"os": "l"}]},
    {"a": [1, 2, 3], "b": [1, 2], "c": [0], "exclude": [{"a": 1, "b": 2}, {"c": "0", "a": 3}]},
    {"OS": ["x"], "os": ["y", "z"], "exclude": [{"os": "x"}], "include": [{"Os": "y"}]},
    {"include": [{"a": 1}, {"a": 2}]},
]


@pytest.mark.parametrize("matrix", MATRICES)
def test_the_counted_size_is_the_expanded_size(matrix: dict[str, object]) -> None:
    from conveyor.workflow.matrix import count_legs

    assert count_legs(matrix) == len(expand_matrix(matrix))


def test_excludes_that_remove_almost_everything_are_expanded_without_the_product() -> None:
    matrix: dict[str, object] = {"a": list(range(100)), "b": list(range(150))}
    matrix["exclude"] = [{"b": value} for value in range(1, 150)]
    legs = expand_matrix(matrix)
    assert len(legs) == 100
    assert all(leg.values["b"] == 0 for leg in legs)


def _reference_expansion(matrix: dict[str, object]) -> list[dict[str, object]]:
    """The plain product-then-filter expansion, for comparison (small matrices only)."""
    import itertools

    from conveyor.workflow.loose_equality import loose_equals

    vectors = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    excludes = matrix.get("exclude", [])
    includes = matrix.get("include", [])
    legs: list[dict[str, object]] = []
    used = [False] * len(includes)  # type: ignore[arg-type]

    def matches(entry: dict[str, object], combination: dict[str, object]) -> bool:
        return all(loose_equals(combination.get(k), v) for k, v in entry.items() if k in vectors)

    for values in itertools.product(*vectors.values()):
        combination = dict(zip(vectors, values, strict=True))
        if any(matches(entry, combination) for entry in excludes):  # type: ignore[attr-defined]
            continue
        merged = dict(combination)
        for index, entry in enumerate(includes):  # type: ignore[arg-type]
            if matches(entry, combination):
                used[index] = True
                merged.update({k: v for k, v in entry.items() if k not in vectors})
        legs.append(merged)
    legs.extend(dict(e) for i, e in enumerate(includes) if not used[i])  # type: ignore[arg-type]
    return legs


@pytest.mark.parametrize("seed", range(40))
def test_random_matrices_expand_like_the_plain_product(seed: int) -> None:
    import random

    from conveyor.workflow.matrix import count_legs

    rng = random.Random(seed)
    keys = ["a", "b", "c", "d"][: rng.randint(1, 4)]
    matrix: dict[str, object] = {k: list(range(rng.randint(1, 4))) for k in keys}

    def entry() -> dict[str, object]:
        chosen = rng.sample(keys, rng.randint(1, len(keys)))
        return {k: rng.randint(0, 3) for k in chosen}

    matrix["exclude"] = [entry() for _ in range(rng.randint(0, 4))]
    matrix["include"] = [{**entry(), "extra": n} for n in range(rng.randint(0, 3))]
    expected = _reference_expansion(matrix)
    assert count_legs(matrix) == len(expected)
    assert values(expand_matrix(matrix)) == expected
