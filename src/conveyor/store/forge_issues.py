"""Issues of the local forge (and the issue half of each pull request): one number sequence per
repository, newest first in listings, each with its labels and its number of comments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, exc, func, insert, select, update

from conveyor.errors import NotFound, StoreError
from conveyor.store.database import Database
from conveyor.store.forge_models import (
    ForgeCommentRow,
    ForgeIssueLabelRow,
    ForgeIssueRow,
    ForgeLabelRow,
)
from conveyor.store.forge_records import IssueChanges, IssueRecord, LabelRecord, Page
from conveyor.store.rows import now

Row = ForgeIssueRow
T = TypeVar("T")


class ForgeIssues:
    def __init__(self, database: Database) -> None:
        self._database = database

    def create(
        self, repository: str, title: str, body: str | None, author: str, *, is_pull: bool = False
    ) -> IssueRecord:
        issue_id = write_numbered(
            self._database,
            lambda conn: insert_issue(conn, repository, title, body, author, is_pull=is_pull),
        )
        return self._database.run_read(lambda conn: _one(conn, Row.c.id == issue_id))

    def get(self, repository: str, number: int) -> IssueRecord | None:
        where = (Row.c.repository == repository) & (Row.c.number == number)
        return self._database.run_read(lambda conn: _first(conn, where))

    def by_id(self, issue_id: int) -> IssueRecord | None:
        return self._database.run_read(lambda conn: _first(conn, Row.c.id == issue_id))

    def listing(
        self,
        repository: str,
        *,
        state: str,
        offset: int,
        limit: int,
        pulls: bool | None = None,
        labels: Sequence[str] = (),
        ascending: bool = False,
    ) -> Page[IssueRecord]:
        """Issues in `state` (open, closed, all), newest first (`ascending`: oldest first) with
        every one of `labels`; `pulls` narrows to pull requests (True) or plain issues (False)."""
        where = Row.c.repository == repository
        if state != "all":
            where &= Row.c.state == state
        if pulls is not None:
            where &= Row.c.is_pull == pulls
        for name in labels:
            where &= Row.c.id.in_(_labelled(repository, name))
        order = Row.c.number.asc() if ascending else Row.c.number.desc()

        def read(conn: Connection) -> Page[IssueRecord]:
            total = conn.execute(select(func.count()).select_from(Row).where(where)).scalar_one()
            query = select(Row).where(where).order_by(order)
            rows = conn.execute(query.offset(offset).limit(limit)).all()
            return Page(hydrate(conn, rows), int(total))

        return self._database.run_read(read)

    def update(
        self, repository: str, number: int, changes: IssueChanges, *, actor: str
    ) -> IssueRecord:
        def write(conn: Connection) -> IssueRecord:
            found = _first(conn, (Row.c.repository == repository) & (Row.c.number == number))
            if found is None:
                raise NotFound(f"issue {repository}#{number} does not exist")
            values = changed_values(found, changes, actor)
            conn.execute(update(Row).where(Row.c.id == found.id).values(**values))
            return _one(conn, Row.c.id == found.id)

        return self._database.run_write(write)

    def touch(self, issue_id: int) -> None:
        self._database.run_write(
            lambda conn: conn.execute(
                update(Row).where(Row.c.id == issue_id).values(updated_at=now())
            )
        )


NUMBER_ATTEMPTS = 10


def write_numbered(database: Database, work: Callable[[Connection], T]) -> T:
    """Run `work`, which takes the repository's next number, again when a concurrent writer
    took that number first (PostgreSQL: both read the same highest number; the unique key
    refuses the second)."""
    for attempt in range(1, NUMBER_ATTEMPTS + 1):
        try:
            return database.run_write(work)
        except StoreError as error:
            if not isinstance(error.__cause__, exc.IntegrityError) or attempt == NUMBER_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _labelled(repository: str, name: str) -> Any:
    """The ids of the repository's issues labelled `name` (a subquery)."""
    link, label = ForgeIssueLabelRow, ForgeLabelRow
    named = (label.c.repository == repository) & (label.c.name == name)
    return select(link.c.issue_id).join(label, label.c.id == link.c.label_id).where(named)


