"""Issue comments: list and create on an issue (or pull request), get, update and delete one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import JsonBody, answer, fields_of, required_text
from conveyor.server.forge_api.errors import not_found
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.forge_api.issues import ISSUES, SCOPES, find
from conveyor.server.forge_api.paging import Paging, link_header, paging
from conveyor.server.forge_api.shapes import comment
from conveyor.server.principals import Principal
from conveyor.store.forge_records import CommentRecord

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
COMMENT = ISSUES + "/comments/{comment_id}"
Reader = Annotated[Principal, Depends(caller("read", *SCOPES))]
Writer = Annotated[Principal, Depends(caller("write", *SCOPES))]
Repo = Annotated[Hosted, Depends(hosted)]


def _body(body: object) -> str:
    return required_text(fields_of(body, "IssueComment"), "body", "IssueComment")


def _comment(repo: Hosted, comment_id: int) -> CommentRecord:
    found = repo.data.comments.get(repo.name, comment_id)
    if found is None:
        raise not_found()
    return found


@router.get(ISSUES + "/{number}/comments")
def list_comments(
    number: int, request: Request, who: Reader, repo: Repo,
    page: Annotated[Paging, Depends(paging)],
) -> JSONResponse:  # fmt: skip
    found = repo.data.comments.of_issue(repo.name, number, offset=page.offset, limit=page.per_page)
    if found is None:
        raise not_found()
    body = [comment(repo, each) for each in found.items]
    return answer(body, headers=link_header(request, page, found.total))


@router.post(ISSUES + "/{number}/comments")
def create_comment(number: int, who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    made = repo.data.comments.create(find(repo, number).id, who.name, _body(body))
    url = f"{repo.api}/issues/comments/{made.id}"
    return answer(comment(repo, made), 201, {"Location": url})


@router.get(COMMENT)
def get_comment(comment_id: int, who: Reader, repo: Repo) -> JSONResponse:
    return answer(comment(repo, _comment(repo, comment_id)))


@router.patch(COMMENT)
def update_comment(comment_id: int, who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    _comment(repo, comment_id)
    changed = repo.data.comments.update(comment_id, _body(body))
    if changed is None:
        raise not_found()
    return answer(comment(repo, changed))


@router.delete(COMMENT)
def delete_comment(comment_id: int, who: Writer, repo: Repo) -> Response:
    _comment(repo, comment_id)
    if not repo.data.comments.delete(comment_id):
        raise not_found()
    return Response(status_code=204)
