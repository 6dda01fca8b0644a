"""`SqlScheduleClaims`: a scheduler claims a cron tick by inserting its row (`schedule_ticks`).

The unique (repository, workflow, tick) key decides between schedulers sharing the database:
the insert that lands first wins, the others insert nothing (ON CONFLICT DO NOTHING) and do not
fire. The newest claimed tick of a workflow is where its next firing counts from.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, select

from conveyor.store.database import Database
from conveyor.store.models import ScheduleTickRow
from conveyor.store.rows import upsert


@dataclass(frozen=True, slots=True)
class SqlScheduleClaims:
    database: Database

    def claim(self, repository: str, workflow: str, tick: float, cron: str, owner: str) -> bool:
        """True when this caller is the one that fires `tick` (the row was not there yet)."""
        values = {
            "repository": repository,
            "workflow": workflow,
            "tick": tick,
            "cron": cron,
            "claimed_at": time.time(),
            "claimed_by": owner,
        }
        with self.database.write() as conn:
            statement = upsert(conn.dialect.name, ScheduleTickRow).values(**values)
            inserted = statement.on_conflict_do_nothing().returning(ScheduleTickRow.c.id)
            return conn.execute(inserted).scalar() is not None

    def last_tick(self, repository: str, workflow: str) -> float | None:
        """The newest tick claimed for the workflow, by any scheduler; None when none was."""
        query = select(func.max(ScheduleTickRow.c.tick)).where(
            ScheduleTickRow.c.repository == repository, ScheduleTickRow.c.workflow == workflow
        )
        with self.database.read() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else float(found)
