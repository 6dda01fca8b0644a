"""A test GitHub: a small ASGI app that checks every request against GitHub's official OpenAPI
description (path + method exist; the JSON body validates against the operation's request
schema, `$ref`s resolved into `components`) and answers with GitHub's shapes (the
description's own examples, with the fields the test cares about filled in).

    double = GitHubDouble(app_key=public_key)
    with running_app(double.app) as base_url:
        ... GitHubForge(GitHubConfig(api_url=base_url, ...)) ...
    assert not double.invalid                  # every request matched the description

Failures are scripted: `double.script.append(Scripted(502))`, a rate limit
(`Scripted(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": ...})`), a slow answer
(`Scripted(200, delay=1.0)` for timeouts), or an outage while `double.down()` is true.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.octokit import rest_description


@dataclass
class Scripted:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a timeout when longer than the client's)
    message: str = "scripted"


@dataclass
class Seen:
    method: str
    path: str
    body: Any
    authorization: str
    query: dict[str, str] = field(default_factory=dict)
    status: int = 0  # what the double answered


@dataclass
class _Operation:
    template: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]


def _operations(description: dict[str, Any]) -> list[tuple[str, _Operation]]:
    found = []
    for template, item in description["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        for method, spec in item.items():
            if method in {"get", "post", "patch", "put", "delete"}:
                found.append((method.upper(), _Operation(template, re.compile(regex + "$"), spec)))
    return found


class GitHubDouble:
    def __init__(self, app_key: rsa.RSAPublicKey | None = None, app_id: str = "4242") -> None:
        self.description = rest_description()
        self._operations = _operations(self.description)
        self.app_key, self.app_id = app_key, app_id
        self.seen: list[Seen] = []
        self.invalid: list[str] = []  # requests that did not match the description
        self.script: deque[Scripted] = deque()
        self.down: Callable[[], bool] = lambda: False  # an outage: 502 while true
        self.refuse_checks = False  # the token lacks the checks permission
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.annotations: dict[int, list[dict[str, Any]]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.tokens: dict[str, dict[str, str]] = {}  # issued installation token -> permissions
        self.static_tokens: set[str] = set()
        self._validators: dict[str, jsonschema.Draft7Validator] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/{path:path}", self._handle, methods=_METHODS)])

    # -- what the tests read ----------------------------------------------------------------

    def calls(self, method: str, fragment: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.method == method and fragment in seen.path]

    def check_by_external_id(self, external_id: str) -> dict[str, Any] | None:
        found = [run for run in self.check_runs.values() if run["external_id"] == external_id]
        assert len(found) <= 1, f"{len(found)} check runs for {external_id}"
        return found[0] if found else None

    # -- the app ----------------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        response, seen = await self._respond(request)
        seen.status = response.status_code
        return response

    async def _respond(self, request: Request) -> tuple[Response, Seen]:
        raw = await request.body()
        body = json.loads(raw) if raw else None
        path = "/" + request.path_params["path"]
        authorization = request.headers.get("authorization", "")
        seen = Seen(request.method, path, body, authorization, dict(request.query_params))
        with self._lock:
            self.seen.append(seen)
            scripted = self.script.popleft() if self.script else None
        operation = self._validate(seen)
        if scripted is not None:
            await asyncio.sleep(scripted.delay)
            if scripted.status >= 300:
                return _error(scripted.status, scripted.message, scripted.headers), seen
        if self.down():
            return _error(502, "Server Error"), seen
        if operation is None:
            return _error(404, "Not Found"), seen
        return self._answer(seen, operation), seen

    def _validate(self, seen: Seen) -> _Operation | None:
        for method, operation in self._operations:
            if method == seen.method and operation.pattern.match(seen.path):
                self._validate_body(seen, operation)
                return operation
        self.invalid.append(f"{seen.method} {seen.path}: no such operation")
        return None

    def _validate_body(self, seen: Seen, operation: _Operation) -> None:
        request_body = operation.spec.get("requestBody", {})
        schema = request_body.get("content", {}).get("application/json", {}).get("schema")
        if schema is None or (seen.body is None and not request_body.get("required")):
            return
        validator = self._validators.get(operation.template + seen.method)
        if validator is None:
            wrapped = {**schema, "components": self.description["components"]}
            validator = self._validators[operation.template + seen.method] = (
                jsonschema.Draft7Validator(wrapped)
            )
        for error in validator.iter_errors(seen.body):
            self.invalid.append(f"{seen.method} {seen.path}: {error.message}")

    def _answer(self, seen: Seen, operation: _Operation) -> Response:
        template = operation.template
        if template == "/app/installations/{installation_id}/access_tokens":
            return self._installation_token(seen, operation)
        if not self._authorised(seen.authorization):
            return _error(401, "Bad credentials")
        if template == "/repos/{owner}/{repo}/commits/{ref}/check-runs":
            return self._check_runs_of(seen, request_query=seen.query)
        if template.startswith("/repos/{owner}/{repo}/check-runs"):
            if self.refuse_checks:
                return _error(403, "Resource not accessible by integration")
            return self._check_run(seen, operation)
        if template == "/repos/{owner}/{repo}/statuses/{sha}":
            self.statuses.append(seen.body)
            answer = self._example(operation, "201") | seen.body
            return JSONResponse(answer, status_code=201)
        return _error(404, "Not Found")

    def _example(self, operation: _Operation, status: str) -> dict[str, Any]:
        """The description's first example answer of the operation (GitHub's shape)."""
        content = operation.spec["responses"][status]["content"]["application/json"]
        example = next(iter(content.get("examples", {}).values()), {})
        if "$ref" in example:
            example = self.description["components"]["examples"][example["$ref"].split("/")[-1]]
        value = example.get("value")
        return copy.deepcopy(value) if isinstance(value, dict) else {}

    def _authorised(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        return scheme.lower() in {"token", "bearer"} and (
            value in self.tokens or value in self.static_tokens
        )

    def _installation_token(self, seen: Seen, operation: _Operation) -> Response:
        claims = self._verified_jwt(seen.authorization)
        if claims is None:
            return _error(401, "A JSON web token could not be decoded")
        token = f"ghs_{next(self._ids):036d}"
        permissions = dict((seen.body or {}).get("permissions") or {"contents": "write"})
        self.tokens[token] = permissions
        answer = self._example(operation, "201") | {"token": token, "permissions": permissions}
        return JSONResponse(answer | {"expires_at": "2099-01-01T00:00:00Z"}, status_code=201)

    def _verified_jwt(self, header: str) -> dict[str, Any] | None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or self.app_key is None or token.count(".") != 2:
            return None
        head, claims, signature = token.split(".")
        try:
            self.app_key.verify(
                _unb64(signature),
                f"{head}.{claims}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            return None
        decoded: dict[str, Any] = json.loads(_unb64(claims))
        if json.loads(_unb64(head)).get("alg") != "RS256" or decoded.get("iss") != self.app_id:
            return None
        if not 0 < decoded["exp"] - decoded["iat"] <= 660:  # iat 60 s back, exp ≤ 10 min
            return None
        return decoded

    def _check_runs_of(self, seen: Seen, request_query: dict[str, str]) -> Response:
        sha = seen.path.split("/")[5]
        name = request_query.get("check_name")
        runs = [
            run
            for run in self.check_runs.values()
            if run["head_sha"] == sha and (name is None or run["name"] == name)
        ]
        return JSONResponse({"total_count": len(runs), "check_runs": runs})

    def _check_run(self, seen: Seen, operation: _Operation) -> Response:
        body = dict(seen.body or {})
        annotations = body.get("output", {}).get("annotations", [])
        if len(annotations) > 50:
            return _error(422, "Only 50 annotations per request")
        if seen.method == "POST":
            run_id = next(self._ids)
            run = self._example(operation, "201") | {"id": run_id} | body
            self.check_runs[run_id] = run
            self.annotations[run_id] = list(annotations)
            return JSONResponse(run, status_code=201)
        run_id = int(seen.path.rsplit("/", 1)[1])
        if run_id not in self.check_runs:
            return _error(404, "Not Found")
        self.check_runs[run_id] = self.check_runs[run_id] | body
        self.annotations[run_id] += annotations
        return JSONResponse(self.check_runs[run_id])


_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {"message": message, "documentation_url": "https://docs.github.com/rest"}
    return JSONResponse(body, status_code=status, headers=headers or {})


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
