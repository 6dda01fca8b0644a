"""Static questions about an expression: contexts and functions used, invalid calls, printing."""

from __future__ import annotations

import pytest

from conveyor.expr import (
    called_functions,
    check_functions,
    clear_caches,
    parse,
    referenced_contexts,
    to_source,
    uses_status_function,
)
from conveyor.expr.cache import CompileCache


def test_referenced_contexts() -> None:
    tree = parse("GitHub.ref == 'x' && contains(steps.a.outputs.b, env.X) || matrix['os']")
    assert referenced_contexts(tree) == frozenset({"github", "steps", "env", "matrix"})
    assert referenced_contexts(parse("'only a literal'")) == frozenset()


def test_called_functions() -> None:
    tree = parse("Success() && contains(format('{0}', toJSON(x)), 'a')")
    assert called_functions(tree) == frozenset({"success", "contains", "format", "tojson"})


@pytest.mark.parametrize(
    ("expression", "uses"),
    [("success()", True), ("!cancelled()", True), ("a && ALWAYS()", True), ("a == 'b'", False)],
)
def test_uses_status_function(expression: str, uses: bool) -> None:
    assert uses_status_function(parse(expression)) is uses


def test_check_functions_reports_every_bad_call() -> None:
    tree = parse("nope(1) || contains('a') && hashFiles() && case(true, 1) && join(1, 2, 3)")
    source = tree.source
    assert check_functions(tree) == [
        f"Unrecognized function: 'nope'. Located at position 1 within expression: {source}",
        f"Too few parameters supplied: 'contains'. Located at position 12 within expression: {source}",  # noqa: E501
        f"Too few parameters supplied: 'hashFiles'. Located at position 29 within expression: {source}",  # noqa: E501
        f"Too few parameters supplied: 'case'. Located at position 44 within expression: {source}",
        f"Too many parameters supplied: 'join'. Located at position 61 within expression: {source}",
    ]


def test_check_functions_accepts_valid_calls() -> None:
    tree = parse("format('{0}', hashFiles('a', 'b')) && case(a, 1, b, 2, 3) && fromjson(x)")
    assert check_functions(tree) == []
    assert check_functions(parse("case(a, 1, b, 2)")) == [
        "case requires an odd number of arguments: 'case'. Located at position 1 within "
        "expression: case(a, 1, b, 2)"
    ]


@pytest.mark.parametrize(
    ("source", "printed"),
    [
        ("a.b['c d'][0].*", "a.b['c d'][0].*"),
        ("(a || b) && !(c == d)", "(a || b) && !(c == d)"),
        ("a == (b == c)", "a == (b == c)"),
        ("(a == b) == c", "a == b == c"),
        (
            "f( 1 ,'x''y', null , true, NaN, -Infinity, 1.5e300 )",
            "f(1, 'x''y', null, true, NaN, -Infinity, 1.5e+300)",
        ),
        ("(fromJSON('[1]'))[0]", "fromJSON('[1]')[0]"),
        ("a[* == 1]", "a[* == 1]"),
        ("-0", "-0.0"),
    ],
)
def test_to_source(source: str, printed: str) -> None:
    assert to_source(parse(source)) == printed
    assert parse(printed) == parse(source)


def test_compile_cache_is_bounded_and_clearable() -> None:
    built: list[str] = []

    def build(key: str) -> str:
        built.append(key)
        return key.upper()

    cache: CompileCache[str, str] = CompileCache(build, size=2)
    assert cache.get("a") == "A"
    assert cache.get("a") == "A"
    assert built == ["a"]
    cache.get("b")
    cache.get("c")  # forgets "a", the oldest
    assert len(cache) == 2
    cache.get("a")
    assert built == ["a", "b", "c", "a"]
    clear_caches()
    assert len(cache) == 0
