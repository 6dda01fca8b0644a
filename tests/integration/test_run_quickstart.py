"""`make demo`: `conveyor run examples/quickstart` succeeds, with every feature it shows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_quickstart_runs_green(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")
    project = tmp_path / "quickstart"  # a plain directory, not a git repository
    shutil.copytree(REPO_ROOT / "examples" / "quickstart", project)
    code = cli_main.run_cli(["run", str(project), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err[-3000:]
    record = json.loads(out)
    jobs = {job["name"]: job for job in record["jobs"]}
    assert list(jobs) == ["lint", "version", "test (words)", "test (cli)", "package", "smoke"]
    assert all(job["conclusion"] == "success" for job in jobs.values())
    advisory = jobs["lint"]["steps"][1]
    assert (advisory["outcome"], advisory["conclusion"]) == ("failure", "success")
    assert jobs["version"]["outputs"] == {"version": "1.4.0"}
    assert "plain directory" in err  # not a git repository: a warning, then a normal run
    summary = err[err.index("Summary: quickstart CI / smoke") :]
    assert "words: 39" in summary  # the step summary, rendered from Markdown
