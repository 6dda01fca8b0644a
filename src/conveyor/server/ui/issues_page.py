"""The local forge's issues in the web UI, at GitHub's addresses (the API's `html_url`):
`GET /{owner}/{repo}/issues` (open, closed or all; pull requests have their own list) and
`GET /{owner}/{repo}/issues/{n}` (title, Markdown body sanitised as step summaries are, state,
labels in their colours, comments); a pull request's number goes to its page, as on GitHub.
Writers (CSRF checked) comment."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.ui.forge_pages import PAGE, Form, Looker, Repo, Writer, window
from conveyor.server.ui.pull_view import MAX_COMMENTS, labels
from conveyor.server.ui.summaries import render_summary
from conveyor.server.ui.templating import render
from conveyor.store.forge_records import IssueRecord

router = APIRouter(include_in_schema=False)


def _issue(repo: Hosted, number: int) -> IssueRecord:
    found = repo.data.issues.get(repo.name, number)
    if found is None:
        raise HTTPException(404, f"{repo.name} has no issue #{number}")
    return found


@router.get("/{owner}/{repo}/issues", response_class=HTMLResponse)
def issues_page(who: Looker, repo: Repo, state: str = "open", page: int = 1) -> str:
    state, page = window(state, page)
    found = repo.data.issues.listing(
        repo.name, state=state, offset=(page - 1) * PAGE, limit=PAGE, pulls=False
    )
    return render("issues.html", viewer=who, repo=repo.name, issues=found.items, state=state,
                  page=page, more=found.total > page * PAGE, labels=labels)  # fmt: skip


@router.get("/{owner}/{repo}/issues/{number}", response_class=HTMLResponse, response_model=None)
def issue_page(who: Looker, repo: Repo, number: int) -> str | Response:
    issue = _issue(repo, number)
    if issue.is_pull:
        return RedirectResponse(f"/{repo.name}/pull/{number}", status_code=302)
    comments = repo.data.comments.listing(issue.id, offset=0, limit=MAX_COMMENTS).items
    return render("issue.html", viewer=who, repo=repo.name, issue=issue, comments=comments,
                  labels=labels(issue.labels), markdown=render_summary)  # fmt: skip


@router.post("/{owner}/{repo}/issues/{number}/comments")
def comment(who: Writer, form: Form, repo: Repo, number: int) -> Response:
    issue = _issue(repo, number)
    body = form.get("body", "").strip()
    if body:
        repo.data.comments.create(issue.id, who.name, body)
    return RedirectResponse(f"/{repo.name}/issues/{number}", status_code=303)
