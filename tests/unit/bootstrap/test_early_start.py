"""The event built on a thread: the same event, the same errors, and the pool told early."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.bootstrap.early_start import EarlyStart
from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.errors import UsageError
from tests.unit.executors.harness import make_repo


class FakePool:
    def __init__(self) -> None:
        self.expected: list[tuple[str, str | None, int]] = []
        self.empty: list[tuple[str, int]] = []

    def expect(self, repository: str, sha: str | None, jobs: int) -> None:
        self.expected.append((repository, sha, jobs))

    def expect_empty(self, repository: str, jobs: int) -> None:
        self.empty.append((repository, jobs))


CHECKS_OUT = {
    ".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    steps:\n"
    "      - uses: actions/checkout@v4\n"
}
RUNS_ONLY = {".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    steps:\n      - run: ls\n"}


@pytest.mark.integration
def test_the_event_comes_with_its_commit_and_the_pool_hears_of_it(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", CHECKS_OUT)
    pool = FakePool()
    start = EarlyStart(LocalRunOptions(repository=root), pool)  # type: ignore[arg-type]
    event, note = start.event()
    assert note is None
    assert event.name == "push"
    assert event.sha
    assert pool.expected == [(str(root.resolve()), event.sha, 1)]
    assert pool.empty == []


@pytest.mark.integration
def test_an_empty_job_directory_is_made_early_when_no_workflow_reads_the_repository(
    tmp_path: Path,
) -> None:
    root = make_repo(tmp_path / "repo", RUNS_ONLY)
    pool = FakePool()
    start = EarlyStart(LocalRunOptions(repository=root), pool)  # type: ignore[arg-type]
    assert start.event()[0].sha
    assert pool.expected == []
    assert pool.empty == [(str(root.resolve()), 1)]


def test_a_plain_directory_runs_with_a_note(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        CHECKS_OUT[".github/workflows/ci.yml"]
    )
    pool = FakePool()
    start = EarlyStart(LocalRunOptions(repository=tmp_path), pool)  # type: ignore[arg-type]
    _, note = start.event()
    assert note is not None
    assert "plain directory" in note
    assert pool.expected == [(str(tmp_path.resolve()), None, 1)]


def test_errors_are_raised_where_they_were(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a directory"):
        EarlyStart(LocalRunOptions(repository=tmp_path / "missing"))
    start = EarlyStart(
        LocalRunOptions(repository=tmp_path, event_name="nope", event_path=tmp_path / "e.json")
    )
    with pytest.raises(UsageError, match="unknown event 'nope'"):
        start.event()
