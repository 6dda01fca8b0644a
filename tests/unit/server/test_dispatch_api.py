"""`POST /api/v1/repos/{owner}/{repo}/workflows/{file}/dispatches` over real HTTP: GitHub's
answers (204, 404, 422 with a message) and the write role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.principals import Principal, Role
from conveyor.store.handle import opened_store
from tests.support.http_server import running_app
from tests.unit.server.schedule_helpers import (
    CI,
    DEPLOY,
    REPOSITORY,
    scheduled_repository,
    source_for,
)

TOKENS = FakeTokens(
    {
        "w-token": Principal("deployer", Role.WRITE),
        "r-token": Principal("reader", Role.READ),
        "a-token": Principal("admin", Role.ADMIN),
    }
)
URL = "/api/v1/repos/acme/app/workflows/{file}/dispatches"


class Server:
    def __init__(self, base_url: str, starter: FakeStarter, sha: str) -> None:
        self.base_url, self.starter, self.sha = base_url, starter, sha

    def dispatch(
        self, body: object, *, file: str = "deploy.yml", token: str | None = "w-token"
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(self.base_url + URL.format(file=file), json=body, headers=headers)


@pytest.fixture
def server(tmp_path: Path, conveyor_home: Path) -> Iterator[Server]:
    repo, sha = scheduled_repository(tmp_path / "repo", {"deploy.yml": DEPLOY, "ci.yml": CI})
    repo.tag("v1")
    starter = FakeStarter()
    with opened_store(conveyor_home) as store:
        store.environments.ensure_environment(REPOSITORY, "staging")
        context = ServerContext(conveyor_home, store, starter, FakeControl(), TOKENS)
        context.workflows = source_for(repo)
        with running_app(create_app(context)) as base_url:
            yield Server(base_url, starter, sha)


def test_a_valid_dispatch_answers_204_and_starts_the_workflow(server: Server) -> None:
    inputs = {"target": "production", "dry_run": "true", "place": "staging"}
    response = server.dispatch({"ref": "main", "inputs": inputs})
    assert response.status_code == 204, response.text
    assert response.content == b""
    [request] = server.starter.requests
    assert (request.repository, request.event_name) == (REPOSITORY, "workflow_dispatch")
    assert (request.ref, request.sha) == ("refs/heads/main", server.sha)
    assert request.workflows == (".github/workflows/deploy.yml",)
    assert request.payload["inputs"] == {
        "target": "production",
        "dry_run": "true",
        "replicas": "2",
        "place": "staging",
        "note": "",
    }
    assert request.payload["ref"] == "refs/heads/main"
    assert request.payload["workflow"] == ".github/workflows/deploy.yml"
    assert request.payload["sender"] == {"login": "deployer"}


def test_a_tag_ref_and_an_admin_token_dispatch_too(server: Server) -> None:
    response = server.dispatch({"ref": "v1", "inputs": {"target": "staging"}}, token="a-token")
    assert response.status_code == 204, response.text
    assert server.starter.requests[0].ref == "refs/tags/v1"


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"target": "staging", "colour": "red"}, "input 'colour' is not declared"),
        ({"dry_run": "true"}, "input 'target' is required"),
        ({"target": "qa"}, "'target' must be one of [staging, production], got 'qa'"),
        ({"target": "staging", "dry_run": "yes"}, "'dry_run' must be true or false"),
        ({"target": "staging", "replicas": "many"}, "'replicas' must be a number"),
        ({"target": "staging", "place": "mars"}, "'place' must be an environment of acme/app"),
    ],
    ids=["undeclared", "missing-required", "bad-choice", "bad-boolean", "bad-number", "bad-env"],
)
def test_bad_inputs_answer_422_with_a_message(
    server: Server, inputs: dict[str, str], message: str
) -> None:
    response = server.dispatch({"ref": "main", "inputs": inputs})
    assert response.status_code == 422
    assert message in response.json()["message"]
    assert server.starter.requests == []


def test_an_unknown_ref_answers_422(server: Server) -> None:
    response = server.dispatch({"ref": "nope", "inputs": {"target": "staging"}})
    assert response.status_code == 422
    assert response.json()["message"] == "No ref found for: nope"


def test_a_body_without_ref_answers_422(server: Server) -> None:
    assert server.dispatch({"inputs": {}}).status_code == 422
    assert server.dispatch({"ref": "main", "inputs": {"target": ["a"]}}).status_code == 422
    url = server.base_url + URL.format(file="deploy.yml")
    headers = {"Authorization": "Bearer w-token", "Content-Type": "application/json"}
    assert httpx.post(url, content=b"{not json", headers=headers).status_code == 422
    assert httpx.post(url, content=b"\xff\xfe{", headers=headers).status_code == 400
    assert server.starter.requests == []


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("missing.yml", "workflow missing.yml not found in acme/app at refs/heads/main"),
        ("ci.yml", "workflow ci.yml does not have a 'workflow_dispatch' trigger"),
    ],
)
def test_an_unknown_or_undispatchable_workflow_answers_404(
    server: Server, file: str, message: str
) -> None:
    response = server.dispatch({"ref": "main", "inputs": {}}, file=file)
    assert response.status_code == 404
    assert response.json()["message"] == message


def test_an_unknown_repository_answers_404(server: Server) -> None:
    url = server.base_url + "/api/v1/repos/acme/other/workflows/deploy.yml/dispatches"
    response = httpx.post(url, json={"ref": "main"}, headers={"Authorization": "Bearer w-token"})
    assert response.status_code == 404
    assert response.json()["message"] == "repository acme/other is not registered"


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("bad", 401), ("r-token", 403)])
def test_dispatching_needs_a_write_token(server: Server, token: str | None, status: int) -> None:
    response = server.dispatch({"ref": "main", "inputs": {"target": "staging"}}, token=token)
    assert response.status_code == status
    assert server.starter.requests == []
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def test_the_endpoint_is_in_the_openapi_document(server: Server) -> None:
    paths = httpx.get(server.base_url + "/openapi.json").json()["paths"]
    operation = paths["/api/v1/repos/{owner}/{repo}/workflows/{workflow_file}/dispatches"]["post"]
    assert {"204", "401", "403", "404", "422"} <= set(operation["responses"])
