"""Golden workflows: each invalid one reports exactly the diagnostics in its `.expected` file;
each valid one loads into a model (with exactly the warnings of its `.expected` file, if any).

To add a case: write `tests/data/workflows/<valid|invalid>/<name>.yml`, check its diagnostics
with `conveyor lint`, and put the lines (paths shown as the bare file name) in `<name>.expected`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.errors import Severity
from conveyor.workflow import LoadResult, load_workflow, yaml_reader

DATA = Path(__file__).resolve().parents[2] / "data" / "workflows"
INVALID = sorted((DATA / "invalid").glob("*.yml"))
VALID = sorted((DATA / "valid").glob("*.yml"))


SYNTAX = "error[yaml-syntax]: invalid YAML: "


def comparable(line: str) -> str:
    """The expected files hold the C parser's wording of YAML syntax errors; the pure-Python
    fallback parser words them differently (same position), so only compare up to the wording."""
    if yaml_reader._c_parser() is None and SYNTAX in line:
        return line[: line.index(SYNTAX) + len(SYNTAX)]
    return line


def load(path: Path) -> tuple[LoadResult, list[str]]:
    result = load_workflow(path, display_path=path.name)
    return result, [comparable(d.render()) for d in result.diagnostics]


def expected_lines(path: Path) -> list[str]:
    expected = path.with_suffix(".expected")
    text = expected.read_text(encoding="utf-8") if expected.exists() else ""
    return [comparable(line) for line in text.splitlines()]


def test_there_are_golden_cases() -> None:
    assert len(INVALID) >= 20
    assert len(VALID) >= 5
    assert all(p.with_suffix(".expected").exists() for p in INVALID)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_workflow_reports_the_expected_diagnostics(path: Path) -> None:
    result, lines = load(path)
    assert lines == expected_lines(path)
    assert result.workflow is None
    assert any(d.severity is Severity.ERROR for d in result.diagnostics)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_workflow_loads(path: Path) -> None:
    result, lines = load(path)
    assert lines == expected_lines(path)
    assert result.workflow is not None
    assert all(d.severity is Severity.WARNING for d in result.diagnostics)
