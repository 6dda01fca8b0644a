"""`conveyor/coverage-gate` kept per branch: two real `conveyor run`s of a workflow using it on
`main` (the second naming codecov/codecov-action, run natively by `--native-actions`) record two
points of the branch's coverage trend through the lite store, read back through the SQLAlchemy
store the server uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.store.coverage_trend import SqlCoverageTrend
from conveyor.store.handle import open_store
from conveyor.store.repository import repository_key
from tests.integration.test_run_files import conveyor, finished
from tests.unit.executors.harness import commit_all, make_repo

pytestmark = pytest.mark.integration

REPORT = """<?xml version="1.0" ?>
<coverage version="7.6.1" line-rate="{rate}" branch-rate="0" lines-valid="4" lines-covered="3">
  <sources><source>.</source></sources>
  <packages><package name="src" line-rate="{rate}"><classes>
    <class name="app.py" filename="src/app.py" line-rate="{rate}"><methods/><lines>
      {lines}
    </lines></class>
  </classes></package></packages>
</coverage>
"""

WORKFLOW = """
on: push
jobs:
  coverage:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: conveyor/coverage-gate@v1
        with:
          threshold: 10
"""


def _report(covered: int) -> str:
    lines = "".join(f'<line number="{n}" hits="{1 if n <= covered else 0}"/>' for n in range(1, 5))
    return REPORT.format(rate=covered / 4, lines=lines)


def test_two_runs_on_a_branch_record_two_points(tmp_path: Path) -> None:
    home = tmp_path / "home"
    files = {".github/workflows/ci.yml": WORKFLOW, "coverage.xml": _report(3)}
    repo = make_repo(tmp_path / "repo", files)
    first_sha = commit_all(repo, "first")
    out, err = finished(conveyor(home, "run", str(repo)), timeout=180)
    (repo / "coverage.xml").write_text(_report(4))
    codecov = WORKFLOW.replace("conveyor/coverage-gate@v1", "codecov/codecov-action@v4")
    (repo / ".github/workflows/ci.yml").write_text(codecov)  # the marketplace name, mapped
    second_sha = commit_all(repo, "more tests")
    run = conveyor(home, "run", str(repo), "--native-actions", "--offline")
    out2, err2 = finished(run, timeout=180)
    store = open_store(home)
    try:
        points = SqlCoverageTrend(store.database).recent(repository_key(repo), "main")
    finally:
        store.close()
    assert [p.line_rate for p in points] == [75.0, 100.0], out + err + out2 + err2
    assert [p.sha for p in points] == [first_sha, second_sha]
    assert [p.branch for p in points] == ["main", "main"]
    assert points[0].run_id < points[1].run_id
    assert points[0].diff_rate is None
