"""The worker API (`conveyor serve --broker`; docs/workers.md): `conveyor worker` processes
register, claim jobs and report them; `GET /api/v1/workers` lists them.

Registering and claiming need a worker token (`conveyor tokens create --role worker`; an admin
token works too, as before there was a worker role) — the worker's `--token`; everything about one
job needs that job's per-job token, returned once by the claim: a wrong token, or one whose
lease expired (its job was given to another worker), is 401 and changes nothing. Without a
broker every route here is 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from conveyor.engine.ports.workers import WorkerCoordinator
from conveyor.server.api.runs import Context
from conveyor.server.auth import ANONYMOUS, CHALLENGE, bearer, principal, require
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Principal, Role

router = APIRouter(prefix="/api/v1", tags=["workers"], responses=ERRORS)
Reader = Annotated[object, Depends(require(Role.READ))]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
WORKER_ROLES = (Role.WORKER, Role.ADMIN)


def worker_token(
    credentials: Credentials, ctx: Annotated[ServerContext, Depends(context)]
) -> Principal:
    """A worker's token (role worker) or an admin's; 401 without a valid one, else 403."""
    found = principal(credentials, ctx)
    if found is None or found is ANONYMOUS:
        raise HTTPException(401, "a valid API token is required", headers=CHALLENGE)
    if found.role not in WORKER_ROLES:
        raise HTTPException(
            403, f"this needs a worker or admin token; {found.name} has {found.role.name.lower()}"
        )
    return found


WorkerToken = Annotated[Principal, Depends(worker_token)]  # the worker endpoints' token
Name = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")]
Label = Annotated[str, Field(min_length=1, max_length=100)]
JobId = Annotated[int, Field(ge=1, lt=2**63)]


class Registration(BaseModel):
    name: Name
    labels: list[Label] = Field(min_length=1, max_length=10)
    capacity: int = Field(ge=1, le=1024)


class WorkerBeat(BaseModel):
    busy: int = Field(ge=0)
    draining: bool = False


class ClaimRequest(BaseModel):
    worker: Name


class JobBeat(BaseModel):
    renew: bool = True


class Events(BaseModel):
    offset: int = Field(ge=0)
    events: list[dict[str, Any]] = Field(max_length=5000)


class ResultBody(BaseModel):
    result: dict[str, Any]


class Worker(BaseModel):
    name: str
    labels: list[str]
    capacity: int
    busy: int
    state: str
    last_heartbeat: float


def _hub(ctx: Context) -> WorkerCoordinator:
    if ctx.workers is None:
        raise HTTPException(404, "this server has no broker: start it with --broker")
    return ctx.workers


def _job_token(credentials: Credentials) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "the job's token is required", headers=CHALLENGE)
    return credentials.credentials


Hub = Annotated[WorkerCoordinator, Depends(_hub)]
JobToken = Annotated[str, Depends(_job_token)]


def held_or_401(value: Any) -> Any:
    """`value`, unless it says the token holds no lease (None, False): then 401."""
    if value is None or value is False:
        raise HTTPException(401, "this token holds no lease on the job", headers=CHALLENGE)
    return value


@router.post("/workers")
def register(body: Registration, _: WorkerToken, hub: Hub) -> dict[str, Any]:
    """A worker is online: where the broker is, the heartbeat and lease seconds."""
    return dict(hub.register(body.name, body.labels, body.capacity))


@router.post("/workers/{name}/heartbeat")
def worker_heartbeat(name: str, body: WorkerBeat, _: WorkerToken, hub: Hub) -> dict[str, bool]:
    if not hub.worker_heartbeat(name, body.busy, body.draining):
        raise HTTPException(404, f"there is no worker {name!r}")
    return {"ok": True}


@router.delete("/workers/{name}")
def deregister(name: str, _: WorkerToken, hub: Hub) -> dict[str, bool]:
    if not hub.deregister(name):
        raise HTTPException(404, f"there is no worker {name!r}")
    return {"ok": True}


@router.get("/workers", response_model=list[Worker])
def list_workers(_: Reader, hub: Hub) -> list[Worker]:
    """The workers online: labels, capacity, busy slots, last heartbeat (epoch seconds)."""
    return [_worker(w) for w in hub.workers()]


def _worker(info: Any) -> Worker:
    return Worker(
        name=info.name,
        labels=list(info.labels),
        capacity=info.capacity,
        busy=info.busy,
        state=info.state,
        last_heartbeat=info.last_heartbeat,
    )


@router.post("/worker-jobs/{job_id}/claim")
def claim(job_id: int, body: ClaimRequest, _: WorkerToken, hub: Hub) -> dict[str, Any]:
    """The job's per-job token and lease; 409 when it is not queued (taken, ended)."""
    grant = hub.claim(job_id, body.worker) if 0 < job_id < 2**63 else None
    if grant is None:
        raise HTTPException(409, f"job {job_id} is not waiting for a worker")
    return {
        "token": grant.token,
        "attempt": grant.attempt,
        "heartbeat": grant.heartbeat,
        "lease": grant.lease,
    }


@router.get("/worker-jobs/{job_id}/document")
def document(job_id: int, token: JobToken, hub: Hub) -> dict[str, Any]:
    return dict(held_or_401(hub.document(job_id, token)))


@router.get("/worker-jobs/{job_id}/secrets")
def secrets(job_id: int, token: JobToken, hub: Hub) -> dict[str, Any]:
    return dict(held_or_401(hub.secrets(job_id, token)))


@router.post("/worker-jobs/{job_id}/heartbeat")
def job_heartbeat(job_id: int, body: JobBeat, token: JobToken, hub: Hub) -> dict[str, bool]:
    """Renews the lease (`renew`); `cancel`: the job is to stop."""
    cancel = hub.heartbeat(job_id, token, body.renew)
    if cancel is None:
        held_or_401(None)
    return {"cancel": bool(cancel)}


@router.post("/worker-jobs/{job_id}/events")
def events(job_id: int, body: Events, token: JobToken, hub: Hub) -> dict[str, int]:
    """Steps, log lines and annotations numbered from `offset`; `next`: the offset expected."""
    return {"next": held_or_401(hub.events(job_id, token, body.offset, body.events))}


@router.post("/worker-jobs/{job_id}/result")
def result(job_id: int, body: ResultBody, token: JobToken, hub: Hub) -> dict[str, bool]:
    held_or_401(hub.result(job_id, token, body.result))
    return {"ok": True}
