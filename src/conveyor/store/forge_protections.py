"""Branch protections of the local forge: per repository and branch, the status checks (check
run names or commit status contexts) a pull request's head must pass before it may be merged
into that branch; and `unmet_checks`, which says which of them a commit has not passed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from conveyor.store.database import Database
from conveyor.store.forge_models import ForgeBranchProtectionRow
from conveyor.store.forge_records import CheckRunRecord, StatusRecord
from conveyor.store.rows import now

Protection = ForgeBranchProtectionRow
PASSING = ("success", "neutral", "skipped")  # a check run's conclusions that pass


@dataclass(frozen=True, slots=True)
class BranchProtection:
    repository: str
    branch: str
    required_checks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnmetCheck:
    name: str
    state: str  # "expected" (absent, queued, running, pending) or "failing"


class BranchProtections:
    def __init__(self, database: Database) -> None:
        self._database = database

    def get(self, repository: str, branch: str) -> BranchProtection | None:
        where = (Protection.c.repository == repository) & (Protection.c.branch == branch)
        query = select(Protection.c.required_checks).where(where)
        found = self._database.run_read(lambda conn: conn.execute(query).scalar_one_or_none())
        if found is None:
            return None
        return BranchProtection(repository, branch, tuple(json.loads(found)))

    def protect(self, repository: str, branch: str, checks: Sequence[str]) -> BranchProtection:
        """Require `checks` on `branch` (replacing what it required)."""
        names = tuple(dict.fromkeys(name for name in checks if name))
        values = {"required_checks": json.dumps(list(names)), "updated_at": now()}

        def write(conn: Connection) -> None:
            where = (Protection.c.repository == repository) & (Protection.c.branch == branch)
            if conn.execute(update(Protection).where(where).values(**values)).rowcount == 0:
                conn.execute(insert(Protection).values(repository=repository, branch=branch,
                                                       **values))  # fmt: skip

        self._database.run_write(write)
        return BranchProtection(repository, branch, names)

    def unprotect(self, repository: str, branch: str) -> bool:
        where = (Protection.c.repository == repository) & (Protection.c.branch == branch)
        deleted = self._database.run_write(
            lambda conn: conn.execute(delete(Protection).where(where)).rowcount
        )
        return bool(deleted)


def unmet_checks(
    required: Sequence[str], runs: Sequence[CheckRunRecord], statuses: Sequence[StatusRecord]
) -> list[UnmetCheck]:
    """The required checks a commit has not passed: by the newest check run of that name, else
    the newest commit status of that context (`runs` and `statuses` newest first, as stored)."""
    unmet = []
    for name in required:
        state = _state(name, runs, statuses)
        if state != "success":
            unmet.append(UnmetCheck(name, "failing" if state == "failing" else "expected"))
    return unmet


def _state(name: str, runs: Sequence[CheckRunRecord], statuses: Sequence[StatusRecord]) -> str:
    run = next((one for one in runs if one.name == name), None)
    if run is not None:
        if run.status != "completed":
            return "expected"
        return "success" if run.conclusion in PASSING else "failing"
    status = next((one for one in statuses if one.context == name), None)
    if status is None or status.state == "pending":
        return "expected"
    return "success" if status.state == "success" else "failing"
