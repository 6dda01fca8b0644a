"""`LiteCoverageTrend`: the coverage trend (`coverage_points`) through stdlib sqlite3, for
`conveyor run` (no SQLAlchemy on its path); `coverage_trend.SqlCoverageTrend` is the server's."""

from __future__ import annotations

import sqlite3

from conveyor.store.coverage_points import TREND_LIMIT, CoveragePoint
from conveyor.store.lite_database import LiteDatabase

_FIELDS = CoveragePoint.__slots__
_INSERT = (
    f"INSERT INTO coverage_points ({', '.join(_FIELDS)}) VALUES ({', '.join('?' for _ in _FIELDS)})"
)
_RECENT = (
    f"SELECT {', '.join(_FIELDS)} FROM coverage_points WHERE repository = ? AND branch = ? "
    "ORDER BY id DESC LIMIT ?"
)


class LiteCoverageTrend:
    def __init__(self, database: LiteDatabase) -> None:
        self.database = database

    def record(self, point: CoveragePoint) -> None:
        values = tuple(getattr(point, name) for name in _FIELDS)
        self.database.run_write(lambda conn: conn.execute(_INSERT, values))

    def recent(self, repository: str, branch: str, limit: int = TREND_LIMIT) -> list[CoveragePoint]:
        def fetch(conn: sqlite3.Connection) -> list[CoveragePoint]:
            rows = conn.execute(_RECENT, (repository, branch, limit)).fetchall()
            return [CoveragePoint(**vars(row)) for row in reversed(rows)]

        return self.database.run_read(fetch)
