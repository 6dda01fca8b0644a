"""Every case of nektos/act's expression tables (../shared/act-corpus/expressions.json).

Modes: `evaluate` (a bare expression), `interpolate` (a template), `if` (a condition with the
implicit success()). act's int/float64 distinction is Go's; here both are one number kind, and the
test checks kind and value. Six act expectations differ from GitHub's runner; for those the test
asserts GitHub's behaviour (DEVIATIONS, each with its reason). act's hashFiles digest is not
GitHub's either: see _check_hash_files.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest

from conveyor.errors import ExpressionError
from conveyor.expr import evaluate, evaluate_condition, interpolate, parse
from conveyor.expr.hashfiles import matching_files
from conveyor.expr.nodes import Call, Literal
from conveyor.expr.values import Kind, kind_of
from tests.conftest import shared_params

CORPUS = Path("act-corpus", "expressions.json")  # in ../shared
SKIPPED = Path("act-corpus", "expressions-skipped.json")

MULTIPLE_CONTAINS = (
    'contains(fromJSON(\'[{ "first": { "result": "success" }},'
    '{ "second": { "result": "success" }}]\').first.result, \'success\')'
)
# (source, expr) -> (GitHub's result, why act differs)
DEVIATIONS: dict[tuple[str, str], tuple[object, str]] = {
    ("TestOperators", "secrets != env"): (
        True,
        "act refuses to compare two objects; GitHub compares objects by identity (not equal)",
    ),
    ("TestOperators", "fromJSON('[0,1]')[1.1]"): (
        1,
        "GitHub floors a numeric array index (Math.Floor in Index.cs); act returns null",
    ),
    ("TestOperators", "(github.event.commits.*.author.username)[0]"): (
        [],
        "on GitHub `[0]` after a `.*` filter maps over the elements (parentheses make no node, "
        "Index.cs HandleFilteredArray); strings have no element 0, so the result is empty",
    ),
    (
        "TestOperators",
        "github.event.commits[0].author.username1 != github.event.commits[1].author.username2",
    ): (
        False,
        "both sides are null, and on GitHub null == null (AbstractEqual); act says they differ",
    ),
    ("TestFunctionContains", MULTIPLE_CONTAINS): (
        False,
        "`.first` on a plain array (no `.*`) is null on GitHub (Index.cs HandleArray), so the "
        "search is '' and contains('', 'success') is false; act maps over the elements",
    ),
    ("TestContexts", "github.event.pull_request.labels.*.name"): (
        [],
        "GitHub's `.*` on null gives an empty filtered array; act returns null",
    ),
}
KIND_OF_TYPE = {
    "bool": Kind.BOOLEAN,
    "string": Kind.STRING,
    "int": Kind.NUMBER,
    "float64": Kind.NUMBER,
    "null": Kind.NULL,
    "object": Kind.OBJECT,
    "array": Kind.ARRAY,
}


def _cases(shared: Path) -> list[Any]:
    data = json.loads((shared / CORPUS).read_text(encoding="utf-8"))
    return [
        pytest.param(case, id=f"{number}-{case['source']}-{case['expr'][:40]}")
        for number, case in enumerate(data["cases"])
    ]


def _contexts(case: dict[str, Any], workspace: Path) -> dict[str, Any]:
    raw = dict(case.get("context") or {})
    raw.pop("note", None)
    for name, text in raw.pop("workdir_files", {}).items():
        path = workspace / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    github = dict(raw.get("github") or {})
    github["workspace"] = str(workspace)  # hashFiles hashes under the workspace
    raw["github"] = github
    return raw


def _run(case: dict[str, Any], contexts: dict[str, Any]) -> object:
    if case["mode"] == "evaluate":
        return evaluate(case["expr"], contexts)
    if case["mode"] == "interpolate":
        return interpolate(case["expr"], contexts)
    return evaluate_condition(case["expr"], contexts)


def _same(actual: object, expected: object) -> bool:
    if kind_of(actual) is not kind_of(expected):
        return False
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    return actual == expected


@pytest.mark.parametrize("case", shared_params(_cases))
def test_act_expression_case(case: dict[str, Any], tmp_path: Path) -> None:
    contexts = _contexts(case, tmp_path)
    deviation = DEVIATIONS.get((case["source"], case["expr"]))
    if deviation is not None:
        assert _same(_run(case, contexts), deviation[0]), deviation[1]
        return
    if "error" in case:
        with pytest.raises(ExpressionError) as caught:
            _run(case, contexts)
        if case["error"] != "(any error)":
            assert caught.value.message == case["error"]
        return
    if "hashFiles" in case["expr"] and case["expected"]:
        _check_hash_files(case, tmp_path)
        return
    result = _run(case, contexts)
    if case["expected_type"] in KIND_OF_TYPE:
        assert kind_of(result) is KIND_OF_TYPE[case["expected_type"]]
    assert _same(result, case["expected"])


def _check_hash_files(case: dict[str, Any], workspace: Path) -> None:
    """act hashes the matched files' contents; GitHub (hashFiles.ts) hashes their digests.

    act's digest proves conveyor picks the same files in the same order; the result must be
    GitHub's digest over those files.
    """
    call = parse(case["expr"])
    assert isinstance(call, Call)
    patterns = [arg.value for arg in call.args if isinstance(arg, Literal)]
    files = matching_files(str(workspace), patterns)  # type: ignore[arg-type]
    contents = [Path(name).read_bytes() for name in files]
    assert hashlib.sha256(b"".join(contents)).hexdigest() == case["expected"]
    github = hashlib.sha256(b"".join(hashlib.sha256(data).digest() for data in contents))
    assert evaluate(case["expr"], _contexts(case, workspace)) == github.hexdigest()


def _nonplain_cases(shared: Path) -> list[Any]:
    data = json.loads((shared / SKIPPED).read_text(encoding="utf-8"))
    return [pytest.param(case, id=f"{case['source']}-{case['expr']}") for case in data["nonplain"]]


@pytest.mark.parametrize("case", shared_params(_nonplain_cases))
def test_act_cases_with_nan_or_infinity(case: dict[str, Any]) -> None:
    expected = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
    assert _same(evaluate(case["expr"], {}), expected[case["expected_special"]])


def test_the_corpus_is_all_here(shared: Path) -> None:
    cases = json.loads((shared / CORPUS).read_text(encoding="utf-8"))["cases"]
    assert len(cases) == 531
    for source, expr in DEVIATIONS:
        assert any(c["source"] == source and c["expr"] == expr for c in cases)
