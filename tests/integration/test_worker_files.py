"""What a worker fetches from and stores on the server with a job's token, over real HTTP: the
job's repository (Git smart HTTP, fetching only), its run's artifacts and its repository's
caches (streamed, size-limited, path-safe, private on the server)."""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from conveyor.bootstrap.worker_source import token_header
from tests.integration.test_worker_api import Api, Recorded, api, document
from tests.unit.server.served import make_repo

__all__ = ["api"]  # the fixture
pytestmark = pytest.mark.integration


def claimed(api: Api, repository: Path, sha: str | None) -> tuple[int, str]:
    """A job of run 7 planned from `repository` at `sha`, claimed: (job id, its token)."""
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
