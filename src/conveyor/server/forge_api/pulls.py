"""Pull requests: list, create, get, update (title, body, state, base), list files, and merge
(`PUT .../merge`: merge commit, squash, or rebase — a fast-forward when possible; 405 when it
cannot be merged, 409 when `sha` is not the head)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from conveyor.git.file_changes import file_changes
from conveyor.server.forge_api import pull_actions
from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import JsonBody, answer, choice, fields_of, text
from conveyor.server.forge_api.commits import diff_entry
from conveyor.server.forge_api.errors import not_found, validation_failed
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.forge_api.paging import Paging, link_header, paging
from conveyor.server.forge_api.pull_events import pull_facts
from conveyor.server.forge_api.pull_merging import merge_request
from conveyor.server.forge_api.pull_opening import new_pull
from conveyor.server.forge_api.pull_shapes import full, simple
from conveyor.server.principals import Principal
from conveyor.store.forge_records import IssueChanges, PullChanges, PullRecord

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
PULLS = "/api/v3/repos/{owner}/{repo}/pulls"
Reader = Annotated[Principal, Depends(caller("read", "pull-requests"))]
Writer = Annotated[Principal, Depends(caller("write", "pull-requests"))]
Merger = Annotated[Principal, Depends(caller("write", "contents"))]
Repo = Annotated[Hosted, Depends(hosted)]
R = "PullRequest"


def find(repo: Hosted, number: int) -> PullRecord:
    found = repo.data.pulls.get(repo.name, number)
    if found is None:
        raise not_found()
    return found


def shown(repo: Hosted, pull: PullRecord) -> dict[str, object]:
    return full(repo, pull, pull_facts(repo.git(), pull))


@router.get(PULLS)
def list_pulls(
    request: Request, who: Reader, repo: Repo, page: Annotated[Paging, Depends(paging)]
) -> JSONResponse:
    query = request.query_params
    state = query.get("state", "open")
    head = query.get("head")
    found = repo.data.pulls.listing(
        repo.name, state=state if state in ("open", "closed", "all") else "open",
        offset=page.offset, limit=page.per_page,
        head=head.split(":", 1)[-1] if head else None, base=query.get("base"),
    )  # fmt: skip
    body = [simple(repo, each) for each in found.items]
    return answer(body, headers=link_header(request, page, found.total))


@router.post(PULLS)
def create_pull(who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    made = new_pull(repo, fields_of(body, R), who.name)
    pull_actions.opened(repo, made, who.name)
    made = pull_actions.reload(repo, made)
    url = f"{repo.api}/pulls/{made.issue.number}"
    return answer(shown(repo, made), 201, {"Location": url})


@router.get(PULLS + "/{number}")
def get_pull(number: int, who: Reader, repo: Repo) -> JSONResponse:
    return answer(shown(repo, find(repo, number)))


@router.patch(PULLS + "/{number}")
def update_pull(number: int, who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    given = fields_of(body, R)
    before = find(repo, number)
    changes = IssueChanges(
        title=text(given, "title", R),
        body=text(given, "body", R),
        state=choice(given, "state", R, ("open", "closed")),
    )
    pull_actions.refuse_reopening_merged(repo, before.issue, changes.state)
    after = repo.data.issues.update(repo.name, number, changes, actor=who.name)
    base = text(given, "base", R)
    if base is not None and base != before.base_ref:
        base_sha = repo.git().find_commit(f"refs/heads/{base}")
        if base_sha is None:
            raise validation_failed(R, "base", "invalid")
        repo.data.pulls.update(after.id, PullChanges(base_ref=base, base_sha=base_sha))
        pull_actions.base_changed(repo, find(repo, number), before.base_ref, who.name)
    pull_actions.issue_changed(repo, before.issue, after, who.name)
    return answer(shown(repo, find(repo, number)))


@router.get(PULLS + "/{number}/files")
def list_files(
    number: int, request: Request, who: Reader, repo: Repo,
    page: Annotated[Paging, Depends(paging)],
) -> JSONResponse:  # fmt: skip
    pull = find(repo, number)
    git = repo.git()
    since = git.merge_base(pull.base_sha, pull.head_sha) or pull.base_sha
    changes = file_changes(git, since, pull.head_sha)
    shown_files = [diff_entry(repo, c) for c in changes[page.offset : page.offset + page.per_page]]
    return answer(shown_files, headers=link_header(request, page, len(changes)))


@router.get(PULLS + "/{number}/merge")
def is_merged(number: int, who: Reader, repo: Repo) -> Response:
    if find(repo, number).merged_at is None:
        raise not_found()
    return Response(status_code=204)


@router.put(PULLS + "/{number}/merge")
def merge_pull(number: int, who: Merger, repo: Repo, body: JsonBody = None) -> JSONResponse:
    pull = find(repo, number)
    return answer(merge_request(repo, pull, fields_of(body, R), who.name))
