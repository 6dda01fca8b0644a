"""What a worker fetches from and stores on the server with a job's token, over real HTTP: the
job's repository (Git smart HTTP, fetching only), its run's artifacts and its repository's
caches (streamed, size-limited, path-safe, private on the server)."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import tarfile
import threading
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from conveyor.bootstrap.worker_settings import LeaseTiming
from conveyor.bootstrap.worker_source import fetched_document, token_header
from conveyor.distributed.client import Claim
from conveyor.server.api import worker_files
from conveyor.store.handle import open_store
from tests.integration.test_worker_api import Api, Recorded, api, document
from tests.integration.worker_fleet import fleet, job_log, push_run
from tests.unit.server.served import make_repo, wait_completed

__all__ = ["api"]  # the fixture
pytestmark = pytest.mark.integration


def claimed(api: Api, repository: Path, sha: str | None) -> tuple[int, str]:
    """A job of run 7 planned from `repository` at `sha`, claimed: (job id, its token)."""
    api.hub.timing = LeaseTiming(0.2, 60.0, 1)  # the test holds the lease without heartbeats
    planned = replace(document(), repository=str(repository), sha=sha)
    job_id = api.hub.submit(planned, Recorded())
    threading.Thread(target=api.hub.wait, args=(job_id, threading.Event()), daemon=True).start()
    answer = api.claim(job_id)
    assert answer.status_code == 200, answer.text
    return job_id, str(answer.json()["token"])


def git(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    return subprocess.run(["git", *args], capture_output=True, text=True, env=environ, timeout=60)


def test_the_jobs_commit_is_fetched_with_its_token_only(api: Api, tmp_path: Path) -> None:
    sha = make_repo(tmp_path / "app")
    job_id, token = claimed(api, tmp_path / "app", sha)
    url = f"{api.url}/api/v1/worker-jobs/{job_id}/git"
    git("init", "--quiet", "--bare", str(tmp_path / "cache.git"))
    cache = ("-C", str(tmp_path / "cache.git"))
    refused = git(*cache, "fetch", "--quiet", url, sha, env=token_header("wrong"))
    assert refused.returncode != 0
    refs = "/git/info/refs?service=git-upload-pack"
    assert api.get(f"/worker-jobs/{job_id}{refs}", "wrong").status_code == 401
    assert api.get(f"/worker-jobs/{job_id}{refs}", token).status_code == 200
    for other in ("admin", "reader"):  # only the job's token opens its repository
        assert git(*cache, "fetch", url, sha, env=token_header(other)).returncode != 0
    fetched = git(*cache, "fetch", "--quiet", url, sha, env=token_header(token))
    assert fetched.returncode == 0, fetched.stderr
    assert git(*cache, "cat-file", "-t", sha).stdout.strip() == "commit"
    push = api.post(f"/worker-jobs/{job_id}/git/git-receive-pack", token)
    assert push.status_code == 404  # fetching only
    listed = api.get(f"/worker-jobs/{job_id}/git/info/refs?service=git-receive-pack", token)
    assert listed.status_code == 404


def tar_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def put(api: Api, path: str, token: str, body: bytes) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.put(f"{api.url}/api/v1{path}", content=body, headers=headers)


def modes(root: Path) -> set[int]:
    return {stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


def test_an_artifact_is_stored_in_the_runs_store_private_and_listed(
    api: Api, tmp_path: Path
) -> None:
    job_id, token = claimed(api, tmp_path, None)
    base = f"/worker-jobs/{job_id}/artifacts"
    body = tar_of({"report.txt": b"hello\n", "sub/deep.txt": b"deep\n"})
    assert put(api, f"{base}/report", "wrong", body).status_code == 401
    stored = put(api, f"{base}/report", token, body)
    assert stored.status_code == 200, stored.text
    assert stored.json() == {"files": 2}
    directory = api.context.home / "runs" / "7" / "artifacts" / "report"
    assert (directory / "sub" / "deep.txt").read_bytes() == b"deep\n"
    assert modes(directory) <= {0o700, 0o600}
    assert put(api, f"{base}/report", token, body).status_code == 409  # overwrite: false
    assert put(api, f"{base}/report?overwrite=true", token, tar_of({"a": b"2"})).status_code == 200
    assert api.get(base, token).json() == {"artifacts": ["report"]}
    back = httpx.get(f"{api.url}/api/v1{base}/report", headers={"Authorization": f"Bearer {token}"})
    with tarfile.open(fileobj=io.BytesIO(back.content)) as tar:
        assert tar.getnames() == ["a"]
    assert api.get(f"{base}/missing", token).status_code == 404


def test_an_artifact_reaching_outside_its_folder_is_refused_whole(api: Api, tmp_path: Path) -> None:
    job_id, token = claimed(api, tmp_path, None)
    runs = api.context.home / "runs" / "7"
    for name in ("../escaped.txt", "/tmp/escaped.txt", "ok/../../escaped.txt"):
        body = tar_of({"fine.txt": b"x", name: b"evil"})
        answer = put(api, f"/worker-jobs/{job_id}/artifacts/bad", token, body)
        assert answer.status_code == 400, answer.text
        assert "not a relative path" in answer.json()["message"]
        assert not list(runs.rglob("*escaped*"))
        assert not (runs / "artifacts" / "bad").exists()
        assert not list((runs / "artifacts").iterdir())  # no staging file left behind
    assert not Path("/tmp/escaped.txt").exists()


def test_an_upload_past_the_limit_is_413_and_leaves_nothing(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_files, "MAX_UPLOAD_BYTES", 64 * 1024)
    job_id, token = claimed(api, tmp_path, None)
    body = tar_of({"big.bin": os.urandom(200 * 1024)})
    answer = put(api, f"/worker-jobs/{job_id}/artifacts/big", token, body)
    assert answer.status_code == 413
    assert not list((api.context.home / "runs" / "7" / "artifacts").iterdir())
    cached = put(api, f"/worker-jobs/{job_id}/cache?version=v1&key=k", token, body)
    assert cached.status_code == 413


def test_a_cache_is_stored_once_and_found_by_its_restore_keys(api: Api, tmp_path: Path) -> None:
    job_id, token = claimed(api, tmp_path, None)
    archive = tar_of({"ws/a.txt": b"cached"})
    path = f"/worker-jobs/{job_id}/cache?version=v1&key=deps-linux-123"
    assert put(api, path, "wrong", archive).status_code == 401
    assert put(api, path, token, archive).status_code == 200
    assert put(api, path, token, archive).status_code == 409
    found = api.get(
        f"/worker-jobs/{job_id}/cache?version=v1&key=deps-linux-999&restore=deps-", token
    )
    assert found.status_code == 200
    assert found.headers["x-conveyor-cache-key"] == "deps-linux-123"
    assert found.content == archive
    other = api.get(f"/worker-jobs/{job_id}/cache?version=v2&key=deps-linux-123", token)
    assert other.status_code == 404
    assert modes(api.context.home / "caches") <= {0o700, 0o600}


TWO_WORKERS = """\
on: push
jobs:
  make:
    runs-on: [self-hosted, first]
    steps:
      - run: mkdir -p out deps && echo "built by $CONVEYOR_WORKER_NAME" > out/report.txt
      - run: echo "dependencies" > deps/lib.txt
      - uses: actions/cache@v4
        with:
          path: deps
          key: deps-${{ github.sha }}
      - uses: actions/upload-artifact@v4
        with:
          name: report
          path: out
  use:
    needs: make
    runs-on: [self-hosted, second]
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: report
      - run: echo "downloaded $(cat report.txt) on $CONVEYOR_WORKER_NAME"
      - uses: actions/cache/restore@v4
        with:
          path: deps
          key: deps-other
          restore-keys: deps-
          fail-on-cache-miss: true
      - run: echo "restored $(cat deps/lib.txt)"
