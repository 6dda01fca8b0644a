"""Workspaces made ahead: each a fresh checkout given to one job, clean as after
actions/checkout; finished job directories removed in the background; nothing left after close."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from conveyor.executors.local.checkouts import CheckoutMaker
from conveyor.executors.local.git_template import lean_template
from conveyor.executors.local.workspace import JobWorkspace, layout_at
from conveyor.executors.local.workspace_pool import WorkspacePool, _Source
from conveyor.executors.local.workspace_reuse import IdleWorkspaces
from tests.unit.executors.harness import commit_all, git, make_repo

pytestmark = pytest.mark.integration


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    root = make_repo(tmp_path / "repo", {"a.txt": "one\n", "tool.sh": "#!/bin/sh\n"})
    (root / "tool.sh").chmod(0o755)
    git(root, "add", "-A")
    return root, commit_all(root, "second")


def _wait_ready(pool: WorkspacePool, count: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ready = sum(len(source.ready) for source in pool._sources.values())
        if ready >= count:
            return
        time.sleep(0.02)
    raise AssertionError("the pool made no checkout")


def _wait_settled(pool: WorkspacePool, root: Path, commit: str) -> _Source:
    """The pool's entry for `commit` once it is done with it (made a checkout or gave up)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with pool._condition:
            entry = pool._sources.get((root.resolve(), commit))
            if entry is not None and not entry.making and (entry.ready or not entry.usable):
                return entry
        time.sleep(0.02)
    raise AssertionError(f"the pool never settled {commit}")


def _clean_checkout(workspace: Path, commit: str) -> None:
    assert git(workspace, "rev-parse", "HEAD") == commit
    assert git(workspace, "status", "--porcelain") == ""
    subprocess.run(["git", "-C", str(workspace), "diff-index", "--quiet", "HEAD"], check=True)
    assert (workspace / "a.txt").read_text() == "one\n"
    assert (workspace / "tool.sh").stat().st_mode & 0o111
    assert (workspace / ".git" / "info" / "exclude").is_file()


