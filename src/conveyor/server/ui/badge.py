"""`GET /badge/{owner}/{repo}/{workflow}.svg?branch=main`: a public status badge — the latest
completed run of that workflow (its file name or `name:`) on that branch (any branch without
`?branch`): passing, failing, cancelled, or "no runs"."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from conveyor.engine.ports.store import Conclusion, RunQuery, RunStatus
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.ui.templating import branch as branch_of

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]
_WORDS = {
    Conclusion.SUCCESS: ("passing", "#1f883d"),
    Conclusion.FAILURE: ("failing", "#cf222e"),
    Conclusion.CANCELLED: ("cancelled", "#6e7781"),
}
_CHAR_WIDTH, _PAD = 6.6, 10


def badge_message(
    ctx: ServerContext, repository: str, workflow: str, branch: str | None
) -> tuple[str, str]:
    runs = ctx.store.runs.list_runs(
        RunQuery(
            workflow=workflow, status=str(RunStatus.COMPLETED), repository=repository, limit=200
        )
    )
    for run in runs:
        if branch is None or branch_of(run.ref) == branch:
            return _WORDS.get(run.conclusion or Conclusion.FAILURE, ("failing", "#cf222e"))
    return "no runs", "#8c959f"


def badge_svg(label: str, message: str, colour: str) -> str:
    left = int(len(label) * _CHAR_WIDTH + 2 * _PAD)
    right = int(len(message) * _CHAR_WIDTH + 2 * _PAD)
    label, message = escape(label), escape(message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" role="img" '
        f'aria-label="{label}: {message}"><title>{label}: {message}</title>'
        f'<rect width="{left}" height="20" rx="3" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" rx="3" fill="{colour}"/>'
        f'<rect x="{left}" width="4" height="20" fill="{colour}"/>'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2}" y="14" text-anchor="middle">{label}</text>'
        f'<text x="{left + right / 2}" y="14" text-anchor="middle">{message}</text></g></svg>'
    )


@router.get("/badge/{owner}/{repo}/{workflow}.svg")
def badge(
    ctx: Context, owner: str, repo: str, workflow: str, branch: str | None = None
) -> Response:
    message, colour = badge_message(ctx, f"{owner}/{repo}", workflow, branch or None)
    svg = badge_svg(workflow.removesuffix(".yml").removesuffix(".yaml"), message, colour)
    return Response(
        svg, media_type="image/svg+xml", headers={"Cache-Control": "no-cache, max-age=0"}
    )
