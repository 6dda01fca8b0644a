"""`POST /webhooks/github`: GitHub's deliveries start runs.

The answer: 202 with the run ids created; 200 when the event fires nothing (each workflow's
reason), for `ping`, and for a delivery id taken before (its run ids, nothing new); 401 for a
missing or bad signature; 400 for a malformed body or missing fields; 404 for a repository that
is not registered; 413 over 25 MB; 422 for an event GitHub would refuse (a dispatch's bad
input); 503 when git or the database fails (GitHub may redeliver). Nothing is queued on any
error: the runs are recorded last, with the delivery, in one transaction (the starter's).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from conveyor.engine.ports.server_runs import EventRequest, StartedRuns
from conveyor.errors import ConveyorError, UsageError
from conveyor.server.context import ServerContext
from conveyor.server.errors import ErrorBody
from conveyor.server.webhook_events import (
    MAX_BODY,
    ZERO_SHA,
    BadDelivery,
    Headers,
    addressed_repository,
    check_signature,
    event_target,
    parse_body,
    read_headers,
)

router = APIRouter()
log = logging.getLogger("conveyor.server")


WEBHOOK_ANSWERS: dict[int | str, dict[str, object]] = {
    200: {"description": "nothing fired (the reasons), a ping, or a delivery seen before"},
    202: {"description": "the run ids the delivery queued"},
    **{
        status: {"model": ErrorBody, "description": description}
        for status, description in (
            (400, "malformed JSON or a missing field"),
            (401, "a missing or bad signature"),
            (404, "an unknown repository"),
            (413, "a payload over 25 MB"),
            (422, "an event GitHub would refuse"),
            (503, "git or the database failed: GitHub retries"),
        )
    },
}


@router.post("/webhooks/github", tags=["webhooks"], status_code=202, responses=WEBHOOK_ANSWERS)
async def github_webhook(request: Request) -> JSONResponse:
    context = request.app.state.context
    assert isinstance(context, ServerContext)
    try:
        body = await _body(request)
        answer = await run_in_threadpool(_deliver, context, dict(request.headers), body)
    except BadDelivery as refused:
        log.info("webhook refused status=%d reason=%r", refused.status, refused.message)
        return JSONResponse({"message": refused.message}, status_code=refused.status)
    return answer


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BadDelivery(413, "the payload is over 25 MB")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BadDelivery(413, "the payload is over 25 MB")
        chunks.append(chunk)
    return b"".join(chunks)


def _deliver(context: ServerContext, headers: Mapping[str, str], body: bytes) -> JSONResponse:
    found = read_headers(headers)
    payload = parse_body(body)
    name = addressed_repository(found.event, payload)
    if name is None:  # an organization's hook's ping: nothing to verify it with, nothing to do
        return JSONResponse({"message": "pong", "run_ids": []}, status_code=200)
    registered = context.served().with_secret(name)
    if registered is None:
        raise BadDelivery(404, f"repository {name} is not registered")
    repository, secret = registered
    check_signature(secret, body, headers.get("x-hub-signature-256"))
    if found.event == "ping":
        return JSONResponse({"message": "pong", "run_ids": []}, status_code=200)
    target = event_target(found.event, payload, repository.default_branch)
    if target.sha == ZERO_SHA:
        return _answer(found, StartedRuns(not_fired={"*": "the ref was deleted"}))
    event = EventRequest(name, found.event, payload, target.ref, target.sha, found.delivery)
    try:
        started = context.starter.start(event)
    except UsageError as error:  # GitHub refuses it too (a dispatch's bad input): 422
        raise BadDelivery(422, str(error)) from None
    except ConveyorError as error:  # git or the database failed: worth a redelivery
        raise BadDelivery(503, str(error)) from None
    return _answer(found, started)


def _answer(headers: Headers, started: StartedRuns) -> JSONResponse:
    status = 202 if started.run_ids and not started.duplicate else 200
    log.info(
        "webhook event=%s delivery=%s status=%d runs=%s",
        headers.event,
        headers.delivery,
        status,
        ",".join(map(str, started.run_ids)) or "-",
    )
    content = {
        "run_ids": list(started.run_ids),
        "not_fired": dict(started.not_fired),
        "duplicate": started.duplicate,
    }
    return JSONResponse(content, status_code=status)
