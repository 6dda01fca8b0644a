"""SQLAlchemy Core tables of the run store (the Alembic migrations in `migrations/` build them).

Plain `Table`s, not ORM classes: the store only runs Core statements, and importing the ORM and
mapping declarative classes cost ~60 ms on every `conveyor run` (columns are `RunRow.c.status`).

Timestamps are epoch seconds (floats), JSON-like values are JSON text, so SQLite and PostgreSQL
hold exactly the same thing. Logs are files (`logs.py`), never rows here.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


metadata = MetaData(naming_convention=NAMING_CONVENTION)

RepositoryRow = Table(
    "repositories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(1024), unique=True, nullable=False),
    Column("created_at", Float, nullable=False),
)

# Event payloads, once per content: zlib-compressed JSON text keyed by its SHA-256 (payloads.py).
EventPayloadRow = Table(
    "event_payloads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest", String(64), unique=True, nullable=False),
    Column("size", Integer, nullable=False),  # bytes of the JSON text
    Column("data", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
)

RunRow = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository_id", ForeignKey("repositories.id"), nullable=False),
    Column("workflow", String(1024), nullable=False),
    Column("workflow_path", String(1024), nullable=False),
    Column("run_number", Integer, nullable=False),
    Column("event", String(100), nullable=False),
    Column("ref", String(1024), nullable=True),
    Column("sha", String(64), nullable=True),
    Column("actor", String(255), nullable=True),
    Column("attempt", Integer, default=1, nullable=False),
    Column("status", String(20), nullable=False),
    Column("conclusion", String(20), nullable=True),
    Column("reason", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
    Column("owner_pid", Integer, nullable=True),
    Column("owner_host", String(255), nullable=True),
    Column("owner_token", String(100), nullable=True),
    Column("cancel_requested", Boolean, default=False, nullable=False),
    Column("concurrency_group", String(400), nullable=True),
    Column("payload_id", ForeignKey("event_payloads.id"), nullable=True),  # None: no payload
    Column("inputs", Text, default="{}", nullable=False),
    Column("options", Text, default="{}", nullable=False),
    UniqueConstraint("repository_id", "workflow_path", "run_number"),
    Index("ix_runs_status_id", "status", "id"),
    Index("ix_runs_conclusion_id", "conclusion", "id"),
    Index("ix_runs_workflow_id", "workflow", "id"),
    Index("ix_runs_owner_host_status", "owner_host", "status"),
)

JobRow = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("instance_key", String(1024), nullable=False),
    Column("job_id", String(255), nullable=False),
    Column("name", String(1024), nullable=False),
    Column("matrix", Text, nullable=True),
    Column("status", String(20), nullable=False),
    Column("conclusion", String(20), nullable=True),
    Column("outputs", Text, default="{}", nullable=False),
    Column("environment", String(255), nullable=True),
    Column("error", Text, nullable=True),
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
    Column("reused", Boolean, default=False, nullable=False),
    Column("cancel_requested", Boolean, default=False, nullable=False),
    UniqueConstraint("run_id", "attempt", "instance_key"),
)

StepRow = Table(
    "steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("instance_key", String(1024), nullable=False),
    Column("index", Integer, nullable=False),
    Column("name", String(1024), nullable=False),
    Column("step_id", String(255), nullable=True),
    Column("status", String(20), nullable=False),
    Column("outcome", String(20), nullable=True),
    Column("conclusion", String(20), nullable=True),
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
    UniqueConstraint("run_id", "attempt", "instance_key", "index"),
)

AnnotationRow = Table(
    "annotations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("instance_key", String(1024), nullable=False),
    Column("level", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Column("title", Text, nullable=True),
    Column("file", String(1024), nullable=True),
    Column("line", Integer, nullable=True),
    Column("end_line", Integer, nullable=True),
    Column("column", Integer, nullable=True),
    Column("end_column", Integer, nullable=True),
    Column("created_at", Float, nullable=False),
    Index("ix_annotations_run_id_attempt", "run_id", "attempt"),
)

ArtifactRow = Table(
    "artifacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("name", String(255), nullable=False),
    Column("path", String(4096), nullable=False),
    Column("size", Integer, nullable=False),
    Column("digest", String(128), nullable=True),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("run_id", "name"),
)

CacheRow = Table(
    "caches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository_id", ForeignKey("repositories.id"), nullable=False),
    Column("scope", String(1024), nullable=False),
    Column("key", String(512), nullable=False),
    Column("version", String(128), nullable=False),
    Column("path", String(4096), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_used_at", Float, nullable=False),
    UniqueConstraint("repository_id", "scope", "key", "version"),
)

ConcurrencyGroupRow = Table(
    "concurrency_groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository_id", ForeignKey("repositories.id"), nullable=False),
    Column("name", String(400), nullable=False),
    Column("running_holder", String(1100), nullable=True),
    Column("running_run_id", Integer, nullable=True),
    Column("pending_holder", String(1100), nullable=True),
    Column("pending_run_id", Integer, nullable=True),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("repository_id", "name"),
)

EnvironmentRow = Table(
    "environments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository_id", ForeignKey("repositories.id"), nullable=False),
    Column("name", String(255), nullable=False),  # lower-cased: names are case-insensitive
    Column("display_name", String(255), nullable=False),
    Column("required_reviewers", Text, default="[]", nullable=False),
    Column("prevent_self_review", Boolean, default=False, nullable=False),
    Column("wait_timer_minutes", Float, default=0, nullable=False),
    Column("deployment_branches", Text, nullable=True),
    Column("deployment_tags", Text, nullable=True),
    Column("source", String(10), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("repository_id", "name"),
)

ApprovalRow = Table(
    "approvals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("environment", String(255), nullable=False),
    Column("state", String(10), nullable=False),
    Column("reviewer", String(255), nullable=True),
    Column("comment", Text, nullable=True),
    Column("requested_at", Float, nullable=False),
    Column("decided_at", Float, nullable=True),
    UniqueConstraint("run_id", "attempt", "environment"),
)

DeploymentRow = Table(
    "deployments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository_id", ForeignKey("repositories.id"), nullable=False),
    Column("environment", String(255), nullable=False),
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("instance_key", String(1024), nullable=False),
    Column("ref", String(1024), nullable=True),
    Column("sha", String(64), nullable=True),
    Column("status", String(20), nullable=False),
    Column("url", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_deployments_environment", "repository_id", "environment", "id"),
)

SecretRow = Table(
    "secrets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository_id", ForeignKey("repositories.id"), nullable=False),
    Column("environment", String(255), nullable=False),  # "" for repository secrets
    Column("name", String(255), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("repository_id", "environment", "name"),
)

VariableRow = Table(
    "variables",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository_id", ForeignKey("repositories.id"), nullable=False),
    Column("environment", String(255), nullable=False),  # "" for repository variables
    Column("name", String(255), nullable=False),
    Column("value", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("repository_id", "environment", "name"),
)

# API tokens of `conveyor serve`: the SHA-256 of the token, never the token (api_tokens.py).
ApiTokenRow = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(10), nullable=False),  # read, write or admin
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("last_used_at", Float, nullable=True),
    Column("revoked_at", Float, nullable=True),
)

# The local forge's job tokens (`GITHUB_TOKEN` of a job the server runs for a hosted repository):
# the SHA-256 of the token, its repository, job and permissions (JSON), until revoked (at the
# job's end) or expired.
JobTokenRow = Table(
    "job_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("repository", String(255), nullable=False),
    Column("job", String(255), nullable=False),
    Column("permissions", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
)

# One row per (repository, workflow, cron tick) a scheduler fired: the unique key is the claim
# that makes a tick fire once however many server processes share the database.
ScheduleTickRow = Table(
    "schedule_ticks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository", String(255), nullable=False),  # owner/repo
    Column("workflow", String(1024), nullable=False),  # .github/workflows/nightly.yml
    Column("tick", Float, nullable=False),  # epoch seconds of the cron minute
    Column("cron", String(255), nullable=False),
    Column("claimed_at", Float, nullable=False),
    Column("claimed_by", String(255), nullable=False),  # host:pid of the scheduler
    UniqueConstraint("repository", "workflow", "tick"),
)

# `conveyor serve`: the repositories it serves (owner/name; the webhook secret encrypted with the
# secrets key) and the webhook deliveries it received (de-duplication; the runs each created).
ServedRepositoryRow = Table(
    "served_repositories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), unique=True, nullable=False),  # owner/repo
    Column("url", Text, nullable=False),  # clone URL or path
    Column("webhook_secret", LargeBinary, nullable=True),  # Fernet ciphertext
    Column("default_branch", String(255), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("forge", String(32), nullable=True),  # "github": reported to and cloned from GitHub
)

WebhookDeliveryRow = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery", String(255), unique=True, nullable=False),  # X-GitHub-Delivery
    Column("repository", String(255), nullable=False),
    Column("event", String(100), nullable=False),
    Column("run_ids", Text, default="[]", nullable=False),  # JSON list
    Column("received_at", Float, nullable=False),
)

# `conveyor serve`: reports waiting to reach a forge (its retry queue). One row per check run or
# commit status (`key`): a later report replaces the waiting one (`version` counts them, so a
# report sent while a newer one arrived deletes only itself).
ForgeReportRow = Table(
    "forge_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(512), unique=True, nullable=False),  # check:<external_id>, status:...
    Column("kind", String(16), nullable=False),  # check | status
    Column("payload", Text, nullable=False),  # the report, JSON (no secrets: masked text)
    Column("version", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("not_before", Float, nullable=False),  # epoch seconds: not sent before
    Column("created_at", Float, nullable=False),
    Column("last_error", String(255), nullable=True),
)

# The check run GitHub created for each job attempt (external_id): later reports update it,
# even after a restart of the server.
ForgeCheckIdRow = Table(
    "forge_check_ids",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("external_id", String(512), unique=True, nullable=False),
    Column("check_run_id", BigInteger, nullable=False),
    Column("created_at", Float, nullable=False),
)

# One row per `conveyor/coverage-gate` step that measured (rates in percent, NULL when not
# measured): the branch's coverage trend. Written by both stores (lite_coverage.py too).
CoveragePointRow = Table(
    "coverage_points",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("repository", String(1024), nullable=False),
    Column("branch", String(1024), nullable=False),
    Column("sha", String(64)),
    Column("run_id", Integer, nullable=False),
    Column("line_rate", Float),
    Column("branch_rate", Float),
    Column("diff_rate", Float),
    Column("recorded_at", Float, nullable=False),
    Index("ix_coverage_points_repository_branch", "repository", "branch", "id"),
)

# The local forge's tables live in their own module, on this metadata.
from conveyor.store import forge_models as _forge_models  # noqa: E402, F401

# `conveyor serve --broker`: the jobs handed to workers (the queue of record: a row moves
# queued → claimed → done by conditional updates; `token_hash` is the SHA-256 of the claim's
# per-job token, `lease_expires` what heartbeats extend) and the workers that said they are online.
RemoteJobRow = Table(
    "remote_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, nullable=False),
    Column("instance_key", String(1024), nullable=False),
    Column("labels", String(1024), nullable=False),  # sorted, comma-joined runs-on labels
    Column("state", String(16), nullable=False),  # queued | claimed | done
    Column("attempt", Integer, nullable=False),
    Column("worker", String(255)),
    Column("token_hash", String(64)),
    Column("lease_expires", Float),
    Column("cancel", Boolean, nullable=False),
    Column("rung_at", Float, nullable=False),  # the last doorbell (the sweep re-rings)
    Column("created_at", Float, nullable=False),
    Column("result", String(32)),
    Index("ix_remote_jobs_state", "state"),
)

RemoteWorkerRow = Table(
    "remote_workers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("labels", String(1024), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("busy", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # online | draining
    Column("last_heartbeat", Float, nullable=False),
    UniqueConstraint("name"),
)
