"""`GET /environments[?repo=owner/repo]`: each repository's environments, their protection
rules and latest deployments (repositories: the one asked, or those with recent runs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from conveyor.engine.ports.store import RunQuery
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.ui.auth import Viewer, viewer
from conveyor.server.ui.templating import render

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]
Looker = Annotated[Viewer, Depends(viewer)]


def _repositories(ctx: ServerContext, repo: str | None) -> list[str]:
    if repo:
        return [repo]
    runs = ctx.store.runs.list_runs(RunQuery(limit=500))
    return sorted({run.repository for run in runs})


def _environments(ctx: ServerContext, repository: str) -> list[dict[str, Any]]:
    store = ctx.store.environments
    return [
        {"record": env, "deployments": store.list_deployments(repository, env.name, limit=10)}
        for env in store.list_environments(repository)
    ]


@router.get("/environments", response_class=HTMLResponse)
def environments_page(ctx: Context, who: Looker, repo: str | None = None) -> str:
    found = [(r, _environments(ctx, r)) for r in _repositories(ctx, repo)]
    return render("environments.html", viewer=who, repositories=found, repo=repo)
