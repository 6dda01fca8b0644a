"""`/repos/{owner}/{repo}/issues`: list, create, get and update issues (pull requests are
issues too, as on GitHub: listed here with their `pull_request` link)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from conveyor.server.forge_api import pull_actions
from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import (
    JsonBody,
    answer,
    choice,
    fields_of,
    names,
    required_text,
    text,
)
from conveyor.server.forge_api.errors import not_found
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.forge_api.paging import Paging, link_header, paging
from conveyor.server.forge_api.shapes import issue
from conveyor.server.principals import Principal
from conveyor.store.forge_records import IssueChanges, IssueRecord

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
ISSUES = "/api/v3/repos/{owner}/{repo}/issues"
SCOPES = ("issues", "pull-requests")
Reader = Annotated[Principal, Depends(caller("read", *SCOPES))]
Writer = Annotated[Principal, Depends(caller("write", "issues"))]
Repo = Annotated[Hosted, Depends(hosted)]


def find(repo: Hosted, number: int) -> IssueRecord:
    found = repo.data.issues.get(repo.name, number)
    if found is None:
        raise not_found()
    return found


def shown(repo: Hosted, found: IssueRecord) -> dict[str, object]:
    merged_at = None
    if found.is_pull:
        pull = repo.data.pulls.get(repo.name, found.number)
        merged_at = pull.merged_at if pull is not None else None
    return issue(repo, found, merged_at=merged_at)


@router.get(ISSUES)
def list_issues(
    request: Request, who: Reader, repo: Repo, page: Annotated[Paging, Depends(paging)]
) -> JSONResponse:
    query = request.query_params
    state = query.get("state", "open")
    labels = [name.strip() for name in query.get("labels", "").split(",") if name.strip()]
    found = repo.data.issues.listing(
        repo.name, state=state if state in ("open", "closed", "all") else "open",
        offset=page.offset, limit=page.per_page, labels=labels,
        ascending=query.get("direction") == "asc",
    )  # fmt: skip
    body = [shown(repo, each) for each in found.items]
    return answer(body, headers=link_header(request, page, found.total))


@router.post(ISSUES)
def create_issue(who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    given = fields_of(body, "Issue")
    title = required_text(given, "title", "Issue")
    made = repo.data.issues.create(repo.name, title, text(given, "body", "Issue"), who.name)
    if given.get("labels"):
        repo.data.labels.add(made.id, repo.name, names(given["labels"], "Issue"))
        made = find(repo, made.number)
    url = f"{repo.api}/issues/{made.number}"
    return answer(issue(repo, made), 201, {"Location": url})


@router.get(ISSUES + "/{number}")
def get_issue(number: int, who: Reader, repo: Repo) -> JSONResponse:
    return answer(shown(repo, find(repo, number)))


@router.patch(ISSUES + "/{number}")
def update_issue(number: int, who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    given = fields_of(body, "Issue")
    before = find(repo, number)
    changes = IssueChanges(
        title=text(given, "title", "Issue"),
        body=text(given, "body", "Issue"),
        state=choice(given, "state", "Issue", ("open", "closed")),
        state_reason=choice(
            given, "state_reason", "Issue", ("completed", "not_planned", "reopened")
        ),
    )
    pull_actions.refuse_reopening_merged(repo, before, changes.state)
    after = repo.data.issues.update(repo.name, number, changes, actor=who.name)
    if "labels" in given:
        repo.data.labels.set(after.id, repo.name, names(given["labels"], "Issue"))
        after = find(repo, number)
    if after.is_pull:
        pull_actions.issue_changed(repo, before, after, who.name)
    return answer(shown(repo, after))
