"""The coverage trend the API and the web UI show: a repository's branch (by default the
registered repository's default branch, else `main`) and its last points."""

from __future__ import annotations

from conveyor.server.context import ServerContext
from conveyor.store.coverage_points import CoveragePoint
from conveyor.store.coverage_trend import SqlCoverageTrend


def branch_or_default(ctx: ServerContext, repository: str, branch: str | None) -> str:
    if branch:
        return branch
    served = ctx.served().get(repository)
    return served.default_branch if served is not None else "main"


def coverage_points(
    ctx: ServerContext, repository: str, branch: str, limit: int
) -> list[CoveragePoint]:
    trend = ctx.store.coverage or SqlCoverageTrend(ctx.store.database)  # type: ignore[arg-type]
    return trend.recent(repository, branch, limit)
