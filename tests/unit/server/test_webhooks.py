"""`POST /webhooks/github` on a real uvicorn: a signed push of a registered repository runs its
workflow on the server (real git, real steps); every refused delivery changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conveyor.engine.ports.store import RunQuery
from conveyor.server.app import create_app
from conveyor.server.webhook_events import MAX_BODY, signature
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.server_queue import recorded_delivery
from tests.support.http_server import running_app
from tests.unit.server.served import (
    NAME,
    SECRET,
    Delivery,
    delivery,
    make_repo,
    post,
    push_payload,
    register,
    served,
    served_app,
    wait_completed,
)


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


def test_a_signed_push_runs_the_workflow_on_the_server_to_success(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    with served(conveyor_home, store) as wired, running_app(create_app(wired.context)) as url:
        answer = post(url, delivery(push_payload(sha)))
        assert answer.status_code == 202, answer.text
        (run_id,) = answer.json()["run_ids"]
        assert wait_completed(store, run_id) == "success"
    run = store.runs.get_run(run_id)
    assert run is not None
    assert (run.repository, run.sha, run.event) == (NAME, sha, "push")
    (job,) = store.runs.list_jobs(run_id)
    assert job.conclusion == "success"
    keys = store.logs.keys(run_id, 1, job.instance_key)
    text = "".join(store.logs.read(key).text for key in keys)
    assert f"built {sha}" in text


def test_a_repeated_delivery_answers_its_runs_and_queues_nothing(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    with served_app(conveyor_home, store, pool=False) as (_wired, url):
        first = post(url, delivery(push_payload(sha), number=7))
        again = post(url, delivery(push_payload(sha), number=7))
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["run_ids"] == first.json()["run_ids"]
    assert again.json()["duplicate"] is True
    assert len(store.runs.list_runs(RunQuery(limit=100))) == 1


def _refusals(sha: str) -> list[tuple[str, int, Delivery]]:
    good = push_payload(sha)
    signed = delivery(good)
    unsigned = Delivery(
        signed.body, {k: v for k, v in signed.headers.items() if "Signature" not in k}
    )
    wrong = delivery(good, secret="not the secret")
    other = delivery({**good, "repository": {"full_name": "acme/unknown"}})
    broken = Delivery(
        b"{not json", {**signed.headers, "X-Hub-Signature-256": signature(SECRET, b"{not json")}
    )
    no_after = {k: v for k, v in good.items() if k != "after"}
    missing = delivery(no_after)
    no_event = Delivery(
        signed.body, {k: v for k, v in signed.headers.items() if k != "X-GitHub-Event"}
    )
    return [
        ("unsigned", 401, unsigned),
        ("wrong secret", 401, wrong),
        ("unknown repository", 404, other),
        ("not JSON", 400, broken),
        ("no after", 400, missing),
        ("no event header", 400, no_event),
    ]


def test_each_refused_delivery_answers_its_status_and_queues_nothing(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    with served_app(conveyor_home, store, pool=False) as (wired, url):
        for what, status, sent in _refusals(sha):
            answer = post(url, sent)
            assert answer.status_code == status, (what, answer.text)
            assert "message" in answer.json(), what
        huge = b'{"a": "' + b"x" * (MAX_BODY + 10) + b'"}'
        answer = httpx.post(f"{url}/webhooks/github", content=huge, headers=delivery({}).headers)
        assert answer.status_code == 413
    assert store.runs.list_runs(RunQuery(limit=100)) == []
    assert recorded_delivery(wired.served.runs.database, "delivery-1") is None


def test_an_event_that_fires_nothing_answers_200_with_the_reasons(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    payload = {**push_payload(sha), "ref": "refs/heads/feature"}
    with served_app(conveyor_home, store, pool=False) as (_wired, url):
        answer = post(url, delivery(payload))
        pong = post(url, delivery(push_payload(sha), event="ping", number=2))
    assert answer.status_code == 200, answer.text
    assert answer.json()["run_ids"] == []
    assert "feature" in answer.json()["not_fired"][".github/workflows/ci.yml"]
    assert pong.status_code == 200
    assert store.runs.list_runs(RunQuery(limit=100)) == []


PATHS = """\
on:
  pull_request:
    paths: ["src/**"]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo testing
"""


def pull_payload(number: int, head: str, base: str) -> dict[str, object]:
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"ref": "feature", "sha": head},
            "base": {"ref": "main", "sha": base},
        },
        "repository": push_payload(head)["repository"],
        "sender": {"login": "octocat"},
    }


def test_a_pull_request_fires_by_the_files_changed_since_the_merge_base(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    from tests.unit.server.served import git

    source = tmp_path / "app"
    base = make_repo(source, {"paths.yml": PATHS})
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    git(source, "checkout", "--quiet", "-b", "feature")
    (source / "README.md").write_text("docs\n")
    git(source, "add", "-A")
    git(source, *identity, "commit", "--quiet", "-m", "docs")
    docs_only = git(source, "rev-parse", "HEAD")
    (source / "src").mkdir()
    (source / "src" / "x.py").write_text("x = 1\n")
    git(source, "add", "-A")
    git(source, *identity, "commit", "--quiet", "-m", "code")
    code = git(source, "rev-parse", "HEAD")
    register(store, source)
    with served_app(conveyor_home, store, pool=False) as (_wired, url):
        quiet = post(url, delivery(pull_payload(3, docs_only, base), "pull_request", 1))
        fired = post(url, delivery(pull_payload(3, code, base), "pull_request", 2))
    assert quiet.status_code == 200, quiet.text
    assert "paths" in quiet.json()["not_fired"][".github/workflows/paths.yml"]
    assert fired.status_code == 202, fired.text
    (run_id,) = fired.json()["run_ids"]
    run = store.runs.get_run(run_id)
    assert run is not None
    assert (run.event, run.ref, run.sha) == ("pull_request", "refs/pull/3/merge", code)


NEEDS_INPUT = """\
on:
  workflow_dispatch:
    inputs:
      level: {required: true, type: choice, options: [low, high]}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.level }}
"""


def test_a_dispatch_github_would_refuse_is_422_and_queues_nothing(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    make_repo(tmp_path / "app", {"d.yml": NEEDS_INPUT})
    register(store, tmp_path / "app")
    payload = {**push_payload("0" * 40), "ref": "main", "inputs": {"level": "extreme"}}
    del payload["after"]
    with served_app(conveyor_home, store, pool=False) as (_wired, url):
        answer = post(url, delivery(payload, "workflow_dispatch"))
    assert answer.status_code == 422, answer.text
    assert "extreme" in answer.json()["message"]
    assert store.runs.list_runs(RunQuery(limit=10)) == []


def test_an_organization_hook_s_ping_answers_pong_and_does_nothing(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    # GitHub pings a new organization webhook with no repository in the payload.
    payload = {"zen": "Keep it simple.", "hook_id": 1, "organization": {"login": "acme"}}
    make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    with served_app(conveyor_home, store, pool=False) as (_wired, url):
        pong = post(url, delivery(payload, event="ping"))
    assert pong.status_code == 200, pong.text
    assert pong.json()["run_ids"] == []
    assert store.runs.list_runs(RunQuery(limit=100)) == []
