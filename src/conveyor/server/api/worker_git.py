"""A claimed job's repository over Git smart HTTP, for the worker running it (docs/workers.md):
`GET /api/v1/worker-jobs/{id}/git/info/refs?service=git-upload-pack` and
`POST /api/v1/worker-jobs/{id}/git/git-upload-pack`, served by `git http-backend` from the
repository the server planned the job from (its view of the served repository), streamed both
ways (`conveyor.server.git_cgi`).

Only fetching: the job's per-job token (`Authorization: Bearer TOKEN`, which the worker's git
sends as an `http.extraHeader`, or HTTP Basic with the token as the password) while it holds the
job's lease; anything else is 401 and reads nothing. Any commit reachable from the repository's
refs may be asked for by its id (the job's commit need not be a branch's head any more).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from conveyor.server.context import ServerContext
from conveyor.server.git_cgi import CgiFailed, CgiProcess, CgiResponse

router = APIRouter(prefix="/api/v1")
log = logging.getLogger("conveyor.server")
SERVICE = "git-upload-pack"
CHALLENGE = {"WWW-Authenticate": 'Basic realm="conveyor job"'}
PASSED_HEADERS = {
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "content-encoding": "HTTP_CONTENT_ENCODING",
    "git-protocol": "GIT_PROTOCOL",
}


@router.api_route(
    "/worker-jobs/{job_id}/git/{rest:path}", methods=["GET", "POST"], include_in_schema=False
)
async def job_repository(job_id: int, rest: str, request: Request) -> Response:
    context = request.app.state.context
    assert isinstance(context, ServerContext)
    if not _fetching(request.method, rest, request.query_params.get("service")):
        return PlainTextResponse("only fetching (git-upload-pack) is served here", 404)
    token = job_token(request.headers.get("authorization", ""))
    hub = context.workers
    held = None
    if hub is not None and token and 0 < job_id < 2**63:
        held = await run_in_threadpool(hub.held_job, job_id, token)
    if held is None:
        return PlainTextResponse("this token holds no lease on the job", 401, headers=CHALLENGE)
    return await _backend(Path(held.repository), rest, request, job_id)


def _fetching(method: str, rest: str, asked: str | None) -> bool:
    if method == "GET":
        return rest == "info/refs" and asked == SERVICE
    return method == "POST" and rest == SERVICE


def job_token(authorization: str) -> str:
    """The token of `Authorization: Bearer T` or `Basic base64(user:T)` ('' when neither)."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() != "basic":
        return ""
    try:
        user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return password or user


async def _backend(repository: Path, rest: str, request: Request, job_id: int) -> Response:
    env = _environment(repository, rest, request)
    try:
        process = await CgiProcess.start(["git", "http-backend"], env, request.stream())
    except (CgiFailed, OSError) as failed:
        log.warning("git http-backend failed job=%d error=%r", job_id, str(failed)[:500])
        return PlainTextResponse("git failed on the server", 500)
    return CgiResponse(process)


def _environment(repository: Path, rest: str, request: Request) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repository.parent),
        "GIT_PROJECT_ROOT": str(repository.parent),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{repository.name}/{rest}",
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.url.query,
        "REMOTE_ADDR": request.client.host if request.client else "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        # a job's commit is fetched by its id, whether or not a ref still points at it
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "uploadpack.allowReachableSHA1InWant",
        "GIT_CONFIG_VALUE_0": "true",
    }
    for header, variable in PASSED_HEADERS.items():
        if header in request.headers:
            env[variable] = request.headers[header]
    return env
