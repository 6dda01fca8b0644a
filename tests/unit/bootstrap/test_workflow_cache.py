"""The workflow cache returns exactly what the loader returns, and only for the same bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conveyor.bootstrap.workflow_cache import WorkflowCache, code_fingerprint
from conveyor.workflow import load_workflow

GOOD = """
name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy: {matrix: {py: ['3.11', '3.12']}}
    steps:
      - run: echo ${{ matrix.py }}
"""
BAD = "on: push\njobs:\n  test:\n    runs-on: x\n    steps: [{uses: a, run: b}]\n"


def _write(tmp_path: Path, text: str, name: str = "ci.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _entries(cache: WorkflowCache) -> list[Path]:
    return sorted(cache.directory.glob("*.pickle"))


def test_a_hit_returns_what_the_loader_returned(tmp_path: Path) -> None:
    cache = WorkflowCache(tmp_path / "cache")
    path = _write(tmp_path, GOOD)
    first = cache.load(path, "ci.yml")
    assert len(_entries(cache)) == 1
    second = cache.load(path, "ci.yml")
    expected = load_workflow(path, display_path="ci.yml")
    assert first == second == (expected.workflow, expected.diagnostics)
    assert len(_entries(cache)) == 1


def test_diagnostics_are_cached_too(tmp_path: Path) -> None:
    cache = WorkflowCache(tmp_path / "cache")
    path = _write(tmp_path, BAD)
    expected = load_workflow(path, display_path="w.yml")
    assert cache.load(path, "w.yml") == (expected.workflow, expected.diagnostics)
    assert cache.load(path, "w.yml") == (expected.workflow, expected.diagnostics)
    assert expected.diagnostics


def test_other_bytes_or_another_shown_path_are_other_entries(tmp_path: Path) -> None:
    cache = WorkflowCache(tmp_path / "cache")
    path = _write(tmp_path, GOOD)
    cache.load(path, "ci.yml")
    workflow, _ = cache.load(path, "other.yml")
    assert workflow is not None
    assert workflow.path == "other.yml"
    path.write_text(GOOD.replace("CI", "Checks"), encoding="utf-8")
    changed, _ = cache.load(path, "ci.yml")
    assert changed is not None
    assert changed.display_name == "Checks"
    assert len(_entries(cache)) == 3


def test_a_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = WorkflowCache(tmp_path / "cache")
    path = _write(tmp_path, GOOD)
    cache.load(path, "ci.yml")
    (entry,) = _entries(cache)
    entry.write_bytes(b"not a pickle")
    workflow, diagnostics = cache.load(path, "ci.yml")
    assert workflow is not None
    assert diagnostics == ()
    entry.write_bytes(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.")  # pickled 1
    assert cache.load(path, "ci.yml")[0] is not None


def test_unreadable_files_are_the_loaders_to_report(tmp_path: Path) -> None:
    cache = WorkflowCache(tmp_path / "cache")
    binary = tmp_path / "bin.yml"
    binary.write_bytes(b"on: push\n\xff\xfe")
    expected = load_workflow(binary, display_path="bin.yml")
    assert cache.load(binary, "bin.yml") == (expected.workflow, expected.diagnostics)
    assert cache.load(tmp_path / "missing.yml", "missing.yml")[0] is None
    assert _entries(cache) == []


def test_the_fingerprint_covers_the_loading_code() -> None:
    fingerprint = code_fingerprint()
    assert "workflow/loader.py" in fingerprint
    assert "model/workflow.py" in fingerprint
    assert "expr/parser.py" in fingerprint
    assert "workflow/data/" in fingerprint  # the schema


def test_a_hit_loads_no_yaml_parser(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    path = _write(tmp_path, GOOD)
    WorkflowCache(cache_dir).load(path, "ci.yml")
    probe = (
        "import sys; from pathlib import Path\n"
        "from conveyor.bootstrap.workflow_cache import WorkflowCache\n"
        f"cache = WorkflowCache(Path({str(cache_dir)!r}))\n"
        f"workflow, _ = cache.load(Path({str(path)!r}), 'ci.yml')\n"
        "assert workflow is not None\n"
        "print(sorted(m for m in sys.modules if m.startswith(('ruamel', 'conveyor.workflow'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_run_path_does_not_load_the_workflow_loader() -> None:
    """`conveyor run` with its workflows in the cache needs neither ruamel nor the linter: the
    engine's use of `conveyor.workflow.matrix` must not load the package's loader."""
    probe = (
        "import sys\n"
        "import conveyor.bootstrap.run, conveyor.bootstrap.local_run, conveyor.engine.session\n"
        "import conveyor.executors.local.executor, conveyor.cli.run_command\n"
        "print(sorted(m for m in sys.modules if m.startswith("
        "('ruamel', 'conveyor.workflow.loader', 'conveyor.workflow.lint'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
