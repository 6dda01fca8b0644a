"""Pull requests of the local forge: an issue (same number sequence) plus its `forge_pulls` row
(head and base branches and commits, draft, merge facts)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from conveyor.store.database import Database
from conveyor.store.forge_issues import hydrate, insert_issue, write_numbered
from conveyor.store.forge_models import ForgeIssueRow, ForgePullRow
from conveyor.store.forge_records import NewPull, Page, PullChanges, PullRecord
from conveyor.store.rows import now

Issue, Pull = ForgeIssueRow, ForgePullRow


class ForgePulls:
    def __init__(self, database: Database) -> None:
        self._database = database

    def create(self, repository: str, new: NewPull) -> PullRecord:
        def write(conn: Connection) -> int:
            issue_id = insert_issue(conn, repository, new.title, new.body, new.author, is_pull=True)
            conn.execute(
                insert(Pull).values(
                    issue_id=issue_id,
                    head_ref=new.head_ref,
                    head_sha=new.head_sha,
                    base_ref=new.base_ref,
                    base_sha=new.base_sha,
                    draft=new.draft,
                )
            )
            return issue_id

        issue_id = write_numbered(self._database, write)
        found = self._database.run_read(lambda conn: _pulls(conn, Issue.c.id == issue_id))
        return found[0]

    def get(self, repository: str, number: int) -> PullRecord | None:
        where = (Issue.c.repository == repository) & (Issue.c.number == number)
        found = self._database.run_read(lambda conn: _pulls(conn, where))
        return found[0] if found else None

    def listing(
        self, repository: str, *, state: str, offset: int, limit: int, head: str | None = None,
        base: str | None = None,
    ) -> Page[PullRecord]:  # fmt: skip
        where = Issue.c.repository == repository
        if state != "all":
            where &= Issue.c.state == state
        if head is not None:
            where &= Pull.c.head_ref == head
        if base is not None:
            where &= Pull.c.base_ref == base

        def read(conn: Connection) -> Page[PullRecord]:
            counted = select(func.count()).select_from(
                Issue.join(Pull, Pull.c.issue_id == Issue.c.id)
            )
            total = conn.execute(counted.where(where)).scalar_one()
            return Page(_pulls(conn, where, offset=offset, limit=limit), int(total))

        return self._database.run_read(read)

    def open_with_head(self, repository: str, head_ref: str) -> list[PullRecord]:
        where = (
            (Issue.c.repository == repository)
            & (Issue.c.state == "open")
            & (Pull.c.head_ref == head_ref)
        )
        return self._database.run_read(lambda conn: _pulls(conn, where))

    def update(self, issue_id: int, changes: PullChanges) -> None:
        values = {
            f.name: getattr(changes, f.name)
            for f in fields(changes)
            if getattr(changes, f.name) is not None
        }
        if not values:
            return

        def write(conn: Connection) -> None:
            conn.execute(update(Pull).where(Pull.c.issue_id == issue_id).values(**values))
            conn.execute(update(Issue).where(Issue.c.id == issue_id).values(updated_at=now()))

        self._database.run_write(write)


def _pulls(
    conn: Connection, where: Any, *, offset: int = 0, limit: int | None = None
) -> list[PullRecord]:
    query = (
        select(Issue, Pull.c.issue_id.label("pull_issue_id"))
        .join(Pull, Pull.c.issue_id == Issue.c.id)
        .where(where)
        .order_by(Issue.c.number.desc())
        .offset(offset)
        .limit(limit)
    )
    issues = hydrate(conn, conn.execute(query).all())
    if not issues:
        return []
    rows = conn.execute(select(Pull).where(Pull.c.issue_id.in_([i.id for i in issues]))).all()
    by_issue = {row.issue_id: row for row in rows}
    return [_record(issue, by_issue[issue.id]) for issue in issues]


def _record(issue: Any, row: Any) -> PullRecord:
    return PullRecord(
        issue=issue,
        head_ref=row.head_ref,
        head_sha=row.head_sha,
        base_ref=row.base_ref,
        base_sha=row.base_sha,
        draft=bool(row.draft),
        merged_at=row.merged_at,
        merged_by=row.merged_by,
        merge_commit_sha=row.merge_commit_sha,
    )