def test_expected_checkouts_are_ready_and_given_once(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    root, commit = repo
    pool = WorkspacePool(tmp_path / "home")
    pool.expect(str(root), commit, 2)
    _wait_ready(pool, 2)
    first, second = _layout(tmp_path, "job1", root), _layout(tmp_path, "job2", root)
    assert pool.take(root, commit, first)
    assert pool.take(root, commit, second)
    for layout in (first, second):
        _clean_checkout(layout.workspace, commit)
        assert (layout.temp / "_runner_file_commands" / "set_env").is_file()
        assert layout.job_dir.is_dir()
    (first.workspace / "a.txt").write_text("changed\n")
    assert (second.workspace / "a.txt").read_text() == "one\n"  # no write leaks elsewhere
    assert not pool.take(root, commit, _layout(tmp_path, "job3", root))  # two were expected
    pool.close()
    assert not list((tmp_path / "home" / "runs").iterdir())


def test_a_job_served_without_a_ready_checkout_makes_one_the_same_way(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    root, commit = repo
    pool = WorkspacePool(tmp_path / "home")
    target = tmp_path / "job"
    assert not pool.take(root, commit, _layout(tmp_path, "job", root))
    pool.check_out(root, commit, target)
    _clean_checkout(target, commit)
    pool.close()


def test_only_full_shas_of_commits_are_prepared(repo: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = repo
    git(root, "tag", "-a", "-m", "release", "v1")
    tag_object = git(root, "rev-parse", "v1")
    pool = WorkspacePool(tmp_path / "home")
    pool.expect(str(root), "HEAD", 1)
    pool.expect(str(root), tag_object, 1)  # names a tag, which peels to another commit
    tried = _wait_settled(pool, root, tag_object)
    assert not tried.ready
    assert not tried.usable  # the pool tried, saw no commit there, and left it to the job
    assert not pool.take(root, tag_object, _layout(tmp_path, "job", root))
    assert "HEAD" not in {key[1] for key in pool._sources}
    pool.close()


def test_discarded_directories_are_removed(tmp_path: Path) -> None:
    pool = WorkspacePool(tmp_path / "home")
    job = tmp_path / "home" / "runs" / "1" / "jobs" / "a"
    (job / "w").mkdir(parents=True)
    (job / "w" / "f").write_text("x")
    kept = tmp_path / "home" / "runs" / "2" / "jobs" / "b"
    kept.mkdir(parents=True)
    pool.discard(job)
    pool.discard(kept.with_name("gone"))  # already deleted: nothing to rename
    assert not job.exists()
    pool.close()
    # the pool's own directory and the run left empty are gone; a kept workspace's run stays
    assert sorted(p.name for p in (tmp_path / "home" / "runs").iterdir()) == ["2"]
    assert kept.is_dir()


def test_seeded_checkouts_match_a_plain_clone(repo: tuple[Path, str], tmp_path: Path) -> None:
    root, commit = repo
    maker = CheckoutMaker(tmp_path / "home", tmp_path / "seeds")
    maker.check_out(root, commit, tmp_path / "a")
    maker.check_out(root, commit, tmp_path / "b")
    plain = tmp_path / "plain"
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(root), str(plain)])
    subprocess.run(["git", "-C", str(plain), "checkout", "-q", "--detach", commit], check=True)
    for workspace in (tmp_path / "a", tmp_path / "b"):
        _clean_checkout(workspace, commit)
        assert git(workspace, "config", "--get", "remote.origin.url") == str(root)
        assert git(workspace, "for-each-ref") == git(plain, "for-each-ref")
        assert _tree(workspace) == _tree(plain) - {p for p in _tree(plain) if p.endswith(".sample")}


def test_the_lean_template_is_gits_without_sample_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = lean_template(tmp_path)
    assert template is not None
    assert sorted(p.name for p in template.iterdir()) == [
        "branches",
        "description",
        "hooks",
        "info",
    ]
    assert list((template / "hooks").iterdir()) == []
    assert lean_template(tmp_path) == template  # made once
    monkeypatch.setenv("GIT_TEMPLATE_DIR", str(tmp_path))
    assert lean_template(tmp_path) is None  # the user's choice stands


def _layout(tmp_path: Path, name: str, source: Path) -> JobWorkspace:
    return layout_at(tmp_path / name, source.resolve(), tmp_path / "home")


def _tree(root: Path) -> set[str]:
    git_dir = root / ".git"
    return {
        str(path.relative_to(git_dir))
        for path in git_dir.rglob("*")
        if "objects" not in path.parts and path.name not in ("index", "ORIG_HEAD")
    }


def test_reused_checkouts_match_a_plain_clone_and_a_bad_one_is_replaced(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    """An idle workspace reset to another commit is that commit's clean checkout, with this run's
    refs; one that cannot be reset exactly (here its saved index is garbage) is made afresh."""
    root, commit = repo
    first = git(root, "rev-list", "--max-parents=0", "HEAD")
    home = tmp_path / "home"
    idle = IdleWorkspaces(home)
    maker = CheckoutMaker(home, tmp_path / "seeds", idle)
    maker.check_out(root, first, tmp_path / "job1" / "repo")
    (tmp_path / "job1" / "repo" / "a.txt").write_text("changed\n")
    assert idle.shelve(root, tmp_path / "job1" / "repo")
    git(root, "branch", "later")  # made after the first run's clone: the reset must see it
    again = CheckoutMaker(home, tmp_path / "seeds2", idle)
    again.check_out(root, commit, tmp_path / "job2" / "repo")
    _clean_checkout(tmp_path / "job2" / "repo", commit)
    assert "refs/remotes/origin/later" in git(tmp_path / "job2" / "repo", "for-each-ref")
    assert idle.shelve(root, tmp_path / "job2" / "repo")
    (saved,) = (home / "workspaces").glob("*/idle-*/index")
    saved.write_bytes(b"not an index")
    again.check_out(root, commit, tmp_path / "job3" / "repo")
    _clean_checkout(tmp_path / "job3" / "repo", commit)
    assert not list((home / "workspaces").glob("*/idle-*"))


def _wait_empty_ready(pool: WorkspacePool, count: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with pool._condition:
            if sum(len(entry.ready) for entry in pool._empties.values()) >= count:
                return
        time.sleep(0.02)
    raise AssertionError("the pool made no empty job directory")


def test_empty_job_directories_are_made_ahead_and_given_once(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    """For jobs that do not read the repository: a fresh directory each, as a job would make
    it (an empty workspace, RUNNER_TEMP with its empty file-command files), never another's."""
    root, _ = repo
    pool = WorkspacePool(tmp_path / "home")
    pool.expect_empty(str(root), 2)
    _wait_empty_ready(pool, 2)
    first, second = _layout(tmp_path, "job1", root), _layout(tmp_path, "job2", root)
    assert pool.take_empty(root, first)
    assert pool.take_empty(root, second)
    for layout in (first, second):
        assert layout.workspace.is_dir()
        assert not list(layout.workspace.iterdir())
        files = layout.temp / "_runner_file_commands"
        assert sorted(p.name for p in files.iterdir()) == sorted(
            ["set_env", "set_output", "save_state", "add_path", "step_summary"]
        )
        assert all(
            p.stat().st_size == 0 and p.stat().st_mode & 0o777 == 0o600 for p in files.iterdir()
        )
        assert (layout.temp / "_github_workflow").is_dir()
        assert layout.job_dir.is_dir()
        assert layout.tmp.is_dir()
        assert layout.root.stat().st_mode & 0o777 == 0o700
    (first.workspace / "left.txt").write_text("by job 1\n")
    assert not list(second.workspace.iterdir())
    assert not pool.take_empty(root, _layout(tmp_path, "job3", root))  # two were expected
    pool.close()
    assert not list((tmp_path / "home" / "runs").iterdir())
