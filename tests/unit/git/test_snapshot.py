"""A repository opened with a prefetched snapshot answers exactly as one asking git each time,
in fewer git processes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conveyor.errors import ConveyorError
from conveyor.git import EventRequest, GitRepository, build_event
from conveyor.git.snapshot import config_key, parse_config
from conveyor.model.events import ZERO_SHA
from tests.unit.git.conftest import History, build_history
from tests.unit.git.repo_factory import TestRepo, make_repo

pytestmark = pytest.mark.integration


def _answers(repo: GitRepository, history: History) -> list[object]:
    def ask(question: str, *args: object) -> object:
        try:
            return getattr(repo, question)(*args)
        except ConveyorError as exc:
            return f"{type(exc).__name__}: {exc}"

    answers: list[object] = [repo.root, repo.current_branch(), repo.default_branch]
    for key in ("user.name", "user.email", "remote.origin.url", "User.Name", "nope.key"):
        answers.append(repo.config(key))
    for name in ("main", "topic", "v1.0", "nightly", "refs/tags/v1.0", "refs/heads/docs", "x"):
        answers += [ask("full_ref", name), ask("resolve_commit", name)]
    for ref in ("refs/heads/main", "refs/tags/v1.0", "refs/remotes/origin/main", "refs/nope"):
        answers += [repo.find_commit(ref), repo.find_object(ref)]
    c1, c2, c3, c5 = history.c1, history.c2, history.c3, history.c5
    answers += [repo.is_ancestor(c2, c3), repo.is_ancestor(c3, c5), repo.commit(c3)]
    answers += [repo.changed_files(c2, c3), repo.changed_files(None, c1)]
    answers += [repo.new_commits(c3, "topic"), repo.commits(f"{c1}..{c5}")]
    return answers


def _same_answers(root: Path, history: History) -> None:
    plain = _answers(GitRepository.open(root), history)
    assert _answers(GitRepository.open(root, prefetch=True, push=True), history) == plain
    assert _answers(GitRepository.open(root, prefetch=True), history) == plain


def _events(root: Path) -> list[object]:
    requests = [
        EventRequest("push"),
        EventRequest("push", ref="main"),
        EventRequest("push", ref="v1.0"),
        EventRequest("push", ref="topic", base=ZERO_SHA),
        EventRequest("pull_request"),
        EventRequest("release", ref="v1.0"),
        EventRequest("schedule"),
    ]
    found: list[object] = []
    for request in requests:
        try:
            found.append(build_event(root, request))
        except ConveyorError as exc:
            found.append(str(exc))
    return found


@pytest.fixture
def fresh_history(tmp_path: Path) -> tuple[TestRepo, History]:
    repo = make_repo(tmp_path / "repo", remote="git@github.com:octo/app.git")
    return repo, build_history(repo)


def test_snapshot_answers_as_git_does(fresh_history: tuple[TestRepo, History]) -> None:
    repo, history = fresh_history
    _same_answers(repo.root, history)
    repo.git("update-ref", "refs/remotes/origin/main", history.c2)
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    _same_answers(repo.root, history)
    repo.git("update-ref", "-d", "refs/remotes/origin/main")  # origin/HEAD now dangles
    repo.git("tag", "main", history.c1)  # `--short` names become `heads/main`
    _same_answers(repo.root, history)
    repo.git("checkout", "-q", "--detach", history.c2)
    _same_answers(repo.root, history)


def test_events_are_the_same_with_fewer_git_processes(
    fresh_history: tuple[TestRepo, History], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = fresh_history
    started: list[str] = []
    original = subprocess.Popen.__init__

    def counting(self: subprocess.Popen[str], args: list[str], *rest: object, **kw: object) -> None:
        started.append(" ".join(args[:2]))
        original(self, args, *rest, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(subprocess.Popen, "__init__", counting)
    first = _events(repo.root)
    assert first == _events(repo.root)  # deterministic
    started.clear()
    build_event(repo.root, EventRequest("push"))
    # the snapshot's processes, all started together: rev-parse, config, for-each-ref (HEAD's
    # branch too), symbolic-ref of origin/HEAD, one log (HEAD and the files it changed)
    assert len(started) <= 5, started


def test_config_listing_reads_like_get() -> None:
    listed = parse_config("user.name\nJane\0user.name\nJoe\0core.bare\nfalse\0flag\0")
    assert listed == {"user.name": "Joe", "core.bare": "false", "flag": ""}
    assert config_key("Remote.Origin.URL") == "remote.Origin.url"
    assert config_key("User.Name") == "user.name"
