"""`SqlCoverageTrend`: the coverage trend (`coverage_points`) through SQLAlchemy (the server,
`conveyor serve`'s runs); `lite_coverage.LiteCoverageTrend` is the same on `conveyor run`'s
stdlib-sqlite3 store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from conveyor.store.coverage_points import TREND_LIMIT, CoveragePoint
from conveyor.store.database import Database
from conveyor.store.models import CoveragePointRow

_FIELDS = CoveragePoint.__slots__


class SqlCoverageTrend:
    def __init__(self, database: Database) -> None:
        self.database = database

    def record(self, point: CoveragePoint) -> None:
        values = {name: getattr(point, name) for name in _FIELDS}
        self.database.run_write(lambda conn: conn.execute(insert(CoveragePointRow), values))

    def recent(self, repository: str, branch: str, limit: int = TREND_LIMIT) -> list[CoveragePoint]:
        table = CoveragePointRow
        query = (
            select(*(table.c[name] for name in _FIELDS))
            .where(table.c.repository == repository, table.c.branch == branch)
            .order_by(table.c.id.desc())
            .limit(limit)
        )
        rows = self.database.run_read(lambda conn: conn.execute(query).all())
        return [_point(row) for row in reversed(rows)]


def _point(row: Any) -> CoveragePoint:
    return CoveragePoint(*row)
