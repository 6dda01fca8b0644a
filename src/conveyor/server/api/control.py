"""Acting on runs (write tokens): cancel, re-run (all jobs, the failed ones, one job) through the
context's RunControl, and approving or rejecting a waiting deployment (the store's review rules:
only a required reviewer, never self-review where the environment forbids it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException
from pydantic import BaseModel, Field

from conveyor.engine.ports.store import ACTIVE_STATUSES
from conveyor.errors import ConveyorError, NotFound, ReviewRefused
from conveyor.server.api.runs import Context, Reader
from conveyor.server.api.schemas import Approval, ApprovalList, Cancelled, Rerun
from conveyor.server.auth import require
from conveyor.server.context import ServerContext
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Principal, Role
from conveyor.server.run_lookup import job_id_of, run_or_404
from conveyor.store.review import decide

router = APIRouter(prefix="/api/v1", tags=["control"], responses=ERRORS)
Writer = Annotated[Principal, Depends(require(Role.WRITE))]


class RerunRequest(BaseModel):
    job: str | None = Field(default=None, min_length=1, max_length=1024)


class Review(BaseModel):
    comment: str | None = Field(default=None, max_length=65_536)


@router.post("/runs/{run_id}/cancel", response_model=Cancelled, status_code=202)
def cancel_run(run_id: int, _: Writer, ctx: Context) -> Cancelled:
    """Ask a running run to stop (its `always()` steps still run); 409 once it has ended."""
    run = run_or_404(ctx, run_id)
    if run.status not in ACTIVE_STATUSES or not ctx.control.cancel(run_id):
        raise HTTPException(409, f"run {run_id} already completed")
    return Cancelled(run_id=run_id, cancelled=True)


@router.post("/runs/{run_id}/rerun", response_model=Rerun, status_code=201)
def rerun(
    run_id: int, _: Writer, ctx: Context, body: Annotated[RerunRequest | None, Body()] = None
) -> Rerun:
    """A new attempt of every job, or of `job` (and what needs it). `job` is a job's id or one
    of its instances (a matrix leg, e.g. `test (3.11)`): the whole job runs again."""
    job = body.job if body is not None else None
    if job is not None:
        job = job_id_of(ctx, run_id, job)
    return start_rerun(ctx, run_id, failed_only=False, job=job)


@router.post("/runs/{run_id}/rerun-failed-jobs", response_model=Rerun, status_code=201)
def rerun_failed(run_id: int, _: Writer, ctx: Context) -> Rerun:
    """A new attempt of the failed and cancelled jobs (and the jobs that need them)."""
    return start_rerun(ctx, run_id, failed_only=True, job=None)


def start_rerun(ctx: ServerContext, run_id: int, *, failed_only: bool, job: str | None) -> Rerun:
    run = run_or_404(ctx, run_id)
    if run.status in ACTIVE_STATUSES:
        raise HTTPException(409, f"run {run_id} is still {run.status}: cancel it or wait")
    try:
        new_id = ctx.control.rerun(run_id, failed_only=failed_only, job=job)
    except ConveyorError as exc:
        raise HTTPException(409, str(exc)) from exc
    return Rerun(run_id=new_id, attempt_of=run_id)


@router.get("/runs/{run_id}/approvals", response_model=ApprovalList)
def list_approvals(run_id: int, _: Reader, ctx: Context) -> ApprovalList:
    run_or_404(ctx, run_id)
    records = ctx.store.environments.list_approvals(run_id)
    return ApprovalList(approvals=[Approval.of(record) for record in records])


@router.post("/runs/{run_id}/approvals/{environment}/approve", response_model=Approval)
def approve(
    run_id: int, environment: str, who: Writer, ctx: Context, body: Review | None = None
) -> Approval:
    """Approve as the token's name (403 if not a required reviewer, or self-review)."""
    return review(ctx, run_id, environment, who, body, approve=True)


@router.post("/runs/{run_id}/approvals/{environment}/reject", response_model=Approval)
def reject(
    run_id: int, environment: str, who: Writer, ctx: Context, body: Review | None = None
) -> Approval:
    """Reject as the token's name: the waiting jobs fail."""
    return review(ctx, run_id, environment, who, body, approve=False)


def review(
    ctx: ServerContext,
    run_id: int,
    environment: str,
    who: Principal,
    body: Review | None,
    *,
    approve: bool,
) -> Approval:
    run_or_404(ctx, run_id)
    comment = body.comment if body is not None else None
    try:
        decided = decide(
            ctx.store, run_id, environment, approve=approve, reviewer=who.name, comment=comment
        )
    except ReviewRefused as exc:
        raise HTTPException(403, str(exc)) from exc
    except NotFound as exc:
        raise HTTPException(409, str(exc)) from exc
    return Approval.of(decided)
