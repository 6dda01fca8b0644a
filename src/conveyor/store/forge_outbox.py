"""`SqlForgeOutbox`: the server's retry queue of reports to a forge (`forge_reports`).

`put` queues a report under its key (a check run's external id, a commit status's sha and
context); a report already waiting under that key is replaced (coalesced: only the newest state
of a check needs to reach the forge) and keeps its place and its wait. `due` lists what may be
sent now, oldest first; `sent` deletes a row only if no newer report replaced it meanwhile;
`later` makes it wait (a rate limit, an outage)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from conveyor.store.database import Database
from conveyor.store.models import ForgeCheckIdRow
from conveyor.store.models import ForgeReportRow as Row
from conveyor.store.rows import upsert


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    key: str
    kind: str
    payload: str
    version: int
    attempts: int


@dataclass(frozen=True, slots=True)
class SqlForgeOutbox:
    database: Database

    def put(self, key: str, kind: str, payload: str, *, now: float) -> None:
        values = {
            "key": key,
            "kind": kind,
            "payload": payload,
            "version": 1,
            "attempts": 0,
            "not_before": now,
            "created_at": now,
        }
        with self.database.write() as conn:
            statement = upsert(conn.dialect.name, Row).values(**values)
            replaced = {"payload": payload, "kind": kind, "version": Row.c.version + 1}
            conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_=replaced))

    def due(self, *, now: float, limit: int = 100) -> list[OutboxEntry]:
        query = (
            select(Row.c.id, Row.c.key, Row.c.kind, Row.c.payload, Row.c.version, Row.c.attempts)
            .where(Row.c.not_before <= now)
            .order_by(Row.c.id)
            .limit(limit)
        )
        with self.database.read() as conn:
            return [OutboxEntry(*row) for row in conn.execute(query)]

    def sent(self, entry: OutboxEntry) -> None:
        """Done with `entry`: deleted, unless a newer report replaced it since it was read."""
        with self.database.write() as conn:
            conn.execute(delete(Row).where(Row.c.id == entry.id, Row.c.version == entry.version))

    def later(self, entry: OutboxEntry, *, not_before: float, reason: str) -> None:
        changes = {
            "not_before": not_before,
            "attempts": Row.c.attempts + 1,
            "last_error": reason[:255],
        }
        with self.database.write() as conn:
            conn.execute(update(Row).where(Row.c.id == entry.id).values(**changes))

    def next_due(self) -> float | None:
        with self.database.read() as conn:
            found = conn.execute(select(func.min(Row.c.not_before))).scalar()
        return None if found is None else float(found)

    def count(self) -> int:
        with self.database.read() as conn:
            return int(conn.execute(select(func.count()).select_from(Row)).scalar() or 0)


@dataclass(frozen=True, slots=True)
class SqlCheckRunIds:
    """The check run id GitHub gave each external id (`forge_check_ids`)."""

    database: Database

    def get(self, external_id: str) -> int | None:
        query = select(ForgeCheckIdRow.c.check_run_id).where(
            ForgeCheckIdRow.c.external_id == external_id
        )
        with self.database.read() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else int(found)

    def put(self, external_id: str, check_run_id: int) -> None:
        values = {
            "external_id": external_id,
            "check_run_id": check_run_id,
            "created_at": time.time(),
        }
        with self.database.write() as conn:
            statement = upsert(conn.dialect.name, ForgeCheckIdRow).values(**values)
            changed = {"check_run_id": check_run_id}
            conn.execute(
                statement.on_conflict_do_update(index_elements=["external_id"], set_=changed)
            )
