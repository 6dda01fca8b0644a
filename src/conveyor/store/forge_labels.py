"""Labels of the local forge: the repository's (name, colour, description) and those on each
issue. Adding a label by a name the repository lacks creates it (colour `ededed`), as GitHub."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from conveyor.errors import UsageError
from conveyor.store.database import Database
from conveyor.store.forge_issues import issue_labels, label_record
from conveyor.store.forge_models import ForgeIssueLabelRow, ForgeLabelRow
from conveyor.store.forge_records import LabelRecord
from conveyor.store.rows import now

Label, Link = ForgeLabelRow, ForgeIssueLabelRow
DEFAULT_COLOR = "ededed"


class ForgeLabels:
    def __init__(self, database: Database) -> None:
        self._database = database

    def listing(self, repository: str) -> list[LabelRecord]:
        query = select(Label).where(Label.c.repository == repository).order_by(Label.c.name)
        rows = self._database.run_read(lambda conn: conn.execute(query).all())
        return [label_record(row) for row in rows]

    def create(
        self, repository: str, name: str, color: str, description: str | None
    ) -> LabelRecord:
        def write(conn: Connection) -> LabelRecord:
            if _find(conn, repository, name) is not None:
                raise UsageError(f"label {name!r} already exists in {repository}")
            return _insert(conn, repository, name, color, description)

        return self._database.run_write(write)

    def for_issue(self, issue_id: int) -> list[LabelRecord]:
        return self._database.run_read(
            lambda conn: issue_labels(conn, [issue_id]).get(issue_id, [])
        )

    def add(self, issue_id: int, repository: str, names: Sequence[str]) -> list[LabelRecord]:
        """Put `names` on the issue (creating missing labels); all its labels after."""

        def write(conn: Connection) -> list[LabelRecord]:
            present = {label.id for label in issue_labels(conn, [issue_id]).get(issue_id, [])}
            for name in dict.fromkeys(names):
                label = _find(conn, repository, name) or _insert(conn, repository, name)
                if label.id not in present:
                    conn.execute(insert(Link).values(issue_id=issue_id, label_id=label.id))
                    present.add(label.id)
            return issue_labels(conn, [issue_id]).get(issue_id, [])

        return self._database.run_write(write)

    def set(self, issue_id: int, repository: str, names: Sequence[str]) -> list[LabelRecord]:
        self._database.run_write(
            lambda conn: conn.execute(delete(Link).where(Link.c.issue_id == issue_id))
        )
        return self.add(issue_id, repository, names)

    def remove(self, issue_id: int, repository: str, name: str) -> bool:
        def write(conn: Connection) -> bool:
            label = _find(conn, repository, name)
            if label is None:
                return False
            where = (Link.c.issue_id == issue_id) & (Link.c.label_id == label.id)
            return bool(conn.execute(delete(Link).where(where)).rowcount)

        return self._database.run_write(write)


def _find(conn: Connection, repository: str, name: str) -> LabelRecord | None:
    where = (Label.c.repository == repository) & (Label.c.name == name)
    row = conn.execute(select(Label).where(where)).first()
    return None if row is None else label_record(row)


def _insert(
    conn: Connection,
    repository: str,
    name: str,
    color: str = DEFAULT_COLOR,
    description: str | None = None,
) -> LabelRecord:
    values = {"repository": repository, "name": name, "color": color.lower()}
    new_id = conn.execute(
        insert(Label)
        .values(**values, description=description, created_at=now())
        .returning(Label.c.id)
    ).scalar_one()
    return LabelRecord(int(new_id), name, color.lower(), description)
