"""FastAPI dependencies shared by the server's routers."""

from __future__ import annotations

from fastapi import Request

from conveyor.server.context import ServerContext


def context(request: Request) -> ServerContext:
    """The application's ServerContext (`Depends(context)`)."""
    found = request.app.state.context
    assert isinstance(found, ServerContext)
    return found
