"""Commit statuses and check runs of the local forge, by repository and commit (newest first)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, insert, select, update

from conveyor.store.database import Database
from conveyor.store.forge_models import ForgeCheckRunRow, ForgeStatusRow
from conveyor.store.forge_records import Annotation, CheckRunFields, CheckRunRecord, StatusRecord
from conveyor.store.rows import now

Status, Check = ForgeStatusRow, ForgeCheckRunRow
_SCALARS = (
    "status", "conclusion", "external_id", "details_url", "title", "summary", "text",
    "started_at", "completed_at", "name",
)  # fmt: skip


class ForgeChecks:
    def __init__(self, database: Database) -> None:
        self._database = database

    def add_status(
        self, repository: str, sha: str, state: str, context: str, description: str | None,
        target_url: str | None, creator: str,
    ) -> StatusRecord:  # fmt: skip
        values = {
            "repository": repository, "sha": sha, "state": state, "context": context,
            "description": description, "target_url": target_url, "creator": creator,
            "created_at": now(),
        }  # fmt: skip
        status_id = self._database.run_write(
            lambda conn: conn.execute(
                insert(Status).values(**values).returning(Status.c.id)
            ).scalar_one()
        )
        return StatusRecord(id=int(status_id), **values)  # type: ignore[arg-type]

    def statuses(self, repository: str, sha: str) -> list[StatusRecord]:
        where = (Status.c.repository == repository) & (Status.c.sha == sha)
        query = select(Status).where(where).order_by(Status.c.id.desc())
        rows = self._database.run_read(lambda conn: conn.execute(query).all())
        return [StatusRecord(**row._asdict()) for row in rows]

    def create_run(
        self, repository: str, head_sha: str, name: str, given: CheckRunFields
    ) -> CheckRunRecord:
        values = _values(given, [])
        values.update(repository=repository, head_sha=head_sha, name=name, created_at=now())
        values.setdefault("status", "queued")
        _settle_times(values, None)

        def write(conn: Connection) -> CheckRunRecord:
            run_id = conn.execute(insert(Check).values(**values).returning(Check.c.id)).scalar_one()
            return _record(conn.execute(select(Check).where(Check.c.id == run_id)).one())

        return self._database.run_write(write)

    def update_run(
        self, repository: str, run_id: int, given: CheckRunFields
    ) -> CheckRunRecord | None:
        def write(conn: Connection) -> CheckRunRecord | None:
            where = (Check.c.repository == repository) & (Check.c.id == run_id)
            row = conn.execute(select(Check).where(where)).first()
            if row is None:
                return None
            values = _values(given, json.loads(row.annotations))
            _settle_times(values, row)
            conn.execute(update(Check).where(Check.c.id == run_id).values(**values))
            return _record(conn.execute(select(Check).where(Check.c.id == run_id)).one())

        return self._database.run_write(write)

    def run(self, repository: str, run_id: int) -> CheckRunRecord | None:
        where = (Check.c.repository == repository) & (Check.c.id == run_id)
        row = self._database.run_read(lambda conn: conn.execute(select(Check).where(where)).first())
        return None if row is None else _record(row)

    def by_external_id(self, repository: str, head_sha: str, external_id: str) -> int | None:
        where = (
            (Check.c.repository == repository)
            & (Check.c.head_sha == head_sha)
            & (Check.c.external_id == external_id)
        )
        query = select(Check.c.id).where(where).order_by(Check.c.id.desc())
        return self._database.run_read(lambda conn: conn.execute(query).scalar())

    def runs(self, repository: str, head_sha: str) -> list[CheckRunRecord]:
        where = (Check.c.repository == repository) & (Check.c.head_sha == head_sha)
        query = select(Check).where(where).order_by(Check.c.id.desc())
        return [_record(row) for row in self._database.run_read(lambda c: c.execute(query).all())]


def _values(given: CheckRunFields, annotations: list[dict[str, Any]]) -> dict[str, Any]:
    values = {name: getattr(given, name) for name in _SCALARS if getattr(given, name) is not None}
    if given.annotations or not annotations:
        values["annotations"] = json.dumps(annotations + [asdict(a) for a in given.annotations])
    return values


def _settle_times(values: dict[str, Any], row: Any) -> None:
    """A check run gets its start when it first leaves `queued`, its end when it completes (or
    is given a conclusion, which completes it)."""
    if values.get("conclusion") is not None:
        values["status"] = "completed"
    status = values.get("status", row.status if row is not None else "queued")
    started = row.started_at if row is not None else None
    if status != "queued" and started is None:
        values.setdefault("started_at", now())
    if status == "completed":
        values.setdefault("completed_at", now())


def _record(row: Any) -> CheckRunRecord:
    annotations = tuple(Annotation(**item) for item in json.loads(row.annotations))
    return CheckRunRecord(
        id=row.id,
        repository=row.repository,
        head_sha=row.head_sha,
        name=row.name,
        external_id=row.external_id,
        status=row.status,
        conclusion=row.conclusion,
        details_url=row.details_url,
        title=row.title,
        summary=row.summary,
        text=row.text,
        annotations=annotations,
        started_at=row.started_at,
        completed_at=row.completed_at,
    )
