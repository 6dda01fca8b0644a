"""`conveyor lint`: output formats, exit codes, the default directory; one real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conveyor.cli.main import run_cli

GOOD = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
BAD = (
    "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    needs: nope\n"
    "    steps:\n      - run: make\n        uses: actions/checkout@v4\n"
)
WARNS = GOOD.replace("    steps:", "    snapshot: image\n    steps:")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with three workflows and a non-workflow file, as the current directory."""
    (tmp_path / ".git").mkdir()
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "good.yml").write_text(GOOD, encoding="utf-8")
    (workflows / "bad.yaml").write_text(BAD, encoding="utf-8")
    (workflows / "warns.yml").write_text(WARNS, encoding="utf-8")
    (workflows / "README.md").write_text("not a workflow", encoding="utf-8")
    (workflows / "nested").mkdir()
    (workflows / "nested" / "ignored.yml").write_text("not: [valid", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


BAD_LINES = [
    ".github/workflows/bad.yaml:5:12: error[needs-unknown]: job 'build' needs unknown job 'nope'",
    ".github/workflows/bad.yaml:8:9: error[step-run-uses]:"
    " a step cannot have both 'run' and 'uses'",
]
WARN_LINE = (
    ".github/workflows/warns.yml:5:5: warning[unsupported-key]:"
    " 'snapshot' in jobs.build: runner snapshots are not supported; ignored"
)


def test_default_lints_the_workflows_of_the_repository(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["lint"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [*BAD_LINES, WARN_LINE]
    assert "2 error(s), 1 warning(s) in 3 files" in captured.err


def test_default_from_a_sub_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "src" / "pkg").mkdir(parents=True)
    monkeypatch.chdir(repo / "src" / "pkg")
    assert run_cli(["lint"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("../../.github/workflows/bad.yaml:5:12: error[needs-unknown]")


def test_warnings_alone_exit_zero(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["lint", ".github/workflows/warns.yml", ".github/workflows/good.yml"]) == 0
    assert capsys.readouterr().out.splitlines() == [WARN_LINE]


def test_clean_file_prints_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["lint", ".github/workflows/good.yml"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "0 error(s), 0 warning(s) in 1 file" in captured.err


def test_json_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["lint", "--format", "json", ".github/workflows"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert records[0] == {
        "path": ".github/workflows/bad.yaml",
        "line": 5,
        "column": 12,
        "severity": "error",
        "code": "needs-unknown",
        "message": "job 'build' needs unknown job 'nope'",
    }
    assert [r["severity"] for r in records] == ["error", "error", "warning"]


def test_json_format_with_no_problems(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["lint", "--format", "json", ".github/workflows/good.yml"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_output_is_sorted_by_path_then_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "b.yml").write_text("jobs: {}\n", encoding="utf-8")
    (tmp_path / "a.yml").write_text("name: [x\n", encoding="utf-8")
    assert run_cli(["lint", str(tmp_path / "b.yml"), str(tmp_path)]) == 1
    paths = [line.split(":")[0] for line in capsys.readouterr().out.splitlines()]
    assert paths == sorted(paths)
    assert len(paths) == 5  # a.yml: 1, b.yml (listed twice): 2 each


def test_missing_path_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["lint", "no/such/file.yml"]) == 2
    assert "no such file or directory: no/such/file.yml" in capsys.readouterr().err


def test_no_repository_and_no_workflows_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli(["lint"]) == 2
    assert ".github/workflows" in capsys.readouterr().err


def test_bad_format_is_a_usage_error(repo: Path) -> None:
    assert run_cli(["lint", "--format", "xml"]) == 2


@pytest.mark.integration
def test_real_process(repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conveyor", "lint", "--format", "text"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.splitlines() == [*BAD_LINES, WARN_LINE]
    assert "Traceback" not in done.stderr


def test_a_repository_directory_means_its_workflows(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`conveyor lint path/to/repo` lints its .github/workflows, not the repository's other
    YAML (an mkdocs.yml at the top is not a workflow)."""
    (repo / "mkdocs.yml").write_text("site_name: docs\n", encoding="utf-8")
    monkeypatch.chdir(repo.parent)
    assert run_cli(["lint", repo.name]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{repo.name}/.github/workflows/bad.yaml:5:12:")
    assert not any("mkdocs" in line for line in lines)
