"""`conveyor list` and `conveyor graph` on workflow files (no git needed)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from conveyor.cli.graph_command import graph_command
from conveyor.cli.list_command import list_command

CI = """
name: CI
on: [push, pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  build:
    name: Build it
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  test:
    needs: [lint, build]
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text(textwrap.dedent(CI), encoding="utf-8")
    return tmp_path


def test_list_text_and_json(repo: Path) -> None:
    result = CliRunner().invoke(list_command, [str(repo)], standalone_mode=False)
    assert result.exception is None
    assert result.return_value == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["Stage", "Job", "Needs", "Workflow", "File", "Events"]
    assert lines[1].split()[:2] == ["1", "lint"]
    assert "build (Build it)" in lines[2]
    assert lines[3].split()[:3] == ["2", "test", "lint,build"]
    assert "push,pull_request" in lines[3]
    data = json.loads(CliRunner().invoke(list_command, [str(repo), "--format", "json"]).output)
    assert data[0]["events"] == ["push", "pull_request"]
    assert data[0]["jobs"][2] == {
        "id": "test",
        "name": None,
        "stage": 2,
        "needs": ["lint", "build"],
    }


def test_graph_formats(repo: Path) -> None:
    text = CliRunner().invoke(graph_command, [str(repo)]).output
    assert "stage 2" in text
    assert "test  ← lint, build" in text
    mermaid = CliRunner().invoke(graph_command, [str(repo), "--format", "mermaid"]).output
    assert mermaid.startswith("flowchart LR")
    assert "w0_lint --> w0_test" in mermaid
    dot = CliRunner().invoke(graph_command, [str(repo), "--format", "dot"]).output
    assert dot.startswith("digraph conveyor {")
    assert "w0_build -> w0_test;" in dot


def test_an_invalid_workflow_is_reported_and_fails(repo: Path) -> None:
    (repo / ".github" / "workflows" / "bad.yml").write_text(
        "on: push\njobs: {}\n", encoding="utf-8"
    )
    result = CliRunner().invoke(list_command, [str(repo)], standalone_mode=False)
    assert result.return_value == 1
    assert "bad.yml" in result.output  # the diagnostic (stderr is mixed in by CliRunner)
    assert "lint" in result.output  # the valid workflow is still listed


def test_w_selects_a_file_or_a_directory(repo: Path) -> None:
    other = repo / "more"
    other.mkdir()
    (other / "x.yaml").write_text(
        textwrap.dedent(CI).replace("name: CI", "name: X"), encoding="utf-8"
    )
    result = CliRunner().invoke(list_command, [str(repo), "-W", "more"])
    assert "X" in result.output
    assert " CI " not in result.output
