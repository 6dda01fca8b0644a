"""`conveyor serve` with a GitHub forge configured (CONVEYOR_FORGE_*) reports each job of a
`--forge github` repository's runs as a check run to a test GitHub (real HTTP, every request
checked against GitHub's OpenAPI description); a GitHub outage does not touch the run, and the
report arrives once GitHub is back."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.served_repositories import ServedRepository, served_repositories
from tests.support.github_double import GitHubDouble
from tests.support.http_server import running_app
from tests.unit.server.served import (
    NAME,
    SECRET,
    delivery,
    make_repo,
    post,
    push_payload,
    wait_completed,
)
from tests.unit.server.test_serve_command import serving, stop

TOKEN = "ghp_conveyor_test_token"


def register_github(store: StoreHandle, source: Path) -> None:
    repository = ServedRepository(NAME, str(source), "main", False, 0.0, forge="github")
    served_repositories(store).add(repository, SECRET)


def wait_until(done: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def forge_env(base_url: str) -> dict[str, str]:
    return {
        "CONVEYOR_FORGE_KIND": "github",
        "CONVEYOR_FORGE_API_URL": base_url,
        "CONVEYOR_FORGE_TOKEN": TOKEN,
    }


def completed(double: GitHubDouble) -> dict[str, object] | None:
    runs = [run for run in double.check_runs.values() if run.get("status") == "completed"]
    return runs[0] if runs else None


def test_a_served_run_reports_its_job_as_a_check_run(conveyor_home: Path, tmp_path: Path) -> None:
    sha = make_repo(tmp_path / "app")
    double = GitHubDouble()
    double.static_tokens.add(TOKEN)
    store = open_store(conveyor_home)
    try:
        register_github(store, tmp_path / "app")
        with running_app(double.app) as github:
            os.environ.update(forge_env(github))
            try:
                with serving(conveyor_home) as (process, url):
                    (run_id,) = post(url, delivery(push_payload(sha))).json()["run_ids"]
                    assert wait_completed(store, run_id) == "success"
                    wait_until(lambda: completed(double) is not None)
                    err = stop(process)
            finally:
                for name in forge_env(github):
                    os.environ.pop(name)
    finally:
        store.close()
    run = completed(double)
    assert run is not None
    assert (run["name"], run["head_sha"], run["conclusion"]) == ("build", sha, "success")
    assert run["external_id"] == f"run-{run_id}/attempt-1/build"
    assert str(run["details_url"]).startswith(f"{url}/runs/{run_id}/job?key=")
    assert len(double.calls("POST", "/check-runs")) == 1  # then updated, never created twice
    assert not double.invalid, double.invalid
    assert double.statuses == []
    assert TOKEN not in err


def test_a_github_outage_does_not_touch_the_run_and_the_report_arrives_later(
    conveyor_home: Path, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    double = GitHubDouble()
    double.static_tokens.add(TOKEN)
    outage = {"on": True}
    double.down = lambda: outage["on"]
    store = open_store(conveyor_home)
    try:
        register_github(store, tmp_path / "app")
        with running_app(double.app) as github:
            os.environ.update(forge_env(github))
            try:
                with serving(conveyor_home) as (process, url):
                    (run_id,) = post(url, delivery(push_payload(sha))).json()["run_ids"]
                    assert wait_completed(store, run_id) == "success"
                    wait_until(lambda: len(double.seen) > 0)
                    assert double.check_runs == {}
                    outage["on"] = False
                    wait_until(lambda: completed(double) is not None)
                    stop(process)
            finally:
                for name in forge_env(github):
                    os.environ.pop(name)
    finally:
        store.close()
    assert not double.invalid, double.invalid


TOKENS_WORKFLOW = """\
name: CI
on: push
permissions:
  contents: read
  issues: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "$GITHUB_API_URL $GITHUB_SERVER_URL $GITHUB_GRAPHQL_URL" > "{out}/urls"
          test -n "${{{{ github.token }}}}"
          test "${{{{ secrets.GITHUB_TOKEN }}}}" = "${{{{ github.token }}}}"
          echo "the token is ${{{{ github.token }}}}"
"""


def app_env(base_url: str, key_file: Path) -> dict[str, str]:
    return {
        "CONVEYOR_FORGE_KIND": "github",
        "CONVEYOR_FORGE_API_URL": base_url,
        "CONVEYOR_FORGE_APP_ID": "4242",
        "CONVEYOR_FORGE_INSTALLATION_ID": "77",
        "CONVEYOR_FORGE_PRIVATE_KEY_FILE": str(key_file),
    }


def test_a_served_job_gets_a_narrowed_installation_token_and_the_forge_urls(
    conveyor_home: Path, tmp_path: Path
) -> None:
    from tests.unit.forge.test_github import KEY, PEM

    out = tmp_path / "out"
    out.mkdir()
    sha = make_repo(tmp_path / "app", {"ci.yml": TOKENS_WORKFLOW.format(out=out)})
    key_file = tmp_path / "app.pem"
    key_file.write_bytes(PEM)
    key_file.chmod(0o600)
    double = GitHubDouble(KEY.public_key(), app_id="4242")
    store = open_store(conveyor_home)
    try:
        register_github(store, tmp_path / "app")
        with running_app(double.app) as github:
            env = app_env(github, key_file)
            os.environ.update(env)
            try:
                with serving(conveyor_home) as (process, url):
                    (run_id,) = post(url, delivery(push_payload(sha))).json()["run_ids"]
                    assert wait_completed(store, run_id) == "success"
                    wait_until(lambda: completed(double) is not None)
                    stop(process)
            finally:
                for name in env:
                    os.environ.pop(name)
    finally:
        store.close()
    job_tokens = [
        token
        for token, permissions in double.tokens.items()
        if permissions == {"metadata": "read", "contents": "read", "issues": "write"}
    ]
    assert len(job_tokens) == 1
    assert (out / "urls").read_text().split() == [github, github, f"{github}/api/graphql"]
    for path in conveyor_home.rglob("*"):  # not one byte of the token in a file conveyor wrote
        if path.is_file():
            assert job_tokens[0].encode() not in path.read_bytes(), path
    assert not double.invalid, double.invalid
