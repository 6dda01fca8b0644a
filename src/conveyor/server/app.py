"""`create_app(context)`: the FastAPI application of `conveyor serve`.

Each part of the server is a module with an `APIRouter` named `router`, listed in `ROUTERS`
(health, webhooks, the REST API, the web UI); the context is `app.state.context`, read by
handlers through `conveyor.server.dependencies.context`.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter, FastAPI

from conveyor import __version__
from conveyor.server.context import ServerContext

ROUTERS: tuple[str, ...] = (
    "conveyor.server.health",
    "conveyor.server.webhooks",
    "conveyor.server.repos",
)


def create_app(context: ServerContext) -> FastAPI:
    app = FastAPI(title="conveyor", version=__version__, openapi_url="/openapi.json")
    app.state.context = context
    for module_name in ROUTERS:
        router = importlib.import_module(module_name).router
        assert isinstance(router, APIRouter)
        app.include_router(router)
    return app
