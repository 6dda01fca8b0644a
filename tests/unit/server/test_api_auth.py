"""Every API endpoint's required role: none → 401, a role below → 403, the role → allowed.

A read token cannot approve, cancel, re-run or set secrets, and no endpoint returns a secret's
value. Anonymous read is off unless `anonymous_read` turns it on."""

from __future__ import annotations

import re

import httpx
import pytest

from conveyor.engine.ports.store import NewRun
from conveyor.server.app import create_app
from conveyor.server.auth import require
from conveyor.server.principals import Role
from conveyor.store.job_tokens import SqlJobTokens
from tests.support.http_server import running_app
from tests.unit.server.conftest import Api

R = "/api/v1/repos/{owner}/{repo}"
RUN = "/api/v1/runs/{run_id}"
# (method, path, json body, the role it needs)
ENDPOINTS: list[tuple[str, str, object, str]] = [
    ("GET", "/api/v1/runs", None, "read"),
    ("GET", RUN, None, "read"),
    ("GET", f"{RUN}/logs", None, "read"),
    ("GET", f"{RUN}/logs/stream", None, "read"),
    ("GET", f"{RUN}/artifacts", None, "read"),
    ("GET", f"{RUN}/artifacts/{{name}}/zip", None, "read"),
    ("GET", f"{RUN}/approvals", None, "read"),
    ("GET", "/metrics", None, "read"),
    ("GET", f"{R}/secrets", None, "read"),
    ("GET", f"{R}/variables", None, "read"),
    ("GET", f"{R}/environments", None, "read"),
    ("GET", f"{R}/environments/{{environment}}", None, "read"),
    ("GET", f"{R}/environments/{{environment}}/deployments", None, "read"),
    ("GET", f"{R}/coverage", None, "read"),
    ("POST", f"{RUN}/cancel", None, "write"),
    ("POST", f"{RUN}/rerun", None, "write"),
    ("POST", f"{RUN}/rerun-failed-jobs", None, "write"),
    ("POST", f"{RUN}/approvals/{{environment}}/approve", {"comment": "ok"}, "write"),
    ("POST", f"{RUN}/approvals/{{environment}}/reject", {"comment": "no"}, "write"),
    ("PUT", f"{R}/secrets/{{name}}", {"value": "s3cr3t"}, "admin"),
    ("DELETE", f"{R}/secrets/{{name}}", None, "admin"),
    ("PUT", f"{R}/variables/{{name}}", {"value": "v"}, "admin"),
    ("DELETE", f"{R}/variables/{{name}}", None, "admin"),
    ("PUT", f"{R}/environments/{{environment}}", {"required_reviewers": []}, "admin"),
    ("DELETE", f"{R}/environments/{{environment}}", None, "admin"),
    ("GET", "/api/v1/tokens", None, "admin"),
    ("POST", "/api/v1/tokens", {"name": "new-token", "role": "read"}, "admin"),
    ("DELETE", "/api/v1/tokens/{name}", None, "admin"),
    ("POST", f"{R}/workflows/{{workflow_file}}/dispatches", {"ref": "main"}, "write"),
    ("GET", "/api/v1/schedules", None, "read"),
    ("GET", "/api/v1/repos", None, "read"),
    ("POST", "/api/v1/repos", {"name": "o/r", "url": "/nowhere"}, "admin"),
    ("DELETE", "/api/v1/repos/{owner}/{repo}", None, "admin"),
    ("GET", "/api/v1/workers", None, "read"),
    ("POST", "/api/v1/workers", {"name": "w1", "labels": ["self-hosted"], "capacity": 1}, "admin"),
    ("POST", "/api/v1/workers/{name}/heartbeat", {"busy": 0}, "admin"),
    ("DELETE", "/api/v1/workers/{name}", None, "admin"),
    ("POST", "/api/v1/worker-jobs/{job_id}/claim", {"worker": "w1"}, "admin"),
]
# A claimed job's own routes: its per-job token opens them, never a role's token.
JOB = "/api/v1/worker-jobs/{job_id}"
JOB_TOKEN_ROUTES = {
    ("GET", f"{JOB}/document"),
    ("GET", f"{JOB}/secrets"),
    ("POST", f"{JOB}/heartbeat"),
    ("POST", f"{JOB}/events"),
    ("POST", f"{JOB}/result"),
    ("GET", f"{JOB}/artifacts"),
    ("GET", f"{JOB}/artifacts/{{name}}"),
    ("PUT", f"{JOB}/artifacts/{{name}}"),
    ("GET", f"{JOB}/cache"),
    ("PUT", f"{JOB}/cache"),
}
PUBLIC = {("GET", "/healthz"), ("POST", "/webhooks/github")}  # webhooks: HMAC, not tokens
VALUES = {
    "run_id": "1",
    "owner": "o",
    "repo": "r",
    "name": "NAME",
    "environment": "prod",
    "workflow_file": "ci.yml",
    "job_id": "1",
}


def concrete(path: str) -> str:
    return path.format(**VALUES) + ("?job=build" if "/logs" in path else "")


ORDER = ["read", "write", "admin"]


def call(api: Api, role: str | None, method: str, path: str, body: object) -> httpx.Response:
    with api.client(role) as client:
        return client.request(method, concrete(path), json=body)


