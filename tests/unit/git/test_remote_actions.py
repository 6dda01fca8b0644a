"""Remote actions fetched with real git from the local Git server, cached by commit."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from conveyor.engine.ports.remote_actions import FetchedAction, FetchFailure
from conveyor.git.action_cache import ActionCache
from conveyor.git.action_remote import GitRemote
from conveyor.git.remote_actions import RemoteActionResolver
from tests.integration.file_audit import secret_forms
from tests.support.git_server import GitServer, HttpGit

ACTION = "name: greet\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n"


def _resolver(
    home: Path, url: str, *, token: str = "", offline: bool = False
) -> RemoteActionResolver:
    return RemoteActionResolver(
        ActionCache(home / "actions"), GitRemote(url, token), offline=offline
    )


def _fetched(found: FetchedAction | FetchFailure) -> FetchedAction:
    assert isinstance(found, FetchedAction), found
    return found


def test_a_tag_is_fetched_into_the_cache_by_commit(git_server: GitServer, tmp_path: Path) -> None:
    commit = git_server.publish("acme/greet", {"action.yml": ACTION}, tags=("v1",))
    found = _fetched(_resolver(tmp_path, git_server.file_url).fetch("acme", "greet", "v1"))
    assert found.commit == commit
    assert Path(found.directory, "action.yml").read_text() == ACTION
    assert Path(found.directory).name == commit
    assert not Path(found.directory, ".git").exists()
    assert (Path(found.directory).stat().st_mode & 0o077) == 0


def test_a_full_commit_id_is_fetched_and_an_absent_one_fails(
    git_server: GitServer, tmp_path: Path
) -> None:
    first = git_server.publish("acme/greet", {"action.yml": ACTION}, tags=("v1",))
    git_server.publish("acme/greet", {"more.txt": "x"})
    resolver = _resolver(tmp_path, git_server.file_url)
    found = _fetched(resolver.fetch("acme", "greet", first))
    assert found.commit == first
    assert not Path(found.directory, "more.txt").exists()
    absent = "1234567890" * 4
    failure = resolver.fetch("acme", "greet", absent)
    assert isinstance(failure, FetchFailure)
    assert absent in failure.message
    assert "could not be fetched" in failure.message
    assert "\n" not in failure.message


def test_an_unknown_tag_fails_clearly(git_server: GitServer, tmp_path: Path) -> None:
    git_server.publish("acme/greet", {"action.yml": ACTION}, tags=("v1",))
    failure = _resolver(tmp_path, git_server.file_url).fetch("acme", "greet", "v9")
    assert isinstance(failure, FetchFailure)
    assert "acme/greet has no tag or branch 'v9'" in failure.message


def test_a_tag_is_resolved_once_per_run_and_again_by_the_next(
    git_server: GitServer, tmp_path: Path
) -> None:
    old = git_server.publish("acme/greet", {"action.yml": ACTION}, tags=("v1",))
    run = _resolver(tmp_path, git_server.file_url)
    assert _fetched(run.fetch("acme", "greet", "v1")).commit == old
    new = git_server.publish("acme/greet", {"action.yml": ACTION + "# moved\n"}, tags=("v1",))
    assert _fetched(run.fetch("acme", "greet", "v1")).commit == old  # the same run
    later = _fetched(_resolver(tmp_path, git_server.file_url).fetch("acme", "greet", "v1"))
    assert later.commit == new
    assert "# moved" in Path(later.directory, "action.yml").read_text()


def test_offline_uses_the_cache_and_names_the_pull_command_when_it_misses(
    git_server: GitServer, tmp_path: Path
) -> None:
    commit = git_server.publish("acme/greet", {"action.yml": ACTION}, tags=("v1",))
    _fetched(_resolver(tmp_path, git_server.file_url).fetch("acme", "greet", "v1"))
    nowhere = (tmp_path / "no-server").as_uri()
    offline = _resolver(tmp_path, nowhere, offline=True)
    assert _fetched(offline.fetch("acme", "greet", "v1")).commit == commit
    assert _fetched(offline.fetch("acme", "greet", commit)).commit == commit
    miss = offline.fetch("acme", "greet", "v2")
    assert isinstance(miss, FetchFailure)
    assert miss.message == (
        "acme/greet@v2 is not in the action cache and this run is offline: "
        "fetch it with `conveyor actions pull acme/greet@v2`"
    )


@pytest.mark.parametrize("damage", ["file removed", "interrupted"])
def test_a_damaged_entry_is_fetched_again(
    git_server: GitServer, tmp_path: Path, damage: str
) -> None:
    git_server.publish("acme/greet", {"action.yml": ACTION, "lib/x.js": "1"}, tags=("v1",))
    found = _fetched(_resolver(tmp_path, git_server.file_url).fetch("acme", "greet", "v1"))
    tree = Path(found.directory)
    if damage == "file removed":
        (tree / "action.yml").unlink()
    else:  # the marker is written last: an extraction cut short has none
        (tree.parent / f"{found.commit}.json").unlink()
        shutil.rmtree(tree / "lib")
    again = _fetched(_resolver(tmp_path, git_server.file_url).fetch("acme", "greet", "v1"))
    assert Path(again.directory, "action.yml").is_file()
    assert Path(again.directory, "lib", "x.js").read_text() == "1"


def test_parallel_jobs_fetch_one_action_once(
    git_server: GitServer, git_http: HttpGit, tmp_path: Path
) -> None:
    git_server.publish("acme/greet", {"action.yml": ACTION}, tags=("v1",))
    resolvers = [_resolver(tmp_path, git_http.url) for _ in range(2)]  # two runs at once
    barrier = threading.Barrier(4)
    results: list[FetchedAction | FetchFailure] = []

    def job(resolver: RemoteActionResolver) -> None:
        barrier.wait(timeout=10)
        results.append(resolver.fetch("acme", "greet", "v1"))

    threads = [threading.Thread(target=job, args=(resolvers[n % 2],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len({_fetched(found).directory for found in results}) == 1
    assert git_http.fetches("acme/greet") == 1


def test_a_token_reaches_the_server_but_no_message_nor_file(
    git_server: GitServer, tmp_path: Path
) -> None:
    token = "ghp_s3cr3tT0kenValue1234"
    git_server.publish("acme/private", {"action.yml": ACTION}, tags=("v1",))
    with git_server.http(token=token) as served:
        denied = _resolver(tmp_path / "a", served.url).fetch("acme", "private", "v1")
        assert isinstance(denied, FetchFailure)
        found = _fetched(
            _resolver(tmp_path / "b", served.url, token=token).fetch("acme", "private", "v1")
        )
        wrong = _resolver(tmp_path / "c", served.url, token=token + "x").fetch(
            "acme", "private", "v9"
        )
    assert isinstance(wrong, FetchFailure)
    for form in secret_forms(token):
        assert form.decode(errors="replace") not in wrong.message
    assert Path(found.directory, "action.yml").is_file()
    for path in (tmp_path / "b").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(form in content for form in secret_forms(token)), path


def test_an_unreachable_server_names_the_action(tmp_path: Path) -> None:
    failure = _resolver(tmp_path, (tmp_path / "none").as_uri()).fetch("acme", "tool", "v1")
    assert isinstance(failure, FetchFailure)
    assert failure.message.startswith("acme/tool@v1 cannot be resolved: ")
    assert "does not appear to be a git repository" in failure.message
    assert "\n" not in failure.message


def test_names_that_would_leave_the_cache_are_refused(tmp_path: Path) -> None:
    failure = _resolver(tmp_path, "file:///nowhere").fetch("..", "x", "v1")
    assert isinstance(failure, FetchFailure)
    assert "not a repository name" in failure.message
