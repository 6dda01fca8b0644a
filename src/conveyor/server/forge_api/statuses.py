"""Commit statuses: create one on a commit, list a ref's, and the combined status of a ref."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import JsonBody, answer, choice, fields_of, text
from conveyor.server.forge_api.check_shapes import combined, status
from conveyor.server.forge_api.errors import validation_failed
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.forge_api.paging import Paging, link_header, paging
from conveyor.server.forge_api.refs import commit_of_ref, find_commit_of_ref
from conveyor.server.principals import Principal

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
REPOS = "/api/v3/repos/{owner}/{repo}"
Reader = Annotated[Principal, Depends(caller("read", "statuses"))]
Writer = Annotated[Principal, Depends(caller("write", "statuses"))]
Repo = Annotated[Hosted, Depends(hosted)]
STATES = ("error", "failure", "pending", "success")


@router.post(REPOS + "/statuses/{sha}")
def create_status(sha: str, who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    given = fields_of(body, "Status")
    state = choice(given, "state", "Status", STATES)
    if state is None:
        raise validation_failed("Status", "state")
    commit = find_commit_of_ref(repo, sha)
    if commit is None:  # GitHub: "No commit found for SHA"
        raise validation_failed("Status", "sha", "invalid")
    made = repo.data.checks.add_status(
        repo.name, commit, state, text(given, "context", "Status") or "default",
        text(given, "description", "Status"), text(given, "target_url", "Status"), who.name,
    )  # fmt: skip
    return answer(status(repo, made), 201, {"Location": f"{repo.api}/statuses/{made.sha}"})


@router.get(REPOS + "/commits/{ref:path}/statuses")
def list_statuses(
    ref: str, request: Request, who: Reader, repo: Repo,
    page: Annotated[Paging, Depends(paging)],
) -> JSONResponse:  # fmt: skip
    found = repo.data.checks.statuses(repo.name, commit_of_ref(repo, ref))
    shown = [status(repo, each) for each in found[page.offset : page.offset + page.per_page]]
    return answer(shown, headers=link_header(request, page, len(found)))


@router.get(REPOS + "/commits/{ref:path}/status")
def combined_status(ref: str, who: Reader, repo: Repo) -> JSONResponse:
    sha = commit_of_ref(repo, ref)
    return answer(combined(repo, sha, repo.data.checks.statuses(repo.name, sha)))
