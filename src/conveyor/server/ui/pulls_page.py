"""The local forge's pull requests in the web UI, at GitHub's addresses (the API's `html_url`):
`GET /{owner}/{repo}/pulls` (open, closed or all) and `GET /{owner}/{repo}/pull/{n}` (title,
Markdown body sanitised as step summaries are, state, branches, checks linking to the jobs'
pages, statuses, labels, comments). Writers (CSRF checked) comment, and merge through the
API's own path (`merge_request`): a required check that has not succeeded refuses it (405)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.forge_api.pull_merging import merge_request
from conveyor.server.ui.forge_pages import PAGE, Form, Looker, Repo, Writer, window
from conveyor.server.ui.pull_view import pull_view
from conveyor.server.ui.summaries import render_summary
from conveyor.server.ui.templating import render
from conveyor.store.forge_records import PullRecord

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]


def _pull(repo: Hosted, number: int) -> PullRecord:
    found = repo.data.pulls.get(repo.name, number)
    if found is None:
        raise HTTPException(404, f"{repo.name} has no pull request #{number}")
    return found


@router.get("/{owner}/{repo}/pulls", response_class=HTMLResponse)
def pulls_page(who: Looker, repo: Repo, state: str = "open", page: int = 1) -> str:
    state, page = window(state, page)
    found = repo.data.pulls.listing(repo.name, state=state, offset=(page - 1) * PAGE, limit=PAGE)
    more = found.total > page * PAGE
    return render("pulls.html", viewer=who, repo=repo.name, pulls=found.items, state=state,
                  page=page, more=more)  # fmt: skip


@router.get("/{owner}/{repo}/pull/{number}", response_class=HTMLResponse)
def pull_page(who: Looker, repo: Repo, number: int) -> str:
    view = pull_view(repo, _pull(repo, number))
    return render("pull.html", viewer=who, repo=repo.name, view=view, markdown=render_summary)


@router.get("/{owner}/{repo}/pull/{number}/live", response_class=HTMLResponse)
def pull_live(who: Looker, repo: Repo, number: int) -> str:
    """The checks and merge box alone (htmx refreshes them while a check runs)."""
    view = pull_view(repo, _pull(repo, number))
    return render("pull_live.html", viewer=who, repo=repo.name, view=view)


@router.post("/{owner}/{repo}/pull/{number}/comments")
def comment(who: Writer, form: Form, repo: Repo, number: int) -> Response:
    pull = _pull(repo, number)
    body = form.get("body", "").strip()
    if body:
        repo.data.comments.create(pull.issue.id, who.name, body)
    return RedirectResponse(f"/{repo.name}/pull/{number}", status_code=303)


@router.post("/{owner}/{repo}/pull/{number}/merge")
def merge(who: Writer, form: Form, repo: Repo, number: int, request: Request) -> Response:
    pull = _pull(repo, number)
    try:
        merge_request(repo, pull, {"merge_method": form.get("method") or "merge"}, who.name)
    except HTTPException as refused:
        detail: object = refused.detail
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
        back = f"/{repo.name}/pull/{number}"
        page = render("error.html", viewer=None, message=message or "not merged", back=back)
        return HTMLResponse(page, status_code=refused.status_code)
    return RedirectResponse(f"/{repo.name}/pull/{number}", status_code=303)
