"""`require(Role.X)`: the dependency every API endpoint declares (docs/api.md).

`Authorization: Bearer <token>` is checked by the context's `TokenVerifier`: no or an unknown
token is 401 (with `WWW-Authenticate: Bearer`), a token whose role is below the endpoint's is 403.
With `anonymous_read` on, a request without a token may do what a read token may.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.principals import Principal, Role

bearer = HTTPBearer(auto_error=False, description="An API token (`conveyor tokens create`).")
ANONYMOUS = Principal("anonymous", Role.READ)
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def principal(
    credentials: HTTPAuthorizationCredentials | None, ctx: ServerContext
) -> Principal | None:
    """Who sent the request: the token's principal, the anonymous reader, or None."""
    if credentials is None:
        return ANONYMOUS if ctx.anonymous_read else None
    if credentials.scheme.lower() != "bearer":
        return None
    return person(ctx.tokens.verify(credentials.credentials))


def person(found: Principal | None) -> Principal | None:
    """`found` when it is a person's (or a bot's) token; None for a job's `GITHUB_TOKEN`, which
    opens the local forge's API of its repository and never conveyor's own API or pages."""
    return None if found is None or found.permissions is not None else found


def require(role: Role) -> Callable[..., Principal]:
    """A dependency that lets in a principal holding at least `role`, and returns it."""

    def allowed(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        ctx: Annotated[ServerContext, Depends(context)],
    ) -> Principal:
        found = principal(credentials, ctx)
        if found is None or (found is ANONYMOUS and role > Role.READ):
            raise HTTPException(401, "a valid API token is required", headers=CHALLENGE)
        if found.role < role:
            needed = role.name.lower()
            raise HTTPException(
                403, f"this needs a {needed} token; {found.name} has {found.role.name.lower()}"
            )
        return found

    return allowed
