"""`GET /api/v1/repos/{owner}/{repo}/coverage?branch=main&limit=30`: the branch's coverage trend,
one point per `conveyor/coverage-gate` step that measured, oldest first (read role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from conveyor.server.api.schemas import iso
from conveyor.server.auth import require
from conveyor.server.context import ServerContext
from conveyor.server.coverage_lookup import branch_or_default, coverage_points
from conveyor.server.dependencies import context
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Role
from conveyor.store.coverage_points import MAX_TREND_LIMIT, TREND_LIMIT, CoveragePoint

router = APIRouter(prefix="/api/v1/repos/{owner}/{repo}", tags=["coverage"], responses=ERRORS)
Reader = Annotated[object, Depends(require(Role.READ))]
Context = Annotated[ServerContext, Depends(context)]
Part = Annotated[str, Path(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9._-]+$")]
Branch = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=1024,
        description="The branch (default: the repository's default branch, else main).",
    ),
]


class Point(BaseModel):
    run_id: int
    branch: str
    sha: str | None
    line_rate: float | None  # percent; null when not measured
    branch_rate: float | None
    diff_rate: float | None
    recorded_at: str | None

    @classmethod
    def of(cls, point: CoveragePoint) -> Point:
        return cls(
            run_id=point.run_id,
            branch=point.branch,
            sha=point.sha,
            line_rate=point.line_rate,
            branch_rate=point.branch_rate,
            diff_rate=point.diff_rate,
            recorded_at=iso(point.recorded_at),
        )


class CoverageTrendBody(BaseModel):
    repo: str
    branch: str
    points: list[Point]


@router.get("/coverage", response_model=CoverageTrendBody)
def coverage_trend(
    owner: Part,
    repo: Part,
    _: Reader,
    ctx: Context,
    branch: Branch = None,
    limit: Annotated[int, Query(ge=1, le=MAX_TREND_LIMIT)] = TREND_LIMIT,
) -> CoverageTrendBody:
    """The branch's last `limit` coverage-gate results, oldest first (rates in percent)."""
    name = f"{owner}/{repo}"
    wanted = branch_or_default(ctx, name, branch)
    points = coverage_points(ctx, name, wanted, limit)
    return CoverageTrendBody(repo=name, branch=wanted, points=[Point.of(p) for p in points])