def insert_issue(
    conn: Connection, repository: str, title: str, body: str | None, author: str, *, is_pull: bool
) -> int:
    """Insert the repository's next number (in the caller's write transaction); the row id.
    On PostgreSQL the writers of one repository's numbers take turns (a transaction-scoped
    advisory lock); SQLite's writers already do (`BEGIN IMMEDIATE`)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"forge_issues:{repository}")))
        )
    newest = conn.execute(
        select(func.max(Row.c.number)).where(Row.c.repository == repository)
    ).scalar_one()
    moment = now()
    new_id = conn.execute(
        insert(Row)
        .values(
            repository=repository,
            number=(newest or 0) + 1,
            is_pull=is_pull,
            title=title,
            body=body,
            state="open",
            author=author,
            locked=False,
            created_at=moment,
            updated_at=moment,
        )
        .returning(Row.c.id)
    ).scalar_one()
    return int(new_id)


def changed_values(found: IssueRecord, changes: IssueChanges, actor: str) -> dict[str, Any]:
    values: dict[str, Any] = {"updated_at": now()}
    for name in ("title", "body", "state_reason"):
        if getattr(changes, name) is not None:
            values[name] = getattr(changes, name)
    if changes.state is not None and changes.state != found.state:
        closing = changes.state == "closed"
        values.update(
            state=changes.state,
            closed_at=values["updated_at"] if closing else None,
            closed_by=actor if closing else None,
        )
        values.setdefault("state_reason", "completed" if closing else "reopened")
    return values


def _first(conn: Connection, where: Any) -> IssueRecord | None:
    rows = conn.execute(select(Row).where(where)).all()
    found = hydrate(conn, rows)
    return found[0] if found else None


def _one(conn: Connection, where: Any) -> IssueRecord:
    found = _first(conn, where)
    assert found is not None
    return found


def hydrate(conn: Connection, rows: Sequence[Any]) -> list[IssueRecord]:
    """Records of issue rows, with their labels and comment counts (two queries in all)."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    labels = issue_labels(conn, ids)
    counted = conn.execute(
        select(ForgeCommentRow.c.issue_id, func.count())
        .where(ForgeCommentRow.c.issue_id.in_(ids))
        .group_by(ForgeCommentRow.c.issue_id)
    ).all()
    counts = {issue_id: int(count) for issue_id, count in counted}
    return [_record(row, tuple(labels.get(row.id, ())), counts.get(row.id, 0)) for row in rows]


def issue_labels(conn: Connection, issue_ids: Sequence[int]) -> dict[int, list[LabelRecord]]:
    link, label = ForgeIssueLabelRow, ForgeLabelRow
    rows = conn.execute(
        select(link.c.issue_id, label)
        .join(label, label.c.id == link.c.label_id)
        .where(link.c.issue_id.in_(issue_ids))
        .order_by(label.c.name)
    ).all()
    found: dict[int, list[LabelRecord]] = {}
    for row in rows:
        found.setdefault(row.issue_id, []).append(label_record(row))
    return found


def label_record(row: Any) -> LabelRecord:
    return LabelRecord(row.id, row.name, row.color, row.description)


def _record(row: Any, labels: tuple[LabelRecord, ...], comments: int) -> IssueRecord:
    return IssueRecord(
        id=row.id,
        repository=row.repository,
        number=row.number,
        is_pull=bool(row.is_pull),
        title=row.title,
        body=row.body,
        state=row.state,
        state_reason=row.state_reason,
        author=row.author,
        locked=bool(row.locked),
        created_at=row.created_at,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        labels=labels,
        comments=comments,
    )
