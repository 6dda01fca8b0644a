"""Secrets and variables of a served repository: set with `conveyor secrets|vars --repo
OWNER/REPO` on the server's machine and through `/api/v1`, seen by the runs the server starts
for it (environment-scoped ones in the environment's jobs), masked in their logs, and written
nowhere under CONVEYOR_HOME. A pull request from a fork gets none of them, as on GitHub."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conveyor.store.handle import StoreHandle, open_store
from tests.integration.file_audit import audit
from tests.support.serve_process import cli_ok, serving
from tests.unit.server.served import (
    NAME,
    SECRET,
    delivery,
    git,
    make_repo,
    post,
    push_payload,
    register,
    served_app,
    wait_completed,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CLI_SECRET = "cli-s3cret-9f2c41d7"
API_SECRET = "api-s3cret-4b7e10aa"
DEPLOY_KEY = "deploy-s3cret-77e0c3"
CI = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: >-
          echo "cli ${{ secrets.CLI_SECRET }} api ${{ secrets.API_SECRET }}
          var ${{ vars.GREETING }}"
      - run: echo "outside=[${{ secrets.DEPLOY_KEY }}] region=[${{ vars.REGION }}]"
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: >-
          echo "key ${{ secrets.DEPLOY_KEY }} region ${{ vars.REGION }}
          cli ${{ secrets.CLI_SECRET }}"
"""


def log_text(url: str, headers: dict[str, str], run_id: int, job: str) -> str:
    steps = httpx.get(f"{url}/api/v1/runs/{run_id}", headers=headers).json()
    assert steps["conclusion"] == "success", steps
    texts = []
    for step in range(3):
        answer = httpx.get(
            f"{url}/api/v1/runs/{run_id}/logs",
            params={"job": job, "step": step},
            headers=headers,
        )
        texts.append(answer.json()["text"] if answer.status_code == 200 else "")
    return "".join(texts)


def test_a_served_runs_sees_the_repositorys_secrets_and_variables_masked(
    conveyor_home: Path, tmp_path: Path
) -> None:
    make_repo(tmp_path / "app", {"ci.yml": CI})
    sha = git(tmp_path / "app", "rev-parse", "HEAD")
    secret_file = tmp_path / "webhook.secret"
    secret_file.write_text(SECRET)
    home = conveyor_home
    cli_ok(home, "repos", "add", str(tmp_path / "app"), "--name", NAME,
           "--webhook-secret-file", str(secret_file))  # fmt: skip
    cli_ok(home, "secrets", "set", "CLI_SECRET", "--repo", NAME, stdin=CLI_SECRET + "\n")
    cli_ok(home, "secrets", "set", "DEPLOY_KEY", "--env", "production", "--repo", NAME,
           stdin=DEPLOY_KEY)  # fmt: skip
    cli_ok(home, "vars", "set", "GREETING", "hello", "--repo", NAME)
    cli_ok(home, "vars", "set", "REGION", "eu-west", "--env", "production", "--repo", NAME)
    token = cli_ok(home, "tokens", "create", "--role", "admin", "--name", "ops").strip()
    headers = {"Authorization": f"Bearer {token}"}
    with serving(home, "--jobs", "1") as server:
        stored = httpx.put(
            f"{server.url}/api/v1/repos/{NAME}/secrets/API_SECRET",
            json={"value": API_SECRET},
            headers=headers,
        )
        assert stored.status_code == 204, stored.text
        answer = post(server.url, delivery(push_payload(sha)))
        assert answer.status_code == 202, answer.text
        (run_id,) = answer.json()["run_ids"]
        wait_until_completed(server.url, headers, run_id)
        build = log_text(server.url, headers, run_id, "build")
        deploy = log_text(server.url, headers, run_id, "deploy")
        assert server.stop() == 0
    assert "cli *** api *** var hello" in build
    assert "outside=[] region=[]" in build  # the environment's own stay in its jobs
    assert "key *** region eu-west cli ***" in deploy
    for secret in (CLI_SECRET, API_SECRET, DEPLOY_KEY):
        assert secret not in build + deploy
        assert audit(home, secret) == []


def wait_until_completed(url: str, headers: dict[str, str], run_id: int) -> None:
    deadline = time.monotonic() + 120
    while httpx.get(f"{url}/api/v1/runs/{run_id}", headers=headers).json()["status"] != (
        "completed"
    ):
        assert time.monotonic() < deadline, f"run {run_id} did not complete"
        time.sleep(0.2)


PULL = """\
on: [pull_request, pull_request_target]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: >-
          echo "${{ github.event_name }}
          secret=[${{ secrets.CLI_SECRET }}] var=[${{ vars.GREETING }}]"
  preview:
    runs-on: ubuntu-latest
    environment: preview
    steps:
      - run: echo "preview=[${{ secrets.DEPLOY_KEY }}] region=[${{ vars.REGION }}]"
"""


PULL_REQUESTS = [
    ("pull_request", "outsider/app"),  # from a fork
    ("pull_request", NAME),  # from a branch of the repository
    ("pull_request_target", "outsider/app"),  # runs the base's workflow: it has them
]


def pull_payload(head: str, base: str, head_repository: str) -> dict[str, object]:
    repository = push_payload(head)["repository"]
    return {
        "action": "opened",
        "number": 7,
        "pull_request": {
            "number": 7,
            "head": {"ref": "feature", "sha": head, "repo": {"full_name": head_repository}},
            "base": {"ref": "main", "sha": base, "repo": repository},
        },
        "repository": repository,
        "sender": {"login": "outsider"},
    }


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


def test_a_pull_request_from_a_fork_gets_no_secrets_nor_variables(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    source = tmp_path / "app"
    base = make_repo(source, {"pull.yml": PULL})
    git(source, "checkout", "--quiet", "-b", "feature")
    (source / "README.md").write_text("change\n")
    git(source, "add", "-A")
    git(source, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "pr")
    head = git(source, "rev-parse", "HEAD")
    register(store, source)
    store.secrets.set_secret(NAME, "CLI_SECRET", CLI_SECRET, None)
    store.variables.set_variable(NAME, "GREETING", "hello", None)
    store.environments.ensure_environment(NAME, "preview")
    store.secrets.set_secret(NAME, "DEPLOY_KEY", DEPLOY_KEY, "preview")
    store.variables.set_variable(NAME, "REGION", "eu-west", "preview")
    logs = {}
    with served_app(conveyor_home, store) as (_wired, url):
        for number, (event, owner) in enumerate(PULL_REQUESTS):
            sent = delivery(pull_payload(head, base, owner), event, number)
            answer = post(url, sent)
            assert answer.status_code == 202, answer.text
            (run_id,) = answer.json()["run_ids"]
            assert wait_completed(store, run_id) == "success"
            logs[(event, owner)] = run_log(store, run_id, "test") + run_log(
                store, run_id, "preview"
            )
    assert "pull_request secret=[] var=[]" in logs[("pull_request", "outsider/app")]
    assert "preview=[] region=[]" in logs[("pull_request", "outsider/app")]
    assert "preview=[***] region=[eu-west]" in logs[("pull_request", NAME)]
    assert "pull_request secret=[***] var=[hello]" in logs[("pull_request", NAME)]
    assert (
        "pull_request_target secret=[***] var=[hello]"
        in logs[("pull_request_target", "outsider/app")]
    )


def run_log(store: StoreHandle, run_id: int, job: str) -> str:
    from conveyor.engine.ports.store import LogKey

    return store.logs.read(LogKey(run_id, 1, job, 0), 0, 1 << 20).text
