"""Comments on the local forge's issues and pull requests, oldest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from conveyor.store.database import Database
from conveyor.store.forge_models import ForgeCommentRow, ForgeIssueRow
from conveyor.store.forge_records import CommentRecord, Page
from conveyor.store.rows import now

Row, Issue = ForgeCommentRow, ForgeIssueRow
_COLUMNS = (Row, Issue.c.number, Issue.c.repository)


class ForgeComments:
    def __init__(self, database: Database) -> None:
        self._database = database

    def create(self, issue_id: int, author: str, body: str) -> CommentRecord:
        moment = now()

        def write(conn: Connection) -> CommentRecord:
            values = {
                "issue_id": issue_id, "author": author, "body": body, "created_at": moment,
                "updated_at": moment,
            }  # fmt: skip
            new_id = conn.execute(insert(Row).values(**values).returning(Row.c.id)).scalar_one()
            conn.execute(update(Issue).where(Issue.c.id == issue_id).values(updated_at=moment))
            return _one(conn, Row.c.id == new_id)

        return self._database.run_write(write)

    def listing(self, issue_id: int, *, offset: int, limit: int) -> Page[CommentRecord]:
        return self._database.run_read(lambda conn: _page(conn, issue_id, offset, limit))

    def of_issue(
        self, repository: str, number: int, *, offset: int, limit: int
    ) -> Page[CommentRecord] | None:
        """The comments of issue `number` (one read: the API's hot path); None: no such issue."""

        def read(conn: Connection) -> Page[CommentRecord] | None:
            where = (Issue.c.repository == repository) & (Issue.c.number == number)
            issue_id = conn.execute(select(Issue.c.id).where(where)).scalar()
            return None if issue_id is None else _page(conn, issue_id, offset, limit)

        return self._database.run_read(read)

    def get(self, repository: str, comment_id: int) -> CommentRecord | None:
        where = (Row.c.id == comment_id) & (Issue.c.repository == repository)
        row = self._database.run_read(lambda conn: conn.execute(_select(where)).first())
        return None if row is None else _record(row)

    def update(self, comment_id: int, body: str) -> CommentRecord | None:
        def write(conn: Connection) -> CommentRecord | None:
            changed = update(Row).where(Row.c.id == comment_id).values(body=body, updated_at=now())
            if not conn.execute(changed).rowcount:
                return None
            return _one(conn, Row.c.id == comment_id)

        return self._database.run_write(write)

    def delete(self, comment_id: int) -> bool:
        result = self._database.run_write(
            lambda conn: conn.execute(delete(Row).where(Row.c.id == comment_id))
        )
        return bool(result.rowcount)


def _page(conn: Connection, issue_id: int, offset: int, limit: int) -> Page[CommentRecord]:
    where = Row.c.issue_id == issue_id
    total = conn.execute(select(func.count()).select_from(Row).where(where)).scalar_one()
    query = _select(where).order_by(Row.c.id).offset(offset).limit(limit)
    return Page([_record(row) for row in conn.execute(query).all()], int(total))


def _select(where: Any) -> Any:
    return select(*_COLUMNS).join(Issue, Issue.c.id == Row.c.issue_id).where(where)


def _one(conn: Connection, where: Any) -> CommentRecord:
    return _record(conn.execute(_select(where)).one())


def _record(row: Any) -> CommentRecord:
    return CommentRecord(
        id=row.id,
        issue_id=row.issue_id,
        issue_number=row.number,
        repository=row.repository,
        author=row.author,
        body=row.body,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
