"""Jobs the server runs for a hosted repository get their own `GITHUB_TOKEN` (masked in their
logs, revoked when they end) with the permissions of `permissions:`, and the forge's URLs: a
`contents: read` job fetches but cannot push over the server's git, a `contents: write` job
pushes, and a push made with a job token starts no run (as on GitHub)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.run_history import RunQuery
from conveyor.git.hosting import read_refs
from conveyor.server.hosting import create_hosted, hosted_path
from conveyor.server.token_verifier import StoreTokenVerifier
from conveyor.store import open_store
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.handle import StoreHandle
from conveyor.store.served_repositories import served_repositories
from tests.support.hosted_git import GitClient
from tests.unit.server.served import served_app, wait_completed

REMOTE = "http://job:${GH_TOKEN}@${GITHUB_SERVER_URL#http://}/acme/app.git"
CI = f"""\
name: CI
on: push
permissions:
  contents: read
jobs:
  reader:
    runs-on: ubuntu-latest
    env:
      GH_TOKEN: ${{{{ github.token }}}}
    steps:
      - run: echo "token=$GH_TOKEN secret=${{{{ secrets.GITHUB_TOKEN }}}}"
      - run: echo "api=$GITHUB_API_URL server=$GITHUB_SERVER_URL graphql=$GITHUB_GRAPHQL_URL"
      - run: git ls-remote "{REMOTE}" | grep -q refs/heads/main && echo fetched-ok
      - run: |
          git init -q -b main side && cd side
          git -c user.name=j -c user.email=j@example.com commit -q --allow-empty -m side
          if git push -q "{REMOTE}" HEAD:refs/heads/refused 2>err.txt; then echo push-allowed
          else echo push-refused; fi
  writer:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    env:
      GH_TOKEN: ${{{{ github.token }}}}
    steps:
      - run: |
          git init -q -b main side && cd side
          git -c user.name=j -c user.email=j@example.com commit -q --allow-empty -m side
          git push -q "{REMOTE}" HEAD:refs/heads/from-job && echo pushed-ok
"""


@pytest.fixture
def forge_runs(conveyor_home: Path) -> Iterator[tuple[str, str, StoreHandle]]:
    store = open_store(conveyor_home)
    token = SqlTokenStore(store.database).create("pusher", "write")  # type: ignore[arg-type]
    create_hosted(conveyor_home, served_repositories(store), "acme/app")
    try:
        with served_app(conveyor_home, store) as (wired, url):
            wired.context.tokens = StoreTokenVerifier.of(store)
            wired.served.runs.forge_url = url
            yield url, token, store
    finally:
        store.close()


def _log(store: StoreHandle, run_id: int, job: str) -> str:
    (found,) = [j for j in store.runs.list_jobs(run_id) if j.instance_key == job]
    keys = store.logs.keys(run_id, 1, found.instance_key)
    return "".join(store.logs.read(key).text for key in keys)


def _job_tokens_live(home: Path) -> list[tuple[object, ...]]:
    import sqlite3

    with sqlite3.connect(home / "conveyor.db") as conn:
        return conn.execute("SELECT job FROM job_tokens WHERE revoked_at IS NULL").fetchall()


def test_jobs_get_a_masked_revoked_token_with_their_permissions_and_the_forge_urls(
    forge_runs: tuple[str, str, StoreHandle], conveyor_home: Path, tmp_path: Path
) -> None:
    url, token, store = forge_runs
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    git.commit(work, {".github/workflows/ci.yml": CI}, "add CI")
    git.ok(work, "push", "-q", git.url(url, "acme/app", token), "main")
    ((run_id,),) = [(r.id,) for r in store.runs.list_runs(RunQuery())]
    assert wait_completed(store, run_id, timeout=120) == "success"
    reader = _log(store, run_id, "reader")
    assert "token=*** secret=***" in reader
    assert "cvyj_" not in reader
    assert f"api={url}/api/v3 server={url} graphql={url}/api/graphql" in reader
    assert "fetched-ok" in reader
    assert "push-refused" in reader
    assert "pushed-ok" in _log(store, run_id, "writer")
    refs = read_refs(hosted_path(conveyor_home, "acme/app"))
    assert "refs/heads/from-job" in refs
    assert "refs/heads/refused" not in refs
    assert _job_tokens_live(conveyor_home) == []  # revoked when each job ended
    # the job's push started nothing
    assert [r.id for r in store.runs.list_runs(RunQuery())] == [run_id]


SIMPLE = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "server=$GITHUB_SERVER_URL token=${{ github.token }}"
      - run: git ls-remote "http://job:${{ github.token }}@${GITHUB_SERVER_URL#http://}/acme/app.git"
"""


def test_conveyor_serve_hosts_a_repository_a_push_runs_with_its_url_and_a_job_token(
    conveyor_home: Path, tmp_path: Path
) -> None:
    from tests.unit.server.test_serve_command import serving, stop

    store = open_store(conveyor_home)
    try:
        token = SqlTokenStore(store.database).create("pusher", "write")  # type: ignore[arg-type]
        create_hosted(conveyor_home, served_repositories(store), "acme/app")
        git, work = GitClient(tmp_path), tmp_path / "work"
        git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
        sha = git.commit(work, {".github/workflows/ci.yml": SIMPLE}, "add CI")
        with serving(conveyor_home) as (process, url):
            git.ok(work, "push", "-q", git.url(url, "acme/app", token), "main")
            (run,) = store.runs.list_runs(RunQuery())
            assert wait_completed(store, run.id, timeout=120) == "success"
            stop(process)
        log = _log(store, run.id, "build")
    finally:
        store.close()
    assert run.sha == sha
    assert f"server={url} token=***" in log
    assert "refs/heads/main" in log
