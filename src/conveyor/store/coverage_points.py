"""The coverage trend's points: one per `conveyor/coverage-gate` step that measured, kept per
repository and branch (`coverage_points`). No SQLAlchemy here: `conveyor run` records through
`lite_coverage.py`, the server reads through `coverage_trend.py`.

The executor marks the step (`StepResult.trend == COVERAGE_TREND`); the recorder turns its
outputs (`line-rate`, `branch-rate`, `diff-rate`: percentages, '' when not measured) and the
stored run (repository, ref, sha) into a `CoveragePoint`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from conveyor.engine.ports.run_history import StoredRun

COVERAGE_TREND = "coverage"
TREND_LIMIT = 30  # points shown by default (the web UI, the API)
MAX_TREND_LIMIT = 500


@dataclass(frozen=True, slots=True)
class CoveragePoint:
    repository: str
    branch: str
    sha: str | None
    run_id: int
    line_rate: float | None  # percent
    branch_rate: float | None
    diff_rate: float | None
    recorded_at: float  # epoch seconds


class CoverageTrend(Protocol):
    def record(self, point: CoveragePoint) -> None: ...

    def recent(self, repository: str, branch: str, limit: int = TREND_LIMIT) -> list[CoveragePoint]:
        """The branch's last `limit` points, oldest first."""


def branch_of(ref: str | None) -> str:
    """`refs/heads/main` → `main`; another ref (a tag, a pull request's) as it is."""
    if not ref:
        return ""
    return ref.removeprefix("refs/heads/")


def coverage_point(run: StoredRun, outputs: Mapping[str, str]) -> CoveragePoint | None:
    """The point a coverage-gate step's outputs make; None when it measured nothing."""
    names = ("line-rate", "branch-rate", "diff-rate")
    line, branch, diff = (_rate(outputs.get(name)) for name in names)
    if line is None and branch is None and diff is None:
        return None
    return CoveragePoint(
        run.repository, branch_of(run.ref), run.sha, run.id, line, branch, diff, time.time()
    )


def _rate(text: str | None) -> float | None:
    try:
        return float(text) if text and text.strip() else None
    except ValueError:
        return None
