"""`create_app(context)`: the FastAPI application of `conveyor serve`.

Each part of the server is a module with an `APIRouter` named `router`, listed in `ROUTERS`
(health, webhooks, the REST API, the web UI); `BACKGROUND` modules run beside it (the
scheduler); the context is `app.state.context`, read by handlers through
`conveyor.server.dependencies.context`.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from conveyor import __version__
from conveyor.server.context import ServerContext
from conveyor.server.errors import install_error_handlers

# Routes are matched in this order, router by router: the webhooks first, since GitHub's
# deliveries are the requests that come by the hundred a second (each router passed costs).
ROUTERS: tuple[str, ...] = (
    "conveyor.server.webhooks",
    "conveyor.server.health",
    "conveyor.server.metrics",
    "conveyor.server.api.runs",
    "conveyor.server.api.logs",
    "conveyor.server.api.artifacts",
    "conveyor.server.api.control",
    "conveyor.server.api.settings",
    "conveyor.server.api.tokens",
    "conveyor.server.api.coverage",
    "conveyor.server.api.workers",
    "conveyor.server.api.worker_git",
    "conveyor.server.api.worker_files",
    "conveyor.server.ui.auth",
    "conveyor.server.ui.assets",
    "conveyor.server.ui.badge",
    "conveyor.server.ui.runs_pages",
    "conveyor.server.ui.job_page",
    "conveyor.server.ui.log_stream",
    "conveyor.server.ui.actions",
    "conveyor.server.ui.environments_page",
    "conveyor.server.ui.repositories_page",
    "conveyor.server.ui.coverage_page",  # /{owner}/{repo}/coverage
    "conveyor.server.ui.pulls_page",  # /{owner}/{repo}/pulls, /{owner}/{repo}/pull/{n}
    "conveyor.server.ui.issues_page",  # /{owner}/{repo}/issues, /{owner}/{repo}/issues/{n}
    "conveyor.server.ui.releases_page",  # /{owner}/{repo}/releases, .../releases/tag/{tag}
    "conveyor.server.ui.workers_page",
    "conveyor.server.dispatch",
    "conveyor.server.schedules_api",
    "conveyor.server.repos",
    # the local forge's GitHub REST API subset (comments before issues: /issues/comments/{id})
    "conveyor.server.forge_api.repos",
    "conveyor.server.forge_api.comments",
    "conveyor.server.forge_api.issues",
    "conveyor.server.forge_api.labels",
    "conveyor.server.forge_api.pulls",
    "conveyor.server.forge_api.releases",
    "conveyor.server.forge_api.uploads",
    "conveyor.server.forge_api.statuses",
    "conveyor.server.forge_api.checks",
    "conveyor.server.forge_api.protection",
    "conveyor.server.git_http",  # /{owner}/{repo}.git/...: last, it matches widely
)

# Modules with `start(context) -> stop`: background work that lives as long as the app (the
# scheduler), started by the lifespan in this order and stopped in reverse.
BACKGROUND: tuple[str, ...] = ("conveyor.server.schedule_loop", "conveyor.server.forge_loop")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    stops: list[Callable[[], None]] = []
    try:
        for module_name in BACKGROUND:
            stops.append(importlib.import_module(module_name).start(app.state.context))
        yield
    finally:
        for stop in reversed(stops):
            stop()


def create_app(context: ServerContext) -> FastAPI:
    app = FastAPI(
        title="conveyor", version=__version__, openapi_url="/openapi.json", lifespan=lifespan
    )
    app.state.context = context
    install_error_handlers(app)
    for module_name in ROUTERS:
        router = importlib.import_module(module_name).router
        assert isinstance(router, APIRouter)
        app.include_router(router)
    return app
