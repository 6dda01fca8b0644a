"""Git smart HTTP for hosted repositories: `/{owner}/{repo}.git/info/refs?service=...`,
`/git-upload-pack`, `/git-receive-pack`, served by `git http-backend` as a CGI program, streamed
both ways (`conveyor.server.git_cgi`).

Credentials: HTTP Basic whose password (or user name, when the password is empty) is a conveyor
token, or `Authorization: Bearer TOKEN`. Fetching needs a read token, pushing a write token; a
job's token needs `contents: read` / `contents: write` on its own repository. No or a bad token
is 401 with `WWW-Authenticate: Basic realm="conveyor"` (git then asks for credentials); a token
that may not is 403; anything but a hosted repository's smart HTTP endpoints is 404. After a
push, its ref updates fire the events (`conveyor.server.hosted_events`) before the answer ends;
a push made with a job's token starts no run, as on GitHub (the ref listeners still hear it).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import os
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from conveyor.errors import UsageError
from conveyor.git.hosting import hosted_root, read_refs, ref_updates
from conveyor.server.auth import ANONYMOUS
from conveyor.server.context import ServerContext
from conveyor.server.git_cgi import CgiFailed, CgiProcess, CgiResponse
from conveyor.server.hosted_events import fire_pushed
from conveyor.server.hosting import hosted_path, is_hosted
from conveyor.server.principals import Principal

router = APIRouter()
log = logging.getLogger("conveyor.server")
SERVICES = {"git-upload-pack": "read", "git-receive-pack": "write"}
CHALLENGE = {"WWW-Authenticate": 'Basic realm="conveyor"'}
PASSED_HEADERS = {
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "content-encoding": "HTTP_CONTENT_ENCODING",  # a gzipped fetch request
    "git-protocol": "GIT_PROTOCOL",  # protocol v2
}


@router.api_route(
    "/{owner}/{repo}.git/{rest:path}", methods=["GET", "POST"], include_in_schema=False
)
async def smart_http(owner: str, repo: str, rest: str, request: Request) -> Response:
    context = request.app.state.context
    assert isinstance(context, ServerContext)
    principal = await run_in_threadpool(_principal, context, request)
    if principal is None:
        return PlainTextResponse("a conveyor token is required", 401, headers=CHALLENGE)
    name = f"{owner}/{repo}"
    service = _service(request.method, rest, request.query_params.get("service"))
    if service is None or not await run_in_threadpool(_hosted, context, name):
        return PlainTextResponse(f"{name} is not a hosted repository", 404)
    if not principal.may("contents", SERVICES[service], name):
        return PlainTextResponse(f"{principal.name} may not {SERVICES[service]} {name}", 403)
    if request.method == "POST" and service == "git-receive-pack":
        return await _receive(context, request, name, principal)
    return await _backend(context, request, name, principal)


def _service(method: str, rest: str, asked: str | None) -> str | None:
    if method == "GET" and rest == "info/refs":
        return asked if asked in SERVICES else None
    return rest if method == "POST" and rest in SERVICES else None


def _principal(context: ServerContext, request: Request) -> Principal | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return context.tokens.verify(value.strip())
    if scheme.lower() != "basic":
        return ANONYMOUS if not scheme and context.anonymous_read else None
    try:
        user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return context.tokens.verify(password or user)


def _hosted(context: ServerContext, name: str) -> bool:
    try:
        repository = context.served().get(name)
        path = hosted_path(context.home, name)
    except UsageError:
        return False
    return repository is not None and is_hosted(context.home, repository) and path.is_dir()


async def _receive(
    context: ServerContext, request: Request, name: str, principal: Principal
) -> Response:
    """A push: one at a time per repository, its refs read before and after."""
    lock = _push_lock(request, name)
    await lock.acquire()
    try:
        path = hosted_path(context.home, name)
        before = await run_in_threadpool(read_refs, path)
    except BaseException:
        lock.release()
        raise
    server_url = str(request.base_url).rstrip("/")

    async def pushed(code: int) -> None:
        try:
            after = await run_in_threadpool(read_refs, path)
            updates = ref_updates(name, principal.name, before, after)
            if updates:
                # A job token's push starts no run (as on GitHub); listeners still hear it.
                starts = principal.permissions is None
                await run_in_threadpool(fire_pushed, context, updates, server_url, starts)
        except Exception:
            log.exception("push events failed repository=%s", name)
        finally:
            lock.release()

    return await _backend(context, request, name, principal, pushed)


async def _backend(
    context: ServerContext,
    request: Request,
    name: str,
    principal: Principal,
    after: Callable[[int], Awaitable[None]] | None = None,
) -> Response:
    try:
        process = await CgiProcess.start(
            ["git", "http-backend"], _environment(context, request, principal), request.stream()
        )
    except (CgiFailed, OSError) as failed:
        log.warning("git http-backend failed repository=%s error=%r", name, str(failed)[:500])
        if after is not None:
            await after(-1)
        return PlainTextResponse("git failed on the server", 500)
    return CgiResponse(process, after)


def _environment(context: ServerContext, request: Request, principal: Principal) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(hosted_root(context.home)),
        "GIT_PROJECT_ROOT": str(hosted_root(context.home)),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": request.url.path,
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.url.query,
        "REMOTE_USER": principal.name,
        "REMOTE_ADDR": request.client.host if request.client else "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    for header, variable in PASSED_HEADERS.items():
        if header in request.headers:
            env[variable] = request.headers[header]
    return env


def _push_lock(request: Request, name: str) -> asyncio.Lock:
    locks: dict[str, asyncio.Lock] | None = getattr(request.app.state, "git_push_locks", None)
    if locks is None:
        locks = request.app.state.git_push_locks = {}
    return locks.setdefault(name, asyncio.Lock())
