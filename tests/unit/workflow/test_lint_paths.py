"""Finding workflow files and linting several at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.workflow import discover_workflows, lint_paths

GOOD = "on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: a}]\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    (workflows / "sub").mkdir(parents=True)
    for name in ("b.yaml", "a.yml", "c.yml"):
        (workflows / name).write_text(GOOD, encoding="utf-8")
    (workflows / "notes.txt").write_text("x", encoding="utf-8")
    (workflows / "sub" / "d.yml").write_text(GOOD, encoding="utf-8")
    (workflows / "dir.yml").mkdir()
    return tmp_path


def test_discover_lists_workflow_files_sorted_without_recursing(repo: Path) -> None:
    names = [p.name for p in discover_workflows(repo)]
    assert names == ["a.yml", "b.yaml", "c.yml"]


def test_discover_without_workflows(tmp_path: Path) -> None:
    assert discover_workflows(tmp_path) == []


def test_lint_paths_sorts_by_path_line_and_column(repo: Path) -> None:
    workflows = repo / ".github" / "workflows"
    (workflows / "c.yml").write_text("on: push\njobs:\n  a:\n    steps: [{run: a}]\n", "utf-8")
    (workflows / "a.yml").write_text("name: [x\non: push\n", "utf-8")
    diagnostics = lint_paths([workflows / "c.yml", workflows])
    rendered = [f"{Path(d.location.path).name}:{d.location.line}:{d.code}" for d in diagnostics]
    assert rendered == ["a.yml:2:yaml-syntax", "c.yml:4:missing-key", "c.yml:4:missing-key"]


def test_lint_paths_keeps_relative_paths(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "bad.yml").write_text("on: push\n", "utf-8")
    (diagnostic,) = lint_paths([Path("bad.yml")])
    assert diagnostic.location.path == "bad.yml"


def test_clean_files_give_no_diagnostics(repo: Path) -> None:
    assert lint_paths([repo / ".github" / "workflows"]) == []
