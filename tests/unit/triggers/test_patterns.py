"""Filter patterns: act's TestMatchPattern table, GitHub's cheat sheet, and error cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conveyor.errors import UsageError
from conveyor.model.events import Event
from conveyor.triggers import compile_patterns, patterns_match
from conveyor.triggers.path_filters import check_path_filters
from tests.conftest import shared_params
from tests.unit.triggers.factories import trigger


def _corpus_cases(shared: Path) -> list[dict[str, Any]]:
    path = shared / "act-corpus" / "filters.json"
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["pattern_match"]
    return cases


# act's Filter (for *-ignore lists) counts an input as ignored when *any* negative pattern does NOT
# match it, so `['*.md', '!README.md']` "ignores" README.md and docs/hello.md. conveyor applies
# last-match-wins to ignore lists as to include lists (semantics §2.3 recommends it): `!README.md`
# re-includes README.md, and `*.md` does not match docs/hello.md. These two rows are recorded here
# with conveyor's answer instead of act's.
IGNORE_LIST_DIVERGENCES = {59: False, 60: False}


def _judge(key: str, patterns: list[str], inputs: list[str]) -> bool:
    """act's answer shape: True when the workflow would be skipped by this one list."""
    if not patterns:
        return False  # act: an empty list does not filter
    event = Event("push", ref="refs/heads/main", changed_files=tuple(inputs))
    result = check_path_filters(trigger("push", **{key: patterns}), event)
    assert result is not None
    return not result.fires


@pytest.mark.parametrize("case", shared_params(_corpus_cases), ids=lambda case: f"act-{case['id']}")
def test_act_pattern_table_include_lists(case: dict[str, Any]) -> None:
    assert _judge("paths", case["patterns"], case["inputs"]) is case["skip"]


@pytest.mark.parametrize("case", shared_params(_corpus_cases), ids=lambda case: f"act-{case['id']}")
def test_act_pattern_table_ignore_lists(case: dict[str, Any]) -> None:
    expected = IGNORE_LIST_DIVERGENCES.get(case["id"], case["filter"])
    assert _judge("paths_ignore", case["patterns"], case["inputs"]) is expected


def test_the_corpus_has_every_row_and_the_divergences_are_real(shared: Path) -> None:
    cases = {case["id"]: case for case in _corpus_cases(shared)}
    assert len(cases) == 64
    assert all(cases[row]["filter"] is True for row in IGNORE_LIST_DIVERGENCES)


# (patterns, name, included) — GitHub's filter pattern cheat sheet, with the names each pattern
# must NOT match added, plus the syntax rules of semantics §2.3.
CHEAT_SHEET = [
    (["feature/*"], "feature/my-branch", True),
    (["feature/*"], "feature/a/b", False),
    (["feature/**"], "feature/mona/the/octocat", True),
    (["feature/**"], "feature", False),
    (["main", "releases/mona-the-octocat"], "releases/mona-the-octocat", True),
    (["main", "releases/mona-the-octocat"], "releases/other", False),
    (["*"], "releases", True),
    (["*"], "releases/v1", False),
    (["**"], "all/the/branches", True),
    (["*feature"], "ver-10-feature", True),
    (["*feature"], "feature-x", False),
    (["v2*"], "v2.9", True),
    (["v2*"], "v3", False),
    (["v[12].[0-9]+.[0-9]+"], "v1.10.1", True),
    (["v[12].[0-9]+.[0-9]+"], "v2.0.0", True),
    (["v[12].[0-9]+.[0-9]+"], "v3.0.0", False),
    (["v[12].[0-9]+.[0-9]+"], "v1.x.0", False),
    (["v[12].[0-9]+.[0-9]+"], "v1a0.0", False),  # '.' is literal
    (["*.jsx?"], "page.js", True),
    (["*.jsx?"], "page.jsx", True),
    (["*.jsx?"], "page.jsxx", False),
    (["*.jsx?"], "src/page.js", False),
    (["**.js"], "src/js/app.js", True),
    (["docs/*"], "docs/a/b.md", False),
    (["docs/**/*.md"], "docs/README.md", True),
    (["docs/**/*.md"], "docs/a/markdown/file.md", True),
    (["docs/**/*.md"], "docs/a/file.txt", False),
    (["**/docs/**"], "space/docs/plan/space.doc", True),
    (["**/docs/**"], "documents/x", False),
    (["**/README.md"], "README.md", True),
    (["**/README.md"], "js/README.md", True),
    (["**/README.md"], "README.md.bak", False),
    (["**/migrate-*.sql"], "db/sept/migrate-v1.sql", True),
    (["*.md", "!README.md"], "hello.md", True),
    (["*.md", "!README.md"], "README.md", False),
    (["*.md", "!README.md", "README*"], "README.md", True),
    (["**", "!docs/**"], "docs/guide/intro.md", False),
    (["**", "!docs/**"], "src/docs.py", True),
    (["!main", "main"], "main", True),  # a later positive pattern re-includes
    (["!main"], "main", False),
    (["!main"], "other", False),  # only negatives include nothing
    (["?abc"], "?abc", True),  # a leading ? or + is literal
    (["?abc"], "abc", False),
    (["+x"], "+x", True),
    (["a+"], "aaa", True),
    (["ab?c"], "ac", True),
    (["ab?c"], "abbc", False),
    (["\\*"], "*", True),
    (["\\*"], "x", False),
    (["a\\?"], "a?", True),
    (["a\\?"], "a", False),
    (["\\!file"], "!file", True),
    (["[a-c]x"], "bx", True),
    (["[a-c]x"], "dx", False),
    (["[A-Z0-9_]"], "_", True),
    (["release/v1"], "release/v1.1", False),  # whole-string match
    (["main"], "xmain", False),
]


@pytest.mark.parametrize(("patterns", "name", "included"), CHEAT_SHEET)
def test_cheat_sheet(patterns: list[str], name: str, included: bool) -> None:
    assert patterns_match(patterns, name) is included


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("a[]", "empty brackets"),
        ("a[bc", "no closing"),
        ("[z-a]", "invalid range"),
        ("[a-Z]", "invalid range"),
        ("[.]", "not allowed"),
        ("abc\\", "escapes nothing"),
        ("!", "empty"),
    ],
)
def test_invalid_patterns_raise_a_usage_error_naming_them(pattern: str, problem: str) -> None:
    with pytest.raises(UsageError, match=problem) as caught:
        patterns_match([pattern], "x")
    assert repr(pattern) in str(caught.value)


def test_pattern_lists_are_compiled_once() -> None:
    first = compile_patterns(("src/**", "!src/vendor/**"))
    assert compile_patterns(("src/**", "!src/vendor/**")) is first


def test_deciding_pattern_is_the_last_match() -> None:
    patterns = compile_patterns(("*.md", "!README.md", "README*"))
    decider = patterns.deciding_pattern("README.md")
    assert decider is not None
    assert decider.text == "README*"
    assert patterns.deciding_pattern("x.txt") is None
