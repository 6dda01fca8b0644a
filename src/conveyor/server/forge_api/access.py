"""Who may call the local forge's API: `Authorization: token T` or `Bearer T` (or Basic with
the token as password, as git and `gh` send it) with a conveyor token. Reads need the read role,
writes the write role; a job's token (its `permissions` set) also needs the endpoint's GitHub
scope (issues, pull-requests, contents, statuses, checks) at read or write."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.forge_api.errors import github_error
from conveyor.server.principals import Principal, Role

ANONYMOUS = Principal("anonymous", Role.READ)
_LEVELS = {"none": 0, "read": 1, "write": 2}
_FORBIDDEN = "Resource not accessible by integration"


def token_of(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme in ("token", "bearer") and value:
        return value
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def _principal(request: Request, ctx: ServerContext) -> Principal:
    header = request.headers.get("authorization")
    if header is None and ctx.anonymous_read:
        return ANONYMOUS
    token = token_of(header) if header is not None else None
    found = ctx.tokens.verify(token) if token is not None else None
    if found is None:
        message = "Requires authentication" if header is None else "Bad credentials"
        raise github_error(401, message)
    return found


def allowed(who: Principal, scopes: tuple[str, ...], level: str, repository: str) -> bool:
    """A user's token by its role; a job's token by its scopes, on its own repository only."""
    if who.permissions is None:
        return who.role >= (Role.WRITE if level == "write" else Role.READ)
    if who.repository is not None and who.repository != repository:
        return False
    if level == "read" and "metadata" in scopes:
        return True  # every job token may read the repository's metadata, as on GitHub
    given = (_LEVELS.get(who.permissions.get(scope, "none"), 0) for scope in scopes)
    return max(given, default=0) >= _LEVELS[level]


def caller(level: str, *scopes: str) -> Callable[..., Principal]:
    """A dependency admitting a principal with `level` (read, write) on one of `scopes`."""

    def admitted(request: Request, ctx: Annotated[ServerContext, Depends(context)]) -> Principal:
        who = _principal(request, ctx)
        params = request.path_params
        if not allowed(who, scopes, level, f"{params.get('owner')}/{params.get('repo')}"):
            status = 401 if who is ANONYMOUS else 403
            raise github_error(status, "Requires authentication" if status == 401 else _FORBIDDEN)
        return who

    return admitted
