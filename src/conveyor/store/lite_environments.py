"""`LiteEnvironmentStore`: `environments.py`'s statements in stdlib sqlite3 (environments with
protection rules, approvals, deployment records); rows ↔ records are shared by both adapters."""

from __future__ import annotations

import json
import time
from sqlite3 import Connection
from typing import Any

from conveyor.engine.ports.environments import (
    ApprovalRecord,
    ApprovalState,
    DeploymentRecord,
    EnvironmentRecord,
    ProtectionRules,
)
from conveyor.errors import StoreError, UsageError
from conveyor.store.json_columns import loads_strings
from conveyor.store.lite_database import LiteDatabase
from conveyor.store.lite_history import insert, repository_id, require_run
from conveyor.store.protection import check_environment_name, check_reviewer, check_rules


class LiteEnvironmentStore:
    def __init__(self, database: LiteDatabase) -> None:
        self.database = database

    def declare_environment(
        self, repository: str, name: str, rules: ProtectionRules, source: str = "cli"
    ) -> EnvironmentRecord:
        check_environment_name(name)
        check_rules(rules)
        return self.database.run_write(lambda conn: _declare(conn, repository, name, rules, source))

    def ensure_environment(self, repository: str, name: str) -> EnvironmentRecord:
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
        rows = self.database.run_read(
            lambda conn: conn.execute(
                "SELECT * FROM approvals WHERE run_id = ? ORDER BY id", (run_id,)
            ).fetchall()
        )
        return [approval_record(row) for row in rows]

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
        url_set, params = (", url = ?", (url,)) if url is not None else ("", ())
        self.database.run_write(
            lambda conn: conn.execute(
                f"UPDATE deployments SET status = ?, updated_at = ?{url_set} WHERE id = ?",
                (status, time.time(), *params, deployment_id),
            )
        )

    def list_deployments(
        self, repository: str, environment: str, limit: int = 20
    ) -> list[DeploymentRecord]:
        where = ("deployments.environment = ?", environment.lower())
        return self.database.run_read(lambda conn: _deployments(conn, repository, where, limit))


def environment_record(row: Any, repository: str) -> EnvironmentRecord:
    rules = ProtectionRules(
        required_reviewers=loads_strings(row.required_reviewers) or (),
        prevent_self_review=bool(row.prevent_self_review),
        wait_timer_minutes=row.wait_timer_minutes,
        deployment_branches=loads_strings(row.deployment_branches),
        deployment_tags=loads_strings(row.deployment_tags),
    )
    return EnvironmentRecord(
        repository, row.display_name, rules, row.source, row.created_at, row.updated_at
    )


def rule_values(rules: ProtectionRules) -> dict[str, object]:
    def listed(values: tuple[str, ...] | None) -> str | None:
        return None if values is None else json.dumps(list(values))

    return {
        "required_reviewers": json.dumps(list(rules.required_reviewers)),
        "prevent_self_review": rules.prevent_self_review,
        "wait_timer_minutes": rules.wait_timer_minutes,
        "deployment_branches": listed(rules.deployment_branches),
        "deployment_tags": listed(rules.deployment_tags),
    }


def approval_record(row: Any) -> ApprovalRecord:
    return ApprovalRecord(
        run_id=row.run_id,
        attempt=row.attempt,
        environment=row.environment,
        state=ApprovalState(row.state),
        requested_at=row.requested_at,
        reviewer=row.reviewer,
        comment=row.comment,
        decided_at=row.decided_at,
    )


def deployment_record(row: Any, repository: str) -> DeploymentRecord:
    return DeploymentRecord(
        row.id,
        repository,
        row.environment,
        row.run_id,
        row.attempt,
        row.instance_key,
        row.ref,
        row.sha,
        row.status,
        row.created_at,
        row.updated_at,
        row.url,
    )


_NAMED = "repository_id = ? AND name = ?"


def _get(conn: Connection, repository: str, name: str) -> EnvironmentRecord | None:
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return None
    row = conn.execute(
        f"SELECT * FROM environments WHERE {_NAMED}", (repo, name.lower())
    ).fetchone()
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
    values = rule_values(rules) | {
        "display_name": name,
        "source": source,
        "updated_at": time.time(),
    }
    if existing is None:
        base = {"repository_id": repo, "name": name.lower(), "created_at": time.time()}
        insert(conn, "environments", base | values)
    else:
        assignments = ", ".join(f"{column} = ?" for column in values)
        conn.execute(
            f"UPDATE environments SET {assignments} WHERE {_NAMED}",
            (*values.values(), repo, name.lower()),
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
        "SELECT environments.* FROM environments JOIN repositories "
        "ON repositories.id = environments.repository_id WHERE repositories.key = ? "
        "ORDER BY environments.name",
        (repository,),
    )
    return [environment_record(row, repository) for row in rows]


def _delete(conn: Connection, repository: str, name: str) -> bool:
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return False
    cursor = conn.execute(f"DELETE FROM environments WHERE {_NAMED}", (repo, name.lower()))
    return bool(cursor.rowcount)


def _approval(conn: Connection, run_id: int, attempt: int, env: str) -> ApprovalRecord | None:
    row = conn.execute(
        "SELECT * FROM approvals WHERE run_id = ? AND attempt = ? AND environment = ?",
        (run_id, attempt, env),
    ).fetchone()
    return None if row is None else approval_record(row)


def _request_approval(conn: Connection, run_id: int, attempt: int, env: str) -> ApprovalRecord:
    existing = _approval(conn, run_id, attempt, env)
    if existing is not None:
        return existing
    values = {"run_id": run_id, "attempt": attempt, "environment": env}
    state = {"state": str(ApprovalState.WAITING), "requested_at": time.time()}
    insert(conn, "approvals", values | state)
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
        "UPDATE approvals SET state = ?, reviewer = ?, comment = ?, decided_at = ? "
        "WHERE run_id = ? AND attempt = ? AND environment = ? AND state = ?",
        (str(state), reviewer, comment, time.time(), run_id, run.attempt, env, "waiting"),
    )
    found = _approval(conn, run_id, run.attempt, env)
    assert found is not None
    return found


def _record_deployment(
    conn: Connection, run_id: int, attempt: int, instance_key: str, env: str, status: str
) -> DeploymentRecord:
    run = require_run(conn, run_id)
    row = conn.execute("SELECT repository_id FROM runs WHERE id = ?", (run_id,)).fetchone()
    values = {
        "repository_id": row.repository_id,
        "environment": env.lower(),
        "run_id": run_id,
        "attempt": attempt,
        "instance_key": instance_key,
        "ref": run.ref,
        "sha": run.sha,
        "status": status,
        "created_at": time.time(),
        "updated_at": time.time(),
    }
    new_id = insert(conn, "deployments", values).lastrowid
    found = _deployments(conn, run.repository, ("deployments.id = ?", new_id), 1)
    if not found:
        raise StoreError("the deployment record vanished as it was written")
    return found[0]


def _deployments(
    conn: Connection, repository: str, where: tuple[str, object], limit: int
) -> list[DeploymentRecord]:
    condition, value = where
    rows = conn.execute(
        "SELECT deployments.* FROM deployments JOIN repositories "
        "ON repositories.id = deployments.repository_id "
        f"WHERE repositories.key = ? AND {condition} ORDER BY deployments.id DESC LIMIT ?",
        (repository, value, limit),
    )
    return [deployment_record(row, repository) for row in rows]
