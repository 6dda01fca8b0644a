"""`SqlEnvironmentStore`: environments with protection rules, approvals and deployment records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from conveyor.engine.ports.store import (
    ApprovalRecord,
    ApprovalState,
    DeploymentRecord,
    EnvironmentRecord,
    ProtectionRules,
)
from conveyor.errors import StoreError, UsageError
from conveyor.store.database import Database
from conveyor.store.lite_environments import (
    approval_record,
    deployment_record,
    environment_record,
    rule_values,
)
from conveyor.store.models import ApprovalRow, DeploymentRow, EnvironmentRow, RepositoryRow, RunRow
from conveyor.store.protection import check_environment_name, check_reviewer, check_rules
from conveyor.store.rows import now, repository_id
from conveyor.store.run_history import require_run


class SqlEnvironmentStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def declare_environment(
        self, repository: str, name: str, rules: ProtectionRules, source: str = "cli"
    ) -> EnvironmentRecord:
        check_environment_name(name)
        check_rules(rules)
        return self.database.run_write(lambda conn: _declare(conn, repository, name, rules, source))

    def ensure_environment(self, repository: str, name: str) -> EnvironmentRecord:
        """Referencing an environment that does not exist creates it, unprotected (GitHub)."""
        check_environment_name(name)
        return self.database.run_write(lambda conn: _ensure(conn, repository, name))

    def get_environment(self, repository: str, name: str) -> EnvironmentRecord | None:
        return self.database.run_read(lambda conn: _get(conn, repository, name))

    def list_environments(self, repository: str) -> list[EnvironmentRecord]:
        return self.database.run_read(lambda conn: _list(conn, repository))

    def delete_environment(self, repository: str, name: str) -> bool:
        return self.database.run_write(lambda conn: _delete(conn, repository, name))

    def request_approval(self, run_id: int, attempt: int, environment: str) -> ApprovalRecord:
        return self.database.run_write(
            lambda conn: _request_approval(conn, run_id, attempt, environment.lower())
        )

    def get_approval(self, run_id: int, attempt: int, environment: str) -> ApprovalRecord | None:
        return self.database.run_read(
            lambda conn: _approval(conn, run_id, attempt, environment.lower())
        )

    def list_approvals(self, run_id: int) -> list[ApprovalRecord]:
        return self.database.run_read(lambda conn: _approvals(conn, run_id))

    def decide_approval(
        self, run_id: int, environment: str, *, approve: bool, reviewer: str, comment: str | None
    ) -> ApprovalRecord:
        return self.database.run_write(
            lambda conn: _decide(conn, run_id, environment.lower(), approve, reviewer, comment),
            durable=True,
        )

    def record_deployment(
        self, run_id: int, attempt: int, instance_key: str, environment: str, status: str
    ) -> DeploymentRecord:
        return self.database.run_write(
            lambda conn: _record_deployment(
                conn, run_id, attempt, instance_key, environment, status
            )
        )

    def update_deployment(self, deployment_id: int, status: str, url: str | None = None) -> None:
        values: dict[str, object] = {"status": status, "updated_at": now()}
        if url is not None:
            values["url"] = url
        statement = (
            update(DeploymentRow).where(DeploymentRow.c.id == deployment_id).values(**values)
        )
        self.database.run_write(lambda conn: conn.execute(statement))

    def list_deployments(
        self, repository: str, environment: str, limit: int = 20
    ) -> list[DeploymentRecord]:
        return self.database.run_read(
            lambda conn: _deployments(conn, repository, environment.lower(), limit)
        )


def _get(conn: Connection, repository: str, name: str) -> EnvironmentRecord | None:
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return None
    row = conn.execute(
        select(EnvironmentRow).where(
            EnvironmentRow.c.repository_id == repo, EnvironmentRow.c.name == name.lower()
        )
    ).first()
    return None if row is None else environment_record(row, repository)


def _declare(
    conn: Connection, repository: str, name: str, rules: ProtectionRules, source: str
) -> EnvironmentRecord:
    existing = _get(conn, repository, name)
    if existing is not None and existing.source == "toml" and source != "toml":
        raise UsageError(
            f"environment {existing.name!r} is declared in conveyor.toml: change it there"
        )
    repo = repository_id(conn, repository)
    values = rule_values(rules) | {"display_name": name, "source": source, "updated_at": now()}
    if existing is None:
        base = {"repository_id": repo, "name": name.lower(), "created_at": now()}
        conn.execute(insert(EnvironmentRow).values(**base, **values))
    else:
        conn.execute(
            update(EnvironmentRow)
            .where(EnvironmentRow.c.repository_id == repo, EnvironmentRow.c.name == name.lower())
            .values(**values)
        )
    found = _get(conn, repository, name)
    assert found is not None
    return found


def _ensure(conn: Connection, repository: str, name: str) -> EnvironmentRecord:
    return _get(conn, repository, name) or _declare(
        conn, repository, name, ProtectionRules(), "auto"
    )


def _list(conn: Connection, repository: str) -> list[EnvironmentRecord]:
    rows = conn.execute(
        select(EnvironmentRow)
        .join(RepositoryRow, RepositoryRow.c.id == EnvironmentRow.c.repository_id)
        .where(RepositoryRow.c.key == repository)
        .order_by(EnvironmentRow.c.name)
    )
    return [environment_record(row, repository) for row in rows]


def _delete(conn: Connection, repository: str, name: str) -> bool:
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return False
    result = conn.execute(
        delete(EnvironmentRow).where(
            EnvironmentRow.c.repository_id == repo, EnvironmentRow.c.name == name.lower()
        )
    )
    return bool(result.rowcount)


def _approval(conn: Connection, run_id: int, attempt: int, env: str) -> ApprovalRecord | None:
    row = conn.execute(
        select(ApprovalRow).where(
            ApprovalRow.c.run_id == run_id,
            ApprovalRow.c.attempt == attempt,
            ApprovalRow.c.environment == env,
        )
    ).first()
    return None if row is None else approval_record(row)


def _approvals(conn: Connection, run_id: int) -> list[ApprovalRecord]:
    rows = conn.execute(
        select(ApprovalRow).where(ApprovalRow.c.run_id == run_id).order_by(ApprovalRow.c.id)
    )
    return [approval_record(row) for row in rows]


def _request_approval(conn: Connection, run_id: int, attempt: int, env: str) -> ApprovalRecord:
    """Idempotent: every job of the attempt using `env` shares one approval (as on GitHub)."""
    existing = _approval(conn, run_id, attempt, env)
    if existing is not None:
        return existing
    values = {"run_id": run_id, "attempt": attempt, "environment": env}
    conn.execute(
        insert(ApprovalRow).values(**values, state=str(ApprovalState.WAITING), requested_at=now())
    )
    found = _approval(conn, run_id, attempt, env)
    assert found is not None
    return found


def _decide(
    conn: Connection, run_id: int, env: str, approve: bool, reviewer: str, comment: str | None
) -> ApprovalRecord:
    run = require_run(conn, run_id)
    pending = _approval(conn, run_id, run.attempt, env)
    if pending is None or pending.state is not ApprovalState.WAITING:
        raise UsageError(f"run {run_id} is not waiting for approval of environment {env!r}")
    environment = _get(conn, run.repository, env)
    rules = environment.rules if environment else ProtectionRules()
    check_reviewer(rules, reviewer, run.actor, env)
    state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
    conn.execute(
        update(ApprovalRow)
        .where(ApprovalRow.c.run_id == run_id, ApprovalRow.c.attempt == run.attempt)
        .where(ApprovalRow.c.environment == env, ApprovalRow.c.state == str(ApprovalState.WAITING))
        .values(state=str(state), reviewer=reviewer, comment=comment, decided_at=now())
    )
    found = _approval(conn, run_id, run.attempt, env)
    assert found is not None
    return found


def _record_deployment(
    conn: Connection, run_id: int, attempt: int, instance_key: str, env: str, status: str
) -> DeploymentRecord:
    run = require_run(conn, run_id)
    row = conn.execute(select(RunRow.c.repository_id).where(RunRow.c.id == run_id)).one()
    values = {
        "repository_id": row.repository_id,
        "environment": env.lower(),
        "run_id": run_id,
        "attempt": attempt,
        "instance_key": instance_key,
        "ref": run.ref,
        "sha": run.sha,
        "status": status,
        "created_at": now(),
        "updated_at": now(),
    }
    new_id = conn.execute(insert(DeploymentRow).values(**values).returning(DeploymentRow.c.id))
    found = _deployments_where(conn, run.repository, DeploymentRow.c.id == new_id.scalar_one(), 1)
    if not found:
        raise StoreError("the deployment record vanished as it was written")
    return found[0]


def _deployments(conn: Connection, repository: str, env: str, limit: int) -> list[DeploymentRecord]:
    return _deployments_where(conn, repository, DeploymentRow.c.environment == env, limit)


def _deployments_where(
    conn: Connection, repository: str, condition: Any, limit: int
) -> list[DeploymentRecord]:
    rows = conn.execute(
        select(DeploymentRow)
        .join(RepositoryRow, RepositoryRow.c.id == DeploymentRow.c.repository_id)
        .where(RepositoryRow.c.key == repository, condition)
        .order_by(DeploymentRow.c.id.desc())
        .limit(limit)
    )
    return [deployment_record(r, repository) for r in rows]