@pytest.mark.parametrize(("method", "path", "body", "needed"), ENDPOINTS)
def test_each_endpoint_needs_its_role(
    api: Api, method: str, path: str, body: object, needed: str
) -> None:
    api.store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    anonymous = call(api, None, method, path, body)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["www-authenticate"] == "Bearer"
    for role in ORDER[: ORDER.index(needed)]:
        refused = call(api, role, method, path, body)
        assert refused.status_code == 403, (role, refused.text)
        assert needed in refused.json()["message"]
    allowed = call(api, needed, method, path, body)
    assert allowed.status_code not in (401, 403), allowed.text


def test_every_api_route_is_in_the_matrix(api: Api) -> None:
    schema = httpx.get(f"{api.url}/openapi.json").json()
    served = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    roles = {(method, path) for method, path, _, _ in ENDPOINTS}
    assert served - PUBLIC - JOB_TOKEN_ROUTES == roles


@pytest.mark.parametrize(("method", "path"), sorted(JOB_TOKEN_ROUTES))
def test_a_jobs_own_routes_refuse_every_role_token(api: Api, method: str, path: str) -> None:
    """Without a token: 401. A role's token is no job's token: never let in (here, a server
    without a broker, the routes answer 404; tests/integration/test_worker_api.py checks the
    401 of a wrong token on a server with one)."""
    assert call(api, None, method, path, {}).status_code == 401
    for role in ORDER:
        refused = call(api, role, method, path, {})
        assert refused.status_code in (401, 404), (role, refused.text)


def test_bad_and_revoked_tokens_are_refused(api: Api) -> None:
    for header in ("Bearer nope", "Basic abc", "Bearer " + api.tokens["read"] + "x", "Bearer"):
        answer = httpx.get(f"{api.url}/api/v1/runs", headers={"Authorization": header})
        assert answer.status_code == 401
        assert answer.json()["message"]
    token = api.token("temp", "write")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{api.url}/api/v1/runs", headers=headers).status_code == 200
    from conveyor.store.api_tokens import SqlTokenStore

    SqlTokenStore(api.store.database).revoke("temp")  # type: ignore[arg-type]
    assert httpx.get(f"{api.url}/api/v1/runs", headers=headers).status_code == 401


def test_anonymous_read_when_the_setting_is_on(api: Api) -> None:
    api.context.anonymous_read = True
    with running_app(create_app(api.context)) as url:
        assert httpx.get(f"{url}/api/v1/runs").status_code == 200
        assert httpx.get(f"{url}/metrics").status_code == 200
        assert httpx.post(f"{url}/api/v1/runs/1/cancel").status_code == 401
        assert (
            httpx.put(f"{url}/api/v1/repos/o/r/secrets/T", json={"value": "v"}).status_code == 401
        )


def test_require_is_importable_for_other_routers() -> None:
    assert callable(require(Role.WRITE))


def test_tokens_over_the_api_need_admin_and_never_show_a_hash(api: Api) -> None:
    with api.client("admin") as admin:
        made = admin.post("/api/v1/tokens", json={"name": "bot", "role": "write"})
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        listed = admin.get("/api/v1/tokens").json()["tokens"]
        taken = admin.post("/api/v1/tokens", json={"name": "bot", "role": "read"})
        assert taken.status_code == 409
        assert admin.delete("/api/v1/tokens/bot").status_code == 204
        assert admin.delete("/api/v1/tokens/bot").status_code == 404
    assert [(t["name"], t["role"]) for t in listed][-1] == ("bot", "write")
    assert token not in str(listed)
    assert "hash" not in str(listed)
    revoked = httpx.get(f"{api.url}/api/v1/runs", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401


def test_a_jobs_github_token_is_no_key_to_conveyors_own_api_or_pages(api: Api) -> None:
    tokens = SqlJobTokens(api.store.database)
    job = tokens.mint("o/r", "run-1/build", {"issues": "write"}, lifetime=60)
    with httpx.Client(base_url=api.url, timeout=10) as client:
        runs = client.get("/api/v1/runs", headers={"Authorization": f"Bearer {job.value}"})
        page = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        login = client.post("/login", data={"token": job.value, "csrf": csrf.group(1)})
    assert runs.status_code == 401
    assert login.status_code == 401


WORKER_ROUTES = {
    ("POST", "/api/v1/workers"),
    ("POST", "/api/v1/workers/{name}/heartbeat"),
    ("DELETE", "/api/v1/workers/{name}"),
    ("POST", "/api/v1/worker-jobs/{job_id}/claim"),
}


def test_a_worker_token_opens_the_worker_endpoints_only(api: Api) -> None:
    """`conveyor tokens create --role worker`: a worker's token registers and claims (here, a
    server without a broker, those routes answer 404 once the token is let in); every other
    endpoint is 403, the web UI's login and the hosted repositories' Git refuse it."""
    api.store.runs.create_run(NewRun("o/r", "CI", "ci.yml", "push"))
    token = api.token("fleet", "worker")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=api.url, headers=headers, timeout=10) as client:
        for method, path, body, _ in ENDPOINTS:
            answer = client.request(method, concrete(path), json=body)
            if (method, path) in WORKER_ROUTES:
                assert answer.status_code == 404, (path, answer.text)
                assert "broker" in answer.json()["message"]
            else:
                assert answer.status_code == 403, (method, path, answer.text)
                assert "fleet has worker" in answer.json()["message"]
        git = client.get("/o/r.git/info/refs?service=git-upload-pack")
        assert git.status_code in (403, 404)
    with httpx.Client(base_url=api.url, timeout=10) as browser:
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text)
        assert csrf
        login = browser.post("/login", data={"token": token, "csrf": csrf.group(1)})
    assert login.status_code == 401
