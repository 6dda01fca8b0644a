"""Hostile input ends in a diagnostic, quickly, never in a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.errors import Severity
from conveyor.workflow import LoadResult, load_workflow

SAMPLE = """\
name: CI
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest]
    steps:
      - uses: actions/checkout@v4
      - if: github.event_name == 'push'
        run: echo "${{ github.sha }}"
"""


def timed_load(path: Path, text: str | None = None) -> tuple[LoadResult, float]:
    start = time.perf_counter()
    result = load_workflow(path, text)
    return result, time.perf_counter() - start


def only_error(result: LoadResult) -> str:
    assert result.workflow is None
    (diagnostic,) = result.diagnostics
    assert diagnostic.severity is Severity.ERROR
    return diagnostic.code


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yml"
    path.write_bytes(b"")
    result, seconds = timed_load(path)
    assert only_error(result) == "file-empty"
    assert seconds < 1


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.yml"
    path.write_bytes(bytes(range(256)) * 64)
    result, seconds = timed_load(path)
    assert only_error(result) == "file-encoding"
    location = result.diagnostics[0].location
    assert (location.line, location.column) == (2, 118)  # 0x80 follows the first newline (0x0a)
    assert seconds < 1


def test_nul_bytes_in_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "nul.yml"
    path.write_bytes(b"on: push\x00\x00\n")
    result, _ = timed_load(path)
    assert only_error(result) == "yaml-syntax"


def test_five_megabyte_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    path.write_text(SAMPLE + "# " + "x" * (5 * 1024 * 1024) + "\n", encoding="utf-8")
    result, seconds = timed_load(path)
    assert only_error(result) == "file-too-large"
    assert seconds < 1
    result, seconds = timed_load(path, path.read_text(encoding="utf-8"))
    assert only_error(result) == "file-too-large"
    assert seconds < 1


def test_a_large_file_under_the_limit_still_loads(tmp_path: Path) -> None:
    steps = "".join(f"      - run: echo {i} ${{{{ github.sha }}}}\n" for i in range(8000))
    text = "on: push\njobs:\n  big:\n    runs-on: x\n    steps:\n" + steps
    assert 300_000 < len(text) < 1024 * 1024
    result, seconds = timed_load(tmp_path / "large.yml", text)
    assert result.workflow is not None
    assert len(result.workflow.jobs["big"].steps) == 8000
    assert seconds < 5


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "1" + "}" * 10_000,
        "- " * 10_000 + "x\n",
        "".join(" " * i + "a:\n" for i in range(1_000)),
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences", "block-mappings"],
)
def test_ten_thousand_levels_of_nesting(tmp_path: Path, text: str) -> None:
    result, seconds = timed_load(tmp_path / "deep.yml", text)
    assert only_error(result) == "yaml-too-deep"
    assert seconds < 1


def test_alias_bomb(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        name, previous = chr(ord("a") + index), chr(ord("a") + index - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    result, seconds = timed_load(tmp_path / "bomb.yml", "\n".join(lines) + "\n")
    assert only_error(result) == "yaml-too-large"
    assert seconds < 1


def test_unreadable_paths(tmp_path: Path) -> None:
    assert only_error(load_workflow(tmp_path / "missing.yml")) == "file-unreadable"
    assert only_error(load_workflow(tmp_path)) == "file-unreadable"


def check_never_raises(text: str) -> None:
    result = load_workflow("fuzz.yml", text)
    assert isinstance(result, LoadResult)
    if result.workflow is None:
        assert any(d.severity is Severity.ERROR for d in result.diagnostics)
    for diagnostic in result.diagnostics:
        assert diagnostic.location.path == "fuzz.yml"
        assert diagnostic.location.line >= 1
        assert diagnostic.location.column >= 1


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    check_never_raises(text)


@FAST
@given(st.data())
def test_mutated_workflows_never_raise(data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(SAMPLE)))
    end = data.draw(st.integers(start, min(len(SAMPLE), start + 40)))
    insert = data.draw(st.text(alphabet="${}[]:-'\"|>&*!#\n .ab", max_size=12))
    check_never_raises(SAMPLE[:start] + insert + SAMPLE[end:])


KEYS = st.sampled_from(
    [
        "on",
        "jobs",
        "steps",
        "run",
        "uses",
        "if",
        "needs",
        "env",
        "with",
        "matrix",
        "strategy",
        "runs-on",
        "name",
        "id",
        "shell",
        "push",
        "branches",
        "schedule",
        "cron",
        "x",
        "<<",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(["${{ github.sha }}", "${{ ", "a", "", "*/5 * * * *", "./x", "a/b@v1"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)


def to_yaml(value: object, indent: int = 0) -> str:
    """Flow-style YAML for generated values (keys and strings quoted)."""
    if isinstance(value, dict):
        items = ", ".join(f"'{k}': {to_yaml(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_yaml(v) for v in value) + "]"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@FAST
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_arbitrary_yaml_structures_never_raise(document: dict[str, object]) -> None:
    check_never_raises(to_yaml(document))
