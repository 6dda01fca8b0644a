"""Login, logout and who is asking: `viewer` (pages), `writer` (buttons), `checked_form` (CSRF)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from conveyor.server.auth import person
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.principals import Principal, Role
from conveyor.server.ui import session as sessions
from conveyor.server.ui.templating import render

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]


@cache
def _key(home: Path) -> bytes:
    return sessions.session_key(home)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who looks at a page (principal None: anonymous read) and the CSRF token of their forms."""

    session: sessions.Session
    csrf: str
    principal: Principal | None

    @property
    def can_write(self) -> bool:
        return self.principal is not None and self.principal.role >= Role.WRITE


def current_session(request: Request, ctx: ServerContext) -> sessions.Session | None:
    return sessions.decode(request.cookies.get(sessions.COOKIE), _key(ctx.home), ctx.clock())


def viewer(request: Request, ctx: Context) -> Viewer:
    """The logged-in viewer; anonymous when the server allows anonymous read; else to login."""
    found = current_session(request, ctx)
    if found is not None and found.principal is not None:
        return Viewer(found, sessions.csrf_token(found, _key(ctx.home)), found.principal)
    if ctx.anonymous_read:
        anonymous = found or sessions.new_session(ctx.clock())
        return Viewer(anonymous, sessions.csrf_token(anonymous, _key(ctx.home)), None)
    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if request.headers.get("hx-request"):  # a live fragment: htmx loads the login page itself
        page = urlsplit(request.headers.get("hx-current-url", "/runs"))
        back = quote(page.path + (f"?{page.query}" if page.query else ""))
        raise HTTPException(401, "log in again", headers={"HX-Redirect": f"/login?next={back}"})
    raise HTTPException(303, headers={"Location": f"/login?next={target}"})


async def checked_form(request: Request, ctx: Context) -> dict[str, str]:
    """The POSTed form, after its CSRF token matched the session's (else 403)."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    found = current_session(request, ctx)
    given = form.get("csrf") or request.headers.get("x-csrf-token")
    if found is None or not sessions.csrf_valid(found, _key(ctx.home), given):
        raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page")
    return form


def writer(
    ctx: Context, form: Annotated[dict[str, str], Depends(checked_form)], request: Request
) -> Principal:
    """A POST of someone whose role may write (checked again here, not only by hiding buttons)."""
    found = current_session(request, ctx)
    principal = found.principal if found else None
    if principal is None or principal.role < Role.WRITE:
        raise HTTPException(403, "this needs a token with the write role")
    return principal


def set_session(
    response: Response, session: sessions.Session, ctx: ServerContext, request: Request
) -> None:
    response.set_cookie(
        sessions.COOKIE,
        sessions.encode(session, _key(ctx.home)),
        max_age=int(session.expires - ctx.clock()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",  # behind a TLS proxy: uvicorn --proxy-headers
        path="/",
    )


def _safe_next(target: str | None) -> str:
    """Only paths of this server (never `//host` or a URL) after logging in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/runs"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, ctx: Context, next: str | None = None) -> Response:
    found = current_session(request, ctx) or sessions.new_session(ctx.clock())
    return _login_form(request, ctx, found, _safe_next(next), None, 200)


def _login_form(
    request: Request,
    ctx: ServerContext,
    found: sessions.Session,
    target: str,
    error: str | None,
    status: int,
) -> Response:
    csrf = sessions.csrf_token(found, _key(ctx.home))
    page = render("login.html", csrf=csrf, next=target, error=error, viewer=None)
    response = HTMLResponse(page, status_code=status)
    set_session(response, found, ctx, request)
    return response


@router.post("/login")
def login(
    request: Request, ctx: Context, form: Annotated[dict[str, str], Depends(checked_form)]
) -> Response:
    principal = person(ctx.tokens.verify(form.get("token", "").strip()))
    target = _safe_next(form.get("next"))
    if principal is None or principal.role is Role.WORKER:  # a worker's token opens no page
        found = current_session(request, ctx) or sessions.new_session(ctx.clock())
        return _login_form(request, ctx, found, target, "That is not a valid token.", 401)
    response = RedirectResponse(target, status_code=303)
    set_session(response, sessions.new_session(ctx.clock(), principal), ctx, request)  # new sid
    return response


@router.post("/logout")
def logout(ctx: Context, form: Annotated[dict[str, str], Depends(checked_form)]) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax")
    return response
