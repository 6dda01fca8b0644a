"""GitRepository against real repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.errors import InfrastructureError, UsageError
from conveyor.git import GitRepository
from tests.unit.git.conftest import History
from tests.unit.git.repo_factory import make_repo

pytestmark = pytest.mark.integration


def test_open_finds_the_top_level_from_a_subdirectory(history: History) -> None:
    repo = GitRepository.open(history.repo.root / "src")
    assert repo.root == history.repo.root.resolve()


def test_open_refuses_a_directory_that_is_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a git repository"):
        GitRepository.open(tmp_path)
    with pytest.raises(UsageError, match="is not a directory"):
        GitRepository.open(tmp_path / "missing")


def test_resolve_commit(history: History) -> None:
    repo = GitRepository.open(history.repo.root)
    assert repo.resolve_commit("main") == history.c5
    assert repo.resolve_commit("v1.0") == history.c2  # annotated tags peel to the commit
    assert repo.resolve_commit(history.c1[:10]) == history.c1
    with pytest.raises(UsageError, match="unknown ref or SHA 'nope'"):
        repo.resolve_commit("nope")
    with pytest.raises(UsageError, match="unknown ref or SHA"):
        repo.resolve_commit("0" * 40)


def test_full_ref(history: History) -> None:
    repo = GitRepository.open(history.repo.root)
    assert repo.full_ref("topic") == "refs/heads/topic"
    assert repo.full_ref("v1.0") == "refs/tags/v1.0"
    assert repo.full_ref("refs/tags/nightly") == "refs/tags/nightly"
    assert repo.full_ref(history.c1) is None
    assert repo.full_ref("nope") is None


def test_default_branch_prefers_origin_head(tmp_path: Path) -> None:
    test_repo = make_repo(tmp_path / "r")
    test_repo.commit({"a": "1"}, "one")
    test_repo.checkout("trunk", create=True)
    assert GitRepository.open(test_repo.root).default_branch == "main"
    test_repo.git("update-ref", "refs/remotes/origin/trunk", "HEAD")
    test_repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    assert GitRepository.open(test_repo.root).default_branch == "trunk"


def test_default_branch_falls_back_to_the_current_branch(tmp_path: Path) -> None:
    test_repo = make_repo(tmp_path / "r")
    test_repo.git("checkout", "-q", "-b", "develop")
    test_repo.commit({"a": "1"}, "one")
    assert GitRepository.open(test_repo.root).default_branch == "develop"


def test_changed_files_and_stats(history: History) -> None:
    repo = GitRepository.open(history.repo.root)
    assert repo.changed_files(history.c2, history.c4) == ("README.md", "docs/guide.md")
    assert set(repo.changed_files(None, history.c1)) == {"README.md", "docs/guide.md", "src/app.py"}
    assert repo.diff_stats(history.c1, history.c2) == [(1, 1, "src/app.py")]


def test_merge_base_and_ancestry(history: History) -> None:
    repo = GitRepository.open(history.repo.root)
    assert repo.merge_base(history.c3, history.c5) == history.c2
    assert repo.is_ancestor(history.c1, history.c3)
    assert not repo.is_ancestor(history.c3, history.c5)


def test_write_merge_commit(history: History) -> None:
    repo = GitRepository.open(history.repo.root)
    merge = repo.write_merge_commit(history.c5, history.c3, "Merge", "2024-01-01T00:00:00Z")
    assert merge is not None
    assert repo.commit(merge).parents == (history.c5, history.c3)
    again = repo.write_merge_commit(history.c5, history.c3, "Merge", "2024-01-01T00:00:00Z")
    assert again == merge  # deterministic
    assert repo.write_merge_commit(history.c5, history.c6, "Merge", "2024-01-01T00:00:00Z") is None


def test_tag_message_and_new_commits(history: History) -> None:
    repo = GitRepository.open(history.repo.root)
    assert repo.tag_message("v1.0") == "Release 1.0\n\nFirst release."
    assert repo.tag_message("nightly") is None
    assert repo.new_commits(history.c3, "topic") == [(history.c3, (history.c2,))]
    assert repo.new_commits(history.c2, "topic") == []


def test_commits_are_oldest_first(history: History) -> None:
    repo = GitRepository.open(history.repo.root)
    commits = repo.commits(f"{history.c1}..{history.c5}")
    assert [c.sha for c in commits] == [history.c2, history.c5]
    assert repo.commit(history.c3).body == "A longer body."


def test_a_repository_whose_directory_vanished_is_not_reported_as_git_missing(
    history: History, tmp_path: Path
) -> None:
    """A removed directory makes git's cwd fail with FileNotFoundError, as a missing git would:
    the error names the directory, not git."""
    root = history.repo.root.resolve()
    repository = GitRepository.open(root)
    root.rename(tmp_path / "moved-away")
    with pytest.raises(InfrastructureError) as caught:
        repository.resolve_commit("HEAD")
    assert str(root) in str(caught.value)
    assert "not installed" not in str(caught.value)
