"""`GET /repositories`: the registered repositories, a hosted one with its clone URL; `POST
/repositories` (an admin, CSRF checked): create a hosted repository (`conveyor repos create`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conveyor.errors import UsageError
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.hosting import create_hosted, is_hosted
from conveyor.server.principals import Principal, Role
from conveyor.server.ui.auth import Viewer, checked_form, current_session, viewer
from conveyor.server.ui.templating import render

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]
Looker = Annotated[Viewer, Depends(viewer)]
Form = Annotated[dict[str, str], Depends(checked_form)]


def admin(ctx: Context, form: Form, request: Request) -> Principal:
    """A POST of an admin (checked here, not only by hiding the form)."""
    found = current_session(request, ctx)
    principal = found.principal if found else None
    if principal is None or principal.role < Role.ADMIN:
        raise HTTPException(403, "this needs a token with the admin role")
    return principal


@router.get("/repositories", response_class=HTMLResponse)
def repositories_page(ctx: Context, who: Looker, request: Request) -> str:
    base = str(request.base_url).rstrip("/")
    rows = [
        {"repository": r, "clone_url": f"{base}/{r.name}.git" if is_hosted(ctx.home, r) else None}
        for r in ctx.served().list()
    ]
    can_create = who.principal is not None and who.principal.role >= Role.ADMIN
    return render("repositories.html", viewer=who, rows=rows, can_create=can_create)


@router.post("/repositories")
def create_repository(
    ctx: Context, who: Annotated[Principal, Depends(admin)], form: Form
) -> Response:
    name = form.get("name", "").strip()
    branch = form.get("default_branch", "").strip() or "main"
    try:
        create_hosted(ctx.home, ctx.served(), name, branch)
    except UsageError as error:
        status = 409 if "already registered" in str(error) else 422
        page = render("error.html", viewer=None, message=str(error), back="/repositories")
        return HTMLResponse(page, status_code=status)
    return RedirectResponse("/repositories", status_code=303)
