"""The buttons: cancel, re-run (all, failed, one job), approve and reject. Each POST checks the
CSRF token and the write role again (`writer`), then goes back to the run page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conveyor.errors import UsageError
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.principals import Principal
from conveyor.server.run_lookup import job_id_of, run_or_404
from conveyor.server.ui.auth import checked_form, writer
from conveyor.server.ui.templating import render
from conveyor.store.review import decide

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]
Writer = Annotated[Principal, Depends(writer)]
Form = Annotated[dict[str, str], Depends(checked_form)]


def _back(run_id: int) -> RedirectResponse:
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.post("/runs/{run_id}/cancel")
def cancel(ctx: Context, who: Writer, run_id: int) -> RedirectResponse:
    run_or_404(ctx, run_id)
    ctx.control.cancel(run_id)
    return _back(run_id)


@router.post("/runs/{run_id}/rerun")
def rerun(ctx: Context, who: Writer, form: Form, run_id: int) -> RedirectResponse:
    run_or_404(ctx, run_id)
    job = form.get("job") or None
    if job is not None:
        job = job_id_of(ctx, run_id, str(job))
    ctx.control.rerun(run_id, failed_only=form.get("failed") == "1", job=job)
    return _back(run_id)


@router.post("/runs/{run_id}/approve")
def approve(ctx: Context, who: Writer, form: Form, run_id: int) -> Response:
    return _decide(ctx, who, form, run_id, approve=True)


@router.post("/runs/{run_id}/reject")
def reject(ctx: Context, who: Writer, form: Form, run_id: int) -> Response:
    return _decide(ctx, who, form, run_id, approve=False)


def _decide(
    ctx: ServerContext, who: Principal, form: dict[str, str], run_id: int, *, approve: bool
) -> Response:
    run_or_404(ctx, run_id)
    comment = form.get("comment", "").strip() or None
    try:
        decide(
            ctx.store, run_id, form.get("environment") or None,
            approve=approve, reviewer=who.name, comment=comment,
        )  # fmt: skip
    except UsageError as error:
        page = render("error.html", viewer=None, message=str(error), back=f"/runs/{run_id}")
        return HTMLResponse(page, status_code=403)
    return _back(run_id)
