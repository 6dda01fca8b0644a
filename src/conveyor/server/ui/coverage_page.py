"""`GET /{owner}/{repo}/coverage?branch=main`: the branch's coverage trend in the web UI — the
last points of `conveyor/coverage-gate` (a line chart and a table with the change from the point
before), linked from the repositories page. The API has the same at
`/api/v1/repos/{owner}/{repo}/coverage`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse

from conveyor.server.context import ServerContext
from conveyor.server.coverage_lookup import branch_or_default, coverage_points
from conveyor.server.dependencies import context
from conveyor.server.ui.auth import Viewer, viewer
from conveyor.server.ui.coverage_svg import coverage_chart
from conveyor.server.ui.templating import render
from conveyor.store.coverage_points import MAX_TREND_LIMIT, TREND_LIMIT, CoveragePoint

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]
Looker = Annotated[Viewer, Depends(viewer)]
Part = Annotated[str, Path(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9._-]+$")]


@dataclass(frozen=True, slots=True)
class PointRow:
    point: CoveragePoint
    line_delta: float | None  # the change of the line rate from the point before


def rows_of(points: Sequence[CoveragePoint]) -> list[PointRow]:
    """Newest first, each with its change from the point before it."""
    rows, before = [], None
    for point in points:
        delta = None
        if before is not None and point.line_rate is not None:
            delta = point.line_rate - before
        rows.append(PointRow(point, delta))
        before = point.line_rate if point.line_rate is not None else before
    return rows[::-1]


@router.get("/{owner}/{repo}/coverage", response_class=HTMLResponse)
def coverage_page(
    owner: Part,
    repo: Part,
    who: Looker,
    ctx: Context,
    branch: Annotated[str | None, Query(max_length=1024)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_TREND_LIMIT)] = TREND_LIMIT,
) -> str:
    name = f"{owner}/{repo}"
    wanted = branch_or_default(ctx, name, branch)
    points = coverage_points(ctx, name, wanted, limit)
    chart = coverage_chart(points)  # escaped numbers only: no user text in it
    return render(
        "coverage.html", viewer=who, repo=name, branch=wanted, rows=rows_of(points), chart=chart
    )
