"""`GET /repos/{owner}/{repo}` and `GET /repos/{owner}/{repo}/compare/{base}...{head}` (the
commits and files between two commits of the hosted bare repository)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import answer
from conveyor.server.forge_api.commits import comparison
from conveyor.server.forge_api.errors import not_found
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.forge_api.shapes import repository
from conveyor.server.principals import Principal

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
REPOS = "/api/v3/repos/{owner}/{repo}"
Repo = Annotated[Hosted, Depends(hosted)]


@router.get(REPOS)
def get_repository(
    who: Annotated[Principal, Depends(caller("read", "metadata", "contents"))], repo: Repo
) -> JSONResponse:
    open_issues = repo.data.issues.listing(repo.name, state="open", offset=0, limit=0).total
    return answer(repository(repo, open_issues))


@router.get(REPOS + "/compare/{basehead}")
def compare(
    basehead: str,
    who: Annotated[Principal, Depends(caller("read", "contents"))],
    repo: Repo,
) -> JSONResponse:
    base, dots, head = basehead.partition("...")
    if not dots or not base or not head:
        raise not_found()
    return answer(comparison(repo, base, head))
