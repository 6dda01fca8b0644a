"""minimatch's semantics (with `dot: true`, as actions/labeler v5 uses it)."""

from __future__ import annotations

import pytest

from conveyor.actions.minimatch import compile_glob, expand_braces


@pytest.mark.parametrize(
    ("pattern", "path", "matched"),
    [
        ("src/**", "src/a/b.py", True),
        ("src/**", "srcx/a.py", False),
        ("**/*.md", "README.md", True),
        ("**/*.md", "docs/deep/x.md", True),
        ("*.md", "docs/x.md", False),  # no matchBase
        ("docs/*", "docs/a/b.md", False),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("**", ".github/workflows/ci.yml", True),  # dot: true
        (".github/**/*.yml", ".github/workflows/ci.yml", True),
        ("src/?.py", "src/a.py", True),
        ("src/?.py", "src/ab.py", False),
        ("src/[ab].py", "src/b.py", True),
        ("src/[!ab].py", "src/b.py", False),
        ("src/*.{py,pyi}", "src/a.pyi", True),
        ("src/*.{py,pyi}", "src/a.pyc", False),
        ("!docs/**", "src/a.py", True),
        ("!docs/**", "docs/a.md", False),
        ("a+b(c).txt", "a+b(c).txt", True),
    ],
)
def test_minimatch_semantics(pattern: str, path: str, matched: bool) -> None:
    assert compile_glob(pattern).match(path) is matched


def test_without_dot_a_star_does_not_match_hidden_names() -> None:
    assert not compile_glob("**/*.yml", dot=False).match(".github/ci.yml")
    assert compile_glob("**/*.yml", dot=False).match("conf/ci.yml")


def test_braces_expand_nested() -> None:
    assert expand_braces("a/{b,c{d,e}}/f") == ["a/b/f", "a/cd/f", "a/ce/f"]