"""


def test_a_later_job_on_another_worker_gets_what_an_earlier_one_stored(
    conveyor_home: Path, tmp_path: Path
) -> None:
    store = open_store(conveyor_home)
    try:
        with fleet(conveyor_home, store, tmp_path) as running:
            for name, label in (("w-first", "first"), ("w-second", "second")):
                running.start_worker(
                    name, tmp_path / name, "--labels", f"self-hosted,{label}",
                    CONVEYOR_WORKER_NAME=name,
                )  # fmt: skip
            running.workers_online(2)
            run_id = push_run(running.url, tmp_path / "app", store, {"ci.yml": TWO_WORKERS})
            assert wait_completed(store, run_id, timeout=120) == "success", running.worker_log(
                "w-first"
            ) + running.worker_log("w-second")
            listed = httpx.get(
                f"{running.url}/api/v1/runs/{run_id}/artifacts", headers=running.auth
            )
        text = job_log(store, run_id, 1, "use")
        assert "downloaded built by w-first on w-second" in text
        assert "restored dependencies" in text
        assert listed.json()["artifacts"] == [{"name": "report", "size": 17, "files": 1}]
        stored = conveyor_home / "runs" / str(run_id) / "artifacts" / "report"
        assert (stored / "report.txt").read_text() == "built by w-first\n"
        assert modes(stored) <= {0o700, 0o600}
        assert list((conveyor_home / "caches").rglob("*.tar"))  # in the server's cache store
    finally:
        store.close()


def test_a_worker_fetches_each_commit_once_into_its_own_mirror(api: Api, tmp_path: Path) -> None:
    source, home = tmp_path / "app", tmp_path / "worker-home"
    first = make_repo(source)
    (source / "more.txt").write_text("more\n", encoding="utf-8")
    git("-C", str(source), "add", "-A")
    git("-C", str(source), "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "more")
    second = git("-C", str(source), "rev-parse", "HEAD").stdout.strip()
    fetched = []
    for sha in (first, second):
        job_id, token = claimed(api, source, sha)
        planned = replace(document(), repository=str(source), sha=sha)
        planned = replace(planned, contexts={**planned.contexts, "github": {"repository": "o/r"}})
        fetched.append(fetched_document(home, api.url, Claim(job_id, token, 1, 1, 60), planned))
    view = home / "worker" / "views" / "o" / "r"
    assert [Path(d.repository) for d in fetched] == [view, view]
    bare = home / "worker" / "mirrors" / "o" / "r.git"
    assert git("-C", str(bare), "cat-file", "-t", second).stdout.strip() == "commit"
    assert stat.S_IMODE((home / "worker").stat().st_mode) == 0o700
    # a commit the worker has is not fetched again: a job whose token the server refuses runs
    job_id, _ = claimed(api, source, first)
    again = replace(fetched[0], repository=str(source))
    assert fetched_document(home, api.url, Claim(job_id, "wrong", 1, 1, 60), again) == fetched[0]
